//! The kinds of message a hook sees: one marker type per hook, naming what the hook receives
//! ([`Method::Params`]) and what it answers ([`Method::Output`]).
#![allow(deprecated)] // rmcp marks logging and resources/subscribe deprecated (SEP-2577).

use futures::future::BoxFuture;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResponse, ClientNotification, ClientRequest,
    CompleteRequest, CompleteRequestParams, CompleteResult, DiscoverRequest, DiscoverRequestParams,
    DiscoverResult, GetPromptRequest, GetPromptRequestParams, GetPromptResponse, InitializeRequest,
    InitializeRequestParams, InitializeResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequest,
    ReadResourceRequestParams, ReadResourceResponse, RequestOptionalParam, ServerResult,
    SetLevelRequest, SetLevelRequestParams, SubscribeRequest, SubscribeRequestParams,
    UnsubscribeRequest, UnsubscribeRequestParams,
};
use rmcp::model::{CustomResult, ErrorData, GetTaskResult};

use super::chain;
use super::hook::Next;

/// A message on its way in: a request, or a notification (which gets no answer).
// Not boxed: a message moves through the chain by value, and a box would cost an allocation
// per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Message {
    /// A request; the chain answers it with a [`ServerResult`].
    Request(ClientRequest),
    /// A notification; the chain answers nothing.
    Notification(ClientNotification),
}

/// The marker of one hook: what it receives and what it answers. Implemented by the types in
/// this module only.
pub trait Method: sealed::Sealed + Send + Sync + 'static {
    /// What the hook receives (the request's parameters for a typed hook).
    type Params: Send + 'static;
    /// What the hook answers.
    type Output: Send + 'static;

    /// Runs the rest of the chain from `next` on `params`.
    #[doc(hidden)]
    fn resume<'a>(
        next: Next<'a, Self>,
        params: Self::Params,
    ) -> BoxFuture<'a, Result<Self::Output, ErrorData>>
    where
        Self: Sized;
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// A typed request hook: how its parameters become a [`ClientRequest`] again, and how its
/// answer is picked out of (and put back into) a [`ServerResult`].
pub(crate) trait Typed: Method {
    fn request(params: Self::Params) -> ClientRequest;
    fn pick(result: ServerResult) -> Option<Self::Output>;
    fn result(output: Self::Output) -> ServerResult;
}

/// `on_message`: every request and notification. Answers `None` for a notification.
#[derive(Debug)]
pub enum AnyMessage {}

/// `on_request`: every request.
#[derive(Debug)]
pub enum AnyRequest {}

/// `on_notification`: every notification.
#[derive(Debug)]
pub enum AnyNotification {}

impl sealed::Sealed for AnyMessage {}
impl Method for AnyMessage {
    type Params = Message;
    type Output = Option<ServerResult>;

    fn resume<'a>(
        next: Next<'a, Self>,
        params: Self::Params,
    ) -> BoxFuture<'a, Result<Self::Output, ErrorData>> {
        chain::resume_message(next, params)
    }
}

impl sealed::Sealed for AnyRequest {}
impl Method for AnyRequest {
    type Params = ClientRequest;
    type Output = ServerResult;

    fn resume<'a>(
        next: Next<'a, Self>,
        params: Self::Params,
    ) -> BoxFuture<'a, Result<Self::Output, ErrorData>> {
        chain::resume_request(next, params)
    }
}

impl sealed::Sealed for AnyNotification {}
impl Method for AnyNotification {
    type Params = ClientNotification;
    type Output = ();

    fn resume<'a>(
        next: Next<'a, Self>,
        params: Self::Params,
    ) -> BoxFuture<'a, Result<Self::Output, ErrorData>> {
        chain::resume_notification(next, params)
    }
}

/// One marker per typed hook: `Marker(Params) -> Output`, the `ClientRequest` variant it wraps,
/// how its parameters are wrapped, and how its output becomes a `ServerResult`.
macro_rules! typed {
    ($(
        $(#[$doc:meta])*
        $marker:ident($params:ty) -> $output:ty,
        $variant:ident = $wrap:expr,
        into $into:expr;
    )*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub enum $marker {}

        impl sealed::Sealed for $marker {}
        impl Method for $marker {
            type Params = $params;
            type Output = $output;

            fn resume<'a>(
                next: Next<'a, Self>,
                params: Self::Params,
            ) -> BoxFuture<'a, Result<Self::Output, ErrorData>> {
                chain::resume_typed(next, params)
            }
        }

        impl Typed for $marker {
            fn request(params: $params) -> ClientRequest {
                ClientRequest::$variant(($wrap)(params))
            }

            fn pick(result: ServerResult) -> Option<$output> {
                <$output as Picked>::pick(result)
            }

            fn result(output: $output) -> ServerResult {
                ($into)(output)
            }
        }
    )*};
}

typed! {
    /// `on_initialize`: `initialize` (legacy sessions).
    Initialize(InitializeRequestParams) -> InitializeResult,
        InitializeRequest = InitializeRequest::new,
        into ServerResult::InitializeResult;
    /// `on_discover`: `server/discover` (2026-07-28).
    Discover(DiscoverRequestParams) -> DiscoverResult,
        DiscoverRequest = DiscoverRequest::new,
        into ServerResult::DiscoverResult;
    /// `on_call_tool`: `tools/call`.
    CallTool(CallToolRequestParams) -> CallToolResponse,
        CallToolRequest = CallToolRequest::new,
        into ServerResult::from;
    /// `on_read_resource`: `resources/read`.
    ReadResource(ReadResourceRequestParams) -> ReadResourceResponse,
        ReadResourceRequest = ReadResourceRequest::new,
        into ServerResult::from;
    /// `on_get_prompt`: `prompts/get`.
    GetPrompt(GetPromptRequestParams) -> GetPromptResponse,
        GetPromptRequest = GetPromptRequest::new,
        into ServerResult::from;
    /// `on_list_tools`: `tools/list`.
    ListTools(Option<PaginatedRequestParams>) -> ListToolsResult,
        ListToolsRequest = paged,
        into ServerResult::ListToolsResult;
    /// `on_list_resources`: `resources/list`.
    ListResources(Option<PaginatedRequestParams>) -> ListResourcesResult,
        ListResourcesRequest = paged,
        into ServerResult::ListResourcesResult;
    /// `on_list_resource_templates`: `resources/templates/list`.
    ListResourceTemplates(Option<PaginatedRequestParams>) -> ListResourceTemplatesResult,
        ListResourceTemplatesRequest = paged,
        into ServerResult::ListResourceTemplatesResult;
    /// `on_list_prompts`: `prompts/list`.
    ListPrompts(Option<PaginatedRequestParams>) -> ListPromptsResult,
        ListPromptsRequest = paged,
        into ServerResult::ListPromptsResult;
    /// `on_complete`: `completion/complete`.
    Complete(CompleteRequestParams) -> CompleteResult,
        CompleteRequest = CompleteRequest::new,
        into ServerResult::CompleteResult;
    /// `on_subscribe`: `resources/subscribe` (legacy sessions).
    Subscribe(SubscribeRequestParams) -> (),
        SubscribeRequest = SubscribeRequest::new,
        into ServerResult::empty;
    /// `on_unsubscribe`: `resources/unsubscribe` (legacy sessions).
    Unsubscribe(UnsubscribeRequestParams) -> (),
        UnsubscribeRequest = UnsubscribeRequest::new,
        into ServerResult::empty;
    /// `on_set_logging_level`: `logging/setLevel`.
    SetLoggingLevel(SetLevelRequestParams) -> (),
        SetLevelRequest = SetLevelRequest::new,
        into ServerResult::empty;
}

/// What an rmcp handler method returns, picked out of the [`ServerResult`] of `dispatch`.
pub(crate) trait Picked: Sized {
    fn pick(result: ServerResult) -> Option<Self>;
}

/// `Picked` for results that are one `ServerResult` variant of the same name.
macro_rules! picked {
    ($($kind:ident),* $(,)?) => {$(
        impl Picked for $kind {
            fn pick(result: ServerResult) -> Option<Self> {
                match result {
                    ServerResult::$kind(result) => Some(result),
                    _ => None,
                }
            }
        }
    )*};
}

picked!(
    InitializeResult,
    DiscoverResult,
    ListToolsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListPromptsResult,
    CompleteResult,
    GetTaskResult,
    CustomResult,
);

/// Acknowledgements (`ping`, `resources/subscribe`, `tasks/cancel`, …) carry nothing.
impl Picked for () {
    fn pick(_: ServerResult) -> Option<Self> {
        Some(())
    }
}

impl Picked for CallToolResponse {
    fn pick(result: ServerResult) -> Option<Self> {
        match result {
            ServerResult::CallToolResult(result) => Some(Self::Complete(result)),
            ServerResult::InputRequiredResult(result) => Some(Self::InputRequired(result)),
            ServerResult::CreateTaskResult(result) => Some(Self::Task(result)),
            _ => None,
        }
    }
}

impl Picked for ReadResourceResponse {
    fn pick(result: ServerResult) -> Option<Self> {
        match result {
            ServerResult::ReadResourceResult(result) => Some(Self::Complete(result)),
            ServerResult::InputRequiredResult(result) => Some(Self::InputRequired(result)),
            _ => None,
        }
    }
}

impl Picked for GetPromptResponse {
    fn pick(result: ServerResult) -> Option<Self> {
        match result {
            ServerResult::GetPromptResult(result) => Some(Self::Complete(result)),
            ServerResult::InputRequiredResult(result) => Some(Self::InputRequired(result)),
            _ => None,
        }
    }
}

/// A paged list request with these params.
pub(crate) fn paged<M: Default>(
    params: Option<PaginatedRequestParams>,
) -> RequestOptionalParam<M, PaginatedRequestParams> {
    RequestOptionalParam {
        method: M::default(),
        params,
        extensions: Default::default(),
    }
}
