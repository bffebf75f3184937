//! Middleware: code that runs around every message a server receives.
//!
//! A [`Middleware`] overrides the hooks it needs; each hook gets the message, a
//! [`MiddlewareContext`] (method, session, client, era, transport, the request's [`Context`](crate::Context))
//! and [`Next`], the rest of the chain. It may look at or change the message, answer on its own
//! (short-circuit) with a result or an error, or change what the rest of the chain answered.
//!
//! Order: the first middleware added is the outermost. Within one middleware a request passes
//! `on_message`, then `on_request`, then its typed hook (`on_call_tool`, `on_list_tools`, …);
//! a notification passes `on_message`, then `on_notification`. Middleware runs on every
//! transport and both protocol eras, for tool calls that become tasks, and for requests that
//! reach a mounted server (the parent's middleware outside the child's).
//!
//! A hook a middleware does not override costs nothing: no allocation, no future.
//!
//! ```
//! use fastmcp::middleware::{CallTool, Hook, Middleware, MiddlewareContext, Next};
//! use fastmcp::types::{CallToolRequestParams, ErrorData};
//!
//! /// Refuses every tool whose name starts with `admin_`.
//! struct NoAdmin;
//!
//! impl Middleware for NoAdmin {
//!     fn on_call_tool<'a>(
//!         &'a self,
//!         request: CallToolRequestParams,
//!         _cx: &'a MiddlewareContext<'a>,
//!         next: Next<'a, CallTool>,
//!     ) -> Hook<'a, CallTool> {
//!         if request.name.starts_with("admin_") {
//!             return Hook::error(ErrorData::invalid_request("admin tools are off", None));
//!         }
//!         next.pass(request)
//!     }
//! }
//!
//! let server = fastmcp::FastMCP::new("demo").middleware(NoAdmin);
//! # drop(server);
//! ```
#![allow(deprecated)] // rmcp marks logging and resources/subscribe deprecated (SEP-2577).

mod caching;
mod chain;
mod context;
mod error_handling;
mod hook;
mod logging;
mod method;
mod ping;
mod rate_limiting;
mod response_limiting;
mod timing;
mod tower;

use rmcp::model::{
    CallToolRequestParams, ClientNotification, ClientRequest, CompleteRequestParams,
    DiscoverRequestParams, GetPromptRequestParams, InitializeRequestParams, PaginatedRequestParams,
    ReadResourceRequestParams, SetLevelRequestParams, SubscribeRequestParams,
    UnsubscribeRequestParams,
};

pub use caching::{CachePartition, ResponseCaching};
pub(crate) use chain::{At, run_notification, run_request};
pub use context::{MiddlewareContext, Transport};
pub use error_handling::ErrorHandling;
pub(crate) use error_handling::tool_failure;
pub use hook::{Hook, Next};
pub use logging::Logging;
pub use method::{
    AnyMessage, AnyNotification, AnyRequest, CallTool, Complete, Discover, GetPrompt, Initialize,
    ListPrompts, ListResourceTemplates, ListResources, ListTools, Message, Method, ReadResource,
    SetLoggingLevel, Subscribe, Unsubscribe,
};
pub(crate) use method::{Picked, Typed, paged};
pub use ping::Ping;
pub use rate_limiting::{ClientKey, RATE_LIMITED, RateLimitKey, RateLimiting};
pub use response_limiting::ResponseLimiting;
pub use timing::Timing;
pub use tower::{McpRequest, McpService, TowerLayer};

/// Code that runs around the messages a server receives. Every hook has a default that passes
/// the message on untouched (and costs nothing); override the ones you need.
///
/// A hook answers with a [`Hook`]: `next.pass(message)` hands the (possibly changed) message
/// on; `Hook::new(async move { … next.run(message).await … })` runs code around the rest of
/// the chain (and may change its answer; `next.map(message, |answer| …)` when that is all);
/// `Hook::ok(result)` / `Hook::error(error)` answer without going further.
#[allow(unused_variables)]
pub trait Middleware: Send + Sync + 'static {
    /// Every message: requests and notifications.
    fn on_message<'a>(
        &'a self,
        message: Message,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyMessage>,
    ) -> Hook<'a, AnyMessage> {
        next.pass(message)
    }

    /// Every request.
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        next.pass(request)
    }

    /// Every notification (`notifications/initialized`, `notifications/cancelled`, …).
    fn on_notification<'a>(
        &'a self,
        notification: ClientNotification,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyNotification>,
    ) -> Hook<'a, AnyNotification> {
        next.pass(notification)
    }

    /// `initialize` (legacy sessions).
    fn on_initialize<'a>(
        &'a self,
        request: InitializeRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, Initialize>,
    ) -> Hook<'a, Initialize> {
        next.pass(request)
    }

    /// `server/discover` (2026-07-28).
    fn on_discover<'a>(
        &'a self,
        request: DiscoverRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, Discover>,
    ) -> Hook<'a, Discover> {
        next.pass(request)
    }

    /// `tools/call`, including calls that become tasks.
    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        next.pass(request)
    }

    /// `resources/read`.
    fn on_read_resource<'a>(
        &'a self,
        request: ReadResourceRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ReadResource>,
    ) -> Hook<'a, ReadResource> {
        next.pass(request)
    }

    /// `prompts/get`.
    fn on_get_prompt<'a>(
        &'a self,
        request: GetPromptRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, GetPrompt>,
    ) -> Hook<'a, GetPrompt> {
        next.pass(request)
    }

    /// `tools/list`.
    fn on_list_tools<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListTools>,
    ) -> Hook<'a, ListTools> {
        next.pass(request)
    }

    /// `resources/list`.
    fn on_list_resources<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListResources>,
    ) -> Hook<'a, ListResources> {
        next.pass(request)
    }

    /// `resources/templates/list`.
    fn on_list_resource_templates<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListResourceTemplates>,
    ) -> Hook<'a, ListResourceTemplates> {
        next.pass(request)
    }

    /// `prompts/list`.
    fn on_list_prompts<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListPrompts>,
    ) -> Hook<'a, ListPrompts> {
        next.pass(request)
    }

    /// `completion/complete`.
    fn on_complete<'a>(
        &'a self,
        request: CompleteRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, Complete>,
    ) -> Hook<'a, Complete> {
        next.pass(request)
    }

    /// `resources/subscribe`.
    fn on_subscribe<'a>(
        &'a self,
        request: SubscribeRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, Subscribe>,
    ) -> Hook<'a, Subscribe> {
        next.pass(request)
    }

    /// `resources/unsubscribe`.
    fn on_unsubscribe<'a>(
        &'a self,
        request: UnsubscribeRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, Unsubscribe>,
    ) -> Hook<'a, Unsubscribe> {
        next.pass(request)
    }

    /// `logging/setLevel`.
    fn on_set_logging_level<'a>(
        &'a self,
        request: SetLevelRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, SetLoggingLevel>,
    ) -> Hook<'a, SetLoggingLevel> {
        next.pass(request)
    }
}
