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

mod events;

use std::sync::Arc;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, MultiplexedConnection};
use ::redis::{AsyncConnectionConfig, Client, RedisError};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::server::{EventLimits, SessionStore, SessionStoreError, StoredSession};
pub use events::RedisEventStore;

/// The prefix of every key, unless [`Redis::prefix`] says otherwise.
const DEFAULT_PREFIX: &str = "fastmcp";

/// How long a legacy session is kept, unless [`Redis::session_ttl`] says otherwise.
const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(24 * 60 * 60);

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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn store_error(message: impl Into<String>, error: RedisError) -> Error {
    Error::Store {
        message: message.into(),
        source: error.into(),
    }
}
