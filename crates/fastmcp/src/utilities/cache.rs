//! Cache hints (SEP-2549): how long a 2026-07-28 client may treat a list or a resource read as
//! fresh, and whether a shared cache may hand it to other users.

use std::time::Duration;

pub use rmcp::model::CacheScope;

/// The `ttlMs` and `cacheScope` a 2026-07-28 result carries.
///
/// Results say [`CacheHint::NONE`] (`ttlMs: 0`, `"private"`) unless a hint is set: lists with
/// [`FastMCP::list_cache_hint`](crate::FastMCP::list_cache_hint), reads per resource or template
/// with `cache_hint(…)` on its builder (or `#[resource("…", cache_hint = …)]`). Legacy sessions
/// have no cache hints, so nothing is sent to them.
///
/// ```
/// use std::time::Duration;
/// use fastmcp::{CacheHint, FastMCP, Resource};
///
/// let server = FastMCP::new("catalog")
///     .list_cache_hint(CacheHint::public(Duration::from_secs(300)))
///     .resource(
///         Resource::builder("catalog://prices")
///             .cache_hint(CacheHint::private(Duration::from_secs(30)))
///             .text("{\"apple\": 1}"),
///     );
/// # let _ = server;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheHint {
    ttl: Duration,
    scope: CacheScope,
}

impl CacheHint {
    /// Not cacheable: stale at once, and for the requesting user only.
    pub const NONE: CacheHint = CacheHint {
        ttl: Duration::ZERO,
        scope: CacheScope::Private,
    };

    /// Fresh for `ttl`; any client or shared cache may serve it to any user.
    pub const fn public(ttl: Duration) -> Self {
        Self {
            ttl,
            scope: CacheScope::Public,
        }
    }

    /// Fresh for `ttl`; only the requesting user's client may keep it.
    pub const fn private(ttl: Duration) -> Self {
        Self {
            ttl,
            scope: CacheScope::Private,
        }
    }

    /// How long the result stays fresh.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Who may cache the result.
    pub fn scope(&self) -> CacheScope {
        self.scope
    }

    /// `ttlMs` on the wire (saturating: a hint of centuries is still a number).
    pub(crate) fn ttl_ms(&self) -> u64 {
        u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX)
    }
}
