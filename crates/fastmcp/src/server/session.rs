//! [`Session`]: one connection's request dispatcher (rmcp's `ServerHandler`).
#![allow(deprecated)] // rmcp marks logging, sampling and resources/subscribe deprecated (SEP-2577).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams,
    CompleteRequestParams, CompleteResult, CompletionInfo, ContentBlock, CustomRequest,
    CustomResult, ErrorCode, ErrorData, GetPromptRequestParams, GetPromptResponse, GetTaskParams,
    GetTaskResult, InitializeRequestParams, InputRequiredResult, InputResponses, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Reference,
    RequestMetaObject, ServerCapabilities, ServerConfig, SetLevelRequestParams,
    SubscribeRequestParams, SubscriptionFilter, UnsubscribeRequestParams, UpdateTaskParams,
};
use rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use rmcp::{RoleServer, ServerHandler};
use serde_json::Value;

use super::FastMCP;
use super::context::{Context, SessionState, is_stateless};
use super::input::{InputState, binding};
use super::registry::paginate;
use super::tasks::{self, Dispatch};
use crate::completion::CompletionRequest;
use crate::tools::Tool;

/// One client connection to a [`FastMCP`] server: dispatches its requests to the server's
/// components and holds per-connection state (log level, subscriptions, stored values).
///
/// Implements rmcp's [`ServerHandler`], so it runs under any rmcp transport.
#[derive(Clone, Debug)]
pub struct Session {
    server: FastMCP,
    state: Arc<SessionState>,
}

/// JSON-RPC code for a request the client cancelled (used by several SDKs).
const REQUEST_CANCELLED: ErrorCode = ErrorCode(-32800);

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

    /// Runs a handler to its end, its cancellation, or its request for client input, then
    /// flushes its progress (nothing is sent after the result).
    async fn drive<T>(
        &self,
        ctx: &Context,
        request: &RequestContext<RoleServer>,
        binding: &[u8],
        work: impl Future<Output = T>,
    ) -> Result<Outcome<T>, ErrorData> {
        let _busy = self.server.busy();
        let outcome = tokio::select! {
            biased;
            () = request.ct.cancelled() => None,
            () = ctx.input().needed() => Some(None),
            value = work => Some(Some(value)),
        };
        ctx.finish().await;
        match outcome {
            None => Err(ErrorData::new(REQUEST_CANCELLED, "Request cancelled", None)),
            Some(None) => Ok(Outcome::InputRequired(
                ctx.input().input_required(self.state_codec()?, binding)?,
            )),
            Some(Some(value)) => Ok(Outcome::Done(value)),
        }
    }

    /// The server's list cache hint, for 2026-07-28 requests only (sessions have no caching).
    fn list_cache_hint(&self, request: &RequestContext<RoleServer>) -> Option<super::CacheHint> {
        self.server
            .list_cache_hint_setting()
            .filter(|_| is_stateless(request))
    }

    fn page<T>(
        &self,
        items: Vec<T>,
        params: Option<PaginatedRequestParams>,
    ) -> Result<(Vec<T>, Option<String>), ErrorData> {
        let cursor = params.and_then(|p| p.cursor);
        paginate(items, cursor.as_deref(), self.server.page_size_setting())
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
        let binding = self.binding(context, "tools/call", &request.name, &arguments);
        let input = self.input_state(
            context,
            &binding,
            request.request_state.as_deref(),
            request.input_responses,
        )?;
        Ok((arguments, binding, self.context(context, input)))
    }

    /// A call to a tool that may continue as a task when it asks (`ctx.start_task()`): run
    /// as a direct call (with input rounds) until then, then handed to the task manager.
    async fn call_tool_until_task(
        &self,
        tool: Tool,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let (arguments, binding, ctx) = self.tool_call(request, &context)?;
        ctx.input().allow_task_start();
        let mut work: tasks::Work = {
            let ctx = ctx.clone();
            Box::pin(async move { invoke(&tool, arguments, ctx).await })
        };
        let _busy = self.server.busy();
        let outcome = tokio::select! {
            biased;
            () = context.ct.cancelled() => None,
            () = ctx.input().needed() => Some(Until::InputNeeded),
            () = ctx.input().task_start_requested() => Some(Until::TaskStart),
            result = &mut work => Some(Until::Done(result)),
        };
        ctx.finish().await;
        match outcome {
            None => Err(ErrorData::new(REQUEST_CANCELLED, "Request cancelled", None)),
            Some(Until::InputNeeded) => Ok(CallToolResponse::InputRequired(
                ctx.input().input_required(self.state_codec()?, &binding)?,
            )),
            Some(Until::TaskStart) => {
                tasks::check_capacity(&self.server)?;
                Ok(CallToolResponse::Task(tasks::adopt(
                    &self.server,
                    &ctx,
                    work,
                )))
            }
            Some(Until::Done(result)) => Ok(result.unwrap_or_else(error_result).into()),
        }
    }
}

/// How a call that may become a task stopped running directly.
enum Until {
    InputNeeded,
    TaskStart,
    Done(Result<CallToolResult, String>),
}

/// How a handler ended.
enum Outcome<T> {
    Done(T),
    InputRequired(InputRequiredResult),
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
        let tools = {
            let components = self.server.components();
            components.tools.visible(&components.visibility)
        };
        let definitions = tools.iter().map(|tool| tool.definition().clone()).collect();
        let (page, next) = self.page(definitions, request)?;
        let mut result = ListToolsResult::with_all_items(page);
        result.next_cursor = next;
        if let Some(hint) = self.list_cache_hint(&context) {
            result = result
                .with_ttl_ms(hint.ttl_ms())
                .with_cache_scope(hint.scope());
        }
        Ok(result)
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
        match tasks::dispatch(&tool, &context)? {
            Dispatch::Direct => {}
            Dispatch::Task => {
                tasks::check_capacity(&self.server)?;
                self.state.remember_peer(&context.peer);
                let state = Arc::clone(&self.state);
                let task = tasks::start(&self.server, state, tool, request, &context);
                return Ok(CallToolResponse::Task(task));
            }
            Dispatch::TaskWhenAsked => {
                return self.call_tool_until_task(tool, request, context).await;
            }
        }
        let (arguments, binding, ctx) = self.tool_call(request, &context)?;
        match self
            .drive(
                &ctx,
                &context,
                &binding,
                run_tool(&tool, arguments, ctx.clone()),
            )
            .await?
        {
            Outcome::Done(result) => Ok(result.into()),
            Outcome::InputRequired(required) => Ok(CallToolResponse::InputRequired(required)),
        }
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.state.remember_peer(&context.peer);
        let resources = {
            let components = self.server.components();
            components.resources.visible(&components.visibility)
        };
        let definitions = resources.iter().map(|r| r.definition().clone()).collect();
        let (page, next) = self.page(definitions, request)?;
        let mut result = ListResourcesResult::with_all_items(page);
        result.next_cursor = next;
        if let Some(hint) = self.list_cache_hint(&context) {
            result = result
                .with_ttl_ms(hint.ttl_ms())
                .with_cache_scope(hint.scope());
        }
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.state.remember_peer(&context.peer);
        let templates = {
            let components = self.server.components();
            components.templates.visible(&components.visibility)
        };
        let definitions = templates.iter().map(|t| t.definition().clone()).collect();
        let (page, next) = self.page(definitions, request)?;
        let mut result = ListResourceTemplatesResult::with_all_items(page);
        result.next_cursor = next;
        if let Some(hint) = self.list_cache_hint(&context) {
            result = result
                .with_ttl_ms(hint.ttl_ms())
                .with_cache_scope(hint.scope());
        }
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let binding = self.binding(&context, "resources/read", &request.uri, &Value::Null);
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
        match self.drive(&ctx, &context, &binding, read).await? {
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
        }
    }

    async fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        self.state.remember_peer(&context.peer);
        let prompts = {
            let components = self.server.components();
            components.prompts.visible(&components.visibility)
        };
        let definitions = prompts.iter().map(|p| p.definition().clone()).collect();
        let (page, next) = self.page(definitions, request)?;
        let mut result = ListPromptsResult::with_all_items(page);
        result.next_cursor = next;
        if let Some(hint) = self.list_cache_hint(&context) {
            result = result
                .with_ttl_ms(hint.ttl_ms())
                .with_cache_scope(hint.scope());
        }
        Ok(result)
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
        let binding = self.binding(&context, "prompts/get", &request.name, &request.arguments);
        let input = self.input_state(
            &context,
            &binding,
            request.request_state.as_deref(),
            request.input_responses,
        )?;
        let ctx = self.context(&context, input);
        let render = prompt.render(request.arguments, ctx.clone());
        match self.drive(&ctx, &context, &binding, render).await? {
            Outcome::Done(result) => Ok(result
                .map_err(crate::error::RequestError::into_error_data)?
                .into()),
            Outcome::InputRequired(required) => Ok(GetPromptResponse::InputRequired(required)),
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
            return Err(removed_method("logging/setLevel"));
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

/// Runs the tool with its timeout; errors, timeouts and panics become `isError` results.
async fn run_tool(tool: &Tool, arguments: rmcp::model::JsonObject, ctx: Context) -> CallToolResult {
    invoke(tool, arguments, ctx)
        .await
        .unwrap_or_else(error_result)
}

/// Runs the tool with its timeout; errors and timeouts become `isError` results, a panic
/// `Err` with a message saying so.
pub(super) async fn invoke(
    tool: &Tool,
    arguments: rmcp::model::JsonObject,
    ctx: Context,
) -> Result<CallToolResult, String> {
    let call = AssertUnwindSafe(tool.handler().call(arguments, ctx)).catch_unwind();
    let outcome = match tool.timeout() {
        Some(limit) => match tokio::time::timeout(limit, call).await {
            Ok(outcome) => outcome,
            Err(_) => {
                return Ok(error_result(format!(
                    "Tool '{}' timed out after {limit:?}",
                    tool.name()
                )));
            }
        },
        None => call.await,
    };
    match outcome {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(error)) => Ok(error_result(error.message().to_owned())),
        Err(panic) => {
            let reason = panic_message(panic.as_ref());
            tracing::error!(tool = tool.name(), %reason, "tool panicked");
            Err(format!(
                "Tool '{}' failed unexpectedly: {reason}",
                tool.name()
            ))
        }
    }
}

pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Methods the stateless 2026-07-28 protocol removed.
const REMOVED_IN_2026: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

fn removed_method(method: &str) -> ErrorData {
    ErrorData::new(
        ErrorCode::METHOD_NOT_FOUND,
        format!("Method not found: {method} (not part of protocol 2026-07-28)"),
        None,
    )
}

/// The error for a request rmcp could not parse as a known method: either the method is
/// unknown (`-32601`), or it is known and its params are malformed (`-32602`, saying why).
fn unknown_or_malformed(request: &CustomRequest) -> ErrorData {
    let detail = match request.method.as_str() {
        "tools/call" => params_error::<CallToolRequestParams>(request),
        "initialize" => params_error::<InitializeRequestParams>(request),
        "logging/setLevel" => params_error::<SetLevelRequestParams>(request),
        "resources/read" => params_error::<ReadResourceRequestParams>(request),
        "resources/subscribe" | "resources/unsubscribe" => {
            params_error::<SubscribeRequestParams>(request)
        }
        "prompts/get" => params_error::<GetPromptRequestParams>(request),
        "completion/complete" => params_error::<CompleteRequestParams>(request),
        "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list" => {
            params_error::<PaginatedRequestParams>(request)
        }
        "ping" | "server/discover" => "unexpected params".to_owned(),
        method => {
            return ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("Method not found: {method}"),
                None,
            );
        }
    };
    ErrorData::invalid_params(
        format!("Invalid params for '{}': {detail}", request.method),
        None,
    )
}

fn params_error<T: serde::de::DeserializeOwned>(request: &CustomRequest) -> String {
    match &request.params {
        None => "params are required".to_owned(),
        Some(params) => match serde_json::from_value::<T>(params.clone()) {
            Err(error) => error.to_string(),
            Ok(_) => "params do not match the method's schema".to_owned(),
        },
    }
}

fn error_result(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}
