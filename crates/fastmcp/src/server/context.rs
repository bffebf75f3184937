//! [`Context`]: what a tool can do with the request that called it.
#![allow(deprecated)] // MCP logging types are marked deprecated in rmcp (SEP-2577).

use std::sync::Arc;

use rmcp::model::{
    LoggingMessageNotification, LoggingMessageNotificationParam, ProgressToken, RequestId,
    ServerNotification,
};
use rmcp::service::RequestContext;
use rmcp::{Peer, RoleServer};

pub(crate) use super::session_state::SessionState;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::input::InputState;
use super::outbound::Outbound;
use super::progress::ProgressReporter;
use crate::error::RequestError;
use crate::logging::LogLevel;
use crate::server::FastMCP;

/// Whether a request uses the stateless 2026-07-28 protocol.
pub(crate) fn is_stateless(request: &RequestContext<RoleServer>) -> bool {
    request
        .protocol_version()
        .is_some_and(|version| !version.has_initialize())
}

/// A task's status message for a progress report: `3/10: copying` (or `3`, `3: copying`).
fn task_status(progress: f64, total: Option<f64>, message: Option<&str>) -> String {
    let amount = match total {
        Some(total) => format!("{progress}/{total}"),
        None => progress.to_string(),
    };
    match message {
        Some(message) => format!("{amount}: {message}"),
        None => amount,
    }
}

/// The request a tool is serving: report progress, log to the client, watch for cancellation.
///
/// Declare a parameter of type `Context` (or `&Context`) in a `#[tool]`, `#[prompt]` or
/// `#[resource]` function and FastMCP passes it in; it never appears in the input schema. The
/// parameter is recognised by its type, whatever it is named or however the type is imported
/// (a type of your own called `Context` stays an ordinary argument). Cloning is cheap.
///
/// ```
/// use fastmcp::{tool, Context};
///
/// /// Count to `n`, reporting each step.
/// #[tool]
/// async fn count(ctx: Context, n: u32) -> u32 {
///     for i in 1..=n {
///         ctx.report_progress(i as f64, Some(n as f64), Some(&format!("at {i}"))).await;
///     }
///     n
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Context {
    inner: Arc<Inner>,
    /// The key the next input request is sent under (see [`Context::with_input_key`]).
    input_key: Option<Arc<str>>,
}

#[derive(Debug)]
struct Inner {
    request_id: RequestId,
    peer: Peer<RoleServer>,
    input: InputState,
    /// The level a 2026-07-28 request asked for in `_meta` (`None`: no logs); unused on
    /// legacy sessions, which use the session's level.
    request_log_level: Option<Option<LogLevel>>,
    client_info: Option<crate::types::Implementation>,
    capabilities: Option<crate::types::ClientCapabilities>,
    outbound: Outbound,
    progress: Option<Arc<ProgressReporter>>,
    cancellation: CancellationToken,
    session: Arc<SessionState>,
    server: FastMCP,
    /// The HTTP request the message came in (HTTP transport only).
    #[cfg(feature = "http-server")]
    http: Option<Arc<super::HttpRequest>>,
}

impl std::fmt::Debug for ProgressReporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressReporter")
            .field("token", self.token())
            .finish_non_exhaustive()
    }
}

impl Context {
    pub(crate) fn new(
        request: &RequestContext<RoleServer>,
        session: Arc<SessionState>,
        server: FastMCP,
        input: InputState,
    ) -> Self {
        let progress_interval = server.progress_interval_setting();
        let stateless = is_stateless(request);
        let request_log_level = stateless.then(|| request.meta.log_level().map(LogLevel::from));
        let outbound = Outbound::for_request(request);
        let progress = request
            .meta
            .get_progress_token()
            .map(|token| ProgressReporter::new(token, outbound.clone(), progress_interval));
        Self {
            input_key: None,
            inner: Arc::new(Inner {
                request_id: request.id.clone(),
                peer: request.peer.clone(),
                input,
                request_log_level,
                client_info: request.client_info(),
                capabilities: request.client_capabilities(),
                outbound,
                progress,
                cancellation: request.ct.clone(),
                session,
                server,
                #[cfg(feature = "http-server")]
                http: super::http::request::of(&request.extensions).cloned(),
            }),
        }
    }

    /// Reports progress on this request to the client.
    ///
    /// `progress` must increase with every call: a value not above the last one is dropped
    /// (logged at debug). `total` is the value that means done, if known. When the client
    /// sent no progress token this does nothing. Rapid updates are coalesced (see
    /// [`FastMCP::progress_interval`](crate::FastMCP::progress_interval)); the newest value is
    /// always delivered before the tool's result, and nothing is sent after it. In a tool
    /// running as a task, progress becomes the task's `statusMessage` (`3/10: copying`), which
    /// clients read with `tasks/get`.
    pub async fn report_progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        if let Some(task) = self.input().task() {
            // A task's progress is its status message, read with `tasks/get`.
            task.set_status_message(task_status(progress, total, message));
        } else if let Some(reporter) = &self.inner.progress {
            reporter.report(progress, total, message).await;
        }
    }

    /// The progress token the client attached to this request, if any.
    pub fn progress_token(&self) -> Option<&ProgressToken> {
        self.inner
            .progress
            .as_ref()
            .map(|reporter| reporter.token())
    }

    /// Sends a log message to the client at `level`, unless the client asked (with
    /// `logging/setLevel`) only for more severe messages.
    pub async fn log(&self, level: LogLevel, message: impl Into<String>, logger: Option<&str>) {
        self.log_data(level, Value::String(message.into()), logger)
            .await;
    }

    /// Like [`log`](Self::log), with any JSON value as the message data.
    pub async fn log_data(&self, level: LogLevel, data: Value, logger: Option<&str>) {
        tracing::debug!(target: "fastmcp::server::context", %level, %data, "log to client");
        let wanted = match self.inner.request_log_level {
            Some(requested) => requested.is_some_and(|minimum| level >= minimum),
            None => self.inner.session.sends(level),
        };
        if !wanted {
            return;
        }
        let mut param = LoggingMessageNotificationParam::new(level.into(), data);
        param.logger = logger.map(str::to_owned);
        let notification =
            ServerNotification::LoggingMessageNotification(LoggingMessageNotification::new(param));
        self.inner.outbound.notify(notification).await;
    }

    /// Sends a debug message to the client.
    pub async fn debug(&self, message: impl Into<String>) {
        self.log(LogLevel::Debug, message, None).await;
    }

    /// Sends an info message to the client.
    pub async fn info(&self, message: impl Into<String>) {
        self.log(LogLevel::Info, message, None).await;
    }

    /// Sends a warning to the client.
    pub async fn warning(&self, message: impl Into<String>) {
        self.log(LogLevel::Warning, message, None).await;
    }

    /// Sends an error message to the client.
    pub async fn error(&self, message: impl Into<String>) {
        self.log(LogLevel::Error, message, None).await;
    }

    /// The JSON-RPC id of the request being served.
    pub fn request_id(&self) -> &RequestId {
        &self.inner.request_id
    }

    /// Whether the client has cancelled this request (or, in a task, the task).
    pub fn is_cancelled(&self) -> bool {
        match self.input().task() {
            Some(task) => task.is_cancel_requested(),
            None => self.inner.cancellation.is_cancelled(),
        }
    }

    /// Resolves when the client cancels this request (or, in a task, the task). (A cancelled
    /// tool future is dropped by FastMCP anyway; this is for work the tool spawned.)
    pub async fn cancelled(&self) {
        match self.input().task() {
            Some(task) => task.cancelled().await,
            None => self.inner.cancellation.cancelled().await,
        }
    }

    /// Continues this call as a task, for a tool declared with
    /// [`TaskStart::WhenAsked`](crate::tools::TaskStart::WhenAsked): the client gets its
    /// `CreateTaskResult` now, and the tool goes on in the background (its later questions
    /// become the task's `inputRequests`). When the call cannot become a task (the client did
    /// not declare the extension, or the tool starts its tasks at the call), this returns at
    /// once and the call goes on as it was.
    ///
    /// ```
    /// use fastmcp::tools::{TaskStart, TaskSupport};
    /// use fastmcp::{Context, tool};
    ///
    /// /// Asks for a name (an input round), then works on it as a task.
    /// #[tool(task = TaskSupport::Required, task_start = TaskStart::WhenAsked)]
    /// async fn welcome(ctx: Context) -> Result<String, String> {
    ///     let name = ctx.elicit::<String>("Your name?").await.map_err(|e| e.to_string())?;
    ///     ctx.start_task().await;
    ///     Ok(format!("{name:?}, welcome"))
    /// }
    /// ```
    pub async fn start_task(&self) {
        self.input().start_task().await;
    }

    /// Reads a resource of this server, as a client would (`resources/read`).
    pub async fn read_resource(
        &self,
        uri: &str,
    ) -> Result<Vec<crate::types::ResourceContents>, RequestError> {
        self.inner.server.read_resource_as(uri, self.clone()).await
    }

    /// Stores a value for the rest of this client's session.
    pub fn set_state(
        &self,
        key: impl Into<String>,
        value: impl serde::Serialize,
    ) -> Result<(), crate::Error> {
        let value = serde_json::to_value(value)
            .map_err(|error| crate::Error::data_from(error.to_string(), error))?;
        self.inner.session.set_value(key.into(), value);
        Ok(())
    }

    /// A value stored earlier in this session with [`set_state`](Self::set_state), if present
    /// and of type `T`.
    pub fn get_state<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.inner
            .session
            .value(key)
            .and_then(|value| serde_json::from_value(value).ok())
    }

    /// The client's name and version, as it introduced itself.
    pub fn client_info(&self) -> Option<&crate::types::Implementation> {
        self.inner.client_info.as_ref()
    }

    /// Enables the components `filter` selects for this client's session only (other
    /// sessions keep what the server shows them), and tells this client its lists changed.
    /// On 2026-07-28, where there are no sessions, the rule lasts as long as the connection
    /// (over HTTP: this request).
    ///
    /// ```
    /// use fastmcp::{tool, Context, Filter};
    ///
    /// /// Unlocks the admin tools for this session.
    /// #[tool]
    /// async fn unlock(ctx: Context) -> String {
    ///     ctx.enable_components(Filter::tag("admin")).await;
    ///     "unlocked".into()
    /// }
    /// ```
    pub async fn enable_components(&self, filter: crate::Filter) {
        self.change_visibility(Some((filter, true))).await;
    }

    /// Hides the components `filter` selects from this client's session only (see
    /// [`enable_components`](Self::enable_components)).
    pub async fn disable_components(&self, filter: crate::Filter) {
        self.change_visibility(Some((filter, false))).await;
    }

    /// Drops this session's own enable/disable rules: it sees what the server shows everyone.
    pub async fn reset_visibility(&self) {
        self.change_visibility(None).await;
    }

    async fn change_visibility(&self, rule: Option<(crate::Filter, bool)>) {
        let session = &self.inner.session;
        session.set_visibility(rule);
        self.inner.server.count_change();
        // In order with the session's other notifications; a 2026-07-28 request has no
        // session to tell.
        let runtime = tokio::runtime::Handle::current();
        if let Some(queue) = session.notice_queue(&runtime) {
            for notification in [
                ServerNotification::ToolListChangedNotification(Default::default()),
                ServerNotification::ResourceListChangedNotification(Default::default()),
                ServerNotification::PromptListChangedNotification(Default::default()),
            ] {
                queue.push(notification);
            }
        }
    }

    /// The state of this request's session.
    pub(crate) fn session_state(&self) -> &SessionState {
        &self.inner.session
    }

    /// An id for this client's session, stable across its requests (on 2026-07-28, where
    /// there are no sessions, unique per connection).
    pub fn session_id(&self) -> &str {
        self.inner.session.id()
    }

    /// Gets the client's answer to an input request (see `server::input`).
    /// A handle on this request whose next input request (elicit, sample, roots) is sent
    /// under `key`. On 2026-07-28 the key names the entry in `inputRequests` and
    /// `inputResponses`; without one, keys are `input-0`, `input-1`, … in the order asked.
    pub fn with_input_key(&self, key: impl Into<String>) -> Context {
        Context {
            inner: Arc::clone(&self.inner),
            input_key: Some(key.into().into()),
        }
    }

    /// Gets the client's answer to an input request (see `server::input`).
    pub(crate) async fn ask(
        &self,
        request: rmcp::model::InputRequest,
    ) -> Result<Value, crate::Error> {
        let key = self.input_key.as_deref().map(str::to_owned);
        self.inner
            .input
            .ask(
                &self.inner.peer,
                &self.inner.request_id,
                key,
                request,
                self.inner.capabilities.as_ref(),
            )
            .await
    }

    pub(crate) fn input(&self) -> &InputState {
        &self.inner.input
    }

    /// What the client said it can do: from the request's `_meta` on 2026-07-28, from
    /// `initialize` on a legacy session.
    pub fn client_capabilities(&self) -> Option<crate::types::ClientCapabilities> {
        self.inner.capabilities.clone()
    }

    /// A value shared with every request by [`FastMCP::insert_state`] (typically from an
    /// [`on_startup`](FastMCP::on_startup) hook).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.inner.server.state()
    }

    /// The server this request is being served by.
    pub fn server(&self) -> &FastMCP {
        &self.inner.server
    }

    /// The HTTP request this message arrived in (headers, method, path, the peer's address);
    /// `None` on stdio and in-memory connections.
    #[cfg(feature = "http-server")]
    pub fn http_request(&self) -> Option<&super::HttpRequest> {
        self.inner.http.as_deref()
    }

    /// The caller's verified access token, when the server checks tokens
    /// ([`FastMCP::auth`](crate::FastMCP::auth)); `None` otherwise (and on stdio).
    ///
    /// ```
    /// use fastmcp::{tool, Context};
    ///
    /// /// Who is calling.
    /// #[tool]
    /// fn whoami(ctx: Context) -> String {
    ///     match ctx.access_token() {
    ///         Some(token) => token.subject.clone().unwrap_or_default(),
    ///         None => "anonymous".into(),
    ///     }
    /// }
    /// ```
    #[cfg(feature = "server-auth")]
    pub fn access_token(&self) -> Option<&super::auth::AccessToken> {
        self.http_request()
            .and_then(super::HttpRequest::access_token)
    }

    /// The scopes of the request's verified token; `None` when no token was checked.
    pub(crate) fn granted_scopes(&self) -> Option<&[String]> {
        #[cfg(feature = "server-auth")]
        {
            self.access_token().map(|token| token.scopes.as_slice())
        }
        #[cfg(not(feature = "server-auth"))]
        {
            None
        }
    }

    /// Flushes held progress and closes it: after this, nothing more is sent for the request.
    pub(crate) async fn finish(&self) {
        if let Some(reporter) = &self.inner.progress {
            reporter.finish().await;
        }
    }
}
