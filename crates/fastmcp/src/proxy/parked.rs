//! Upstream calls that wait for a 2026-07-28 client's answers. Such a client cannot be asked
//! anything during a request: when a legacy upstream asks (elicitation, sampling, roots), the
//! proxy answers the request with an `InputRequiredResult` carrying the questions and a sealed
//! handle to the upstream call, which it keeps waiting (with its connection); the client's
//! retry with the answers opens the handle and the call goes on where it was.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use rmcp::RoleServer;
use rmcp::model::{
    ClientRequest, ErrorData, InputRequests, InputRequiredResult, InputResponses,
    RequestMetaObject, ServerResult,
};
use rmcp::service::RequestContext;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::Proxy;
use super::forward::{Held, cancelled};
use super::upstream::{Question, Upstream};
use crate::error::Error;
use crate::server::{Context, Session};

/// How long a call waits for its client's answers before it is cancelled upstream.
const PARKED_FOR: Duration = Duration::from_secs(300);

/// How many calls may wait for answers at once; past it, a new question fails its request.
const MAX_PARKED: usize = 1_024;

/// A forwarded call, running or waiting for its client's answers between two requests.
pub(super) struct Parked {
    pub(super) call: BoxFuture<'static, Result<ServerResult, Error>>,
    /// The upstream's questions while the call runs.
    pub(super) questions: mpsc::Receiver<Question>,
    /// Where the answers to the questions sent down go, by their keys.
    pub(super) waiting: Vec<(String, oneshot::Sender<Result<Value, ErrorData>>)>,
    /// The request whose client hears the call's progress: the one serving it now.
    pub(super) progress_to: Arc<Mutex<Context>>,
    /// The connection the call runs on, held until it ends.
    pub(super) held: Held,
}

/// Calls waiting for answers, by handle.
pub(super) type ParkedCalls = Arc<Mutex<HashMap<String, Parked>>>;

/// What the sealed `requestState` of a parked call holds.
#[derive(Serialize, Deserialize)]
struct Handle {
    #[serde(rename = "proxyCall")]
    proxy_call: String,
}

/// Starts `request` on `upstream`, its progress going to whichever request `progress_to`
/// names when it arrives.
pub(super) fn start_call(
    upstream: &Upstream,
    request: ClientRequest,
    meta: Option<RequestMetaObject>,
    progress_to: Arc<Mutex<Context>>,
) -> BoxFuture<'static, Result<ServerResult, Error>> {
    let client = upstream.client.clone();
    Box::pin(async move {
        let progress = move |event: crate::client::ProgressEvent| {
            let ctx = progress_to
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            async move {
                let message = event.message.as_deref();
                ctx.report_progress(event.progress, event.total, message)
                    .await;
            }
        };
        client.forward(request, meta, progress).await
    })
}

impl Proxy {
    /// Runs a call until it answers, its request is cancelled (the call with it), or the
    /// upstream asks a question: then the call is parked and the question goes down.
    pub(super) async fn drive(
        &self,
        mut parked: Parked,
        session: &Session,
        context: &RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        tokio::select! {
            biased;
            () = context.ct.cancelled() => Err(cancelled()),
            Some(question) = parked.questions.recv() => {
                let mut asked = vec![question];
                while let Ok(question) = parked.questions.try_recv() {
                    asked.push(question);
                }
                self.park(parked, asked, session)
            }
            // A 2026-07-28 upstream's own input round passes through as it is.
            answer = &mut parked.call => answer.map_err(|error| self.failed(error)),
        }
    }

    /// Keeps `parked` waiting and answers its request with the questions and its handle.
    fn park(
        &self,
        mut parked: Parked,
        asked: Vec<Question>,
        session: &Session,
    ) -> Result<ServerResult, ErrorData> {
        let codec = session
            .server()
            .state_codec()
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
        let mut requests = InputRequests::new();
        for (index, (question, answer)) in asked.into_iter().enumerate() {
            let key = format!("upstream-{index}");
            requests.insert(key.clone(), question);
            parked.waiting.push((key, answer));
        }
        let id = random_id()?;
        let handle = Handle {
            proxy_call: id.clone(),
        };
        let sealed = codec.seal_json(&handle).map_err(|error| {
            ErrorData::internal_error(format!("cannot seal request state: {error}"), None)
        })?;
        {
            let mut calls = self.parked.lock().unwrap_or_else(PoisonError::into_inner);
            if calls.len() >= MAX_PARKED {
                return Err(ErrorData::internal_error(
                    "too many proxied calls are waiting for answers; try again later",
                    None,
                ));
            }
            calls.insert(id.clone(), parked);
        }
        // Forgotten (and so cancelled upstream) if the client never answers.
        let calls = Arc::clone(&self.parked);
        tokio::spawn(async move {
            tokio::time::sleep(PARKED_FOR).await;
            calls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
        });
        let required = InputRequiredResult::new(Some(requests), Some(sealed));
        Ok(ServerResult::InputRequiredResult(required))
    }

    /// The parked call a retried request resumes, if its `requestState` is one of ours (an
    /// upstream's own state passes through untouched).
    pub(super) fn unpark(
        &self,
        session: &Session,
        request: &ClientRequest,
    ) -> Result<Option<Parked>, ErrorData> {
        let Some(state) = round(request).1 else {
            return Ok(None);
        };
        let Ok(codec) = session.server().state_codec() else {
            return Ok(None);
        };
        let Ok(handle) = codec.open_json::<Handle>(state) else {
            return Ok(None);
        };
        let parked = self
            .parked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&handle.proxy_call);
        match parked {
            Some(parked) => Ok(Some(parked)),
            None => Err(ErrorData::invalid_params(
                "this input round was already answered or has expired; send the request \
                 again without requestState",
                None,
            )),
        }
    }

    /// Hands the client's answers to the parked call and drives it on in this request.
    pub(super) async fn resume(
        &self,
        mut parked: Parked,
        request: &ClientRequest,
        session: &Session,
        context: &RequestContext<RoleServer>,
        ctx: &Context,
    ) -> Result<ServerResult, ErrorData> {
        let responses = round(request).0.cloned().unwrap_or_default();
        for (key, answer) in parked.waiting.drain(..) {
            let value = responses
                .get(&key)
                .cloned()
                .ok_or_else(|| ErrorData::invalid_params(format!("no answer under '{key}'"), None));
            let _ = answer.send(value);
        }
        *parked
            .progress_to
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = ctx.clone();
        if let Some(upstream) = parked.held.upstream() {
            upstream.sink.set_context(ctx.clone());
        }
        self.drive(parked, session, context).await
    }
}

/// The answers and `requestState` a request carries.
fn round(request: &ClientRequest) -> (Option<&InputResponses>, Option<&str>) {
    match request {
        ClientRequest::CallToolRequest(call) => (
            call.params.input_responses.as_ref(),
            call.params.request_state.as_deref(),
        ),
        ClientRequest::ReadResourceRequest(read) => (
            read.params.input_responses.as_ref(),
            read.params.request_state.as_deref(),
        ),
        ClientRequest::GetPromptRequest(get) => (
            get.params.input_responses.as_ref(),
            get.params.request_state.as_deref(),
        ),
        _ => (None, None),
    }
}

fn random_id() -> Result<String, ErrorData> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|error| ErrorData::internal_error(format!("no randomness: {error}"), None))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}
