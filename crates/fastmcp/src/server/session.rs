//! [`Session`]: one connection's request dispatcher (rmcp's `ServerHandler`).
#![allow(deprecated)] // rmcp marks logging, sampling and resources/subscribe deprecated (SEP-2577).

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    CallToolRequestParams, CompletionInfo, ErrorData, InputRequiredResult, InputResponses,
    RequestMetaObject,
};
use rmcp::service::RequestContext;

use super::FastMCP;
use super::context::{Context, SessionState, is_stateless};
use super::input::{InputState, binding};
use super::run::REQUEST_CANCELLED;

/// One client connection to a [`FastMCP`] server: dispatches its requests to the server's
/// components and holds per-connection state (log level, subscriptions, stored values).
///
/// Implements rmcp's [`ServerHandler`](rmcp::ServerHandler), so it runs under any rmcp transport.
#[derive(Clone, Debug)]
pub struct Session {
    pub(super) server: FastMCP,
    pub(super) state: Arc<SessionState>,
}

impl Session {
    pub(crate) fn new(server: FastMCP, state: Arc<SessionState>) -> Self {
        Self { server, state }
    }

    pub(super) fn context(
        &self,
        request: &RequestContext<RoleServer>,
        input: InputState,
    ) -> Context {
        self.state.remember_peer(&request.peer);
        Context::new(request, Arc::clone(&self.state), self.server.clone(), input)
    }

    /// The session's id (made on first use).
    pub(crate) fn state_id(&self) -> &str {
        self.state.id()
    }

    /// The session's state (shared with the sessions of mounted servers).
    #[cfg(feature = "client")]
    pub(crate) fn state(&self) -> &Arc<SessionState> {
        &self.state
    }

    /// The server this session belongs to.
    pub(crate) fn server(&self) -> &FastMCP {
        &self.server
    }

    /// A request's `Context` for middleware: as its handler gets it, without input rounds.
    pub(crate) fn middleware_context(&self, request: &RequestContext<RoleServer>) -> Context {
        self.context(request, InputState::legacy())
    }

    /// The codec sealing `requestState` (2026-07-28 input rounds).
    pub(super) fn state_codec(&self) -> Result<&rmcp::model::RequestStateCodec, ErrorData> {
        self.server
            .state_codec()
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))
    }

    /// The input state of a request that may ask the client for input, checking its sealed
    /// `requestState` on 2026-07-28.
    fn input_state(
        &self,
        request: &RequestContext<RoleServer>,
        binding: &[u8],
        request_state: Option<&str>,
        input_responses: Option<InputResponses>,
    ) -> Result<InputState, ErrorData> {
        if is_stateless(request) {
            InputState::for_stateless_request(
                self.state_codec()?,
                binding,
                request_state,
                input_responses,
            )
        } else {
            Ok(InputState::legacy())
        }
    }

    /// The `Context` of a request that may ask the client for input, and what its sealed
    /// `requestState` is bound to on 2026-07-28: its method and parameters (legacy sessions
    /// keep no such state, so they skip the serialization). A tampered or stale state fails.
    pub(super) fn prepare(
        &self,
        request: &RequestContext<RoleServer>,
        method: &str,
        name: &str,
        arguments: &impl serde::Serialize,
        rounds: (Option<&str>, Option<InputResponses>),
    ) -> Result<(Vec<u8>, Context), ErrorData> {
        let binding = if is_stateless(request) {
            binding(method, name, arguments)
        } else {
            Vec::new()
        };
        let (request_state, input_responses) = rounds;
        let input = self.input_state(request, &binding, request_state, input_responses)?;
        Ok((binding, self.context(request, input)))
    }

    /// Runs a handler to its end, its cancellation, its request for client input, or (for a
    /// tool allowed to) its request to continue as a task; then flushes its progress
    /// (nothing is sent after the result). `work` stays with the caller, so a tool can carry
    /// on in a task.
    pub(super) async fn drive<F: Future + Unpin>(
        &self,
        ctx: &Context,
        request: &RequestContext<RoleServer>,
        binding: &[u8],
        work: &mut F,
    ) -> Result<Outcome<F::Output>, ErrorData> {
        let _busy = self.server.busy();
        let stop = tokio::select! {
            biased;
            () = request.ct.cancelled() => Stop::Cancelled,
            () = ctx.input().needed() => Stop::InputNeeded,
            () = ctx.input().task_start_requested() => Stop::TaskStart,
            value = work => Stop::Done(value),
        };
        ctx.finish().await;
        match stop {
            Stop::Cancelled => Err(ErrorData::new(REQUEST_CANCELLED, "Request cancelled", None)),
            Stop::InputNeeded => Ok(Outcome::InputRequired(
                ctx.input().input_required(self.state_codec()?, binding)?,
            )),
            Stop::TaskStart => Ok(Outcome::TaskStart),
            Stop::Done(value) => Ok(Outcome::Done(value)),
        }
    }
}

impl Session {
    /// The tool `name` as this session sees it (the server's rules, then the session's own).
    pub(super) fn find_tool(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Option<crate::tools::Tool> {
        let components = self.server.components();
        let visibility = self.state.visibility(&components.visibility);
        components.tools.get(name, version, &visibility)
    }

    /// The prompt `name` as this session sees it.
    pub(super) fn find_prompt(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Option<crate::prompts::Prompt> {
        let components = self.server.components();
        let visibility = self.state.visibility(&components.visibility);
        components.prompts.get(name, version, &visibility)
    }

    /// The resource template written `uri_template`, as this session sees it.
    pub(super) fn find_template(
        &self,
        uri_template: &str,
    ) -> Option<crate::resources::ResourceTemplate> {
        let components = self.server.components();
        let visibility = self.state.visibility(&components.visibility);
        components.templates.get(uri_template, None, &visibility)
    }
}

impl Session {
    /// A tool call's arguments, the binding of its sealed state, and its context.
    pub(super) fn tool_call(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<(rmcp::model::JsonObject, Vec<u8>, Context), ErrorData> {
        let arguments = request.arguments.unwrap_or_default();
        let rounds = (request.request_state.as_deref(), request.input_responses);
        let (binding, ctx) = self.prepare(
            context,
            crate::protocol::TOOLS_CALL,
            &request.name,
            &arguments,
            rounds,
        )?;
        Ok((arguments, binding, ctx))
    }
}

/// Why a handler stopped running in its request.
enum Stop<T> {
    Cancelled,
    InputNeeded,
    TaskStart,
    Done(T),
}

/// How a handler's request ends.
pub(super) enum Outcome<T> {
    Done(T),
    InputRequired(InputRequiredResult),
    /// The tool asked to continue as a task (only tools allowed to can ask).
    TaskStart,
}

/// The error for a request whose handler asked to become a task, which only tools can.
/// The error for a tool, prompt or template that is not there (or not visible).
pub(super) fn unknown(kind: &str, name: &str) -> ErrorData {
    ErrorData::invalid_params(format!("Unknown {kind}: '{name}'"), None)
}

pub(super) fn not_a_task() -> ErrorData {
    ErrorData::internal_error("only a tool call can continue as a task", None)
}

/// The version a request asks for in `_meta.fastmcp.version`, if any.
pub(super) fn requested_version(meta: &RequestMetaObject) -> Option<String> {
    meta.0
        .0
        .get("fastmcp")
        .and_then(|fastmcp| fastmcp.get("version"))
        .and_then(|version| version.as_str())
        .map(str::to_owned)
}

/// At most 100 values, with the total and whether more exist.
pub(super) fn completion_info(mut values: Vec<String>) -> CompletionInfo {
    let total = values.len();
    values.truncate(CompletionInfo::MAX_VALUES);
    let has_more = total > values.len();
    CompletionInfo::with_pagination(values, u32::try_from(total).ok(), has_more).unwrap_or_default()
}
