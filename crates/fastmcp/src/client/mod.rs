//! The client: connect to any MCP server and call it, with progress.
//!
//! ```no_run
//! # async fn demo() -> Result<(), fastmcp::Error> {
//! use fastmcp::Client;
//! use serde_json::json;
//!
//! let client = Client::connect("python3 server.py").await?;
//! let result = client
//!     .call_tool("long_task", json!({"steps": 5}))
//!     .progress(|progress, total, message| async move {
//!         println!("{progress}/{total:?} {}", message.unwrap_or_default());
//!     })
//!     .await?;
//! println!("{}", result.text());
//! # Ok(()) }
//! ```

#![allow(deprecated)] // rmcp marks sampling, roots and logging deprecated (SEP-2577); MCP still has them.

#[cfg(feature = "auth")]
pub mod auth;
mod call;
mod delivery;
mod handler;
mod handshake;
pub mod progress;
mod queue;
mod reads;
#[cfg(feature = "http-client")]
mod reconnect;
mod request;
mod stdio;
mod target;
mod tasks;

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    ArgumentInfo, ClientNotification, ClientRequest, CompleteRequest, CompleteRequestParams,
    CompletionContext, CompletionInfo, ProtocolVersion, Reference, RequestMetaObject, Root,
    ServerNotification, ServerResult, SetLevelRequest, SetLevelRequestParams, SubscribeRequest,
    SubscribeRequestParams, UnsubscribeRequest, UnsubscribeRequestParams,
};
use rmcp::service::{PeerRequestOptions, RunningService, ServiceError};
use rmcp::transport::Transport;
use rmcp::{Peer, RoleClient};
use serde_json::Value;

#[cfg(feature = "auth")]
pub use auth::{ClientCredentials, EnterpriseManaged, OAuth, WorkloadIdentity};
pub use call::{CallTool, ToolCall, ToolCallResult};
pub use handler::{
    ElicitationMode, ElicitationRequest, ElicitationResponse, LogMessage, log_server_message,
};
pub use progress::{ProgressEvent, ProgressHandler, default_progress_handler};
pub use reads::{GetPrompt, PromptGet, ReadResource, ResourceRead};
pub use request::{CallEvent, Pending, RequestKind};
pub use rmcp::service::Subscription;
pub use stdio::StdioServer;
pub use target::{IntoTarget, Target};

use self::handler::{ClientSession, Handlers, handler};
use self::handshake::{Handshake, Probe};
use self::progress::{ProgressRoute, ProgressRouter, SharedProgressHandler};
use self::stdio::ServerProcess;
use crate::error::Error;
use crate::logging::LogLevel;
use crate::types::{
    CreateMessageRequestParams, CreateMessageResult, Prompt, Resource, ResourceTemplate, Tool,
};

/// Which protocol era a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Era {
    /// Probe `server/discover` (2026-07-28); fall back to `initialize` for older servers.
    #[default]
    Auto,
    /// The stateless 2026-07-28 protocol only.
    Stateless,
    /// The `initialize` session protocol (2024-11-05 … 2025-11-25) only.
    Legacy,
}

/// How long to wait for a child's exit status after its pipe closes, to report it.
const EXIT_STATUS_GRACE: Duration = Duration::from_secs(2);

/// A connection to one MCP server. Cheap to clone; clones share the connection, which closes
/// (and a child server process is killed) when the last clone is dropped.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    service: RunningService<RoleClient, ClientSession>,
    session: ClientSession,
    /// The log level sent in each request's `_meta` on 2026-07-28.
    log_level: std::sync::Mutex<Option<LogLevel>>,
    router: Arc<ProgressRouter>,
    progress_handler: SharedProgressHandler,
    default_timeout: Option<Duration>,
    process: Option<ServerProcess>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("server", &self.server_info().map(|info| info.name))
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`] before connecting.
#[must_use = "call .connect(target) to connect"]
#[derive(Clone)]
pub struct ClientBuilder {
    name: String,
    progress_handler: SharedProgressHandler,
    default_timeout: Option<Duration>,
    handlers: Handlers,
    era: Era,
    connect_timeout: Duration,
    tasks: bool,
    headers: Vec<(String, String)>,
    bearer_token: Option<String>,
    #[cfg(feature = "auth")]
    auth: Option<Authorization>,
}

/// How the client authorizes with an HTTP server that requires it.
#[cfg(feature = "auth")]
#[derive(Clone, Debug)]
enum Authorization {
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
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            tasks: false,
            headers: Vec::new(),
            bearer_token: None,
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
    /// (default: [`default_progress_handler`]); a per-call handler replaces it for that call.
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

    /// Receives the server's log messages (default: [`log_server_message`], onto `tracing`).
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
    /// [`StdioServer`], a transport, or a string (a command line, or an `http(s)://` URL).
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

    /// Authorizes with OAuth 2.1 when the server answers `401` (HTTP targets only); see
    /// [`OAuth`].
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
    /// `401` (HTTP targets only); see [`EnterpriseManaged`].
    #[cfg(feature = "auth")]
    pub fn enterprise_managed(mut self, ema: EnterpriseManaged) -> Self {
        self.auth = Some(Authorization::EnterpriseManaged(ema));
        self
    }

    /// Authorizes with workload identity federation (SEP-1933: a platform-issued JWT traded
    /// for an access token) when the server answers `401` (HTTP targets only); see
    /// [`WorkloadIdentity`].
    #[cfg(feature = "auth")]
    pub fn workload_identity(mut self, workload: WorkloadIdentity) -> Self {
        self.auth = Some(Authorization::WorkloadIdentity(workload));
        self
    }

    /// A bearer token from a grant that needs no user (enterprise-managed authorization,
    /// workload identity), if this builder uses one and the server at `url` asks for
    /// authorization.
    #[cfg(feature = "auth")]
    async fn grant_token(&self, url: &str) -> Result<Option<String>, Error> {
        let grant = match &self.auth {
            Some(
                grant @ (Authorization::EnterpriseManaged(_) | Authorization::WorkloadIdentity(_)),
            ) => grant,
            _ => return Ok(None),
        };
        let Some(challenge) = auth::challenge(url).await? else {
            return Ok(None);
        };
        let token = match grant {
            Authorization::EnterpriseManaged(ema) => ema.token(url, &challenge).await?,
            Authorization::WorkloadIdentity(workload) => workload.token(url, &challenge).await?,
            _ => return Ok(None),
        };
        Ok(Some(token))
    }

    /// An authorized HTTP client for `url` if it asks for authorization and this builder can
    /// give it.
    #[cfg(feature = "auth")]
    async fn authorized(&self, url: &str) -> Result<Option<auth::StepUp>, Error> {
        let Some(authorization) = &self.auth else {
            return Ok(None);
        };
        let Some(challenge) = auth::challenge(url).await? else {
            return Ok(None);
        };
        Ok(Some(match authorization {
            Authorization::OAuth(oauth) => {
                let manager = oauth.authorize(url, &challenge).await?;
                auth::StepUp::new(manager, Some(oauth.clone()), url)
            }
            Authorization::ClientCredentials(credentials) => {
                auth::StepUp::new(credentials.authorize(url).await?, None, url)
            }
            // Served as bearer tokens (`grant_token`).
            Authorization::EnterpriseManaged(_) | Authorization::WorkloadIdentity(_) => {
                return Ok(None);
            }
        }))
    }

    #[cfg(feature = "http-client")]
    async fn connect_url(self, url: String) -> Result<Client, Error> {
        #[cfg(feature = "auth")]
        if let Some(token) = self.grant_token(&url).await? {
            return self.bearer_token(token).connect_http(url).await;
        }
        self.connect_http(url).await
    }

    /// Connects to `url` over Streamable HTTP (authorizing with OAuth when configured and
    /// challenged), falling back to the legacy HTTP+SSE transport.
    #[cfg(feature = "http-client")]
    async fn connect_http(self, url: String) -> Result<Client, Error> {
        use rmcp::transport::StreamableHttpClientTransport;
        let config = self.http_config(&url)?;
        #[cfg(feature = "auth")]
        if let Some(authorized) = self.authorized(&url).await? {
            let transport =
                StreamableHttpClientTransport::with_client(reconnect::FailFast(authorized), config);
            return self
                .handshake(transport, None, Probe::Timed)
                .await
                .map_err(|failure| failure.into_error());
        }
        let legacy = (self.era != Era::Stateless).then(|| self.clone().era(Era::Legacy));
        let transport = StreamableHttpClientTransport::with_client(
            reconnect::FailFast(reqwest::Client::default()),
            config.clone(),
        );
        let started = match (self.handshake(transport, None, Probe::Timed).await, legacy) {
            // Some older servers answer `server/discover` with an empty success instead of
            // an error; over HTTP a fresh connection costs little, so start again with
            // `initialize`.
            (Err(Handshake::NotDiscover(_)), Some(legacy)) => {
                let transport = StreamableHttpClientTransport::with_client(
                    reconnect::FailFast(reqwest::Client::default()),
                    config,
                );
                legacy.handshake(transport, None, Probe::Timed).await
            }
            // Not Streamable HTTP at all: perhaps a server from before it (HTTP+SSE).
            (Err(Handshake::Failed(error)), Some(legacy)) => {
                let mut headers = config.custom_headers.clone();
                if let Some(token) = &config.auth_header
                    && let Ok(value) = http::HeaderValue::from_str(&format!("Bearer {token}"))
                {
                    headers.insert(http::header::AUTHORIZATION, value);
                }
                let headers = headers.into_iter().collect();
                match crate::transports::LegacySseClient::connect(&url, headers).await {
                    Ok(sse) => legacy.handshake(sse, None, Probe::Timed).await,
                    Err(sse_error) => {
                        tracing::debug!(%sse_error, "no legacy SSE endpoint either");
                        Err(Handshake::Failed(error))
                    }
                }
            }
            (other, _) => other,
        };
        started.map_err(|failure| match failure.into_error() {
            Error::Connect(reason) => Error::Connect(format!("{url}: {reason}")),
            other => other,
        })
    }

    /// The Streamable HTTP settings: bearer token and custom headers.
    #[cfg(feature = "http-client")]
    fn http_config(
        &self,
        url: &str,
    ) -> Result<rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig, Error>
    {
        let mut config =
            rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
                url,
            );
        config.auth_header = self.bearer_token.clone();
        // One bound on a message from the server, whatever the transport.
        config.max_sse_event_size = crate::transports::DEFAULT_MAX_MESSAGE_SIZE;
        for (name, value) in &self.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|error| {
                Error::Connect(format!("invalid header name {name:?}: {error}"))
            })?;
            let value = http::HeaderValue::from_str(value).map_err(|error| {
                Error::Connect(format!("invalid value for header {name}: {error}"))
            })?;
            config.custom_headers.insert(name, value);
        }
        Ok(config)
    }

    #[cfg(not(feature = "http-client"))]
    async fn connect_url(self, url: String) -> Result<Client, Error> {
        Err(Error::Connect(format!(
            "cannot connect to {url}: fastmcp was built without the `http-client` feature"
        )))
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
}

impl Client {
    /// Connects with default settings; see [`ClientBuilder::connect`].
    pub async fn connect(target: impl IntoTarget) -> Result<Client, Error> {
        ClientBuilder::default().connect(target).await
    }

    /// Configures a client before connecting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    fn peer(&self) -> &Peer<RoleClient> {
        self.inner.service.peer()
    }

    /// What the server said about itself when the session started.
    pub fn server_info(&self) -> Option<crate::types::Implementation> {
        self.peer()
            .peer_info()
            .and_then(|info| info.server_info.clone())
    }

    /// The protocol version in use.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.peer()
            .peer_info()
            .map(|info| info.protocol_version.clone())
    }

    /// The server's instructions, if it gave any.
    pub fn instructions(&self) -> Option<String> {
        self.peer()
            .peer_info()
            .and_then(|info| info.instructions.clone())
    }

    /// Whether the session uses the stateless 2026-07-28 protocol.
    pub fn is_stateless(&self) -> bool {
        self.protocol_version()
            .is_some_and(|version| !version.has_initialize())
    }

    /// Checks the server is alive (`ping`; `server/discover` on 2026-07-28, which has no ping).
    pub async fn ping(&self) -> Result<(), Error> {
        let request = if self.is_stateless() {
            ClientRequest::DiscoverRequest(Default::default())
        } else {
            ClientRequest::PingRequest(Default::default())
        };
        self.request(request).await.map(|_| ())
    }

    /// Lists every tool, following pagination cursors to the end.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, Error> {
        let result = self.peer().list_all_tools().await;
        self.check(result).await
    }

    /// Lists every resource, following pagination cursors to the end.
    pub async fn list_resources(&self) -> Result<Vec<Resource>, Error> {
        let result = self.peer().list_all_resources().await;
        self.check(result).await
    }

    /// Lists every resource template, following pagination cursors to the end.
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, Error> {
        let result = self.peer().list_all_resource_templates().await;
        self.check(result).await
    }

    /// Lists every prompt, following pagination cursors to the end.
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, Error> {
        let result = self.peer().list_all_prompts().await;
        self.check(result).await
    }

    /// Calls a tool. `arguments` is a JSON object (`serde_json::json!({...})`), or
    /// `Value::Null` for none. Configure the call on the returned [`CallTool`], then `.await`
    /// it, or turn it into a stream of events with [`Pending::stream`].
    pub fn call_tool(&self, name: impl Into<String>, arguments: Value) -> CallTool {
        Pending::new(self.clone(), ToolCall::new(name.into(), arguments))
    }

    /// Reads a resource; `.await` the returned [`ReadResource`] (which takes a progress
    /// handler and a timeout like [`call_tool`](Self::call_tool)).
    pub fn read_resource(&self, uri: impl Into<String>) -> ReadResource {
        Pending::new(self.clone(), ResourceRead::new(uri.into()))
    }

    /// Renders a prompt. `arguments` is a JSON object of strings (other values are sent as
    /// their JSON text).
    pub fn get_prompt(&self, name: impl Into<String>, arguments: Value) -> GetPrompt {
        Pending::new(self.clone(), PromptGet::new(name.into(), arguments))
    }

    /// Suggestions for an argument of a prompt or a variable of a resource template
    /// (`completion/complete`). `context` holds the values already chosen for other arguments.
    pub async fn complete(
        &self,
        reference: Reference,
        argument: &str,
        value: &str,
        context: &[(&str, &str)],
    ) -> Result<CompletionInfo, Error> {
        let mut params = CompleteRequestParams::new(reference, ArgumentInfo::new(argument, value));
        if !context.is_empty() {
            let arguments = context
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            params = params.with_context(CompletionContext::with_arguments(arguments));
        }
        match self
            .request(ClientRequest::CompleteRequest(CompleteRequest::new(params)))
            .await?
        {
            ServerResult::CompleteResult(result) => Ok(result.completion),
            other => Err(call::unexpected("CompleteResult", &other)),
        }
    }

    /// Asks the server to send only log messages at `level` or above: `logging/setLevel` on a
    /// legacy session; on 2026-07-28, which has no session, every later request carries the
    /// level in its `_meta` (without it, the server sends no logs at all).
    #[allow(deprecated)]
    pub async fn set_logging_level(&self, level: LogLevel) -> Result<(), Error> {
        if self.is_stateless() {
            *self
                .inner
                .log_level
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(level);
            return Ok(());
        }
        let request = SetLevelRequest::new(SetLevelRequestParams::new(level.into()));
        self.request(ClientRequest::SetLevelRequest(request))
            .await
            .map(|_| ())
    }

    /// `_meta` for a request: what the caller gave, plus the log level on 2026-07-28.
    #[allow(deprecated)]
    fn request_meta(&self, meta: Option<RequestMetaObject>) -> Option<RequestMetaObject> {
        let level = *self
            .inner
            .log_level
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match level {
            None => meta,
            Some(level) => {
                let mut meta = meta.unwrap_or_default();
                meta.set_log_level(level.into());
                Some(meta)
            }
        }
    }

    /// Subscribes to changes of a resource (`resources/subscribe`); updates arrive at the
    /// [`message_handler`](ClientBuilder::message_handler).
    #[allow(deprecated)]
    pub async fn subscribe_resource(&self, uri: &str) -> Result<(), Error> {
        let request = SubscribeRequest::new(SubscribeRequestParams::new(uri));
        self.request(ClientRequest::SubscribeRequest(request))
            .await
            .map(|_| ())
    }

    /// Stops a subscription made with [`subscribe_resource`](Self::subscribe_resource).
    #[allow(deprecated)]
    pub async fn unsubscribe_resource(&self, uri: &str) -> Result<(), Error> {
        let request = UnsubscribeRequest::new(UnsubscribeRequestParams::new(uri));
        self.request(ClientRequest::UnsubscribeRequest(request))
            .await
            .map(|_| ())
    }

    /// Opens a 2026-07-28 `subscriptions/listen` stream: list changes and updates of the
    /// resources `filter` names arrive on the returned subscription, in order.
    ///
    /// ```no_run
    /// # async fn demo(client: fastmcp::Client) -> Result<(), fastmcp::Error> {
    /// use fastmcp::types::SubscriptionFilter;
    /// let filter = SubscriptionFilter::builder().tools_list_changed().resource_subscription("file:///log").build();
    /// let mut subscription = client.listen(filter).await?;
    /// while let Ok(Some(notification)) = subscription.next().await {
    ///     println!("{notification:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn listen(
        &self,
        filter: rmcp::model::SubscriptionFilter,
    ) -> Result<Subscription, Error> {
        let result = self.peer().listen(filter).await;
        self.check(result).await
    }

    /// Tells the server the roots changed (`notifications/roots/list_changed`).
    pub async fn send_roots_list_changed(&self) -> Result<(), Error> {
        let notification = ClientNotification::RootsListChangedNotification(Default::default());
        let result = self.peer().send_notification(notification).await;
        self.check(result).await
    }

    /// Cancels an in-flight request by its id (`notifications/cancelled`). Dropping a pending
    /// call does this for you.
    pub async fn cancel(&self, request_id: crate::types::RequestId, reason: &str) {
        request::cancel(self, request_id, reason).await;
    }

    /// Closes the connection, waiting for the transport to shut down.
    pub async fn close(self) -> Result<(), Error> {
        if let Ok(mut inner) = Arc::try_unwrap(self.inner) {
            let _ = inner.service.close().await;
        }
        Ok(())
    }

    async fn check<T>(&self, result: Result<T, ServiceError>) -> Result<T, Error> {
        match result {
            Ok(value) => Ok(value),
            Err(error) => Err(self.map_error(error).await),
        }
    }

    /// Sends a request without progress and waits for its result.
    async fn request(&self, request: ClientRequest) -> Result<ServerResult, Error> {
        self.request_with_meta(request, None).await
    }

    /// Sends `request` with `meta` (merged over what rmcp fills in) and waits for the answer.
    async fn request_with_meta(
        &self,
        request: ClientRequest,
        meta: Option<RequestMetaObject>,
    ) -> Result<ServerResult, Error> {
        let mut options = PeerRequestOptions::no_options();
        options.timeout = self.inner.default_timeout;
        options.meta = self.request_meta(meta);
        let handle = self.peer().send_request_with_option(request, options).await;
        let result = match handle {
            Ok(handle) => handle.await_response().await,
            Err(error) => Err(error),
        };
        self.check(result).await
    }

    /// Starts a request whose progress is routed to the returned channel.
    async fn start_with_progress(
        &self,
        mut request: ClientRequest,
        meta: Option<RequestMetaObject>,
    ) -> Result<request::InFlight, Error> {
        let (sender, events) = queue::progress_queue();
        rmcp::model::GetExtensions::extensions_mut(&mut request).insert(ProgressRoute(sender));
        let mut options = PeerRequestOptions::no_options();
        options.meta = self.request_meta(meta);
        let handle = match self.peer().send_request_with_option(request, options).await {
            Ok(handle) => handle,
            Err(error) => return Err(self.map_error(error).await),
        };
        Ok(request::InFlight::new(self.clone(), handle, events))
    }

    /// Turns an rmcp error into ours; a closed connection to a dead child reports its exit.
    async fn map_error(&self, error: ServiceError) -> Error {
        match error {
            ServiceError::McpError(error) => Error::Protocol(error),
            ServiceError::Timeout { timeout } => Error::Timeout(timeout),
            ServiceError::Cancelled { reason } => Error::ConnectionClosed(format!(
                "request cancelled: {}",
                reason.unwrap_or_default()
            )),
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => {
                if let Some(process) = &self.inner.process
                    && let Some(exited) = process.exit_error(EXIT_STATUS_GRACE).await
                {
                    return exited;
                }
                Error::ConnectionClosed("the server closed the connection".into())
            }
            other => Error::ConnectionClosed(other.to_string()),
        }
    }
}
