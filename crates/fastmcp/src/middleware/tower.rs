//! tower interop: a [`tower::Layer`] wraps the rest of the chain like any middleware.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use rmcp::RoleServer;
use rmcp::model::{ClientRequest, ErrorData, ServerResult};
use rmcp::service::RequestContext;
use tower::{Service, ServiceExt as _};

use super::Middleware;
use super::chain::{At, run_request};
use super::context::MiddlewareContext;
use super::hook::{Hook, Next};
use super::method::AnyRequest;
use crate::error::BoxError;
use crate::server::Session;

/// A request as a tower service sees it: the message and rmcp's context, owned.
pub struct McpRequest {
    /// The request.
    pub request: ClientRequest,
    /// rmcp's context of the request (id, `_meta`, cancellation, extensions, the client).
    pub context: RequestContext<RoleServer>,
    session: Session,
    at: At,
}

impl std::fmt::Debug for McpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpRequest")
            .field("method", &self.request.method())
            .finish_non_exhaustive()
    }
}

/// The rest of the chain after a tower layer, as a tower [`Service`]: what
/// [`FastMCP::layer`](crate::FastMCP::layer) wraps.
#[derive(Debug, Clone, Default)]
pub struct McpService {
    _private: (),
}

impl McpService {
    pub(crate) fn new() -> Self {
        Self::default()
    }
}

impl Service<McpRequest> for McpService {
    type Response = ServerResult;
    type Error = ErrorData;
    type Future = Pin<Box<dyn Future<Output = Result<ServerResult, ErrorData>> + Send>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), ErrorData>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: McpRequest) -> Self::Future {
        Box::pin(async move {
            let McpRequest {
                request,
                context,
                session,
                at,
            } = request;
            let chain = session.server().middleware_chain();
            let cx = MiddlewareContext::for_request(&session, chain, &request, &context);
            run_request(at, request, &cx).await
        })
    }
}

/// A tower service (a layer over [`McpService`]) as middleware.
#[derive(Debug, Clone)]
pub struct TowerLayer<S> {
    service: S,
}

impl<S> TowerLayer<S> {
    /// Middleware that hands each request to `service`.
    pub fn new(service: S) -> Self {
        Self { service }
    }
}

impl<S> Middleware for TowerLayer<S>
where
    S: Service<McpRequest, Response = ServerResult> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        let Some(context) = cx.request_context() else {
            return next.pass(request);
        };
        let request = McpRequest {
            request,
            context: context.clone(),
            session: cx.session.clone(),
            at: next.at,
        };
        let service = self.service.clone();
        Hook::new(async move {
            let answer = service.oneshot(request).await;
            answer.map_err(|error| error_data(error.into()))
        })
    }
}

/// A tower error as the client sees it: an `ErrorData` as it is, anything else (a timeout,
/// an overload) as an internal error with its message.
fn error_data(error: BoxError) -> ErrorData {
    match error.downcast::<ErrorData>() {
        Ok(error) => *error,
        Err(error) => ErrorData::internal_error(error.to_string(), None),
    }
}
