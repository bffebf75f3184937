//! List changes and resource updates heard by the `subscriptions/listen` streams (2026-07-28)
//! of every replica: the replica where a change happens publishes it on `{prefix}:changes`;
//! every other one hands it to its own listeners. (Legacy sessions are reached through their
//! shared records instead: `server/replicated.rs`.)

use ::redis::aio::PubSub;
use rmcp::model::ServerNotification;
use serde::{Deserialize, Serialize};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::redis::Redis;
use crate::error::Error;
use crate::server::WeakServer;

const CHANNEL: &str = "changes";

#[derive(Serialize, Deserialize)]
struct Change {
    /// The replica it happened on (which has told its listeners already).
    from: String,
    notification: ServerNotification,
}

/// This replica's end of the change channel (its subscriber stops when this is dropped).
pub(crate) struct SharedChanges {
    redis: Redis,
    replica: String,
    _stop: DropGuard,
}

impl std::fmt::Debug for SharedChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedChanges")
            .field("replica", &self.replica)
            .finish_non_exhaustive()
    }
}

impl SharedChanges {
    /// Subscribes, and hands other replicas' changes to `server`'s listeners.
    pub(crate) async fn start(redis: Redis, server: WeakServer) -> Result<Self, Error> {
        let replica = crate::server::new_replica_id()?;
        let pubsub = redis.subscribe(CHANNEL).await?;
        let stop = CancellationToken::new();
        tokio::spawn(hear(pubsub, replica.clone(), server, stop.clone()));
        Ok(Self {
            redis,
            replica,
            _stop: stop.drop_guard(),
        })
    }

    /// Tells the other replicas' listeners (fire and forget).
    pub(crate) fn publish(&self, notification: ServerNotification) {
        let change = Change {
            from: self.replica.clone(),
            notification,
        };
        let Ok(message) = serde_json::to_string(&change) else {
            return;
        };
        let (redis, channel) = (self.redis.clone(), self.redis.key(CHANNEL));
        tokio::spawn(async move {
            let published = ::redis::cmd("PUBLISH")
                .arg(channel)
                .arg(message)
                .query_async::<()>(&mut redis.connection())
                .await;
            if let Err(error) = published {
                tracing::warn!(%error, "a change was not told to the other replicas");
            }
        });
    }
}

async fn hear(pubsub: PubSub, replica: String, server: WeakServer, stop: CancellationToken) {
    let lost = "listeners here no longer hear other replicas' changes";
    Redis::each_message(pubsub, stop, lost, |message| {
        let change = serde_json::from_slice::<Change>(message.get_payload_bytes());
        let server = server.upgrade();
        let replica = &replica;
        async move {
            let Some(server) = server else {
                return false;
            };
            match change {
                Ok(change) if change.from != *replica => server.tell_listeners(change.notification),
                Ok(_) => {}
                Err(_) => tracing::warn!("ignoring an unreadable message on the change channel"),
            }
            true
        }
    })
    .await;
}
