//! One open session: where its messages go ([`Live`]), how its events are stored ([`Log`]),
//! and the transport its rmcp service loop runs on ([`LoopTransport`]).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rmcp::model::{ClientJsonRpcMessage, GetExtensions as _, RequestId, ServerJsonRpcMessage};
use rmcp::service::{OriginatingRequestId, RequestContext, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::common::server_side_http::{ServerSseMessage, SessionId};
use rmcp::transport::streamable_http_server::session::EventStore;
use rmcp::{Peer, RoleServer};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::super::relay::{self, Relay};
use super::{BACKLOG, STREAM_CAPACITY, lock};
use crate::server::Session;
use crate::server::replicated::SessionShare;

/// One open session.
pub(crate) struct Live {
    pub(super) id: SessionId,
    /// Client messages for the service loop (boxed: a channel allocates its slots in blocks
    /// of 32, and a message is several hundred bytes, kilobytes per idle session otherwise).
    pub(super) inbox: mpsc::Sender<Box<ClientJsonRpcMessage>>,
    /// The session's handler and peer, once its `initialize` reached it.
    pub(super) attached: Arc<OnceLock<Attached>>,
    /// With replicas: tags the requests this session sends, carries answers to others'.
    pub(super) relay: Option<Arc<dyn Relay>>,
    /// The streams of requests in flight, by JSON-RPC id.
    pub(super) routes: Mutex<HashMap<RequestId, Route>>,
    /// The `GET` stream, and what waits for one.
    pub(super) common: Mutex<Common>,
    pub(super) events: Option<Arc<dyn EventStore>>,
    pub(super) next_stream: AtomicU64,
    pub(super) last_seen: Mutex<Instant>,
    /// Cancelled when the session ends: its service loop, requests and streams stop.
    pub(super) ended: CancellationToken,
    /// False while a session taken over from the store replays its handshake: requests that
    /// arrive meanwhile wait for it (rmcp only holds back those that find no session at all).
    pub(super) ready: tokio::sync::watch::Sender<bool>,
}

/// A request in flight: where its messages go, and how to cancel it.
pub(super) struct Route {
    pub(super) messages: mpsc::Sender<ServerJsonRpcMessage>,
    pub(super) cancel: CancellationToken,
}

#[derive(Default)]
pub(super) struct Common {
    pub(super) stream: Option<mpsc::Sender<ServerSseMessage>>,
    pub(super) backlog: VecDeque<ServerSseMessage>,
}

/// A session's [`Session`] and rmcp peer, handed over by its `initialize` (see [`attach`]).
pub(crate) struct Attached {
    pub(super) session: Session,
    pub(super) peer: Peer<RoleServer>,
}

/// Put in a session's `initialize` request so its handler hands itself over ([`attach`]),
/// with the session's id and, with replicas, where they share it.
#[derive(Clone)]
pub(crate) struct AttachTo {
    pub(super) slot: Arc<OnceLock<Attached>>,
    pub(super) id: SessionId,
    pub(super) share: Option<Arc<dyn SessionShare>>,
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
    pub(crate) fn attached(&self) -> Option<&Attached> {
        self.attached.get()
    }

    pub(super) fn touch(&self) {
        *lock(&self.last_seen) = Instant::now();
    }

    pub(super) fn idle_for(&self) -> Duration {
        lock(&self.last_seen).elapsed()
    }

    /// No request in flight.
    pub(super) fn is_quiet(&self) -> bool {
        lock(&self.routes).is_empty()
    }

    /// Waits until the session's handshake is done: true, or the session ended: false.
    pub(super) async fn until_ready(&self) -> bool {
        let mut ready = self.ready.subscribe();
        tokio::select! {
            done = ready.wait_for(|ready| *ready) => done.is_ok(),
            () = self.ended.cancelled() => false,
        }
    }

    pub(super) fn end(&self) {
        self.ended.cancel();
        lock(&self.routes).clear();
        lock(&self.common).stream = None;
    }

    pub(super) fn route(&self, id: RequestId, route: Route) {
        lock(&self.routes).insert(id, route);
    }

    pub(super) fn unroute(&self, id: &RequestId) {
        lock(&self.routes).remove(id);
    }

    pub(super) fn route_of(&self, id: &RequestId) -> Option<mpsc::Sender<ServerJsonRpcMessage>> {
        lock(&self.routes)
            .get(id)
            .map(|route| route.messages.clone())
    }

    /// A new stream's log: where its events are stored, if anywhere.
    pub(super) fn log(&self) -> Log {
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
    pub(super) async fn deliver(&self, message: ServerJsonRpcMessage) {
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
    pub(super) async fn broadcast(&self, message: ServerJsonRpcMessage) {
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
    pub(super) fn follows_shared_stream(&self) -> bool {
        self.relay.is_some() && self.events.is_some()
    }

    pub(super) fn common_log(&self) -> Log {
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
    pub(super) fn open_common(&self) -> Option<mpsc::Receiver<ServerSseMessage>> {
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
pub(super) fn common_stream(id: &str) -> String {
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
pub(super) struct Log {
    pub(super) events: Option<Arc<dyn EventStore>>,
    pub(super) name: String,
}

impl Log {
    /// `message` as an SSE event, stored first (and given its id) when there is a store.
    pub(super) async fn record(&self, message: ServerJsonRpcMessage) -> ServerSseMessage {
        self.store(ServerSseMessage::from_message(message)).await
    }

    /// The event that opens a resumable stream: an id to resume from and the retry delay.
    pub(super) async fn priming(&self, retry: Option<Duration>) -> Option<ServerSseMessage> {
        let retry = retry?;
        self.events.as_ref()?;
        Some(self.store(ServerSseMessage::retry(retry)).await)
    }

    pub(super) async fn store(&self, mut event: ServerSseMessage) -> ServerSseMessage {
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
pub(crate) struct LoopTransport {
    pub(super) live: Arc<Live>,
    pub(super) inbox: mpsc::Receiver<Box<ClientJsonRpcMessage>>,
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
