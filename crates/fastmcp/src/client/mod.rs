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

mod call;
mod handler;
pub mod progress;
mod stdio;
mod target;

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{ClientRequest, ProtocolVersion, RequestMetaObject, ServerResult};
use rmcp::service::{PeerRequestOptions, RunningService, ServiceError};
use rmcp::transport::Transport;
use rmcp::{Peer, RoleClient, ServiceExt as _};
use serde_json::Value;
use tokio::sync::mpsc;

pub use call::{CallEvent, CallTool, ToolCallResult};
pub use progress::{ProgressEvent, ProgressHandler, default_progress_handler};
pub use stdio::StdioServer;
pub use target::{IntoTarget, Target};

use self::handler::ClientSession;
use self::progress::{ProgressRoute, ProgressRouter, Routed, SharedProgressHandler};
use self::stdio::ServerProcess;
use crate::error::Error;
use crate::types::Tool;

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
pub struct ClientBuilder {
    name: String,
    progress_handler: SharedProgressHandler,
    default_timeout: Option<Duration>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            name: "fastmcp".into(),
            progress_handler: progress::default_handler(),
            default_timeout: None,
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
            Target::Url(url) => Err(Error::Connect(format!(
                "cannot connect to {url}: this build of fastmcp has no HTTP client transport yet; \
                 use a command (stdio) target"
            ))),
        }
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
        let router = Arc::new(ProgressRouter::default());
        let routed = Routed {
            inner: transport,
            router: Arc::clone(&router),
        };
        let session = ClientSession { name: self.name };
        let service = match session.serve(routed).await {
            Ok(service) => service,
            Err(error) => {
                if let Some(process) = &process
                    && let Some(exited) = process.exit_error(EXIT_STATUS_GRACE).await
                {
                    return Err(exited);
                }
                return Err(Error::Connect(error.to_string()));
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                service,
                router,
                progress_handler: self.progress_handler,
                default_timeout: self.default_timeout,
                process,
            }),
        })
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

    /// Checks the server is alive.
    pub async fn ping(&self) -> Result<(), Error> {
        let request = ClientRequest::PingRequest(Default::default());
        self.request(request, self.inner.default_timeout)
            .await
            .map(|_| ())
    }

    /// Lists every tool, following pagination cursors to the end.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, Error> {
        match self.peer().list_all_tools().await {
            Ok(tools) => Ok(tools),
            Err(error) => Err(self.map_error(error).await),
        }
    }

    /// Calls a tool. `arguments` is a JSON object (`serde_json::json!({...})`), or
    /// `Value::Null` for none. Configure the call on the returned [`CallTool`], then `.await`
    /// it, or turn it into a stream of events with [`CallTool::stream`].
    pub fn call_tool(&self, name: impl Into<String>, arguments: Value) -> CallTool {
        CallTool::new(self.clone(), name.into(), arguments)
    }

    /// Closes the connection, waiting for the transport to shut down.
    pub async fn close(self) -> Result<(), Error> {
        if let Ok(mut inner) = Arc::try_unwrap(self.inner) {
            let _ = inner.service.close().await;
        }
        Ok(())
    }

    /// Sends a request without progress and waits for its result.
    async fn request(
        &self,
        request: ClientRequest,
        timeout: Option<Duration>,
    ) -> Result<ServerResult, Error> {
        let mut options = PeerRequestOptions::no_options();
        options.timeout = timeout;
        let handle = self.peer().send_request_with_option(request, options).await;
        let result = match handle {
            Ok(handle) => handle.await_response().await,
            Err(error) => Err(error),
        };
        match result {
            Ok(result) => Ok(result),
            Err(error) => Err(self.map_error(error).await),
        }
    }

    /// Starts a request whose progress is routed to the returned channel.
    async fn start_with_progress(
        &self,
        mut request: ClientRequest,
        meta: Option<RequestMetaObject>,
    ) -> Result<call::InFlight, Error> {
        let (sender, events) = mpsc::unbounded_channel();
        rmcp::model::GetExtensions::extensions_mut(&mut request).insert(ProgressRoute(sender));
        let mut options = PeerRequestOptions::no_options();
        options.meta = meta;
        let handle = match self.peer().send_request_with_option(request, options).await {
            Ok(handle) => handle,
            Err(error) => return Err(self.map_error(error).await),
        };
        Ok(call::InFlight::new(self.clone(), handle, events))
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
