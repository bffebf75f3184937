//! How the direct path writes its answers: JSON bodies, SSE events, and the HTTP errors of a
//! body it cannot read.

use axum::body::Body;
use axum::response::sse::Event;
use axum::response::{IntoResponse as _, Response};
use http::{HeaderValue, StatusCode, header};
use rmcp::model::{
    ClientJsonRpcMessage, ErrorCode, ErrorData, RequestId, ServerJsonRpcMessage, ServerResult,
};
use rmcp::transport::common::server_side_http::ServerSseMessage;

/// Writes `event` in SSE form: its id, retry delay and JSON message (empty data for a
/// priming event).
pub(super) fn write_event(
    body: &mut Vec<u8>,
    event: &ServerSseMessage,
) -> Result<(), serde_json::Error> {
    if let Some(id) = event.event_id.as_deref().filter(|id| is_field_safe(id)) {
        body.extend_from_slice(b"id: ");
        body.extend_from_slice(id.as_bytes());
        body.push(b'\n');
    }
    if let Some(retry) = event.retry {
        body.extend_from_slice(format!("retry: {}\n", retry.as_millis()).as_bytes());
    }
    body.extend_from_slice(b"data: ");
    if let Some(message) = &event.message {
        serde_json::to_writer(&mut *body, message.as_ref())?;
    }
    body.extend_from_slice(b"\n\n");
    Ok(())
}

/// `event` as axum writes it.
pub(super) fn axum_event(event: &ServerSseMessage) -> Result<Event, serde_json::Error> {
    let mut sse = Event::default();
    if let Some(id) = event.event_id.as_deref().filter(|id| is_field_safe(id)) {
        sse = sse.id(id);
    }
    if let Some(retry) = event.retry {
        sse = sse.retry(retry);
    }
    let data = match &event.message {
        Some(message) => serde_json::to_string(message.as_ref())?,
        None => String::new(),
    };
    Ok(sse.data(data))
}

/// An event id that fits on one SSE line (an event store could make any string).
pub(super) fn is_field_safe(id: &str) -> bool {
    !id.contains(['\n', '\r', '\0'])
}

/// The JSON-RPC message answering request `id`.
pub(super) fn response_message(
    result: Result<ServerResult, ErrorData>,
    id: RequestId,
) -> ServerJsonRpcMessage {
    match result {
        Ok(result) => ServerJsonRpcMessage::response(result, id),
        Err(error) => ServerJsonRpcMessage::error(error, Some(id)),
    }
}

pub(super) fn is_terminal(message: &ServerJsonRpcMessage) -> bool {
    matches!(
        message,
        ServerJsonRpcMessage::Response(_) | ServerJsonRpcMessage::Error(_)
    )
}

/// The HTTP status of a 2026-07-28 answer, as the specification (and rmcp) map them.
pub(super) fn http_status(message: &ServerJsonRpcMessage) -> StatusCode {
    let ServerJsonRpcMessage::Error(error) = message else {
        return StatusCode::OK;
    };
    match error.error.code {
        ErrorCode::UNSUPPORTED_PROTOCOL_VERSION
        | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        | ErrorCode::HEADER_MISMATCH => StatusCode::BAD_REQUEST,
        ErrorCode::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

pub(super) fn json_response(status: StatusCode, message: &ServerJsonRpcMessage) -> Response {
    let Ok(body) = serde_json::to_vec(message) else {
        return serialize_failure();
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub(super) fn sse_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// `400` for a body that is not a JSON-RPC message: -32700 if it is not JSON at all,
/// else -32600.
pub(crate) fn unreadable_body(bytes: &[u8]) -> Response {
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
        return parse_error();
    }
    let reason = match serde_json::from_slice::<ClientJsonRpcMessage>(bytes) {
        Err(error) => error.to_string(),
        Ok(_) => "not a message this endpoint takes".into(),
    };
    let error = ErrorData::invalid_request(
        format!("Invalid Request: the body is not a JSON-RPC message: {reason}"),
        None,
    );
    json_response(
        StatusCode::BAD_REQUEST,
        &ServerJsonRpcMessage::error(error, None),
    )
}

/// `400` with JSON-RPC's parse error, for a body that is not JSON at all.
pub(super) fn parse_error() -> Response {
    let error = ErrorData::new(
        ErrorCode::PARSE_ERROR,
        "Parse error: the body is not JSON",
        None,
    );
    json_response(
        StatusCode::BAD_REQUEST,
        &ServerJsonRpcMessage::error(error, None),
    )
}

/// `500` for a server that cannot serve at all (see [`Error::Randomness`](crate::Error)).
pub(super) fn internal_error(error: &crate::Error) -> Response {
    tracing::error!(%error, "cannot serve a request");
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}

pub(super) fn serialize_failure() -> Response {
    tracing::error!("failed to serialize a response");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "failed to serialize the response",
    )
        .into_response()
}
