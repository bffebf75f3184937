//! [`RedisEventStore`]: SSE streams kept in Redis streams, resumable and followed from any
//! replica.

use std::time::Duration;

use ::redis::aio::MultiplexedConnection;
use ::redis::streams::{StreamId, StreamRangeReply, StreamReadReply};
use rmcp::model::ServerJsonRpcMessage;
use rmcp::transport::common::server_side_http::ServerSseMessage;
use tokio::sync::mpsc;

use super::Redis;
use crate::server::{EventLimits, EventStore, EventStoreError, EventStream};

/// Entries read per round trip when replaying.
const PAGE: usize = 100;

/// How long one blocking read for a stream's next event waits before looking again whether
/// the stream still exists.
const TAIL_WAIT: Duration = Duration::from_secs(5);

impl Redis {
    /// The events of stream `token` after entry `after`, then new ones as any replica adds
    /// them. With a `cursor` key, the replay follows a stream that has no end (a session's
    /// `GET` stream): it starts after the entry recorded there (the stream's start when none),
    /// records each entry it sends, and lasts until the client goes away.
    fn replay(&self, token: String, after: String, cursor: Option<String>) -> EventStream {
        let (sender, receiver) = mpsc::channel(PAGE);
        let replay = Replay {
            redis: self.clone(),
            key: self.events_key(&token),
            token,
            after,
            cursor,
            sender,
        };
        tokio::spawn(replay.run());
        Box::pin(crate::server::http::sessions::receiver_stream(receiver))
    }

    /// Follows the event stream named `stream` (as the server names it when storing events)
    /// from the first entry no follower has sent yet: a session's `GET` stream, whichever
    /// replica writes to it and whichever one the client's `GET` reaches.
    pub(crate) fn follow(&self, stream: &str) -> EventStream {
        let token = self.stream_token(stream);
        let cursor = self.key(&format!("sent:{token}"));
        self.replay(token, "0-0".to_owned(), Some(cursor))
    }
}

/// Resumable SSE streams kept in Redis: a client can resume with `Last-Event-ID` through any
/// replica, including the live tail of a stream another replica is still writing. Made by
/// [`Redis::event_store`]; hand it to [`HttpOptions::event_store`](crate::server::HttpOptions::event_store).
#[derive(Clone, Debug)]
pub struct RedisEventStore {
    pub(super) redis: Redis,
    pub(super) limits: EventLimits,
}

#[async_trait::async_trait]
impl EventStore for RedisEventStore {
    async fn store_event(
        &self,
        stream_id: &str,
        event: &ServerSseMessage,
    ) -> Result<String, EventStoreError> {
        let token = self.redis.stream_token(stream_id);
        let key = self.redis.events_key(&token);
        let ends = event.message.as_deref().is_some_and(is_response);
        let mut add = ::redis::cmd("XADD");
        add.arg(&key)
            .arg("MAXLEN")
            .arg(self.limits.per_stream)
            .arg("*");
        if let Some(message) = &event.message {
            add.arg("m").arg(serde_json::to_vec(&**message)?);
        }
        if let Some(retry) = event.retry {
            add.arg("r")
                .arg(u64::try_from(retry.as_millis()).unwrap_or(u64::MAX));
        }
        if ends {
            add.arg("end").arg(1);
        }
        if event.message.is_none() && event.retry.is_none() {
            add.arg("-").arg(1);
        }
        let ttl = if ends {
            self.limits.finished_ttl
        } else {
            self.limits.idle_ttl
        };
        let (entry,): (String,) = ::redis::pipe()
            .add_command(add)
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX))
            .ignore()
            .query_async(&mut self.redis.connection.clone())
            .await?;
        Ok(format!("{token}.{entry}"))
    }

    async fn replay_events_after(
        &self,
        last_event_id: &str,
    ) -> Result<EventStream, EventStoreError> {
        let (token, after) = parse_id(last_event_id)?;
        let key = self.redis.events_key(token);
        self.check_resumable(&key, last_event_id, after).await?;
        Ok(self.redis.replay(token.to_owned(), after.to_owned(), None))
    }
}

impl RedisEventStore {
    /// Resuming after an event the store no longer has would skip events: an error instead.
    async fn check_resumable(
        &self,
        key: &str,
        id: &str,
        after: &str,
    ) -> Result<(), EventStoreError> {
        let found: StreamRangeReply = ::redis::cmd("XRANGE")
            .arg(key)
            .arg(after)
            .arg(after)
            .query_async(&mut self.redis.connection.clone())
            .await?;
        if !found.ids.is_empty() {
            return Ok(());
        }
        let exists: bool = ::redis::cmd("EXISTS")
            .arg(key)
            .query_async(&mut self.redis.connection.clone())
            .await?;
        Err(if exists {
            format!(
                "events after {id:?} are no longer stored (the store keeps the last {} per stream)",
                self.limits.per_stream
            )
        } else {
            format!("no stored stream for event {id:?}")
        }
        .into())
    }
}

/// One resumption: stored events at once, then new ones as any replica adds them, until the
/// response; ends early when the client goes away or the stream expires. (A followed stream,
/// with a `cursor`, ends only when the client goes away.)
struct Replay {
    redis: Redis,
    key: String,
    token: String,
    after: String,
    /// Where the last entry sent to a follower is recorded.
    cursor: Option<String>,
    sender: mpsc::Sender<ServerSseMessage>,
}

/// How long a follower's record of the last entry sent is kept.
const CURSOR_TTL: Duration = Duration::from_secs(24 * 60 * 60);

impl Replay {
    async fn run(mut self) {
        if let Err(error) = self.start_at_cursor().await {
            tracing::warn!(%error, stream = %self.key, "cannot read where the stream was left");
            return;
        }
        if let Err(error) = self.forward().await {
            tracing::warn!(%error, stream = %self.key, "replay from Redis stopped");
        }
    }

    async fn start_at_cursor(&mut self) -> Result<(), EventStoreError> {
        let Some(cursor) = &self.cursor else {
            return Ok(());
        };
        let sent: Option<String> = ::redis::cmd("GET")
            .arg(cursor)
            .query_async(&mut self.redis.connection.clone())
            .await?;
        if let Some(sent) = sent {
            self.after = sent;
        }
        Ok(())
    }

    async fn forward(&mut self) -> Result<(), EventStoreError> {
        let mut tail: Option<MultiplexedConnection> = None;
        loop {
            let page: StreamRangeReply = ::redis::cmd("XRANGE")
                .arg(&self.key)
                .arg(format!("({}", self.after))
                .arg("+")
                .arg("COUNT")
                .arg(PAGE)
                .query_async(&mut self.redis.connection.clone())
                .await?;
            if page.ids.is_empty() {
                if !self.wait(&mut tail).await? {
                    return Ok(());
                }
                continue;
            }
            for entry in page.ids {
                if self.send(entry).await? {
                    return Ok(());
                }
            }
        }
    }

    /// Sends one entry; `true` when the stream is over (its response sent, or nobody listens).
    async fn send(&mut self, entry: StreamId) -> Result<bool, EventStoreError> {
        let ends = entry.map.contains_key("end");
        let event = self.event(&entry)?;
        self.after = entry.id;
        if self.sender.send(event).await.is_err() {
            return Ok(true);
        }
        if let Some(cursor) = &self.cursor {
            ::redis::cmd("SET")
                .arg(cursor)
                .arg(&self.after)
                .arg("PX")
                .arg(CURSOR_TTL.as_millis() as u64)
                .query_async::<()>(&mut self.redis.connection.clone())
                .await?;
        }
        Ok(ends)
    }

    fn event(&self, entry: &StreamId) -> Result<ServerSseMessage, EventStoreError> {
        let mut event = match entry.get::<Vec<u8>>("m") {
            Some(json) => ServerSseMessage::from_message(serde_json::from_slice::<
                ServerJsonRpcMessage,
            >(&json)?),
            None => ServerSseMessage::retry(Duration::ZERO),
        };
        event.retry = entry.get::<u64>("r").map(Duration::from_millis);
        event.event_id = Some(format!("{}.{}", self.token, entry.id));
        Ok(event)
    }

    /// Waits for the stream's next entry; `false` when the stream is gone or the client left.
    async fn wait(
        &mut self,
        tail: &mut Option<MultiplexedConnection>,
    ) -> Result<bool, EventStoreError> {
        if self.sender.is_closed() {
            return Ok(false);
        }
        let connection = match tail {
            Some(connection) => connection,
            None => tail.insert(self.redis.blocking_connection().await?),
        };
        let read: Option<StreamReadReply> = ::redis::cmd("XREAD")
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(u64::try_from(TAIL_WAIT.as_millis()).unwrap_or(u64::MAX))
            .arg("STREAMS")
            .arg(&self.key)
            .arg(&self.after)
            .query_async(connection)
            .await?;
        if read.is_some_and(|read| read.keys.iter().any(|key| !key.ids.is_empty())) {
            return Ok(true);
        }
        if self.cursor.is_some() {
            // A followed stream may not exist yet: nobody has sent the session anything.
            return Ok(!self.sender.is_closed());
        }
        let exists: bool = ::redis::cmd("EXISTS")
            .arg(&self.key)
            .query_async(&mut self.redis.connection.clone())
            .await?;
        Ok(exists)
    }
}

/// `{token}.{entry id}` → its parts, checked for shape (the token's validity shows in whether
/// its stream exists).
fn parse_id(id: &str) -> Result<(&str, &str), EventStoreError> {
    let malformed = || format!("malformed Last-Event-ID {id:?}");
    let (token, entry) = id.split_once('.').ok_or_else(malformed)?;
    let (ms, seq) = entry.split_once('-').ok_or_else(malformed)?;
    let hex_token = token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex_token || ms.parse::<u64>().is_err() || seq.parse::<u64>().is_err() {
        return Err(malformed().into());
    }
    Ok((token, entry))
}

fn is_response(message: &ServerJsonRpcMessage) -> bool {
    matches!(
        message,
        ServerJsonRpcMessage::Response(_) | ServerJsonRpcMessage::Error(_)
    )
}
