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

mod answer;
mod closed;
mod headers;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse as _, Response};
use futures::StreamExt as _;
use http::{HeaderMap, StatusCode, header};
use rmcp::model::{
    ClientJsonRpcMessage, ClientRequest, GetMeta as _, JsonRpcRequest, ProtocolVersion,
    ServerJsonRpcMessage,
};
use rmcp::service::{RequestContext, Service as _};
use rmcp::{Peer, RoleServer};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::sessions::{Answer, Call, Live, Sessions, receiver_stream};
use crate::protocol::header as mcp_header;
use crate::protocol::{
    COMPLETION_COMPLETE, PROMPTS_GET, PROMPTS_LIST, RESOURCE_TEMPLATES_LIST, RESOURCES_LIST,
    RESOURCES_READ, TOOLS_CALL, TOOLS_LIST,
};
use crate::server::FastMCP;
use crate::server::outbound::ResponseStream;
pub(super) use answer::unreadable_body;
use answer::{
    axum_event, http_status, internal_error, is_terminal, json_response, parse_error,
    response_message, serialize_failure, sse_headers, write_event,
};
use closed::closed_peer;
pub(super) use headers::content_is_json;
use headers::{
    Authority, accepts_json_and_sse, content_length, has_header_annotation, is_2026_header,
    names_match, only_value,
};

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

#[cfg(test)]
mod tests;
