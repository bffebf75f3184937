//! Resumable SSE streams: [`MemoryEventStore`], an in-memory [`EventStore`].
//!
//! With an event store, every SSE event the server sends is stored under an id first. A client
//! whose stream dropped reconnects with `GET` and `Last-Event-ID` and receives exactly the
//! events after that id: stored ones at once, later ones as they happen, until the request's
//! response. This works without sessions too (stateless HTTP), where a dropped stream no
//! longer cancels the request.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher as _, RandomState};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rmcp::model::ServerJsonRpcMessage;
use rmcp::transport::common::server_side_http::ServerSseMessage;
pub use rmcp::transport::streamable_http_server::session::{
    EventStore, EventStoreError, EventStream,
};
use tokio::sync::watch;

/// Keeps recent SSE events in memory so clients can resume a dropped stream with
/// `Last-Event-ID`. Bounded in every direction ([`EventLimits`]): events per stream (resuming
/// from before the oldest kept one is an error, never a silent gap), events in all, and how
/// long a stream is kept after its response (or after its last event, for a stream still
/// open). Served with sessions, [`HttpOptions`](super::HttpOptions) uses one by default.
///
/// ```
/// use fastmcp::server::{HttpOptions, MemoryEventStore};
/// let options = HttpOptions::default()
///     .stateless(true)
///     .event_store(MemoryEventStore::default());
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryEventStore {
    shared: Arc<Shared>,
}

/// The bounds of a [`MemoryEventStore`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct EventLimits {
    /// Events kept per stream (default 1024); older ones are dropped.
    pub per_stream: usize,
    /// Events kept in all (default 16 384); past it, the least recently used streams go.
    pub total: usize,
    /// How long a finished stream (one that carried its response) is kept (default 60 s).
    pub finished_ttl: Duration,
    /// How long an open stream is kept after its last event (default 5 minutes).
    pub idle_ttl: Duration,
}

impl Default for EventLimits {
    fn default() -> Self {
        Self {
            per_stream: 1024,
            total: 16_384,
            finished_ttl: Duration::from_secs(60),
            idle_ttl: Duration::from_secs(300),
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    inner: Mutex<Inner>,
    limits: EventLimits,
    /// Keys the tag in every event id, so an id cannot be made up from another one (stream
    /// numbers and sequences are counters): a client can resume only streams it was given.
    tags: RandomState,
}

#[derive(Debug)]
struct Inner {
    next_stream: u64,
    /// rmcp's stream id → our short stream number (used in event ids).
    numbers: HashMap<Arc<str>, u64>,
    logs: HashMap<u64, Log>,
    /// Events held in all logs.
    total: usize,
    swept: Instant,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            next_stream: 0,
            numbers: HashMap::new(),
            logs: HashMap::new(),
            total: 0,
            swept: Instant::now(),
        }
    }
}

/// One stream's retained events.
#[derive(Debug)]
struct Log {
    name: Arc<str>,
    /// `(sequence, event)`, oldest first; sequences count from 1.
    events: VecDeque<(u64, ServerSseMessage)>,
    next_seq: u64,
    /// The stream carried its request's response: nothing more will come.
    done: bool,
    touched: Instant,
    /// Wakes replays waiting for this stream's next event (created by the first to wait).
    appended: Option<watch::Sender<()>>,
}

impl Log {
    fn expired(&self, now: Instant, limits: &EventLimits) -> bool {
        let ttl = if self.done {
            limits.finished_ttl
        } else {
            limits.idle_ttl
        };
        now.duration_since(self.touched) >= ttl
    }
}

impl MemoryEventStore {
    /// A store with the given bounds.
    pub fn with_limits(limits: EventLimits) -> Self {
        let limits = EventLimits {
            per_stream: limits.per_stream.max(1),
            total: limits.total.max(1),
            ..limits
        };
        let shared = Shared {
            inner: Mutex::new(Inner::default()),
            limits,
            tags: RandomState::new(),
        };
        Self {
            shared: Arc::new(shared),
        }
    }

    /// Events held right now, in all streams (streams past their time-to-live are dropped
    /// first).
    pub fn len(&self) -> usize {
        let mut inner = self.shared.lock();
        inner.sweep(Instant::now(), &self.shared.limits);
        inner.total
    }

    /// Whether no events are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How often expired streams are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn store(&self, stream: &str, event: &ServerSseMessage) -> String {
        let mut inner = self.lock();
        let now = Instant::now();
        if now.duration_since(inner.swept) >= SWEEP_EVERY {
            inner.sweep(now, &self.limits);
        }
        let Inner {
            next_stream,
            numbers,
            logs,
            total,
            ..
        } = &mut *inner;
        let number = match numbers.get(stream) {
            Some(number) => *number,
            None => {
                *next_stream += 1;
                numbers.insert(stream.into(), *next_stream);
                *next_stream
            }
        };
        let log = logs.entry(number).or_insert_with(|| Log {
            name: stream.into(),
            events: VecDeque::new(),
            next_seq: 1,
            done: false,
            touched: now,
            appended: None,
        });
        let seq = log.next_seq;
        log.next_seq += 1;
        log.touched = now;
        log.done |= event.message.as_deref().is_some_and(is_response);
        log.events.push_back((seq, event.clone()));
        *total += 1;
        if log.events.len() > self.limits.per_stream {
            log.events.pop_front();
            *total -= 1;
        }
        if let Some(appended) = &log.appended {
            appended.send_replace(());
        }
        if inner.total > self.limits.total {
            inner.evict_least_recent(self.limits.total);
        }
        self.event_id(number, seq)
    }

    /// The id of event `seq` of stream `number`: `number.tag-seq`, the tag keyed by this store.
    fn event_id(&self, number: u64, seq: u64) -> String {
        format!("{number}.{:016x}-{seq}", self.tag(number))
    }

    fn tag(&self, number: u64) -> u64 {
        self.tags.hash_one(number)
    }

    /// The stream and sequence an id names, if this store made it.
    fn parse_id(&self, id: &str) -> Result<(u64, u64), EventStoreError> {
        let malformed = || format!("malformed Last-Event-ID {id:?}");
        let (stream, seq) = id.split_once('-').ok_or_else(malformed)?;
        let (number, tag) = stream.split_once('.').ok_or_else(malformed)?;
        let number: u64 = number.parse().map_err(|_| malformed())?;
        let seq: u64 = seq.parse().map_err(|_| malformed())?;
        let tag = u64::from_str_radix(tag, 16).map_err(|_| malformed())?;
        if tag != self.tag(number) {
            return Err(format!("no stored stream for event {id:?}").into());
        }
        Ok((number, seq))
    }

    /// The next event after `after` on stream `number`, or a way to wait for it.
    fn next(&self, number: u64, after: u64) -> Step {
        let mut inner = self.lock();
        let Some(log) = inner.logs.get_mut(&number) else {
            return Step::End;
        };
        match log.events.iter().find(|(seq, _)| *seq > after) {
            Some((seq, event)) => {
                let mut event = event.clone();
                event.event_id = Some(self.event_id(number, *seq));
                Step::Event(*seq, event)
            }
            None if log.done => Step::End,
            // Subscribed under the lock: an event stored after this wakes the waiter.
            None => Step::Wait(
                log.appended
                    .get_or_insert_with(|| watch::channel(()).0)
                    .subscribe(),
            ),
        }
    }

    fn check_resumable(&self, number: u64, after: u64) -> Result<(), EventStoreError> {
        let inner = self.lock();
        let log = inner
            .logs
            .get(&number)
            .ok_or_else(|| format!("no stored stream for event {number}-{after}"))?;
        let oldest = log.events.front().map_or(log.next_seq, |(seq, _)| *seq);
        if after + 1 < oldest {
            return Err(format!(
                "events after {number}-{after} on stream {} are no longer stored \
                 (the store keeps the last {} per stream)",
                log.name, self.limits.per_stream
            )
            .into());
        }
        Ok(())
    }
}

impl Inner {
    fn sweep(&mut self, now: Instant, limits: &EventLimits) {
        self.swept = now;
        let expired: Vec<u64> = self
            .logs
            .iter()
            .filter(|(_, log)| log.expired(now, limits))
            .map(|(number, _)| *number)
            .collect();
        for number in expired {
            self.forget(number);
        }
    }

    /// Drops the least recently used streams until at most `target` * 7/8 events remain (a
    /// margin so the next few stores do not each pay for a sort).
    fn evict_least_recent(&mut self, target: usize) {
        let mut by_age: Vec<(Instant, u64)> = self
            .logs
            .iter()
            .map(|(number, log)| (log.touched, *number))
            .collect();
        by_age.sort_unstable();
        let goal = target - target / 8;
        for (_, number) in by_age {
            if self.total <= goal {
                break;
            }
            self.forget(number);
        }
    }

    fn forget(&mut self, number: u64) {
        if let Some(log) = self.logs.remove(&number) {
            self.total -= log.events.len();
            self.numbers.remove(&*log.name);
        }
    }
}

enum Step {
    Event(u64, ServerSseMessage),
    Wait(watch::Receiver<()>),
    End,
}

fn is_response(message: &ServerJsonRpcMessage) -> bool {
    matches!(
        message,
        ServerJsonRpcMessage::Response(_) | ServerJsonRpcMessage::Error(_)
    )
}

#[async_trait::async_trait]
impl EventStore for MemoryEventStore {
    async fn store_event(
        &self,
        stream_id: &str,
        event: &ServerSseMessage,
    ) -> Result<String, EventStoreError> {
        Ok(self.shared.store(stream_id, event))
    }

    async fn replay_events_after(
        &self,
        last_event_id: &str,
    ) -> Result<EventStream, EventStoreError> {
        let (number, after) = self.shared.parse_id(last_event_id)?;
        self.shared.check_resumable(number, after)?;
        let store = Arc::clone(&self.shared);
        let events = futures::stream::unfold(after, move |after| {
            let store = Arc::clone(&store);
            async move {
                loop {
                    match store.next(number, after) {
                        Step::Event(seq, event) => return Some((event, seq)),
                        Step::End => return None,
                        Step::Wait(mut appended) => {
                            // An error means the stream was forgotten: end the replay.
                            appended.changed().await.ok()?;
                        }
                    }
                }
            }
        });
        Ok(Box::pin(events))
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;
    use rmcp::model::{NumberOrString, ServerResult};

    use super::*;

    fn progress(n: u32) -> ServerSseMessage {
        let message: ServerJsonRpcMessage = serde_json::from_value(serde_json::json!({
            "jsonrpc": "2.0", "method": "notifications/progress",
            "params": {"progressToken": "t", "progress": n}}))
        .unwrap();
        ServerSseMessage::from_message(message)
    }

    fn response() -> ServerSseMessage {
        ServerSseMessage::from_message(ServerJsonRpcMessage::response(
            ServerResult::empty(()),
            NumberOrString::Number(1),
        ))
    }

    fn limits(per_stream: usize, total: usize) -> EventLimits {
        EventLimits {
            per_stream,
            total,
            ..EventLimits::default()
        }
    }

    async fn replay(store: &MemoryEventStore, after: &str) -> Result<Vec<String>, EventStoreError> {
        let events = store.replay_events_after(after).await?;
        Ok(events
            .filter_map(|e| async move { e.event_id.map(short) })
            .collect()
            .await)
    }

    /// `number-seq` of an event id, without its tag.
    fn short(id: String) -> String {
        let (stream, seq) = id.split_once('-').unwrap();
        let number = stream.split_once('.').unwrap().0;
        format!("{number}-{seq}")
    }

    #[tokio::test]
    async fn replays_exactly_the_events_after_the_given_id() {
        let store = MemoryEventStore::default();
        let ids: Vec<String> = (1..=3)
            .map(|n| store.shared.store("a", &progress(n)))
            .collect();
        store.shared.store("b", &progress(9));
        store.shared.store("a", &response());
        assert_eq!(
            replay(&store, &ids[0]).await.unwrap(),
            ["1-2", "1-3", "1-4"]
        );
    }

    #[tokio::test]
    async fn a_replay_waits_for_events_still_to_come() {
        let store = MemoryEventStore::default();
        let first = store.shared.store("a", &progress(1));
        let mut events = store.replay_events_after(&first).await.unwrap();
        store.shared.store("a", &progress(2));
        assert_eq!(
            events.next().await.unwrap().event_id.map(short).as_deref(),
            Some("1-2")
        );
        store.shared.store("a", &response());
        assert_eq!(
            events.next().await.unwrap().event_id.map(short).as_deref(),
            Some("1-3")
        );
        assert!(
            events.next().await.is_none(),
            "the response ends the replay"
        );
    }

    #[tokio::test]
    async fn resuming_from_before_the_kept_events_is_an_error_not_a_gap() {
        let store = MemoryEventStore::with_limits(limits(3, 100));
        let ids: Vec<String> = (1..=10)
            .map(|n| store.shared.store("a", &progress(n)))
            .collect();
        let error = replay(&store, &ids[0]).await.unwrap_err();
        assert!(error.to_string().contains("no longer stored"), "{error}");
        store.shared.store("a", &response());
        assert_eq!(
            replay(&store, &ids[7]).await.unwrap(),
            ["1-9", "1-10", "1-11"]
        );
        assert!(replay(&store, "garbage").await.is_err());
    }

    #[tokio::test]
    async fn an_event_id_cannot_be_made_up() {
        let store = MemoryEventStore::default();
        let mine = store.shared.store("mine", &progress(1));
        let theirs = store.shared.store("theirs", &progress(1));
        store.shared.store("theirs", &progress(2));
        assert!(store.replay_events_after(&theirs).await.is_ok());
        // The id of the other stream's first event, built from this one's by its counters.
        let (stream, seq) = mine.split_once('-').unwrap();
        let tag = stream.split_once('.').unwrap().1;
        let forged = format!("2.{tag}-{seq}");
        let error = replay(&store, &forged).await.unwrap_err();
        assert!(error.to_string().contains("no stored stream"), "{error}");
        assert!(replay(&store, "2-1").await.is_err(), "an id without a tag");
    }

    #[test]
    fn the_total_bound_drops_the_least_recent_streams() {
        let store = MemoryEventStore::with_limits(limits(100, 16));
        for stream in 0..20 {
            store.shared.store(&stream.to_string(), &progress(1));
        }
        assert!(store.len() <= 16, "{} events kept", store.len());
        let inner = store.shared.lock();
        assert!(inner.numbers.contains_key("19"), "the newest stream stays");
        assert!(!inner.numbers.contains_key("0"), "the oldest stream went");
    }
}
