//! Following a tool call the server runs as a task (the `io.modelcontextprotocol/tasks`
//! extension, SEP-2663): poll `tasks/get`, answer its questions with the client's handlers
//! through `tasks/update`, and return its result as if the call had answered directly.

use std::collections::HashSet;
use std::time::Duration;

use rmcp::model::{
    CancelTaskParams, CancelTaskRequest, ClientCapabilities, ClientRequest, CreateTaskResult,
    ErrorCode, ErrorData, GetTaskParams, GetTaskRequest, JsonObject, RequestMetaObject,
    ServerResult, TASKS_EXTENSION_ID, TaskPayload, UpdateTaskParams, UpdateTaskRequest,
};
use serde_json::Value;

use super::Client;
use crate::error::Error;

/// Bounds on the server's suggested poll interval.
const POLL_MIN: Duration = Duration::from_millis(10);
const POLL_MAX: Duration = Duration::from_secs(30);
const POLL_DEFAULT: Duration = Duration::from_secs(1);

/// `capabilities` with the tasks extension declared.
pub(crate) fn with_tasks(mut capabilities: ClientCapabilities) -> ClientCapabilities {
    capabilities
        .extensions
        .get_or_insert_with(Default::default)
        .insert(TASKS_EXTENSION_ID.to_owned(), JsonObject::new());
    capabilities
}

/// Whether `error` says the call needs the tasks extension (`-32021` naming it).
pub(super) fn requires_tasks(error: &Error) -> bool {
    let Error::Protocol(error) = error else {
        return false;
    };
    error.code == ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        && error
            .data
            .as_ref()
            .and_then(|data| data.pointer("/requiredCapabilities/extensions"))
            .and_then(Value::as_object)
            .is_some_and(|extensions| extensions.contains_key(TASKS_EXTENSION_ID))
}

/// `meta` declaring the tasks extension for one request (SEP-2575's per-request opt-in).
pub(super) fn opt_in(client: &Client, meta: Option<RequestMetaObject>) -> RequestMetaObject {
    let mut meta = meta.unwrap_or_default();
    meta.set_client_capabilities(with_tasks(client.inner.session.capabilities()));
    meta
}

/// Follows task `created` to its end: its result, its error, or its cancellation.
pub(super) async fn follow(
    client: &Client,
    created: CreateTaskResult,
    meta: Option<RequestMetaObject>,
) -> Result<ServerResult, Error> {
    let id = created.task.task_id;
    let interval = created
        .task
        .poll_interval_ms
        .map_or(POLL_DEFAULT, Duration::from_millis)
        .clamp(POLL_MIN, POLL_MAX);
    let mut guard = CancelOnDrop {
        client: client.clone(),
        id: id.clone(),
        meta: meta.clone(),
        armed: true,
    };
    let mut answered = HashSet::new();
    loop {
        let request = GetTaskRequest::new(GetTaskParams::new(id.clone()));
        let ServerResult::GetTaskResult(state) = client
            .request_with_meta(ClientRequest::GetTaskRequest(request), meta.clone())
            .await?
        else {
            return Err(Error::data(format!(
                "unexpected answer to tasks/get for {id}"
            )));
        };
        let payload = state.task.payload;
        let questions = match payload {
            TaskPayload::InputRequired { input_requests } => input_requests,
            TaskPayload::Working => {
                tokio::time::sleep(interval).await;
                continue;
            }
            ended => {
                guard.armed = false;
                return outcome(&id, ended);
            }
        };
        let new = questions
            .into_iter()
            .filter(|(key, _)| answered.insert(key.clone()));
        let responses = client
            .inner
            .session
            .fulfil_all(new)
            .await
            .map_err(Error::Protocol)?;
        if responses.is_empty() {
            tokio::time::sleep(interval).await;
            continue;
        }
        let update = UpdateTaskRequest::new(UpdateTaskParams::new(id.clone(), responses));
        client
            .request_with_meta(ClientRequest::UpdateTaskRequest(update), meta.clone())
            .await?;
    }
}

/// What a task that has ended gives the caller.
fn outcome(id: &str, payload: TaskPayload) -> Result<ServerResult, Error> {
    match payload {
        TaskPayload::Completed { result } => serde_json::from_value(Value::Object(result))
            .map(ServerResult::CallToolResult)
            .map_err(|error| Error::data_from(format!("task {id} completed with {error}"), error)),
        TaskPayload::Failed { error } => {
            let error = serde_json::from_value::<ErrorData>(Value::Object(error))
                .unwrap_or_else(|error| ErrorData::internal_error(error.to_string(), None));
            Err(Error::Protocol(error))
        }
        _ => Err(Error::Protocol(ErrorData::new(
            ErrorCode(-32800),
            format!("task {id} was cancelled"),
            None,
        ))),
    }
}

/// Cancels the task if the call following it is dropped before it ends.
struct CancelOnDrop {
    client: Client,
    id: String,
    meta: Option<RequestMetaObject>,
    armed: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let client = self.client.clone();
        let request = CancelTaskRequest::new(CancelTaskParams::new(self.id.clone()));
        let meta = self.meta.take();
        runtime.spawn(async move {
            let cancel = ClientRequest::CancelTaskRequest(request);
            if let Err(error) = client.request_with_meta(cancel, meta).await {
                tracing::debug!(%error, "could not cancel an abandoned task");
            }
        });
    }
}
