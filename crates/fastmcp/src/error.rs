//! Errors: [`Error`] for everything the library can fail at, [`ToolError`] for what a tool returns.

use std::fmt::Display;
use std::time::Duration;

use crate::types::ErrorData;

/// A failure in the client, a server, or the connection between them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer answered with a JSON-RPC error.
    #[error("MCP error {}: {}", .0.code.0, .0.message)]
    Protocol(ErrorData),

    /// The tool ran and reported failure (`isError: true`); raised because `raise_on_error`
    /// is on (the default). Turn it off to get the result instead.
    #[error("tool '{tool}' returned an error: {message}")]
    Tool {
        /// The tool's name.
        tool: String,
        /// The text of the error content.
        message: String,
    },

    /// No response within the request's timeout; the request was cancelled.
    #[error("request timed out after {0:?}")]
    Timeout(Duration),

    /// The server process exited; every pending request fails with this.
    #[error("server process exited ({status}){stderr}", stderr = stderr_suffix(.stderr))]
    ServerExited {
        /// How the process ended, as the OS reports it (`exit status: 1`, `signal: 9 (SIGKILL)`).
        status: String,
        /// The last lines the server wrote to stderr, if any.
        stderr: String,
    },

    /// The connection closed before the response arrived.
    #[error("connection closed: {0}")]
    ConnectionClosed(String),

    /// Connecting or starting the session failed.
    #[error("could not connect to the MCP server: {0}")]
    Connect(String),

    /// A component could not be registered (for example, a duplicate name).
    #[error("{0}")]
    Registration(String),

    /// A value did not have the shape the caller asked for.
    #[error("unexpected data: {0}")]
    Data(String),

    /// An I/O failure (spawning a process, reading a file).
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        String::new()
    } else {
        format!("; its stderr ended with:\n{}", stderr.trim_end())
    }
}

impl From<ErrorData> for Error {
    fn from(error: ErrorData) -> Self {
        Error::Protocol(error)
    }
}

/// What a tool returns on failure. The client sees an `isError: true` result with this text.
///
/// Tools may return any `Result<T, E>` with `E: Display` (`anyhow::Error`, `std::io::Error`,
/// a `String`, …); `ToolError` is what those become.
///
/// ```
/// use fastmcp::ToolError;
/// let error = ToolError::new("the file is empty");
/// assert_eq!(error.to_string(), "the file is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    message: String,
}

impl ToolError {
    /// A tool error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message sent to the client.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ToolError {}

/// Converts any displayable error into a [`ToolError`]; used by `#[tool]` for `Result` returns.
pub trait IntoToolError {
    /// The conversion.
    fn into_tool_error(self) -> ToolError;
}

impl<E: Display> IntoToolError for E {
    fn into_tool_error(self) -> ToolError {
        ToolError::new(self.to_string())
    }
}
