//! [`progress_queue`]: one request's progress events on their way from the transport to the
//! caller.
//!
//! In order and none lost while the caller keeps up. A server can send progress faster than
//! a slow handler takes it, so the queue is bounded (events and message bytes); past the bound
//! the newest event replaces the one before it. The caller then skips intermediate values but
//! still sees the latest, and a flooding server cannot grow the client's memory.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

use super::progress::ProgressEvent;

/// Events waiting per request before the newest replaces the last.
const MAX_EVENTS: usize = 4096;
/// Message bytes waiting per request before the newest replaces the last.
const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

struct Shared {
    state: Mutex<State>,
    ready: Notify,
}

#[derive(Default)]
struct State {
    events: VecDeque<ProgressEvent>,
    message_bytes: usize,
    senders: usize,
    /// Events replaced because the caller was too far behind.
    replaced: u64,
}

/// The transport's end: puts events in.
pub(crate) struct ProgressSender(Arc<Shared>);

/// The caller's end: takes events out, in order.
pub(crate) struct ProgressReceiver(Arc<Shared>);

/// A new, empty queue.
pub(crate) fn progress_queue() -> (ProgressSender, ProgressReceiver) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            senders: 1,
            ..State::default()
        }),
        ready: Notify::new(),
    });
    (
        ProgressSender(Arc::clone(&shared)),
        ProgressReceiver(shared),
    )
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn message_len(event: &ProgressEvent) -> usize {
    event.message.as_ref().map_or(0, String::len)
}

impl ProgressSender {
    pub(crate) fn send(&self, event: ProgressEvent) {
        let mut state = self.0.state();
        let full = state.events.len() >= MAX_EVENTS
            || state.message_bytes + message_len(&event) > MAX_MESSAGE_BYTES;
        if full && let Some(last) = state.events.pop_back() {
            state.message_bytes -= message_len(&last);
            state.replaced += 1;
            if state.replaced == 1 {
                tracing::warn!(
                    "progress arrives faster than the handler takes it; skipping to the newest"
                );
            }
        }
        state.message_bytes += message_len(&event);
        state.events.push_back(event);
        drop(state);
        self.0.ready.notify_one();
    }
}

impl Clone for ProgressSender {
    fn clone(&self) -> Self {
        self.0.state().senders += 1;
        Self(Arc::clone(&self.0))
    }
}

impl Drop for ProgressSender {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.senders -= 1;
        if state.senders == 0 {
            drop(state);
            self.0.ready.notify_one();
        }
    }
}

impl ProgressReceiver {
    /// The next event if one is waiting.
    pub(crate) fn try_recv(&mut self) -> Option<ProgressEvent> {
        let mut state = self.0.state();
        let event = state.events.pop_front()?;
        state.message_bytes -= message_len(&event);
        Some(event)
    }

    /// The next event; `None` once every sender is gone and nothing is left. Cancel-safe.
    pub(crate) async fn recv(&mut self) -> Option<ProgressEvent> {
        loop {
            if let Some(event) = self.try_recv() {
                return Some(event);
            }
            if self.0.state().senders == 0 {
                return None;
            }
            // `notify_one` keeps a permit when no one waits, so a push between the check
            // above and this wait is not missed.
            self.0.ready.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_EVENTS, ProgressEvent, progress_queue};

    fn event(progress: f64) -> ProgressEvent {
        ProgressEvent {
            progress,
            total: None,
            message: None,
        }
    }

    #[tokio::test]
    async fn events_come_out_in_order_then_none_when_the_sender_is_gone() {
        let (sender, mut receiver) = progress_queue();
        let clone = sender.clone();
        sender.send(event(1.0));
        clone.send(event(2.0));
        drop((sender, clone));
        assert_eq!(receiver.recv().await, Some(event(1.0)));
        assert_eq!(receiver.recv().await, Some(event(2.0)));
        assert_eq!(receiver.recv().await, None);
    }

    #[test]
    fn a_flood_is_bounded_and_keeps_the_newest() {
        let (sender, mut receiver) = progress_queue();
        let total = MAX_EVENTS * 3;
        for i in 1..=total {
            sender.send(event(i as f64));
        }
        let mut seen = Vec::new();
        while let Some(event) = receiver.try_recv() {
            seen.push(event.progress);
        }
        assert_eq!(seen.len(), MAX_EVENTS);
        assert_eq!(
            seen[..10],
            (1..=10).map(|i| i as f64).collect::<Vec<_>>()[..]
        );
        assert_eq!(seen.last(), Some(&(total as f64)));
    }

    #[test]
    fn big_messages_count_against_the_byte_bound() {
        let (sender, mut receiver) = progress_queue();
        for i in 0..10 {
            sender.send(ProgressEvent {
                progress: f64::from(i),
                total: None,
                message: Some("x".repeat(1024 * 1024)),
            });
        }
        let mut count = 0;
        while receiver.try_recv().is_some() {
            count += 1;
        }
        assert_eq!(count, 4);
    }
}
