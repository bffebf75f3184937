//! 2026-07-28: input rounds (InputRequiredResult), capabilities, list-change notifications.

use fastmcp::server::{Elicitation, SampleRequest};
use fastmcp::{Context, Tool, ToolResult, prompt, tool};
use serde_json::{Value, json};

pub(crate) fn ask_schema(field: &str, kind: &str) -> Value {
    json!({"type": "object", "properties": {field: {"type": kind}}, "required": [field]})
}

pub(crate) fn answer(
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
pub(crate) async fn test_input_required_result_elicitation(ctx: Context) -> Result<String, String> {
    let name = ctx
        .with_input_key("user_name")
        .elicit_with_schema("What is your name?", ask_schema("name", "string"))
        .await;
    Ok(format!("Hello, {}!", answer(name, "name")?))
}

/// Asks the client's model a question through an input round
#[tool]
pub(crate) async fn test_input_required_result_sampling(ctx: Context) -> Result<String, String> {
    let reply = ctx
        .with_input_key("capital_question")
        .sample(SampleRequest::new("What is the capital of France?").max_tokens(100))
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("Sampling response: {}", reply.text))
}

/// Asks for the client's roots through an input round
#[tool]
pub(crate) async fn test_input_required_result_list_roots(ctx: Context) -> Result<String, String> {
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
pub(crate) async fn test_input_required_result_request_state(
    ctx: Context,
) -> Result<String, String> {
    let ok = ctx
        .with_input_key("confirm")
        .elicit_with_schema("Please confirm", ask_schema("ok", "boolean"))
        .await;
    Ok(format!("state-ok: confirmed={}", answer(ok, "ok")?))
}

/// Asks for three inputs in one round: elicitation, sampling and roots
#[tool]
pub(crate) async fn test_input_required_result_multiple_inputs(
    ctx: Context,
) -> Result<String, String> {
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
pub(crate) async fn test_input_required_result_multi_round(ctx: Context) -> Result<String, String> {
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
pub(crate) async fn test_input_required_result_tampered_state(
    ctx: Context,
) -> Result<String, String> {
    let ok = ctx
        .with_input_key("confirm")
        .elicit_with_schema("Please confirm", ask_schema("ok", "boolean"))
        .await;
    Ok(format!("confirmed={}", answer(ok, "ok")?))
}

/// Asks only for what the client declared it can do
#[tool]
pub(crate) async fn test_input_required_result_capabilities(
    ctx: Context,
) -> Result<String, String> {
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
pub(crate) async fn test_missing_capability(ctx: Context) -> Result<String, String> {
    let reply = ctx.sample("Say hello").await.map_err(|e| e.to_string())?;
    Ok(reply.text)
}

/// Elicits on 2026-07-28 (which must end the request with an input round, never a request on the stream)
#[tool]
pub(crate) async fn test_streaming_elicitation(ctx: Context) -> Result<String, String> {
    let name = ctx
        .elicit_with_schema("What is your name?", ask_schema("name", "string"))
        .await;
    answer(name, "name")
}

/// Logs one message (sent only when the request asked for logs)
#[tool]
pub(crate) async fn test_logging_tool(ctx: Context) -> ToolResult {
    ctx.info("test_logging_tool ran").await;
    ToolResult::text("logged")
}

/// Adds or removes a tool, so clients see tools/list_changed
#[tool]
pub(crate) fn test_trigger_tool_change(ctx: &Context) -> ToolResult {
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
pub(crate) fn test_trigger_prompt_change(ctx: &Context) -> ToolResult {
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
pub(crate) async fn test_input_required_result_prompt(ctx: Context) -> Result<String, String> {
    let context = ctx
        .with_input_key("user_context")
        .elicit_with_schema(
            "What context should the prompt use?",
            ask_schema("context", "string"),
        )
        .await;
    Ok(format!("Use this context: {}", answer(context, "context")?))
}
