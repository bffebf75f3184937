//! [`RateLimiting`]: a token bucket per client, per session, or for the whole server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rmcp::model::{ClientRequest, ErrorCode, ErrorData};

use super::{AnyRequest, Hook, Middleware, MiddlewareContext, Next};

/// The JSON-RPC code of a refused request (as Python FastMCP answers).
pub const RATE_LIMITED: ErrorCode = ErrorCode(-32000);

/// Buckets kept before full (idle) ones are forgotten.
const MAX_BUCKETS: usize = 10_000;

/// Whose requests share a bucket.
#[derive(Clone)]
pub enum RateLimitKey {
    /// One bucket for the whole server.
    Global,
    /// One bucket per session (per connection on 2026-07-28; over HTTP each 2026-07-28
    /// request is its own, so limit those by [`Self::Client`] or [`Self::Global`]).
    Session,
    /// One bucket per key the function gives (a client id, an API key, a user); requests it
    /// gives no key for share one bucket.
    Client(ClientKey),
}

/// A function naming the bucket of a request (see [`RateLimitKey::Client`]).
pub type ClientKey = Arc<dyn Fn(&MiddlewareContext<'_>) -> Option<String> + Send + Sync>;

impl std::fmt::Debug for RateLimitKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Global => "Global",
            Self::Session => "Session",
            Self::Client(_) => "Client(..)",
        })
    }
}

/// Limits requests with a token bucket: `burst` at once, refilled at `per_second`. A request
/// over the limit gets a JSON-RPC error ([`RATE_LIMITED`]) saying so; `ping`,
/// `initialize` and `server/discover` are never limited.
///
/// ```
/// use fastmcp::middleware::{RateLimitKey, RateLimiting};
/// let limit = RateLimiting::new(10.0, 20).key(RateLimitKey::Session);
/// let server = fastmcp::FastMCP::new("demo").middleware(limit);
/// # drop(server);
/// ```
#[derive(Debug)]
pub struct RateLimiting {
    per_second: f64,
    burst: f64,
    key: RateLimitKey,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiting {
    /// `per_second` requests on average, `burst` at once, for the whole server (see
    /// [`key`](Self::key)).
    pub fn new(per_second: f64, burst: u32) -> Self {
        Self {
            per_second: per_second.max(0.0),
            burst: f64::from(burst.max(1)),
            key: RateLimitKey::Global,
            buckets: Mutex::default(),
        }
    }

    /// Whose requests share a bucket (default [`RateLimitKey::Global`]).
    pub fn key(mut self, key: RateLimitKey) -> Self {
        self.key = key;
        self
    }

    fn bucket_key(&self, cx: &MiddlewareContext<'_>) -> String {
        match &self.key {
            RateLimitKey::Global => String::new(),
            RateLimitKey::Session => cx.session_id().to_owned(),
            RateLimitKey::Client(key) => key(cx).unwrap_or_default(),
        }
    }

    /// Takes a token from `key`'s bucket, if it has one.
    fn take(&self, key: String) -> bool {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&key) {
            self.forget_full(&mut buckets, now);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        bucket.tokens = self.refilled(*bucket, now);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        (bucket.tokens + elapsed * self.per_second).min(self.burst)
    }

    /// Forgets buckets that have refilled (a client that comes back starts full anyway).
    fn forget_full(&self, buckets: &mut HashMap<String, Bucket>, now: Instant) {
        buckets.retain(|_, bucket| self.refilled(*bucket, now) < self.burst);
    }
}

impl Middleware for RateLimiting {
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        let exempt = matches!(
            request,
            ClientRequest::PingRequest(_)
                | ClientRequest::InitializeRequest(_)
                | ClientRequest::DiscoverRequest(_)
        );
        if exempt || self.take(self.bucket_key(cx)) {
            return next.pass(request);
        }
        Hook::error(ErrorData::new(
            RATE_LIMITED,
            format!(
                "Rate limit exceeded: at most {} requests per second (bursts of {}); retry later",
                self.per_second, self.burst
            ),
            None,
        ))
    }
}
