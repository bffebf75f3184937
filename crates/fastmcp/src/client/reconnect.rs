//! The HTTP client under rmcp's Streamable HTTP transport: reqwest, made to give up on a
//! server that is gone.
//!
//! When a response stream breaks, rmcp resumes it with `GET` and `Last-Event-ID`, retrying
//! with a growing delay for as long as the call lasts. That is right when a proxy dropped an
//! idle connection, or another replica behind a load balancer can take over; it is wrong when
//! nothing listens at the server's address any more (the process died): the call would hang.
//! [`FailFast`] ends the resumption on a refused connection, so the call fails at once with
//! "connection closed".
//!
//! It also tells [`connect`](super::Client::connect) when a legacy session's standalone stream
//! (the `GET` without `Last-Event-ID` that rmcp opens once the server names a session) is open:
//! a server may send requests on it as soon as a tool runs (the TypeScript SDK does, for
//! elicitation not tied to a request), and one sent before the stream exists is lost.

use std::collections::HashMap;
use std::sync::Arc;

use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
    StreamableHttpResponseLimits,
};
use sse_stream::{Error as SseError, Sse};
use tokio::sync::watch;

type HttpError = StreamableHttpError<reqwest::Error>;
type SseStream = BoxStream<'static, Result<Sse, SseError>>;

/// Wraps an rmcp HTTP client; see the module docs.
#[derive(Clone)]
pub(crate) struct FailFast<C> {
    inner: C,
    standalone: Arc<watch::Sender<Standalone>>,
}

/// Where a session's standalone stream stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standalone {
    /// No session id yet (or none at all: a stateless server), so no stream to wait for.
    NoSession,
    /// The server named a session; rmcp is opening the stream.
    Expected,
    /// The stream is open, or the server refused it (no SSE on `GET`).
    Settled,
}

impl<C> FailFast<C> {
    pub(crate) fn new(inner: C) -> Self {
        Self {
            inner,
            standalone: Arc::new(watch::Sender::new(Standalone::NoSession)),
        }
    }

    /// Resolves when no standalone stream is pending: none expected, or it is open (or
    /// refused). A handle to keep while the transport, which owns this client, runs.
    pub(crate) fn standalone_stream(&self) -> StandaloneStream {
        StandaloneStream(self.standalone.subscribe())
    }

    fn saw_post(&self, response: &Result<StreamableHttpPostResponse, HttpError>) {
        let names_session = matches!(
            response,
            Ok(StreamableHttpPostResponse::Json(_, Some(_))
                | StreamableHttpPostResponse::Sse(_, Some(_)))
        );
        if names_session {
            self.standalone.send_if_modified(|stage| {
                let first = *stage == Standalone::NoSession;
                if first {
                    *stage = Standalone::Expected;
                }
                first
            });
        }
    }

    fn standalone_settled(&self) {
        self.standalone.send_replace(Standalone::Settled);
    }
}

/// See [`FailFast::standalone_stream`].
pub(crate) struct StandaloneStream(watch::Receiver<Standalone>);

impl StandaloneStream {
    /// Waits until the standalone stream is open or known not to come.
    pub(crate) async fn settled(mut self) {
        let _ = self
            .0
            .wait_for(|stage| *stage != Standalone::Expected)
            .await;
    }
}

fn stop_on_refusal(result: Result<SseStream, HttpError>) -> Result<SseStream, HttpError> {
    match result {
        Err(StreamableHttpError::Client(error)) if error.is_connect() => {
            tracing::debug!(%error, "the server is unreachable; not resuming its stream");
            Err(StreamableHttpError::ServerDoesNotSupportSse)
        }
        other => other,
    }
}

impl<C> StreamableHttpClient for FailFast<C>
where
    C: StreamableHttpClient<Error = reqwest::Error> + Sync,
{
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        let response = self
            .inner
            .post_message(uri, message, session_id, auth_header, custom_headers)
            .await;
        self.saw_post(&response);
        response
    }

    async fn post_message_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        let response = self
            .inner
            .post_message_with_max_sse_event_size(
                uri,
                message,
                session_id,
                auth_header,
                custom_headers,
                max_sse_event_size,
            )
            .await;
        self.saw_post(&response);
        response
    }

    async fn post_message_with_response_limits(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        limits: StreamableHttpResponseLimits,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        let response = self
            .inner
            .post_message_with_response_limits(
                uri,
                message,
                session_id,
                auth_header,
                custom_headers,
                limits,
            )
            .await;
        self.saw_post(&response);
        response
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), HttpError> {
        self.inner
            .delete_session(uri, session_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<SseStream, HttpError> {
        let standalone = last_event_id.is_none();
        let stream = self
            .inner
            .get_stream(uri, session_id, last_event_id, auth_header, custom_headers)
            .await;
        if standalone {
            self.standalone_settled();
        }
        stop_on_refusal(stream)
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<SseStream, HttpError> {
        let standalone = last_event_id.is_none();
        let stream = self
            .inner
            .get_stream_with_max_sse_event_size(
                uri,
                session_id,
                last_event_id,
                auth_header,
                custom_headers,
                max_sse_event_size,
            )
            .await;
        if standalone {
            self.standalone_settled();
        }
        stop_on_refusal(stream)
    }
}
