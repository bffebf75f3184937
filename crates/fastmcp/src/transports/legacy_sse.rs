//! The client side of the legacy HTTP+SSE transport (protocol 2024-11-05), for servers that
//! predate Streamable HTTP: the client opens an SSE stream with `GET`, the server's first event
//! (`endpoint`) names the URL to `POST` messages to, and every server message arrives on the
//! stream.
//!
//! [`Client::connect`](crate::Client::connect) falls back to it on its own when a URL does not
//! speak Streamable HTTP; use [`LegacySseClient::connect`] to force it.

use std::time::Duration;

use futures::StreamExt as _;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use rmcp::RoleClient;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::sync::mpsc;

use crate::error::Error;

/// How long the server may take to name its message endpoint.
const ENDPOINT_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to a legacy HTTP+SSE server; an rmcp client transport.
pub struct LegacySseClient {
    http: reqwest::Client,
    endpoint: reqwest::Url,
    headers: HeaderMap,
    messages: mpsc::Receiver<ServerJsonRpcMessage>,
    reader: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for LegacySseClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacySseClient")
            .field("endpoint", &self.endpoint.as_str())
            .finish_non_exhaustive()
    }
}

impl LegacySseClient {
    /// Opens the SSE stream at `url` and waits for the server to name its message endpoint.
    /// `headers` go with every request.
    pub async fn connect(url: &str, headers: HeaderMap) -> Result<Self, Error> {
        let base = reqwest::Url::parse(url)
            .map_err(|error| Error::Connect(format!("{url} is not a URL: {error}")))?;
        let http = reqwest::Client::new();
        let response = http
            .get(base.clone())
            .headers(headers.clone())
            .header(ACCEPT, "text/event-stream")
            .send()
            .await
            .map_err(|error| Error::Connect(format!("{url}: {error}")))?;
        let is_sse = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/event-stream"));
        if !response.status().is_success() || !is_sse {
            return Err(Error::Connect(format!(
                "{url} is not an SSE endpoint either (GET answered {})",
                response.status()
            )));
        }
        let mut events = sse_stream::SseStream::from_bytes_stream(response.bytes_stream());
        let endpoint = tokio::time::timeout(ENDPOINT_TIMEOUT, async {
            while let Some(event) = events.next().await {
                let event =
                    event.map_err(|error| Error::Connect(format!("{url}: bad SSE: {error}")))?;
                if event.event.as_deref() == Some("endpoint") {
                    let target = event.data.unwrap_or_default();
                    return base.join(target.trim()).map_err(|error| {
                        Error::Connect(format!("{url}: bad endpoint {target:?}: {error}"))
                    });
                }
            }
            Err(Error::Connect(format!(
                "{url}: the SSE stream ended before naming an endpoint"
            )))
        })
        .await
        .map_err(|_| {
            Error::Connect(format!(
                "{url}: no endpoint event within {ENDPOINT_TIMEOUT:?}"
            ))
        })??;
        let (sender, messages) = mpsc::channel(64);
        let reader = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                let Ok(event) = event else { break };
                if !matches!(event.event.as_deref(), None | Some("message")) {
                    continue;
                }
                let data = event.data.unwrap_or_default();
                match serde_json::from_str::<ServerJsonRpcMessage>(&data) {
                    Ok(message) => {
                        if sender.send(message).await.is_err() {
                            break;
                        }
                    }
                    Err(error) => tracing::warn!(%error, "skipping a malformed SSE message"),
                }
            }
        });
        Ok(Self {
            http,
            endpoint,
            headers,
            messages,
            reader,
        })
    }
}

impl Drop for LegacySseClient {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Transport<RoleClient> for LegacySseClient {
    type Error = Error;

    fn send(
        &mut self,
        item: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let request = self
            .http
            .post(self.endpoint.clone())
            .headers(self.headers.clone())
            .json(&item);
        async move {
            let response = request
                .send()
                .await
                .map_err(|error| Error::ConnectionClosed(format!("posting a message: {error}")))?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(Error::ConnectionClosed(format!(
                    "the server refused a message with {}",
                    response.status()
                )))
            }
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ServerJsonRpcMessage>> + Send {
        self.messages.recv()
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.reader.abort();
        Ok(())
    }
}
