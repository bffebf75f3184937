//! [`Timing`]: how long each request takes, per method.

use std::time::Instant;

use rmcp::model::ClientRequest;
use tracing::Instrument as _;

use super::{AnyRequest, Hook, Middleware, MiddlewareContext, Next};

/// Logs how long each request took (`tracing` at INFO, target `fastmcp::timing`), and runs
/// the request in an `mcp.request` span whose `duration_us` field is set when it ends.
///
/// ```
/// let server = fastmcp::FastMCP::new("demo").middleware(fastmcp::middleware::Timing::new());
/// # drop(server);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Timing {
    _private: (),
}

impl Timing {
    /// Timing for every request.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Middleware for Timing {
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        let span = tracing::info_span!(
            target: "fastmcp::timing",
            "mcp.request",
            method = cx.method(),
            duration_us = tracing::field::Empty,
        );
        Hook::new(
            async move {
                let started = Instant::now();
                let answer = next.run(request).await;
                let elapsed = started.elapsed();
                let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
                tracing::Span::current().record("duration_us", micros);
                tracing::info!(
                    target: "fastmcp::timing",
                    method = cx.method(),
                    duration_us = micros,
                    ok = answer.is_ok(),
                    "{} took {:.3} ms",
                    cx.method(),
                    elapsed.as_secs_f64() * 1000.0,
                );
                answer
            }
            .instrument(span),
        )
    }
}
