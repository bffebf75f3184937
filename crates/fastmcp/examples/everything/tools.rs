//! Tools returning each kind of content, logging, progress, errors, sampling and elicitation (legacy sessions), and raw JSON Schema.

use std::time::Duration;

use fastmcp::server::{Elicitation, SampleRequest};
use fastmcp::{Context, Tool, ToolResult, tool};
use serde_json::{Value, json};

/// A 1×1 red PNG.
pub(crate) const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A minimal WAV file.
pub(crate) const WAV: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

pub(crate) fn decode(base64: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap_or_default()
}

/// Tests simple text content response
#[tool]
pub(crate) fn test_simple_text() -> ToolResult {
    ToolResult::text("This is a simple text response for testing.")
}

/// Tests image content response
#[tool]
pub(crate) fn test_image_content() -> ToolResult {
    ToolResult::new().with_image(decode(PNG), "image/png")
}

/// Tests audio content response
#[tool]
pub(crate) fn test_audio_content() -> ToolResult {
    ToolResult::new().with_audio(decode(WAV), "audio/wav")
}

/// Tests embedded resource content response
#[tool]
pub(crate) fn test_embedded_resource() -> ToolResult {
    ToolResult::new().with_embedded_text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    )
}

/// Tests response with multiple content types (text, image, resource)
#[tool]
pub(crate) fn test_multiple_content_types() -> ToolResult {
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
pub(crate) async fn test_tool_with_logging(ctx: Context) -> ToolResult {
    ctx.info("Tool execution started").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctx.info("Tool processing data").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctx.info("Tool execution completed").await;
    ToolResult::text("Tool with logging executed successfully")
}

/// Tests tool that reports progress notifications
#[tool]
pub(crate) async fn test_tool_with_progress(ctx: Context) -> ToolResult {
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
pub(crate) fn test_error_handling() -> Result<String, String> {
    Err("This tool intentionally returns an error for testing".into())
}

/// Tests SSE stream disconnection and client reconnection (SEP-1699)
#[tool]
pub(crate) async fn test_reconnection() -> ToolResult {
    tokio::time::sleep(Duration::from_millis(100)).await;
    ToolResult::text(
        "Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.",
    )
}

/// Tests server-initiated sampling (LLM completion request)
#[tool]
pub(crate) async fn test_sampling(
    ctx: Context,
    #[arg(description = "The prompt to send to the LLM")] prompt: String,
) -> ToolResult {
    match ctx.sample(SampleRequest::new(prompt).max_tokens(100)).await {
        Ok(reply) => ToolResult::text(format!("LLM response: {}", reply.text)),
        Err(error) => ToolResult::text(format!("Sampling not supported or error: {error}")),
    }
}

pub(crate) fn describe(
    answer: Result<Elicitation<Value>, fastmcp::Error>,
    prefix: &str,
) -> ToolResult {
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
pub(crate) async fn test_elicitation(
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
pub(crate) async fn test_elicitation_sep1034_defaults(ctx: Context) -> ToolResult {
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
pub(crate) async fn test_elicitation_sep1330_enums(ctx: Context) -> ToolResult {
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
pub(crate) fn json_schema_2020_12_tool() -> Tool {
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

/// A tool whose `region` argument is mirrored into the `Mcp-Param-Region` HTTP header (SEP-2243);
/// the server checks header and body agree.
pub(crate) fn test_custom_headers() -> Tool {
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

/// Echoes `text` back. Needs the `admin` scope when the server checks tokens
/// (`--auth-jwks-uri …`); without auth anyone may call it.
#[tool(scopes = ["admin"])]
pub fn admin_echo(text: String) -> String {
    text
}

/// Tells the clients subscribed to test://watched-resource that it changed
#[tool]
pub(crate) fn test_touch_watched_resource(ctx: &Context) -> ToolResult {
    ctx.server()
        .notify_resource_updated("test://watched-resource");
    ToolResult::text("test://watched-resource updated")
}
