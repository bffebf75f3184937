//! Stores for state that outlives one process or is shared by replicas (feature `redis`).
//!
//! A server keeps its state in memory by default. Run several replicas behind a load balancer
//! and they must agree on some of it: the key that seals `requestState` (a 2026-07-28 input
//! round may come back to another replica) and the events of resumable streams (a client may
//! resume through another replica), where each task runs (a `tasks/get` may land on any
//! replica: it is asked of the one running the task), what each legacy session keeps (its log
//! level, stored values, visibility rules and subscriptions: its next request may land on any
//! replica), and the list changes and resource updates clients listen for, wherever they
//! happen. [`Redis`] keeps these in Redis or Valkey:
//!
//! ```no_run
//! # async fn demo() -> Result<(), fastmcp::Error> {
//! use fastmcp::server::HttpOptions;
//! use fastmcp::stores::Redis;
//!
//! let redis = Redis::connect("redis://127.0.0.1:6379").await?;
//! let server = fastmcp::FastMCP::new("demo").request_state_key(redis.request_state_key())?;
//! server.share_tasks(&redis).await?;
//! server.share_changes(&redis).await?;
//! // Events, legacy sessions and what they keep, answers to server→client requests:
//! let options = HttpOptions::default().shared_through(&redis).await?;
//! server.run_http("127.0.0.1:8000", options).await
//! # }
//! ```
//!
//! Or with no code at all: `FASTMCP_REDIS_URL=redis://…` (or `--redis URL`) for a server
//! started with [`FastMCP::run`](crate::FastMCP::run).

pub(crate) mod changes;
mod redis;
pub(crate) mod relay;
pub(crate) mod session_share;
pub(crate) mod tasks;

pub use redis::{Redis, RedisEventStore, RedisSessionStore};
