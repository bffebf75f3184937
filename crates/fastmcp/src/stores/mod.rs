//! Stores for state that outlives one process or is shared by replicas (feature `redis`).
//!
//! A server keeps its state in memory by default. Run several replicas behind a load balancer
//! and they must agree on some of it: the key that seals `requestState` (a 2026-07-28 input
//! round may come back to another replica) and the events of resumable streams (a client may
//! resume through another replica), and where each task runs (a `tasks/get` may land on any
//! replica: it is asked of the one running the task). [`Redis`] keeps these in Redis or Valkey:
//!
//! ```no_run
//! # async fn demo() -> Result<(), fastmcp::Error> {
//! use fastmcp::server::HttpOptions;
//! use fastmcp::stores::Redis;
//!
//! let redis = Redis::connect("redis://127.0.0.1:6379").await?;
//! let server = fastmcp::FastMCP::new("demo").request_state_key(redis.request_state_key())?;
//! server.share_tasks(&redis).await?;
//! let options = HttpOptions::default().event_store(redis.event_store());
//! server.run_http("127.0.0.1:8000", options).await
//! # }
//! ```
//!
//! Or with no code at all: `FASTMCP_REDIS_URL=redis://…` (or `--redis URL`) for a server
//! started with [`FastMCP::run`](crate::FastMCP::run).

mod redis;
pub(crate) mod relay;
pub(crate) mod session_share;
pub(crate) mod tasks;

pub use redis::{Redis, RedisEventStore, RedisSessionStore};
