//! The server: [`FastMCP`] holds the components; each connection gets a [`Session`] that
//! implements rmcp's `ServerHandler`, so any rmcp transport can serve it.

mod context;
mod outbound;
mod progress;
mod session;

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::service::ServerInitializeError;
use rmcp::transport::IntoTransport;

pub use context::Context;
pub use session::Session;

use crate::error::Error;
use crate::tools::{IntoTool, Tool};

/// The default coalescing interval for progress notifications.
pub const DEFAULT_PROGRESS_INTERVAL: Duration = Duration::from_millis(20);

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
    tools: Arc<RwLock<Vec<Tool>>>,
}

#[derive(Clone, Debug)]
struct Config {
    name: String,
    version: String,
    title: Option<String>,
    instructions: Option<String>,
    progress_interval: Option<Duration>,
}

impl std::fmt::Debug for FastMCP {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastMCP")
            .field("config", &self.config)
            .field("tools", &self.tool_names())
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
            }),
            tools: Arc::default(),
        }
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

    /// Adds a tool, builder style.
    ///
    /// # Panics
    /// If a tool with the same name is already registered (a programming error, like an
    /// overlapping route in axum). Use [`add_tool`](Self::add_tool) to handle it instead.
    pub fn tool(self, tool: impl IntoTool) -> Self {
        if let Err(error) = self.add_tool(tool) {
            panic!("{error}");
        }
        self
    }

    /// Adds a tool; fails if one with the same name exists.
    pub fn add_tool(&self, tool: impl IntoTool) -> Result<(), Error> {
        let tool = tool.into_tool();
        let mut tools = self.tools.write().unwrap_or_else(PoisonError::into_inner);
        if tools.iter().any(|existing| existing.name() == tool.name()) {
            return Err(Error::Registration(format!(
                "a tool named '{}' is already registered on server '{}'; rename one of them",
                tool.name(),
                self.config.name
            )));
        }
        tools.push(tool);
        Ok(())
    }

    /// Removes the tool with this name; returns whether it existed.
    pub fn remove_tool(&self, name: &str) -> bool {
        let mut tools = self.tools.write().unwrap_or_else(PoisonError::into_inner);
        let before = tools.len();
        tools.retain(|tool| tool.name() != name);
        tools.len() != before
    }

    /// The registered tools, in registration order.
    pub fn tools(&self) -> Vec<Tool> {
        self.tools
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn tool_names(&self) -> Vec<String> {
        self.tools
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|tool| tool.name().to_owned())
            .collect()
    }

    pub(crate) fn find_tool(&self, name: &str) -> Option<Tool> {
        self.tools
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|tool| tool.name() == name)
            .cloned()
    }

    /// A new session: the per-connection handler. Hand it to any rmcp transport or service
    /// (for example rmcp's streamable HTTP service factory).
    pub fn session(&self) -> Session {
        Session::new(self.clone())
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
        let running = match rmcp::serve_server(self.session(), transport).await {
            Ok(running) => running,
            Err(ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
            Err(error) => return Err(Error::Connect(error.to_string())),
        };
        running
            .waiting()
            .await
            .map_err(|error| Error::ConnectionClosed(format!("server task failed: {error}")))?;
        Ok(())
    }

    /// Serves one client over this process's stdin and stdout.
    pub async fn run_stdio(&self) -> Result<(), Error> {
        self.serve(crate::transports::stdio()).await
    }

    pub(crate) fn progress_interval_setting(&self) -> Option<Duration> {
        self.config.progress_interval
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
