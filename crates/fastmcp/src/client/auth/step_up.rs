//! [`StepUp`]: the HTTP client of an authorized connection, authorizing again when the
//! server asks for more.

use std::collections::HashMap;
use std::sync::Arc;

use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
    StreamableHttpResponseLimits,
};
use rmcp::transport::{AuthClient, AuthorizationManager};
use sse_stream::{Error as SseError, Sse};

use super::OAuth;

/// The HTTP client of an OAuth-authorized connection: rmcp's [`AuthClient`] (which adds the
/// token and refreshes it), plus re-authorization. When the server answers `403` with
/// `insufficient_scope` (step-up), or `401` to a token that cannot be refreshed (revoked, or
/// the resource moved to another authorization server), it runs the authorization again for
/// what the challenge names and retries the request once.
#[derive(Clone)]
pub(crate) struct StepUp {
    inner: AuthClient<reqwest::Client>,
    oauth: Option<OAuth>,
    url: String,
    /// Step-ups so far on this connection; bounded so a server that never accepts ends it.
    attempts: Arc<std::sync::atomic::AtomicU32>,
}

/// The most step-ups one connection attempts.
const MAX_STEP_UPS: u32 = 3;

impl StepUp {
    pub(crate) fn new(manager: AuthorizationManager, oauth: Option<OAuth>, url: &str) -> Self {
        Self {
            inner: AuthClient::new(reqwest::Client::default(), manager),
            oauth,
            url: url.to_owned(),
            attempts: Arc::default(),
        }
    }

    /// Authorizes again for the scopes `challenge` asks for, if this connection may.
    async fn step_up(&self, challenge: &str) -> bool {
        let Some(oauth) = &self.oauth else {
            return false;
        };
        let attempt = self
            .attempts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if attempt >= MAX_STEP_UPS {
            tracing::warn!("the server keeps asking for more scope; giving up");
            return false;
        }
        match oauth.reauthorize(&self.url, challenge).await {
            Ok(manager) => {
                *self.inner.auth_manager.lock().await = manager;
                true
            }
            Err(error) => {
                tracing::warn!(%error, "scope step-up failed");
                false
            }
        }
    }
}

type HttpError = StreamableHttpError<reqwest::Error>;

impl StreamableHttpClient for StepUp {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        self.post_message_with_response_limits(
            uri,
            message,
            session_id,
            auth_header,
            custom_headers,
            StreamableHttpResponseLimits::default(),
        )
        .await
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
        let post = |token: Option<String>| {
            self.inner.post_message_with_response_limits(
                Arc::clone(&uri),
                message.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
                limits,
            )
        };
        match post(auth_header.clone()).await {
            // A token without enough scope, or one no longer accepted (revoked, or the
            // resource moved to another authorization server): authorize again, from
            // discovery, and retry once. The caller's header carried the old token: drop it.
            Err(StreamableHttpError::InsufficientScope(challenge))
                if self.step_up(&challenge.www_authenticate_header).await =>
            {
                post(None).await
            }
            Err(StreamableHttpError::AuthRequired(challenge))
                if self.step_up(&challenge.www_authenticate_header).await =>
            {
                post(None).await
            }
            result => result,
        }
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
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, HttpError> {
        self.inner
            .get_stream(uri, session_id, last_event_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, HttpError> {
        self.inner
            .get_stream_with_max_sse_event_size(
                uri,
                session_id,
                last_event_id,
                auth_header,
                custom_headers,
                max_sse_event_size,
            )
            .await
    }
}
