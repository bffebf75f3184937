//! [`Session`]: one connection's request dispatcher (rmcp's `ServerHandler`).
#![allow(deprecated)] // rmcp marks logging, sampling and resources/subscribe deprecated (SEP-2577).

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, CompleteRequestParams,
    CompleteResult, CompletionInfo, CustomRequest, CustomResult, ErrorData, GetPromptRequestParams,
    GetPromptResponse, GetTaskParams, GetTaskResult, InputRequiredResult, InputResponses,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    Reference, RequestMetaObject, ServerCapabilities, ServerConfig, SetLevelRequestParams,
    SubscribeRequestParams, SubscriptionFilter, UnsubscribeRequestParams, UpdateTaskParams,
};
use rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use rmcp::{RoleServer, ServerHandler};
use serde_json::Value;

use super::FastMCP;
use super::context::{Context, SessionState, is_stateless};
use super::input::{InputState, binding};
use super::lists;
use super::refusals::{REMOVED_IN_2026, removed_method, unknown_or_malformed};
use super::run::{REQUEST_CANCELLED, error_result, invoke};
use super::tasks::{self, Dispatch};
use crate::completion::CompletionRequest;

/// One client connection to a [`FastMCP`] server: dispatches its requests to the server's
/// components and holds per-connection state (log level, subscriptions, stored values).
///
/// Implements rmcp's [`ServerHandler`], so it runs under any rmcp transport.
#[derive(Clone, Debug)]
pub struct Session {
    server: FastMCP,
    state: Arc<SessionState>,
}

impl Session {
    pub(crate) fn new(server: FastMCP, state: Arc<SessionState>) -> Self {
        Self { server, state }
    }

    fn context(&self, request: &RequestContext<RoleServer>, input: InputState) -> Context {
        self.state.remember_peer(&request.peer);
        Context::new(request, Arc::clone(&self.state), self.server.clone(), input)
    }

    /// The codec sealing `requestState` (2026-07-28 input rounds).
    fn state_codec(&self) -> Result<&rmcp::model::RequestStateCodec, ErrorData> {
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

    /// What a 2026-07-28 request's sealed `requestState` is bound to: its method and
    /// parameters. Legacy sessions keep no such state, so they skip the serialization.
    fn binding(
        &self,
        request: &RequestContext<RoleServer>,
        method: &str,
        name: &str,
        arguments: &impl serde::Serialize,
    ) -> Vec<u8> {
        if is_stateless(request) {
            binding(method, name, arguments)
        } else {
            Vec::new()
        }
    }

    /// Runs a handler to its end, its cancellation, its request for client input, or (for a
    /// tool allowed to) its request to continue as a task; then flushes its progress
    /// (nothing is sent after the result). `work` stays with the caller, so a tool can carry
    /// on in a task.
    async fn drive<F: Future + Unpin>(
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
    /// A tool call's arguments, the binding of its sealed state, and its context.
    fn tool_call(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<(rmcp::model::JsonObject, Vec<u8>, Context), ErrorData> {
        let arguments = request.arguments.unwrap_or_default();
        let binding = self.binding(
            context,
            crate::protocol::TOOLS_CALL,
            &request.name,
            &arguments,
        );
        let input = self.input_state(
            context,
            &binding,
            request.request_state.as_deref(),
            request.input_responses,
        )?;
        Ok((arguments, binding, self.context(context, input)))
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
enum Outcome<T> {
    Done(T),
    InputRequired(InputRequiredResult),
    /// The tool asked to continue as a task (only tools allowed to can ask).
    TaskStart,
}

/// The error for a request whose handler asked to become a task, which only tools can.
fn not_a_task() -> ErrorData {
    ErrorData::internal_error("only a tool call can continue as a task", None)
}

/// The version a request asks for in `_meta.fastmcp.version`, if any.
fn requested_version(meta: &RequestMetaObject) -> Option<String> {
    meta.0
        .0
        .get("fastmcp")
        .and_then(|fastmcp| fastmcp.get("version"))
        .and_then(|version| version.as_str())
        .map(str::to_owned)
}

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
        self.state.remember_peer(&context.peer);
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.state.remember_peer(&context.peer);
        lists::list(&self.server, |c| &c.tools, request, &context)
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        self.server
            .components()
            .tool(name, None)
            .map(|tool| tool.definition().clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let version = requested_version(&context.meta);
        let Some(tool) = self
            .server
            .components()
            .tool(&request.name, version.as_deref())
        else {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: '{}'", request.name),
                None,
            ));
        };
        let when_asked = match tasks::dispatch(&tool, &context)? {
            Dispatch::Direct => false,
            Dispatch::TaskWhenAsked => true,
            Dispatch::Task => {
                tasks::check_capacity(&self.server)?;
                self.state.remember_peer(&context.peer);
                let state = Arc::clone(&self.state);
                let task = tasks::start(&self.server, state, tool, request, &context);
                return Ok(CallToolResponse::Task(task));
            }
        };
        let (arguments, binding, ctx) = self.tool_call(request, &context)?;
        if when_asked {
            // Runs as a direct call (with input rounds) until it calls `ctx.start_task()`.
            ctx.input().allow_task_start();
        }
        let mut work: tasks::Work = {
            let ctx = ctx.clone();
            Box::pin(async move { invoke(&tool, arguments, ctx).await })
        };
        match self.drive(&ctx, &context, &binding, &mut work).await? {
            Outcome::Done(result) => Ok(result.unwrap_or_else(error_result).into()),
            Outcome::InputRequired(required) => Ok(CallToolResponse::InputRequired(required)),
            Outcome::TaskStart => {
                tasks::check_capacity(&self.server)?;
                Ok(CallToolResponse::Task(tasks::adopt(
                    &self.server,
                    &ctx,
                    work,
                )))
            }
        }
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.state.remember_peer(&context.peer);
        lists::list(&self.server, |c| &c.resources, request, &context)
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.state.remember_peer(&context.peer);
        lists::list(&self.server, |c| &c.templates, request, &context)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let binding = self.binding(
            &context,
            crate::protocol::RESOURCES_READ,
            &request.uri,
            &Value::Null,
        );
        let input = self.input_state(
            &context,
            &binding,
            request.request_state.as_deref(),
            request.input_responses,
        )?;
        let ctx = self.context(&context, input);
        let read = self
            .server
            .read_resource_with_hint(&request.uri, ctx.clone());
        let mut read = std::pin::pin!(read);
        match self.drive(&ctx, &context, &binding, &mut read).await? {
            Outcome::Done(read) => {
                let (contents, hint) = read.map_err(crate::error::RequestError::into_error_data)?;
                let mut result = ReadResourceResult::new(contents);
                if let Some(hint) = hint.filter(|_| is_stateless(&context)) {
                    result.ttl_ms = Some(hint.ttl_ms());
                    result.cache_scope = Some(hint.scope());
                }
                Ok(result.into())
            }
            Outcome::InputRequired(required) => Ok(ReadResourceResponse::InputRequired(required)),
            Outcome::TaskStart => Err(not_a_task()),
        }
    }

    async fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        self.state.remember_peer(&context.peer);
        lists::list(&self.server, |c| &c.prompts, request, &context)
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let version = requested_version(&context.meta);
        let Some(prompt) = self
            .server
            .components()
            .prompt(&request.name, version.as_deref())
        else {
            return Err(ErrorData::invalid_params(
                format!("Unknown prompt: '{}'", request.name),
                None,
            ));
        };
        let binding = self.binding(
            &context,
            crate::protocol::PROMPTS_GET,
            &request.name,
            &request.arguments,
        );
        let input = self.input_state(
            &context,
            &binding,
            request.request_state.as_deref(),
            request.input_responses,
        )?;
        let ctx = self.context(&context, input);
        let mut render = std::pin::pin!(prompt.render(request.arguments, ctx.clone()));
        match self.drive(&ctx, &context, &binding, &mut render).await? {
            Outcome::Done(result) => Ok(result
                .map_err(crate::error::RequestError::into_error_data)?
                .into()),
            Outcome::InputRequired(required) => Ok(GetPromptResponse::InputRequired(required)),
            Outcome::TaskStart => Err(not_a_task()),
        }
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        self.state.remember_peer(&context.peer);
        let completion = CompletionRequest {
            argument: request.argument.name.clone(),
            value: request.argument.value.clone(),
            context: request
                .context
                .and_then(|c| c.arguments)
                .unwrap_or_default()
                .into_iter()
                .collect::<HashMap<_, _>>(),
        };
        let values = match &request.r#ref {
            Reference::Prompt(reference) => {
                let Some(prompt) = self.server.components().prompt(&reference.name, None) else {
                    return Err(ErrorData::invalid_params(
                        format!("Unknown prompt: '{}'", reference.name),
                        None,
                    ));
                };
                prompt.complete(completion).await
            }
            Reference::Resource(reference) => {
                let Some(template) = self.server.components().template(&reference.uri) else {
                    return Err(ErrorData::invalid_params(
                        format!("Unknown resource template: '{}'", reference.uri),
                        None,
                    ));
                };
                template.complete(completion).await
            }
            _ => Vec::new(),
        };
        Ok(CompleteResult::new(completion_info(values)))
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.state.remember_peer(&context.peer);
        self.state.subscribe(request.uri);
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.state.remember_peer(&context.peer);
        self.state.unsubscribe(&request.uri);
        Ok(())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(requested.clone())
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let id = self.server.add_listener(context.sink().clone());
        context.cancelled().await;
        self.server.remove_listener(id);
        Ok(())
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        if is_stateless(&context) && REMOVED_IN_2026.contains(&request.method.as_str()) {
            return Err(removed_method(&request.method));
        }
        Err(unknown_or_malformed(&request))
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        let task = self.server.tasks().get_task(&request.task_id)?;
        Ok(GetTaskResult::new(task))
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.server
            .tasks()
            .update_task(&request.task_id, request.input_responses)
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.server.tasks().cancel_task(&request.task_id)
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if is_stateless(&context) {
            // 2026-07-28 has no sessions: the level travels in each request's `_meta`.
            return Err(removed_method(crate::protocol::LOGGING_SET_LEVEL));
        }
        self.state.remember_peer(&context.peer);
        self.state.set_log_level(request.level.into());
        Ok(())
    }
}

/// At most 100 values, with the total and whether more exist.
fn completion_info(mut values: Vec<String>) -> CompletionInfo {
    let total = values.len();
    values.truncate(CompletionInfo::MAX_VALUES);
    let has_more = total > values.len();
    CompletionInfo::with_pagination(values, u32::try_from(total).ok(), has_more).unwrap_or_default()
}
