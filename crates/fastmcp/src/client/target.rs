//! What a [`Client`](super::Client) can connect to, inferred from what it is given.

use rmcp::RoleClient;
use tokio::io::ReadHalf;

use super::stdio::StdioServer;
use crate::error::Error;
use crate::server::FastMCP;
use crate::transports::LineTransport;

/// A connection target: an in-process server, a command to run, or a ready transport.
///
/// Built by `From`: a [`FastMCP`] (in-process, no I/O), a [`StdioServer`], a ready client
/// [`LineTransport`], or a string. A string is a URL when it starts with `http://` or
/// `https://`; otherwise a command line (`"python3 server.py"`, `"server.py"`,
/// `"npx -y @modelcontextprotocol/server-everything"`).
#[derive(Debug)]
pub enum Target {
    /// A server in this process, connected through an in-memory pipe.
    InProcess(FastMCP),
    /// A server started as a child process and spoken to over stdio.
    Stdio(StdioServer),
    /// An MCP endpoint URL (Streamable HTTP).
    Url(String),
    /// An already-connected transport (for example one half of [`crate::transports::memory`]).
    Transport(Box<LineTransport<RoleClient, ReadHalf<tokio::io::DuplexStream>>>),
}

impl Target {
    /// Interprets a string as a URL or a command line.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim();
        if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
            return Ok(Target::Url(trimmed.to_owned()));
        }
        StdioServer::parse(trimmed).map(Target::Stdio)
    }
}

impl From<FastMCP> for Target {
    fn from(server: FastMCP) -> Self {
        Target::InProcess(server)
    }
}

impl From<&FastMCP> for Target {
    fn from(server: &FastMCP) -> Self {
        Target::InProcess(server.clone())
    }
}

impl From<StdioServer> for Target {
    fn from(server: StdioServer) -> Self {
        Target::Stdio(server)
    }
}

impl From<LineTransport<RoleClient, ReadHalf<tokio::io::DuplexStream>>> for Target {
    fn from(transport: LineTransport<RoleClient, ReadHalf<tokio::io::DuplexStream>>) -> Self {
        Target::Transport(Box::new(transport))
    }
}

/// Anything [`Client::connect`](super::Client::connect) accepts: a [`Target`], or a value
/// that converts to one (a server, a [`StdioServer`], a transport, a URL or command string).
pub trait IntoTarget {
    /// The conversion; a string that cannot be parsed as a command line fails here.
    fn into_target(self) -> Result<Target, Error>;
}

impl<T: Into<Target>> IntoTarget for T {
    fn into_target(self) -> Result<Target, Error> {
        Ok(self.into())
    }
}

impl IntoTarget for &str {
    fn into_target(self) -> Result<Target, Error> {
        Target::parse(self)
    }
}

impl IntoTarget for String {
    fn into_target(self) -> Result<Target, Error> {
        Target::parse(&self)
    }
}

impl IntoTarget for &String {
    fn into_target(self) -> Result<Target, Error> {
        Target::parse(self)
    }
}
