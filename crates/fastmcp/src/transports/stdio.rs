//! This process's stdin and stdout as async streams, without Tokio's blocking threads.
//!
//! `tokio::io::stdin()`/`stdout()` (and so rmcp's stdio transport) do every read and write on
//! a blocking-pool thread, handing each buffer across threads: a request/response round trip
//! costs several thread wake-ups. When stdin and stdout are pipes or sockets — how MCP clients
//! start servers — FastMCP puts duplicates of them in non-blocking mode and registers them
//! with Tokio's event loop instead, so reads and writes happen on the task that asked for
//! them. Anything else (a terminal, a file) falls back to Tokio's own stdin/stdout.
//!
//! Non-blocking mode belongs to the open pipe, not the descriptor, so it also applies to this
//! process's own fd 0 and 1: a stdio server must not write to stdout other than through its
//! transport anyway (it would corrupt the protocol); logs belong on stderr.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// This process's stdin, for [`stdio`](super::stdio).
#[derive(Debug)]
pub struct StdinReader(Input);

/// This process's stdout, for [`stdio`](super::stdio).
#[derive(Debug)]
pub struct StdoutWriter(Output);

#[derive(Debug)]
enum Input {
    #[cfg(unix)]
    Pipe(tokio::net::unix::pipe::Receiver),
    #[cfg(unix)]
    Socket(tokio::net::UnixStream),
    Std(tokio::io::Stdin),
}

#[derive(Debug)]
enum Output {
    #[cfg(unix)]
    Pipe(tokio::net::unix::pipe::Sender),
    #[cfg(unix)]
    Socket(tokio::net::UnixStream),
    Std(tokio::io::Stdout),
}

impl StdinReader {
    /// Stdin on the event loop if it is a pipe or a socket, else Tokio's blocking stdin.
    /// Call inside a Tokio runtime.
    pub fn new() -> Self {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd as _;
            let pipe = tokio::net::unix::pipe::Receiver::from_owned_fd;
            match evented(io::stdin().as_fd(), pipe) {
                Some(Evented::Pipe(pipe)) => return Self(Input::Pipe(pipe)),
                Some(Evented::Socket(socket)) => return Self(Input::Socket(socket)),
                None => {}
            }
        }
        Self(Input::Std(tokio::io::stdin()))
    }
}

impl Default for StdinReader {
    fn default() -> Self {
        Self::new()
    }
}

impl StdoutWriter {
    /// Stdout on the event loop if it is a pipe or a socket, else Tokio's blocking stdout.
    /// Call inside a Tokio runtime.
    pub fn new() -> Self {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd as _;
            let pipe = tokio::net::unix::pipe::Sender::from_owned_fd;
            match evented(io::stdout().as_fd(), pipe) {
                Some(Evented::Pipe(pipe)) => return Self(Output::Pipe(pipe)),
                Some(Evented::Socket(socket)) => return Self(Output::Socket(socket)),
                None => {}
            }
        }
        Self(Output::Std(tokio::io::stdout()))
    }
}

impl Default for StdoutWriter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(unix)]
enum Evented<P> {
    Pipe(P),
    Socket(tokio::net::UnixStream),
}

/// A duplicate of `fd` on the event loop, if it is a pipe (made into `P` by `pipe`) or a
/// stream socket.
#[cfg(unix)]
fn evented<P>(
    fd: std::os::fd::BorrowedFd<'_>,
    pipe: fn(std::os::fd::OwnedFd) -> io::Result<P>,
) -> Option<Evented<P>> {
    use std::os::unix::fs::FileTypeExt as _;
    let owned = fd.try_clone_to_owned().ok()?;
    let file = std::fs::File::from(owned);
    let kind = file.metadata().ok()?.file_type();
    if kind.is_fifo() {
        pipe(file.into()).ok().map(Evented::Pipe)
    } else if kind.is_socket() {
        let socket = std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(file));
        socket.set_nonblocking(true).ok()?;
        tokio::net::UnixStream::from_std(socket)
            .ok()
            .map(Evented::Socket)
    } else {
        None
    }
}

impl AsyncRead for StdinReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            #[cfg(unix)]
            Input::Pipe(pipe) => Pin::new(pipe).poll_read(cx, buf),
            #[cfg(unix)]
            Input::Socket(socket) => Pin::new(socket).poll_read(cx, buf),
            Input::Std(stdin) => Pin::new(stdin).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for StdoutWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().0 {
            #[cfg(unix)]
            Output::Pipe(pipe) => Pin::new(pipe).poll_write(cx, buf),
            #[cfg(unix)]
            Output::Socket(socket) => Pin::new(socket).poll_write(cx, buf),
            Output::Std(stdout) => Pin::new(stdout).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            #[cfg(unix)]
            Output::Pipe(pipe) => Pin::new(pipe).poll_flush(cx),
            #[cfg(unix)]
            Output::Socket(socket) => Pin::new(socket).poll_flush(cx),
            Output::Std(stdout) => Pin::new(stdout).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            #[cfg(unix)]
            Output::Pipe(pipe) => Pin::new(pipe).poll_shutdown(cx),
            #[cfg(unix)]
            Output::Socket(socket) => Pin::new(socket).poll_shutdown(cx),
            Output::Std(stdout) => Pin::new(stdout).poll_shutdown(cx),
        }
    }
}
