//! [`Ping`]: keep-alive pings on long-lived sessions.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp::model::ServerRequest;

use super::{AnyMessage, Hook, Message, Middleware, MiddlewareContext, Next};

/// Pings each legacy session's client every `interval` while the session lives, so proxies
/// and load balancers do not close an idle connection (and a dead client is noticed). The
/// pings start with the session's first message and stop when a ping fails (the client is
/// gone). 2026-07-28 requests have no session to keep alive and get none.
///
/// ```
/// use std::time::Duration;
/// let server = fastmcp::FastMCP::new("demo")
///     .middleware(fastmcp::middleware::Ping::new(Duration::from_secs(30)));
/// # drop(server);
/// ```
#[derive(Debug)]
pub struct Ping {
    interval: Duration,
    /// Sessions being pinged.
    sessions: Arc<Mutex<HashSet<String>>>,
}

impl Ping {
    /// A ping every `interval` (at least one millisecond).
    pub fn new(interval: Duration) -> Self {
        Self {
            interval: interval.max(Duration::from_millis(1)),
            sessions: Arc::default(),
        }
    }

    fn start(&self, cx: &MiddlewareContext<'_>) {
        if cx.is_stateless() {
            return;
        }
        let id = cx.session_id().to_owned();
        let newly = self
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.clone());
        if !newly {
            return;
        }
        let peer = cx.peer().clone();
        let sessions = Arc::clone(&self.sessions);
        let interval = self.interval;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                let ping = ServerRequest::PingRequest(Default::default());
                if let Err(error) = peer.send_request(ping).await {
                    tracing::debug!(%error, "keep-alive ping failed; stopping");
                    break;
                }
            }
            sessions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
        });
    }
}

impl Middleware for Ping {
    fn on_message<'a>(
        &'a self,
        message: Message,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyMessage>,
    ) -> Hook<'a, AnyMessage> {
        // `notifications/initialized` first: the session is ready for requests from here.
        if !matches!(
            message,
            Message::Request(rmcp::model::ClientRequest::InitializeRequest(_))
        ) {
            self.start(cx);
        }
        next.pass(message)
    }
}
