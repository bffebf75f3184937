//! The server: [`FastMCP`] holds the components; each connection gets a [`Session`] that
//! implements rmcp's `ServerHandler`, so any rmcp transport can serve it.

#[cfg(feature = "server-auth")]
pub mod auth;
mod components;
pub(crate) mod context;
mod dispatch;
mod elicitation;
mod handlers;
#[cfg(feature = "http-server")]
pub(crate) mod http;
pub(crate) mod input;
mod lifespan;
mod lists;
pub(crate) mod mount;
pub(crate) mod notify;
mod outbound;
pub(crate) mod param;
mod progress;
mod refusals;
pub(crate) mod registry;
pub(crate) mod replicated;
mod run;
mod sampling;
pub(crate) mod scopes;
mod secret;
mod session;
pub(crate) mod session_state;
mod tasks;

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::service::ServerInitializeError;
use rmcp::transport::IntoTransport;

pub use context::Context;
pub use elicitation::Elicitation;
#[cfg(feature = "http-server")]
pub use http::{
    EventLimits, EventStore, EventStoreError, EventStream, HttpOptions, HttpRequest,
    MemoryEventStore, SessionStore, SessionStoreError, StoredSession,
};
pub use mount::MountOptions;
pub use registry::{DuplicatePolicy, Filter};
#[cfg(feature = "client")]
pub(crate) use run::REQUEST_CANCELLED;
pub use sampling::{SampleRequest, SampleResult};
pub use session::Session;
#[cfg(feature = "client")]
pub(crate) use tasks::task_id;

use self::components::Components;
use self::context::SessionState;
use crate::error::Error;
use crate::utilities::CacheHint;

/// The default coalescing interval for progress notifications.
pub const DEFAULT_PROGRESS_INTERVAL: Duration = Duration::from_millis(20);

/// How many tools may run as tasks at once unless [`FastMCP::max_running_tasks`] says otherwise.
pub const DEFAULT_MAX_RUNNING_TASKS: usize = 1_000;

/// An MCP server: a name, its tools, and how it runs.
///
/// Cheap to clone; clones share the same components, so a tool added through one is visible
/// through all.
///
/// ```no_run
/// use fastmcp::{tool, FastMCP};
///
/// /// Add two numbers.
/// #[tool]
/// fn add(a: i64, b: i64) -> i64 {
///     a + b
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), fastmcp::Error> {
///     FastMCP::new("calculator").tool(add).run_stdio().await
/// }
/// ```
#[derive(Clone)]
pub struct FastMCP {
    config: Arc<Config>,
    shared: Arc<Shared>,
}

/// What every clone of a server shares: its components and its live sessions.
#[derive(Default)]
struct Shared {
    components: RwLock<Components>,
    /// Live sessions by number, for notifications; each removes itself when it ends.
    sessions: Mutex<std::collections::HashMap<u64, std::sync::Weak<SessionState>>>,
    listeners: Mutex<Vec<notify::Listener>>,
    state: lifespan::StateMap,
    running: lifespan::Running,
    /// Handlers running right now.
    busy: tokio_util::task::TaskTracker,
    live: tokio::sync::watch::Sender<usize>,
    /// Tools running as tasks, server-wide (2026-07-28 requests belong to no session).
    tasks: rmcp::task_manager::TaskManager,
    /// Seals `requestState` unless the config names a key: made on first use.
    state_codec: std::sync::OnceLock<rmcp::model::RequestStateCodec>,
    /// Servers mounted in this one, in mount order.
    mounts: RwLock<Vec<mount::Mount>>,
    /// Bumped on every list change and resource update (of this server or a mounted one), so
    /// cached answers can tell they are stale.
    changes: std::sync::atomic::AtomicU64,
    /// Servers this one is mounted in: told when its lists change.
    parents: Mutex<Vec<notify::Parent>>,
    /// Where this server's components live if it is a proxy (`FastMCP::proxy`).
    #[cfg(feature = "client")]
    proxy: std::sync::OnceLock<Arc<crate::proxy::Proxy>>,
    /// How this server's tasks are reached from other replicas (`FastMCP::share_tasks`).
    #[cfg(feature = "redis")]
    shared_tasks: std::sync::OnceLock<crate::stores::tasks::SharedTasks>,
    /// With replicas sharing sessions: how resource updates and list changes reach the
    /// sessions of every replica (set when the server starts serving HTTP).
    replica_sessions: std::sync::OnceLock<replicated::ReplicaSessions>,
    /// How list changes reach other replicas' listeners (`FastMCP::share_changes`).
    #[cfg(feature = "redis")]
    shared_changes: std::sync::OnceLock<crate::stores::changes::SharedChanges>,
}

#[derive(Clone)]
struct Config {
    name: String,
    version: String,
    title: Option<String>,
    instructions: Option<String>,
    progress_interval: Option<Duration>,
    page_size: Option<usize>,
    /// The cache hint on 2026-07-28 lists; `None` leaves rmcp's "not cacheable".
    list_cache_hint: Option<CacheHint>,
    /// Tasks that may run at once (SEP-2663); past it, new task calls are refused.
    max_running_tasks: usize,
    /// How often clients are asked to poll a task.
    task_poll_interval: Duration,
    /// How long a task is kept after it starts (`ttlMs`).
    task_ttl: Duration,
    on_duplicate: DuplicatePolicy,
    /// Seals `requestState` between 2026-07-28 input rounds, if the user gave the key.
    state_codec: Option<Arc<rmcp::model::RequestStateCodec>>,
    startup: Vec<lifespan::Hook>,
    shutdown: Vec<lifespan::Hook>,
    /// Middleware, outermost first, then the transforms (the last `transforms` entries).
    middleware: Vec<Arc<dyn crate::middleware::Middleware>>,
    transforms: usize,
    /// Checks bearer tokens on HTTP (`FastMCP::auth`).
    #[cfg(feature = "server-auth")]
    auth: Option<Arc<auth::RemoteAuth>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("progress_interval", &self.progress_interval)
            .field("page_size", &self.page_size)
            .field("on_duplicate", &self.on_duplicate)
            .field("middleware", &self.middleware.len())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for FastMCP {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastMCP")
            .field("config", &self.config)
            .field("components", &*self.components())
            .finish()
    }
}

impl FastMCP {
    /// A server with this name and no components.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            config: Arc::new(Config {
                name: name.into(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
                title: None,
                instructions: None,
                progress_interval: Some(DEFAULT_PROGRESS_INTERVAL),
                page_size: None,
                list_cache_hint: None,
                max_running_tasks: DEFAULT_MAX_RUNNING_TASKS,
                task_poll_interval: Duration::from_secs(1),
                task_ttl: Duration::from_secs(60),
                on_duplicate: DuplicatePolicy::Error,
                state_codec: None,
                startup: Vec::new(),
                shutdown: Vec::new(),
                middleware: Vec::new(),
                transforms: 0,
                #[cfg(feature = "server-auth")]
                auth: None,
            }),
            shared: Arc::default(),
        }
    }

    /// Checks a bearer token on every HTTP request (a verifier, or a [`RemoteAuth`](auth::RemoteAuth)
    /// naming the authorization servers): requests without a good token get `401`, the
    /// Protected Resource Metadata is served at `/.well-known/oauth-protected-resource{path}`,
    /// and components declared with scopes (`#[tool(scopes = ["admin"])]`) are listed and
    /// served only to tokens that grant them. stdio and in-memory connections are not checked.
    ///
    /// ```
    /// use fastmcp::FastMCP;
    /// use fastmcp::server::auth::StaticTokens;
    /// let server = FastMCP::new("dev").auth(StaticTokens::new().token("dev-token", ["admin"]));
    /// # let _ = server;
    /// ```
    #[cfg(feature = "server-auth")]
    pub fn auth(mut self, auth: impl Into<auth::RemoteAuth>) -> Self {
        Arc::make_mut(&mut self.config).auth = Some(Arc::new(auth.into()));
        self
    }

    #[cfg(feature = "server-auth")]
    pub(crate) fn auth_setting(&self) -> Option<&Arc<auth::RemoteAuth>> {
        self.config.auth.as_ref()
    }

    /// Makes this server a proxy in front of `proxy`'s upstream.
    #[cfg(feature = "client")]
    pub(crate) fn set_proxy(&self, proxy: Arc<crate::proxy::Proxy>) {
        let _ = self.shared.proxy.set(proxy);
    }

    /// The upstream this server is a proxy of, if it is one.
    #[cfg(feature = "client")]
    pub(crate) fn proxied(&self) -> Option<&Arc<crate::proxy::Proxy>> {
        self.shared.proxy.get()
    }

    /// Whether this server is a proxy (never without the `client` feature).
    pub(crate) fn is_proxy(&self) -> bool {
        #[cfg(feature = "client")]
        return self.proxied().is_some();
        #[cfg(not(feature = "client"))]
        false
    }

    /// The server's name, as sent in `serverInfo`.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Sets the version sent in `serverInfo` (default: this crate's version).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.config).version = version.into();
        self
    }

    /// Sets a human-readable title sent in `serverInfo`.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.config).title = Some(title.into());
        self
    }

    /// Sets instructions telling clients (and models) how to use the server.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.config).instructions = Some(instructions.into());
        self
    }

    /// Sets how progress bursts are coalesced: at most one notification per `interval` per
    /// request, always ending with the newest value. `None` sends every value (no coalescing).
    /// Default: [`DEFAULT_PROGRESS_INTERVAL`].
    pub fn progress_interval(mut self, interval: Option<Duration>) -> Self {
        Arc::make_mut(&mut self.config).progress_interval = interval;
        self
    }

    /// Splits every list (`tools/list`, `resources/list`, …) into pages of `size` items with
    /// opaque cursors. Default: no pagination.
    pub fn page_size(mut self, size: usize) -> Self {
        Arc::make_mut(&mut self.config).page_size = Some(size);
        self
    }

    /// How long 2026-07-28 clients may reuse `tools/list`, `resources/list`,
    /// `resources/templates/list` and `prompts/list` results, and who may share them (see
    /// [`CacheHint`]). Default: not cacheable. Clients still hear `list_changed` when a list
    /// changes, so a long hint is safe for servers whose components change rarely.
    pub fn list_cache_hint(mut self, hint: CacheHint) -> Self {
        Arc::make_mut(&mut self.config).list_cache_hint = Some(hint);
        self
    }

    pub(crate) fn list_cache_hint_setting(&self) -> Option<CacheHint> {
        self.config.list_cache_hint
    }

    /// How many tools may run as tasks at once (default 1,000). A task call beyond it is
    /// refused with an error saying to retry later; finished tasks do not count.
    pub fn max_running_tasks(mut self, max: usize) -> Self {
        Arc::make_mut(&mut self.config).max_running_tasks = max;
        self
    }

    pub(crate) fn max_running_tasks_setting(&self) -> usize {
        self.config.max_running_tasks
    }

    /// The `pollIntervalMs` tasks suggest to clients (default one second).
    pub fn task_poll_interval(mut self, interval: Duration) -> Self {
        Arc::make_mut(&mut self.config).task_poll_interval = interval;
        self
    }

    /// How long a task and its result are kept from its start (`ttlMs`; default one minute).
    /// Finished tasks are forgotten after it, which bounds what a busy server holds.
    pub fn task_ttl(mut self, ttl: Duration) -> Self {
        Arc::make_mut(&mut self.config).task_ttl = ttl;
        self
    }

    pub(crate) fn task_options(&self) -> rmcp::task_manager::TaskOptions {
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1);
        rmcp::task_manager::TaskOptions::new()
            .with_poll_interval_ms(millis(self.config.task_poll_interval))
            .with_ttl_ms(millis(self.config.task_ttl))
    }

    /// Adds `middleware` around every message the server receives. The first added is the
    /// outermost (it sees a request first and its answer last). See [`crate::middleware`].
    ///
    /// ```
    /// use fastmcp::middleware::{Logging, Timing};
    /// let server = fastmcp::FastMCP::new("demo").middleware(Logging::new()).middleware(Timing::new());
    /// # drop(server);
    /// ```
    pub fn middleware(mut self, middleware: impl crate::middleware::Middleware) -> Self {
        let config = Arc::make_mut(&mut self.config);
        // After the other middleware, before (outside) the transforms.
        let at = config.middleware.len() - config.transforms;
        config.middleware.insert(at, Arc::new(middleware));
        self
    }

    /// Adds a transform (see [`crate::transforms`]): it reshapes what the server offers, inside
    /// all middleware; the first added is innermost (applied first to the components).
    ///
    /// ```
    /// use fastmcp::transforms::Namespace;
    /// let server = fastmcp::FastMCP::new("demo").transform(Namespace::new("demo"));
    /// # drop(server);
    /// ```
    pub fn transform(mut self, transform: impl crate::middleware::Middleware) -> Self {
        let config = Arc::make_mut(&mut self.config);
        let at = config.middleware.len() - config.transforms;
        config.middleware.insert(at, Arc::new(transform));
        config.transforms += 1;
        self
    }

    /// Adds a [`tower::Layer`] around every request, as middleware (so `tower`'s timeout,
    /// concurrency limit or load shedding work unchanged). Its service's errors reach the
    /// client as JSON-RPC errors: an [`ErrorData`](crate::types::ErrorData) as it is, anything
    /// else as an internal error with its message.
    ///
    /// ```
    /// use std::time::Duration;
    /// let server = fastmcp::FastMCP::new("demo")
    ///     .layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(30)));
    /// # drop(server);
    /// ```
    pub fn layer<L>(self, layer: L) -> Self
    where
        L: tower::Layer<crate::middleware::McpService>,
        L::Service: tower::Service<crate::middleware::McpRequest, Response = rmcp::model::ServerResult>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<crate::middleware::McpRequest>>::Error:
            Into<crate::error::BoxError>,
        <L::Service as tower::Service<crate::middleware::McpRequest>>::Future: Send,
    {
        self.middleware(crate::middleware::TowerLayer::new(
            layer.layer(crate::middleware::McpService::new()),
        ))
    }

    pub(crate) fn middleware_chain(&self) -> &[Arc<dyn crate::middleware::Middleware>] {
        &self.config.middleware
    }

    /// What registering a component whose name (and version) is taken does. Default: an error.
    pub fn on_duplicate(mut self, policy: DuplicatePolicy) -> Self {
        Arc::make_mut(&mut self.config).on_duplicate = policy;
        self
    }

    /// The key that signs `requestState` between 2026-07-28 input rounds (at least 32 bytes).
    /// By default each server makes a random one; set the same key on every instance when
    /// several serve one client base behind a load balancer.
    ///
    /// To change the key of running replicas, see [`FastMCP::request_state_keys`].
    pub fn request_state_key(self, key: impl Into<Vec<u8>>) -> Result<Self, Error> {
        // A keyring of one, so a later rotation's keyring opens what this key sealed.
        self.request_state_keys(key, None)
    }

    /// Seals `requestState` with `current` and still opens what `previous` sealed: rotate the key
    /// of replicas without failing the input rounds in flight. Deploy with the new key as
    /// `current` and the old one as `previous`; once the old values have expired (they carry
    /// their own expiry), drop `previous`. Keys are at least 32 bytes.
    ///
    /// ```
    /// let server = fastmcp::FastMCP::new("demo")
    ///     .request_state_keys(vec![7u8; 32], Some(vec![9u8; 32]))
    ///     .unwrap();
    /// # let _ = server;
    /// ```
    pub fn request_state_keys(
        mut self,
        current: impl Into<Vec<u8>>,
        previous: Option<Vec<u8>>,
    ) -> Result<Self, Error> {
        let current = current.into();
        let active = key_id(&current);
        let mut ring = vec![(active.clone(), current)];
        if let Some(previous) = previous {
            ring.push((key_id(&previous), previous));
        }
        ring.dedup_by(|a, b| a.0 == b.0);
        let codec = rmcp::model::RequestStateCodec::new_with_keyring(active, ring)
            .map_err(|error| Error::Registration(format!("invalid request state key: {error}")))?;
        Arc::make_mut(&mut self.config).state_codec = Some(Arc::new(codec));
        Ok(self)
    }

    /// Whether a `requestState` key was configured (rather than made by this process).
    #[cfg(feature = "redis")]
    pub(crate) fn has_request_state_key(&self) -> bool {
        self.config.state_codec.is_some()
    }

    /// The codec sealing `requestState`: the configured key's, or one with a key of its own.
    pub(crate) fn state_codec(&self) -> Result<&rmcp::model::RequestStateCodec, Error> {
        if let Some(codec) = &self.config.state_codec {
            return Ok(codec);
        }
        if let Some(codec) = self.shared.state_codec.get() {
            return Ok(codec);
        }
        let key = secret::secret()?.new_key();
        Ok(self
            .shared
            .state_codec
            .get_or_init(|| rmcp::model::RequestStateCodec::new_unchecked(key.to_vec())))
    }

    /// A new session: the per-connection handler. Hand it to any rmcp transport or service
    /// (for example rmcp's streamable HTTP service factory).
    ///
    /// Fails only if the OS random source does ([`Error::Randomness`]).
    pub fn session(&self) -> Result<Session, Error> {
        let state = Arc::new(SessionState::new(secret::secret()?));
        state.track(self.live_session(Arc::downgrade(&state)));
        Ok(Session::new(self.clone(), state))
    }

    /// The handler for one 2026-07-28 request: it has no session to count or notify.
    #[cfg(feature = "http-server")]
    pub(crate) fn request_session(&self) -> Result<Session, Error> {
        let state = SessionState::new(secret::secret()?);
        Ok(Session::new(self.clone(), Arc::new(state)))
    }

    /// Serves one connection over `transport` until the client disconnects.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), fastmcp::Error> {
    /// let server = fastmcp::FastMCP::new("demo");
    /// let (server_side, client_side) = fastmcp::transports::memory();
    /// tokio::spawn(async move { server.serve(server_side).await });
    /// let client = fastmcp::Client::connect(client_side).await?;
    /// client.ping().await?;
    /// # Ok(()) }
    /// ```
    pub async fn serve<T, E, A>(&self, transport: T) -> Result<(), Error>
    where
        T: IntoTransport<RoleServer, E, A>,
        E: std::error::Error + Send + Sync + 'static,
    {
        self.enter().await?;
        let result = self.serve_connection(transport).await;
        self.leave().await;
        result
    }

    async fn serve_connection<T, E, A>(&self, transport: T) -> Result<(), Error>
    where
        T: IntoTransport<RoleServer, E, A>,
        E: std::error::Error + Send + Sync + 'static,
    {
        let running = match rmcp::serve_server(self.session()?, transport).await {
            Ok(running) => running,
            Err(ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
            Err(error) => return Err(Error::connect_from(error.to_string(), error)),
        };
        running
            .waiting()
            .await
            .map_err(|error| Error::closed_from(format!("server task failed: {error}"), error))?;
        Ok(())
    }

    /// Serves one client over this process's stdin and stdout.
    pub async fn run_stdio(&self) -> Result<(), Error> {
        self.serve(crate::transports::stdio()).await
    }

    pub(crate) fn progress_interval_setting(&self) -> Option<Duration> {
        self.config.progress_interval
    }

    pub(crate) fn page_size_setting(&self) -> Option<usize> {
        self.config.page_size
    }

    pub(crate) fn server_info(&self) -> crate::types::Implementation {
        let mut info = crate::types::Implementation::new(&self.config.name, &self.config.version);
        info.title = self.config.title.clone();
        info
    }

    pub(crate) fn instructions_text(&self) -> Option<&str> {
        self.config.instructions.as_deref()
    }
}

/// 256 fresh bits from the process's secret (for a store's shared secret).
#[cfg(feature = "redis")]
pub(crate) fn new_secret_key() -> Result<[u8; 32], Error> {
    Ok(secret::secret()?.new_key())
}

/// A key's id in a `requestState` keyring: the same on every replica that has the key, and
/// telling nothing of it.
fn key_id(key: &[u8]) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(key);
    digest[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A fresh unguessable id (a replica's, a reply key's).
#[cfg(feature = "redis")]
pub(crate) fn new_replica_id() -> Result<String, Error> {
    Ok(secret::secret()?.new_id())
}

/// A server, not kept alive (what a background task answers for).
#[cfg(feature = "redis")]
#[derive(Clone)]
pub(crate) struct WeakServer {
    config: Arc<Config>,
    shared: std::sync::Weak<Shared>,
}

#[cfg(feature = "redis")]
impl WeakServer {
    pub(crate) fn upgrade(&self) -> Option<FastMCP> {
        Some(FastMCP {
            config: Arc::clone(&self.config),
            shared: self.shared.upgrade()?,
        })
    }
}
