//! The write side of a line-delimited JSON-RPC connection.
//!
//! Writers serialize straight into one shared buffer; a single task swaps the buffer out and
//! writes everything queued so far with one `write_all` + `flush`. Under load this turns many
//! small messages into one syscall, which is what lets a server push well over 100k progress
//! notifications per second over stdio (rmcp's async-rw transport flushes and awaits every
//! message).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// Above this many queued bytes, [`Outbox::push_when_ready`] waits for the writer to drain.
const HIGH_WATER: usize = 4 * 1024 * 1024;

/// The connection is closed; nothing more can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the connection is closed")]
pub struct OutboxClosed;

/// A cloneable handle on a connection's outgoing byte queue.
#[derive(Clone, Default)]
pub struct Outbox {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    queue: Mutex<Queue>,
    /// Wakes the writer task.
    wake: Notify,
    /// Wakes producers waiting for the queue to drain, and `close` waiting for the writer.
    drained: Notify,
}

#[derive(Default)]
struct Queue {
    bytes: Vec<u8>,
    closed: bool,
    writer_done: bool,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").finish_non_exhaustive()
    }
}

impl Outbox {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.inner
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Serializes `message` as one line and queues it; never waits.
    pub fn push<T: Serialize>(&self, message: &T) -> Result<(), OutboxClosed> {
        {
            let mut queue = self.queue();
            if queue.closed {
                return Err(OutboxClosed);
            }
            let start = queue.bytes.len();
            if let Err(error) = serde_json::to_writer(&mut queue.bytes, message) {
                // Our own message types always serialize; keep the stream well-formed anyway.
                queue.bytes.truncate(start);
                tracing::error!(%error, "dropping an outgoing message that failed to serialize");
                return Ok(());
            }
            queue.bytes.push(b'\n');
        }
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Like [`push`](Self::push), but first waits while the queue is above its high-water mark,
    /// so a producer faster than the peer cannot grow memory without bound.
    pub async fn push_when_ready<T: Serialize>(&self, message: &T) -> Result<(), OutboxClosed> {
        self.ready().await?;
        self.push(message)
    }

    /// Waits while the queue is above its high-water mark: the peer is not reading.
    pub async fn ready(&self) -> Result<(), OutboxClosed> {
        loop {
            let drained = self.inner.drained.notified();
            {
                let queue = self.queue();
                if queue.closed {
                    return Err(OutboxClosed);
                }
                if queue.bytes.len() < HIGH_WATER {
                    return Ok(());
                }
            }
            drained.await;
        }
    }

    /// Stops accepting messages; the writer finishes what was queued, then closes the stream.
    pub fn close_soon(&self) {
        self.queue().closed = true;
        self.inner.wake.notify_one();
    }

    /// Stops accepting messages and waits until the writer has written what was queued.
    pub async fn close(&self) {
        loop {
            let drained = self.inner.drained.notified();
            {
                let mut queue = self.queue();
                queue.closed = true;
                if queue.writer_done {
                    return;
                }
            }
            self.inner.wake.notify_one();
            drained.await;
        }
    }

    fn finish_writer(&self) {
        let mut queue = self.queue();
        queue.closed = true;
        queue.writer_done = true;
        queue.bytes = Vec::new();
        drop(queue);
        self.inner.drained.notify_waiters();
    }

    /// Runs the writer until the outbox is closed and drained, or the peer stops reading.
    pub async fn run_writer<W: AsyncWrite + Unpin>(self, mut write: W) {
        let mut batch = Vec::new();
        loop {
            let wake = self.inner.wake.notified();
            let closed = {
                let mut queue = self.queue();
                std::mem::swap(&mut batch, &mut queue.bytes);
                queue.closed
            };
            if batch.is_empty() {
                if closed {
                    break;
                }
                wake.await;
                continue;
            }
            self.inner.drained.notify_waiters();
            let written = async {
                write.write_all(&batch).await?;
                write.flush().await
            }
            .await;
            if let Err(error) = written {
                tracing::debug!(%error, "peer stopped reading; closing the connection");
                break;
            }
            batch.clear();
            // Keep a large buffer from one burst from pinning memory forever.
            if batch.capacity() > HIGH_WATER {
                batch = Vec::new();
            }
        }
        let _ = write.shutdown().await;
        self.finish_writer();
    }
}
