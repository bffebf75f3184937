//! The inspector's JSON API and its event stream.

// Sampling is deprecated (SEP-2577), but servers still ask for it: the page answers.
#![allow(deprecated)]

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fastmcp::client::{CallEvent, ElicitationMode, ElicitationRequest, ElicitationResponse};
use fastmcp::types::{CreateMessageRequestParams, CreateMessageResult};
use futures::{Stream, StreamExt as _};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{Answer, Dev, Shared};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/server", get(server))
        .route("/api/lists", get(lists))
        .route("/api/events", get(events))
        .route("/api/call", post(call))
        .route("/api/cancel", post(cancel))
        .route("/api/answer", post(answer))
        .route("/api/read", post(read))
        .route("/api/prompt", post(prompt))
        .route("/api/complete", post(complete))
        .route("/api/restart", post(restart))
}

/// An API failure: 502 with the reason (the server, or the connection to it, failed).
fn failed(reason: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_GATEWAY,
        Json(json!({"error": reason.to_string()})),
    )
        .into_response()
}

fn to_value(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

async fn server(State(dev): State<Shared>) -> Response {
    let client = match dev.client().await {
        Ok(client) => client,
        Err(error) => return failed(error),
    };
    Json(json!({
        "target": dev.target,
        "serverInfo": client.server_info(),
        "protocolVersion": client.protocol_version().map(|v| v.to_string()),
        "stateless": client.is_stateless(),
        "capabilities": client.server_capabilities(),
        "instructions": client.instructions(),
    }))
    .into_response()
}

async fn lists(State(dev): State<Shared>) -> Response {
    let client = match dev.client().await {
        Ok(client) => client,
        Err(error) => return failed(error),
    };
    let capabilities = client.server_capabilities().unwrap_or_default();
    let tools = client.list_tools().await.map(|l| to_value(&l));
    let (resources, templates) = match capabilities.resources.is_some() {
        true => (
            client.list_resources().await.map(|l| to_value(&l)),
            client.list_resource_templates().await.map(|l| to_value(&l)),
        ),
        false => (Ok(json!([])), Ok(json!([]))),
    };
    let prompts = match capabilities.prompts.is_some() {
        true => client.list_prompts().await.map(|l| to_value(&l)),
        false => Ok(json!([])),
    };
    match (tools, resources, templates, prompts) {
        (Ok(tools), Ok(resources), Ok(templates), Ok(prompts)) => Json(json!({
            "tools": tools, "resources": resources, "resourceTemplates": templates,
            "prompts": prompts,
        }))
        .into_response(),
        (Err(error), ..) | (_, Err(error), ..) | (_, _, Err(error), _) | (.., Err(error)) => {
            failed(error)
        }
    }
}

/// The page's event stream.
async fn events(State(dev): State<Shared>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = dev.events.subscribe();
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(event) => return Some((Ok(Event::default().data(event)), receiver)),
                // A page too slow to keep up loses events, not the stream.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

#[derive(Deserialize)]
struct CallRequest {
    name: String,
    #[serde(default)]
    arguments: Value,
}

/// Starts a call; its progress and result arrive as events with the id returned here.
async fn call(State(dev): State<Shared>, Json(request): Json<CallRequest>) -> Response {
    let client = match dev.client().await {
        Ok(client) => client,
        Err(error) => return failed(error),
    };
    let id = dev.next();
    let arguments = match request.arguments {
        Value::Null => json!({}),
        other => other,
    };
    let task_dev = Arc::clone(&dev);
    let name = request.name.clone();
    let task = tokio::spawn(async move {
        let dev = task_dev;
        let started = Instant::now();
        let mut events = std::pin::pin!(
            client
                .call_tool(name.clone(), arguments)
                .raise_on_error(false)
                .stream()
        );
        let mut outcome =
            json!({"type": "result", "id": id, "error": "the call ended without a result"});
        while let Some(event) = events.next().await {
            match event {
                CallEvent::Progress(progress) => dev.send(json!({"type": "progress", "id": id,
                    "progress": progress.progress, "total": progress.total,
                    "message": progress.message})),
                CallEvent::Result(result) => {
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    outcome = match result {
                        Ok(result) => json!({"type": "result", "id": id, "ms": ms,
                            "result": to_value(result.raw())}),
                        Err(error) => json!({"type": "result", "id": id, "ms": ms,
                            "error": error.to_string()}),
                    };
                    break;
                }
            }
        }
        dev.send(outcome);
        if let Ok(mut calls) = dev.calls.lock() {
            calls.remove(&id);
        }
    });
    if let Ok(mut calls) = dev.calls.lock() {
        calls.insert(id, task.abort_handle());
    }
    Json(json!({"id": id})).into_response()
}

#[derive(Deserialize)]
struct IdRequest {
    id: u64,
}

/// Cancels a call: dropping its request cancels it on the server.
async fn cancel(State(dev): State<Shared>, Json(request): Json<IdRequest>) -> Response {
    let handle = dev
        .calls
        .lock()
        .ok()
        .and_then(|mut calls| calls.remove(&request.id));
    match handle {
        Some(handle) => {
            handle.abort();
            dev.send(json!({"type": "cancelled", "id": request.id}));
            StatusCode::NO_CONTENT.into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such call in progress").into_response(),
    }
}

/// Asks the page (every open page) and waits for the first answer.
pub(super) async fn ask_elicitation(dev: &Dev, request: ElicitationRequest) -> ElicitationResponse {
    let (sender, receiver) = oneshot::channel();
    let id = dev.next();
    if let Ok(mut questions) = dev.questions.lock() {
        questions.insert(id, Answer::Elicitation(sender));
    }
    let (schema, url) = match &request.mode {
        ElicitationMode::Form { schema } => (schema.clone(), None),
        ElicitationMode::Url { url, .. } => (Value::Null, Some(url.clone())),
        _ => (Value::Null, None),
    };
    dev.send(
        json!({"type": "elicitation", "id": id, "message": request.message,
        "schema": schema, "url": url}),
    );
    receiver.await.unwrap_or(ElicitationResponse::Cancel)
}

pub(super) async fn ask_sampling(
    dev: &Dev,
    params: CreateMessageRequestParams,
) -> Result<CreateMessageResult, String> {
    let (sender, receiver) = oneshot::channel();
    let id = dev.next();
    if let Ok(mut questions) = dev.questions.lock() {
        questions.insert(id, Answer::Sampling(sender));
    }
    dev.send(json!({"type": "sampling", "id": id, "params": to_value(&params)}));
    receiver
        .await
        .unwrap_or_else(|_| Err("the inspector closed".to_owned()))
}

#[derive(Deserialize)]
struct AnswerRequest {
    id: u64,
    /// `accept`, `decline` or `cancel`.
    action: String,
    #[serde(default)]
    content: Value,
    /// A sampling reply's text.
    #[serde(default)]
    text: String,
}

async fn answer(State(dev): State<Shared>, Json(request): Json<AnswerRequest>) -> Response {
    let waiting = dev
        .questions
        .lock()
        .ok()
        .and_then(|mut q| q.remove(&request.id));
    let answered = match waiting {
        None => return (StatusCode::NOT_FOUND, "no such question waiting").into_response(),
        Some(Answer::Elicitation(sender)) => sender
            .send(match request.action.as_str() {
                "accept" => ElicitationResponse::Accept(request.content),
                "decline" => ElicitationResponse::Decline,
                _ => ElicitationResponse::Cancel,
            })
            .is_ok(),
        Some(Answer::Sampling(sender)) => {
            let reply = match request.action.as_str() {
                "accept" => Ok(CreateMessageResult::new(
                    fastmcp::types::SamplingMessage::assistant_text(request.text),
                    "fastmcp-dev".to_owned(),
                )),
                _ => Err("the user declined".to_owned()),
            };
            sender.send(reply).is_ok()
        }
    };
    dev.send(json!({"type": "answered", "id": request.id}));
    match answered {
        true => StatusCode::NO_CONTENT.into_response(),
        false => (StatusCode::GONE, "the server stopped waiting").into_response(),
    }
}

#[derive(Deserialize)]
struct ReadRequest {
    uri: String,
}

async fn read(State(dev): State<Shared>, Json(request): Json<ReadRequest>) -> Response {
    let client = match dev.client().await {
        Ok(client) => client,
        Err(error) => return failed(error),
    };
    match client.read_resource(&request.uri).await {
        Ok(contents) => Json(json!({"contents": contents})).into_response(),
        Err(error) => failed(error),
    }
}

async fn prompt(State(dev): State<Shared>, Json(request): Json<CallRequest>) -> Response {
    let client = match dev.client().await {
        Ok(client) => client,
        Err(error) => return failed(error),
    };
    let arguments = match request.arguments {
        Value::Null => json!({}),
        other => other,
    };
    match client.get_prompt(&request.name, arguments).await {
        Ok(result) => Json(to_value(&result)).into_response(),
        Err(error) => failed(error),
    }
}

#[derive(Deserialize)]
struct CompleteRequest {
    #[serde(rename = "ref")]
    reference: fastmcp::types::Reference,
    argument: String,
    value: String,
}

async fn complete(State(dev): State<Shared>, Json(request): Json<CompleteRequest>) -> Response {
    let client = match dev.client().await {
        Ok(client) => client,
        Err(error) => return failed(error),
    };
    match client
        .complete(request.reference, &request.argument, &request.value, &[])
        .await
    {
        Ok(completion) => Json(to_value(&completion)).into_response(),
        Err(error) => failed(error),
    }
}

/// Restarts a command TARGET (reconnects to a URL), keeping the page.
async fn restart(State(dev): State<Shared>) -> Response {
    let calls: Vec<_> = dev
        .calls
        .lock()
        .map(|mut calls| calls.drain().map(|(_, handle)| handle).collect())
        .unwrap_or_default();
    for handle in calls {
        handle.abort();
    }
    match dev.reconnect().await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => failed(error),
    }
}
