//! The "everything" server: exactly the contract of the MCP conformance suite's reference
//! server (tools, resources, prompts, completions, logging), served over stdio or HTTP.
//!
//! ```sh
//! cargo run -p fastmcp --example everything                          # stdio
//! cargo run -p fastmcp --example everything -- --http 127.0.0.1:3001 # Streamable HTTP at /mcp
//! cargo run -p fastmcp --example everything -- --http 127.0.0.1:3001 --stateless
//! ```
#![allow(deprecated)] // MCP roots and sampling types are marked deprecated in rmcp (SEP-2577).

use std::time::Duration;

use fastmcp::prompts::Message;
use fastmcp::resources::{Resource, ResourceTemplate};
use fastmcp::server::{Elicitation, SampleRequest};
use fastmcp::tools::{TaskStart, TaskSupport};
use fastmcp::types::Role;
use fastmcp::{Context, FastMCP, Tool, ToolResult, prompt, tool};
use serde_json::{Value, json};

/// A 1×1 red PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A minimal WAV file.
const WAV: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

fn decode(base64: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap_or_default()
}

/// Tests simple text content response
#[tool]
fn test_simple_text() -> ToolResult {
    ToolResult::text("This is a simple text response for testing.")
}

/// Tests image content response
#[tool]
fn test_image_content() -> ToolResult {
    ToolResult::new().with_image(decode(PNG), "image/png")
}

/// Tests audio content response
#[tool]
fn test_audio_content() -> ToolResult {
    ToolResult::new().with_audio(decode(WAV), "audio/wav")
}

/// Tests embedded resource content response
#[tool]
fn test_embedded_resource() -> ToolResult {
    ToolResult::new().with_embedded_text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    )
}

/// Tests response with multiple content types (text, image, resource)
#[tool]
fn test_multiple_content_types() -> ToolResult {
    ToolResult::text("Multiple content types test:")
        .with_image(decode(PNG), "image/png")
        .with_embedded_text(
            "test://mixed-content-resource",
            "application/json",
            json!({"test": "data", "value": 123}).to_string(),
        )
}

/// Tests tool that emits log messages during execution
#[tool]
async fn test_tool_with_logging(ctx: Context) -> ToolResult {
    ctx.info("Tool execution started").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctx.info("Tool processing data").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctx.info("Tool execution completed").await;
    ToolResult::text("Tool with logging executed successfully")
}

/// Tests tool that reports progress notifications
#[tool]
async fn test_tool_with_progress(ctx: Context) -> ToolResult {
    for step in [0.0, 50.0, 100.0] {
        let message = format!("Completed step {step} of 100");
        ctx.report_progress(step, Some(100.0), Some(&message)).await;
        if step < 100.0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let token = ctx.progress_token().map(|t| match &t.0 {
        fastmcp::types::NumberOrString::Number(n) => n.to_string(),
        fastmcp::types::NumberOrString::String(s) => s.to_string(),
    });
    ToolResult::text(token.unwrap_or_else(|| "0".into()))
}

/// Tests error response handling
#[tool]
fn test_error_handling() -> Result<String, String> {
    Err("This tool intentionally returns an error for testing".into())
}

/// Tests SSE stream disconnection and client reconnection (SEP-1699)
#[tool]
async fn test_reconnection() -> ToolResult {
    tokio::time::sleep(Duration::from_millis(100)).await;
    ToolResult::text(
        "Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.",
    )
}

/// Tests server-initiated sampling (LLM completion request)
#[tool]
async fn test_sampling(
    ctx: Context,
    #[arg(description = "The prompt to send to the LLM")] prompt: String,
) -> ToolResult {
    match ctx.sample(SampleRequest::new(prompt).max_tokens(100)).await {
        Ok(reply) => ToolResult::text(format!("LLM response: {}", reply.text)),
        Err(error) => ToolResult::text(format!("Sampling not supported or error: {error}")),
    }
}

fn describe(answer: Result<Elicitation<Value>, fastmcp::Error>, prefix: &str) -> ToolResult {
    match answer {
        Ok(Elicitation::Accept(content)) => {
            ToolResult::text(format!("{prefix}: action=accept, content={content}"))
        }
        Ok(Elicitation::Decline) => {
            ToolResult::text(format!("{prefix}: action=decline, content={{}}"))
        }
        Ok(Elicitation::Cancel) => {
            ToolResult::text(format!("{prefix}: action=cancel, content={{}}"))
        }
        Err(error) => ToolResult::text(format!("Elicitation not supported or error: {error}")),
    }
}

/// Tests server-initiated elicitation (user input request)
#[tool]
async fn test_elicitation(
    ctx: Context,
    #[arg(description = "The message to show the user")] message: String,
) -> ToolResult {
    let schema = json!({
        "type": "object",
        "properties": {
            "username": {"type": "string", "description": "User's response"},
            "email": {"type": "string", "description": "User's email address"}
        },
        "required": ["username", "email"]
    });
    describe(
        ctx.elicit_with_schema(message, schema).await,
        "User response",
    )
}

/// Tests elicitation with default values per SEP-1034
#[tool]
async fn test_elicitation_sep1034_defaults(ctx: Context) -> ToolResult {
    let schema = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "User name", "default": "John Doe"},
            "age": {"type": "integer", "description": "User age", "default": 30},
            "score": {"type": "number", "description": "User score", "default": 95.5},
            "status": {"type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active"},
            "verified": {"type": "boolean", "description": "Verification status", "default": true}
        },
        "required": []
    });
    let answer = ctx
        .elicit_with_schema(
            "Please review and update the form fields with defaults",
            schema,
        )
        .await;
    describe(answer, "Elicitation completed")
}

/// Tests elicitation with enum schema improvements per SEP-1330
#[tool]
async fn test_elicitation_sep1330_enums(ctx: Context) -> ToolResult {
    let schema = json!({
        "type": "object",
        "properties": {
            "untitledSingle": {"type": "string", "description": "Select one option", "enum": ["option1", "option2", "option3"]},
            "titledSingle": {"type": "string", "description": "Select one option with titles", "oneOf": [
                {"const": "value1", "title": "First Option"},
                {"const": "value2", "title": "Second Option"},
                {"const": "value3", "title": "Third Option"}
            ]},
            "legacyEnum": {"type": "string", "description": "Select one option (legacy)", "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]},
            "untitledMulti": {"type": "array", "description": "Select multiple options", "minItems": 1, "maxItems": 3,
                "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
            "titledMulti": {"type": "array", "description": "Select multiple options with titles", "minItems": 1, "maxItems": 3,
                "items": {"anyOf": [
                    {"const": "value1", "title": "First Choice"},
                    {"const": "value2", "title": "Second Choice"},
                    {"const": "value3", "title": "Third Choice"}
                ]}}
        },
        "required": []
    });
    let answer = ctx
        .elicit_with_schema("Please select options from the enum fields", schema)
        .await;
    describe(answer, "Elicitation completed")
}

/// A tool whose raw input schema uses JSON Schema 2020-12 keywords (`$schema`, `$defs`,
/// `additionalProperties`), published exactly as written (SEP-1613).
fn json_schema_2020_12_tool() -> Tool {
    Tool::builder("json_schema_2020_12_tool")
        .description("Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)")
        .input_schema(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "$defs": {
                "address": {"$anchor": "addressDef", "type": "object",
                    "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}
            },
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "#/$defs/address"},
                "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                "phone": {"type": "string"},
                "email": {"type": "string"}
            },
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
            "then": {"required": ["phone"]},
            "else": {"required": ["email"]},
            "additionalProperties": false
        }))
        .handler(|arguments, _ctx: Context| async move {
            Ok::<_, String>(ToolResult::text(format!(
                "JSON Schema 2020-12 tool called with: {}",
                Value::Object(arguments)
            )))
        })
}

// ===== 2026-07-28: input rounds (InputRequiredResult), capabilities, notifications =====

fn ask_schema(field: &str, kind: &str) -> Value {
    json!({"type": "object", "properties": {field: {"type": kind}}, "required": [field]})
}

fn answer(
    result: Result<Elicitation<Value>, fastmcp::Error>,
    field: &str,
) -> Result<String, String> {
    match result.map_err(|e| e.to_string())? {
        Elicitation::Accept(content) => Ok(content
            .get(field)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default()),
        Elicitation::Decline => Ok("declined".into()),
        Elicitation::Cancel => Ok("cancelled".into()),
    }
}

/// Asks for the user's name through an input round (SEP-2322)
#[tool]
async fn test_input_required_result_elicitation(ctx: Context) -> Result<String, String> {
    let name = ctx
        .with_input_key("user_name")
        .elicit_with_schema("What is your name?", ask_schema("name", "string"))
        .await;
    Ok(format!("Hello, {}!", answer(name, "name")?))
}

/// Asks the client's model a question through an input round
#[tool]
async fn test_input_required_result_sampling(ctx: Context) -> Result<String, String> {
    let reply = ctx
        .with_input_key("capital_question")
        .sample(SampleRequest::new("What is the capital of France?").max_tokens(100))
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("Sampling response: {}", reply.text))
}

/// Asks for the client's roots through an input round
#[tool]
async fn test_input_required_result_list_roots(ctx: Context) -> Result<String, String> {
    let roots = ctx
        .with_input_key("client_roots")
        .list_roots()
        .await
        .map_err(|e| e.to_string())?;
    let uris: Vec<&str> = roots.iter().map(|root| root.uri.as_str()).collect();
    Ok(format!("Client roots: {}", uris.join(", ")))
}

/// Round-trips sealed requestState and confirms it checked out
#[tool]
async fn test_input_required_result_request_state(ctx: Context) -> Result<String, String> {
    let ok = ctx
        .with_input_key("confirm")
        .elicit_with_schema("Please confirm", ask_schema("ok", "boolean"))
        .await;
    Ok(format!("state-ok: confirmed={}", answer(ok, "ok")?))
}

/// Asks for three inputs in one round: elicitation, sampling and roots
#[tool]
async fn test_input_required_result_multiple_inputs(ctx: Context) -> Result<String, String> {
    let name_ctx = ctx.with_input_key("user_name");
    let greeting_ctx = ctx.with_input_key("greeting");
    let roots_ctx = ctx.with_input_key("client_roots");
    let (name, greeting, roots) = tokio::join!(
        name_ctx.elicit_with_schema("What is your name?", ask_schema("name", "string")),
        greeting_ctx.sample(SampleRequest::new("Generate a greeting").max_tokens(50)),
        roots_ctx.list_roots(),
    );
    let greeting = greeting.map_err(|e| e.to_string())?.text;
    let roots = roots.map_err(|e| e.to_string())?.len();
    Ok(format!(
        "name={}, greeting={greeting}, roots={roots}",
        answer(name, "name")?
    ))
}

/// Two input rounds in a row
#[tool]
async fn test_input_required_result_multi_round(ctx: Context) -> Result<String, String> {
    let name = ctx
        .with_input_key("step1")
        .elicit_with_schema("Step 1: What is your name?", ask_schema("name", "string"))
        .await;
    let name = answer(name, "name")?;
    let color = ctx
        .with_input_key("step2")
        .elicit_with_schema(
            "Step 2: What is your favorite color?",
            ask_schema("color", "string"),
        )
        .await;
    Ok(format!("{name} likes {}", answer(color, "color")?))
}

/// An input round whose sealed state a client must not be able to alter
#[tool]
async fn test_input_required_result_tampered_state(ctx: Context) -> Result<String, String> {
    let ok = ctx
        .with_input_key("confirm")
        .elicit_with_schema("Please confirm", ask_schema("ok", "boolean"))
        .await;
    Ok(format!("confirmed={}", answer(ok, "ok")?))
}

/// Asks only for what the client declared it can do
#[tool]
async fn test_input_required_result_capabilities(ctx: Context) -> Result<String, String> {
    let capabilities = ctx.client_capabilities().unwrap_or_default();
    if capabilities.elicitation.is_some() {
        let name = ctx
            .with_input_key("user_name")
            .elicit_with_schema("What is your name?", ask_schema("name", "string"))
            .await;
        return Ok(format!("elicited: {}", answer(name, "name")?));
    }
    if capabilities.sampling.is_some() {
        let reply = ctx
            .with_input_key("greeting")
            .sample("Generate a greeting")
            .await
            .map_err(|e| e.to_string())?;
        return Ok(format!("sampled: {}", reply.text));
    }
    Ok("the client declared neither elicitation nor sampling".into())
}

/// Needs sampling; without the capability the request fails with -32021
#[tool]
async fn test_missing_capability(ctx: Context) -> Result<String, String> {
    let reply = ctx.sample("Say hello").await.map_err(|e| e.to_string())?;
    Ok(reply.text)
}

/// Elicits on 2026-07-28 (which must end the request with an input round, never a request on the stream)
#[tool]
async fn test_streaming_elicitation(ctx: Context) -> Result<String, String> {
    let name = ctx
        .elicit_with_schema("What is your name?", ask_schema("name", "string"))
        .await;
    answer(name, "name")
}

/// Logs one message (sent only when the request asked for logs)
#[tool]
async fn test_logging_tool(ctx: Context) -> ToolResult {
    ctx.info("test_logging_tool ran").await;
    ToolResult::text("logged")
}

/// Adds or removes a tool, so clients see tools/list_changed
#[tool]
fn test_trigger_tool_change(ctx: &Context) -> ToolResult {
    let server = ctx.server();
    if !server.remove_tool("test_dynamic_tool") {
        let dynamic = Tool::builder("test_dynamic_tool")
            .description("A tool that comes and goes")
            .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("dynamic")) });
        let _ = server.add_tool(dynamic);
    }
    ToolResult::text("tool list changed")
}

/// Adds or removes a prompt, so clients see prompts/list_changed
#[tool]
fn test_trigger_prompt_change(ctx: &Context) -> ToolResult {
    let server = ctx.server();
    if !server.remove_prompt("test_dynamic_prompt") {
        let dynamic = fastmcp::Prompt::builder("test_dynamic_prompt")
            .description("A prompt that comes and goes")
            .handler(|_, _ctx| async { Ok::<_, String>("dynamic") });
        let _ = server.add_prompt(dynamic);
    }
    ToolResult::text("prompt list changed")
}

/// A prompt that needs an input round before it can render
#[prompt]
async fn test_input_required_result_prompt(ctx: Context) -> Result<String, String> {
    let context = ctx
        .with_input_key("user_context")
        .elicit_with_schema(
            "What context should the prompt use?",
            ask_schema("context", "string"),
        )
        .await;
    Ok(format!("Use this context: {}", answer(context, "context")?))
}

/// A tool whose `region` argument is mirrored into the `Mcp-Param-Region` HTTP header (SEP-2243);
/// the server checks header and body agree.
fn test_custom_headers() -> Tool {
    Tool::builder("test_custom_headers")
        .description(
            "Echoes a region that clients also send as the Mcp-Param-Region header (SEP-2243)",
        )
        .input_schema(json!({
            "type": "object",
            "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
            "required": ["region"]
        }))
        .handler(|arguments, _ctx: Context| async move {
            let region = arguments
                .get("region")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Ok::<_, String>(ToolResult::text(format!("region={region}")))
        })
}

/// A simple prompt without arguments
#[prompt(title = "Simple Test Prompt")]
fn test_simple_prompt() -> String {
    "This is a simple prompt for testing.".into()
}

/// A prompt with required arguments
#[prompt(title = "Prompt With Arguments")]
fn test_prompt_with_arguments(
    #[arg(description = "First test argument")] arg1: String,
    #[arg(description = "Second test argument")] arg2: String,
) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

/// A prompt that includes an embedded resource
#[prompt(title = "Prompt With Embedded Resource")]
#[allow(non_snake_case)] // the conformance suite names the argument `resourceUri`
fn test_prompt_with_embedded_resource(
    #[arg(description = "URI of the resource to embed")] resourceUri: String,
) -> Vec<fastmcp::types::PromptMessage> {
    vec![
        Message::user_resource(
            resourceUri,
            "text/plain",
            "Embedded resource content for testing.",
        ),
        Message::user("Please process the embedded resource above."),
    ]
}

/// A prompt that includes image content
#[prompt(title = "Prompt With Image")]
fn test_prompt_with_image() -> Vec<fastmcp::types::PromptMessage> {
    vec![
        Message::with_content(
            Role::User,
            fastmcp::types::ContentBlock::image(PNG, "image/png"),
        ),
        Message::user("Please analyze the image above."),
    ]
}

// Tasks (SEP-2663): the fixtures the conformance suite's `tasks-*` scenarios call.

/// Greets by name; always answered directly
#[tool]
fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

/// Sleeps for `seconds`, then answers; runs as a task for clients that declare tasks
#[tool(task = TaskSupport::Optional)]
async fn slow_compute(seconds: f64, #[arg(default)] label: String) -> String {
    tokio::time::sleep(Duration::from_secs_f64(seconds.clamp(0.0, 600.0))).await;
    format!("computed {label} after {seconds}s")
}

/// Fails with a tool error after a second; only runs as a task
#[tool(task = TaskSupport::Required)]
async fn failing_job() -> Result<String, String> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    Err("failing_job failed, as it always does".into())
}

/// Fails with a protocol error (a panic), as a task
#[tool(task = TaskSupport::Optional)]
async fn protocol_error_job() -> String {
    panic!("protocol_error_job crashed on purpose")
}

/// Asks the user to confirm deleting `filename`, then answers
#[tool(task = TaskSupport::Optional)]
async fn confirm_delete(ctx: Context, filename: String) -> Result<String, String> {
    let confirmed = ctx
        .elicit_with_schema(
            format!("Delete {filename}?"),
            ask_schema("confirm", "boolean"),
        )
        .await;
    Ok(format!(
        "delete {filename}: confirm={}",
        answer(confirmed, "confirm")?
    ))
}

/// Asks two questions at once, then answers with both
#[tool(task = TaskSupport::Optional)]
async fn multi_input(ctx: Context) -> Result<String, String> {
    let (first, second) = tokio::join!(
        ctx.elicit_with_schema("First name?", ask_schema("name", "string")),
        ctx.elicit_with_schema("Second name?", ask_schema("name", "string")),
    );
    Ok(format!(
        "first={}, second={}",
        answer(first, "name")?,
        answer(second, "name")?
    ))
}

/// Asks for a name in an input round, then continues as a task that greets it
#[tool(task = TaskSupport::Required, task_start = TaskStart::WhenAsked)]
async fn test_tool_with_task(ctx: Context) -> Result<String, String> {
    let name = ctx
        .with_input_key("user_name")
        .elicit_with_schema("What is your name?", ask_schema("name", "string"))
        .await;
    let name = answer(name, "name")?;
    ctx.start_task().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(format!("Hello, {name}! (finished as a task)"))
}

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
                .description("A resource that auto-updates every 3 seconds")
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
