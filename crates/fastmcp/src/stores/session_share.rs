//! What replicas share of legacy sessions, in Redis (see `server/replicated.rs`).
//!
//! Keys, under the prefix:
//! - `{prefix}:session-state:{id}` — a hash: `level` (the `logging/setLevel` level), `vis` (the
//!   session's visibility rules, JSON), `v:{key}` (each `Context::set_state` value, JSON) and
//!   `s:{uri}` (each subscription, so it can be dropped with the session). Expires with the
//!   session record.
//! - `{prefix}:subscribers:{uri}` — a sorted set of the sessions subscribed to `uri`, each
//!   scored with the time (ms) its subscription lapses.
//! - `{prefix}:sessions` — a sorted set of live sessions, scored the same way (list changes go
//!   to each).

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::redis::Redis;
use crate::logging::LogLevel;
use crate::server::replicated::{Change, Extras, SessionShare, Stored};

/// Sessions' shared records in Redis; they lapse `ttl` after their last change (the session
/// store's own records last as long from the session's start).
#[derive(Debug)]
pub(crate) struct RedisSessionShare {
    redis: Redis,
    ttl: Duration,
}

impl RedisSessionShare {
    pub(crate) fn new(redis: &Redis, ttl: Duration) -> Self {
        Self {
            redis: redis.clone(),
            ttl,
        }
    }

    fn record(&self, session: &str) -> String {
        self.redis.key(&format!("session-state:{session}"))
    }

    fn subscribers_of(&self, uri: &str) -> String {
        self.redis.key(&format!("subscribers:{uri}"))
    }

    fn live(&self) -> String {
        self.redis.key("sessions")
    }

    /// When a record written now lapses (ms since the epoch).
    fn lapses(&self) -> u64 {
        now_ms().saturating_add(millis(self.ttl))
    }

    async fn save_changes(&self, session: &str, changes: &[Change]) -> Result<(), String> {
        let record = self.record(session);
        let lapses = self.lapses();
        let mut pipe = ::redis::pipe();
        for change in changes {
            match change {
                Change::LogLevel(level) => {
                    pipe.hset(&record, "level", level.as_str()).ignore();
                }
                Change::Value(key, value) => {
                    pipe.hset(&record, format!("v:{key}"), json(value)?)
                        .ignore();
                }
                Change::Visibility(rules) => {
                    pipe.hset(&record, "vis", json(rules)?).ignore();
                }
                Change::Subscribe(uri) => {
                    pipe.hset(&record, format!("s:{uri}"), 1).ignore();
                    pipe.zadd(self.subscribers_of(uri), session, lapses)
                        .ignore();
                }
                Change::Unsubscribe(uri) => {
                    pipe.hdel(&record, format!("s:{uri}")).ignore();
                    pipe.zrem(self.subscribers_of(uri), session).ignore();
                }
            }
        }
        pipe.pexpire(&record, millis(self.ttl) as i64).ignore();
        pipe.zadd(self.live(), session, lapses).ignore();
        pipe.query_async::<()>(&mut self.redis.connection())
            .await
            .map_err(|error| error.to_string())
    }

    async fn load_extras(&self, session: &str) -> Result<Extras, String> {
        let fields: HashMap<String, Vec<u8>> = ::redis::cmd("HGETALL")
            .arg(self.record(session))
            .query_async(&mut self.redis.connection())
            .await
            .map_err(|error| error.to_string())?;
        let mut extras = Extras::default();
        for (field, value) in fields {
            if field == "level" {
                extras.log_level = std::str::from_utf8(&value)
                    .ok()
                    .and_then(|level| level.parse::<LogLevel>().ok());
            } else if field == "vis" {
                extras.visibility = parse(&value)?;
            } else if let Some(key) = field.strip_prefix("v:") {
                extras
                    .values
                    .insert(key.to_owned(), parse::<Value>(&value)?);
            }
        }
        Ok(extras)
    }

    /// The members of sorted set `key` that have not lapsed (the lapsed ones are dropped).
    fn current(&self, pipe: &mut ::redis::Pipeline, key: &str) {
        pipe.cmd("ZREMRANGEBYSCORE")
            .arg(key)
            .arg("-inf")
            .arg(now_ms())
            .ignore();
        pipe.cmd("ZRANGE").arg(key).arg(0).arg(-1);
    }

    async fn subscribers_of_any(&self, uris: &[String]) -> Result<Vec<String>, String> {
        let mut pipe = ::redis::pipe();
        for uri in uris {
            self.current(&mut pipe, &self.subscribers_of(uri));
        }
        let found: Vec<Vec<String>> = pipe
            .query_async(&mut self.redis.connection())
            .await
            .map_err(|error| error.to_string())?;
        let mut sessions: Vec<String> = found.into_iter().flatten().collect();
        sessions.sort();
        sessions.dedup();
        Ok(sessions)
    }

    async fn live_sessions(&self) -> Result<Vec<String>, String> {
        let mut pipe = ::redis::pipe();
        self.current(&mut pipe, &self.live());
        let (sessions,): (Vec<String>,) = pipe
            .query_async(&mut self.redis.connection())
            .await
            .map_err(|error| error.to_string())?;
        Ok(sessions)
    }

    async fn drop_session(&self, session: &str) -> Result<(), String> {
        let record = self.record(session);
        let fields: Vec<String> = ::redis::cmd("HKEYS")
            .arg(&record)
            .query_async(&mut self.redis.connection())
            .await
            .map_err(|error| error.to_string())?;
        let mut pipe = ::redis::pipe();
        for uri in fields.iter().filter_map(|field| field.strip_prefix("s:")) {
            pipe.zrem(self.subscribers_of(uri), session).ignore();
        }
        pipe.del(&record).ignore();
        pipe.zrem(self.live(), session).ignore();
        pipe.query_async::<()>(&mut self.redis.connection())
            .await
            .map_err(|error| error.to_string())
    }
}

impl SessionShare for RedisSessionShare {
    fn load<'a>(&'a self, session: &'a str) -> Stored<'a, Extras> {
        Box::pin(self.load_extras(session))
    }

    fn save<'a>(&'a self, session: &'a str, changes: &'a [Change]) -> Stored<'a, ()> {
        Box::pin(self.save_changes(session, changes))
    }

    fn subscribers<'a>(&'a self, uris: &'a [String]) -> Stored<'a, Vec<String>> {
        Box::pin(self.subscribers_of_any(uris))
    }

    fn sessions(&self) -> Stored<'_, Vec<String>> {
        Box::pin(self.live_sessions())
    }

    fn forget<'a>(&'a self, session: &'a str) -> Stored<'a, ()> {
        Box::pin(self.drop_session(session))
    }
}

fn json(value: &impl serde::Serialize) -> Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|error| error.to_string())
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|error| format!("a shared session field: {error}"))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(millis)
        .unwrap_or_default()
}
