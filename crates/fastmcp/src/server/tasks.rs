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
    let watcher = server.clone();
    let task = server.tasks().spawn(server.task_options(), move |task| {
        ctx.input().attach_task(task.clone());
        let settling = watcher.watch_settlement(task.task_id());
        Box::pin(async move {
            // Dropped when the work ends (returns, is cancelled or panics).
            let _settling = settling;
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

/// Tasks on several replicas (feature `redis`): a task request for a task this replica does
/// not run is asked of the replica that does (`stores/tasks.rs`). Without the feature, or
/// before `share_tasks`, every `*_elsewhere` is `None`: the task is unknown.
impl FastMCP {
    /// Makes this server's tasks reachable through its other replicas, and theirs through it:
    /// `tasks/get`, `tasks/update` and `tasks/cancel` for a task another replica runs are
    /// asked of that replica through `redis`. (A server started with `FASTMCP_REDIS_URL` does
    /// this itself.)
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), fastmcp::Error> {
    /// let redis = fastmcp::stores::Redis::connect("redis://127.0.0.1:6379").await?;
    /// let server = fastmcp::FastMCP::new("demo");
    /// server.share_tasks(&redis).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "redis")]
    pub async fn share_tasks(&self, redis: &crate::stores::Redis) -> Result<(), crate::Error> {
        if self.shared.shared_tasks.get().is_some() {
            return Ok(());
        }
        let weak = super::WeakServer {
            config: Arc::clone(&self.config),
            shared: Arc::downgrade(&self.shared),
        };
        let shared = crate::stores::tasks::SharedTasks::start(redis.clone(), weak).await?;
        let _ = self.shared.shared_tasks.set(shared);
        Ok(())
    }

    /// Records, for the other replicas, that this one runs `task`.
    pub(crate) async fn claim_task(&self, task: &str) {
        #[cfg(feature = "redis")]
        if let Some(shared) = self.shared.shared_tasks.get()
            && let Err(error) = shared.claim(task).await
        {
            tracing::warn!(%error.message, task, "other replicas will not find this task");
        }
        #[cfg(not(feature = "redis"))]
        let _ = task;
    }

    /// With shared tasks: a sender whose drop (the task's work ended) makes this replica
    /// record the task's final state for the others.
    fn watch_settlement(&self, task: &str) -> Option<tokio::sync::oneshot::Sender<()>> {
        #[cfg(feature = "redis")]
        {
            self.shared.shared_tasks.get()?;
            let (ended, settled) = tokio::sync::oneshot::channel();
            let (server, task) = (self.clone(), task.to_owned());
            tokio::spawn(async move {
                let _ = settled.await;
                let Some(last) = server.settled_state(&task).await else {
                    return;
                };
                if let Some(shared) = server.shared.shared_tasks.get() {
                    let last = rmcp::model::GetTaskResult::new(last);
                    shared.settle(&task, &last, server.config.task_ttl).await;
                }
            });
            Some(ended)
        }
        #[cfg(not(feature = "redis"))]
        {
            let _ = task;
            None
        }
    }

    /// The state of `task` once the task manager records how it ended: it does so right after
    /// the work returns, in the work's own tokio task, so this waits a moment at most.
    #[cfg(feature = "redis")]
    async fn settled_state(&self, task: &str) -> Option<rmcp::model::DetailedTask> {
        for attempt in 0..200 {
            let state = self.tasks().get_task(task).ok()?;
            if state.status().is_terminal() {
                return Some(state);
            }
            if attempt < 20 {
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
        tracing::warn!(
            task,
            "the task's end was not recorded; other replicas will not see it"
        );
        None
    }

    /// `tasks/get` answered by the replica running `task`, if another one does.
    pub(crate) async fn get_task_elsewhere(
        &self,
        task: &str,
    ) -> Option<Result<rmcp::model::GetTaskResult, ErrorData>> {
        #[cfg(feature = "redis")]
        {
            use crate::stores::tasks::Ask;
            let answer = self.shared.shared_tasks.get()?.ask(task, Ask::Get).await?;
            Some(answer.and_then(|value| {
                serde_json::from_value(value)
                    .map_err(|error| ErrorData::internal_error(error.to_string(), None))
            }))
        }
        #[cfg(not(feature = "redis"))]
        {
            let _ = task;
            None
        }
    }

    /// `tasks/update` (with `inputs`) or, without, `tasks/cancel`, done by the replica running
    /// `task`, if another one does.
    pub(crate) async fn change_task_elsewhere(
        &self,
        task: &str,
        inputs: Option<rmcp::model::InputResponses>,
    ) -> Option<Result<(), ErrorData>> {
        #[cfg(feature = "redis")]
        {
            use crate::stores::tasks::Ask;
            let ask = match inputs {
                Some(inputs) => Ask::Update { inputs },
                None => Ask::Cancel,
            };
            let answer = self.shared.shared_tasks.get()?.ask(task, ask).await?;
            Some(answer.map(drop))
        }
        #[cfg(not(feature = "redis"))]
        {
            let _ = (task, inputs);
            None
        }
    }

    /// Answers another replica's question about `task`, as this server (or a server mounted
    /// in it) would answer the request itself.
    #[cfg(feature = "redis")]
    pub(crate) fn task_op_here(
        &self,
        task: &str,
        ask: crate::stores::tasks::Ask,
    ) -> Result<serde_json::Value, ErrorData> {
        use crate::stores::tasks::Ask;
        let runner = self.task_runner(task);
        let tasks = runner.as_ref().unwrap_or(self).tasks();
        match ask {
            Ask::Get => {
                let result = rmcp::model::GetTaskResult::new(tasks.get_task(task)?);
                serde_json::to_value(result)
                    .map_err(|error| ErrorData::internal_error(error.to_string(), None))
            }
            Ask::Update { inputs } => tasks
                .update_task(task, inputs)
                .map(|()| serde_json::Value::Null),
            Ask::Cancel => tasks.cancel_task(task).map(|()| serde_json::Value::Null),
        }
    }

    /// This server or the mounted one that runs `task`.
    #[cfg(feature = "redis")]
    fn task_runner(&self, task: &str) -> Option<FastMCP> {
        if self.tasks().get_task(task).is_ok() {
            return Some(self.clone());
        }
        self.mounts()
            .iter()
            .find_map(|mount| mount.child.task_runner(task))
    }
}
