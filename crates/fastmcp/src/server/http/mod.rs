//! Serving over Streamable HTTP: an axum [`Router`] to embed, or [`FastMCP::run_http`].
//!
//! rmcp's Streamable HTTP service reads and checks requests (the stateless 2026-07-28
//! protocol, JSON-response mode, Host validation, a body limit); FastMCP answers the common
//! stateless requests itself (`direct.rs`), checks `Origin` (`origin.rs`) and bearer tokens
//! (`guard.rs`), and runs legacy sessions (`Mcp-Session-Id`, SSE streams, `DELETE`) on its
//! own session manager (`sessions.rs`).

mod direct;
mod events;
#[cfg(feature = "server-auth")]
mod guard;
mod listener;
mod options;
mod origin;
pub(crate) mod relay;
pub(crate) mod request;
pub(crate) mod sessions;

use crate::protocol::header;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use rmcp::transport::StreamableHttpService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use direct::Direct;
pub use events::{EventLimits, EventStore, EventStoreError, EventStream, MemoryEventStore};
use listener::{no_delay, wait_for_signal};
pub use options::{HttpOptions, SessionStore, SessionStoreError, StoredSession};
use origin::OriginPolicy;
pub use request::HttpRequest;
pub(crate) use sessions::attach;
use sessions::{Manager, Sessions};

use super::{FastMCP, Session};
use crate::error::Error;

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
        self.router(options, shutdown, None)
    }

    /// The router, refusing new work once `draining` is cancelled (if given).
    fn router(
        &self,
        options: HttpOptions,
        sessions_end: CancellationToken,
        draining: Option<CancellationToken>,
    ) -> Router {
        let server = self.clone();
        let event_store = options.event_store_for_mode();
        let persists_streams = event_store.is_some();
        let config = options.rmcp_config(sessions_end.clone());
        let sessions = Arc::new(Sessions::new(
            event_store,
            options.relay.clone(),
            options.session_share.clone(),
            config.sse_retry,
            options.session_idle_timeout,
        ));
        sessions.listen_to_relay();
        if let Some(replicas) = sessions.replica_sessions() {
            self.reach_replica_sessions(replicas);
        }
        // Streams of requests outside sessions are stored for resumption when there is a
        // store: rmcp's path does that, so the direct path leaves those requests to it.
        let direct = Direct::new(
            self.clone(),
            &config,
            sessions_end,
            Arc::clone(&sessions),
            !persists_streams,
        );
        #[cfg(feature = "server-auth")]
        let auth = self.auth_setting().cloned();
        let endpoint = Arc::new(Endpoint {
            #[cfg(feature = "server-auth")]
            guard: auth
                .clone()
                .map(|auth| guard::Guard::new(self.clone(), auth, options.path_str())),
            origins: OriginPolicy::new(options.origin_entries()),
            direct,
            max_body_bytes: config.max_request_body_bytes,
            rmcp: StreamableHttpService::new(
                move || server.session().map_err(std::io::Error::other),
                Arc::new(Manager::new(Arc::clone(&sessions))),
                config,
            ),
        });
        let router = Router::new().route(
            options.path_str(),
            axum::routing::any(move |request| serve(Arc::clone(&endpoint), request)),
        );
        #[cfg(feature = "server-auth")]
        let router = match auth {
            Some(auth) => guard::metadata_route(router, auth, options.path_str()),
            None => router,
        };
        let gate = Arc::new(Gate {
            sessions,
            max_sessions: options.max_sessions.filter(|_| !options.is_stateless()),
            takes_over: options.session_store.is_some(),
            draining,
        });
        if gate.max_sessions.is_none() && gate.draining.is_none() {
            return router;
        }
        router.layer(axum::middleware::from_fn(move |request, next| {
            admit(Arc::clone(&gate), request, next)
        }))
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
        tracing::info!(address = ?local, path = %options.path_str(), "serving MCP over HTTP");
        // Shutdown in two steps: stop accepting and let running handlers finish (their results
        // go out on their streams), then end the sessions, which closes long-lived streams.
        // While draining the server keeps accepting connections (a client may need one to
        // resume the stream that carries its result) but refuses new sessions; once running
        // calls are done, the sessions end and the server stops.
        let sessions = CancellationToken::new();
        let app = self.router(options, sessions.clone(), Some(shutdown.clone()));
        let listener = no_delay(listener);
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
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { sessions.cancelled().await })
            .await;
        self.leave().await;
        served.map_err(Error::from)
    }
}

/// What answers requests at the MCP path.
struct Endpoint {
    origins: OriginPolicy,
    /// Checks bearer tokens, when the server has auth.
    #[cfg(feature = "server-auth")]
    guard: Option<guard::Guard>,
    /// FastMCP's direct path.
    direct: Direct,
    rmcp: StreamableHttpService<Session, Manager>,
    max_body_bytes: usize,
}

/// Checks `Origin`, then serves `request` on FastMCP's direct path if it can, otherwise with
/// rmcp's service.
async fn serve(endpoint: Arc<Endpoint>, mut request: Request) -> Response {
    if let Err(forbidden) = endpoint.origins.check(request.headers()) {
        return *forbidden;
    }
    #[allow(unused_mut)] // mutated with auth on
    let mut info = HttpRequest::new(&request);
    #[cfg(feature = "server-auth")]
    if let Some(guard) = &endpoint.guard {
        match guard.admit(request.headers()).await {
            Ok(token) => info.access_token = Some(token),
            Err(refusal) => return *refusal,
        }
    }
    request.extensions_mut().insert(Arc::new(info));
    let check_body = |parts: &http::request::Parts, body: &[u8]| -> Result<(), Box<Response>> {
        #[cfg(feature = "server-auth")]
        if let Some(guard) = &endpoint.guard {
            return guard.admit_body(parts, body);
        }
        let _ = (parts, body);
        Ok(())
    };
    let request = match endpoint.direct.try_serve(request, &check_body).await {
        Ok(response) => return response,
        Err(request) => request,
    };
    if request.method() == http::Method::DELETE {
        let mut response = endpoint.rmcp.handle(request).await.map(Body::new);
        // rmcp says `202` for a closed session; the Python and TypeScript SDKs answer `200`, and
        // the Python client logs any other status as a failed termination.
        if response.status() == http::StatusCode::ACCEPTED {
            *response.status_mut() = http::StatusCode::OK;
        }
        return response;
    }
    if request.method() != http::Method::POST || !direct::content_is_json(request.headers()) {
        return endpoint.rmcp.handle(request).await.map(Body::new);
    }
    // rmcp answers a body it cannot read with `415`; JSON-RPC wants `400` and -32700 (not
    // JSON) or -32600 (not a message). Keep the body to tell which.
    let (parts, body) = request.into_parts();
    let bytes = match read_body(body, endpoint.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(response) => return *response,
    };
    #[cfg(feature = "server-auth")]
    if let Some(guard) = &endpoint.guard
        && let Err(refusal) = guard.admit_body(&parts, &bytes)
    {
        return *refusal;
    }
    let request = Request::from_parts(parts, Body::from(bytes.clone()));
    let response = endpoint.rmcp.handle(request).await;
    if response.status() == http::StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return direct::unreadable_body(&bytes);
    }
    response.map(Body::new)
}

/// The whole body, or the answer to a body over `max` bytes (`413`) or one that broke off.
async fn read_body(body: Body, max: usize) -> Result<axum::body::Bytes, Box<Response>> {
    use futures::StreamExt as _;
    let mut collected = Vec::new();
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|error| {
            Box::new(status(
                http::StatusCode::BAD_REQUEST,
                format!("Bad Request: the body broke off: {error}"),
            ))
        })?;
        if chunk.len() > max.saturating_sub(collected.len()) {
            return Err(Box::new(status(
                http::StatusCode::PAYLOAD_TOO_LARGE,
                format!("Payload Too Large: request body exceeds {max} bytes"),
            )));
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(collected.into())
}

fn status(code: http::StatusCode, text: String) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = code;
    response
}

/// What decides whether a request may start new work.
struct Gate {
    sessions: Arc<Sessions>,
    max_sessions: Option<usize>,
    /// Sessions unknown here are taken over from a session store.
    takes_over: bool,
    /// Cancelled when a graceful shutdown starts.
    draining: Option<CancellationToken>,
}

/// Answers `503 Service Unavailable` to a request that would start new work outside a
/// session (a POST without `Mcp-Session-Id`) during a graceful shutdown, and to one that would
/// open one session too many. A legacy `initialize` opens a session; a 2026-07-28 request (it
/// names its method in `Mcp-Method`) does not; with replicas, a request in a session this
/// replica does not hold takes it over from the store, which opens one here too.
async fn admit(
    gate: Arc<Gate>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let headers = request.headers();
    if let (Some(max), Some(id)) = (gate.max_sessions, headers.get(header::MCP_SESSION_ID))
        && gate.takes_over
        && gate.sessions.len() >= max
        && id.to_str().is_ok_and(|id| gate.sessions.get(id).is_err())
    {
        tracing::warn!(
            max,
            "refusing to take a session over: too many live sessions"
        );
        return unavailable("too many sessions; try again later");
    }
    let sessionless =
        request.method() == http::Method::POST && !headers.contains_key(header::MCP_SESSION_ID);
    if sessionless {
        if gate
            .draining
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
        {
            return unavailable("the server is shutting down");
        }
        let opens_session = headers
            .get(header::MCP_METHOD)
            .is_none_or(|method| method.as_bytes() == b"initialize");
        if let Some(max) = gate.max_sessions
            && opens_session
            && gate.sessions.len() >= max
        {
            tracing::warn!(max, "refusing a new session: too many live sessions");
            return unavailable("too many sessions; try again later");
        }
    }
    next.run(request).await
}

fn unavailable(reason: &'static str) -> axum::response::Response {
    let mut response = axum::response::Response::new(axum::body::Body::from(reason));
    *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
    response.headers_mut().insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static("1"),
    );
    response
}

/// How long a graceful shutdown waits for running calls.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// How long a graceful shutdown lets the last results leave before closing sessions.
const RESULT_FLUSH: Duration = Duration::from_millis(250);
