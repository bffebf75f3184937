//! [`Hook`], what a hook answers, and [`Next`], the rest of the chain.

use std::marker::PhantomData;

use futures::future::BoxFuture;
use rmcp::model::ErrorData;

use super::chain::At;
use super::context::MiddlewareContext;
use super::method::Method;

/// What a hook answers: pass the message on, run code around the rest of the chain, or answer
/// on its own.
#[must_use = "a hook does nothing unless returned"]
pub struct Hook<'a, M: Method>(pub(super) Flow<'a, M>);

pub(super) enum Flow<'a, M: Method> {
    /// On to the next hook, with no future and no allocation.
    Pass(M::Params),
    /// Code around the rest of the chain.
    Run(BoxFuture<'a, Result<M::Output, ErrorData>>),
    /// An answer without going further.
    Done(Result<M::Output, ErrorData>),
}

impl<'a, M: Method> Hook<'a, M> {
    /// Runs `future` in place of the rest of the chain; it calls [`Next::run`] to go on (or
    /// does not, to answer on its own).
    pub fn new(future: impl Future<Output = Result<M::Output, ErrorData>> + Send + 'a) -> Self {
        Self(Flow::Run(Box::pin(future)))
    }

    /// Answers `output` without going further.
    pub fn ok(output: M::Output) -> Self {
        Self(Flow::Done(Ok(output)))
    }

    /// Answers with `error` without going further (the client gets it as a JSON-RPC error).
    pub fn error(error: ErrorData) -> Self {
        Self(Flow::Done(Err(error)))
    }
}

impl<M: Method> std::fmt::Debug for Hook<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.0 {
            Flow::Pass(_) => "Pass",
            Flow::Run(_) => "Run",
            Flow::Done(_) => "Done",
        };
        f.debug_tuple("Hook").field(&kind).finish()
    }
}

/// The rest of the chain after a hook: the next hook, the next middleware, and last the server.
pub struct Next<'a, M: Method> {
    pub(super) cx: &'a MiddlewareContext<'a>,
    pub(super) at: At,
    kind: PhantomData<fn() -> M>,
}

impl<'a, M: Method> Next<'a, M> {
    pub(super) fn new(cx: &'a MiddlewareContext<'a>, at: At) -> Self {
        Self {
            cx,
            at,
            kind: PhantomData,
        }
    }

    /// Hands `message` (changed or not) to the rest of the chain. What the hook answers when it
    /// has nothing to do after the rest: it costs no allocation.
    pub fn pass(self, message: M::Params) -> Hook<'a, M> {
        Hook(Flow::Pass(message))
    }

    /// Runs the rest of the chain on `message` and gives its answer, for a hook that does
    /// something after it (times it, changes the answer, retries).
    pub fn run(self, message: M::Params) -> BoxFuture<'a, Result<M::Output, ErrorData>> {
        M::resume(self, message)
    }

    /// Runs the rest of the chain on `message` and changes its answer with `change` (filter a
    /// list, add a content block): `next.map(request, |mut list| { …; list })`.
    pub fn map(
        self,
        message: M::Params,
        change: impl FnOnce(M::Output) -> M::Output + Send + 'a,
    ) -> Hook<'a, M> {
        let rest = self.run(message);
        Hook::new(async move { rest.await.map(change) })
    }

    /// Runs the rest of the chain on a request of another kind (a `tools/call` hook that
    /// answers by reading a resource, say); it passes the hooks from here on like any request.
    pub fn run_request(
        &self,
        request: rmcp::model::ClientRequest,
    ) -> BoxFuture<'a, Result<rmcp::model::ServerResult, ErrorData>> {
        Box::pin(super::chain::run_request(self.at, request, self.cx))
    }
}

impl<M: Method> std::fmt::Debug for Next<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next").field("at", &self.at).finish()
    }
}
