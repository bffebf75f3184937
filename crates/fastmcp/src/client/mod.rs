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
mod builder;
mod call;
mod delivery;
mod handler;
mod handshake;
#[cfg(feature = "http-client")]
mod http_connect;
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
    CompletionContext, CompletionInfo, ProtocolVersion, Reference, RequestMetaObject, ServerResult,
    SetLevelRequest, SetLevelRequestParams, SubscribeRequest, SubscribeRequestParams,
    UnsubscribeRequest, UnsubscribeRequestParams,
};
use rmcp::service::{PeerRequestOptions, RunningService, ServiceError};
use rmcp::{Peer, RoleClient};
use serde_json::Value;

#[cfg(feature = "auth")]
pub use auth::{ClientCredentials, EnterpriseManaged, OAuth, WorkloadIdentity};
pub use builder::ClientBuilder;
pub use call::{CallTool, CallToolKind, ToolCallResult};
pub use handler::{
    ElicitationMode, ElicitationRequest, ElicitationResponse, LogMessage, log_server_message,
};
pub use progress::{ProgressEvent, ProgressHandler, default_progress_handler};
pub use reads::{GetPrompt, GetPromptKind, ReadResource, ReadResourceKind};
pub use request::{CallEvent, Pending, RequestKind};
pub use rmcp::service::Subscription;
pub use stdio::StdioServer;
pub use target::{IntoTarget, Target};

use self::handler::ClientSession;
use self::progress::{ProgressRoute, ProgressRouter, SharedProgressHandler};
use self::stdio::ServerProcess;
use crate::error::Error;
use crate::logging::LogLevel;
use crate::types::{Prompt, Resource, ResourceTemplate, Tool};

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

/// Which HTTP transport a [`Client`] speaks to a URL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpTransport {
    /// Streamable HTTP, falling back to the legacy HTTP+SSE transport when the server does
    /// not speak it.
    #[default]
    Auto,
    /// Streamable HTTP only.
    Streamable,
    /// The legacy HTTP+SSE transport (2024-11-05) only.
    Sse,
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

    /// What the server said it can do (tools, resources, prompts, logging, tasks, …).
    pub fn server_capabilities(&self) -> Option<crate::types::ServerCapabilities> {
        self.peer()
            .peer_info()
            .map(|info| info.capabilities.clone())
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
        Pending::new(self.clone(), CallToolKind::new(name.into(), arguments))
    }

    /// Reads a resource; `.await` the returned [`ReadResource`] (which takes a progress
    /// handler and a timeout like [`call_tool`](Self::call_tool)).
    pub fn read_resource(&self, uri: impl Into<String>) -> ReadResource {
        Pending::new(self.clone(), ReadResourceKind::new(uri.into()))
    }

    /// Renders a prompt. `arguments` is a JSON object of strings (other values are sent as
    /// their JSON text).
    pub fn get_prompt(&self, name: impl Into<String>, arguments: Value) -> GetPrompt {
        Pending::new(self.clone(), GetPromptKind::new(name.into(), arguments))
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

    /// Sends `request` as it is, for a proxy passing on its own client's request: `meta` goes
    /// with it, progress reaches `progress` in order (all of it before the answer), the
    /// answer comes back raw (an input round or a task included, not followed), and dropping
    /// the future cancels the request on the server.
    pub(crate) async fn forward<F, Fut>(
        &self,
        request: ClientRequest,
        meta: Option<RequestMetaObject>,
        mut progress: F,
    ) -> Result<ServerResult, Error>
    where
        F: FnMut(ProgressEvent) -> Fut,
        Fut: Future<Output = ()>,
    {
        let mut in_flight = self.start_with_progress(request, meta).await?;
        loop {
            match in_flight.next().await {
                request::InFlightStep::Progress(event) => progress(event).await,
                request::InFlightStep::Done(result) => return *result,
            }
        }
    }

    /// Whether the connection is gone (the server exited or closed it).
    pub(crate) fn is_closed(&self) -> bool {
        self.peer().is_transport_closed()
    }

    /// Turns an rmcp error into ours; a closed connection to a dead child reports its exit.
    async fn map_error(&self, error: ServiceError) -> Error {
        match error {
            ServiceError::McpError(error) => Error::Protocol(error),
            ServiceError::Timeout { timeout } => Error::Timeout(timeout),
            ServiceError::Cancelled { reason } => {
                Error::closed(format!("request cancelled: {}", reason.unwrap_or_default()))
            }
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => {
                if let Some(process) = &self.inner.process
                    && let Some(exited) = process.exit_error(EXIT_STATUS_GRACE).await
                {
                    return exited;
                }
                Error::closed("the server closed the connection")
            }
            other => Error::closed_from(other.to_string(), other),
        }
    }
}
