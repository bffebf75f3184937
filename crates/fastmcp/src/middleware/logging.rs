//! [`Logging`]: every message, structured, through `tracing`.

use rmcp::model::ErrorData;

use super::{AnyMessage, Hook, Message, Middleware, MiddlewareContext, Next};

/// Logs every message the server receives and how it ended (`tracing`, target
/// `fastmcp::middleware`): the method, session and outcome at INFO (failures at WARN); the
/// payloads too when [`include_payloads`](Self::include_payloads) is on, cut to
/// [`max_payload_len`](Self::max_payload_len) bytes.
///
/// ```
/// use fastmcp::middleware::Logging;
/// let server = fastmcp::FastMCP::new("demo").middleware(Logging::new().include_payloads(true));
/// # drop(server);
/// ```
#[derive(Debug, Clone)]
pub struct Logging {
    payloads: bool,
    max_payload_len: usize,
}

impl Default for Logging {
    fn default() -> Self {
        Self {
            payloads: false,
            max_payload_len: 1_000,
        }
    }
}

impl Logging {
    /// Logging of methods and outcomes, without payloads.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also log each message and result as JSON (off by default: payloads may hold secrets).
    pub fn include_payloads(mut self, on: bool) -> Self {
        self.payloads = on;
        self
    }

    /// The most bytes of a payload logged (default 1,000); longer ones end with `…`.
    pub fn max_payload_len(mut self, bytes: usize) -> Self {
        self.max_payload_len = bytes;
        self
    }

    fn payload(&self, value: &impl serde::Serialize) -> String {
        let mut text = serde_json::to_string(value).unwrap_or_default();
        if text.len() > self.max_payload_len {
            let mut end = self.max_payload_len;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push('…');
        }
        text
    }
}

impl Middleware for Logging {
    fn on_message<'a>(
        &'a self,
        message: Message,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyMessage>,
    ) -> Hook<'a, AnyMessage> {
        let method = cx.method();
        let session = cx.session_id();
        if self.payloads {
            let payload = match &message {
                Message::Request(request) => self.payload(request),
                Message::Notification(notification) => self.payload(notification),
            };
            tracing::info!(target: "fastmcp::middleware", method, session, payload, "received {method}");
        } else {
            tracing::info!(target: "fastmcp::middleware", method, session, "received {method}");
        }
        Hook::new(async move {
            let answer = next.run(message).await;
            match &answer {
                Ok(result) if self.payloads => {
                    let payload = self.payload(result);
                    tracing::info!(target: "fastmcp::middleware", method, payload, "{method} done");
                }
                Ok(_) => tracing::info!(target: "fastmcp::middleware", method, "{method} done"),
                Err(ErrorData { code, message, .. }) => tracing::warn!(
                    target: "fastmcp::middleware",
                    method,
                    code = code.0,
                    error = %message,
                    "{method} failed"
                ),
            }
            answer
        })
    }
}
