//! Reading newline-delimited JSON-RPC with a bound on the size of one message.

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// The default bound on one incoming message: 8 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 8 * 1024 * 1024;

/// What one read produced.
pub(crate) enum Line<'a> {
    /// A complete line, without its terminator.
    Message(&'a [u8]),
    /// A line longer than the bound; its bytes were discarded as they arrived.
    Oversized,
    /// The peer closed the stream (or it failed).
    End,
}

/// Reads lines without ever buffering more than `max` bytes of one line.
pub(crate) struct LineReader<R> {
    read: BufReader<R>,
    line: Vec<u8>,
    max: usize,
    /// Inside an oversized line, skipping until its newline.
    discarding: bool,
    /// `line` holds a message already handed out; clear it before reading on.
    handed_out: bool,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub(crate) fn new(read: R, max: usize) -> Self {
        Self {
            read: BufReader::with_capacity(64 * 1024, read),
            line: Vec::new(),
            max,
            discarding: false,
            handed_out: false,
        }
    }

    pub(crate) fn set_max(&mut self, max: usize) {
        self.max = max;
    }

    /// Cancel-safe: a partial line stays buffered for the next call.
    pub(crate) async fn next(&mut self) -> Line<'_> {
        if std::mem::take(&mut self.handed_out) {
            self.line.clear();
            if self.line.capacity() > 1024 * 1024 {
                self.line = Vec::new();
            }
        }
        loop {
            let (consumed, done) = {
                let available = match self.read.fill_buf().await {
                    Ok(available) => available,
                    Err(error) => {
                        tracing::debug!(%error, "read failed; treating as end of stream");
                        return Line::End;
                    }
                };
                if available.is_empty() {
                    return Line::End;
                }
                let newline = available.iter().position(|b| *b == b'\n');
                let take = newline.map_or(available.len(), |i| i + 1);
                if !self.discarding {
                    if self.line.len() + take > self.max + 2 {
                        self.line = Vec::new();
                        self.discarding = true;
                    } else {
                        self.line.extend_from_slice(&available[..take]);
                    }
                }
                (take, newline.is_some())
            };
            self.read.consume(consumed);
            if !done {
                continue;
            }
            if self.discarding {
                self.discarding = false;
                return Line::Oversized;
            }
            while matches!(self.line.last(), Some(b'\n' | b'\r')) {
                self.line.pop();
            }
            if self.line.iter().all(u8::is_ascii_whitespace) {
                self.line.clear();
                continue;
            }
            self.handed_out = true;
            return Line::Message(&self.line);
        }
    }
}
