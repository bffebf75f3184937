//! [`LineTransport`]: newline-delimited JSON-RPC over a reader/writer pair.

use std::marker::PhantomData;

#[cfg(feature = "client")]
use rmcp::RoleClient;
use rmcp::RoleServer;
use rmcp::model::{
    ClientJsonRpcMessage, ErrorCode, ErrorData, NumberOrString, ServerJsonRpcMessage,
};
#[cfg(feature = "client")]
use rmcp::service::RxJsonRpcMessage;
use rmcp::service::{ServiceRole, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};

use super::lines::{DEFAULT_MAX_MESSAGE_SIZE, Line, LineReader};
use super::outbox::{Outbox, OutboxClosed};

/// Newline-delimited JSON-RPC over any `AsyncRead`/`AsyncWrite` pair, for either role.
///
/// Create it with [`LineTransport::new`]; hand it to [`FastMCP::serve`](crate::FastMCP::serve)
/// (server role) or [`Client::connect`](crate::Client::connect) (client role).
pub struct LineTransport<Role, R> {
    reader: LineReader<R>,
    outbox: Outbox,
    max_message_size: usize,
    _role: PhantomData<fn() -> Role>,
}

impl<Role, R> std::fmt::Debug for LineTransport<Role, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineTransport")
            .field("max_message_size", &self.max_message_size)
            .finish_non_exhaustive()
    }
}

impl<Role, R: AsyncRead + Unpin> LineTransport<Role, R> {
    /// Reads messages from `read` and writes them to `write`, one JSON object per line.
    ///
    /// Spawns the writer task, so call it inside a Tokio runtime.
    pub fn new<W>(read: R, write: W) -> Self
    where
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let outbox = Outbox::default();
        tokio::spawn(outbox.clone().run_writer(write));
        Self {
            reader: LineReader::new(read, DEFAULT_MAX_MESSAGE_SIZE),
            outbox,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            _role: PhantomData,
        }
    }

    /// Sets the largest message accepted, in bytes (default
    /// [`DEFAULT_MAX_MESSAGE_SIZE`](super::DEFAULT_MAX_MESSAGE_SIZE)). A longer line is
    /// discarded as it arrives and, on the server side, answered with a `-32600` error.
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self.reader.set_max(bytes);
        self
    }
}

impl<Role, R> Drop for LineTransport<Role, R> {
    /// A transport dropped without `close` (its service loop failed or never started) still
    /// ends the stream, so the peer sees the connection close instead of waiting forever.
    fn drop(&mut self) {
        self.outbox.close_soon();
    }
}

fn send_now<Role: ServiceRole>(
    outbox: &Outbox,
    item: &TxJsonRpcMessage<Role>,
) -> std::future::Ready<Result<(), OutboxClosed>> {
    // Queue synchronously: the service loop calls `send` in message order and spawns the
    // returned futures, so queueing here (not in the future) keeps the wire order.
    std::future::ready(outbox.push(item))
}

impl<R: AsyncRead + Unpin + Send + 'static> Transport<RoleServer> for LineTransport<RoleServer, R> {
    type Error = OutboxClosed;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        send_now::<RoleServer>(&self.outbox, &item)
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        loop {
            // A client that sends but does not read its answers stops being read too, until
            // it catches up: its answers cannot pile up in server memory.
            self.outbox.ready().await.ok()?;
            let reply = match self.reader.next().await {
                Line::End => return None,
                Line::Message(bytes) => match super::parse::client_message(bytes) {
                    Ok(mut message) => {
                        if let ClientJsonRpcMessage::Request(request) = &mut message {
                            // Lets `Context` queue notifications without a trip through the
                            // service loop (see `server::outbound`).
                            rmcp::model::GetExtensions::extensions_mut(&mut request.request)
                                .insert(self.outbox.clone());
                        }
                        return Some(message);
                    }
                    Err(error) => reply_to_bad_message(bytes, &error),
                },
                Line::Oversized => Some(ServerJsonRpcMessage::error(
                    ErrorData::invalid_request(
                        format!(
                            "Request too large: a message exceeded the {}-byte limit and was discarded",
                            self.max_message_size
                        ),
                        None,
                    ),
                    None,
                )),
            };
            if let Some(reply) = reply
                && self.outbox.push(&reply).is_err()
            {
                return None;
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.outbox.close().await;
        Ok(())
    }
}

#[cfg(feature = "client")]
impl<R: AsyncRead + Unpin + Send + 'static> Transport<RoleClient> for LineTransport<RoleClient, R> {
    type Error = OutboxClosed;

    fn send(
        &mut self,
        item: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        send_now::<RoleClient>(&self.outbox, &item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        loop {
            match self.reader.next().await {
                Line::End => return None,
                Line::Message(bytes) => match super::parse::server_message(bytes) {
                    Ok(message) => return Some(message),
                    Err(error) => {
                        tracing::warn!(%error, line = %String::from_utf8_lossy(bytes), "ignoring a malformed message from the server");
                    }
                },
                Line::Oversized => {
                    tracing::warn!(
                        limit = self.max_message_size,
                        "ignoring a message from the server that exceeded the size limit"
                    );
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.outbox.close().await;
        Ok(())
    }
}

/// The JSON-RPC error for a line that is not a valid client message, or `None` when the line
/// cannot be answered (a notification).
fn reply_to_bad_message(bytes: &[u8], error: &serde_json::Error) -> Option<ServerJsonRpcMessage> {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(parse_error) => {
            return Some(error_reply(
                ErrorCode::PARSE_ERROR,
                format!("Parse error: {parse_error}"),
                None,
            ));
        }
    };
    let Value::Object(object) = value else {
        let message = if value.is_array() {
            "Invalid Request: JSON-RPC batches are not supported; send one message per line"
        } else {
            "Invalid Request: a JSON-RPC message must be a JSON object"
        };
        return Some(error_reply(
            ErrorCode::INVALID_REQUEST,
            message.into(),
            None,
        ));
    };
    let id = match object.get("id") {
        None => None,
        Some(Value::Number(n)) => n.as_i64().map(NumberOrString::Number),
        Some(Value::String(s)) => Some(NumberOrString::String(s.as_str().into())),
        Some(_) => {
            return Some(error_reply(
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: `id` must be a string or an integer".into(),
                None,
            ));
        }
    };
    let method = object.get("method").and_then(Value::as_str);
    match (method, id) {
        (Some(method), Some(id)) => Some(error_reply(
            ErrorCode::INVALID_PARAMS,
            format!("Invalid params for '{method}': {error}"),
            Some(id),
        )),
        (Some(method), None) => {
            tracing::debug!(method, %error, "ignoring a malformed notification");
            None
        }
        (None, id) => {
            if object.contains_key("result") || object.contains_key("error") {
                tracing::debug!(%error, "ignoring a malformed response");
                return None;
            }
            Some(error_reply(
                ErrorCode::INVALID_REQUEST,
                format!("Invalid Request: {error}"),
                id,
            ))
        }
    }
}

fn error_reply(
    code: ErrorCode,
    message: String,
    id: Option<NumberOrString>,
) -> ServerJsonRpcMessage {
    ServerJsonRpcMessage::error(ErrorData::new(code, message, None), id)
}
