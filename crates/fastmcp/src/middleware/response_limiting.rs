//! [`ResponseLimiting`]: tool results cut to a size.

use rmcp::model::{CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock};

use super::{CallTool, Hook, Middleware, MiddlewareContext, Next};

/// Cuts tool results larger than a limit: the text of the result (its serialized size counted)
/// is truncated and ends with a marker saying so; structured content and non-text blocks of an
/// oversize result are dropped (the text keeps what fits).
///
/// ```
/// use fastmcp::middleware::ResponseLimiting;
/// let server = fastmcp::FastMCP::new("demo").middleware(ResponseLimiting::new(64 * 1024));
/// # drop(server);
/// ```
#[derive(Debug, Clone)]
pub struct ResponseLimiting {
    max_bytes: usize,
    marker: String,
}

impl ResponseLimiting {
    /// Results of at most `max_bytes` (serialized) pass untouched.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            marker: "\n[truncated: the result was larger than the server's limit]".to_owned(),
        }
    }

    /// The text appended to a truncated result.
    pub fn marker(mut self, marker: impl Into<String>) -> Self {
        self.marker = marker.into();
        self
    }

    fn limit(&self, result: CallToolResult) -> CallToolResult {
        let size = serde_json::to_vec(&result).map_or(0, |bytes| bytes.len());
        if size <= self.max_bytes {
            return result;
        }
        let mut text = String::new();
        for block in &result.content {
            if let Some(part) = block.as_text() {
                text.push_str(&part.text);
            }
        }
        let budget = self.max_bytes.saturating_sub(self.marker.len());
        let mut end = budget.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(&self.marker);
        let mut limited = CallToolResult::success(vec![ContentBlock::text(text)]);
        limited.is_error = result.is_error;
        limited
    }
}

impl Middleware for ResponseLimiting {
    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        next.map(request, move |answer| match answer {
            CallToolResponse::Complete(result) => CallToolResponse::Complete(self.limit(result)),
            other => other,
        })
    }
}
