//! Upstream connections, held the way the downstream traffic needs them: one per downstream
//! legacy session ([`SessionUpstreams`]), or leased from a pool ([`Pool`]) for requests that
//! have no session (2026-07-28) or share one ([`Isolation::Shared`](super::Isolation)).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::ClientRequest;
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};

use super::upstream::{Downstream, Upstream};

/// A downstream session's upstream sessions, one per proxy it reached; dropped (and so
/// closed) with the session.
#[derive(Default)]
pub(crate) struct SessionUpstreams(Mutex<HashMap<u64, Arc<OnceCell<Upstream>>>>);

impl std::fmt::Debug for SessionUpstreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = self.0.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("SessionUpstreams")
            .field("open", &open)
            .finish()
    }
}

impl SessionUpstreams {
    /// The slot of proxy `id`'s upstream session (filled on first use).
    pub(crate) fn slot(&self, id: u64) -> Arc<OnceCell<Upstream>> {
        let mut slots = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slots.entry(id).or_default())
    }

    /// Forgets proxy `id`'s upstream session (it failed), so the next request opens another.
    pub(crate) fn forget(&self, id: u64) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }
}

/// Upstream connections for requests without a session of their own: each request leases
/// one for its duration, so what the upstream sends during it (logs, questions) is that
/// request's. Connections are opened as needed, up to the pool's size, and kept.
#[derive(Clone)]
pub(crate) struct Pool(Arc<PoolInner>);

struct PoolInner {
    idle: Mutex<Vec<Upstream>>,
    permits: Arc<Semaphore>,
}

impl Pool {
    pub(crate) fn new(size: usize) -> Self {
        Self(Arc::new(PoolInner {
            idle: Mutex::default(),
            permits: Arc::new(Semaphore::new(size)),
        }))
    }

    /// Waits for a free place in the pool: an idle connection, if one is left.
    /// (`None` only if the pool were closed, which it never is.)
    pub(crate) async fn reserve(&self) -> Option<(Option<Upstream>, OwnedSemaphorePermit)> {
        let permit = Arc::clone(&self.0.permits).acquire_owned().await.ok()?;
        let idle = loop {
            let next = self
                .0
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            match next {
                Some(upstream) if upstream.client.is_closed() => continue,
                other => break other,
            }
        };
        Some((idle, permit))
    }

    /// Takes a connection back after a request (unless it is closed).
    pub(crate) fn release(&self, upstream: Upstream) {
        upstream.sink.set(Downstream::Idle);
        if !upstream.client.is_closed() {
            self.0
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(upstream);
        }
    }
}

/// A pooled connection held by one request (or by a call parked between input rounds);
/// back to the pool when dropped (a cancelled request included).
pub(crate) struct Lease {
    pool: Pool,
    upstream: Option<Upstream>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    pub(crate) fn new(pool: &Pool, upstream: Upstream, permit: OwnedSemaphorePermit) -> Self {
        Self {
            pool: pool.clone(),
            upstream: Some(upstream),
            _permit: permit,
        }
    }

    pub(crate) fn upstream(&self) -> Option<&Upstream> {
        self.upstream.as_ref()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(upstream) = self.upstream.take() {
            self.pool.release(upstream);
        }
    }
}

/// The pooled connection each upstream task started on: a task lives in the server process
/// that runs it, and a pool may hold several.
#[derive(Default)]
pub(crate) struct TaskHomes(Mutex<HashMap<String, Upstream>>);

/// Tasks remembered at most; past it, one is forgotten (its requests then go to any
/// connection, which is right whenever the upstream shares tasks between its sessions).
const MAX_TASK_HOMES: usize = 4_096;

impl TaskHomes {
    pub(crate) fn pin(&self, task_id: &str, upstream: &Upstream) {
        let mut homes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        homes.retain(|_, home| !home.client.is_closed());
        if homes.len() >= MAX_TASK_HOMES
            && let Some(oldest) = homes.keys().next().cloned()
        {
            homes.remove(&oldest);
        }
        homes.insert(task_id.to_owned(), upstream.clone());
    }

    /// The connection a `tasks/*` request must go to, if its task started on a pooled one.
    pub(crate) fn connection(&self, request: &ClientRequest) -> Option<Upstream> {
        let task_id = crate::server::task_id(request)?;
        let homes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        homes.get(task_id).cloned()
    }
}
