//! [`ErrorHandling`]: internal errors logged in full, and (optionally) masked for clients.

use rmcp::model::{ClientRequest, ErrorCode, ErrorData};

use super::{AnyRequest, Hook, Middleware, MiddlewareContext, Next};

tokio::task_local! {
    /// Set while a request runs under masking `ErrorHandling`: tool panics and tool errors
    /// that were not raised on purpose (as [`ToolError`](crate::ToolError)) are masked where
    /// they happen, since by the time the result reaches the middleware it is only text.
    static MASKING: ();
}

/// Logs every failed request (`tracing` at ERROR, target `fastmcp::errors`) with an error id,
/// and with [`mask_error_details`](Self::mask_error_details) sends clients a generic message
/// with that id in place of internal details: JSON-RPC internal errors, tool panics, and tool
/// errors from any error type other than [`ToolError`](crate::ToolError) (a `ToolError` is
/// raised on purpose and still shows).
///
/// ```
/// use fastmcp::middleware::ErrorHandling;
/// let server = fastmcp::FastMCP::new("demo").middleware(ErrorHandling::new().mask_error_details(true));
/// # drop(server);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ErrorHandling {
    mask: bool,
}

impl ErrorHandling {
    /// Logging of failures, details sent to clients.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether clients get a generic message (with an id to find the details in the log)
    /// instead of internal error details. Default: off.
    pub fn mask_error_details(mut self, mask: bool) -> Self {
        self.mask = mask;
        self
    }
}

impl Middleware for ErrorHandling {
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        Hook::new(async move {
            let answer = if self.mask {
                MASKING.scope((), next.run(request)).await
            } else {
                next.run(request).await
            };
            answer.map_err(|error| {
                let id = error_id();
                tracing::error!(
                    target: "fastmcp::errors",
                    method = cx.method(),
                    error_id = %id,
                    code = error.code.0,
                    error = %error.message,
                    "request failed"
                );
                if self.mask && error.code == ErrorCode::INTERNAL_ERROR {
                    masked_error(&id)
                } else {
                    error
                }
            })
        })
    }
}

/// The message a masked internal error shows.
fn masked_message(id: &str) -> String {
    format!("Internal error (error id {id}); the server's log has the details")
}

fn masked_error(id: &str) -> ErrorData {
    ErrorData::internal_error(masked_message(id), None)
}

/// A short random id tying a masked message to its log line.
fn error_id() -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        bytes[..4].copy_from_slice(&nanos.to_le_bytes());
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The message a client sees for an internal tool failure: `detail` unless a masking
/// `ErrorHandling` runs around the call, else a generic message (the detail logged).
pub(crate) fn tool_failure(tool: &str, detail: String) -> String {
    if MASKING.try_with(|()| ()).is_err() {
        return detail;
    }
    let id = error_id();
    tracing::error!(target: "fastmcp::errors", tool, error_id = %id, error = %detail, "tool failed");
    masked_message(&id)
}
