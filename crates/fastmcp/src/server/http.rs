//! Serving over Streamable HTTP: an axum [`Router`] to embed, or [`FastMCP::run_http`].
//!
//! Built on rmcp's Streamable HTTP service: legacy sessions (`Mcp-Session-Id`, SSE
//! streams, `DELETE`), the stateless 2026-07-28 protocol, JSON-response mode, Host/Origin
//! validation and a request body limit.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::FastMCP;
use crate::error::Error;

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
    session_idle_timeout: Option<Duration>,
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

    /// The browser `Origin`s accepted (`https://app.example.com`, `http://localhost:*`).
    /// Default: none checked.
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

    fn rmcp_config(&self, shutdown: CancellationToken) -> StreamableHttpServerConfig {
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
        if !self.allowed_origins.is_empty() {
            config = config.with_allowed_origins(self.allowed_origins.clone());
        }
        if let Some(bytes) = self.max_body_bytes {
            config = config.with_max_request_body_bytes(bytes);
        }
        config
    }
}

impl FastMCP {
    /// An axum router serving MCP at `options`' path; merge your own routes into it.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use fastmcp::{FastMCP, server::HttpOptions};
    /// let app = FastMCP::new("demo")
    ///     .http_router(HttpOptions::default(), Default::default())
    ///     .route("/health", axum::routing::get(|| async { "ok" }));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    /// axum::serve(listener, app).await?;
    /// # Ok(()) }
    /// ```
    pub fn http_router(&self, options: HttpOptions, shutdown: CancellationToken) -> Router {
        let server = self.clone();
        let mut sessions = LocalSessionManager::default();
        sessions.session_config.keep_alive = options.session_idle_timeout;
        let service = StreamableHttpService::new(
            move || Ok(server.session()),
            Arc::new(sessions),
            options.rmcp_config(shutdown),
        );
        Router::new().route_service(&options.path, service)
    }

    /// Serves over HTTP at `addr` (`127.0.0.1:8000`) until Ctrl-C or SIGTERM, then finishes
    /// in-flight requests and returns.
    pub async fn run_http(
        &self,
        addr: impl tokio::net::ToSocketAddrs,
        options: HttpOptions,
    ) -> Result<(), Error> {
        let listener = TcpListener::bind(addr).await?;
        let shutdown = CancellationToken::new();
        let signal = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            signal.cancel();
        });
        self.serve_http(listener, options, shutdown).await
    }

    /// Serves over HTTP on an already-bound listener until `shutdown` is cancelled. Use port
    /// 0 and [`TcpListener::local_addr`] for an OS-chosen port.
    pub async fn serve_http(
        &self,
        listener: TcpListener,
        options: HttpOptions,
        shutdown: CancellationToken,
    ) -> Result<(), Error> {
        let local: Option<SocketAddr> = listener.local_addr().ok();
        tracing::info!(address = ?local, path = %options.path, "serving MCP over HTTP");
        // Shutdown in two steps: stop accepting and let running handlers finish (their results
        // go out on their streams), then end the sessions, which closes long-lived streams.
        // While draining the server keeps accepting connections (a client may need one to
        // resume the stream that carries its result) but refuses new sessions; once running
        // calls are done, the sessions end and the server stops.
        let sessions = CancellationToken::new();
        let draining = shutdown.clone();
        let app = self
            .http_router(options, sessions.clone())
            .layer(axum::middleware::from_fn(move |request, next| {
                refuse_new_sessions_while_draining(draining.clone(), request, next)
            }));
        let listener = NoDelay(listener);
        self.enter().await?;
        let server = self.clone();
        let drain = sessions.clone();
        tokio::spawn(async move {
            shutdown.cancelled().await;
            if tokio::time::timeout(SHUTDOWN_GRACE, server.idle())
                .await
                .is_err()
            {
                tracing::warn!("shutting down with calls still running after {SHUTDOWN_GRACE:?}");
            }
            // A finished handler's result is still on its way out through the session's
            // stream; give it a moment before the sessions (and their streams) end.
            tokio::time::sleep(RESULT_FLUSH).await;
            drain.cancel();
        });
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { sessions.cancelled().await })
            .await;
        self.leave().await;
        served.map_err(Error::from)
    }
}

/// During a graceful shutdown, answers a request that would start a new session (a POST
/// without `Mcp-Session-Id`) with `503 Service Unavailable`.
async fn refuse_new_sessions_while_draining(
    draining: CancellationToken,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let new_session =
        request.method() == http::Method::POST && !request.headers().contains_key("mcp-session-id");
    if draining.is_cancelled() && new_session {
        let mut response =
            axum::response::Response::new(axum::body::Body::from("the server is shutting down"));
        *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
        return response;
    }
    next.run(request).await
}

/// How long a graceful shutdown waits for running calls.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// How long a graceful shutdown lets the last results leave before closing sessions.
const RESULT_FLUSH: Duration = Duration::from_millis(250);

/// Sets `TCP_NODELAY` on every accepted connection: without it, Nagle's algorithm holds small
/// responses back for tens of milliseconds.
struct NoDelay(TcpListener);

impl axum::serve::Listener for NoDelay {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    if let Err(error) = stream.set_nodelay(true) {
                        tracing::debug!(%error, "cannot set TCP_NODELAY");
                    }
                    return (stream, addr);
                }
                Err(error) => {
                    // Out of file descriptors and similar: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
