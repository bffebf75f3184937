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
use std::sync::atomic::{AtomicUsize, Ordering};

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
/// share sessions). Its notifications are delivered in order, by one task; a request waits
/// for those it caused before it is answered ([`drained`](Self::drained)), so a client never
/// sees the answer to its next request before the notifications of the previous one.
#[derive(Clone)]
pub(crate) struct ReplicaSessions {
    queue: mpsc::UnboundedSender<Delivery>,
    /// Notifications queued and not yet delivered.
    pending: Arc<AtomicUsize>,
}

impl std::fmt::Debug for ReplicaSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaSessions")
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

enum Delivery {
    /// To the sessions subscribed to any of `uris` (`None`: to all), or with `only`, to that
    /// session alone (if subscribed, with `uris`).
    Notify {
        uris: Option<Vec<String>>,
        only: Option<String>,
        notification: Box<ServerNotification>,
    },
    Drained(oneshot::Sender<()>),
}

impl ReplicaSessions {
    /// Starts the task delivering through `deliver` to the sessions `share` names.
    pub(crate) fn start(share: Arc<dyn SessionShare>, deliver: Deliver) -> Self {
        let (queue, waiting) = mpsc::unbounded_channel();
        let pending = Arc::new(AtomicUsize::new(0));
        tokio::spawn(deliver_in_order(
            share,
            deliver,
            waiting,
            Arc::clone(&pending),
        ));
        Self { queue, pending }
    }

    /// Sends `notification` to the sessions subscribed to any of `uris` (`None`: to all).
    pub(crate) fn notify(&self, uris: Option<Vec<String>>, notification: ServerNotification) {
        self.queue_delivery(uris, None, notification);
    }

    /// Sends `notification` to session `session` (if subscribed to any of `uris`, when given).
    pub(crate) fn notify_one(
        &self,
        session: String,
        uris: Option<Vec<String>>,
        notification: ServerNotification,
    ) {
        self.queue_delivery(uris, Some(session), notification);
    }

    fn queue_delivery(
        &self,
        uris: Option<Vec<String>>,
        only: Option<String>,
        notification: ServerNotification,
    ) {
        self.pending.fetch_add(1, Ordering::AcqRel);
        let delivery = Delivery::Notify {
            uris,
            only,
            notification: Box::new(notification),
        };
        if self.queue.send(delivery).is_err() {
            self.pending.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Waits until every notification queued before is delivered (at once when none is).
    pub(crate) async fn drained(&self) {
        if self.pending.load(Ordering::Acquire) == 0 {
            return;
        }
        let (done, delivered) = oneshot::channel();
        if self.queue.send(Delivery::Drained(done)).is_ok() {
            let _ = delivered.await;
        }
    }
}

async fn deliver_in_order(
    share: Arc<dyn SessionShare>,
    deliver: Deliver,
    mut waiting: mpsc::UnboundedReceiver<Delivery>,
    pending: Arc<AtomicUsize>,
) {
    while let Some(delivery) = waiting.recv().await {
        let Delivery::Notify {
            uris,
            only,
            notification,
        } = delivery
        else {
            if let Delivery::Drained(done) = delivery {
                let _ = done.send(());
            }
            continue;
        };
        let sessions = match &uris {
            Some(uris) => share.subscribers(uris).await,
            None => share.sessions().await,
        };
        match sessions {
            Ok(sessions) => {
                let to = sessions
                    .into_iter()
                    .filter(|session| only.as_ref().is_none_or(|only| only == session));
                for session in to {
                    deliver(session, (*notification).clone()).await;
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read which sessions to notify"),
        }
        pending.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One copy of a shared session: the task that writes its record, in order.
#[derive(Debug)]
pub(crate) struct Replicated {
    id: String,
    share: Arc<dyn SessionShare>,
    ops: mpsc::UnboundedSender<Op>,
    /// Writes queued and not yet done: with none, reads go straight to the store (no write
    /// of this copy can be overtaken) and there is nothing to flush.
    pending: Arc<AtomicUsize>,
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
        let pending = Arc::new(AtomicUsize::new(0));
        let writer = Writer {
            id: id.clone(),
            share: Arc::clone(&share),
            pending: Arc::clone(&pending),
        };
        tokio::spawn(writer.run(waiting));
        let replicated = Self {
            id,
            share,
            ops,
            pending,
        };
        replicated.write(Op::Join);
        replicated
    }

    fn write(&self, op: Op) -> bool {
        self.pending.fetch_add(1, Ordering::AcqRel);
        let sent = self.ops.send(op).is_ok();
        if !sent {
            self.pending.fetch_sub(1, Ordering::AcqRel);
        }
        sent
    }

    fn writing(&self) -> bool {
        self.pending.load(Ordering::Acquire) > 0
    }

    /// Queues `change` for the store.
    pub(crate) fn save(&self, change: Change) {
        self.write(Op::Save(change));
    }

    /// The session's record, after every change queued before (`None`: the store failed).
    pub(crate) async fn load(&self) -> Option<Extras> {
        if !self.writing() {
            return match self.share.load(&self.id).await {
                Ok(extras) => Some(extras),
                Err(error) => {
                    tracing::warn!(%error, session = %self.id, "shared session not read");
                    None
                }
            };
        }
        let (answer, loaded) = oneshot::channel();
        self.ops.send(Op::Load(answer)).ok()?;
        loaded.await.ok()
    }

    /// Drops the session's record (after the changes queued before).
    pub(crate) async fn forget(&self) {
        let (done, dropped) = oneshot::channel();
        if self.write(Op::Forget(done)) {
            let _ = dropped.await;
        }
    }

    /// Waits until every change queued before is written (or failed).
    pub(crate) async fn flush(&self) {
        if !self.writing() {
            return;
        }
        let (done, written) = oneshot::channel();
        if self.ops.send(Op::Flush(done)).is_ok() {
            let _ = written.await;
        }
    }
}

/// The writer of one copy: changes in order, several at a time when they queue up.
struct Writer {
    id: String,
    share: Arc<dyn SessionShare>,
    pending: Arc<AtomicUsize>,
}

impl Writer {
    async fn run(self, mut waiting: mpsc::UnboundedReceiver<Op>) {
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
                    self.save(&changes, "session changes not shared").await;
                    self.pending.fetch_sub(changes.len(), Ordering::AcqRel);
                }
                Op::Join => {
                    self.save(&[], "session not shared").await;
                    self.pending.fetch_sub(1, Ordering::AcqRel);
                }
                Op::Load(answer) => match self.share.load(&self.id).await {
                    Ok(extras) => {
                        let _ = answer.send(extras);
                    }
                    Err(error) => {
                        tracing::warn!(%error, session = %self.id, "shared session not read");
                    }
                },
                Op::Flush(done) => {
                    let _ = done.send(());
                }
                Op::Forget(done) => {
                    if let Err(error) = self.share.forget(&self.id).await {
                        tracing::warn!(%error, session = %self.id, "shared session not dropped");
                    }
                    self.pending.fetch_sub(1, Ordering::AcqRel);
                    let _ = done.send(());
                }
            }
            if next.is_none() {
                next = waiting.recv().await;
            }
        }
    }

    async fn save(&self, changes: &[Change], failed: &str) {
        if let Err(error) = self.share.save(&self.id, changes).await {
            tracing::warn!(%error, session = %self.id, "{failed}");
        }
    }
}
