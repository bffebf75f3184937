//! The server and client surface — resources, templates, prompts, completion, pagination,
//! visibility, versions, notifications, and the Context's requests to the client — each test
//! body run in both protocol eras (legacy `initialize` and stateless 2026-07-28), in-process.

#![allow(deprecated)] // MCP sampling/roots types are marked deprecated in rmcp (SEP-2577).

use crate::common;

use std::sync::{Arc, Mutex};

use fastmcp::client::{ElicitationMode, ElicitationRequest, ElicitationResponse, Era};
use fastmcp::prompts::Message;
use fastmcp::resources::Resource;
use fastmcp::types::{
    CreateMessageResult, Reference, ResourceContents, Role, Root, SamplingMessage,
    ServerNotification, SubscriptionFilter,
};
use fastmcp::{Client, Context, Error, FastMCP, Filter, Tool, ToolResult};
use serde_json::{Value, json};

/// Runs one async test body per era, over an in-process connection.
macro_rules! in_both_eras {
    ($($name:ident),* $(,)?) => {
        mod memory_only {
            mod legacy {
                $( #[tokio::test] async fn $name() { super::super::$name(super::super::Era::Legacy).await } )*
            }
            mod stateless {
                $( #[tokio::test] async fn $name() { super::super::$name(super::super::Era::Stateless).await } )*
            }
        }
    };
}

/// Runs one async test body per era and per transport: in-process and a stdio child process.
macro_rules! everywhere {
    ($($name:ident),* $(,)?) => {
        mod memory_legacy {
            $( #[tokio::test] async fn $name() { super::$name(super::Era::Legacy, super::Via::Memory).await } )*
        }
        mod memory_stateless {
            $( #[tokio::test] async fn $name() { super::$name(super::Era::Stateless, super::Via::Memory).await } )*
        }
        mod stdio_legacy {
            $( #[tokio::test] async fn $name() { super::$name(super::Era::Legacy, super::Via::Stdio).await } )*
        }
        mod stdio_stateless {
            $( #[tokio::test] async fn $name() { super::$name(super::Era::Stateless, super::Via::Stdio).await } )*
        }
    };
}

mod components;
mod context;
mod notifications;
mod prompts;
mod resources;

/// How the client reaches the surface server.
#[derive(Debug, Clone, Copy)]
enum Via {
    Memory,
    Stdio,
}

// ---------------------------------------------------------------------------------------------
// The server under test.

use crate::common::surface_server::server;

/// A client for `target` in `era`, with handlers that answer elicitation, sampling and roots.
async fn connect_to(target: impl fastmcp::client::IntoTarget, era: Era) -> Client {
    Client::builder()
        .era(era)
        .elicitation_handler(|request: ElicitationRequest| async move {
            let ElicitationMode::Form { schema } = request.mode else {
                return ElicitationResponse::Cancel;
            };
            match request.message.as_str() {
                "Book a table" if schema["properties"]["guests"]["type"] == "integer" => {
                    ElicitationResponse::Accept(json!({"guests": 4, "date": "friday"}))
                }
                "Book a table" => ElicitationResponse::Decline,
                _ => ElicitationResponse::Cancel,
            }
        })
        .sampling_handler(
            |params: fastmcp::types::CreateMessageRequestParams| async move {
                let asked = params.messages[0]
                    .content
                    .first()
                    .and_then(|c| c.as_text())
                    .map(|t| t.text.clone());
                let reply = format!(
                    "model says {} ({})",
                    asked.unwrap_or_default(),
                    params.system_prompt.unwrap_or_default()
                );
                Ok::<_, String>(CreateMessageResult::new(
                    SamplingMessage::assistant_text(reply),
                    "test-model".into(),
                ))
            },
        )
        .roots(vec![Root::new("file:///work"), Root::new("file:///tmp")])
        .connect(target)
        .await
        .expect("connect")
}

fn surface_target(via: Via) -> fastmcp::client::Target {
    match via {
        Via::Memory => server().into(),
        Via::Stdio => {
            fastmcp::client::StdioServer::new(common::example("surface").to_string_lossy()).into()
        }
    }
}

async fn connect(era: Era, via: Via) -> Client {
    connect_to(surface_target(via), era).await
}

fn text_of(contents: &[ResourceContents]) -> String {
    match &contents[0] {
        ResourceContents::TextResourceContents { text, .. } => text.clone(),
        ResourceContents::BlobResourceContents { blob, .. } => format!("blob:{blob}"),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------

everywhere!(negotiates_the_era,);

async fn negotiates_the_era(era: Era, via: Via) {
    let client = connect(era, via).await;
    assert_eq!(client.is_stateless(), era == Era::Stateless);
    client.ping().await.unwrap();
}
