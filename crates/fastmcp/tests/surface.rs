//! The server and client surface — resources, templates, prompts, completion, pagination,
//! visibility, versions, notifications, and the Context's requests to the client — each test
//! body run in both protocol eras (legacy `initialize` and stateless 2026-07-28), in-process.

#![allow(deprecated)] // MCP sampling/roots types are marked deprecated in rmcp (SEP-2577).

mod common;

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

/// How the client reaches the surface server.
#[derive(Debug, Clone, Copy)]
enum Via {
    Memory,
    Stdio,
}

everywhere!(
    negotiates_the_era,
    fixed_resources_read_as_text_and_binary,
    templates_match_convert_and_reject_traversal,
    unknown_resources_get_the_era_error_code,
    prompts_render_with_typed_arguments,
    prompt_errors_are_protocol_errors,
    completions_come_from_completers_and_enums,
    elicitation_is_typed_with_accept_decline_cancel,
    sampling_and_roots_reach_the_client,
    session_state_persists_across_calls,
);

in_both_eras!(
    lists_paginate_with_opaque_cursors,
    visibility_rules_hide_and_restore_components,
    the_highest_version_wins_unless_one_is_asked_for,
    file_and_directory_resources_read_from_disk,
);

// ---------------------------------------------------------------------------------------------
// The server under test.

#[path = "common/surface_server.rs"]
mod surface_server;

use surface_server::server;

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
// The test bodies.

async fn negotiates_the_era(era: Era, via: Via) {
    let client = connect(era, via).await;
    assert_eq!(client.is_stateless(), era == Era::Stateless);
    client.ping().await.unwrap();
}

async fn fixed_resources_read_as_text_and_binary(era: Era, via: Via) {
    let client = connect(era, via).await;
    let resources = client.list_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["mem://hello", "mem://bytes", "weather://today"]);
    assert_eq!(resources[0].size, Some(11));
    assert_eq!(resources[2].name, "today");
    assert_eq!(
        resources[2].description.as_deref(),
        Some("Weather for a city (a fixed resource made by the macro).")
    );

    let hello = client.read_resource("mem://hello").await.unwrap();
    assert_eq!(
        hello,
        vec![ResourceContents::text("hello world", "mem://hello")]
    );
    let bytes = client.read_resource("mem://bytes").await.unwrap();
    match &bytes[0] {
        ResourceContents::BlobResourceContents {
            blob,
            mime_type,
            uri,
            ..
        } => {
            assert_eq!(
                (blob.as_str(), mime_type.as_deref(), uri.as_str()),
                ("AJ+Slg==", Some("application/octet-stream"), "mem://bytes")
            );
        }
        other => panic!("expected a blob, got {other:?}"),
    }
    assert_eq!(
        text_of(&client.read_resource("weather://today").await.unwrap()),
        "sunny"
    );
}

async fn templates_match_convert_and_reject_traversal(era: Era, via: Via) {
    let client = connect(era, via).await;
    let templates = client.list_resource_templates().await.unwrap();
    let written: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(
        written,
        [
            "weather://{city}/day/{day}",
            "colors://{name}",
            "files://{path*}"
        ]
    );

    let contents = client
        .read_resource("weather://New%20York/day/3")
        .await
        .unwrap();
    assert_eq!(text_of(&contents), r#"{"city":"New York","day":3}"#);
    match &contents[0] {
        ResourceContents::TextResourceContents { mime_type, uri, .. } => {
            assert_eq!(
                (mime_type.as_deref(), uri.as_str()),
                (Some("application/json"), "weather://New%20York/day/3")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        text_of(&client.read_resource("files://src/main.rs").await.unwrap()),
        r#"file "src/main.rs""#
    );

    match client.read_resource("weather://Paris/day/abc").await {
        Err(Error::Protocol(error)) => {
            assert_eq!(error.code.0, -32602);
            assert_eq!(
                error.message,
                r#"Invalid weather://Paris/day/abc: argument 'day': "abc" is not a valid integer"#
            );
        }
        other => panic!("expected invalid params, got {other:?}"),
    }
    for attack in [
        "files://../etc/passwd",
        "files://%2Fetc%2Fpasswd",
        "files://a%00b",
    ] {
        match client.read_resource(attack).await {
            Err(Error::Protocol(error)) => {
                assert_eq!(error.code.0, -32602, "{attack}");
                assert!(
                    error.message.starts_with("Invalid value for 'path'"),
                    "{attack}: {}",
                    error.message
                );
            }
            other => panic!("{attack} should be refused, got {other:?}"),
        }
    }
    // The server keeps serving.
    assert_eq!(
        text_of(&client.read_resource("mem://hello").await.unwrap()),
        "hello world"
    );
}

async fn unknown_resources_get_the_era_error_code(era: Era, via: Via) {
    let client = connect(era, via).await;
    match client.read_resource("mem://missing").await {
        Err(Error::Protocol(error)) => {
            let expected = if era == Era::Stateless {
                -32602
            } else {
                -32002
            };
            assert_eq!(error.code.0, expected);
            assert_eq!(error.message, "Resource not found: mem://missing");
        }
        other => panic!("expected resource not found, got {other:?}"),
    }
}

async fn prompts_render_with_typed_arguments(era: Era, via: Via) {
    let client = connect(era, via).await;
    let prompts = client.list_prompts().await.unwrap();
    let greet = &prompts[0];
    assert_eq!(
        (greet.name.as_str(), greet.title.as_deref()),
        ("greet", Some("Greeting"))
    );
    let arguments: Vec<(String, Option<bool>, Option<String>)> = greet
        .arguments
        .iter()
        .flatten()
        .map(|a| (a.name.clone(), a.required, a.description.clone()))
        .collect();
    assert_eq!(
        arguments,
        [
            (
                "name".to_owned(),
                Some(true),
                Some("Who to greet".to_owned())
            ),
            (
                "times".to_owned(),
                Some(false),
                Some("How many times".to_owned())
            ),
        ]
    );

    let result = client
        .get_prompt("greet", json!({"name": "Ada", "times": "2"}))
        .await
        .unwrap();
    assert_eq!(
        result.description.as_deref(),
        Some("Greet `name` in a `style`.")
    );
    assert_eq!(
        result.messages,
        vec![Message::user("Hello, Ada! Hello, Ada!")]
    );

    let review = client
        .get_prompt("review", json!({"file": "main.rs"}))
        .await
        .unwrap();
    assert_eq!(review.messages.len(), 3);
    assert_eq!(
        review.messages[0],
        Message::user_resource("files://main.rs", "text/plain", "fn main() {}")
    );
    assert!(review.messages[1].content.as_image().is_some());
    assert_eq!(review.messages[2].role, Role::Assistant);
}

async fn prompt_errors_are_protocol_errors(era: Era, via: Via) {
    let client = connect(era, via).await;
    let cases = [
        (
            "greet",
            json!({}),
            "Missing required argument 'name' for prompt 'greet'",
        ),
        (
            "greet",
            json!({"name": "A", "times": "many"}),
            r#"Invalid arguments for prompt 'greet': argument 'times': "many" is not a valid integer or null"#,
        ),
        ("nope", json!({}), "Unknown prompt: 'nope'"),
    ];
    for (name, arguments, message) in cases {
        match client.get_prompt(name, arguments).await {
            Err(Error::Protocol(error)) => {
                assert_eq!((error.code.0, error.message.as_ref()), (-32602, message))
            }
            other => panic!("expected an error for {name}, got {other:?}"),
        }
    }
}

async fn completions_come_from_completers_and_enums(era: Era, via: Via) {
    let client = connect(era, via).await;
    let files = client
        .complete(
            Reference::for_resource("files://{path*}"),
            "path",
            "src/",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(files.values, ["src/main.rs", "src/lib.rs"]);
    assert_eq!((files.total, files.has_more), (Some(2), Some(false)));
    let colors = client
        .complete(Reference::for_resource("colors://{name}"), "name", "g", &[])
        .await
        .unwrap();
    assert_eq!(colors.values, ["green"]);
    let nothing = client
        .complete(
            Reference::for_prompt("greet"),
            "name",
            "A",
            &[("times", "2")],
        )
        .await
        .unwrap();
    assert!(nothing.values.is_empty());
    match client
        .complete(Reference::for_prompt("nope"), "x", "", &[])
        .await
    {
        Err(Error::Protocol(error)) => assert_eq!(error.code.0, -32602),
        other => panic!("{other:?}"),
    }
}

async fn lists_paginate_with_opaque_cursors(era: Era) {
    let server = FastMCP::new("pages").page_size(2);
    for i in 0..5 {
        let tool = Tool::builder(format!("t{i}"))
            .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("x")) });
        server.add_tool(tool).unwrap();
    }
    let client = connect_to(&server, era).await;
    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into())
        .collect();
    assert_eq!(names, ["t0", "t1", "t2", "t3", "t4"]);
}

async fn visibility_rules_hide_and_restore_components(era: Era) {
    let server = FastMCP::new("visible")
        .tool(
            Tool::builder("public")
                .tags(["public"])
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("p")) }),
        )
        .tool(
            Tool::builder("admin")
                .tags(["admin"])
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("a")) }),
        )
        .tool(
            Tool::builder("beta")
                .enabled(false)
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("b")) }),
        );
    let client = connect_to(&server, era).await;
    let names = |tools: Vec<fastmcp::types::Tool>| {
        tools
            .into_iter()
            .map(|t| t.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(client.list_tools().await.unwrap()),
        ["public", "admin"]
    );

    server.disable(Filter::tag("admin"));
    assert_eq!(names(client.list_tools().await.unwrap()), ["public"]);
    match client.call_tool("admin", Value::Null).await {
        Err(Error::Protocol(error)) => assert_eq!(error.code.0, -32602),
        other => panic!("a disabled tool must not be callable: {other:?}"),
    }
    server.enable(Filter::name("beta"));
    assert_eq!(
        names(client.list_tools().await.unwrap()),
        ["public", "beta"]
    );
    server.enable_only(Filter::tag("public"));
    assert_eq!(names(client.list_tools().await.unwrap()), ["public"]);
}

async fn the_highest_version_wins_unless_one_is_asked_for(era: Era) {
    let server = FastMCP::new("versions")
        .tool(
            Tool::builder("calc")
                .version("1.0")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("v1")) }),
        )
        .tool(
            Tool::builder("calc")
                .version("1.10")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("v1.10")) }),
        )
        .tool(
            Tool::builder("calc")
                .version("1.9")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("v1.9")) }),
        );
    let client = connect_to(&server, era).await;
    assert_eq!(client.list_tools().await.unwrap().len(), 1);
    assert_eq!(
        client.call_tool("calc", Value::Null).await.unwrap().text(),
        "v1.10"
    );
    assert_eq!(
        client
            .call_tool("calc", Value::Null)
            .version("1.0")
            .await
            .unwrap()
            .text(),
        "v1"
    );
    server.disable(Filter::version("calc", "1.10"));
    assert_eq!(
        client.call_tool("calc", Value::Null).await.unwrap().text(),
        "v1.9"
    );
    let duplicate = server.add_tool(
        Tool::builder("calc")
            .version("1.0")
            .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("dup")) }),
    );
    assert_eq!(
        duplicate.unwrap_err().to_string(),
        "a tool named 'calc' (version 1.0) is already registered on server 'versions'; rename one of them"
    );
}

async fn elicitation_is_typed_with_accept_decline_cancel(era: Era, via: Via) {
    let client = connect(era, via).await;
    assert_eq!(
        client.call_tool("book", Value::Null).await.unwrap().text(),
        "booked 4 on friday"
    );

    // A client without an elicitation handler: legacy tools see an error; on 2026-07-28 the
    // request fails with -32021 (missing required client capability).
    let bare = Client::builder()
        .era(era)
        .connect(surface_target(via))
        .await
        .unwrap();
    let outcome = bare
        .call_tool("book", Value::Null)
        .raise_on_error(false)
        .await;
    match era {
        Era::Stateless => match outcome {
            Err(Error::Protocol(error)) => assert_eq!(error.code.0, -32021),
            other => panic!("expected -32021, got {other:?}"),
        },
        _ => {
            let result = outcome.unwrap();
            assert!(result.is_error());
            assert_eq!(
                result.text(),
                "not supported: the client does not support elicitation"
            );
        }
    }
}

async fn sampling_and_roots_reach_the_client(era: Era, via: Via) {
    let client = connect(era, via).await;
    let result = client
        .call_tool("think", json!({"question": "why?"}))
        .await
        .unwrap();
    assert_eq!(
        result.data::<String>().unwrap(),
        "model says why? (be brief) | 2 roots"
    );
}

async fn session_state_persists_across_calls(era: Era, via: Via) {
    let client = connect(era, via).await;
    let first: u32 = client
        .call_tool("counter", Value::Null)
        .await
        .unwrap()
        .data()
        .unwrap();
    let second: u32 = client
        .call_tool("counter", Value::Null)
        .await
        .unwrap()
        .data()
        .unwrap();
    assert_eq!((first, second), (1, 2));
}

async fn file_and_directory_resources_read_from_disk(era: Era) {
    let dir = std::env::temp_dir().join(format!("fastmcp-surface-{}-{era:?}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("notes.md"), "# notes").unwrap();
    std::fs::write(dir.join("sub/data.bin"), [1u8, 2, 3]).unwrap();
    let server = FastMCP::new("disk")
        .resource(Resource::file("disk://notes", dir.join("notes.md")))
        .resource(Resource::file("disk://data", dir.join("sub/data.bin")))
        .resource(Resource::directory("disk://all", &dir))
        .resource(Resource::file("disk://gone", dir.join("missing.txt")));
    let client = connect_to(&server, era).await;
    let notes = client.read_resource("disk://notes").await.unwrap();
    assert_eq!(
        notes,
        vec![ResourceContents::text("# notes", "disk://notes").with_mime_type("text/markdown")]
    );
    assert_eq!(
        text_of(&client.read_resource("disk://data").await.unwrap()),
        "blob:AQID"
    );
    assert_eq!(
        text_of(&client.read_resource("disk://all").await.unwrap()),
        r#"["notes.md","sub/data.bin"]"#
    );
    assert!(matches!(
        client.read_resource("disk://gone").await,
        Err(Error::Protocol(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Notifications, which differ by era.

#[tokio::test]
async fn legacy_clients_hear_list_changes_and_resource_updates() {
    let heard: Arc<Mutex<Vec<String>>> = Arc::default();
    let (sender, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    let record = Arc::clone(&heard);
    let server = server();
    let client = Client::builder()
        .era(Era::Legacy)
        .message_handler(move |notification: ServerNotification| {
            let record = Arc::clone(&record);
            let sender = sender.clone();
            async move {
                let name = match notification {
                    ServerNotification::ToolListChangedNotification(_) => "tools".to_owned(),
                    ServerNotification::ResourceUpdatedNotification(n) => {
                        format!("updated {}", n.params.uri)
                    }
                    other => format!("{other:?}"),
                };
                record.lock().unwrap().push(name);
                let _ = sender.send(());
            }
        })
        .connect(&server)
        .await
        .unwrap();
    client.subscribe_resource("mem://hello").await.unwrap();
    server
        .add_tool(
            Tool::builder("late")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("x")) }),
        )
        .unwrap();
    arrived.recv().await.unwrap();
    server.notify_resource_updated("mem://hello");
    server.notify_resource_updated("mem://not-subscribed");
    arrived.recv().await.unwrap();
    client.unsubscribe_resource("mem://hello").await.unwrap();
    server.notify_resource_updated("mem://hello");
    // A round trip after the last notification: anything still in flight would have landed.
    client.ping().await.unwrap();
    assert_eq!(*heard.lock().unwrap(), ["tools", "updated mem://hello"]);
}

#[tokio::test]
async fn stateless_clients_hear_changes_on_their_listen_stream() {
    let server = server();
    let client = connect_to(&server, Era::Stateless).await;
    let filter = SubscriptionFilter::builder()
        .tools_list_changed()
        .resource_subscription("mem://hello")
        .build();
    let mut subscription = client.listen(filter).await.unwrap();
    server
        .add_tool(
            Tool::builder("late")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("x")) }),
        )
        .unwrap();
    match subscription.next().await.unwrap() {
        Some(ServerNotification::ToolListChangedNotification(_)) => {}
        other => panic!("expected tools/list_changed, got {other:?}"),
    }
    server.notify_resource_updated("mem://hello");
    match subscription.next().await.unwrap() {
        Some(ServerNotification::ResourceUpdatedNotification(n)) => {
            assert_eq!(n.params.uri, "mem://hello")
        }
        other => panic!("expected resources/updated, got {other:?}"),
    }
}

#[tokio::test]
async fn tampered_request_state_is_refused() {
    use fastmcp::types::{CallToolRequestParams, ClientRequest, InputResponses, ServerResult};
    // Drive the rounds by hand with rmcp's raw client API to alter the state between them.
    let server = server();
    let (server_side, client_side) = fastmcp::transports::memory();
    tokio::spawn(async move { server.serve(server_side).await });
    let lifecycle = rmcp::ClientLifecycleMode::Discover {
        preferred_versions: vec![fastmcp::types::ProtocolVersion::V_2026_07_28],
    };
    let info = fastmcp::types::ClientInfo::new(
        serde_json::from_value(json!({"elicitation": {}})).unwrap(),
        fastmcp::types::Implementation::new("raw", "0"),
    );
    let raw = rmcp::ClientServiceExt::serve_with_lifecycle(info, client_side, lifecycle)
        .await
        .unwrap();
    let first = raw
        .call_tool_once(CallToolRequestParams::new("book"))
        .await
        .unwrap();
    let fastmcp::types::CallToolResponse::InputRequired(required) = first else {
        panic!("expected an input round, got {first:?}");
    };
    let key = required.input_requests.unwrap().into_keys().next().unwrap();
    let mut answers = InputResponses::new();
    answers.insert(
        key,
        json!({"action": "accept", "content": {"guests": 2, "date": "monday"}}),
    );
    let state = required.request_state.unwrap();
    let tampered = format!("{state}x");
    let retry = CallToolRequestParams::new("book")
        .with_input_responses(answers.clone())
        .with_request_state(tampered);
    match raw
        .peer()
        .send_request(ClientRequest::CallToolRequest(
            fastmcp::types::CallToolRequest::new(retry),
        ))
        .await
    {
        Err(rmcp::ServiceError::McpError(error)) => {
            assert_eq!(error.code.0, -32602);
            assert!(
                error.message.starts_with("Invalid requestState"),
                "{}",
                error.message
            );
        }
        other => panic!("a tampered state must be refused, got {other:?}"),
    }
    // The untampered state works, and the state is bound to the call it came from.
    let honest = CallToolRequestParams::new("book")
        .with_input_responses(answers)
        .with_request_state(state.clone());
    match raw
        .peer()
        .send_request(ClientRequest::CallToolRequest(
            fastmcp::types::CallToolRequest::new(honest),
        ))
        .await
    {
        Ok(ServerResult::CallToolResult(result)) => {
            assert_eq!(
                result.content[0].as_text().unwrap().text,
                "booked 2 on monday"
            );
        }
        other => panic!("{other:?}"),
    }
    let transplanted = CallToolRequestParams::new("counter").with_request_state(state);
    assert!(
        raw.peer()
            .send_request(ClientRequest::CallToolRequest(
                fastmcp::types::CallToolRequest::new(transplanted)
            ))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_handler_hears_notifications_in_the_order_sent() {
    let (sender, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    let server = server();
    let client = Client::builder()
        .era(Era::Legacy)
        .message_handler(move |notification: ServerNotification| {
            let sender = sender.clone();
            async move {
                // A turn at the scheduler: handlers run in tasks of their own per
                // notification would let later ones overtake this one.
                tokio::task::yield_now().await;
                if let ServerNotification::ResourceUpdatedNotification(n) = notification {
                    let _ = sender.send(n.params.uri);
                }
            }
        })
        .connect(&server)
        .await
        .unwrap();
    let uris: Vec<String> = (0..100).map(|i| format!("mem://r{i}")).collect();
    for uri in &uris {
        client.subscribe_resource(uri).await.unwrap();
    }
    for uri in &uris {
        server.notify_resource_updated(uri);
    }
    let mut heard = Vec::new();
    while heard.len() < uris.len() {
        let uri = tokio::time::timeout(std::time::Duration::from_secs(30), arrived.recv())
            .await
            .expect("every update reaches the handler")
            .unwrap();
        heard.push(uri);
    }
    assert_eq!(heard, uris);
}
