//! Lifespan: work done when a server starts serving and when it stops, and state shared with
//! every request.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use futures::future::BoxFuture;

use super::FastMCP;
use crate::error::{BoxError, Error};

/// A startup or shutdown hook.
pub(crate) type Hook =
    Arc<dyn Fn(FastMCP) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync>;

/// Values shared with every request, one per type (like axum's `Extension`).
#[derive(Default)]
pub(crate) struct StateMap {
    values: RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl StateMap {
    fn insert<T: Send + Sync + 'static>(&self, value: T) {
        self.values
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(TypeId::of::<T>(), Arc::new(value));
    }

    fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let value = self
            .values
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&TypeId::of::<T>())
            .cloned()?;
        value.downcast::<T>().ok()
    }
}

/// How many serving loops are running, so startup runs on the first and shutdown on the last.
#[derive(Default)]
pub(crate) struct Running {
    count: tokio::sync::Mutex<usize>,
}

fn hook<F, Fut, E>(f: F) -> Hook
where
    F: Fn(FastMCP) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<BoxError>,
{
    Arc::new(move |server| {
        let future = f(server);
        Box::pin(async move { future.await.map_err(Into::into) })
    })
}

impl FastMCP {
    /// Runs `f` when the server starts serving (before the first connection is answered). Use
    /// it to open databases and the like, and [`insert_state`](Self::insert_state) to hand
    /// them to tools. A failing hook stops the server from starting.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), fastmcp::Error> {
    /// use fastmcp::{tool, Context, FastMCP};
    ///
    /// struct Db(String);
    ///
    /// /// Which database is connected.
    /// #[tool]
    /// fn which_db(ctx: &Context) -> String {
    ///     ctx.state::<Db>().map(|db| db.0.clone()).unwrap_or_default()
    /// }
    ///
    /// FastMCP::new("app")
    ///     .on_startup(|server: FastMCP| async move {
    ///         server.insert_state(Db("postgres://localhost/app".into()));
    ///         Ok::<_, String>(())
    ///     })
    ///     .on_shutdown(|_server: FastMCP| async move { Ok::<_, String>(()) })
    ///     .tool(which_db)
    ///     .run_stdio()
    ///     .await
    /// # }
    /// ```
    pub fn on_startup<F, Fut, E>(mut self, f: F) -> Self
    where
        F: Fn(FastMCP) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        std::sync::Arc::make_mut(&mut self.config)
            .startup
            .push(hook(f));
        self
    }

    /// Runs `f` when the server stops serving (after the last connection ends).
    pub fn on_shutdown<F, Fut, E>(mut self, f: F) -> Self
    where
        F: Fn(FastMCP) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        std::sync::Arc::make_mut(&mut self.config)
            .shutdown
            .push(hook(f));
        self
    }

    /// Shares `value` with every request (`ctx.state::<T>()`), replacing any earlier value of
    /// the same type.
    pub fn insert_state<T: Send + Sync + 'static>(&self, value: T) {
        self.shared.state.insert(value);
    }

    /// The shared value of type `T`, if one was inserted.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.shared.state.get()
    }

    /// Enters the lifespan: the first entrant runs the startup hooks.
    pub(crate) async fn enter(&self) -> Result<(), Error> {
        // Nothing unguessable, no server: session ids and the requestState key need it.
        self.state_codec()?;
        let mut running = self.shared.running.count.lock().await;
        if *running == 0 {
            for startup in &self.config.startup {
                startup(self.clone()).await.map_err(Error::Startup)?;
            }
            // Mounted servers start with their parent.
            for mount in self.mounts() {
                Box::pin(mount.child.enter()).await?;
            }
        }
        *running += 1;
        Ok(())
    }

    /// Leaves the lifespan: the last one out runs the shutdown hooks.
    pub(crate) async fn leave(&self) {
        let mut running = self.shared.running.count.lock().await;
        *running = running.saturating_sub(1);
        if *running == 0 {
            // Tasks belong to the server: they stop with it.
            self.tasks().shutdown();
            for mount in self.mounts() {
                Box::pin(mount.child.leave()).await;
            }
            for shutdown in &self.config.shutdown {
                if let Err(error) = shutdown(self.clone()).await {
                    tracing::warn!(%error, "server shutdown hook failed");
                }
            }
        }
    }
}

impl FastMCP {
    /// Marks a handler as running until the token drops, so a graceful shutdown can wait
    /// for it.
    pub(crate) fn busy(&self) -> tokio_util::task::task_tracker::TaskTrackerToken {
        self.shared.busy.token()
    }

    /// Resolves once no handler is running (handlers may still start: this is for shutdown).
    #[cfg(feature = "http-server")]
    pub(crate) async fn idle(&self) {
        self.shared.busy.close();
        self.shared.busy.wait().await;
    }
}

/// Held by each session's state while the session lives: it is counted, and listed for
/// notifications, until dropped.
pub(crate) struct LiveSession {
    shared: Arc<super::Shared>,
    number: u64,
}

impl std::fmt::Debug for LiveSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LiveSession")
    }
}

impl Drop for LiveSession {
    fn drop(&mut self) {
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.number);
        self.shared
            .live
            .send_modify(|count| *count = count.saturating_sub(1));
    }
}

static NEXT_SESSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl FastMCP {
    pub(crate) fn live_session(&self, state: std::sync::Weak<super::SessionState>) -> LiveSession {
        let number = NEXT_SESSION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(number, state);
        self.shared.live.send_modify(|count| *count += 1);
        LiveSession {
            shared: Arc::clone(&self.shared),
            number,
        }
    }

    /// The number of sessions connected right now, as a [`tokio::sync::watch`] receiver:
    /// read it with `*borrow()`, or wait for a condition with `wait_for`. Over HTTP a session
    /// ends when the client sends `DELETE`, when it idles past
    /// [`HttpOptions::session_idle_timeout`](super::HttpOptions::session_idle_timeout), or at
    /// shutdown; over stdio, when the client goes away.
    ///
    /// ```
    /// # async fn demo() {
    /// let server = fastmcp::FastMCP::new("demo");
    /// let mut live = server.live_sessions();
    /// assert_eq!(*live.borrow(), 0);
    /// live.wait_for(|count| *count == 0).await.unwrap();
    /// # }
    /// ```
    pub fn live_sessions(&self) -> tokio::sync::watch::Receiver<usize> {
        self.shared.live.subscribe()
    }
}
