//! Server log messages (`notifications/message`), delivered in the order they arrived.
//!
//! rmcp hands each notification to the client handler in a task of its own, so two log
//! messages can reach a handler out of order. FastMCP takes log messages off the transport
//! itself (in [`Routed`](super::progress::Routed)): the default handler (onto `tracing`) runs
//! right there, before anything that arrived later is looked at; a handler of yours runs in
//! one task of its own, one message at a time, in arrival order.

use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use rmcp::model::LoggingMessageNotificationParam;
use tokio::sync::mpsc;

use super::handler::{Handler, LogMessage, log_server_message};

/// Messages waiting for a slow handler; past this, new ones are dropped with a warning rather
/// than holding up the connection or growing without bound.
const QUEUE: usize = 1024;

/// Where the connection's log messages go.
#[derive(Clone)]
pub(crate) enum LogDelivery {
    /// [`log_server_message`], inline.
    Tracing,
    /// The queue of the task running the user's handler.
    Queue(mpsc::Sender<LogMessage>),
}

impl LogDelivery {
    /// Delivery to `handler`, or onto `tracing` without one. Starts the handler's task.
    pub(crate) fn new(handler: Option<Handler<LogMessage, ()>>) -> Self {
        let Some(handler) = handler else {
            return LogDelivery::Tracing;
        };
        let (sender, mut queue) = mpsc::channel::<LogMessage>(QUEUE);
        tokio::spawn(async move {
            while let Some(message) = queue.recv().await {
                if AssertUnwindSafe(handler(message))
                    .catch_unwind()
                    .await
                    .is_err()
                {
                    tracing::error!("the client's log handler panicked");
                }
            }
        });
        LogDelivery::Queue(sender)
    }

    pub(crate) fn deliver(&self, params: LoggingMessageNotificationParam) {
        let message = LogMessage {
            level: params.level.into(),
            logger: params.logger,
            data: params.data,
        };
        match self {
            LogDelivery::Tracing => log_server_message(&message),
            LogDelivery::Queue(queue) => {
                if let Err(mpsc::error::TrySendError::Full(_)) = queue.try_send(message) {
                    tracing::warn!(
                        "the log handler is {QUEUE} messages behind; dropping a server log message"
                    );
                }
            }
        }
    }
}
