//! The "everything" server: exactly the contract of the MCP conformance suite's reference
//! server (tools, resources, prompts, completions, logging), served over stdio or HTTP.
//!
//! ```sh
//! cargo run -p fastmcp --example everything                          # stdio
//! cargo run -p fastmcp --example everything -- --http 127.0.0.1:3001 # Streamable HTTP at /mcp
//! cargo run -p fastmcp --example everything -- --http 127.0.0.1:3001 --stateless
//! # with bearer tokens checked (admin_echo then needs the `admin` scope):
//! cargo run -p fastmcp --example everything -- --http 127.0.0.1:3001 \
//!     --auth-jwks-uri https://auth.example.com/jwks.json --auth-base-url http://127.0.0.1:3001
//! ```
#![allow(deprecated)] // MCP roots and sampling types are marked deprecated in rmcp (SEP-2577).

mod input;
mod prompts;
mod tasks;
mod tools;

use input::*;
use prompts::*;
use tasks::*;
use tools::*;

use fastmcp::FastMCP;
use fastmcp::resources::{Resource, ResourceTemplate};
use serde_json::{Value, json};

/// The everything server.
pub fn server() -> FastMCP {
    let template = ResourceTemplate::builder("test://template/{id}/data")
        .name("template")
        .title("Resource Template")
        .description("A resource template with parameter substitution")
        .mime_type("application/json")
        .complete(
            "id",
            |request: fastmcp::completion::CompletionRequest| async move {
                ["1", "2", "3", "42"]
                    .iter()
                    .filter(|id| id.starts_with(&request.value))
                    .map(|id| (*id).to_owned())
                    .collect::<Vec<_>>()
            },
        )
        .handler(|request, _ctx| async move {
            let id = request
                .params
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Ok::<_, String>(
                json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")})
                    .to_string(),
            )
        });
    FastMCP::new("mcp-conformance-test-server")
        .version("1.0.0")
        .tool(test_simple_text)
        .tool(greet)
        .tool(admin_echo)
        .tool(slow_compute)
        .tool(failing_job)
        .tool(protocol_error_job)
        .tool(confirm_delete)
        .tool(multi_input)
        .tool(test_tool_with_task)
        .tool(test_image_content)
        .tool(test_audio_content)
        .tool(test_embedded_resource)
        .tool(test_multiple_content_types)
        .tool(test_tool_with_logging)
        .tool(test_tool_with_progress)
        .tool(test_error_handling)
        .tool(test_reconnection)
        .tool(test_sampling)
        .tool(test_elicitation)
        .tool(test_elicitation_sep1034_defaults)
        .tool(test_elicitation_sep1330_enums)
        .tool(json_schema_2020_12_tool())
        .tool(test_custom_headers())
        .tool(test_input_required_result_elicitation)
        .tool(test_input_required_result_sampling)
        .tool(test_input_required_result_list_roots)
        .tool(test_input_required_result_request_state)
        .tool(test_input_required_result_multiple_inputs)
        .tool(test_input_required_result_multi_round)
        .tool(test_input_required_result_tampered_state)
        .tool(test_input_required_result_capabilities)
        .tool(test_missing_capability)
        .tool(test_streaming_elicitation)
        .tool(test_logging_tool)
        .tool(test_trigger_tool_change)
        .tool(test_trigger_prompt_change)
        .tool(test_touch_watched_resource)
        .resource(
            Resource::builder("test://static-text")
                .name("static-text")
                .title("Static Text Resource")
                .description("A static text resource for testing")
                .mime_type("text/plain")
                .text("This is the content of the static text resource."),
        )
        .resource(
            Resource::builder("test://static-binary")
                .name("static-binary")
                .title("Static Binary Resource")
                .description("A static binary resource (image) for testing")
                .mime_type("image/png")
                .binary(decode(PNG)),
        )
        .resource(
            Resource::builder("test://watched-resource")
                .name("watched-resource")
                .title("Watched Resource")
                .description(
                    "A resource whose subscribers hear of each test_touch_watched_resource call",
                )
                .mime_type("text/plain")
                .text("Watched resource content"),
        )
        .resource_template(template)
        .prompt(test_simple_prompt)
        .prompt(test_prompt_with_arguments)
        .prompt(test_prompt_with_embedded_resource)
        .prompt(test_prompt_with_image)
        .prompt(test_input_required_result_prompt)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FASTMCP_LOG_LEVEL")
                .unwrap_or_else(|_| "warn,rmcp=error".into()),
        )
        .init();
    // stdio by default; `--http 127.0.0.1:8000 [--stateless] [--json-response]` for HTTP.
    server().run().await?;
    Ok(())
}
