//! Tools that run as tasks: the `io.modelcontextprotocol/tasks` extension (SEP-2663).
//!
//! A call to a tool with [`TaskSupport::Optional`] or [`TaskSupport::Required`], from a client
//! that declares the extension, answers at once with a `CreateTaskResult`; the tool runs in
//! the background under rmcp's [`TaskManager`], which answers `tasks/get` (status, pending
//! questions, the inlined result or error), takes answers with `tasks/update` and records
//! `tasks/cancel`. Inside the task, `ctx.elicit`/`sample`/`list_roots` become the task's
//! `inputRequests`, and the tool waits for the answers instead of being run again. A tool
//! error completes the task with `isError`; a panic fails it with an internal error; a
//! cancellation stops the tool and settles the task as `cancelled`.

use std::pin::Pin;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, CreateTaskResult, ErrorData,
    JsonObject,
};
use rmcp::service::RequestContext;
use rmcp::task_manager::{TaskExit, TaskManager};
use tokio_util::sync::CancellationToken;

use super::FastMCP;
use super::context::{Context, SessionState};
use super::input::InputState;
use super::run::invoke;
use crate::tools::{TaskStart, TaskSupport, Tool};

/// The task a `tasks/get`, `tasks/update` or `tasks/cancel` request is about.
pub(crate) fn task_id(request: &rmcp::model::ClientRequest) -> Option<&str> {
    match request {
        rmcp::model::ClientRequest::GetTaskRequest(get) => Some(&get.params.task_id),
        rmcp::model::ClientRequest::UpdateTaskRequest(update) => Some(&update.params.task_id),
        rmcp::model::ClientRequest::CancelTaskRequest(cancel) => Some(&cancel.params.task_id),
        _ => None,
    }
}

impl FastMCP {
    pub(crate) fn tasks(&self) -> &TaskManager {
        &self.shared.tasks
    }

    /// Whether any tool may run as a task, so the extension is worth advertising.
    pub(crate) fn offers_tasks(&self) -> bool {
        let components = self.components();
        components
            .tools
            .visible(&components.visibility)
            .iter()
            .any(|tool| tool.task_support() != TaskSupport::Forbidden)
            || self.mounts().iter().any(|mount| mount.child.offers_tasks())
            // A proxy passes tasks through; an upstream without them answers tasks/* itself.
            || self.is_proxy()
    }

    /// Whether this server, or a server mounted in it, runs the task `task_id`.
    pub(crate) fn runs_task(&self, task_id: &str) -> bool {
        self.tasks().get_task(task_id).is_ok()
            || self
                .mounts()
                .iter()
                .any(|mount| mount.child.runs_task(task_id))
    }
}

/// `capabilities` with the tasks extension declared.
pub(super) fn advertise(
    capabilities: rmcp::model::ServerCapabilities,
) -> rmcp::model::ServerCapabilities {
    let mut capabilities = capabilities;
    capabilities
        .extensions
        .get_or_insert_with(Default::default)
        .insert(
            rmcp::model::TASKS_EXTENSION_ID.to_owned(),
            JsonObject::new(),
        );
    capabilities
}

/// How a call to `tool` is served.
pub(super) enum Dispatch {
    Direct,
    /// A task from the start.
    Task,
    /// Direct until the tool calls `ctx.start_task()`.
    TaskWhenAsked,
}

/// Decides between a direct answer and a task; a tool that requires a task, called by a
/// client without the extension, is an error (`MissingRequiredClientCapability`).
pub(super) fn dispatch(
    tool: &Tool,
    request: &RequestContext<RoleServer>,
) -> Result<Dispatch, ErrorData> {
    if tool.task_support() == TaskSupport::Forbidden {
        return Ok(Dispatch::Direct);
    }
    let declared = request
        .client_capabilities()
        .is_some_and(|capabilities| capabilities.supports_tasks());
    match (tool.task_support(), declared) {
        (TaskSupport::Forbidden, _) | (TaskSupport::Optional, false) => Ok(Dispatch::Direct),
        (TaskSupport::Required, false) => Err(ErrorData::missing_required_client_capability(
            ClientCapabilities::builder().enable_tasks().build(),
        )),
        (_, true) if tool.task_start() == TaskStart::WhenAsked => Ok(Dispatch::TaskWhenAsked),
        (_, true) => Ok(Dispatch::Task),
    }
}

/// Refuses a new task while `max` are running.
pub(super) fn check_capacity(server: &FastMCP) -> Result<(), ErrorData> {
    let max = server.max_running_tasks_setting();
    if server.tasks().running_task_count() >= max {
        tracing::warn!(max, "refusing a new task: too many running");
        return Err(ErrorData::internal_error(
            format!("too many running tasks ({max}); try again later"),
            None,
        ));
    }
    Ok(())
}

/// Starts `tool` as a task and returns what the client gets at once.
pub(super) fn start(
    server: &FastMCP,
    session: Arc<SessionState>,
    tool: Tool,
    call: CallToolRequestParams,
    request: &RequestContext<RoleServer>,
) -> CreateTaskResult {
    // The task outlives the request: its own cancellation, and no progress token (nothing
    // may follow the request's response on its stream).
    let mut request = request.clone();
    request.ct = CancellationToken::new();
    request.meta.0.0.remove("progressToken");
    let arguments: JsonObject = call.arguments.unwrap_or_default();
    let ctx = Context::new(&request, session, server.clone(), InputState::legacy());
    let work = {
        let ctx = ctx.clone();
        Box::pin(async move { invoke(&tool, arguments, ctx).await })
    };
    adopt(server, &ctx, work)
}

/// A tool call in progress, as the task manager runs it: a panic is `Err`.
pub(super) type Work = Pin<Box<dyn Future<Output = Result<CallToolResult, String>> + Send>>;

/// Runs `work` (the call `ctx` belongs to) as a new task and returns what the client gets.
pub(super) fn adopt(server: &FastMCP, ctx: &Context, work: Work) -> CreateTaskResult {
    let ctx = ctx.clone();
    let task = server.tasks().spawn(server.task_options(), move |task| {
        ctx.input().attach_task(task.clone());
        Box::pin(async move {
            tokio::select! {
                biased;
                () = task.cancelled() => Err(TaskExit::Cancelled),
                outcome = work => outcome
                    .map_err(|reason| TaskExit::Error(ErrorData::internal_error(reason, None))),
            }
        })
    });
    CreateTaskResult::new(task)
}
