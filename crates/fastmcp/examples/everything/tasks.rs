//! Tasks (SEP-2663): the fixtures the conformance suite's `tasks-*` scenarios call.

use std::time::Duration;

use fastmcp::tools::{TaskStart, TaskSupport};
use fastmcp::{Context, tool};

use super::input::{answer, ask_schema};

/// Greets by name; always answered directly
#[tool]
pub(crate) fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

/// Sleeps for `seconds`, then answers; runs as a task for clients that declare tasks
#[tool(task = TaskSupport::Optional)]
pub(crate) async fn slow_compute(seconds: f64, #[arg(default)] label: String) -> String {
    tokio::time::sleep(Duration::from_secs_f64(seconds.clamp(0.0, 600.0))).await;
    format!("computed {label} after {seconds}s")
}

/// Fails with a tool error after a second; only runs as a task
#[tool(task = TaskSupport::Required)]
pub(crate) async fn failing_job() -> Result<String, String> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    Err("failing_job failed, as it always does".into())
}

/// Fails with a protocol error (a panic), as a task
#[tool(task = TaskSupport::Optional)]
pub(crate) async fn protocol_error_job() -> String {
    panic!("protocol_error_job crashed on purpose")
}

/// Asks the user to confirm deleting `filename`, then answers
#[tool(task = TaskSupport::Optional)]
pub(crate) async fn confirm_delete(ctx: Context, filename: String) -> Result<String, String> {
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
pub(crate) async fn multi_input(ctx: Context) -> Result<String, String> {
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
pub(crate) async fn test_tool_with_task(ctx: Context) -> Result<String, String> {
    let name = ctx
        .with_input_key("user_name")
        .elicit_with_schema("What is your name?", ask_schema("name", "string"))
        .await;
    let name = answer(name, "name")?;
    ctx.start_task().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(format!("Hello, {name}! (finished as a task)"))
}
