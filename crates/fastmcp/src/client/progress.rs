//! Client-side progress: the default handler, handler types, and routing by progress token.
//!
//! Every request made with a progress handler carries a unique `_meta.progressToken`. Routing
//! happens in the transport, in message order: a request's route is registered before the
//! request is written (so a notification that races ahead of the caller still has somewhere to
//! go), and it is removed the moment the response is read (so nothing is delivered after the
//! result). The caller then runs its handler over every event that arrived before the response.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::{Arc, Mutex, PoisonError};

use super::queue::ProgressSender;
use futures::future::BoxFuture;
use rmcp::RoleClient;
use rmcp::model::{
    ClientJsonRpcMessage, GetExtensions, GetMeta, JsonRpcMessage, ProgressToken, RequestId,
    ServerJsonRpcMessage, ServerNotification,
};
use rmcp::transport::Transport;

/// One progress notification, as a handler or stream sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressEvent {
    /// Progress so far; increases with every event.
    pub progress: f64,
    /// The value that means done, if the server knows it.
    pub total: Option<f64>,
    /// A human-readable status, if any.
    pub message: Option<String>,
}

/// Logs progress at DEBUG (target `fastmcp::client::progress`); the client's default handler.
///
/// The line is `Progress: {progress}/{total} ({percent:.1}%)` when the total is known and not
/// zero, `Progress: {progress}/{total}` when it is zero, `Progress: {progress}` without a
/// total, and ` - {message}` is appended for a non-empty message.
///
/// ```
/// fastmcp::client::progress::default_progress_handler(1.0, Some(4.0), Some("warming up"));
/// // logs "Progress: 1/4 (25.0%) - warming up"
/// ```
pub fn default_progress_handler(progress: f64, total: Option<f64>, message: Option<&str>) {
    tracing::debug!(target: "fastmcp::client::progress", "{}", progress_line(progress, total, message));
}

fn progress_line(progress: f64, total: Option<f64>, message: Option<&str>) -> String {
    let mut line = match total {
        Some(total) if total != 0.0 => {
            format!(
                "Progress: {progress}/{total} ({:.1}%)",
                progress / total * 100.0
            )
        }
        Some(total) => format!("Progress: {progress}/{total}"),
        None => format!("Progress: {progress}"),
    };
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        line.push_str(" - ");
        line.push_str(message);
    }
    line
}

/// Receives progress for a request. Implemented by async closures
/// `|progress: f64, total: Option<f64>, message: Option<String>| async { … }` returning `()`
/// or `Result<(), E>`; an error or a panic is logged and never breaks the call or the session.
pub trait ProgressHandler: Send + Sync + 'static {
    /// Handles one event.
    fn on_progress(&self, event: ProgressEvent) -> BoxFuture<'static, Result<(), String>>;
}

/// What a progress handler may return: `()` or `Result<(), E: Display>`.
pub trait HandlerOutcome {
    /// `Err` carries the message to log.
    fn into_outcome(self) -> Result<(), String>;
}

impl HandlerOutcome for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Display> HandlerOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|error| error.to_string())
    }
}

impl<F, Fut> ProgressHandler for F
where
    F: Fn(f64, Option<f64>, Option<String>) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutcome,
{
    fn on_progress(&self, event: ProgressEvent) -> BoxFuture<'static, Result<(), String>> {
        let future = self(event.progress, event.total, event.message);
        Box::pin(async move { future.await.into_outcome() })
    }
}

/// A shareable progress handler.
pub type SharedProgressHandler = Arc<dyn ProgressHandler>;

/// The client-wide default: [`default_progress_handler`].
pub(crate) fn default_handler() -> SharedProgressHandler {
    Arc::new(|progress, total, message: Option<String>| async move {
        default_progress_handler(progress, total, message.as_deref());
    })
}

/// Runs `handler` on `event`, containing errors and panics.
pub(crate) async fn deliver(handler: &dyn ProgressHandler, event: ProgressEvent) {
    use futures::FutureExt as _;
    let outcome = std::panic::AssertUnwindSafe(handler.on_progress(event))
        .catch_unwind()
        .await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "progress handler failed"),
        Err(_) => tracing::error!("progress handler panicked; the call continues"),
    }
}

/// Marker placed in an outgoing request's extensions: route this request's progress here.
#[derive(Clone)]
pub(crate) struct ProgressRoute(pub(crate) ProgressSender);

/// Live routes, keyed by progress token, plus which token belongs to which request id.
#[derive(Default)]
pub(crate) struct ProgressRouter {
    routes: Mutex<Routes>,
}

#[derive(Default)]
struct Routes {
    by_token: HashMap<ProgressToken, ProgressSender>,
    token_of: HashMap<RequestId, ProgressToken>,
}

impl ProgressRouter {
    fn routes(&self) -> std::sync::MutexGuard<'_, Routes> {
        self.routes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn register(&self, id: RequestId, token: ProgressToken, route: ProgressRoute) {
        let mut routes = self.routes();
        routes.by_token.insert(token.clone(), route.0);
        routes.token_of.insert(id, token);
    }

    /// Drops the route of the request with this id (its response has arrived).
    pub(crate) fn close(&self, id: &RequestId) {
        let mut routes = self.routes();
        if let Some(token) = routes.token_of.remove(id) {
            routes.by_token.remove(&token);
        }
    }

    fn route(&self, param: rmcp::model::ProgressNotificationParam) {
        let routes = self.routes();
        match routes.by_token.get(&param.progress_token) {
            Some(sender) => {
                sender.send(ProgressEvent {
                    progress: param.progress,
                    total: param.total,
                    message: param.message,
                });
            }
            None => {
                tracing::debug!(token = ?param.progress_token, "dropping progress for a request that is not in flight")
            }
        }
    }
}

/// Wraps a client transport to route progress notifications by token (see the module docs)
/// and deliver log messages and the message handler's notifications in order.
pub(crate) struct Routed<T> {
    pub(crate) inner: T,
    pub(crate) router: Arc<ProgressRouter>,
    /// Log messages and the message handler's notifications are delivered from here, in
    /// order (see `client/delivery.rs`).
    pub(crate) delivery: super::delivery::Delivery,
}

impl<T: Transport<RoleClient> + 'static> Transport<RoleClient> for Routed<T> {
    type Error = T::Error;

    fn send(
        &mut self,
        item: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        if let JsonRpcMessage::Request(request) = &item
            && let Some(route) = request.request.extensions().get::<ProgressRoute>()
            && let Some(token) = request.request.get_meta().get_progress_token()
        {
            self.router
                .register(request.id.clone(), token, route.clone());
        }
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<ServerJsonRpcMessage> {
        loop {
            let message = self.inner.receive().await?;
            match message {
                JsonRpcMessage::Notification(notification) => match notification.notification {
                    ServerNotification::ProgressNotification(progress) => {
                        self.router.route(progress.params);
                    }
                    ServerNotification::LoggingMessageNotification(log) => {
                        self.delivery.log(log.params);
                    }
                    other => {
                        // rmcp still sees it: it invalidates cached lists and feeds
                        // subscriptions.
                        self.delivery.message(&other);
                        return Some(JsonRpcMessage::notification(other));
                    }
                },
                JsonRpcMessage::Response(ref response) => {
                    self.router.close(&response.id);
                    return Some(message);
                }
                JsonRpcMessage::Error(ref error) => {
                    if let Some(id) = &error.id {
                        self.router.close(id);
                    }
                    return Some(message);
                }
                JsonRpcMessage::Request(_) => return Some(message),
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.inner.close().await
    }
}

#[cfg(test)]
mod tests {
    use super::progress_line;

    #[test]
    fn formats_like_python_fastmcp() {
        assert_eq!(
            progress_line(1.0, Some(4.0), Some("warm")),
            "Progress: 1/4 (25.0%) - warm"
        );
        assert_eq!(progress_line(2.5, Some(0.0), None), "Progress: 2.5/0");
        assert_eq!(progress_line(3.0, None, Some("")), "Progress: 3");
        assert_eq!(progress_line(1.0, Some(3.0), None), "Progress: 1/3 (33.3%)");
    }
}
