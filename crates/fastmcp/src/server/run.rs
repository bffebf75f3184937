//! Running a tool: its timeout, and its errors and panics turned into results.

use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use rmcp::model::{CallToolResult, ContentBlock, ErrorCode};

use super::context::Context;
use crate::middleware::tool_failure;
use crate::tools::Tool;

/// JSON-RPC code for a request the client cancelled (used by several SDKs).
pub(crate) const REQUEST_CANCELLED: ErrorCode = ErrorCode(-32800);

/// Runs the tool with its timeout; errors and timeouts become `isError` results, a panic
/// `Err` with a message saying so.
pub(super) async fn invoke(
    tool: &Tool,
    arguments: rmcp::model::JsonObject,
    ctx: Context,
) -> Result<CallToolResult, String> {
    let call = AssertUnwindSafe(tool.handler().call(arguments, ctx)).catch_unwind();
    let outcome = match tool.timeout() {
        Some(limit) => match tokio::time::timeout(limit, call).await {
            Ok(outcome) => outcome,
            Err(_) => {
                return Ok(error_result(format!(
                    "Tool '{}' timed out after {limit:?}",
                    tool.name()
                )));
            }
        },
        None => call.await,
    };
    match outcome {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(error)) if error.is_internal() => {
            let message = error.message().to_owned();
            Ok(error_result(tool_failure(tool.name(), message)))
        }
        Ok(Err(error)) => Ok(error_result(error.message().to_owned())),
        Err(panic) => {
            let reason = panic_message(panic.as_ref());
            tracing::error!(tool = tool.name(), %reason, "tool panicked");
            let detail = format!("Tool '{}' failed unexpectedly: {reason}", tool.name());
            Err(tool_failure(tool.name(), detail))
        }
    }
}

pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

pub(super) fn error_result(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}
