//! Asking the client for something mid-request: elicitation, sampling, roots.
//!
//! On a legacy session (`initialize`, 2024-11-05 … 2025-11-25) these are server→client
//! requests sent while the tool runs. On the stateless 2026-07-28 protocol the server cannot
//! call the client, so the request ends with an `InputRequiredResult` naming what it needs
//! plus a `requestState` sealed with an HMAC; the client answers and sends the request again,
//! and the handler runs again from the start, this time finding the answers where it asks for
//! them. The answers of earlier rounds travel in the sealed state, bound to the request they
//! belong to, so a client cannot alter or transplant them.

#![allow(deprecated)] // rmcp marks sampling and roots deprecated (SEP-2577).

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use rmcp::model::{
    ClientCapabilities, ClientResult, ElicitationCapability, ErrorData, InputRequest,
    InputRequests, InputRequiredResult, InputResponses, RootsCapabilities, SamplingCapability,
    ServerRequest,
};
use rmcp::model::{RequestStateCodec, SealOptions};
use rmcp::task_manager::{TaskContext, TaskExit};
use rmcp::{Peer, RoleServer};
use serde_json::Value;
use tokio::sync::Notify;

use crate::error::Error;

/// The sealed payload carried in `requestState` between rounds.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct SealedState {
    responses: BTreeMap<String, Value>,
}

/// Per-request input state.
#[derive(Debug)]
pub(crate) struct InputState {
    stateless: bool,
    /// Set for a tool running as a task: questions go out through `tasks/get` and come back
    /// with `tasks/update`, while the tool waits.
    task: OnceLock<InTask>,
    /// The call may move into a task when the tool asks (`TaskStart::WhenAsked`).
    may_start_task: AtomicBool,
    /// The tool asked to continue as a task; wakes the dispatcher.
    start_task: Notify,
    /// The task exists; wakes the tool.
    task_started: Notify,
    /// The answers known so far: earlier rounds' (from the sealed state) plus this round's.
    responses: BTreeMap<String, Value>,
    next_key: AtomicUsize,
    /// What the handler is waiting for, in stateless mode.
    required: Mutex<InputRequests>,
    /// Set when the request must fail instead (a capability the client lacks).
    abort: Mutex<Option<ErrorData>>,
    needed: Notify,
}

impl InputState {
    pub(crate) fn legacy() -> Self {
        Self::stateless(BTreeMap::new(), false)
    }

    fn stateless(responses: BTreeMap<String, Value>, stateless: bool) -> Self {
        Self {
            stateless,
            task: OnceLock::new(),
            may_start_task: AtomicBool::new(false),
            start_task: Notify::new(),
            task_started: Notify::new(),
            responses,
            next_key: AtomicUsize::new(0),
            required: Mutex::new(InputRequests::new()),
            abort: Mutex::new(None),
            needed: Notify::new(),
        }
    }

    /// The state of a 2026-07-28 request: the sealed answers of earlier rounds (verified
    /// against `binding`) merged with this round's `input_responses`.
    pub(crate) fn for_stateless_request(
        codec: &RequestStateCodec,
        binding: &[u8],
        request_state: Option<&str>,
        input_responses: Option<InputResponses>,
    ) -> Result<Self, ErrorData> {
        let mut responses = match request_state {
            None => BTreeMap::new(),
            Some(sealed) => {
                codec
                    .open_json_with::<SealedState>(sealed, binding)
                    .map_err(|error| {
                        ErrorData::invalid_params(format!("Invalid requestState: {error}"), None)
                    })?
                    .responses
            }
        };
        for (key, answer) in input_responses.unwrap_or_default() {
            if !answer.is_object() {
                return Err(ErrorData::invalid_params(
                    format!(
                        "Invalid inputResponses: the answer for '{key}' must be an object, not {answer}"
                    ),
                    None,
                ));
            }
            responses.insert(key, answer);
        }
        Ok(Self::stateless(responses, true))
    }

    /// From now on, questions go through `task` and cancellation is the task's.
    pub(crate) fn attach_task(&self, task: TaskContext) {
        if self.task.set(InTask(task)).is_ok() {
            self.task_started.notify_waiters();
        }
    }

    /// The task this request runs as, if any.
    pub(crate) fn task(&self) -> Option<&TaskContext> {
        self.task.get().map(|InTask(task)| task)
    }

    /// Lets the tool move this call into a task (see [`Self::start_task`]).
    pub(crate) fn allow_task_start(&self) {
        self.may_start_task.store(true, Ordering::Release);
    }

    /// Resolves when the tool asks to continue as a task.
    pub(crate) async fn task_start_requested(&self) {
        self.start_task.notified().await;
    }

    /// Asks the dispatcher to answer the call with a task and waits until the tool runs in
    /// it. Does nothing when the call cannot become a task (or already is one).
    pub(crate) async fn start_task(&self) {
        if self.task.get().is_some() || !self.may_start_task.swap(false, Ordering::AcqRel) {
            return;
        }
        let started = self.task_started.notified();
        tokio::pin!(started);
        started.as_mut().enable();
        self.start_task.notify_one();
        if self.task.get().is_none() {
            started.await;
        }
    }

    /// Resolves when the handler is waiting for input the client has not given yet.
    pub(crate) async fn needed(&self) {
        self.needed.notified().await;
    }

    /// The result that asks the client for the missing input.
    pub(crate) fn input_required(
        &self,
        codec: &RequestStateCodec,
        binding: &[u8],
    ) -> Result<InputRequiredResult, ErrorData> {
        if let Some(error) = self
            .abort
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            return Err(error);
        }
        let requests =
            std::mem::take(&mut *self.required.lock().unwrap_or_else(PoisonError::into_inner));
        let state = SealedState {
            responses: self.responses.clone(),
        };
        let sealed = codec
            .seal_json_with(&state, &SealOptions::new().associated_data(binding))
            .map_err(|error| {
                ErrorData::internal_error(format!("cannot seal request state: {error}"), None)
            })?;
        Ok(InputRequiredResult::new(Some(requests), Some(sealed)))
    }

    /// Gets the client's answer to `request`, sent under `key` (or the next automatic key).
    /// `client` is what the client declared (`None`: unknown, so assumed capable). Asking for
    /// what it did not declare is an error for the tool on a legacy session; on 2026-07-28 the
    /// whole request fails with `MissingRequiredClientCapability` (-32021), as the
    /// specification requires.
    pub(crate) async fn ask(
        &self,
        peer: &Peer<RoleServer>,
        origin: &rmcp::model::RequestId,
        key: Option<String>,
        request: InputRequest,
        client: Option<&ClientCapabilities>,
    ) -> Result<Value, Error> {
        let capable = match (Needs::of(&request), client) {
            (Some(needs), Some(client)) if !needs.declared_by(client) => Err(needs),
            _ => Ok(()),
        };
        if let Some(InTask(task)) = self.task.get() {
            capable.map_err(|needs| {
                Error::Unsupported(format!("the client does not support {}", needs.name()))
            })?;
            let key = key.unwrap_or_else(|| self.next_key());
            return task
                .request_input(key, request)
                .await
                .map_err(|exit| match exit {
                    TaskExit::Cancelled => Error::closed("the task was cancelled"),
                    TaskExit::Error(error) => Error::Protocol(error),
                });
        }
        if let Err(needs) = capable {
            if !self.stateless {
                return Err(Error::Unsupported(format!(
                    "the client does not support {}",
                    needs.name()
                )));
            }
            *self.abort.lock().unwrap_or_else(PoisonError::into_inner) = Some(
                ErrorData::missing_required_client_capability(needs.as_required()),
            );
            self.needed.notify_one();
            return std::future::pending().await;
        }
        if !self.stateless {
            return ask_now(peer, Some(origin), request).await;
        }
        let key = key.unwrap_or_else(|| self.next_key());
        if let Some(answer) = self.responses.get(&key) {
            return Ok(answer.clone());
        }
        self.required
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, request);
        self.needed.notify_one();
        // The dispatcher answers the request with `InputRequiredResult` and drops this
        // handler; the next round runs it again with the answer.
        std::future::pending().await
    }
}

/// The client capability an input request needs.
#[derive(Debug, Clone, Copy)]
enum Needs {
    Elicitation,
    Sampling,
    Roots,
}

impl Needs {
    fn of(request: &InputRequest) -> Option<Needs> {
        match request {
            InputRequest::Elicitation(_) => Some(Needs::Elicitation),
            InputRequest::CreateMessage(_) => Some(Needs::Sampling),
            InputRequest::ListRoots(_) => Some(Needs::Roots),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Needs::Elicitation => "elicitation",
            Needs::Sampling => "sampling",
            Needs::Roots => "roots",
        }
    }

    fn declared_by(self, client: &ClientCapabilities) -> bool {
        match self {
            Needs::Elicitation => client.elicitation.is_some(),
            Needs::Sampling => client.sampling.is_some(),
            Needs::Roots => client.roots.is_some(),
        }
    }

    /// The capabilities to name in a `MissingRequiredClientCapability` error.
    fn as_required(self) -> ClientCapabilities {
        let mut required = ClientCapabilities::default();
        match self {
            Needs::Elicitation => required.elicitation = Some(ElicitationCapability::default()),
            Needs::Sampling => required.sampling = Some(SamplingCapability::default()),
            Needs::Roots => required.roots = Some(RootsCapabilities::default()),
        }
        required
    }
}

/// The task a tool runs as.
struct InTask(TaskContext);

impl std::fmt::Debug for InTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("InTask").field(&self.0.task_id()).finish()
    }
}

impl InputState {
    fn next_key(&self) -> String {
        format!("input-{}", self.next_key.fetch_add(1, Ordering::Relaxed))
    }
}

/// A server→client request on a legacy session, sent while serving request `origin` (if
/// any): an HTTP session sends it on that request's stream.
pub(crate) async fn ask_now(
    peer: &Peer<RoleServer>,
    origin: Option<&rmcp::model::RequestId>,
    request: InputRequest,
) -> Result<Value, Error> {
    let mut request = match request {
        InputRequest::Elicitation(request) => ServerRequest::ElicitRequest(request),
        InputRequest::CreateMessage(request) => ServerRequest::CreateMessageRequest(request),
        InputRequest::ListRoots(request) => ServerRequest::ListRootsRequest(request),
        other => {
            return Err(Error::Unsupported(format!(
                "unknown input request {other:?}"
            )));
        }
    };
    if let Some(origin) = origin {
        use rmcp::model::GetExtensions as _;
        request
            .extensions_mut()
            .insert(rmcp::service::OriginatingRequestId(origin.clone()));
    }
    let result = peer
        .send_request(request)
        .await
        .map_err(|error| match error {
            rmcp::ServiceError::McpError(error) => Error::Protocol(error),
            other => Error::closed_from(other.to_string(), other),
        })?;
    let value = match result {
        ClientResult::ElicitResult(result) => serde_json::to_value(result),
        ClientResult::CreateMessageResult(result) => serde_json::to_value(result),
        ClientResult::ListRootsResult(result) => serde_json::to_value(result),
        other => serde_json::to_value(other),
    };
    value.map_err(|error| Error::data_from(error.to_string(), error))
}

/// What a request's sealed state is bound to: its method and parameters.
pub(crate) fn binding(method: &str, name: &str, arguments: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(&(method, name, arguments)).unwrap_or_default()
}
