//! The direct path for 2026-07-28 requests, and for legacy requests to a stateless server:
//! parse, dispatch to the [`Session`], answer, all in the HTTP request's own task.
//!
//! rmcp's Streamable HTTP service builds a whole service loop (a task, channels, a peer) for
//! every stateless request and re-serializes the body to check its headers; that is most of
//! its cost per call. A 2026-07-28 request needs none of it: it carries everything in its
//! headers and `_meta`, and the server never sends it a request of its own (input arrives in
//! `InputRequiredResult` rounds). A legacy request to a server without sessions stands alone
//! the same way (rmcp gives it a one-request service loop with a made-up handshake; a request
//! the server sent it could never be answered). So FastMCP answers such requests itself, and
//! only those it fully vouches for: every check below is a sufficient condition for rmcp's own
//! validation to pass. Anything else (legacy sessions, `initialize`, `server/discover`,
//! subscriptions, an `Origin` header, `Mcp-Param-*` routing, Base64 header values, an event
//! store persisting stateless streams, any malformed input) goes to rmcp's service unchanged,
//! so errors and edge cases keep rmcp's exact answers.

use crate::protocol::header as mcp_header;
use crate::protocol::{
    COMPLETION_COMPLETE, PROMPTS_GET, PROMPTS_LIST, RESOURCE_TEMPLATES_LIST, RESOURCES_LIST,
    RESOURCES_READ, TOOLS_CALL, TOOLS_LIST,
};
use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse as _, Response};
use futures::StreamExt as _;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use rmcp::model::{
    ClientJsonRpcMessage, ClientRequest, ErrorCode, ErrorData, GetMeta as _, JsonRpcRequest,
    ProtocolVersion, RequestId, ServerJsonRpcMessage, ServerResult,
};
use rmcp::service::{RequestContext, RxJsonRpcMessage, Service as _, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::{Peer, RoleServer, ServerHandler};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::sessions::{Answer, Call, Live, Sessions, receiver_stream};
use crate::server::FastMCP;
use crate::server::outbound::ResponseStream;
use rmcp::transport::common::server_side_http::ServerSseMessage;
use std::sync::Arc;

/// Notifications a request may queue before its handler waits for the client to read.
const STREAM_CAPACITY: usize = 64;

/// The same keep-alive interval rmcp uses on its SSE streams.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Methods the direct path serves; everything else goes to rmcp.
const DIRECT_METHODS: &[&str] = &[
    TOOLS_CALL,
    TOOLS_LIST,
    PROMPTS_GET,
    PROMPTS_LIST,
    RESOURCES_READ,
    RESOURCES_LIST,
    RESOURCE_TEMPLATES_LIST,
    COMPLETION_COMPLETE,
];

/// What the direct path needs to know about the server and its HTTP options.
pub(super) struct Direct {
    server: FastMCP,
    /// A peer whose connection is already closed: requests on this path never reach the
    /// client through it (their notifications go on the response stream), and anything that
    /// tries gets an error at once instead of waiting.
    peer: OnceLock<Peer<RoleServer>>,
    /// Allowed `Host` values; empty allows any.
    allowed_hosts: Vec<Authority>,
    json_response: bool,
    max_body_bytes: usize,
    /// Whether legacy requests are served without sessions (`HttpOptions::stateless`).
    legacy_stateless: bool,
    /// Closed peers that remember a legacy handshake, one per known protocol version (by its
    /// index in `ProtocolVersion::KNOWN_VERSIONS`), made on first use, so handlers see the
    /// version the request's header names (as rmcp's stateless service makes up).
    legacy_peers: Vec<OnceLock<Peer<RoleServer>>>,
    /// Ends open response streams (server shutdown).
    shutdown: CancellationToken,
    /// Whether requests outside sessions are served here (not when their streams are stored
    /// for resumption: rmcp's path does that).
    sessionless: bool,
    /// The legacy sessions, whose requests are served here too.
    sessions: Arc<Sessions>,
}

/// The component check of a request's body against its bearer token (`guard.rs`).
pub(super) type BodyCheck<'a> =
    &'a (dyn Fn(&http::request::Parts, &[u8]) -> Result<(), Box<Response>> + Send + Sync);

/// The protocol a request on the direct path speaks.
enum Era {
    /// 2026-07-28: everything in headers and `_meta`.
    Stateless,
    /// A legacy version (from `MCP-Protocol-Version`, 2025-03-26 without it), no session: its
    /// index in `ProtocolVersion::KNOWN_VERSIONS`.
    Legacy(usize),
    /// A request in an initialized legacy session.
    Session(Arc<Live>),
}

impl Direct {
    pub(super) fn new(
        server: FastMCP,
        config: &rmcp::transport::StreamableHttpServerConfig,
        shutdown: CancellationToken,
        sessions: Arc<Sessions>,
        sessionless: bool,
    ) -> Self {
        Self {
            server,
            peer: OnceLock::new(),
            allowed_hosts: config
                .allowed_hosts
                .iter()
                .filter_map(|host| Authority::parse(host))
                .collect(),
            json_response: config.json_response,
            max_body_bytes: config.max_request_body_bytes,
            legacy_stateless: !config.legacy_session_mode
                && !config.stateless_protocol_metadata_required,
            legacy_peers: ProtocolVersion::KNOWN_VERSIONS
                .iter()
                .map(|_| OnceLock::new())
                .collect(),
            shutdown,
            sessionless,
            sessions,
        }
    }

    /// Answers `request` if the direct path vouches for it; otherwise hands it back,
    /// unchanged, for rmcp's service.
    pub(super) async fn try_serve(
        &self,
        request: Request,
        check_body: BodyCheck<'_>,
    ) -> Result<Response, Request> {
        let Some(era) = self.vouches_for_headers(&request) else {
            return Err(request);
        };
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, self.max_body_bytes).await {
            Ok(bytes) => bytes,
            // Content-Length was within the limit, so the body broke off or lied about its size.
            Err(error) => {
                return Ok(
                    (StatusCode::BAD_REQUEST, format!("Bad Request: {error}")).into_response()
                );
            }
        };
        if let Era::Session(_) = era
            && let Err(refusal) = check_body(&parts, &bytes)
        {
            return Ok(*refusal);
        }
        let Ok(message) = crate::transports::parse::client_message(&bytes) else {
            if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() {
                return Ok(parse_error());
            }
            // JSON, but not a message rmcp knows: its answer says why.
            return Err(Request::from_parts(parts, Body::from(bytes)));
        };
        match self.vouch_for_body(&parts.headers, message, &era) {
            Some(request) => match era {
                Era::Session(live) => Ok(self.serve_session(parts, request, live).await),
                era => Ok(self.serve(parts, request, era).await),
            },
            None => Err(Request::from_parts(parts, Body::from(bytes))),
        }
    }

    /// Header checks that need no body: a POST outside any session, from an allowed host,
    /// with a JSON body of a known size within the limit, that is either a 2026-07-28 request
    /// (naming its method in `Mcp-Method`) or, on a server without sessions, a legacy one of
    /// a known version without any of 2026-07-28's request headers.
    fn vouches_for_headers(&self, request: &Request) -> Option<Era> {
        let headers = request.headers();
        let plain = request.method() == http::Method::POST
            && accepts_json_and_sse(headers)
            && content_is_json(headers)
            && content_length(headers).is_some_and(|length| length <= self.max_body_bytes)
            && self.host_is_allowed(request);
        if !plain {
            return None;
        }
        let version = only_value(headers, mcp_header::MCP_PROTOCOL_VERSION);
        if headers.contains_key(mcp_header::MCP_SESSION_ID) {
            return self.session_era(headers, version);
        }
        if !self.sessionless {
            return None;
        }
        if headers.contains_key(mcp_header::MCP_METHOD) {
            let stateless = only_value(headers, mcp_header::MCP_METHOD).is_some()
                && version == Some(ProtocolVersion::V_2026_07_28.as_str());
            return stateless.then_some(Era::Stateless);
        }
        if !self.legacy_stateless || headers.keys().any(|name| is_2026_header(name.as_str())) {
            return None;
        }
        // A repeated or unreadable header is rmcp's to refuse.
        if version.is_none() && headers.contains_key(mcp_header::MCP_PROTOCOL_VERSION) {
            return None;
        }
        let named = version.unwrap_or(ProtocolVersion::V_2025_03_26.as_str());
        ProtocolVersion::KNOWN_VERSIONS
            .iter()
            .position(|known| known.as_str() == named && known.has_initialize())
            .map(Era::Legacy)
    }

    /// A request in a live, initialized legacy session, of a known legacy version, without
    /// 2026-07-28's headers.
    fn session_era(&self, headers: &HeaderMap, version: Option<&str>) -> Option<Era> {
        if headers.keys().any(|name| is_2026_header(name.as_str())) {
            return None;
        }
        if version.is_none() && headers.contains_key(mcp_header::MCP_PROTOCOL_VERSION) {
            return None;
        }
        if let Some(version) = version
            && !ProtocolVersion::KNOWN_VERSIONS
                .iter()
                .any(|known| known.as_str() == version && known.has_initialize())
        {
            return None;
        }
        let live = self
            .sessions
            .get(only_value(headers, mcp_header::MCP_SESSION_ID)?)
            .ok()?;
        live.attached()?;
        Some(Era::Session(live))
    }

    fn host_is_allowed(&self, request: &Request) -> bool {
        if self.allowed_hosts.is_empty() {
            return true;
        }
        let Some(host) =
            only_value(request.headers(), header::HOST.as_str()).and_then(Authority::parse)
        else {
            return false;
        };
        self.allowed_hosts
            .iter()
            .any(|allowed| allowed.admits(&host))
    }

    /// Body checks: one JSON-RPC request for a method served here, named in `Mcp-Method` (and
    /// `Mcp-Name` where the method has one), with complete 2026-07-28 `_meta` agreeing with
    /// the `MCP-Protocol-Version` header.
    fn vouch_for_body(
        &self,
        headers: &HeaderMap,
        message: ClientJsonRpcMessage,
        era: &Era,
    ) -> Option<JsonRpcRequest<ClientRequest>> {
        let ClientJsonRpcMessage::Request(request) = message else {
            return None;
        };
        let method = request.request.method();
        let meta = request.request.get_meta();
        if let Era::Session(_) = era {
            // `initialize` again, or a request negotiating 2026-07-28, is rmcp's to answer.
            let vouched = !matches!(
                request.request,
                ClientRequest::InitializeRequest(_) | ClientRequest::DiscoverRequest(_)
            ) && meta.protocol_version().is_none();
            return vouched.then_some(request);
        }
        if let Era::Legacy(_) = era {
            // A legacy request negotiating 2026-07-28 in `_meta` is rmcp's to sort out.
            let vouched = DIRECT_METHODS.contains(&method) && meta.protocol_version().is_none();
            return vouched.then_some(request);
        }
        let vouched = DIRECT_METHODS.contains(&method)
            && only_value(headers, mcp_header::MCP_METHOD) == Some(method)
            && meta.protocol_version() == Some(ProtocolVersion::V_2026_07_28)
            && meta
                .missing_required_keys(&ProtocolVersion::V_2026_07_28)
                .is_empty()
            && names_match(headers, &request.request)
            && !self.routes_params(&request.request);
        vouched.then_some(request)
    }

    /// Whether the called tool's schema routes arguments into `Mcp-Param-*` headers (SEP-2243),
    /// which rmcp validates.
    fn routes_params(&self, request: &ClientRequest) -> bool {
        let ClientRequest::CallToolRequest(call) = request else {
            return false;
        };
        self.server
            .components()
            .tool(&call.params.name, None)
            .is_some_and(|tool| {
                has_header_annotation(tool.definition().input_schema.get("properties"))
            })
    }

    fn peer(&self, era: &Era) -> Peer<RoleServer> {
        let Era::Legacy(index) = *era else {
            return self.peer.get_or_init(closed_peer).clone();
        };
        let (Some(slot), Some(version)) = (
            self.legacy_peers.get(index),
            ProtocolVersion::KNOWN_VERSIONS.get(index),
        ) else {
            return self.peer.get_or_init(closed_peer).clone();
        };
        slot.get_or_init(|| {
            // What rmcp's stateless service makes up for a legacy request: the header's
            // version, no capabilities, no client name.
            let peer = closed_peer();
            peer.set_peer_info(
                rmcp::model::InitializeRequestParams::new(Default::default(), Default::default())
                    .with_protocol_version(version.clone()),
            );
            peer
        })
        .clone()
    }

    async fn serve(
        &self,
        parts: http::request::Parts,
        request: JsonRpcRequest<ClientRequest>,
        era: Era,
    ) -> Response {
        let JsonRpcRequest {
            id, mut request, ..
        } = request;
        let (sender, mut receiver) = mpsc::channel(STREAM_CAPACITY);
        let mut context = RequestContext::new(id.clone(), self.peer(&era));
        std::mem::swap(&mut context.meta, request.get_meta_mut());
        context.extensions.insert(parts);
        context.extensions.insert(ResponseStream(sender.clone()));
        let cancel = context.ct.clone();
        let session = match self.server.request_session() {
            Ok(session) => session,
            Err(error) => return internal_error(&error),
        };
        let mut work = Box::pin(async move {
            let result = session.handle_request(request, context).await;
            response_message(result, id)
        });
        tokio::select! {
            biased;
            message = &mut work => {
                let mut early = Vec::new();
                while let Ok(notification) = receiver.try_recv() {
                    early.push(notification);
                }
                self.respond_now(early, message, &era)
            }
            Some(first) = receiver.recv() => {
                // The handler is talking before it answers: stream from here on, the handler
                // running in its own task and cancelled if the client goes away.
                let guard = cancel.drop_guard();
                tokio::spawn(async move {
                    let message = work.await;
                    let _ = sender.send(message).await;
                });
                self.stream(first, receiver, guard)
            }
        }
    }

    /// The answer to a request whose handler has finished: JSON when that is the whole
    /// reply and JSON responses are on (or the status is not 200), otherwise one SSE body.
    fn respond_now(
        &self,
        early: Vec<ServerJsonRpcMessage>,
        last: ServerJsonRpcMessage,
        era: &Era,
    ) -> Response {
        // Legacy transports answer every JSON-RPC error with 200.
        let status = match era {
            Era::Stateless => http_status(&last),
            Era::Legacy(_) | Era::Session(_) => StatusCode::OK,
        };
        if early.is_empty() && (self.json_response || status != StatusCode::OK) {
            return json_response(status, &last);
        }
        let mut body = Vec::new();
        for message in early.iter().chain(std::iter::once(&last)) {
            body.extend_from_slice(b"data: ");
            if serde_json::to_writer(&mut body, message).is_err() {
                return serialize_failure();
            }
            body.extend_from_slice(b"\n\n");
        }
        sse_headers(Response::new(Body::from(body)))
    }

    /// An SSE response carrying `first`, then what the handler sends, up to its result.
    fn stream(
        &self,
        first: ServerJsonRpcMessage,
        receiver: mpsc::Receiver<ServerJsonRpcMessage>,
        guard: tokio_util::sync::DropGuard,
    ) -> Response {
        let shutdown = self.shutdown.clone();
        let messages = futures::stream::unfold(
            (Some(first), receiver, guard, false),
            |(next, mut receiver, guard, done)| async move {
                if done {
                    return None;
                }
                let message = match next {
                    Some(message) => message,
                    None => receiver.recv().await?,
                };
                let terminal = is_terminal(&message);
                Some((message, (None, receiver, guard, terminal)))
            },
        )
        .map(|message| serde_json::to_string(&message).map(|data| Event::default().data(data)))
        .take_until(async move { shutdown.cancelled().await });
        sse_headers(
            Sse::new(messages)
                .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
                .into_response(),
        )
    }
}

impl Direct {
    /// Serves a request of a legacy session: answered in one SSE body when its handler
    /// finishes without talking first, else streamed.
    async fn serve_session(
        &self,
        parts: http::request::Parts,
        mut request: JsonRpcRequest<ClientRequest>,
        live: Arc<Live>,
    ) -> Response {
        use rmcp::model::GetExtensions as _;
        let Some(attached) = live.attached() else {
            return (StatusCode::NOT_FOUND, "Not Found: Session not found").into_response();
        };
        request.request.extensions_mut().insert(parts);
        let call = Call::start(&live, attached, request);
        match call.answer(Arc::clone(&live), self.sessions.retry).await {
            Answer::Now(events) => {
                let mut body = Vec::new();
                for event in &events {
                    if write_event(&mut body, event).is_err() {
                        return serialize_failure();
                    }
                }
                sse_headers(Response::new(Body::from(body)))
            }
            Answer::Streaming(priming, rest) => {
                let shutdown = self.shutdown.clone();
                let events = futures::stream::iter(priming)
                    .chain(receiver_stream(rest))
                    .map(|event| axum_event(&event))
                    .take_until(async move { shutdown.cancelled().await });
                sse_headers(
                    Sse::new(events)
                        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
                        .into_response(),
                )
            }
        }
    }
}

/// Writes `event` in SSE form: its id, retry delay and JSON message (empty data for a
/// priming event).
fn write_event(body: &mut Vec<u8>, event: &ServerSseMessage) -> Result<(), serde_json::Error> {
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
fn axum_event(event: &ServerSseMessage) -> Result<Event, serde_json::Error> {
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
fn is_field_safe(id: &str) -> bool {
    !id.contains(['\n', '\r', '\0'])
}

/// The JSON-RPC message answering request `id`.
fn response_message(
    result: Result<ServerResult, ErrorData>,
    id: RequestId,
) -> ServerJsonRpcMessage {
    match result {
        Ok(result) => ServerJsonRpcMessage::response(result, id),
        Err(error) => ServerJsonRpcMessage::error(error, Some(id)),
    }
}

fn is_terminal(message: &ServerJsonRpcMessage) -> bool {
    matches!(
        message,
        ServerJsonRpcMessage::Response(_) | ServerJsonRpcMessage::Error(_)
    )
}

/// The HTTP status of a 2026-07-28 answer, as the specification (and rmcp) map them.
fn http_status(message: &ServerJsonRpcMessage) -> StatusCode {
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

fn json_response(status: StatusCode, message: &ServerJsonRpcMessage) -> Response {
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

fn sse_headers(mut response: Response) -> Response {
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
pub(super) fn unreadable_body(bytes: &[u8]) -> Response {
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
fn parse_error() -> Response {
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
fn internal_error(error: &crate::Error) -> Response {
    tracing::error!(%error, "cannot serve a request");
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}

fn serialize_failure() -> Response {
    tracing::error!("failed to serialize a response");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "failed to serialize the response",
    )
        .into_response()
}

/// The single value of header `name` as text; `None` if absent, repeated or not text.
fn only_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    value.to_str().ok()
}

/// `Accept` names both JSON and SSE, plainly (any quality parameter: leave it to rmcp).
fn accepts_json_and_sse(headers: &HeaderMap) -> bool {
    let Some(accept) = only_value(headers, header::ACCEPT.as_str()) else {
        return false;
    };
    let mut json = false;
    let mut sse = false;
    for media in accept.split(',') {
        match media.trim() {
            media if media.eq_ignore_ascii_case("application/json") => json = true,
            media if media.eq_ignore_ascii_case("text/event-stream") => sse = true,
            media if media.contains(';') => return false,
            _ => {}
        }
    }
    json && sse
}

pub(super) fn content_is_json(headers: &HeaderMap) -> bool {
    only_value(headers, header::CONTENT_TYPE.as_str()).is_some_and(|value| {
        let essence = value.split_once(';').map_or(value, |(essence, _)| essence);
        essence.trim().eq_ignore_ascii_case("application/json")
    })
}

fn content_length(headers: &HeaderMap) -> Option<usize> {
    only_value(headers, header::CONTENT_LENGTH.as_str())?
        .parse()
        .ok()
}

/// `Mcp-Name` names the tool, prompt or resource the body does, in plain (not Base64) form.
fn names_match(headers: &HeaderMap, request: &ClientRequest) -> bool {
    let expected = match request {
        ClientRequest::CallToolRequest(call) => call.params.name.as_ref(),
        ClientRequest::GetPromptRequest(get) => get.params.name.as_str(),
        ClientRequest::ReadResourceRequest(read) => read.params.uri.as_str(),
        _ => return !headers.contains_key("mcp-name"),
    };
    only_value(headers, "mcp-name")
        .is_some_and(|name| name == expected && !name.starts_with("=?base64?"))
}

/// A request header only 2026-07-28 (SEP-2243) defines: its presence on a legacy request is
/// for rmcp to judge.
fn is_2026_header(name: &str) -> bool {
    name == "mcp-method" || name == "mcp-name" || name.starts_with("mcp-param-")
}

/// Whether any property, at any depth of `properties`, carries `x-mcp-header`.
fn has_header_annotation(properties: Option<&Value>) -> bool {
    let Some(Value::Object(properties)) = properties else {
        return false;
    };
    properties.values().any(|schema| {
        schema.get("x-mcp-header").is_some() || has_header_annotation(schema.get("properties"))
    })
}

/// A host (lowercase, without IPv6 brackets) and optional port, as `Host` validation compares
/// them.
#[derive(Debug, PartialEq, Eq)]
struct Authority {
    host: String,
    port: Option<u16>,
}

impl Authority {
    fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let (host, port) = match http::uri::Authority::try_from(value) {
            Ok(authority) => (authority.host().to_owned(), authority.port_u16()),
            Err(_) => (value.to_owned(), None),
        };
        Some(Self {
            host: host
                .trim_matches('[')
                .trim_matches(']')
                .to_ascii_lowercase(),
            port,
        })
    }

    /// An allowed entry without a port admits the host on any port.
    fn admits(&self, host: &Authority) -> bool {
        self.host == host.host && self.port.is_none_or(|port| host.port == Some(port))
    }
}

/// A peer whose connection has already ended.
fn closed_peer() -> Peer<RoleServer> {
    let running = rmcp::service::serve_directly(NoHandler, Closed, None);
    running.peer().clone()
}

/// The handler behind [`closed_peer`]; it never sees a message.
#[derive(Clone)]
struct NoHandler;

impl ServerHandler for NoHandler {}

/// A transport that is closed from the start.
struct Closed;

impl Transport<RoleServer> for Closed {
    type Error = std::io::Error;

    fn send(
        &mut self,
        _item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        std::future::ready(Err(std::io::ErrorKind::NotConnected.into()))
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleServer>>> + Send {
        std::future::ready(None)
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        std::future::ready(Ok(()))
    }
}

#[cfg(test)]
mod tests;
