//! Proxy servers: a [`FastMCP`] server whose components live on another MCP server.
//!
//! `FastMCP::proxy(target)` is a server like any other — middleware, transforms, mounting and
//! every transport apply to it — whose lists come from the upstream server and whose requests
//! are passed on to it as they are (names, `_meta`, structured results, errors), with their
//! progress, cancellation, logs, list changes, resource updates and the upstream's questions
//! (elicitation, sampling, roots) carried both ways.
//!
//! Upstream sessions are opened once, not per request: by default each downstream legacy
//! session gets its own upstream session (opened on its first forwarded request, closed when
//! it ends), and stateless 2026-07-28 requests share a pool of upstream connections
//! ([`Isolation`]). The upstream era mirrors the downstream's (a legacy session gets a legacy
//! upstream session), falling back to the other era when the upstream offers only that one.
//!
//! ```no_run
//! use fastmcp::FastMCP;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), fastmcp::Error> {
//!     // A stdio server, served over HTTP.
//!     let proxy = FastMCP::proxy("python3 server.py")?;
//!     proxy.run_http("127.0.0.1:8000", Default::default()).await
//! }
//! ```

mod config;
mod forward;
mod parked;
mod pool;
mod upstream;
mod watch;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use config::{IntoConfig, McpServers, ServerEntry};
pub(crate) use pool::SessionUpstreams;
pub(crate) use watch::watch_for_listener;

use self::pool::Pool;
use self::upstream::Source;
use crate::client::{Client, ClientBuilder, StdioServer};
use crate::error::Error;
use crate::server::FastMCP;
use crate::server::notify::ServerRef;

/// How many upstream connections stateless traffic may hold at once, unless
/// [`ProxyOptions::pool_size`] says otherwise.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// Which upstream session serves a downstream client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Each downstream legacy session gets an upstream session of its own, opened on its first
    /// forwarded request and closed when the downstream session ends: upstream state
    /// (subscriptions, log level, per-session visibility) is never shared between clients.
    /// Stateless 2026-07-28 requests, which have no session, use the pool.
    #[default]
    PerSession,
    /// Every downstream client uses the pool: fewer upstream sessions (processes, for a stdio
    /// upstream), but clients share the upstream's per-session state.
    Shared,
}

/// How a proxy connects and shares its upstream sessions.
///
/// ```
/// use fastmcp::proxy::{Isolation, ProxyOptions};
/// let options = ProxyOptions::new().name("gateway").isolation(Isolation::Shared).pool_size(4);
/// # drop(options);
/// ```
#[derive(Clone, Default)]
pub struct ProxyOptions {
    name: Option<String>,
    isolation: Isolation,
    pool_size: Option<usize>,
    client: Option<ClientBuilder>,
    /// Makes the OAuth client of a configured server whose `auth` is `"oauth"`.
    #[cfg(feature = "auth")]
    oauth: Option<config::Authorize>,
}

impl std::fmt::Debug for ProxyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyOptions")
            .field("name", &self.name)
            .field("isolation", &self.isolation)
            .field("pool_size", &self.pool_size)
            .finish_non_exhaustive()
    }
}

impl ProxyOptions {
    /// The defaults: per-session isolation, a pool of [`DEFAULT_POOL_SIZE`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The proxy server's name in `serverInfo` (default: `proxy`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Which upstream session serves each downstream client (see [`Isolation`]).
    pub fn isolation(mut self, isolation: Isolation) -> Self {
        self.isolation = isolation;
        self
    }

    /// How a configured remote server whose `auth` is `"oauth"` (an `mcpServers` entry) is
    /// authorized: `authorize(name, url)` gives its [`OAuth`](crate::client::OAuth) — a
    /// browser flow with a callback, a token cache. Without it such an entry is an error
    /// that names the server. (`fastmcp run`/`list`/`call` open the user's browser.)
    ///
    /// ```no_run
    /// use fastmcp::client::OAuth;
    /// use fastmcp::proxy::ProxyOptions;
    /// let options = ProxyOptions::new().oauth(|name, _url| {
    ///     Ok(OAuth::new("http://127.0.0.1:8765/callback", |authorization_url: String| async move {
    ///         println!("open {authorization_url}, then paste where it sent you:");
    ///         let mut line = String::new();
    ///         std::io::stdin().read_line(&mut line).map_err(|e| e.to_string())?;
    ///         Ok::<_, String>(line.trim().to_owned())
    ///     })
    ///     .client_name(format!("gateway for {name}")))
    /// });
    /// # drop(options);
    /// ```
    #[cfg(feature = "auth")]
    pub fn oauth<F>(mut self, authorize: F) -> Self
    where
        F: Fn(&str, &str) -> Result<crate::client::OAuth, Error> + Send + Sync + 'static,
    {
        self.oauth = Some(std::sync::Arc::new(authorize));
        self
    }

    /// How many upstream connections the pool may hold (at least one). A request waits for a
    /// free one past that.
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = Some(size.max(1));
        self
    }

    /// Connects upstream with this builder: headers, a bearer token, OAuth, timeouts. (Its
    /// handlers are replaced: the proxy passes the upstream's requests to its own client.)
    pub fn client(mut self, builder: ClientBuilder) -> Self {
        self.client = Some(builder);
        self
    }
}

/// What a proxy puts in front of: a server to connect to (as often as it needs), a connected
/// [`Client`] (shared by every downstream client), or an `mcpServers` configuration.
#[derive(Debug)]
pub enum ProxyTarget {
    /// A server the proxy connects to itself.
    Server(Box<ServerTarget>),
    /// A client already connected; every downstream client shares it, and its own handlers
    /// answer the upstream's questions.
    Client(Client),
    /// Several servers (or one), from an `mcpServers` configuration.
    Config(McpServers),
}

/// A server a proxy can connect to again and again.
#[derive(Debug, Clone)]
pub struct ServerTarget(Source);

/// Anything [`FastMCP::proxy`] accepts: a command line, a script, a URL, a path to an
/// `mcpServers` JSON file, a [`StdioServer`], an in-process [`FastMCP`], a [`Client`], an
/// [`McpServers`] value.
pub trait IntoProxyTarget {
    /// What to put the proxy in front of.
    fn into_proxy_target(self) -> Result<ProxyTarget, Error>;
}

impl IntoProxyTarget for &str {
    fn into_proxy_target(self) -> Result<ProxyTarget, Error> {
        let text = self.trim();
        if text.ends_with(".json") && std::path::Path::new(text).is_file() {
            return McpServers::from_file(text).map(ProxyTarget::Config);
        }
        Source::parse(text).map(|source| ProxyTarget::Server(Box::new(ServerTarget(source))))
    }
}

impl IntoProxyTarget for String {
    fn into_proxy_target(self) -> Result<ProxyTarget, Error> {
        self.as_str().into_proxy_target()
    }
}

impl IntoProxyTarget for &String {
    fn into_proxy_target(self) -> Result<ProxyTarget, Error> {
        self.as_str().into_proxy_target()
    }
}

impl IntoProxyTarget for FastMCP {
    fn into_proxy_target(self) -> Result<ProxyTarget, Error> {
        Ok(ProxyTarget::Server(Box::new(ServerTarget(
            Source::InProcess(self),
        ))))
    }
}

impl IntoProxyTarget for StdioServer {
    fn into_proxy_target(self) -> Result<ProxyTarget, Error> {
        Ok(ProxyTarget::Server(Box::new(ServerTarget(Source::Stdio(
            self,
        )))))
    }
}

impl IntoProxyTarget for Client {
    fn into_proxy_target(self) -> Result<ProxyTarget, Error> {
        Ok(ProxyTarget::Client(self))
    }
}

impl IntoProxyTarget for McpServers {
    fn into_proxy_target(self) -> Result<ProxyTarget, Error> {
        Ok(ProxyTarget::Config(self))
    }
}

impl IntoProxyTarget for ProxyTarget {
    fn into_proxy_target(self) -> Result<ProxyTarget, Error> {
        Ok(self)
    }
}

impl FastMCP {
    /// A server that offers what `target` offers, passing every request on to it (see the
    /// [module docs](crate::proxy)). `target`: a command line (`"python3 server.py"`,
    /// `"npx -y @modelcontextprotocol/server-everything"`), a URL, a path to an
    /// `mcpServers` JSON file, a [`StdioServer`], an in-process [`FastMCP`], a connected
    /// [`Client`] or an [`McpServers`] value. Nothing is started until a client asks.
    ///
    /// ```
    /// use fastmcp::{tool, FastMCP};
    ///
    /// #[tool]
    /// fn add(a: i64, b: i64) -> i64 {
    ///     a + b
    /// }
    ///
    /// # fn demo() -> Result<(), fastmcp::Error> {
    /// let upstream = FastMCP::new("math").tool(add);
    /// let proxy = FastMCP::proxy(upstream)?; // offers `add`
    /// # drop(proxy); Ok(()) }
    /// # demo().unwrap();
    /// ```
    pub fn proxy(target: impl IntoProxyTarget) -> Result<FastMCP, Error> {
        Self::proxy_with(target, ProxyOptions::default())
    }

    /// [`FastMCP::proxy`] with [`ProxyOptions`].
    pub fn proxy_with(
        target: impl IntoProxyTarget,
        options: ProxyOptions,
    ) -> Result<FastMCP, Error> {
        match target.into_proxy_target()? {
            ProxyTarget::Config(config) => config.proxy(options),
            ProxyTarget::Server(server) => {
                let label = server.0.describe();
                Ok(Proxy::install(Upstreams::Connect(server.0), label, options))
            }
            ProxyTarget::Client(client) => {
                let label = client
                    .server_info()
                    .map_or_else(|| "upstream".to_owned(), |info| info.name);
                Ok(Proxy::install(Upstreams::Fixed(client), label, options))
            }
        }
    }
}

/// Where a proxy's upstream sessions come from.
enum Upstreams {
    /// Connected as needed.
    Connect(Source),
    /// One client, shared.
    Fixed(Client),
}

static NEXT_PROXY: AtomicU64 = AtomicU64::new(0);

/// A proxy's upstream: how to reach it, and the connections open to it.
pub(crate) struct Proxy {
    /// Tells sessions apart from those of other proxies they reach.
    id: u64,
    /// The upstream, as errors name it.
    label: String,
    upstreams: Upstreams,
    builder: ClientBuilder,
    isolation: Isolation,
    pool: Pool,
    /// The proxy server itself, told of upstream list changes and resource updates.
    server: ServerRef,
    /// The era that worked last, for legacy and for stateless downstream traffic.
    eras: std::sync::Mutex<[Option<crate::client::Era>; 2]>,
    /// Calls waiting for a 2026-07-28 client's answers (`parked.rs`).
    parked: parked::ParkedCalls,
    /// The pooled connection each upstream task runs on.
    tasks: pool::TaskHomes,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("upstream", &self.label)
            .field("isolation", &self.isolation)
            .finish_non_exhaustive()
    }
}

impl Proxy {
    /// A new server named by `options`, in front of `upstreams`.
    fn install(upstreams: Upstreams, label: String, options: ProxyOptions) -> FastMCP {
        let name = options.name.clone().unwrap_or_else(|| "proxy".to_owned());
        let server = FastMCP::new(name);
        let proxy = Proxy {
            id: NEXT_PROXY.fetch_add(1, Ordering::Relaxed),
            label,
            upstreams,
            builder: options.client.unwrap_or_default(),
            isolation: options.isolation,
            pool: Pool::new(options.pool_size.unwrap_or(DEFAULT_POOL_SIZE)),
            server: server.downgrade(),
            eras: std::sync::Mutex::default(),
            parked: parked::ParkedCalls::default(),
            tasks: pool::TaskHomes::default(),
        };
        server.set_proxy(Arc::new(proxy));
        server
    }
}
