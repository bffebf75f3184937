//! Telling connected clients what changed: list changes and resource updates.
//!
//! Sessions on the legacy protocol get notifications on their connection; on 2026-07-28 they
//! arrive on the client's open `subscriptions/listen` requests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError};

use rmcp::model::{
    PromptListChangedNotification, ResourceListChangedNotification, ResourceUpdatedNotification,
    ResourceUpdatedNotificationParam, ServerNotification, ToolListChangedNotification,
};
use rmcp::service::{SubscriptionSendError, SubscriptionSink};

use super::FastMCP;
use super::context::SessionState;

/// Which list changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListKind {
    Tools,
    Resources,
    Prompts,
}

impl ListKind {
    fn notification(self) -> ServerNotification {
        match self {
            ListKind::Tools => ServerNotification::ToolListChangedNotification(
                ToolListChangedNotification::default(),
            ),
            ListKind::Resources => ServerNotification::ResourceListChangedNotification(
                ResourceListChangedNotification::default(),
            ),
            ListKind::Prompts => ServerNotification::PromptListChangedNotification(
                PromptListChangedNotification::default(),
            ),
        }
    }
}

/// An open `subscriptions/listen` request.
pub(crate) struct Listener {
    id: u64,
    sink: SubscriptionSink,
}

static NEXT_LISTENER: AtomicU64 = AtomicU64::new(0);

impl FastMCP {
    fn session_states(&self) -> Vec<Arc<SessionState>> {
        let sessions = self
            .shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        sessions
            .values()
            .filter_map(std::sync::Weak::upgrade)
            .collect()
    }

    fn listeners(&self) -> Vec<SubscriptionSink> {
        let listeners = self
            .shared
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners
            .iter()
            .map(|listener| listener.sink.clone())
            .collect()
    }

    pub(crate) fn add_listener(&self, sink: SubscriptionSink) -> u64 {
        let id = NEXT_LISTENER.fetch_add(1, Ordering::Relaxed);
        let mut listeners = self
            .shared
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.push(Listener { id, sink });
        id
    }

    pub(crate) fn remove_listener(&self, id: u64) {
        let mut listeners = self
            .shared
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|listener| listener.id != id);
    }

    /// Sends `notification` to every legacy session `wants` selects and to every listener
    /// that accepted it. Fire and forget: a slow client does not block the caller.
    fn broadcast(&self, notification: ServerNotification, wants: impl Fn(&SessionState) -> bool) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return; // No runtime means nothing is being served yet.
        };
        for session in self.session_states() {
            if let Some(peer) = session.legacy_peer().filter(|_| wants(&session)) {
                let notification = notification.clone();
                runtime.spawn(async move {
                    let _ = peer.send_notification(notification).await;
                });
            }
        }
        for sink in self.listeners() {
            let notification = notification.clone();
            runtime.spawn(async move {
                match sink.send(notification).await {
                    Ok(()) | Err(SubscriptionSendError::NotificationNotAccepted(_)) => {}
                    Err(error) => tracing::debug!(%error, "listener gone"),
                }
            });
        }
    }

    pub(crate) fn notify_list_changed(&self, kind: ListKind) {
        self.broadcast(kind.notification(), |_| true);
    }

    /// Tells clients subscribed to `uri` that it changed (`notifications/resources/updated`).
    pub fn notify_resource_updated(&self, uri: &str) {
        let notification = ServerNotification::ResourceUpdatedNotification(
            ResourceUpdatedNotification::new(ResourceUpdatedNotificationParam::new(uri)),
        );
        self.broadcast(notification, |session| session.is_subscribed(uri));
    }
}
