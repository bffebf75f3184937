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

use super::DEFAULT_MAX_MESSAGE_SIZE;
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
            .map_err(|error| Error::connect_from(format!("{url} is not a URL: {error}"), error))?;
        let http = reqwest::Client::new();
        let response = http
            .get(base.clone())
            .headers(headers.clone())
            .header(ACCEPT, "text/event-stream")
            .send()
            .await
            .map_err(|error| Error::connect_from(format!("{url}: {error}"), error))?;
        let is_sse = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/event-stream"));
        if !response.status().is_success() || !is_sse {
            return Err(Error::connect(format!(
                "{url} is not an SSE endpoint either (GET answered {})",
                response.status()
            )));
        }
        // A server that never ends an event cannot make us buffer without bound.
        let mut cap = EventCap::new(DEFAULT_MAX_MESSAGE_SIZE);
        let bytes = response.bytes_stream().map(move |chunk| {
            let chunk = chunk.map_err(ReadError::Http)?;
            cap.admit(&chunk)?;
            Ok::<_, ReadError>(chunk)
        });
        let mut events = sse_stream::SseStream::from_bytes_stream(bytes);
        let endpoint = tokio::time::timeout(ENDPOINT_TIMEOUT, async {
            while let Some(event) = events.next().await {
                let event = event.map_err(|error| {
                    Error::connect_from(format!("{url}: bad SSE: {error}"), error)
                })?;
                if event.event.as_deref() == Some("endpoint") {
                    let target = event.data.unwrap_or_default();
                    return base.join(target.trim()).map_err(|error| {
                        Error::connect(format!("{url}: bad endpoint {target:?}: {error}"))
                    });
                }
            }
            Err(Error::connect(format!(
                "{url}: the SSE stream ended before naming an endpoint"
            )))
        })
        .await
        .map_err(|_| {
            Error::connect(format!(
                "{url}: no endpoint event within {ENDPOINT_TIMEOUT:?}"
            ))
        })??;
        let (sender, messages) = mpsc::channel(64);
        let reader = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                let event = match event {
                    Ok(event) => event,
                    Err(error) => {
                        tracing::warn!(%error, "the SSE stream failed; closing the connection");
                        break;
                    }
                };
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

/// Why reading the SSE stream stopped.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error(transparent)]
    Http(reqwest::Error),
    #[error("an SSE event exceeded the {0}-byte limit")]
    EventTooLarge(usize),
}

/// Counts the bytes of the SSE event being received, so an event larger than `max` ends the
/// stream instead of growing the parser's buffer.
#[derive(Debug)]
struct EventCap {
    max: usize,
    /// Bytes since the last blank line (the end of an event).
    event: usize,
    /// At the start of a line.
    line_start: bool,
    /// The last byte was `\r` (a following `\n` belongs to the same line end).
    after_cr: bool,
}

impl EventCap {
    fn new(max: usize) -> Self {
        Self {
            max,
            event: 0,
            line_start: true,
            after_cr: false,
        }
    }

    fn admit(&mut self, chunk: &[u8]) -> Result<(), ReadError> {
        for &byte in chunk {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\r' | b'\n' if self.line_start => self.event = 0,
                b'\r' | b'\n' => self.line_start = true,
                _ => {
                    self.line_start = false;
                    self.event += 1;
                    if self.event > self.max {
                        return Err(ReadError::EventTooLarge(self.max));
                    }
                }
            }
        }
        Ok(())
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
            let response = request.send().await.map_err(|error| {
                Error::closed_from(format!("posting a message: {error}"), error)
            })?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(Error::closed(format!(
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

#[cfg(test)]
mod tests {
    use super::EventCap;

    #[test]
    fn events_are_capped_and_the_count_restarts_after_each() {
        let mut cap = EventCap::new(10);
        assert!(cap.admit(b"data: 1234\n\n").is_ok());
        assert!(cap.admit(b"data: 1234\r\n\r\ndata: 1").is_ok());
        assert!(cap.admit(b"234\r\rdata:").is_ok());
        // One event split over lines and chunks counts as a whole.
        let mut cap = EventCap::new(14);
        assert!(cap.admit(b"data: 12\ndata").is_ok());
        assert!(cap.admit(b": 3").is_err());
    }
}
