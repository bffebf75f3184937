//! Tasks reached through any replica.
//!
//! A task runs on the replica that started it (its future, its pending questions, its cancel
//! signal are that process's). What is shared is where it runs: on start the replica writes
//! `{prefix}:task-owner:{id}` = its replica id. A `tasks/get`, `tasks/update` or `tasks/cancel`
//! for a task another replica runs is asked of that replica: published on its channel
//! `{prefix}:replica:{replica}` with a reply key, answered by its subscriber (the same code
//! that serves the request locally) with `RPUSH`, read back with `BLPOP`. Every answer is the
//! owner's own, so status, questions and results are exactly what one process would give.
//!
//! When a task settles (completed, failed or cancelled), its owner also writes the final
//! `tasks/get` answer to `{prefix}:task-final:{id}`, kept for the task's TTL: any replica
//! answers from it, so the result outlives the replica that ran the task (a restart, a crash
//! after the task finished, a scale-down).

use std::time::Duration;

use ::redis::aio::PubSub;
use rmcp::model::{ErrorData, GetTaskResult, InputResponses};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::redis::Redis;
use crate::error::Error;
use crate::server::WeakServer;

/// How long an owner record is kept (a task's own TTL bounds it in practice).
const OWNER_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a replica waits for the owner's answer.
const ANSWER_WAIT: Duration = Duration::from_secs(10);

/// What one replica asks of the replica that runs a task.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub(crate) enum Ask {
    /// `tasks/get`: the answer is a `GetTaskResult`.
    Get,
    /// `tasks/update` with these input responses.
    Update { inputs: InputResponses },
    /// `tasks/cancel`.
    Cancel,
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    task: String,
    reply: String,
    #[serde(flatten)]
    ask: Ask,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Answer {
    Ok(Value),
    Error(ErrorData),
}

/// This replica's part in sharing tasks: its id, and the subscriber that answers for its tasks
/// (stopped when this is dropped, with the server).
pub(crate) struct SharedTasks {
    redis: Redis,
    replica: String,
    _stop: DropGuard,
}

impl std::fmt::Debug for SharedTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedTasks")
            .field("replica", &self.replica)
            .finish_non_exhaustive()
    }
}

impl SharedTasks {
    /// Subscribes to this replica's channel and answers what other replicas ask of `server`.
    pub(crate) async fn start(redis: Redis, server: WeakServer) -> Result<Self, Error> {
        let replica = crate::server::new_replica_id()?;
        let pubsub = redis.subscribe(&format!("replica:{replica}")).await?;
        let stop = CancellationToken::new();
        tokio::spawn(answer_asks(pubsub, redis.clone(), server, stop.clone()));
        Ok(Self {
            redis,
            replica,
            _stop: stop.drop_guard(),
        })
    }

    /// Records that this replica runs `task`.
    pub(crate) async fn claim(&self, task: &str) -> Result<(), ErrorData> {
        ::redis::cmd("SET")
            .arg(self.redis.key(&format!("task-owner:{task}")))
            .arg(&self.replica)
            .arg("PX")
            .arg(OWNER_TTL.as_millis() as u64)
            .query_async::<()>(&mut self.redis.connection())
            .await
            .map_err(store_unavailable)
    }

    /// Records the final `tasks/get` answer of `task` (settled here) for `ttl`.
    pub(crate) async fn settle(&self, task: &str, last: &GetTaskResult, ttl: Duration) {
        let written = match serde_json::to_vec(last) {
            Ok(json) => ::redis::cmd("SET")
                .arg(self.redis.key(&format!("task-final:{task}")))
                .arg(json)
                .arg("PX")
                .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1))
                .query_async::<()>(&mut self.redis.connection())
                .await
                .map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = written {
            tracing::warn!(%error, task, "the result of this task will not outlive this replica");
        }
    }

    /// Answers for `task` when another replica ran it: from its final record once it
    /// settled, else from the replica running it. `None` when no other replica claimed it.
    pub(crate) async fn ask(&self, task: &str, ask: Ask) -> Option<Result<Value, ErrorData>> {
        let (owner, last): (Option<String>, Option<Vec<u8>>) = ::redis::pipe()
            .cmd("GET")
            .arg(self.redis.key(&format!("task-owner:{task}")))
            .cmd("GET")
            .arg(self.redis.key(&format!("task-final:{task}")))
            .query_async(&mut self.redis.connection())
            .await
            .ok()?;
        let owner = owner.filter(|owner| *owner != self.replica)?;
        if let Some(last) = last {
            return Some(settled_answer(task, &last, ask));
        }
        Some(self.ask_owner(&owner, task, ask).await)
    }

    async fn ask_owner(&self, owner: &str, task: &str, ask: Ask) -> Result<Value, ErrorData> {
        let reply = self.redis.key(&format!(
            "reply:{}",
            crate::server::new_replica_id()
                .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
        ));
        let envelope = Envelope {
            task: task.to_owned(),
            reply: reply.clone(),
            ask,
        };
        let message = serde_json::to_string(&envelope)
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
        let listeners: u64 = ::redis::cmd("PUBLISH")
            .arg(self.redis.key(&format!("replica:{owner}")))
            .arg(message)
            .query_async(&mut self.redis.connection())
            .await
            .map_err(store_unavailable)?;
        if listeners == 0 {
            return Err(ErrorData::invalid_params(
                format!("task {task} ran on a replica that is gone; start it again"),
                None,
            ));
        }
        let mut blocking = self
            .redis
            .blocking_connection()
            .await
            .map_err(store_unavailable)?;
        let popped: Option<(String, String)> = ::redis::cmd("BLPOP")
            .arg(&reply)
            .arg(ANSWER_WAIT.as_secs_f64())
            .query_async(&mut blocking)
            .await
            .map_err(store_unavailable)?;
        let (_, answer) = popped.ok_or_else(|| {
            ErrorData::internal_error(
                format!("the replica running task {task} did not answer within {ANSWER_WAIT:?}"),
                None,
            )
        })?;
        match serde_json::from_str(&answer) {
            Ok(Answer::Ok(value)) => Ok(value),
            Ok(Answer::Error(error)) => Err(error),
            Err(error) => Err(ErrorData::internal_error(
                format!("unreadable answer from the replica running task {task}: {error}"),
                None,
            )),
        }
    }
}

/// What a settled task answers: its final record for `tasks/get`; an acknowledgement for
/// `tasks/update` and `tasks/cancel` (as the task manager answers them for a settled task).
fn settled_answer(task: &str, last: &[u8], ask: Ask) -> Result<Value, ErrorData> {
    match ask {
        Ask::Get => serde_json::from_slice(last).map_err(|error| {
            ErrorData::internal_error(format!("unreadable record of task {task}: {error}"), None)
        }),
        Ask::Update { .. } | Ask::Cancel => Ok(Value::Null),
    }
}

/// The subscriber: each message a question about one of this replica's tasks, answered on its
/// reply key. Ends when the server (or its `SharedTasks`) is gone.
async fn answer_asks(pubsub: PubSub, redis: Redis, server: WeakServer, stop: CancellationToken) {
    let lost = "tasks on this replica are no longer reachable from others";
    Redis::each_message(pubsub, stop, lost, |message| {
        let (redis, server) = (redis.clone(), server.clone());
        async move {
            let Ok(envelope) = serde_json::from_slice::<Envelope>(message.get_payload_bytes())
            else {
                tracing::warn!("ignoring an unreadable message on the shared task channel");
                return true;
            };
            let Some(server) = server.upgrade() else {
                return false;
            };
            answer_ask(&redis, &server, envelope).await;
            true
        }
    })
    .await;
}

/// Answers what another replica asked of a task running here.
async fn answer_ask(redis: &Redis, server: &crate::FastMCP, envelope: Envelope) {
    let answer = match server.task_op_here(&envelope.task, envelope.ask) {
        Ok(value) => Answer::Ok(value),
        Err(error) => Answer::Error(error),
    };
    let Ok(answer) = serde_json::to_string(&answer) else {
        return;
    };
    let pushed = ::redis::pipe()
        .cmd("RPUSH")
        .arg(&envelope.reply)
        .arg(answer)
        .ignore()
        .cmd("PEXPIRE")
        .arg(&envelope.reply)
        .arg(ANSWER_WAIT.as_millis() as u64 * 3)
        .ignore()
        .query_async::<()>(&mut redis.connection())
        .await;
    if let Err(error) = pushed {
        tracing::warn!(%error, task = %envelope.task, "could not answer another replica");
    }
}

fn store_unavailable(error: ::redis::RedisError) -> ErrorData {
    ErrorData::internal_error(format!("the shared task store failed: {error}"), None)
}
