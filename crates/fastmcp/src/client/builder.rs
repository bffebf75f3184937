//! [`ClientBuilder`]: what a [`Client`] is made with — handlers, era, timeouts, credentials —
//! and where it connects.

use std::sync::Arc;
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::model::Root;
use rmcp::transport::Transport;

#[cfg(feature = "auth")]
use super::auth::{self, ClientCredentials, EnterpriseManaged, OAuth, WorkloadIdentity};
use super::handler::{ElicitationRequest, ElicitationResponse, Handlers, LogMessage, handler};
use super::handshake::{Handshake, Probe};
use super::progress::{self, SharedProgressHandler};
use super::stdio::ServerProcess;
use super::target::{IntoTarget, Target};
use super::{Client, Era, HttpTransport};
use crate::error::Error;
use crate::types::{CreateMessageRequestParams, CreateMessageResult, ServerNotification};

/// Configures a [`Client`] before connecting.
#[must_use = "call .connect(target) to connect"]
#[derive(Clone)]
pub struct ClientBuilder {
    pub(super) name: String,
    pub(super) progress_handler: SharedProgressHandler,
    pub(super) default_timeout: Option<Duration>,
    pub(super) handlers: Handlers,
    pub(super) era: Era,
    pub(super) http_transport: HttpTransport,
    pub(super) connect_timeout: Duration,
    pub(super) tasks: bool,
    pub(super) headers: Vec<(String, String)>,
    pub(super) bearer_token: Option<String>,
    pub(super) capabilities: Option<rmcp::model::ClientCapabilities>,
    #[cfg(feature = "auth")]
    pub(super) auth: Option<Authorization>,
}

/// How the client authorizes with an HTTP server that requires it.
#[cfg(feature = "auth")]
#[derive(Clone, Debug)]
pub(super) enum Authorization {
    OAuth(auth::OAuth),
    ClientCredentials(auth::ClientCredentials),
    EnterpriseManaged(auth::EnterpriseManaged),
    WorkloadIdentity(auth::WorkloadIdentity),
}

/// How long the handshake may take by default.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            name: "fastmcp".into(),
            progress_handler: progress::default_handler(),
            default_timeout: None,
            handlers: Handlers::default(),
            era: Era::default(),
            http_transport: HttpTransport::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            tasks: false,
            headers: Vec::new(),
            bearer_token: None,
            capabilities: None,
            #[cfg(feature = "auth")]
            auth: None,
        }
    }
}

impl ClientBuilder {
    /// The name sent as `clientInfo.name` (default `fastmcp`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The client-wide progress handler, an async closure `|progress, total, message| …`
    /// (default: [`default_progress_handler`](super::default_progress_handler)); a per-call handler replaces it for that call.
    pub fn progress_handler<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(f64, Option<f64>, Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: progress::HandlerOutcome,
    {
        self.progress_handler = Arc::new(handler);
        self
    }

    /// The timeout for every request that does not set its own (default: none).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.default_timeout = Some(timeout);
        self
    }

    /// How long connecting (starting the server, the handshake) may take (default 60 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Which protocol era to speak (default [`Era::Auto`]).
    pub fn era(mut self, era: Era) -> Self {
        self.era = era;
        self
    }

    /// Which HTTP transport to speak to a URL: Streamable HTTP with a fallback to the legacy
    /// HTTP+SSE transport (the default), or one of them only.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), fastmcp::Error> {
    /// use fastmcp::client::{Client, HttpTransport};
    /// let old = Client::builder()
    ///     .http_transport(HttpTransport::Sse)
    ///     .connect("http://127.0.0.1:8000/sse")
    ///     .await?;
    /// # let _ = old; Ok(()) }
    /// ```
    pub fn http_transport(mut self, transport: HttpTransport) -> Self {
        self.http_transport = transport;
        self
    }

    /// Answers the server's sampling requests (`sampling/createMessage`): given the messages,
    /// produce the model's reply. Declares the sampling capability.
    pub fn sampling_handler<F, Fut, E>(mut self, f: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let f = std::sync::Arc::new(f);
        self.handlers.sampling = Some(handler(move |params| {
            let future = f(params);
            async move { future.await.map_err(|error| error.to_string()) }
        }));
        self
    }

    /// Answers the server's requests for user input (`elicitation/create`, form and URL
    /// modes). Declares the elicitation capability.
    pub fn elicitation_handler<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(ElicitationRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ElicitationResponse> + Send + 'static,
    {
        self.handlers.elicitation = Some(handler(f));
        self
    }

    /// The roots (directories, repositories) the server may work in; declares the roots
    /// capability. For roots that change, see [`roots_handler`](Self::roots_handler).
    pub fn roots(self, roots: Vec<Root>) -> Self {
        self.roots_handler(move || std::future::ready(roots.clone()))
    }

    /// Computes the roots each time the server asks.
    pub fn roots_handler<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<Root>> + Send + 'static,
    {
        self.handlers.roots = Some(handler(move |()| f()));
        self
    }

    /// Receives the server's log messages (default: [`log_server_message`](super::log_server_message), onto `tracing`).
    pub fn log_handler<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(LogMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.handlers.log = Some(handler(f));
        self
    }

    /// Declares the tasks extension (SEP-2663), so the server may run any task-supporting tool
    /// as a task. Either way, a call to a tool that *requires* a task is retried as a task
    /// when the server says so, and a task is followed to its result: `tasks/get` at the
    /// server's poll interval, its questions answered by this client's handlers through
    /// `tasks/update`, `tasks/cancel` if the call is dropped. Default: off (no polling delay
    /// for tools that can answer directly).
    pub fn tasks(mut self, declare: bool) -> Self {
        self.tasks = declare;
        self
    }

    /// Answers the server's input requests (sampling, elicitation, roots) as they came, in
    /// place of the typed handlers: how a proxy passes them to its own client.
    pub(crate) fn forward_input<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(rmcp::model::InputRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<serde_json::Value, rmcp::model::ErrorData>> + Send + 'static,
    {
        self.handlers.forward = Some(handler(f));
        self
    }

    /// The era this builder connects in.
    pub(crate) fn era_setting(&self) -> Era {
        self.era
    }

    /// Declares `capabilities` instead of what the handlers imply.
    pub(crate) fn declare(mut self, capabilities: rmcp::model::ClientCapabilities) -> Self {
        self.capabilities = Some(capabilities);
        self
    }

    /// Receives every other server notification (list changes, resource updates, custom).
    pub fn message_handler<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(ServerNotification) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.handlers.message = Some(handler(f));
        self
    }

    /// Connects to `target`: an in-process [`FastMCP`](crate::FastMCP), a
    /// [`StdioServer`](super::StdioServer), a transport, or a string (a command line, or an `http(s)://` URL).
    pub async fn connect(self, target: impl IntoTarget) -> Result<Client, Error> {
        match target.into_target()? {
            Target::InProcess(server) => {
                let (server_side, client_side) = crate::transports::memory();
                tokio::spawn(async move {
                    if let Err(error) = server.serve(server_side).await {
                        tracing::warn!(%error, "in-process server stopped");
                    }
                });
                self.start(client_side, None).await
            }
            Target::Stdio(command) => {
                let (transport, process) = command.spawn()?;
                self.start(transport, Some(process)).await
            }
            Target::Transport(transport) => self.start(*transport, None).await,
            Target::Url(url) => self.connect_url(url).await,
        }
    }

    /// Sends this header with every HTTP request (HTTP targets only).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `Authorization: Bearer <token>` with every HTTP request (HTTP targets only).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Whether an authorization (OAuth or a grant) has been given.
    pub(crate) fn has_authorization(&self) -> bool {
        #[cfg(feature = "auth")]
        return self.auth.is_some();
        #[cfg(not(feature = "auth"))]
        false
    }

    /// Authorizes with OAuth 2.1 when the server answers `401` (HTTP targets only); see
    /// [`OAuth`](super::OAuth).
    #[cfg(feature = "auth")]
    pub fn oauth(mut self, oauth: OAuth) -> Self {
        self.auth = Some(Authorization::OAuth(oauth));
        self
    }

    /// Authorizes as a machine client with the OAuth client credentials grant when the
    /// server answers `401` (HTTP targets only).
    #[cfg(feature = "auth")]
    pub fn client_credentials(mut self, credentials: ClientCredentials) -> Self {
        self.auth = Some(Authorization::ClientCredentials(credentials));
        self
    }

    /// Authorizes with enterprise-managed authorization (SEP-990) when the server answers
    /// `401` (HTTP targets only); see [`EnterpriseManaged`](super::EnterpriseManaged).
    #[cfg(feature = "auth")]
    pub fn enterprise_managed(mut self, ema: EnterpriseManaged) -> Self {
        self.auth = Some(Authorization::EnterpriseManaged(ema));
        self
    }

    /// Authorizes with workload identity federation (SEP-1933: a platform-issued JWT traded
    /// for an access token) when the server answers `401` (HTTP targets only); see
    /// [`WorkloadIdentity`](super::WorkloadIdentity).
    #[cfg(feature = "auth")]
    pub fn workload_identity(mut self, workload: WorkloadIdentity) -> Self {
        self.auth = Some(Authorization::WorkloadIdentity(workload));
        self
    }

    /// Connects over any rmcp client transport (a [`LineTransport`](crate::transports::LineTransport)
    /// over a socket, one of rmcp's own transports, …).
    pub async fn connect_transport<T>(self, transport: T) -> Result<Client, Error>
    where
        T: Transport<RoleClient> + 'static,
    {
        self.start(transport, None).await
    }

    async fn start<T>(self, transport: T, process: Option<ServerProcess>) -> Result<Client, Error>
    where
        T: Transport<RoleClient> + 'static,
    {
        self.handshake(transport, process, Probe::Patient)
            .await
            .map_err(Handshake::into_error)
    }

    #[cfg(not(feature = "http-client"))]
    pub(super) async fn connect_url(self, url: String) -> Result<Client, Error> {
        Err(Error::connect(format!(
            "cannot connect to {url}: fastmcp was built without the `http-client` feature"
        )))
    }
}
