//! Server notifications for the client's handlers — log messages (`notifications/message`)
//! and the ones the message handler sees (list changes, resource updates, custom) — delivered
//! in the order they arrived.
//!
//! rmcp hands each notification to the client handler in a task of its own, so two of them can
//! reach a handler out of order. FastMCP takes them off the transport itself (in
//! [`Routed`](super::progress::Routed)): the default log handler (onto `tracing`) runs right
//! there, before anything that arrived later is looked at; a handler of yours runs in one task
//! of its own, one notification at a time, in arrival order.

use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use rmcp::model::{GetMeta as _, LoggingMessageNotificationParam, ServerNotification};
use tokio::sync::mpsc;

use super::handler::{Handler, LogMessage, log_server_message};

/// Notifications waiting for a slow handler; past this, new ones are dropped with a warning
/// rather than holding up the connection or growing without bound.
const QUEUE: usize = 1024;

/// Where the connection's notifications go.
#[derive(Clone)]
pub(crate) struct Delivery {
    /// Log messages: `None` for [`log_server_message`], inline.
    logs: Option<Ordered<LogMessage>>,
    /// The message handler's notifications, if it has one.
    messages: Option<Ordered<ServerNotification>>,
}

impl Delivery {
    /// Delivery to the given handlers; starts a task for each.
    pub(crate) fn new(
        logs: Option<Handler<LogMessage, ()>>,
        messages: Option<Handler<ServerNotification, ()>>,
    ) -> Self {
        Self {
            logs: logs.map(|handler| Ordered::new(handler, "log")),
            messages: messages.map(|handler| Ordered::new(handler, "message")),
        }
    }

    pub(crate) fn log(&self, params: LoggingMessageNotificationParam) {
        let message = LogMessage {
            level: params.level.into(),
            logger: params.logger,
            data: params.data,
        };
        match &self.logs {
            None => log_server_message(&message),
            Some(queue) => queue.push(message),
        }
    }

    /// Hands `notification` to the message handler if it is one for it: a list change, a
    /// resource update or a custom notification, outside any `subscriptions/listen` stream
    /// (those go to their [`Subscription`](rmcp::service::Subscription)).
    pub(crate) fn message(&self, notification: &ServerNotification) {
        let Some(queue) = &self.messages else {
            return;
        };
        let for_handler = matches!(
            notification,
            ServerNotification::ResourceUpdatedNotification(_)
                | ServerNotification::ResourceListChangedNotification(_)
                | ServerNotification::ToolListChangedNotification(_)
                | ServerNotification::PromptListChangedNotification(_)
                | ServerNotification::CustomNotification(_)
        );
        if for_handler && notification.get_meta().subscription_id().is_none() {
            queue.push(notification.clone());
        }
    }
}

/// A handler run in one task, one item at a time, in the order pushed.
#[derive(Clone)]
struct Ordered<T> {
    queue: mpsc::Sender<T>,
    what: &'static str,
}

impl<T: Send + 'static> Ordered<T> {
    fn new(handler: Handler<T, ()>, what: &'static str) -> Self {
        let (queue, mut items) = mpsc::channel::<T>(QUEUE);
        tokio::spawn(async move {
            while let Some(item) = items.recv().await {
                if AssertUnwindSafe(handler(item))
                    .catch_unwind()
                    .await
                    .is_err()
                {
                    tracing::error!("the client's {what} handler panicked");
                }
            }
        });
        Self { queue, what }
    }

    fn push(&self, item: T) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.queue.try_send(item) {
            let what = self.what;
            tracing::warn!("the {what} handler is {QUEUE} behind; dropping a server notification");
        }
    }
}
