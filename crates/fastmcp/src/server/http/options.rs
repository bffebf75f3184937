//! [`HttpOptions`]: how the HTTP endpoint behaves.

use std::sync::Arc;
use std::time::Duration;

use rmcp::transport::StreamableHttpServerConfig;
use tokio_util::sync::CancellationToken;

use super::events::{EventStore, MemoryEventStore};

pub use rmcp::transport::streamable_http_server::session::{
    SessionState as StoredSession, SessionStore, SessionStoreError,
};

/// How the HTTP endpoint behaves.
///
/// ```
/// use fastmcp::server::HttpOptions;
/// let options = HttpOptions::default().path("/api/mcp").stateless(true).json_response(true);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct HttpOptions {
    path: String,
    stateless: bool,
    json_response: bool,
    allowed_hosts: Option<Vec<String>>,
    allowed_origins: Vec<String>,
    max_body_bytes: Option<usize>,
    pub(super) session_idle_timeout: Option<Duration>,
    pub(super) max_sessions: Option<usize>,
    event_store: Events,
    pub(super) session_store: Option<Arc<dyn SessionStore>>,
    pub(super) relay: Option<Arc<dyn super::relay::Relay>>,
    /// Where replicas keep what they share of each session (`shared_through`).
    pub(super) session_share: Option<Arc<dyn crate::server::replicated::SessionShare>>,
}

/// Which event store serves `Last-Event-ID` resumption.
#[derive(Clone)]
enum Events {
    /// A [`MemoryEventStore`] with sessions; none stateless.
    Default,
    Custom(Arc<dyn EventStore>),
    Off,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Events::Default => "Default",
            Events::Custom(_) => "Custom",
            Events::Off => "Off",
        })
    }
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            path: "/mcp".into(),
            stateless: false,
            json_response: false,
            allowed_hosts: None,
            allowed_origins: Vec::new(),
            max_body_bytes: None,
            session_idle_timeout: Some(Duration::from_secs(300)),
            max_sessions: Some(10_000),
            event_store: Events::Default,
            session_store: None,
            relay: None,
            session_share: None,
        }
    }
}

impl HttpOptions {
    /// The endpoint path (default `/mcp`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Serve without sessions: every request stands alone (the 2026-07-28 protocol is always
    /// served this way; this makes legacy clients stateless too).
    pub fn stateless(mut self, stateless: bool) -> Self {
        self.stateless = stateless;
        self
    }

    /// Answer simple request/response calls with `application/json` instead of an SSE stream
    /// (a call that sends notifications still streams).
    pub fn json_response(mut self, json: bool) -> Self {
        self.json_response = json;
        self
    }

    /// The `Host` values accepted (default: loopback names only, against DNS rebinding).
    /// An empty list accepts any host.
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Browser `Origin`s accepted beyond the defaults (`https://app.example.com`,
    /// `http://localhost:*`, `null`). By default a request is served when it has no `Origin`
    /// (it does not come from a web page), when its `Origin` is the server itself (the host
    /// and port of its `Host` header), or when a loopback page calls a server reached on
    /// loopback; any other `Origin` gets `403 Forbidden`.
    pub fn allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// The largest request body accepted; bigger ones get `413`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = Some(bytes);
        self
    }

    /// Closes sessions idle this long (default five minutes; `None` keeps them forever).
    pub fn session_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.session_idle_timeout = timeout;
        self
    }

    /// The most sessions alive at once (default 10 000; `None` for no cap). A client asking
    /// for a new session beyond it gets `503 Service Unavailable`.
    pub fn max_sessions(mut self, max: Option<usize>) -> Self {
        self.max_sessions = max;
        self
    }

    /// Stores every SSE event so a client whose stream dropped can resume it with
    /// `Last-Event-ID` and miss nothing, even after the response was sent
    /// ([`MemoryEventStore`] keeps them in memory; implement [`EventStore`] to share them
    /// between instances).
    ///
    /// Default: a [`MemoryEventStore`] with sessions, none stateless (where a dropped stream
    /// cancels its request; with a store, the request runs on and can be resumed).
    ///
    /// A client resumes whatever stream an event id names, so a store of your own must make
    /// ids that cannot be guessed from other ids (`MemoryEventStore` tags each with a keyed
    /// hash).
    pub fn event_store(mut self, store: impl EventStore) -> Self {
        self.event_store = Events::Custom(Arc::new(store));
        self
    }

    /// Keeps each legacy session's `initialize` in `store`, so a replica that does not know a
    /// session (it was opened on another one, or before a restart) takes it over: the handshake
    /// is replayed from the store and the request served, instead of `404`. See
    /// [`Redis::session_store`](crate::stores::Redis::session_store) (feature `redis`).
    pub fn session_store(mut self, store: impl SessionStore) -> Self {
        self.session_store = Some(Arc::new(store));
        self
    }

    /// Everything replicas of a server with sessions share, in `redis`: events
    /// ([`Redis::event_store`](crate::stores::Redis::event_store)), sessions
    /// ([`Redis::session_store`](crate::stores::Redis::session_store)), and the answers clients
    /// send to a session's server→client requests (sampling, elicitation), carried to the
    /// replica that asked.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), fastmcp::Error> {
    /// let redis = fastmcp::stores::Redis::connect("redis://127.0.0.1:6379").await?;
    /// let options = fastmcp::server::HttpOptions::default().shared_through(&redis).await?;
    /// # let _ = options; Ok(()) }
    /// ```
    #[cfg(feature = "redis")]
    pub async fn shared_through(
        mut self,
        redis: &crate::stores::Redis,
    ) -> Result<Self, crate::Error> {
        self.relay = Some(Arc::new(
            crate::stores::relay::RedisRelay::start(redis).await?,
        ));
        self.session_share = Some(Arc::new(
            crate::stores::session_share::RedisSessionShare::new(
                redis,
                redis.session_ttl_setting(),
            ),
        ));
        Ok(self
            .event_store(redis.event_store())
            .session_store(redis.session_store()))
    }

    /// Serves without an event store: sessions resume only from rmcp's small per-stream
    /// cache, which forgets a request's events once its response is sent.
    pub fn without_event_store(mut self) -> Self {
        self.event_store = Events::Off;
        self
    }

    pub(super) fn event_store_for_mode(&self) -> Option<Arc<dyn EventStore>> {
        match &self.event_store {
            Events::Default if self.stateless => None,
            Events::Default => Some(Arc::new(MemoryEventStore::default())),
            Events::Custom(store) => Some(Arc::clone(store)),
            Events::Off => None,
        }
    }

    pub(crate) fn path_str(&self) -> &str {
        &self.path
    }

    pub(super) fn origin_entries(&self) -> &[String] {
        &self.allowed_origins
    }

    pub(crate) fn is_stateless(&self) -> bool {
        self.stateless
    }

    pub(super) fn rmcp_config(&self, shutdown: CancellationToken) -> StreamableHttpServerConfig {
        let mut config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(!self.stateless)
            .with_json_response(self.json_response)
            .with_cancellation_token(shutdown);
        if let Some(hosts) = &self.allowed_hosts {
            config = if hosts.is_empty() {
                config.disable_allowed_hosts()
            } else {
                config.with_allowed_hosts(hosts.clone())
            };
        }
        // Origins are checked before rmcp sees a request (`origin.rs`).
        if let Some(bytes) = self.max_body_bytes {
            config = config.with_max_request_body_bytes(bytes);
        }
        config.session_store = self.session_store.clone();
        config
    }
}
