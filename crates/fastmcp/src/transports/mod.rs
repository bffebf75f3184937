//! Transports: how messages travel between a client and a server.
//!
//! - [`LineTransport`]: newline-delimited JSON-RPC over any `AsyncRead`/`AsyncWrite` pair —
//!   stdio, pipes, sockets. It implements rmcp's `Transport` trait for both roles, so it runs
//!   under rmcp's service loop, with three things rmcp's own stdio transport lacks: batched
//!   writes (one syscall for many queued messages), a JSON-RPC error for every malformed line
//!   (`-32700`, `-32600`, `-32602`) instead of silence, and a bound on message size that
//!   answers with an error rather than buffering without limit.
//! - [`memory`]: a connected client/server pair inside one process, for tests.
//! - [`stdio`]: the server side of a stdio connection (this process's stdin/stdout, on the
//!   event loop when they are pipes or sockets: [`StdinReader`], [`StdoutWriter`]).
//! - `LegacySseClient` (feature `http-client`): the client side of the 2024-11-05 HTTP+SSE
//!   transport, for servers older than Streamable HTTP.

#[cfg(feature = "http-client")]
mod legacy_sse;
mod line_transport;
pub(crate) mod lines;
pub(crate) mod outbox;
pub(crate) mod parse;
mod stdio;

#[cfg(feature = "http-client")]
pub use legacy_sse::LegacySseClient;
pub use line_transport::LineTransport;
pub use lines::DEFAULT_MAX_MESSAGE_SIZE;
pub use outbox::OutboxClosed;
pub use stdio::{StdinReader, StdoutWriter};

#[cfg(feature = "client")]
use rmcp::RoleClient;
use rmcp::RoleServer;

/// The server side of a stdio connection: reads this process's stdin, writes its stdout.
///
/// When they are pipes or sockets (as when an MCP client starts the server), both run on
/// Tokio's event loop rather than its blocking threads; see [`StdinReader`].
///
/// ```no_run
/// # async fn run() -> Result<(), fastmcp::Error> {
/// let server = fastmcp::FastMCP::new("demo");
/// server.serve(fastmcp::transports::stdio()).await?;
/// # Ok(()) }
/// ```
pub fn stdio() -> LineTransport<RoleServer, StdinReader> {
    LineTransport::new(StdinReader::new(), StdoutWriter::new())
}

/// A connected in-memory pair: `(server side, client side)`.
///
/// Bytes travel through an in-process pipe, so the full framing and error handling run as they
/// would over stdio, but nothing touches the operating system.
#[cfg(feature = "client")]
pub fn memory() -> (
    LineTransport<RoleServer, tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    LineTransport<RoleClient, tokio::io::ReadHalf<tokio::io::DuplexStream>>,
) {
    const PIPE_CAPACITY: usize = 256 * 1024;
    let (server_end, client_end) = tokio::io::duplex(PIPE_CAPACITY);
    let (server_read, server_write) = tokio::io::split(server_end);
    let (client_read, client_write) = tokio::io::split(client_end);
    (
        LineTransport::new(server_read, server_write),
        LineTransport::new(client_read, client_write),
    )
}
