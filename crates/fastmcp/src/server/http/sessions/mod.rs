//! Legacy Streamable HTTP sessions (`Mcp-Session-Id`) on FastMCP's own session manager.
//!
//! rmcp's HTTP service still reads and checks each request; this module is the
//! [`SessionManager`] behind it. rmcp's own manager runs a worker task per session that every
//! message passes through, then rmcp's service loop spawns a task per request: two task hops
//! and several channel sends before a handler starts. Here a request is dispatched to the
//! session's [`Session`] in the POST's own task, as on the direct path; its notifications go
//! on its response stream without any hop, and a handler that finishes without talking first
//! is answered in one piece (the priming event and the result written together).
//!
//! rmcp's service loop still runs per session, for what it is needed for: the `initialize`
//! handshake, and server→client requests (sampling, elicitation, roots), whose answers the
//! client POSTs back. Its outgoing messages come to [`LoopTransport::send`], which puts each
//! on the stream it belongs to: a request's own stream (by `OriginatingRequestId`), or the
//! session's `GET` stream.
//!
//! With an event store every event is stored before it is sent, so a client resumes a broken
//! stream with `GET` and `Last-Event-ID` even after it went away mid-call; a disconnect does not
//! cancel the request (the specification asks servers not to read it as a cancellation).

mod call;
mod live;
mod manager;

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::common::server_side_http::SessionId;
use rmcp::transport::streamable_http_server::session::EventStore;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::relay::{Ended, Relay};
use crate::server::replicated::{Deliver, ReplicaSessions, SessionShare};
pub(crate) use call::{Answer, Call};
pub(crate) use live::Live;
pub(crate) use live::attach;
use live::{Log, LoopTransport, common_stream};
pub(crate) use manager::Manager;

/// Messages a request may have on their way out before its handler waits for the client.
const STREAM_CAPACITY: usize = 64;

/// Client messages queued for a session's service loop.
const INBOX_CAPACITY: usize = 64;

/// Server messages kept for a session while it has no `GET` stream open.
const BACKLOG: usize = 64;

/// A stream of SSE events, as rmcp's service sends it.
pub(super) type Events = rmcp::transport::streamable_http_server::session::EventStream;

/// What went wrong serving a session (rmcp answers `500` with it, or `404` for a session it
/// does not find through [`SessionManager::has_session`]).
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// No live session has this id.
    #[error("session {0} not found")]
    NotFound(SessionId),
    /// The session's `initialize` has not been answered (or failed).
    #[error("session {0} is not initialized")]
    NotInitialized(SessionId),
    /// The session ended while the request was on its way.
    #[error("session {0} has ended")]
    Ended(SessionId),
    /// Not a message this operation takes.
    #[error("unexpected message: {0}")]
    Unexpected(&'static str),
    /// No unpredictable session id could be made.
    #[error(transparent)]
    Randomness(#[from] crate::Error),
    /// The event store failed.
    #[error("event store: {0}")]
    EventStore(#[source] rmcp::transport::streamable_http_server::session::EventStoreError),
}

/// The live sessions of one HTTP endpoint.
pub(crate) struct Sessions {
    live: RwLock<HashMap<SessionId, Arc<Live>>>,
    events: Option<Arc<dyn EventStore>>,
    /// Carries answers to other replicas' requests (with replicas).
    relay: Option<Arc<dyn Relay>>,
    /// Where replicas keep what they share of each session (with replicas).
    share: Option<Arc<dyn SessionShare>>,
    /// The reconnection delay announced by each stream's priming event.
    pub(super) retry: Option<Duration>,
    /// A session without requests or messages for this long is closed.
    idle: Option<Duration>,
}

impl Sessions {
    pub(super) fn new(
        events: Option<Arc<dyn EventStore>>,
        relay: Option<Arc<dyn Relay>>,
        share: Option<Arc<dyn SessionShare>>,
        retry: Option<Duration>,
        idle: Option<Duration>,
    ) -> Self {
        Self {
            live: RwLock::default(),
            events,
            relay,
            share,
            retry,
            idle,
        }
    }

    /// How many sessions are open.
    pub(super) fn len(&self) -> usize {
        self.live
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub(super) fn get(&self, id: &str) -> Result<Arc<Live>, SessionError> {
        let live = self.live.read().unwrap_or_else(PoisonError::into_inner);
        let session = live
            .get(id)
            .cloned()
            .ok_or_else(|| SessionError::NotFound(id.into()))?;
        session.touch();
        Ok(session)
    }

    fn remove(&self, id: &SessionId) -> Option<Arc<Live>> {
        self.live
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id)
    }

    /// With replicas sharing sessions: how the server reaches sessions wherever they are (a
    /// notification is stored in the session's shared event stream, which its `GET` stream
    /// follows).
    pub(super) fn replica_sessions(self: &Arc<Self>) -> Option<ReplicaSessions> {
        let share = self.share.clone()?;
        let events = self.events.clone()?;
        self.relay.as_ref()?;
        let deliver: Deliver = Arc::new(move |session: String, notification| {
            let log = Log {
                events: Some(Arc::clone(&events)),
                name: common_stream(&session),
            };
            Box::pin(async move {
                log.record(ServerJsonRpcMessage::notification(notification))
                    .await;
            })
        });
        Some(ReplicaSessions::start(share, deliver))
    }

    /// Starts taking answers other replicas forward to this one's sessions, and ending the
    /// copies here of sessions other replicas ended.
    pub(super) fn listen_to_relay(self: &Arc<Self>) {
        let Some(relay) = &self.relay else { return };
        let sessions = Arc::downgrade(self);
        let ending = sessions.clone();
        let ended: Ended = Arc::new(move |session: String| {
            if let Some(live) = ending.upgrade().and_then(|s| s.remove(&session.into())) {
                live.end();
            }
        });
        let deliver: super::relay::Deliver = Arc::new(
            move |session: String, message: ClientJsonRpcMessage| {
                let sessions = sessions.clone();
                Box::pin(async move {
                    let live = sessions.upgrade().and_then(|s| s.get(&session).ok());
                    match live {
                        Some(live) => {
                            let _ = live.inbox.send(Box::new(message)).await;
                        }
                        None => {
                            tracing::debug!(%session, "an answer forwarded for a session this replica no longer has")
                        }
                    }
                })
            },
        );
        relay.listen(deliver, ended);
    }

    /// A new live session under `id`, and the transport its service loop runs on; `ready`
    /// unless its handshake is still to be replayed (a session taken over from the store).
    fn open(self: &Arc<Self>, id: SessionId, ready: bool) -> LoopTransport {
        let (inbox, receiver) = mpsc::channel(INBOX_CAPACITY);
        let live = Arc::new(Live {
            id: id.clone(),
            inbox,
            attached: Arc::default(),
            routes: Mutex::default(),
            common: Mutex::default(),
            events: self.events.clone(),
            relay: self.relay.clone(),
            next_stream: AtomicU64::new(0),
            last_seen: Mutex::new(Instant::now()),
            ended: CancellationToken::new(),
            ready: tokio::sync::watch::Sender::new(ready),
        });
        self.live
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::clone(&live));
        self.watch_idle(&live);
        LoopTransport {
            live,
            inbox: receiver,
        }
    }

    /// Closes the session `live` when it has been idle for the configured time.
    fn watch_idle(self: &Arc<Self>, live: &Arc<Live>) {
        let Some(idle) = self.idle else { return };
        let sessions = Arc::downgrade(self);
        let live = Arc::downgrade(live);
        tokio::spawn(async move {
            loop {
                let Some(session) = live.upgrade() else {
                    return;
                };
                let wait = idle.saturating_sub(session.idle_for());
                let ended = session.ended.clone();
                drop(session);
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = ended.cancelled() => return,
                }
                let (Some(sessions), Some(session)) = (sessions.upgrade(), live.upgrade()) else {
                    return;
                };
                if session.idle_for() < idle {
                    continue;
                }
                if !session.is_quiet() {
                    // A call still running counts as activity: look again a full period later.
                    session.touch();
                    continue;
                }
                tracing::debug!(session = %session.id, ?idle, "closing an idle session");
                sessions.remove(&session.id);
                session.end();
                return;
            }
        });
    }
}

/// The messages of `receiver` as a stream.
pub(crate) fn receiver_stream<T: Send + 'static>(
    receiver: mpsc::Receiver<T>,
) -> impl Stream<Item = T> + Send + 'static {
    futures::stream::unfold(receiver, |mut receiver| async move {
        let item = receiver.recv().await?;
        Some((item, receiver))
    })
}

/// `mutex`'s guard; a panic elsewhere while it was held does not stop the session.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
