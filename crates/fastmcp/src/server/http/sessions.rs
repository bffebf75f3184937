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

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures::Stream;
use futures::StreamExt as _;
use rmcp::model::{
    ClientJsonRpcMessage, ClientNotification, ClientRequest, GetExtensions as _, GetMeta as _,
    JsonRpcNotification, JsonRpcRequest, RequestId, ServerJsonRpcMessage,
};
use rmcp::service::{
    OriginatingRequestId, RequestContext, RxJsonRpcMessage, Service as _, TxJsonRpcMessage,
};
use rmcp::transport::Transport;
use rmcp::transport::common::server_side_http::{ServerSseMessage, SessionId};
use rmcp::transport::streamable_http_server::session::{
    EventStore, RestoreOutcome, SessionManager,
};
use rmcp::{Peer, RoleServer};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::relay::{self, Ended, Relay};
use crate::server::Session;
use crate::server::outbound::ResponseStream;
use crate::server::replicated::{Deliver, ReplicaSessions, SessionShare};

/// Messages a request may have on their way out before its handler waits for the client.
const STREAM_CAPACITY: usize = 64;

/// Client messages queued for a session's service loop.
const INBOX_CAPACITY: usize = 64;

/// Server messages kept for a session while it has no `GET` stream open.
const BACKLOG: usize = 64;

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
pub(super) struct Sessions {
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

/// One open session.
pub(super) struct Live {
    id: SessionId,
    /// Client messages for the service loop (boxed: a channel allocates its slots in blocks
    /// of 32, and a message is several hundred bytes, kilobytes per idle session otherwise).
    inbox: mpsc::Sender<Box<ClientJsonRpcMessage>>,
    /// The session's handler and peer, once its `initialize` reached it.
    attached: Arc<OnceLock<Attached>>,
    /// With replicas: tags the requests this session sends, carries answers to others'.
    relay: Option<Arc<dyn Relay>>,
    /// The streams of requests in flight, by JSON-RPC id.
    routes: Mutex<HashMap<RequestId, Route>>,
    /// The `GET` stream, and what waits for one.
    common: Mutex<Common>,
    events: Option<Arc<dyn EventStore>>,
    next_stream: AtomicU64,
    last_seen: Mutex<Instant>,
    /// Cancelled when the session ends: its service loop, requests and streams stop.
    ended: CancellationToken,
    /// False while a session taken over from the store replays its handshake: requests that
    /// arrive meanwhile wait for it (rmcp only holds back those that find no session at all).
    ready: tokio::sync::watch::Sender<bool>,
}

/// A request in flight: where its messages go, and how to cancel it.
struct Route {
    messages: mpsc::Sender<ServerJsonRpcMessage>,
    cancel: CancellationToken,
}

#[derive(Default)]
struct Common {
    stream: Option<mpsc::Sender<ServerSseMessage>>,
    backlog: VecDeque<ServerSseMessage>,
}

/// A session's [`Session`] and rmcp peer, handed over by its `initialize` (see [`attach`]).
pub(crate) struct Attached {
    session: Session,
    peer: Peer<RoleServer>,
}

/// Put in a session's `initialize` request so its handler hands itself over ([`attach`]),
/// with the session's id and, with replicas, where they share it.
#[derive(Clone)]
pub(crate) struct AttachTo {
    slot: Arc<OnceLock<Attached>>,
    id: SessionId,
    share: Option<Arc<dyn SessionShare>>,
}

/// Called by [`Session`] on `initialize`: if the request came through [`Sessions`], this
/// session's requests are dispatched to `session` from now on.
pub(crate) fn attach(session: &Session, context: &RequestContext<RoleServer>) {
    if let Some(AttachTo { slot, id, share }) = context.extensions.get::<AttachTo>() {
        if let Some(share) = share {
            session.state.replicate(id, Arc::clone(share));
        }
        let _ = slot.set(Attached {
            session: session.clone(),
            peer: context.peer.clone(),
        });
    }
}

impl Live {
    /// The session's handler and peer, once initialized.
    pub(super) fn attached(&self) -> Option<&Attached> {
        self.attached.get()
    }

    fn touch(&self) {
        *lock(&self.last_seen) = Instant::now();
    }

    fn idle_for(&self) -> Duration {
        lock(&self.last_seen).elapsed()
    }

    /// No request in flight.
    fn is_quiet(&self) -> bool {
        lock(&self.routes).is_empty()
    }

    /// Waits until the session's handshake is done: true, or the session ended: false.
    async fn until_ready(&self) -> bool {
        let mut ready = self.ready.subscribe();
        tokio::select! {
            done = ready.wait_for(|ready| *ready) => done.is_ok(),
            () = self.ended.cancelled() => false,
        }
    }

    fn end(&self) {
        self.ended.cancel();
        lock(&self.routes).clear();
        lock(&self.common).stream = None;
    }

    fn route(&self, id: RequestId, route: Route) {
        lock(&self.routes).insert(id, route);
    }

    fn unroute(&self, id: &RequestId) {
        lock(&self.routes).remove(id);
    }

    fn route_of(&self, id: &RequestId) -> Option<mpsc::Sender<ServerJsonRpcMessage>> {
        lock(&self.routes)
            .get(id)
            .map(|route| route.messages.clone())
    }

    /// A new stream's log: where its events are stored, if anywhere.
    fn log(&self) -> Log {
        let name = self.events.as_ref().map(|_| {
            let n = self.next_stream.fetch_add(1, Ordering::Relaxed);
            format!("{}/{n}", self.id)
        });
        Log {
            events: self.events.clone(),
            name: name.unwrap_or_default(),
        }
    }

    /// Sends a message of the service loop where it belongs: the stream of the request it
    /// answers or was sent for, else the `GET` stream.
    async fn deliver(&self, message: ServerJsonRpcMessage) {
        let stream = related_request(&message).and_then(|id| self.route_of(id));
        match stream {
            Some(stream) => {
                let _ = stream.send(message).await;
            }
            None => self.broadcast(message).await,
        }
    }

    /// Sends `message` on the `GET` stream, or keeps it (the last [`BACKLOG`]) until one
    /// opens.
    async fn broadcast(&self, message: ServerJsonRpcMessage) {
        let event = self.common_log().record(message).await;
        if self.follows_shared_stream() {
            // Stored for the `GET` stream, on whichever replica it is open.
            return;
        }
        let open = {
            let mut common = lock(&self.common);
            match &common.stream {
                Some(stream) if !stream.is_closed() => Some(stream.clone()),
                _ => {
                    common.stream = None;
                    if common.backlog.len() == BACKLOG {
                        common.backlog.pop_front();
                    }
                    common.backlog.push_back(event.clone());
                    None
                }
            }
        };
        if let Some(stream) = open {
            let _ = stream.send(event).await;
        }
    }

    /// With replicas (a relay and a shared event store), the `GET` stream follows the session's
    /// stored stream instead of this replica's memory.
    fn follows_shared_stream(&self) -> bool {
        self.relay.is_some() && self.events.is_some()
    }

    fn common_log(&self) -> Log {
        Log {
            events: self.events.clone(),
            name: self
                .events
                .as_ref()
                .map(|_| common_stream(&self.id))
                .unwrap_or_default(),
        }
    }

    /// Opens the `GET` stream: it gets what was kept for it, then what comes. A second one
    /// while the first is open only carries keep-alives (as rmcp does: two event sources of
    /// one client must not take the stream from each other).
    fn open_common(&self) -> Option<mpsc::Receiver<ServerSseMessage>> {
        let mut common = lock(&self.common);
        if common.stream.as_ref().is_some_and(|open| !open.is_closed()) {
            return None;
        }
        let (sender, receiver) = mpsc::channel(STREAM_CAPACITY.max(BACKLOG));
        for event in common.backlog.drain(..) {
            let _ = sender.try_send(event);
        }
        common.stream = Some(sender);
        Some(receiver)
    }
}

/// The name of session `id`'s `GET` stream in the event store.
fn common_stream(id: &str) -> String {
    format!("{id}/common")
}

/// The request a server message belongs with: the one it answers, the one a server→client
/// request was sent while serving, or the one a cancellation names.
fn related_request(message: &ServerJsonRpcMessage) -> Option<&RequestId> {
    match message {
        ServerJsonRpcMessage::Response(response) => Some(&response.id),
        ServerJsonRpcMessage::Error(error) => error.id.as_ref(),
        ServerJsonRpcMessage::Request(request) => request
            .request
            .extensions()
            .get::<OriginatingRequestId>()
            .map(|origin| &origin.0),
        ServerJsonRpcMessage::Notification(_) => None,
    }
}

/// Where one stream's events are stored (with an event store), so they can be replayed.
struct Log {
    events: Option<Arc<dyn EventStore>>,
    name: String,
}

impl Log {
    /// `message` as an SSE event, stored first (and given its id) when there is a store.
    async fn record(&self, message: ServerJsonRpcMessage) -> ServerSseMessage {
        self.store(ServerSseMessage::from_message(message)).await
    }

    /// The event that opens a resumable stream: an id to resume from and the retry delay.
    async fn priming(&self, retry: Option<Duration>) -> Option<ServerSseMessage> {
        let retry = retry?;
        self.events.as_ref()?;
        Some(self.store(ServerSseMessage::retry(retry)).await)
    }

    async fn store(&self, mut event: ServerSseMessage) -> ServerSseMessage {
        if let Some(events) = &self.events {
            match events.store_event(&self.name, &event).await {
                Ok(id) => event.event_id = Some(id),
                Err(error) => tracing::warn!(%error, stream = %self.name, "event not stored"),
            }
        }
        event
    }
}

/// The transport rmcp's service loop runs on for one session.
pub(super) struct LoopTransport {
    live: Arc<Live>,
    inbox: mpsc::Receiver<Box<ClientJsonRpcMessage>>,
}

impl Transport<RoleServer> for LoopTransport {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let live = Arc::clone(&self.live);
        let mut item = item;
        if let Some(relay) = &live.relay {
            relay::tag_outgoing(relay.tag(), &mut item);
        }
        async move {
            live.touch();
            live.deliver(item).await;
            Ok(())
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleServer>>> + Send {
        let ended = self.live.ended.clone();
        let relay = self.live.relay.clone();
        let inbox = &mut self.inbox;
        async move {
            let mut message = tokio::select! {
                message = inbox.recv() => message.map(|message| *message)?,
                () = ended.cancelled() => return None,
            };
            if let Some(relay) = relay
                && let Some((tag, original)) = relay::owner_of(&message)
                && tag == relay.tag()
            {
                relay::untag(&mut message, original);
            }
            Some(message)
        }
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.live.ended.cancel();
        std::future::ready(Ok(()))
    }
}

/// The session manager rmcp's HTTP service runs on.
pub(super) struct Manager {
    sessions: Arc<Sessions>,
}

impl Manager {
    pub(super) fn new(sessions: Arc<Sessions>) -> Self {
        Self { sessions }
    }
}

/// A stream of SSE events, as rmcp's service sends it.
type Events = rmcp::transport::streamable_http_server::session::EventStream;

impl SessionManager for Manager {
    type Error = SessionError;
    type Transport = LoopTransport;

    async fn create_session(&self) -> Result<(SessionId, LoopTransport), SessionError> {
        let id: SessionId = crate::server::secret::secret()?.new_id().into();
        Ok((id.clone(), self.sessions.open(id, true)))
    }

    /// A session another replica opened (or this one, before a restart): rmcp found its
    /// `initialize` in the session store and replays it on the transport returned here.
    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<LoopTransport>, SessionError> {
        if self.sessions.get(&id).is_ok() {
            return Ok(RestoreOutcome::AlreadyPresent);
        }
        Ok(RestoreOutcome::Restored(self.sessions.open(id, false)))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, SessionError> {
        let live = self.sessions.get(id)?;
        let ClientJsonRpcMessage::Request(mut request) = message else {
            return Err(SessionError::Unexpected("initialize must be a request"));
        };
        request.request.extensions_mut().insert(AttachTo {
            slot: Arc::clone(&live.attached),
            id: id.clone(),
            share: self.sessions.share.clone(),
        });
        let (sender, mut answers) = mpsc::channel(1);
        let request_id = request.id.clone();
        live.route(
            request_id.clone(),
            Route {
                messages: sender,
                cancel: live.ended.child_token(),
            },
        );
        let sent = live
            .inbox
            .send(Box::new(ClientJsonRpcMessage::Request(request)))
            .await;
        let answer = match sent {
            Ok(()) => answers.recv().await,
            Err(_) => None,
        };
        live.unroute(&request_id);
        answer.ok_or_else(|| SessionError::Ended(id.clone()))
    }

    /// A session being taken over here answers once its handshake has been replayed, so a
    /// request that arrives meanwhile is not served by a session that is not initialized yet.
    async fn has_session(&self, id: &SessionId) -> Result<bool, SessionError> {
        match self.sessions.get(id) {
            Ok(live) => Ok(live.until_ready().await),
            Err(_) => Ok(false),
        }
    }

    /// Ends the session here; with replicas, drops what they share of it and tells every
    /// replica to end its copy (the `DELETE` may reach one that never held the session).
    async fn close_session(&self, id: &SessionId) -> Result<(), SessionError> {
        let live = self.sessions.remove(id);
        let shared_copy = live.as_ref().and_then(|live| live.attached());
        match (shared_copy, &self.sessions.share) {
            (Some(attached), _) => attached.session.state.forget().await,
            (None, Some(share)) => {
                if let Err(error) = share.forget(id).await {
                    tracing::warn!(%error, session = %id, "shared session not dropped");
                }
            }
            (None, None) => {}
        }
        if let Some(live) = live {
            live.end();
        }
        if let Some(relay) = &self.sessions.relay
            && let Err(error) = relay.end_everywhere(id).await
        {
            tracing::warn!(%error, session = %id, "other replicas were not told the session ended");
        }
        Ok(())
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let live = self.sessions.get(id)?;
        let ClientJsonRpcMessage::Request(request) = message else {
            return Err(SessionError::Unexpected("a stream is opened by a request"));
        };
        let attached = live
            .attached()
            .ok_or_else(|| SessionError::NotInitialized(id.clone()))?;
        let call = Call::start(&live, attached, request);
        Ok(call.answer(live, self.sessions.retry).await.into_stream())
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), SessionError> {
        let live = self.sessions.get(id)?;
        if let ClientJsonRpcMessage::Notification(JsonRpcNotification {
            notification: ClientNotification::CancelledNotification(cancelled),
            ..
        }) = &message
            && let Some(request_id) = &cancelled.params.request_id
            && let Some(route) = lock(&live.routes).get(request_id)
        {
            route.cancel.cancel();
        }
        if let Some(relay) = &live.relay
            && let Some((owner, _)) = relay::owner_of(&message)
            && owner != relay.tag()
        {
            // An answer to a request another replica sent: it waits there.
            if let Err(error) = relay.forward(owner, id, &message).await {
                tracing::warn!(%error, session = %id, "an answer for another replica was not carried");
            }
            return Ok(());
        }
        let initialized = matches!(
            &message,
            ClientJsonRpcMessage::Notification(JsonRpcNotification {
                notification: ClientNotification::InitializedNotification(_),
                ..
            })
        );
        live.inbox
            .send(Box::new(message))
            .await
            .map_err(|_| SessionError::Ended(id.clone()))?;
        if initialized {
            // Queued behind the handshake now, requests waiting in `has_session` may follow.
            live.ready.send_replace(true);
        }
        Ok(())
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let live = self.sessions.get(id)?;
        let ended = live.ended.clone();
        let events: Events = match &live.relay {
            Some(relay) if live.follows_shared_stream() => relay.follow(&live.common_log().name),
            _ => match live.open_common() {
                Some(receiver) => Box::pin(receiver_stream(receiver)),
                None => Box::pin(futures::stream::pending()),
            },
        };
        Ok(Box::pin(
            events.take_until(async move { ended.cancelled().await }),
        ))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let live = self.sessions.get(id)?;
        let Some(events) = &self.sessions.events else {
            return Err(SessionError::Unexpected(
                "streams cannot be resumed: the server keeps no events",
            ));
        };
        let replay = events
            .replay_events_after(&last_event_id)
            .await
            .map_err(SessionError::EventStore)?;
        let ended = live.ended.clone();
        Ok(Box::pin(
            replay.take_until(async move { ended.cancelled().await }),
        ))
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.sessions.events.clone()
    }
}

/// A request's answer: all of it (the handler finished without talking first), or the
/// priming event and the rest as it comes.
pub(super) enum Answer {
    Now(Vec<ServerSseMessage>),
    Streaming(Option<ServerSseMessage>, mpsc::Receiver<ServerSseMessage>),
}

impl Answer {
    pub(super) fn into_stream(self) -> Events {
        match self {
            Answer::Now(events) => Box::pin(futures::stream::iter(events)),
            Answer::Streaming(priming, rest) => {
                Box::pin(futures::stream::iter(priming).chain(receiver_stream(rest)))
            }
        }
    }
}

/// One request being served in its POST's task.
pub(super) struct Call {
    id: RequestId,
    work: futures::future::BoxFuture<'static, ServerJsonRpcMessage>,
    messages: mpsc::Receiver<ServerJsonRpcMessage>,
}

impl Call {
    pub(super) fn start(
        live: &Arc<Live>,
        attached: &Attached,
        request: JsonRpcRequest<ClientRequest>,
    ) -> Self {
        let JsonRpcRequest {
            id, mut request, ..
        } = request;
        let (sender, messages) = mpsc::channel(STREAM_CAPACITY);
        let cancel = live.ended.child_token();
        let mut context = RequestContext::new(id.clone(), attached.peer.clone());
        context.ct = cancel.clone();
        std::mem::swap(&mut context.meta, request.get_meta_mut());
        std::mem::swap(&mut context.extensions, request.extensions_mut());
        context.extensions.insert(ResponseStream(sender.clone()));
        live.route(
            id.clone(),
            Route {
                messages: sender,
                cancel,
            },
        );
        let session = attached.session.clone();
        let answer_to = id.clone();
        let work = Box::pin(async move {
            match session.handle_request(request, context).await {
                Ok(result) => ServerJsonRpcMessage::response(result, answer_to),
                Err(error) => ServerJsonRpcMessage::error(error, Some(answer_to)),
            }
        });
        Self { id, work, messages }
    }

    /// Runs the handler here until it answers or says something first. An answer is sent in
    /// one piece; otherwise the handler goes on in its own task, which keeps running (and
    /// storing its events) if the client goes away.
    pub(super) async fn answer(mut self, live: Arc<Live>, retry: Option<Duration>) -> Answer {
        let log = live.log();
        // The priming event is stored while the handler runs, and the events of an answer in
        // one piece are stored without waiting for it: a store's round trips overlap (Redis
        // pipelines them on one connection). Each event's store is started after the
        // priming's, so the priming comes first in the stream.
        let mut priming = Box::pin(log.priming(retry));
        let mut primed = None;
        let first = loop {
            tokio::select! {
                biased;
                event = priming.as_mut(), if primed.is_none() => primed = Some(event),
                last = &mut self.work => break Ok(last),
                Some(first) = self.messages.recv() => break Err(first),
            }
        };
        let priming = async {
            match primed {
                Some(event) => event,
                None => priming.await,
            }
        };
        match first {
            Ok(last) => {
                live.unroute(&self.id);
                let mut messages = Vec::new();
                while let Ok(message) = self.messages.try_recv() {
                    messages.push(message);
                }
                messages.push(last);
                let rest = futures::future::join_all(messages.into_iter().map(|m| log.record(m)));
                let (priming, rest) = tokio::join!(priming, rest);
                Answer::Now(priming.into_iter().chain(rest).collect())
            }
            Err(first) => {
                let priming = priming.await;
                let (sender, receiver) = mpsc::channel(STREAM_CAPACITY);
                tokio::spawn(self.finish(live, log, first, sender));
                Answer::Streaming(priming, receiver)
            }
        }
    }

    /// Forwards what the handler sends, then its answer, and ends the stream.
    async fn finish(
        mut self,
        live: Arc<Live>,
        log: Log,
        first: ServerJsonRpcMessage,
        out: mpsc::Sender<ServerSseMessage>,
    ) {
        let forward = |message| {
            let (log, out) = (&log, &out);
            async move {
                let event = log.record(message).await;
                // A client that went away resumes from the store, if any.
                let _ = out.send(event).await;
            }
        };
        forward(first).await;
        loop {
            tokio::select! {
                biased;
                last = &mut self.work => {
                    live.unroute(&self.id);
                    while let Ok(message) = self.messages.try_recv() {
                        forward(message).await;
                    }
                    forward(last).await;
                    return;
                }
                Some(message) = self.messages.recv() => forward(message).await,
            }
        }
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
