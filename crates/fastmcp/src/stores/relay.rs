//! The Redis [`Relay`]: a client's answer to a server→client request, carried over pub/sub to
//! the replica that sent the request (channel `{prefix}:relay:{tag}`, one per replica); the
//! end of a session, told to every replica (`{prefix}:sessions-ended`); a session's `GET`
//! stream, followed in its Redis event stream.

use std::sync::Mutex;

use ::redis::aio::PubSub;
use rmcp::model::ClientJsonRpcMessage;
use serde::{Deserialize, Serialize};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::redis::Redis;
use crate::error::Error;
use crate::server::http::relay::{Deliver, Ended, Forwarded, Relay};

/// The channel (under the prefix) on which a replica tells the others a session ended.
const ENDED: &str = "sessions-ended";

/// Ends a session `ended` names, or hands a carried answer to `deliver` (to be awaited).
fn take_message(
    message: &::redis::Msg,
    ended_channel: &str,
    deliver: &Deliver,
    ended: &Ended,
) -> Option<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>> {
    if message.get_channel_name() == ended_channel {
        match std::str::from_utf8(message.get_payload_bytes()) {
            Ok(session) => ended(session.to_owned()),
            Err(_) => tracing::warn!("ignoring an unreadable ended session id"),
        }
        return None;
    }
    match serde_json::from_slice::<Carried>(message.get_payload_bytes()) {
        Ok(carried) => Some(deliver(carried.session, carried.message)),
        Err(error) => {
            tracing::warn!(%error, "ignoring an unreadable relayed answer");
            None
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Carried {
    session: String,
    message: ClientJsonRpcMessage,
}

/// This replica's end of the relay: its tag, its subscription (until `listen` takes it).
pub(crate) struct RedisRelay {
    redis: Redis,
    tag: String,
    subscription: Mutex<Option<PubSub>>,
    stop: CancellationToken,
    _stop: DropGuard,
}

impl std::fmt::Debug for RedisRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRelay")
            .field("tag", &self.tag)
            .finish_non_exhaustive()
    }
}

impl RedisRelay {
    /// Subscribes (before any request is tagged, so no answer can arrive unheard).
    pub(crate) async fn start(redis: &Redis) -> Result<Self, Error> {
        let tag = crate::server::new_replica_id()?;
        let mut pubsub = redis.subscribe(&format!("relay:{tag}")).await?;
        pubsub
            .subscribe(redis.key(ENDED))
            .await
            .map_err(|error| Error::Store {
                message: format!("cannot subscribe to {ENDED}"),
                source: error.into(),
            })?;
        let stop = CancellationToken::new();
        Ok(Self {
            redis: redis.clone(),
            tag,
            subscription: Mutex::new(Some(pubsub)),
            _stop: stop.clone().drop_guard(),
            stop,
        })
    }
}

impl Relay for RedisRelay {
    fn tag(&self) -> &str {
        &self.tag
    }

    fn forward<'a>(
        &'a self,
        owner: &'a str,
        session: &'a str,
        message: &'a ClientJsonRpcMessage,
    ) -> Forwarded<'a> {
        Box::pin(async move {
            let carried = serde_json::to_string(&Carried {
                session: session.to_owned(),
                message: message.clone(),
            })
            .map_err(|error| error.to_string())?;
            let listeners: u64 = ::redis::cmd("PUBLISH")
                .arg(self.redis.key(&format!("relay:{owner}")))
                .arg(carried)
                .query_async(&mut self.redis.connection())
                .await
                .map_err(|error| error.to_string())?;
            match listeners {
                0 => Err(format!(
                    "replica {owner} is gone; its request will not be answered"
                )),
                _ => Ok(()),
            }
        })
    }

    fn end_everywhere<'a>(&'a self, session: &'a str) -> Forwarded<'a> {
        Box::pin(async move {
            ::redis::cmd("PUBLISH")
                .arg(self.redis.key(ENDED))
                .arg(session)
                .query_async::<()>(&mut self.redis.connection())
                .await
                .map_err(|error| error.to_string())
        })
    }

    fn follow(&self, stream: &str) -> crate::server::EventStream {
        self.redis.follow(stream)
    }

    fn listen(&self, deliver: Deliver, ended: Ended) {
        let taken = self
            .subscription
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let Some(pubsub) = taken else { return };
        let ended_channel = self.redis.key(ENDED);
        let lost = "answers sent through other replicas no longer arrive";
        tokio::spawn(Redis::each_message(
            pubsub,
            self.stop.clone(),
            lost,
            move |message| {
                let handled = take_message(&message, &ended_channel, &deliver, &ended);
                async move {
                    if let Some(delivered) = handled {
                        delivered.await;
                    }
                    true
                }
            },
        ));
    }
}
