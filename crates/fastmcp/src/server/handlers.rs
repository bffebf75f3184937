//! What each MCP request does, one method per request kind, reached only through
//! [`Session::dispatch`](super::Session::dispatch).
#![allow(deprecated)] // rmcp marks logging, sampling and resources/subscribe deprecated (SEP-2577).

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, CompleteRequestParams,
    CompleteResult, CustomRequest, CustomResult, ErrorData, GetPromptRequestParams,
    GetPromptResponse, GetTaskParams, GetTaskResult, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Reference, SetLevelRequestParams,
    SubscribeRequestParams, UnsubscribeRequestParams, UpdateTaskParams,
};
use rmcp::service::RequestContext;
use serde_json::Value;

use super::context::is_stateless;
use super::refusals::{REMOVED_IN_2026, removed_method, unknown_or_malformed};
use super::run::{error_result, invoke};
use super::session::{Outcome, Session, completion_info, not_a_task, requested_version, unknown};
use super::tasks::{self, Dispatch};
use crate::completion::CompletionRequest;
use crate::utilities::component::Component as _;

impl Session {
    pub(super) async fn serve_call_tool(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let version = requested_version(&context.meta);
        let found = self.find_tool(&request.name, version.as_deref());
        let tool = found.ok_or_else(|| unknown("tool", &request.name))?;
        let granted = super::scopes::granted(&context.extensions);
        super::scopes::check("tool", &request.name, tool.component_meta(), granted)?;
        let when_asked = match tasks::dispatch(&tool, context)? {
            Dispatch::Direct => false,
            Dispatch::TaskWhenAsked => true,
            Dispatch::Task => {
                tasks::check_capacity(&self.server)?;
                self.state.remember_peer(&context.peer);
                let state = Arc::clone(&self.state);
                let task = tasks::start(&self.server, state, tool, request, context);
                self.server.claim_task(&task.task.task_id).await;
                return Ok(CallToolResponse::Task(task));
            }
        };
        let (arguments, binding, ctx) = self.tool_call(request, context)?;
        if when_asked {
            // Runs as a direct call (with input rounds) until it calls `ctx.start_task()`.
            ctx.input().allow_task_start();
        }
        let mut work: tasks::Work = {
            let ctx = ctx.clone();
            Box::pin(async move { invoke(&tool, arguments, ctx).await })
        };
        match self.drive(&ctx, context, &binding, &mut work).await? {
            Outcome::Done(result) => Ok(result.unwrap_or_else(error_result).into()),
            Outcome::InputRequired(required) => Ok(CallToolResponse::InputRequired(required)),
            Outcome::TaskStart => {
                tasks::check_capacity(&self.server)?;
                let task = tasks::adopt(&self.server, &ctx, work);
                self.server.claim_task(&task.task.task_id).await;
                Ok(CallToolResponse::Task(task))
            }
        }
    }

    pub(super) async fn serve_read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let rounds = (request.request_state.as_deref(), request.input_responses);
        let (binding, ctx) = self.prepare(
            context,
            crate::protocol::RESOURCES_READ,
            &request.uri,
            &Value::Null,
            rounds,
        )?;
        let read = self
            .server
            .read_resource_with_hint(&request.uri, ctx.clone());
        let mut read = std::pin::pin!(read);
        match self.drive(&ctx, context, &binding, &mut read).await? {
            Outcome::Done(read) => {
                let (contents, hint) = read.map_err(crate::error::RequestError::into_error_data)?;
                let mut result = ReadResourceResult::new(contents);
                if let Some(hint) = hint.filter(|_| is_stateless(context)) {
                    result.ttl_ms = Some(hint.ttl_ms());
                    result.cache_scope = Some(hint.scope());
                }
                Ok(result.into())
            }
            Outcome::InputRequired(required) => Ok(ReadResourceResponse::InputRequired(required)),
            Outcome::TaskStart => Err(not_a_task()),
        }
    }

    pub(super) async fn serve_get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let version = requested_version(&context.meta);
        let found = self.find_prompt(&request.name, version.as_deref());
        let prompt = found.ok_or_else(|| unknown("prompt", &request.name))?;
        let granted = super::scopes::granted(&context.extensions);
        super::scopes::check("prompt", &request.name, prompt.component_meta(), granted)?;
        let rounds = (request.request_state.as_deref(), request.input_responses);
        let (binding, ctx) = self.prepare(
            context,
            crate::protocol::PROMPTS_GET,
            &request.name,
            &request.arguments,
            rounds,
        )?;
        let mut render = std::pin::pin!(prompt.render(request.arguments, ctx.clone()));
        match self.drive(&ctx, context, &binding, &mut render).await? {
            Outcome::Done(result) => Ok(result
                .map_err(crate::error::RequestError::into_error_data)?
                .into()),
            Outcome::InputRequired(required) => Ok(GetPromptResponse::InputRequired(required)),
            Outcome::TaskStart => Err(not_a_task()),
        }
    }

    pub(super) async fn serve_complete(
        &self,
        request: CompleteRequestParams,
        context: &RequestContext<RoleServer>,
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
                let found = self.find_prompt(&reference.name, None);
                let prompt = found.ok_or_else(|| unknown("prompt", &reference.name))?;
                prompt.complete(completion).await
            }
            Reference::Resource(reference) => {
                let found = self.find_template(&reference.uri);
                let template = found.ok_or_else(|| unknown("resource template", &reference.uri))?;
                template.complete(completion).await
            }
            _ => Vec::new(),
        };
        Ok(CompleteResult::new(completion_info(values)))
    }

    pub(super) async fn serve_subscribe(
        &self,
        request: SubscribeRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.state.remember_peer(&context.peer);
        self.state.subscribe(request.uri);
        Ok(())
    }

    pub(super) async fn serve_unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.state.remember_peer(&context.peer);
        self.state.unsubscribe(&request.uri);
        Ok(())
    }

    pub(super) async fn serve_custom(
        &self,
        request: CustomRequest,
        context: &RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        if is_stateless(context) && REMOVED_IN_2026.contains(&request.method.as_str()) {
            return Err(removed_method(&request.method));
        }
        Err(unknown_or_malformed(&request))
    }

    pub(super) async fn serve_get_task(
        &self,
        request: GetTaskParams,
        _context: &RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        match self.server.tasks().get_task(&request.task_id) {
            Ok(task) => Ok(GetTaskResult::new(task)),
            Err(unknown) => {
                (self.server.get_task_elsewhere(&request.task_id).await).unwrap_or(Err(unknown))
            }
        }
    }

    pub(super) async fn serve_update_task(
        &self,
        request: UpdateTaskParams,
        _context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if self.server.tasks().get_task(&request.task_id).is_err()
            && let Some(done) = (self.server)
                .change_task_elsewhere(&request.task_id, Some(request.input_responses.clone()))
                .await
        {
            return done;
        }
        self.server
            .tasks()
            .update_task(&request.task_id, request.input_responses)
    }

    pub(super) async fn serve_cancel_task(
        &self,
        request: CancelTaskParams,
        _context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if self.server.tasks().get_task(&request.task_id).is_err()
            && let Some(done) = (self.server)
                .change_task_elsewhere(&request.task_id, None)
                .await
        {
            return done;
        }
        self.server.tasks().cancel_task(&request.task_id)
    }

    pub(super) async fn serve_set_level(
        &self,
        request: SetLevelRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if is_stateless(context) {
            // 2026-07-28 has no sessions: the level travels in each request's `_meta`.
            return Err(removed_method(crate::protocol::LOGGING_SET_LEVEL));
        }
        self.state.remember_peer(&context.peer);
        self.state.set_log_level(request.level.into());
        Ok(())
    }
}
