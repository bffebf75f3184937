//! What replicas share of a legacy session: its log level, the values tools stored
//! ([`Context::set_state`](super::Context::set_state)), its own visibility rules and its
//! resource subscriptions.
//!
//! With replicas, each request of a session may land on another replica, and each replica
//! that saw the session holds a copy of its [`SessionState`](super::session_state::SessionState).
//! A [`SessionShare`] (Redis: `stores/session_share.rs`) keeps the one true record: a request
//! loads it before it is served and the changes it made are written before its answer leaves
//! ([`Replicated::load`], [`Replicated::flush`]), so the client's next request sees them
//! wherever it lands. Writes go through one task per session copy, in the order they were
//! made.
//!
//! Subscriptions are not kept in the copies: a resource update, on whichever replica it
//! happens, asks the store which sessions subscribed and stores the notification in each
//! one's shared event stream, which its `GET` stream follows on whichever replica it is open
//! ([`ReplicaSessions`]). List changes reach every session of the store the same way.
// Only the Redis store (feature `redis`) implements `SessionShare` so far; without it, every
// session's copy is the only one and none of this runs.
#![cfg_attr(not(feature = "redis"), allow(dead_code))]

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rmcp::model::ServerNotification;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::registry::Filter;
use crate::logging::LogLevel;

/// What a store answers: `Err` says what went wrong.
pub(crate) type Stored<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

/// What a session's record holds (its subscriptions aside).
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub(crate) log_level: Option<LogLevel>,
    pub(crate) values: HashMap<String, Value>,
    pub(crate) visibility: Vec<(Filter, bool)>,
}

/// One change to a session's record.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    LogLevel(LogLevel),
    Value(String, Value),
    /// The session's rules, all of them.
    Visibility(Vec<(Filter, bool)>),
    Subscribe(String),
    Unsubscribe(String),
}

/// Where replicas keep what they share of their sessions.
pub(crate) trait SessionShare: std::fmt::Debug + Send + Sync + 'static {
    /// Session `session`'s record (empty when it has none).
    fn load<'a>(&'a self, session: &'a str) -> Stored<'a, Extras>;
    /// Applies `changes` to session `session`'s record, in order, and keeps the session
    /// counted among the live ones.
    fn save<'a>(&'a self, session: &'a str, changes: &'a [Change]) -> Stored<'a, ()>;
    /// The sessions subscribed to any of `uris`.
    fn subscribers<'a>(&'a self, uris: &'a [String]) -> Stored<'a, Vec<String>>;
    /// Every live session.
    fn sessions(&self) -> Stored<'_, Vec<String>>;
    /// Drops session `session`'s record and subscriptions (it ended).
    fn forget<'a>(&'a self, session: &'a str) -> Stored<'a, ()>;
}

/// Stores a notification for session `.0`'s `GET` stream, on whichever replica it is open.
pub(crate) type Deliver = Arc<
    dyn Fn(String, ServerNotification) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync,
>;

/// How a server reaches the sessions of all its replicas (set by the HTTP layer when replicas
/// share sessions).
#[derive(Clone)]
pub(crate) struct ReplicaSessions {
    pub(crate) share: Arc<dyn SessionShare>,
    pub(crate) deliver: Deliver,
}

impl std::fmt::Debug for ReplicaSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaSessions")
            .field("share", &self.share)
            .finish_non_exhaustive()
    }
}

impl ReplicaSessions {
    /// Sends `notification` to the sessions subscribed to any of `uris` (`None`: to all).
    /// Fire and forget, like notifications to local sessions.
    pub(crate) fn notify(&self, uris: Option<Vec<String>>, notification: ServerNotification) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let this = self.clone();
        runtime.spawn(async move {
            let sessions = match &uris {
                Some(uris) => this.share.subscribers(uris).await,
                None => this.share.sessions().await,
            };
            match sessions {
                Ok(sessions) => {
                    for session in sessions {
                        (this.deliver)(session, notification.clone()).await;
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot read which sessions to notify"),
            }
        });
    }
}

impl ReplicaSessions {
    /// Sends `notification` to session `session` (if subscribed to any of `uris`, when given).
    pub(crate) fn notify_one(
        &self,
        session: String,
        uris: Option<Vec<String>>,
        notification: ServerNotification,
    ) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let this = self.clone();
        runtime.spawn(async move {
            if let Some(uris) = &uris {
                match this.share.subscribers(uris).await {
                    Ok(subscribers) if subscribers.contains(&session) => {}
                    Ok(_) => return,
                    Err(error) => {
                        return tracing::warn!(%error, "cannot read which sessions to notify");
                    }
                }
            }
            (this.deliver)(session, notification).await;
        });
    }
}

/// One copy of a shared session: the task that reads and writes its record.
#[derive(Debug)]
pub(crate) struct Replicated {
    ops: mpsc::UnboundedSender<Op>,
}

enum Op {
    Join,
    Save(Change),
    Load(oneshot::Sender<Extras>),
    Flush(oneshot::Sender<()>),
    Forget(oneshot::Sender<()>),
}

impl Replicated {
    /// Starts the writer of session `id`'s copy (it ends when the copy is dropped), which
    /// first counts the session among the live ones (list changes reach it).
    pub(crate) fn start(id: String, share: Arc<dyn SessionShare>) -> Self {
        let (ops, waiting) = mpsc::unbounded_channel();
        let _ = ops.send(Op::Join);
        tokio::spawn(write(id, share, waiting));
        Self { ops }
    }

    /// Queues `change` for the store.
    pub(crate) fn save(&self, change: Change) {
        let _ = self.ops.send(Op::Save(change));
    }

    /// The session's record, after every change queued before (`None`: the store failed).
    pub(crate) async fn load(&self) -> Option<Extras> {
        let (answer, loaded) = oneshot::channel();
        self.ops.send(Op::Load(answer)).ok()?;
        loaded.await.ok()
    }

    /// Drops the session's record (after the changes queued before).
    pub(crate) async fn forget(&self) {
        let (done, dropped) = oneshot::channel();
        if self.ops.send(Op::Forget(done)).is_ok() {
            let _ = dropped.await;
        }
    }

    /// Waits until every change queued before is written (or failed).
    pub(crate) async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.ops.send(Op::Flush(done)).is_ok() {
            let _ = written.await;
        }
    }
}

/// The writer: changes in order, several at a time when they queue up.
async fn write(id: String, share: Arc<dyn SessionShare>, mut waiting: mpsc::UnboundedReceiver<Op>) {
    let mut next = waiting.recv().await;
    while let Some(op) = next.take() {
        match op {
            Op::Save(change) => {
                let mut changes = vec![change];
                while let Ok(op) = waiting.try_recv() {
                    match op {
                        Op::Save(change) => changes.push(change),
                        other => {
                            next = Some(other);
                            break;
                        }
                    }
                }
                if let Err(error) = share.save(&id, &changes).await {
                    tracing::warn!(%error, session = %id, "session changes not shared");
                }
            }
            Op::Join => {
                if let Err(error) = share.save(&id, &[]).await {
                    tracing::warn!(%error, session = %id, "session not shared");
                }
            }
            Op::Load(answer) => match share.load(&id).await {
                Ok(extras) => {
                    let _ = answer.send(extras);
                }
                Err(error) => tracing::warn!(%error, session = %id, "shared session not read"),
            },
            Op::Flush(done) => {
                let _ = done.send(());
            }
            Op::Forget(done) => {
                if let Err(error) = share.forget(&id).await {
                    tracing::warn!(%error, session = %id, "shared session not dropped");
                }
                let _ = done.send(());
            }
        }
        if next.is_none() {
            next = waiting.recv().await;
        }
    }
}
