//! `mcpServers` configurations — the JSON Claude Desktop, Cursor and FastMCP use — as proxies
//! and clients.
//!
//! ```json
//! {"mcpServers": {
//!   "weather": {"command": "python3", "args": ["weather.py"], "env": {"KEY": "…"}},
//!   "search":  {"url": "https://example.com/mcp", "headers": {"X-Team": "docs"}}
//! }}
//! ```
//!
//! With one server its names are unchanged; with several, each is mounted under its name, as
//! FastMCP does: tools and prompts `{server}_{name}`, resources `{scheme}://{server}/{rest}`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::upstream::Source;
use super::{ProxyOptions, Upstreams};
use crate::client::{Client, StdioServer};
use crate::error::Error;
use crate::server::FastMCP;

/// An `mcpServers` configuration: servers by name.
///
/// ```
/// use fastmcp::proxy::McpServers;
/// let config = McpServers::from_json(r#"{"mcpServers": {
///     "echo": {"command": "python3", "args": ["echo.py"]},
///     "docs": {"url": "https://example.com/mcp"}
/// }}"#)?;
/// assert_eq!(config.servers.len(), 2);
/// # Ok::<(), fastmcp::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct McpServers {
    /// The servers, by name (the namespace each gets when there are several).
    #[serde(rename = "mcpServers")]
    pub servers: BTreeMap<String, ServerEntry>,
}

/// One server of an `mcpServers` configuration: a command (stdio) or a URL (remote).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerEntry {
    /// The program to start (stdio).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Its arguments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Environment variables for it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The directory it runs in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// The server's URL (remote).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `http` / `streamable-http` (the default) or `sse`; the client falls back to the legacy
    /// SSE transport by itself when a server offers only that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    /// HTTP headers sent with every request.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A bearer token, or `"oauth"`: the OAuth flow, as [`ProxyOptions::oauth`] (or, for
    /// [`connect`](Self::connect), the builder's [`oauth`](crate::ClientBuilder)) provides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
}

impl McpServers {
    /// Reads a configuration from a JSON file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|error| Error::Settings(format!("cannot read {}: {error}", path.display())))?;
        Self::from_json(&text).map_err(|error| match error {
            Error::Settings(message) => Error::Settings(format!("{}: {message}", path.display())),
            other => other,
        })
    }

    /// Reads a configuration from JSON text.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| Error::Settings(format!("not JSON: {error}")))?;
        Self::from_value(value)
    }

    /// Reads a configuration from a JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<Self, Error> {
        let config: McpServers = serde_json::from_value(value).map_err(|error| {
            Error::Settings(format!("not an mcpServers configuration: {error}"))
        })?;
        if config.servers.is_empty() {
            return Err(Error::Settings("the configuration names no servers".into()));
        }
        for (name, entry) in &config.servers {
            entry.source(name)?;
        }
        Ok(config)
    }

    /// A proxy of every server: one server's names unchanged, several mounted under their
    /// names. Servers start when first needed; one that fails is reported by name (its
    /// components are missing from lists, its calls fail) and the others still work.
    pub(crate) fn proxy(self, options: ProxyOptions) -> Result<FastMCP, Error> {
        let mut proxies = Vec::new();
        for (name, entry) in &self.servers {
            let source = entry.source(name)?;
            let named = options.clone().name(name.clone());
            let named = match entry.client(name, &named)? {
                Some(builder) => named.client(builder),
                None => named,
            };
            proxies.push((
                name.clone(),
                super::Proxy::install(Upstreams::Connect(source), name.clone(), named),
            ));
        }
        if proxies.len() == 1 {
            return Ok(proxies.remove(0).1);
        }
        let name = options.name.clone().unwrap_or_else(|| "proxy".to_owned());
        Ok(proxies
            .into_iter()
            .fold(FastMCP::new(name), |server, (name, proxy)| {
                server.mount(proxy, &name)
            }))
    }
}

impl ServerEntry {
    /// Connects to this one server (named `name` in errors) with `builder`, adding the
    /// entry's headers and bearer token for a remote server.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), fastmcp::Error> {
    /// use fastmcp::proxy::ServerEntry;
    /// let entry = ServerEntry { url: Some("http://127.0.0.1:8000/mcp".into()), ..Default::default() };
    /// let client = entry.connect("local", fastmcp::Client::builder()).await?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub async fn connect(
        &self,
        name: &str,
        builder: crate::ClientBuilder,
    ) -> Result<Client, Error> {
        match self.source(name)? {
            Source::Stdio(server) => builder.connect(server).await,
            Source::Url(url) => {
                let builder = match self.transport.as_deref() {
                    Some("sse") => builder.http_transport(crate::client::HttpTransport::Sse),
                    _ => builder,
                };
                let builder = self.with_credentials(builder);
                if self.wants_oauth() && !builder.has_authorization() {
                    return Err(oauth_missing(name));
                }
                builder.connect(url).await
            }
            Source::InProcess(server) => builder.connect(server).await,
        }
    }

    /// `builder` with this entry's headers and bearer token.
    fn with_credentials(&self, mut builder: crate::ClientBuilder) -> crate::ClientBuilder {
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(token) = self.auth.as_deref().filter(|auth| *auth != "oauth") {
            builder = builder.bearer_token(token);
        }
        builder
    }

    fn source(&self, name: &str) -> Result<Source, Error> {
        match (&self.command, &self.url) {
            (Some(command), None) => {
                let mut server = StdioServer::new(command).args(self.args.clone());
                for (key, value) in &self.env {
                    server = server.env(key, value);
                }
                if let Some(cwd) = &self.cwd {
                    server = server.cwd(cwd);
                }
                Ok(Source::Stdio(server))
            }
            (None, Some(url)) => match self.transport.as_deref() {
                None | Some("http" | "streamable-http" | "sse") => Ok(Source::Url(url.clone())),
                Some(other) => Err(Error::Settings(format!(
                    "server '{name}': unknown transport '{other}' (http, streamable-http or sse)"
                ))),
            },
            (Some(_), Some(_)) => Err(Error::Settings(format!(
                "server '{name}' has both a command and a url: give one"
            ))),
            (None, None) => Err(Error::Settings(format!(
                "server '{name}' has neither a command nor a url"
            ))),
        }
    }

    /// The client builder for a remote server's headers and token or OAuth, if it has any.
    fn client(
        &self,
        name: &str,
        options: &ProxyOptions,
    ) -> Result<Option<crate::ClientBuilder>, Error> {
        if self.headers.is_empty() && self.auth.is_none() {
            return Ok(None);
        }
        let builder = self.with_credentials(options.client.clone().unwrap_or_default());
        if !self.wants_oauth() {
            return Ok(Some(builder));
        }
        #[cfg(feature = "auth")]
        if let (Some(authorize), Some(url)) = (&options.oauth, &self.url) {
            return Ok(Some(builder.oauth(authorize(name, url)?)));
        }
        Err(oauth_missing(name))
    }

    /// A remote server whose `auth` is `"oauth"`.
    fn wants_oauth(&self) -> bool {
        self.url.is_some() && self.auth.as_deref() == Some("oauth")
    }
}

/// Gives the OAuth of a configured server (`name`, `url`) whose `auth` is `"oauth"`.
#[cfg(feature = "auth")]
pub(crate) type Authorize =
    std::sync::Arc<dyn Fn(&str, &str) -> Result<crate::client::OAuth, Error> + Send + Sync>;

/// The error for a server that asks for OAuth with nothing to authorize it.
fn oauth_missing(name: &str) -> Error {
    let how = if cfg!(feature = "auth") {
        "give the proxy a way to authorize (`ProxyOptions::oauth`), or use the fastmcp CLI, \
         which opens your browser"
    } else {
        "this build has no OAuth (the `auth` feature)"
    };
    Error::Settings(format!(
        "server '{name}' asks for OAuth (\"auth\": \"oauth\"): {how}"
    ))
}

impl Client {
    /// Connects to every server of an `mcpServers` configuration (a path to a JSON file, or
    /// an [`McpServers`]) as one client: with several servers, names are namespaced by
    /// server (`{server}_{tool}`, `{scheme}://{server}/{rest}`). A server that fails to start
    /// is reported by name; the others still work.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), fastmcp::Error> {
    /// let client = fastmcp::Client::from_config("mcp.json").await?;
    /// for tool in client.list_tools().await? {
    ///     println!("{}", tool.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn from_config(config: impl IntoConfig) -> Result<Client, Error> {
        let proxy = config.into_config()?.proxy(ProxyOptions::default())?;
        Client::connect(proxy).await
    }
}

/// What [`Client::from_config`] accepts: a path to a JSON file, or an [`McpServers`].
pub trait IntoConfig {
    /// The configuration.
    fn into_config(self) -> Result<McpServers, Error>;
}

impl IntoConfig for McpServers {
    fn into_config(self) -> Result<McpServers, Error> {
        Ok(self)
    }
}

impl IntoConfig for &str {
    fn into_config(self) -> Result<McpServers, Error> {
        McpServers::from_file(self)
    }
}

impl IntoConfig for &Path {
    fn into_config(self) -> Result<McpServers, Error> {
        McpServers::from_file(self)
    }
}

impl IntoConfig for PathBuf {
    fn into_config(self) -> Result<McpServers, Error> {
        McpServers::from_file(self)
    }
}
