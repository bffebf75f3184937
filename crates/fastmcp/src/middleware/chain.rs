//! Runs a message through the middleware chain, hook by hook, to the server.
//!
//! The chain is a loop, not nested futures: a hook that passes the message on returns it, and
//! the loop carries it to the next hook, so hooks nobody overrides cost no allocation. Only a
//! hook that runs code around the rest ([`Hook::new`](super::Hook::new)) has a future, and its
//! [`Next::run`] boxes the rest of the chain (a future that contains itself must be boxed).
#![allow(deprecated)] // rmcp marks logging and resources/subscribe deprecated (SEP-2577).

use futures::future::BoxFuture;
use rmcp::model::{ClientNotification, ClientRequest, ErrorData, ServerResult};

use super::Middleware;
use super::context::MiddlewareContext;
use super::hook::{Flow, Next};
use super::method::{self, Message, Typed};

/// Where in the chain a message is: which middleware, and which of its hooks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    index: usize,
    stage: Stage,
}

#[derive(Debug, Clone, Copy)]
enum Stage {
    /// `on_message`.
    Message,
    /// `on_request` or `on_notification`.
    Kind,
    /// The typed hook (`on_call_tool`, …); requests only.
    Typed,
}

impl At {
    pub(crate) const START: At = At {
        index: 0,
        stage: Stage::Message,
    };

    fn then(self, stage: Stage) -> At {
        At { stage, ..self }
    }

    fn next_middleware(self) -> At {
        At {
            index: self.index + 1,
            stage: Stage::Message,
        }
    }
}

/// The typed hook for the request's kind: the request to pass on, or (by `return`) its
/// answer. `Variant => hook: Marker` for each typed hook.
macro_rules! typed_hook {
    ($middleware:ident, $request:ident, $cx:ident, $at:ident, {
        $($variant:ident => $hook:ident: $marker:ty),* $(,)?
    }) => {
        match $request {
            $(ClientRequest::$variant(request) => {
                match $middleware.$hook(request.params, $cx, Next::new($cx, $at)).0 {
                    Flow::Pass(params) => <$marker>::request(params),
                    Flow::Run(future) => return future.await.map(<$marker>::result),
                    Flow::Done(answer) => return answer.map(<$marker>::result),
                }
            })*
            other => other,
        }
    };
}

/// Runs `request` from `at` to the server.
pub(crate) async fn run_request<'a>(
    mut at: At,
    mut request: ClientRequest,
    cx: &'a MiddlewareContext<'a>,
) -> Result<ServerResult, ErrorData> {
    loop {
        let Some(middleware) = cx.chain.get(at.index) else {
            return cx.serve(request).await;
        };
        let middleware: &dyn Middleware = &**middleware;
        match at.stage {
            Stage::Message => {
                let next = Next::new(cx, at.then(Stage::Kind));
                match middleware.on_message(Message::Request(request), cx, next).0 {
                    Flow::Pass(Message::Request(passed)) => request = passed,
                    Flow::Pass(Message::Notification(_)) => return Err(kind_changed()),
                    Flow::Run(future) => return future.await.and_then(answered),
                    Flow::Done(answer) => return answer.and_then(answered),
                }
                at = at.then(Stage::Kind);
            }
            Stage::Kind => {
                let next = Next::new(cx, at.then(Stage::Typed));
                match middleware.on_request(request, cx, next).0 {
                    Flow::Pass(passed) => request = passed,
                    Flow::Run(future) => return future.await,
                    Flow::Done(answer) => return answer,
                }
                at = at.then(Stage::Typed);
            }
            Stage::Typed => {
                let next = at.next_middleware();
                request = typed_hook!(middleware, request, cx, next, {
                    InitializeRequest => on_initialize: method::Initialize,
                    DiscoverRequest => on_discover: method::Discover,
                    CallToolRequest => on_call_tool: method::CallTool,
                    ReadResourceRequest => on_read_resource: method::ReadResource,
                    GetPromptRequest => on_get_prompt: method::GetPrompt,
                    ListToolsRequest => on_list_tools: method::ListTools,
                    ListResourcesRequest => on_list_resources: method::ListResources,
                    ListResourceTemplatesRequest =>
                        on_list_resource_templates: method::ListResourceTemplates,
                    ListPromptsRequest => on_list_prompts: method::ListPrompts,
                    CompleteRequest => on_complete: method::Complete,
                    SubscribeRequest => on_subscribe: method::Subscribe,
                    UnsubscribeRequest => on_unsubscribe: method::Unsubscribe,
                    SetLevelRequest => on_set_logging_level: method::SetLoggingLevel,
                });
                at = next;
            }
        }
    }
}

/// Runs `notification` from `at` to the server.
pub(crate) async fn run_notification<'a>(
    mut at: At,
    mut notification: ClientNotification,
    cx: &'a MiddlewareContext<'a>,
) -> Result<(), ErrorData> {
    loop {
        let Some(middleware) = cx.chain.get(at.index) else {
            cx.notify(notification).await;
            return Ok(());
        };
        let middleware: &dyn Middleware = &**middleware;
        match at.stage {
            Stage::Message => {
                let next = Next::new(cx, at.then(Stage::Kind));
                let message = Message::Notification(notification);
                match middleware.on_message(message, cx, next).0 {
                    Flow::Pass(Message::Notification(passed)) => notification = passed,
                    Flow::Pass(Message::Request(_)) => return Err(kind_changed()),
                    Flow::Run(future) => return future.await.map(drop),
                    Flow::Done(answer) => return answer.map(drop),
                }
                at = at.then(Stage::Kind);
            }
            Stage::Kind | Stage::Typed => {
                let next = Next::new(cx, at.next_middleware());
                match middleware.on_notification(notification, cx, next).0 {
                    Flow::Pass(passed) => notification = passed,
                    Flow::Run(future) => return future.await,
                    Flow::Done(answer) => return answer,
                }
                at = at.next_middleware();
            }
        }
    }
}

pub(super) fn resume_message<'a>(
    next: Next<'a, method::AnyMessage>,
    message: Message,
) -> BoxFuture<'a, Result<Option<ServerResult>, ErrorData>> {
    let Next { cx, at, .. } = next;
    match message {
        Message::Request(request) => {
            Box::pin(async move { run_request(at, request, cx).await.map(Some) })
        }
        Message::Notification(notification) => {
            Box::pin(async move { run_notification(at, notification, cx).await.map(|()| None) })
        }
    }
}

pub(super) fn resume_request<'a>(
    next: Next<'a, method::AnyRequest>,
    request: ClientRequest,
) -> BoxFuture<'a, Result<ServerResult, ErrorData>> {
    let Next { cx, at, .. } = next;
    Box::pin(run_request(at, request, cx))
}

pub(super) fn resume_notification<'a>(
    next: Next<'a, method::AnyNotification>,
    notification: ClientNotification,
) -> BoxFuture<'a, Result<(), ErrorData>> {
    let Next { cx, at, .. } = next;
    Box::pin(run_notification(at, notification, cx))
}

pub(super) fn resume_typed<'a, M: Typed>(
    next: Next<'a, M>,
    params: M::Params,
) -> BoxFuture<'a, Result<M::Output, ErrorData>> {
    let Next { cx, at, .. } = next;
    Box::pin(async move {
        let result = run_request(at, M::request(params), cx).await?;
        M::pick(result).ok_or_else(|| {
            let expected = std::any::type_name::<M::Output>();
            ErrorData::internal_error(
                format!("middleware answered something other than a {expected}"),
                None,
            )
        })
    })
}

/// An `on_message` hook answered a request with nothing (the answer to a notification).
fn answered(reply: Option<ServerResult>) -> Result<ServerResult, ErrorData> {
    reply.ok_or_else(|| {
        ErrorData::internal_error("middleware answered a request with no result", None)
    })
}

fn kind_changed() -> ErrorData {
    ErrorData::internal_error(
        "middleware turned a request into a notification or the other way round",
        None,
    )
}
