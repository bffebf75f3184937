//! [`Redis`]: state shared by replicas, in Redis or Valkey.
//!
//! Keys, all under a prefix (default `fastmcp`):
//! - `{prefix}:secret` — 32 random bytes, written once by the first replica (`SET NX`) and read
//!   by every other. The `requestState` key and stream tokens are derived from it, so replicas
//!   agree on them without configuration, and nobody without access to the store can forge
//!   them.
//! - `{prefix}:events:{token}` — one Redis stream per SSE stream, `token` a keyed hash of the
//!   stream's name. Entries carry the message (`m`, JSON), the retry hint (`r`, milliseconds)
//!   and, on the entry that carries the response, `end`. Trimmed to the newest
//!   [`EventLimits::per_stream`] entries; the key expires [`EventLimits::idle_ttl`] after its
//!   last event, [`EventLimits::finished_ttl`] after its response.
//!
//! An event id is `{token}.{entry id}`: any replica can resume it (the entry id orders the
//! stream), and a client cannot reach a stream whose token it was not given.

use std::sync::Arc;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, MultiplexedConnection};
use ::redis::streams::{StreamId, StreamRangeReply, StreamReadReply};
use ::redis::{AsyncConnectionConfig, Client, RedisError};
use rmcp::model::ServerJsonRpcMessage;
use rmcp::transport::common::server_side_http::ServerSseMessage;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::error::Error;
use crate::server::{
    EventLimits, EventStore, EventStoreError, EventStream, SessionStore, SessionStoreError,
    StoredSession,
};

/// The prefix of every key, unless [`Redis::prefix`] says otherwise.
const DEFAULT_PREFIX: &str = "fastmcp";

/// How long a legacy session is kept, unless [`Redis::session_ttl`] says otherwise.
const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Entries read per round trip when replaying.
const PAGE: usize = 100;

/// How long one blocking read for a stream's next event waits before looking again whether
/// the stream still exists.
const TAIL_WAIT: Duration = Duration::from_secs(5);

/// A connection to Redis or Valkey, and what the server keeps there.
///
/// Cheap to clone: clones share one multiplexed connection (reconnected when it drops).
///
/// ```no_run
/// # async fn demo() -> Result<(), fastmcp::Error> {
/// let redis = fastmcp::stores::Redis::connect("redis://127.0.0.1:6379")
///     .await?
///     .prefix("my-app")
///     .await?;
/// let events = redis.event_store();
/// # let _ = events; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Redis {
    client: Client,
    connection: ConnectionManager,
    prefix: Arc<str>,
    secret: Arc<[u8; 32]>,
    /// How long a legacy session is kept after it starts.
    session_ttl: Duration,
    /// The bounds of every event stream.
    limits: EventLimits,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// Connects to `url` (`redis://host:port/db`, `rediss://…` is not built in,
    /// `redis+unix:///path/to/socket`) and reads (or, first of all replicas, writes) the shared
    /// secret under the default prefix `fastmcp`.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        let client = Client::open(url).map_err(|error| store_error("invalid Redis URL", error))?;
        let connection = client
            .get_connection_manager()
            .await
            .map_err(|error| store_error(format!("cannot connect to Redis at {url}"), error))?;
        let mut redis = Self {
            client,
            connection,
            prefix: DEFAULT_PREFIX.into(),
            secret: Arc::new([0; 32]),
            session_ttl: DEFAULT_SESSION_TTL,
            limits: EventLimits::default(),
        };
        redis.secret = Arc::new(redis.shared_secret().await?);
        Ok(redis)
    }

    /// Keeps everything under `prefix` instead (several applications on one store). Replicas
    /// of one server must use the same prefix.
    pub async fn prefix(mut self, prefix: impl Into<String>) -> Result<Self, Error> {
        self.prefix = prefix.into().into();
        self.secret = Arc::new(self.shared_secret().await?);
        Ok(self)
    }

    /// Keeps legacy sessions (their `initialize` and what they keep) for `ttl` after they
    /// start (default 24 hours), in the stores made from here on.
    pub fn session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// Keeps a stream's events for `ttl` after its last one, open or finished (default 5
    /// minutes for an open stream, 60 s for a finished one), in the stores made from here on.
    pub fn events_ttl(mut self, ttl: Duration) -> Self {
        self.limits.idle_ttl = ttl;
        self.limits.finished_ttl = ttl;
        self
    }

    /// How long a legacy session is kept after it starts.
    pub(crate) fn session_ttl_setting(&self) -> Duration {
        self.session_ttl
    }

    /// The key every replica seals `requestState` with (derived from the shared secret): hand
    /// it to [`FastMCP::request_state_key`](crate::FastMCP::request_state_key).
    pub fn request_state_key(&self) -> Vec<u8> {
        self.derive(b"request-state", b"").to_vec()
    }

    /// An event store in this Redis, with the default bounds (or those of
    /// [`events_ttl`](Self::events_ttl)).
    pub fn event_store(&self) -> RedisEventStore {
        self.event_store_with_limits(self.limits)
    }

    /// An event store in this Redis, with the given bounds (`total` does not apply: Redis's
    /// own `maxmemory` policy bounds the whole).
    pub fn event_store_with_limits(&self, limits: EventLimits) -> RedisEventStore {
        RedisEventStore {
            redis: self.clone(),
            limits: EventLimits {
                per_stream: limits.per_stream.max(1),
                ..limits
            },
        }
    }

    /// A session store in this Redis: legacy sessions continue on any replica. Records expire
    /// 24 hours (or [`session_ttl`](Self::session_ttl)) after the session's `initialize`.
    pub fn session_store(&self) -> RedisSessionStore {
        self.session_store_with_ttl(self.session_ttl)
    }

    /// A session store whose records expire `ttl` after the session's `initialize`.
    pub fn session_store_with_ttl(&self, ttl: Duration) -> RedisSessionStore {
        RedisSessionStore {
            redis: self.clone(),
            ttl,
        }
    }

    /// `{prefix}:secret`: written by the first replica, read by the others.
    async fn shared_secret(&self) -> Result<[u8; 32], Error> {
        let key = format!("{}:secret", self.prefix);
        let candidate = crate::server::new_secret_key()?;
        let mut connection = self.connection.clone();
        ::redis::cmd("SET")
            .arg(&key)
            .arg(&candidate[..])
            .arg("NX")
            .query_async::<()>(&mut connection)
            .await
            .map_err(|error| store_error("cannot write the shared secret", error))?;
        let stored: Vec<u8> = ::redis::cmd("GET")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .map_err(|error| store_error("cannot read the shared secret", error))?;
        stored.try_into().map_err(|stored: Vec<u8>| Error::Store {
            message: format!("{key} holds {} bytes, not 32", stored.len()),
            source: "unexpected value".into(),
        })
    }

    /// A value only holders of the shared secret can compute, for `purpose` and `input`.
    fn derive(&self, purpose: &[u8], input: &[u8]) -> [u8; 32] {
        Sha256::new()
            .chain_update(&self.secret[..])
            .chain_update(purpose)
            .chain_update((input.len() as u64).to_le_bytes())
            .chain_update(input)
            .finalize()
            .into()
    }

    fn stream_token(&self, stream: &str) -> String {
        hex(&self.derive(b"stream", stream.as_bytes())[..16])
    }

    fn events_key(&self, token: &str) -> String {
        format!("{}:events:{token}", self.prefix)
    }

    /// `{prefix}:{name}`.
    pub(super) fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// The shared multiplexed connection.
    pub(super) fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    /// A connection subscribed to `{prefix}:{channel}`.
    pub(super) async fn subscribe(&self, channel: &str) -> Result<::redis::aio::PubSub, Error> {
        let mut pubsub = self
            .client
            .get_async_pubsub()
            .await
            .map_err(|error| store_error("cannot open a subscription to Redis", error))?;
        pubsub
            .subscribe(self.key(channel))
            .await
            .map_err(|error| store_error(format!("cannot subscribe to {channel}"), error))?;
        Ok(pubsub)
    }

    /// The events of stream `token` after entry `after`, then new ones as any replica adds
    /// them. With a `cursor` key, the replay follows a stream that has no end (a session's
    /// `GET` stream): it starts after the entry recorded there (the stream's start when none),
    /// records each entry it sends, and lasts until the client goes away.
    fn replay(&self, token: String, after: String, cursor: Option<String>) -> EventStream {
        let (sender, receiver) = mpsc::channel(PAGE);
        let replay = Replay {
            redis: self.clone(),
            key: self.events_key(&token),
            token,
            after,
            cursor,
            sender,
        };
        tokio::spawn(replay.run());
        Box::pin(crate::server::http::sessions::receiver_stream(receiver))
    }

    /// Follows the event stream named `stream` (as the server names it when storing events)
    /// from the first entry no follower has sent yet: a session's `GET` stream, whichever
    /// replica writes to it and whichever one the client's `GET` reaches.
    pub(crate) fn follow(&self, stream: &str) -> EventStream {
        let token = self.stream_token(stream);
        let cursor = self.key(&format!("sent:{token}"));
        self.replay(token, "0-0".to_owned(), Some(cursor))
    }

    /// Hands each message of `pubsub` to `handle` until `stop` is cancelled, `handle` says
    /// to stop (`false`), or the subscription closes (warned about as `lost`: what stops
    /// working then).
    pub(super) async fn each_message<F, Fut>(
        mut pubsub: ::redis::aio::PubSub,
        stop: tokio_util::sync::CancellationToken,
        lost: &'static str,
        mut handle: F,
    ) where
        F: FnMut(::redis::Msg) -> Fut,
        Fut: Future<Output = bool>,
    {
        use futures::StreamExt as _;
        let mut messages = pubsub.on_message();
        loop {
            let message = tokio::select! {
                () = stop.cancelled() => return,
                message = messages.next() => message,
            };
            let Some(message) = message else {
                tracing::warn!("a Redis subscription closed: {lost}");
                return;
            };
            if !handle(message).await {
                return;
            }
        }
    }

    /// A connection of its own, for blocking reads (they would hold up the shared one).
    pub(super) async fn blocking_connection(&self) -> Result<MultiplexedConnection, RedisError> {
        let config = AsyncConnectionConfig::new().set_response_timeout(None);
        self.client
            .get_multiplexed_async_connection_with_config(&config)
            .await
    }
}

/// Resumable SSE streams kept in Redis: a client can resume with `Last-Event-ID` through any
/// replica, including the live tail of a stream another replica is still writing. Made by
/// [`Redis::event_store`]; hand it to [`HttpOptions::event_store`](crate::server::HttpOptions::event_store).
#[derive(Clone, Debug)]
pub struct RedisEventStore {
    redis: Redis,
    limits: EventLimits,
}

#[async_trait::async_trait]
impl EventStore for RedisEventStore {
    async fn store_event(
        &self,
        stream_id: &str,
        event: &ServerSseMessage,
    ) -> Result<String, EventStoreError> {
        let token = self.redis.stream_token(stream_id);
        let key = self.redis.events_key(&token);
        let ends = event.message.as_deref().is_some_and(is_response);
        let mut add = ::redis::cmd("XADD");
        add.arg(&key)
            .arg("MAXLEN")
            .arg(self.limits.per_stream)
            .arg("*");
        if let Some(message) = &event.message {
            add.arg("m").arg(serde_json::to_vec(&**message)?);
        }
        if let Some(retry) = event.retry {
            add.arg("r")
                .arg(u64::try_from(retry.as_millis()).unwrap_or(u64::MAX));
        }
        if ends {
            add.arg("end").arg(1);
        }
        if event.message.is_none() && event.retry.is_none() {
            add.arg("-").arg(1);
        }
        let ttl = if ends {
            self.limits.finished_ttl
        } else {
            self.limits.idle_ttl
        };
        let (entry,): (String,) = ::redis::pipe()
            .add_command(add)
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX))
            .ignore()
            .query_async(&mut self.redis.connection.clone())
            .await?;
        Ok(format!("{token}.{entry}"))
    }

    async fn replay_events_after(
        &self,
        last_event_id: &str,
    ) -> Result<EventStream, EventStoreError> {
        let (token, after) = parse_id(last_event_id)?;
        let key = self.redis.events_key(token);
        self.check_resumable(&key, last_event_id, after).await?;
        Ok(self.redis.replay(token.to_owned(), after.to_owned(), None))
    }
}

impl RedisEventStore {
    /// Resuming after an event the store no longer has would skip events: an error instead.
    async fn check_resumable(
        &self,
        key: &str,
        id: &str,
        after: &str,
    ) -> Result<(), EventStoreError> {
        let found: StreamRangeReply = ::redis::cmd("XRANGE")
            .arg(key)
            .arg(after)
            .arg(after)
            .query_async(&mut self.redis.connection.clone())
            .await?;
        if !found.ids.is_empty() {
            return Ok(());
        }
        let exists: bool = ::redis::cmd("EXISTS")
            .arg(key)
            .query_async(&mut self.redis.connection.clone())
            .await?;
        Err(if exists {
            format!(
                "events after {id:?} are no longer stored (the store keeps the last {} per stream)",
                self.limits.per_stream
            )
        } else {
            format!("no stored stream for event {id:?}")
        }
        .into())
    }
}

/// Legacy sessions kept in Redis (`{prefix}:session:{id}`: the client's `initialize`), so a
/// session opened on one replica continues on another: the replica that does not know it
/// replays the handshake from here. Made by [`Redis::session_store`]; hand it to
/// [`HttpOptions::session_store`](crate::server::HttpOptions::session_store).
#[derive(Clone, Debug)]
pub struct RedisSessionStore {
    redis: Redis,
    ttl: Duration,
}

impl RedisSessionStore {
    fn key(&self, id: &str) -> String {
        self.redis.key(&format!("session:{id}"))
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisSessionStore {
    async fn load(&self, id: &str) -> Result<Option<StoredSession>, SessionStoreError> {
        let stored: Option<Vec<u8>> = ::redis::cmd("GET")
            .arg(self.key(id))
            .query_async(&mut self.redis.connection())
            .await?;
        Ok(match stored {
            Some(json) => Some(serde_json::from_slice(&json)?),
            None => None,
        })
    }

    async fn store(&self, id: &str, state: &StoredSession) -> Result<(), SessionStoreError> {
        ::redis::cmd("SET")
            .arg(self.key(id))
            .arg(serde_json::to_vec(state)?)
            .arg("PX")
            .arg(u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX))
            .query_async::<()>(&mut self.redis.connection())
            .await?;
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<(), SessionStoreError> {
        ::redis::cmd("DEL")
            .arg(self.key(id))
            .query_async::<()>(&mut self.redis.connection())
            .await?;
        Ok(())
    }
}

/// One resumption: stored events at once, then new ones as any replica adds them, until the
/// response; ends early when the client goes away or the stream expires. (A followed stream,
/// with a `cursor`, ends only when the client goes away.)
struct Replay {
    redis: Redis,
    key: String,
    token: String,
    after: String,
    /// Where the last entry sent to a follower is recorded.
    cursor: Option<String>,
    sender: mpsc::Sender<ServerSseMessage>,
}

/// How long a follower's record of the last entry sent is kept.
const CURSOR_TTL: Duration = Duration::from_secs(24 * 60 * 60);

impl Replay {
    async fn run(mut self) {
        if let Err(error) = self.start_at_cursor().await {
            tracing::warn!(%error, stream = %self.key, "cannot read where the stream was left");
            return;
        }
        if let Err(error) = self.forward().await {
            tracing::warn!(%error, stream = %self.key, "replay from Redis stopped");
        }
    }

    async fn start_at_cursor(&mut self) -> Result<(), EventStoreError> {
        let Some(cursor) = &self.cursor else {
            return Ok(());
        };
        let sent: Option<String> = ::redis::cmd("GET")
            .arg(cursor)
            .query_async(&mut self.redis.connection.clone())
            .await?;
        if let Some(sent) = sent {
            self.after = sent;
        }
        Ok(())
    }

    async fn forward(&mut self) -> Result<(), EventStoreError> {
        let mut tail: Option<MultiplexedConnection> = None;
        loop {
            let page: StreamRangeReply = ::redis::cmd("XRANGE")
                .arg(&self.key)
                .arg(format!("({}", self.after))
                .arg("+")
                .arg("COUNT")
                .arg(PAGE)
                .query_async(&mut self.redis.connection.clone())
                .await?;
            if page.ids.is_empty() {
                if !self.wait(&mut tail).await? {
                    return Ok(());
                }
                continue;
            }
            for entry in page.ids {
                if self.send(entry).await? {
                    return Ok(());
                }
            }
        }
    }

    /// Sends one entry; `true` when the stream is over (its response sent, or nobody listens).
    async fn send(&mut self, entry: StreamId) -> Result<bool, EventStoreError> {
        let ends = entry.map.contains_key("end");
        let event = self.event(&entry)?;
        self.after = entry.id;
        if self.sender.send(event).await.is_err() {
            return Ok(true);
        }
        if let Some(cursor) = &self.cursor {
            ::redis::cmd("SET")
                .arg(cursor)
                .arg(&self.after)
                .arg("PX")
                .arg(CURSOR_TTL.as_millis() as u64)
                .query_async::<()>(&mut self.redis.connection.clone())
                .await?;
        }
        Ok(ends)
    }

    fn event(&self, entry: &StreamId) -> Result<ServerSseMessage, EventStoreError> {
        let mut event = match entry.get::<Vec<u8>>("m") {
            Some(json) => ServerSseMessage::from_message(serde_json::from_slice::<
                ServerJsonRpcMessage,
            >(&json)?),
            None => ServerSseMessage::retry(Duration::ZERO),
        };
        event.retry = entry.get::<u64>("r").map(Duration::from_millis);
        event.event_id = Some(format!("{}.{}", self.token, entry.id));
        Ok(event)
    }

    /// Waits for the stream's next entry; `false` when the stream is gone or the client left.
    async fn wait(
        &mut self,
        tail: &mut Option<MultiplexedConnection>,
    ) -> Result<bool, EventStoreError> {
        if self.sender.is_closed() {
            return Ok(false);
        }
        let connection = match tail {
            Some(connection) => connection,
            None => tail.insert(self.redis.blocking_connection().await?),
        };
        let read: Option<StreamReadReply> = ::redis::cmd("XREAD")
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(u64::try_from(TAIL_WAIT.as_millis()).unwrap_or(u64::MAX))
            .arg("STREAMS")
            .arg(&self.key)
            .arg(&self.after)
            .query_async(connection)
            .await?;
        if read.is_some_and(|read| read.keys.iter().any(|key| !key.ids.is_empty())) {
            return Ok(true);
        }
        if self.cursor.is_some() {
            // A followed stream may not exist yet: nobody has sent the session anything.
            return Ok(!self.sender.is_closed());
        }
        let exists: bool = ::redis::cmd("EXISTS")
            .arg(&self.key)
            .query_async(&mut self.redis.connection.clone())
            .await?;
        Ok(exists)
    }
}

/// `{token}.{entry id}` → its parts, checked for shape (the token's validity shows in whether
/// its stream exists).
fn parse_id(id: &str) -> Result<(&str, &str), EventStoreError> {
    let malformed = || format!("malformed Last-Event-ID {id:?}");
    let (token, entry) = id.split_once('.').ok_or_else(malformed)?;
    let (ms, seq) = entry.split_once('-').ok_or_else(malformed)?;
    let hex_token = token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex_token || ms.parse::<u64>().is_err() || seq.parse::<u64>().is_err() {
        return Err(malformed().into());
    }
    Ok((token, entry))
}

fn is_response(message: &ServerJsonRpcMessage) -> bool {
    matches!(
        message,
        ServerJsonRpcMessage::Response(_) | ServerJsonRpcMessage::Error(_)
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn store_error(message: impl Into<String>, error: RedisError) -> Error {
    Error::Store {
        message: message.into(),
        source: error.into(),
    }
}
