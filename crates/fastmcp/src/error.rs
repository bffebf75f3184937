//! Errors: [`Error`] for everything the library can fail at, [`ToolError`] for what a tool returns.

use std::fmt::Display;
use std::time::Duration;

use crate::types::ErrorData;

/// The cause behind an [`Error`], kept for [`std::error::Error::source`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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
    #[error("connection closed: {message}")]
    ConnectionClosed {
        /// What happened.
        message: String,
        /// The transport's or rmcp's error, when there was one.
        #[source]
        source: Option<BoxError>,
    },

    /// Connecting or starting the session failed.
    #[error("could not connect to the MCP server: {message}")]
    Connect {
        /// What failed, naming the target.
        message: String,
        /// The underlying error (I/O, HTTP, the handshake), when there was one.
        #[source]
        source: Option<BoxError>,
    },

    /// The server's startup hook failed, so the server did not start.
    #[error("server startup failed: {0}")]
    Startup(#[source] BoxError),

    /// A component could not be registered (for example, a duplicate name).
    #[error("{0}")]
    Registration(String),

    /// The peer does not support what was asked (a client without elicitation, say).
    #[error("not supported: {0}")]
    Unsupported(String),

    /// OAuth authorization failed (discovery, registration, the user's consent, the token).
    #[error("authorization failed: {message}")]
    Auth {
        /// What failed.
        message: String,
        /// rmcp's, the OAuth library's or the HTTP client's error, when there was one.
        #[source]
        source: Option<BoxError>,
    },

    /// A launch setting is malformed (a flag without its value, say).
    #[error("invalid setting: {0}")]
    Settings(String),

    /// Arguments given to a request do not have the shape it needs (tool arguments that are not
    /// a JSON object, say).
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),

    /// A value did not have the shape the caller asked for.
    #[error("unexpected data: {message}")]
    Data {
        /// What was expected and what came.
        message: String,
        /// The (de)serialization error, when there was one.
        #[source]
        source: Option<BoxError>,
    },

    /// The OS random source failed, so there is nothing unguessable to make session ids and
    /// the `requestState` key from; the server does not start rather than use a weak one.
    #[error("the OS random source failed ({0}); refusing to use guessable session ids and keys")]
    Randomness(#[source] BoxError),

    /// A shared store (Redis or Valkey) could not be reached or answered wrongly.
    #[error("store failed: {message}")]
    Store {
        /// What was being done.
        message: String,
        /// The store client's error.
        #[source]
        source: BoxError,
    },

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

impl Error {
    /// A connection failure with no underlying error.
    #[cfg(feature = "client")]
    pub(crate) fn connect(message: impl Into<String>) -> Self {
        Error::Connect {
            message: message.into(),
            source: None,
        }
    }

    /// A connection failure caused by `source`.
    pub(crate) fn connect_from(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Connect {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// A closed connection with no underlying error.
    pub(crate) fn closed(message: impl Into<String>) -> Self {
        Error::ConnectionClosed {
            message: message.into(),
            source: None,
        }
    }

    /// A closed connection caused by `source`.
    pub(crate) fn closed_from(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::ConnectionClosed {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// An authorization failure with no underlying error.
    #[cfg(feature = "auth")]
    pub(crate) fn auth(message: impl Into<String>) -> Self {
        Error::Auth {
            message: message.into(),
            source: None,
        }
    }

    /// An authorization failure caused by `source`.
    #[cfg(feature = "auth")]
    pub(crate) fn auth_from(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Auth {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// Data of the wrong shape, with no underlying error.
    #[cfg(feature = "client")]
    pub(crate) fn data(message: impl Into<String>) -> Self {
        Error::Data {
            message: message.into(),
            source: None,
        }
    }

    /// Data of the wrong shape, as `source` (a serde error) says.
    pub(crate) fn data_from(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Data {
            message: message.into(),
            source: Some(source.into()),
        }
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
    /// Converted from another error type rather than raised on purpose: masked by
    /// [`ErrorHandling`](crate::middleware::ErrorHandling) when it masks details.
    internal: bool,
}

impl ToolError {
    /// A tool error with this message, raised on purpose: the client always sees it.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            internal: false,
        }
    }

    /// Whether the error came from another error type (an `io::Error`, an `anyhow::Error`, …)
    /// rather than [`ToolError::new`]. Masking middleware hides such messages from clients.
    pub fn is_internal(&self) -> bool {
        self.internal
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

impl<E: Display + 'static> IntoToolError for E {
    fn into_tool_error(self) -> ToolError {
        match (&self as &dyn std::any::Any).downcast_ref::<ToolError>() {
            Some(error) => error.clone(),
            None => ToolError {
                message: self.to_string(),
                internal: true,
            },
        }
    }
}

/// A failed resource read, prompt render or completion: sent to the client as a JSON-RPC error.
///
/// Functions behind resources and prompts may return any `Result<T, E>` with `E: Display`
/// (an internal error carrying the message); return a `RequestError` to choose the code.
///
/// ```
/// use fastmcp::RequestError;
/// let error = RequestError::not_found("no such city: Atlantis");
/// assert_eq!(error.to_string(), "no such city: Atlantis");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RequestError {
    data: ErrorData,
}

impl RequestError {
    /// An internal error (`-32603`) with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            data: ErrorData::internal_error(message.into(), None),
        }
    }

    /// Resource not found (`-32002`; `-32602` on protocol 2026-07-28).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            data: ErrorData::resource_not_found(message.into(), None),
        }
    }

    /// Invalid params (`-32602`).
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self {
            data: ErrorData::invalid_params(message.into(), None),
        }
    }

    /// The JSON-RPC error sent to the client.
    pub fn into_error_data(self) -> ErrorData {
        self.data
    }
}

impl Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.data.message)
    }
}

impl std::error::Error for RequestError {}

impl From<ErrorData> for RequestError {
    fn from(data: ErrorData) -> Self {
        Self { data }
    }
}

/// Converts a function's error into a [`RequestError`]: a `RequestError` keeps its code, any
/// other displayable error becomes an internal error. Used by `#[resource]` and `#[prompt]`.
pub(crate) mod request_error_support {
    use std::fmt::Display;
    use std::marker::PhantomData;

    use super::RequestError;

    pub struct Probe<E>(PhantomData<E>);

    impl<E> Probe<E> {
        pub fn of(_: &E) -> Self {
            Probe(PhantomData)
        }
    }

    pub struct Keep;
    pub struct Wrap;

    pub trait KeepKind {
        fn kind(&self) -> Keep {
            Keep
        }
    }
    impl KeepKind for &Probe<RequestError> {}

    pub trait WrapKind {
        fn kind(&self) -> Wrap {
            Wrap
        }
    }
    impl<E: Display> WrapKind for &&Probe<E> {}

    impl Keep {
        pub fn convert(&self, error: RequestError) -> RequestError {
            error
        }
    }

    impl Wrap {
        pub fn convert<E: Display>(&self, error: E) -> RequestError {
            RequestError::new(error.to_string())
        }
    }
}
