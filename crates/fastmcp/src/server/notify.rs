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
use tokio::sync::mpsc;

use super::context::SessionState;
use super::{FastMCP, Shared};

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
    queue: NoticeQueue,
}

/// Notifications that a slow peer may have waiting; past this, new ones are dropped with a
/// warning rather than blocking the server or growing without bound.
const QUEUE: usize = 1024;

/// Notifications for one peer, sent by one task, one at a time, in the order queued — so a
/// client sees changes in the order they happened. Dropping the queue ends the task.
#[derive(Debug)]
pub(crate) struct NoticeQueue(mpsc::Sender<ServerNotification>);

impl NoticeQueue {
    /// Starts the task that sends with `send` (false: the peer is gone, stop).
    pub(crate) fn start<F, Fut>(runtime: &tokio::runtime::Handle, send: F) -> Self
    where
        F: Fn(ServerNotification) -> Fut + Send + 'static,
        Fut: Future<Output = bool> + Send,
    {
        let (queue, mut waiting) = mpsc::channel(QUEUE);
        runtime.spawn(async move {
            while let Some(notification) = waiting.recv().await {
                if !send(notification).await {
                    break;
                }
            }
        });
        Self(queue)
    }

    pub(crate) fn push(&self, notification: ServerNotification) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.0.try_send(notification) {
            tracing::warn!("a client is {QUEUE} notifications behind; dropping one");
        }
    }
}

static NEXT_LISTENER: AtomicU64 = AtomicU64::new(0);

/// Hands `notification` to a server's `subscriptions/listen` streams alone (each takes what
/// its filter accepts).
fn tell_listeners(shared: &Shared, notification: ServerNotification) {
    let listeners = shared
        .listeners
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    for listener in listeners.iter() {
        listener.queue.push(notification.clone());
    }
}

/// The live sessions of a server.
fn session_states(shared: &Shared) -> Vec<Arc<SessionState>> {
    let sessions = shared
        .sessions
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    sessions
        .values()
        .filter_map(std::sync::Weak::upgrade)
        .collect()
}

/// Sends `notification` to every legacy session of a server that `wants` selects and to every
/// listener that accepted it (with `only`: to that session alone, if `wants` selects it).
/// Fire and forget: a slow client does not block the caller, and each client gets its
/// notifications in order. Sessions that replicas share are not among them: they are reached
/// through the store ([`reach_replicas`]).
fn broadcast(
    shared: &Shared,
    notification: ServerNotification,
    only: Option<&SessionState>,
    wants: impl Fn(&SessionState) -> bool,
) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return; // No runtime means nothing is being served yet.
    };
    for session in session_states(shared) {
        if only.is_none_or(|only| std::ptr::eq(only, Arc::as_ptr(&session)))
            && !session.is_replicated()
            && wants(&session)
            && let Some(queue) = session.notice_queue(&runtime)
        {
            queue.push(notification.clone());
        }
    }
    if only.is_none() {
        tell_listeners(shared, notification);
    }
}

/// A server this one is mounted in, and the namespace it is mounted under.
pub(crate) struct Parent {
    shared: std::sync::Weak<Shared>,
    namespace: Option<String>,
}

/// The servers `shared` is mounted in that still exist.
fn parents(shared: &Shared) -> Vec<(Arc<Shared>, Option<String>)> {
    shared
        .parents
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter_map(|parent| Some((parent.shared.upgrade()?, parent.namespace.clone())))
        .collect()
}

/// With replicas: tells the other replicas' listeners (`FastMCP::share_changes`), and sends
/// `notification` to the shared sessions subscribed to any of `uris` (`None`: to all of them),
/// whichever replica holds them; with `only`, to that session alone if it is shared (and, with
/// `uris`, subscribed: its copy here does not know).
fn reach_replicas(
    shared: &Shared,
    notification: ServerNotification,
    only: Option<&SessionState>,
    uris: Option<Vec<String>>,
) {
    #[cfg(feature = "redis")]
    if only.is_none()
        && let Some(changes) = shared.shared_changes.get()
    {
        changes.publish(notification.clone());
    }
    let Some(replicas) = shared.replica_sessions.get() else {
        return;
    };
    match only {
        None => replicas.notify(uris, notification),
        Some(session) if session.is_replicated() => {
            replicas.notify_one(session.id().to_owned(), uris, notification);
        }
        Some(_) => {}
    }
}

/// Tells a server's clients, and those of every server it is mounted in, that a list changed.
/// With `only`, that session alone hears it (a proxy's upstream session changed for it).
fn list_changed(shared: &Shared, kind: ListKind, only: Option<&SessionState>) {
    shared.changes.fetch_add(1, Ordering::Relaxed);
    broadcast(shared, kind.notification(), only, |_| true);
    reach_replicas(shared, kind.notification(), only, None);
    for (parent, _) in parents(shared) {
        list_changed(&parent, kind, only);
    }
}

/// Tells a server's clients subscribed to `uri` that it changed, and those of every server it
/// is mounted in under the URI they know it by. (A session subscribed through a mount holds
/// the child's URI: the request reached the child renamed.)
fn resource_updated(shared: &Shared, uri: &str, known_as: &str, only: Option<&SessionState>) {
    shared.changes.fetch_add(1, Ordering::Relaxed);
    let notification = ServerNotification::ResourceUpdatedNotification(
        ResourceUpdatedNotification::new(ResourceUpdatedNotificationParam::new(known_as)),
    );
    broadcast(shared, notification.clone(), only, |session| {
        session.is_subscribed(known_as) || session.is_subscribed(uri)
    });
    let uris = vec![known_as.to_owned(), uri.to_owned()];
    reach_replicas(shared, notification, only, Some(uris));
    for (parent, namespace) in parents(shared) {
        let parent_uri = match &namespace {
            Some(namespace) => super::mount::prefixed_uri(known_as, namespace),
            None => known_as.to_owned(),
        };
        resource_updated(&parent, known_as, &parent_uri, only);
    }
}

/// [`resource_updated`] for `subscriptions/listen` streams alone: a proxy's connection that
/// watches resources for them.
#[cfg(feature = "client")]
fn listeners_updated(shared: &Shared, known_as: &str) {
    shared.changes.fetch_add(1, Ordering::Relaxed);
    let notification = ServerNotification::ResourceUpdatedNotification(
        ResourceUpdatedNotification::new(ResourceUpdatedNotificationParam::new(known_as)),
    );
    tell_listeners(shared, notification);
    for (parent, namespace) in parents(shared) {
        let parent_uri = match &namespace {
            Some(namespace) => super::mount::prefixed_uri(known_as, namespace),
            None => known_as.to_owned(),
        };
        listeners_updated(&parent, &parent_uri);
    }
}

impl FastMCP {
    /// How many list changes and resource updates this server has seen (its mounted servers'
    /// included); a cached answer from an earlier count may be stale.
    pub(crate) fn changes(&self) -> u64 {
        self.shared.changes.load(Ordering::Relaxed)
    }

    /// Counts a change that is not broadcast (one session's visibility).
    pub(crate) fn count_change(&self) {
        self.shared.changes.fetch_add(1, Ordering::Relaxed);
    }

    /// Tells this server when `parent` mounts it under `namespace`, so its changes reach
    /// `parent`'s clients.
    pub(crate) fn add_parent(&self, parent: &FastMCP, namespace: Option<String>) {
        self.shared
            .parents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Parent {
                shared: Arc::downgrade(&parent.shared),
                namespace,
            });
    }

    pub(crate) fn add_listener(&self, sink: SubscriptionSink) -> u64 {
        let id = NEXT_LISTENER.fetch_add(1, Ordering::Relaxed);
        let runtime = tokio::runtime::Handle::current();
        let queue = NoticeQueue::start(&runtime, move |notification| {
            let sink = sink.clone();
            async move {
                match sink.send(notification).await {
                    Ok(()) | Err(SubscriptionSendError::NotificationNotAccepted(_)) => true,
                    Err(error) => {
                        tracing::debug!(%error, "listener gone");
                        false
                    }
                }
            }
        });
        let mut listeners = self
            .shared
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.push(Listener { id, queue });
        id
    }

    /// Hands `notification` (a change another replica had) to this server's listeners.
    #[cfg(feature = "redis")]
    pub(crate) fn tell_listeners(&self, notification: ServerNotification) {
        tell_listeners(&self.shared, notification);
    }

    /// Tells the `subscriptions/listen` streams (2026-07-28) of every replica sharing `redis`
    /// when this server's lists or resources change, and hands their changes to this one's.
    /// ([`FastMCP::run`] with `--redis` does this itself.)
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), fastmcp::Error> {
    /// let redis = fastmcp::stores::Redis::connect("redis://127.0.0.1:6379").await?;
    /// let server = fastmcp::FastMCP::new("demo");
    /// server.share_changes(&redis).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "redis")]
    pub async fn share_changes(&self, redis: &crate::stores::Redis) -> Result<(), crate::Error> {
        if self.shared.shared_changes.get().is_some() {
            return Ok(());
        }
        let weak = super::WeakServer {
            config: std::sync::Arc::clone(&self.config),
            shared: Arc::downgrade(&self.shared),
        };
        let changes = crate::stores::changes::SharedChanges::start(redis.clone(), weak).await?;
        let _ = self.shared.shared_changes.set(changes);
        Ok(())
    }

    pub(crate) fn remove_listener(&self, id: u64) {
        let mut listeners = self
            .shared
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|listener| listener.id != id);
    }

    /// Waits until the notifications this replica queued for other replicas' sessions are
    /// delivered (a request's, before it is answered).
    pub(crate) async fn replica_notifications_delivered(&self) {
        if let Some(replicas) = self.shared.replica_sessions.get() {
            replicas.drained().await;
        }
    }

    /// Reaches the sessions of all replicas through `replicas` from now on (once).
    #[cfg(feature = "http-server")]
    pub(crate) fn reach_replica_sessions(&self, replicas: super::replicated::ReplicaSessions) {
        let _ = self.shared.replica_sessions.set(replicas);
    }

    pub(crate) fn notify_list_changed(&self, kind: ListKind) {
        list_changed(&self.shared, kind, None);
    }

    /// A handle on this server that does not keep it alive (for what it owns to call back).
    #[cfg(feature = "client")]
    pub(crate) fn downgrade(&self) -> ServerRef {
        ServerRef(Arc::downgrade(&self.shared))
    }

    /// Tells clients subscribed to `uri` that it changed (`notifications/resources/updated`).
    /// Clients of servers this one is mounted in hear it under the URI they know.
    pub fn notify_resource_updated(&self, uri: &str) {
        resource_updated(&self.shared, uri, uri, None);
    }
}

/// A server, not kept alive: what a proxy's upstream connections tell of their changes.
#[cfg(feature = "client")]
#[derive(Clone, Debug)]
pub(crate) struct ServerRef(std::sync::Weak<Shared>);

#[cfg(feature = "client")]
impl ServerRef {
    /// Tells the clients (or, with `only`, one session) that a list changed.
    pub(crate) fn list_changed(&self, kind: ListKind, only: Option<&SessionState>) {
        if let Some(shared) = self.0.upgrade() {
            list_changed(&shared, kind, only);
        }
    }

    /// Tells the clients subscribed to `uri` (or, with `only`, that session) it changed.
    pub(crate) fn resource_updated(&self, uri: &str, only: Option<&SessionState>) {
        if let Some(shared) = self.0.upgrade() {
            resource_updated(&shared, uri, uri, only);
        }
    }

    /// Tells the server's `subscriptions/listen` streams alone (and its parents', under the
    /// URI they know) that `uri` changed.
    pub(crate) fn listeners_updated(&self, uri: &str) {
        if let Some(shared) = self.0.upgrade() {
            listeners_updated(&shared, uri);
        }
    }
}
