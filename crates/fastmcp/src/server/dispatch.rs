//! The one path every client request takes, whatever the transport or protocol era.
//!
//! rmcp checks a request against its era and calls a [`ServerHandler`] method; each method
//! below hands the request back as a [`ClientRequest`], with its [`RequestContext`], to
//! [`Session::dispatch`], which serves it (`handlers.rs`) and answers with a [`ServerResult`].
//! The stdio and in-memory transports, rmcp's Streamable HTTP service and our direct HTTP path
//! all arrive here, so this is where middleware sits: a request in, a result out, the context
//! beside it. (`subscriptions/listen` is a stream, not a request/response, and stays outside.)
#![allow(deprecated)] // rmcp marks logging, sampling and resources/subscribe deprecated (SEP-2577).

use futures::FutureExt as _;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResponse, CancelTaskParams, CancelTaskRequest,
    CancelledNotification, CancelledNotificationParam, ClientNotification, ClientRequest,
    CompleteRequest, CompleteRequestParams, CompleteResult, CustomNotification, CustomRequest,
    CustomResult, DiscoverRequest, DiscoverRequestParams, DiscoverResult, ErrorData,
    GetPromptRequest, GetPromptRequestParams, GetPromptResponse, GetTaskParams, GetTaskRequest,
    GetTaskResult, InitializeRequest, InitializeRequestParams, InitializeResult, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotification, ProgressNotificationParam, ReadResourceRequest,
    ReadResourceRequestParams, ReadResourceResponse, RequestNoParam, ServerCapabilities,
    ServerConfig, ServerResult, SetLevelRequest, SetLevelRequestParams, SubscribeRequest,
    SubscribeRequestParams, SubscriptionFilter, UnsubscribeRequest, UnsubscribeRequestParams,
    UpdateTaskParams, UpdateTaskRequest,
};
use rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use rmcp::{RoleServer, ServerHandler};

use super::mount::ListOf;
use super::session::Session;
use super::tasks;
use crate::middleware::{self, At, MiddlewareContext};
use crate::middleware::{Picked, paged};

impl Session {
    /// Serves one client request through the server's middleware. Every request of every
    /// transport and era passes here.
    pub(crate) async fn dispatch(
        &self,
        request: ClientRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        let chain = self.server.middleware_chain();
        if chain.is_empty() {
            return self.serve(request, &context).await;
        }
        let cx = MiddlewareContext::for_request(self, chain, &request, &context);
        // A panicking middleware fails its request, not the connection (as a panicking tool).
        let run = std::panic::AssertUnwindSafe(middleware::run_request(At::START, request, &cx));
        run.catch_unwind().await.unwrap_or_else(|panic| {
            let reason = super::run::panic_message(panic.as_ref());
            tracing::error!(method = cx.method(), %reason, "middleware panicked");
            Err(ErrorData::internal_error(
                format!("middleware failed unexpectedly: {reason}"),
                None,
            ))
        })
    }

    /// Passes one client notification through the server's middleware.
    async fn dispatch_notification(
        &self,
        notification: ClientNotification,
        context: NotificationContext<RoleServer>,
    ) {
        let chain = self.server.middleware_chain();
        if chain.is_empty() {
            return self.serve_notification(notification, &context).await;
        }
        let cx = MiddlewareContext::for_notification(self, chain, &notification, &context);
        let run = middleware::run_notification(At::START, notification, &cx);
        match std::panic::AssertUnwindSafe(run).catch_unwind().await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::warn!(method = cx.method(), %error, "middleware failed on a notification");
            }
            Err(panic) => {
                let reason = super::run::panic_message(panic.as_ref());
                tracing::error!(method = cx.method(), %reason, "middleware panicked");
            }
        }
    }

    /// What a notification does once past the middleware.
    pub(crate) async fn serve_notification(
        &self,
        notification: ClientNotification,
        context: &NotificationContext<RoleServer>,
    ) {
        if let ClientNotification::InitializedNotification(_) = notification {
            self.state.remember_peer(&context.peer);
        }
    }

    /// Serves one client request: the end of the middleware chain.
    pub(crate) async fn serve(
        &self,
        request: ClientRequest,
        context: &RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        use ClientRequest as R;
        use ServerResult as S;
        if let Some((child, request)) = self.route(&request) {
            // The child's own middleware runs inside this server's.
            return Box::pin(child.dispatch(request, context.clone())).await;
        }
        #[cfg(feature = "client")]
        if let Some(proxy) = self.server.proxied()
            && forwarded(&request)
            && !self.serves_locally(&request)
        {
            return proxy.forward(self, request, context).await;
        }
        match request {
            R::InitializeRequest(request) => {
                context.peer.set_peer_info(request.params.clone());
                self.negotiate_initialize(&request.params)
                    .map(S::InitializeResult)
            }
            R::DiscoverRequest(_) => Ok(S::DiscoverResult(DiscoverResult::from_server_info(
                self.supported_protocol_versions().into_owned(),
                self.get_info(),
            ))),
            R::PingRequest(_) => Ok(S::empty(())),
            R::ListToolsRequest(request) => self
                .list(|c| &c.tools, ListOf::Tools, request.params, context)
                .await
                .map(S::ListToolsResult),
            R::ListResourcesRequest(request) => self
                .list(|c| &c.resources, ListOf::Resources, request.params, context)
                .await
                .map(S::ListResourcesResult),
            R::ListResourceTemplatesRequest(request) => self
                .list(
                    |c| &c.templates,
                    ListOf::ResourceTemplates,
                    request.params,
                    context,
                )
                .await
                .map(S::ListResourceTemplatesResult),
            R::ListPromptsRequest(request) => self
                .list(|c| &c.prompts, ListOf::Prompts, request.params, context)
                .await
                .map(S::ListPromptsResult),
            R::CallToolRequest(request) => self
                .serve_call_tool(request.params, context)
                .await
                .map(S::from),
            R::ReadResourceRequest(request) => self
                .serve_read_resource(request.params, context)
                .await
                .map(S::from),
            R::GetPromptRequest(request) => self
                .serve_get_prompt(request.params, context)
                .await
                .map(S::from),
            R::CompleteRequest(request) => self
                .serve_complete(request.params, context)
                .await
                .map(S::CompleteResult),
            R::SubscribeRequest(request) => self
                .serve_subscribe(request.params, context)
                .await
                .map(S::empty),
            R::UnsubscribeRequest(request) => self
                .serve_unsubscribe(request.params, context)
                .await
                .map(S::empty),
            R::SetLevelRequest(request) => self
                .serve_set_level(request.params, context)
                .await
                .map(S::empty),
            R::GetTaskRequest(request) => self
                .serve_get_task(request.params, context)
                .await
                .map(S::GetTaskResult),
            R::UpdateTaskRequest(request) => self
                .serve_update_task(request.params, context)
                .await
                .map(S::task_ack),
            R::CancelTaskRequest(request) => self
                .serve_cancel_task(request.params, context)
                .await
                .map(S::task_ack),
            R::CustomRequest(request) => self
                .serve_custom(request, context)
                .await
                .map(S::CustomResult),
            other => Err(ErrorData::internal_error(
                format!("no handler for {}", other.method()),
                None,
            )),
        }
    }

    /// Dispatches `request` and picks its result kind back out (any other kind would be a bug
    /// in `dispatch`).
    async fn dispatch_as<T: Picked>(
        &self,
        request: ClientRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<T, ErrorData> {
        // Named by type, not by the request's method, so the hot path copies nothing. Boxed:
        // rmcp spawns a task per request around this future and moves it several times, and
        // the unboxed dispatch (every handler's state) is kilobytes; a box is one allocation.
        let shared_state = uses_session_state(&request);
        if shared_state {
            self.state.catch_up().await;
        }
        let result = Box::pin(self.dispatch(request, context)).await;
        if shared_state {
            self.state.flush().await;
            self.server.replica_notifications_delivered().await;
        }
        T::pick(result?).ok_or_else(|| {
            let expected = std::any::type_name::<T>();
            ErrorData::internal_error(format!("dispatch did not produce a {expected}"), None)
        })
    }
}

/// Whether `request` may read or change what a session keeps (log level, stored values,
/// visibility, subscriptions): with replicas, the session's record is read before it and
/// written after it.
fn uses_session_state(request: &ClientRequest) -> bool {
    use ClientRequest as R;
    !matches!(
        request,
        R::InitializeRequest(_) | R::PingRequest(_) | R::DiscoverRequest(_)
    )
}

/// Whether a proxy passes `request` on (lists it gathers itself; `initialize` and
/// `server/discover` it answers as itself).
#[cfg(feature = "client")]
fn forwarded(request: &ClientRequest) -> bool {
    use ClientRequest as R;
    matches!(
        request,
        R::CallToolRequest(_)
            | R::ReadResourceRequest(_)
            | R::GetPromptRequest(_)
            | R::CompleteRequest(_)
            | R::SubscribeRequest(_)
            | R::UnsubscribeRequest(_)
            | R::SetLevelRequest(_)
            | R::PingRequest(_)
            | R::GetTaskRequest(_)
            | R::UpdateTaskRequest(_)
            | R::CancelTaskRequest(_)
            | R::CustomRequest(_)
    )
}

/// rmcp entry points that take parameters, each handing its request to [`Session::dispatch`]:
/// `method(Params) -> Result = how the params become the ClientRequest again;`.
macro_rules! to_dispatch {
    ($($method:ident($params:ty) -> $result:ty = $request:expr;)*) => {$(
        async fn $method(
            &self,
            params: $params,
            context: RequestContext<RoleServer>,
        ) -> Result<$result, ErrorData> {
            let request: ClientRequest = ($request)(params);
            self.dispatch_as(request, context).await
        }
    )*};
}

/// rmcp's entry points, each handing its request to `Session::dispatch`.
impl ServerHandler for Session {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_logging()
            .enable_completions()
            .enable_prompts()
            .enable_resources()
            .enable_tools()
            .enable_prompts_list_changed()
            .enable_resources_list_changed()
            .enable_resources_subscribe()
            .enable_tool_list_changed()
            .build();
        let capabilities = if self.server.offers_tasks() {
            tasks::advertise(capabilities)
        } else {
            capabilities
        };
        let mut info = ServerConfig::new(capabilities).with_server_info(self.server.server_info());
        info.protocol_version = rmcp::model::ProtocolVersion::LATEST_WITH_INITIALIZE;
        if let Some(instructions) = self.server.instructions_text() {
            info = info.with_instructions(instructions);
        }
        info
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let notification = ClientNotification::InitializedNotification(Default::default());
        self.dispatch_notification(notification, context).await;
    }

    async fn on_cancelled(
        &self,
        params: CancelledNotificationParam,
        context: NotificationContext<RoleServer>,
    ) {
        let notification =
            ClientNotification::CancelledNotification(CancelledNotification::new(params));
        self.dispatch_notification(notification, context).await;
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        context: NotificationContext<RoleServer>,
    ) {
        let notification =
            ClientNotification::ProgressNotification(ProgressNotification::new(params));
        self.dispatch_notification(notification, context).await;
    }

    async fn on_roots_list_changed(&self, context: NotificationContext<RoleServer>) {
        let notification = ClientNotification::RootsListChangedNotification(Default::default());
        self.dispatch_notification(notification, context).await;
    }

    async fn on_custom_notification(
        &self,
        notification: CustomNotification,
        context: NotificationContext<RoleServer>,
    ) {
        let notification = ClientNotification::CustomNotification(notification);
        self.dispatch_notification(notification, context).await;
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        self.server
            .components()
            .tool(name, None)
            .map(|tool| tool.definition().clone())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(requested.clone())
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let id = self.server.add_listener(context.sink().clone());
        // Proxies (this server, or mounted in it) have their upstreams tell them of the
        // resources listened for, while this lasts.
        #[cfg(feature = "client")]
        let _watch = crate::proxy::watch_for_listener(&self.server, context.sink()).await;
        context.cancelled().await;
        self.server.remove_listener(id);
        Ok(())
    }

    async fn ping(&self, context: RequestContext<RoleServer>) -> Result<(), ErrorData> {
        let request = ClientRequest::PingRequest(RequestNoParam::default());
        self.dispatch_as(request, context).await
    }

    async fn discover(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<DiscoverResult, ErrorData> {
        let request =
            ClientRequest::DiscoverRequest(DiscoverRequest::new(DiscoverRequestParams {}));
        self.dispatch_as(request, context).await
    }

    async fn initialize(
        &self,
        params: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        // A session of FastMCP's HTTP session manager: its requests come here from now on.
        #[cfg(feature = "http-server")]
        super::http::attach(self, &context);
        let request = ClientRequest::InitializeRequest(InitializeRequest::new(params));
        self.dispatch_as(request, context).await
    }

    // The rest take parameters: each is wrapped back into the `ClientRequest` rmcp took it from.
    to_dispatch! {
        list_tools(Option<PaginatedRequestParams>) -> ListToolsResult =
            |p| ClientRequest::ListToolsRequest(paged(p));
        list_resources(Option<PaginatedRequestParams>) -> ListResourcesResult =
            |p| ClientRequest::ListResourcesRequest(paged(p));
        list_resource_templates(Option<PaginatedRequestParams>) -> ListResourceTemplatesResult =
            |p| ClientRequest::ListResourceTemplatesRequest(paged(p));
        list_prompts(Option<PaginatedRequestParams>) -> ListPromptsResult =
            |p| ClientRequest::ListPromptsRequest(paged(p));
        call_tool(CallToolRequestParams) -> CallToolResponse =
            |p| ClientRequest::CallToolRequest(CallToolRequest::new(p));
        read_resource(ReadResourceRequestParams) -> ReadResourceResponse =
            |p| ClientRequest::ReadResourceRequest(ReadResourceRequest::new(p));
        get_prompt(GetPromptRequestParams) -> GetPromptResponse =
            |p| ClientRequest::GetPromptRequest(GetPromptRequest::new(p));
        complete(CompleteRequestParams) -> CompleteResult =
            |p| ClientRequest::CompleteRequest(CompleteRequest::new(p));
        subscribe(SubscribeRequestParams) -> () =
            |p| ClientRequest::SubscribeRequest(SubscribeRequest::new(p));
        unsubscribe(UnsubscribeRequestParams) -> () =
            |p| ClientRequest::UnsubscribeRequest(UnsubscribeRequest::new(p));
        set_level(SetLevelRequestParams) -> () =
            |p| ClientRequest::SetLevelRequest(SetLevelRequest::new(p));
        get_task(GetTaskParams) -> GetTaskResult =
            |p| ClientRequest::GetTaskRequest(GetTaskRequest::new(p));
        update_task(UpdateTaskParams) -> () =
            |p| ClientRequest::UpdateTaskRequest(UpdateTaskRequest::new(p));
        cancel_task(CancelTaskParams) -> () =
            |p| ClientRequest::CancelTaskRequest(CancelTaskRequest::new(p));
        on_custom_request(CustomRequest) -> CustomResult = ClientRequest::CustomRequest;
    }
}
