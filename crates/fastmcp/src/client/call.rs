//! `tools/call` from the client: options, progress delivery, results, and the stream form.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::{self, Stream};
use rmcp::RoleClient;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, CancelledNotification,
    CancelledNotificationParam, ClientNotification, ClientRequest, ContentBlock, MetaObject,
    RequestId, RequestMetaObject, ServerResult,
};
use rmcp::service::{RequestHandle, ServiceError};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Client;
use super::progress::{
    HandlerOutcome, ProgressEvent, ProgressHandler, SharedProgressHandler, deliver,
};
use crate::error::Error;

/// The result of a tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallResult {
    raw: CallToolResult,
}

impl ToolCallResult {
    /// The content blocks.
    pub fn content(&self) -> &[ContentBlock] {
        &self.raw.content
    }

    /// The structured content, if the tool returned any.
    pub fn structured_content(&self) -> Option<&Value> {
        self.raw.structured_content.as_ref()
    }

    /// Whether the tool reported an error (`isError: true`).
    pub fn is_error(&self) -> bool {
        self.raw.is_error.unwrap_or(false)
    }

    /// The result's `_meta`.
    pub fn meta(&self) -> Option<&MetaObject> {
        self.raw.meta.as_ref()
    }

    /// The text blocks, joined with newlines.
    pub fn text(&self) -> String {
        self.raw
            .content
            .iter()
            .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The result as `T`: from the structured content (unwrapping `{"result": …}` when `T` is
    /// the wrapped value), or else from the first text block (as JSON, or as a plain string).
    ///
    /// ```
    /// # async fn demo(client: fastmcp::Client) -> Result<(), fastmcp::Error> {
    /// let sum: i64 = client.call_tool("add", serde_json::json!({"a": 1, "b": 2})).await?.data()?;
    /// # Ok(()) }
    /// ```
    pub fn data<T: DeserializeOwned>(&self) -> Result<T, Error> {
        if let Some(structured) = &self.raw.structured_content {
            let whole = serde_json::from_value::<T>(structured.clone());
            return match whole {
                Ok(value) => Ok(value),
                Err(error) => match structured
                    .as_object()
                    .and_then(|o| (o.len() == 1).then(|| o.get("result")).flatten())
                {
                    Some(inner) => serde_json::from_value(inner.clone())
                        .map_err(|error| Error::Data(error.to_string())),
                    None => Err(Error::Data(error.to_string())),
                },
            };
        }
        let text = self.text();
        serde_json::from_str(&text)
            .or_else(|_| serde_json::from_value(Value::String(text)))
            .map_err(|error| {
                Error::Data(format!(
                    "the result has no structured content and its text is not a {}: {error}",
                    std::any::type_name::<T>()
                ))
            })
    }

    /// The protocol's `CallToolResult`, as received.
    pub fn raw(&self) -> &CallToolResult {
        &self.raw
    }

    /// Consumes the result, returning the protocol's `CallToolResult`.
    pub fn into_raw(self) -> CallToolResult {
        self.raw
    }
}

/// An event of a call driven as a stream: progress, then the result.
#[derive(Debug)]
pub enum CallEvent {
    /// A progress notification.
    Progress(ProgressEvent),
    /// The final result; always the last event.
    Result(Result<ToolCallResult, Error>),
}

/// A configured `tools/call`; `.await` it to run, or call [`stream`](Self::stream).
#[must_use = "a CallTool does nothing until awaited or streamed"]
pub struct CallTool {
    client: Client,
    name: String,
    arguments: Value,
    handler: Option<SharedProgressHandler>,
    timeout: Option<Duration>,
    progress_resets_timeout: Option<Duration>,
    meta: Option<RequestMetaObject>,
    raise_on_error: bool,
}

impl CallTool {
    pub(super) fn new(client: Client, name: String, arguments: Value) -> Self {
        let timeout = client.inner.default_timeout;
        Self {
            client,
            name,
            arguments,
            handler: None,
            timeout,
            progress_resets_timeout: None,
            meta: None,
            raise_on_error: true,
        }
    }

    /// Handles this call's progress (instead of the client-wide handler) with an async closure
    /// `|progress, total, message| async move { … }` returning `()` or `Result<(), E>`.
    pub fn progress<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(f64, Option<f64>, Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: HandlerOutcome,
    {
        self.handler = Some(Arc::new(handler));
        self
    }

    /// Like [`progress`](Self::progress), for any [`ProgressHandler`] (a shared one, say).
    pub fn progress_handler(mut self, handler: Arc<dyn ProgressHandler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Fails the call with [`Error::Timeout`] (and cancels it on the server) if no result
    /// arrives in time.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Each progress notification restarts the timeout, but the call never runs longer than
    /// `max_total`.
    pub fn progress_resets_timeout(mut self, max_total: Duration) -> Self {
        self.progress_resets_timeout = Some(max_total);
        self
    }

    /// Extra `_meta` fields for the request (a JSON object; other values are ignored).
    pub fn meta(mut self, meta: Value) -> Self {
        if let Value::Object(object) = meta {
            self.meta = Some(RequestMetaObject(MetaObject(object)));
        }
        self
    }

    /// Whether an `isError` result becomes `Err(Error::Tool)` (default `true`) or is returned.
    pub fn raise_on_error(mut self, raise: bool) -> Self {
        self.raise_on_error = raise;
        self
    }

    async fn start(&mut self) -> Result<InFlight, Error> {
        let arguments = match std::mem::take(&mut self.arguments) {
            Value::Object(object) => Some(object),
            Value::Null => None,
            other => {
                return Err(Error::Data(format!(
                    "tool arguments must be a JSON object, not {other}"
                )));
            }
        };
        let mut params = CallToolRequestParams::new(self.name.clone());
        params.arguments = arguments;
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        let mut in_flight = self
            .client
            .start_with_progress(request, self.meta.take())
            .await?;
        in_flight.set_timeout(self.timeout, self.progress_resets_timeout);
        Ok(in_flight)
    }

    fn finish(&self, result: Result<ServerResult, Error>) -> Result<ToolCallResult, Error> {
        let raw = match result? {
            ServerResult::CallToolResult(raw) => raw,
            other => {
                return Err(Error::Data(format!(
                    "expected a CallToolResult, got {}",
                    serde_json::to_string(&other).unwrap_or_default()
                )));
            }
        };
        let result = ToolCallResult { raw };
        if self.raise_on_error && result.is_error() {
            return Err(Error::Tool {
                tool: self.name.clone(),
                message: result.text(),
            });
        }
        Ok(result)
    }

    async fn run(mut self) -> Result<ToolCallResult, Error> {
        let handler = self
            .handler
            .clone()
            .unwrap_or_else(|| Arc::clone(&self.client.inner.progress_handler));
        let mut in_flight = self.start().await?;
        loop {
            match in_flight.next().await {
                Step::Progress(event) => deliver(handler.as_ref(), event).await,
                Step::Done(result) => return self.finish(*result),
            }
        }
    }

    /// Runs the call as a stream: every progress event in order, then the result.
    ///
    /// ```no_run
    /// # async fn demo(client: fastmcp::Client) {
    /// use fastmcp::client::CallEvent;
    /// use futures::StreamExt;
    /// let mut events = std::pin::pin!(client.call_tool("long_task", serde_json::json!({"steps": 3})).stream());
    /// while let Some(event) = events.next().await {
    ///     match event {
    ///         CallEvent::Progress(p) => println!("{}/{:?}", p.progress, p.total),
    ///         CallEvent::Result(result) => println!("{:?}", result.map(|r| r.text())),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn stream(mut self) -> impl Stream<Item = CallEvent> + Send + 'static {
        enum State {
            Start(CallTool),
            Running(CallTool, Box<InFlight>),
            Finished,
        }
        stream::unfold(State::Start(self.take()), |state| async move {
            let (call, mut in_flight) = match state {
                State::Finished => return None,
                State::Running(call, in_flight) => (call, in_flight),
                State::Start(mut call) => match call.start().await {
                    Ok(in_flight) => (call, Box::new(in_flight)),
                    Err(error) => return Some((CallEvent::Result(Err(error)), State::Finished)),
                },
            };
            match in_flight.next().await {
                Step::Progress(event) => {
                    Some((CallEvent::Progress(event), State::Running(call, in_flight)))
                }
                Step::Done(result) => {
                    Some((CallEvent::Result(call.finish(*result)), State::Finished))
                }
            }
        })
    }

    fn take(&mut self) -> CallTool {
        CallTool {
            client: self.client.clone(),
            name: std::mem::take(&mut self.name),
            arguments: std::mem::take(&mut self.arguments),
            handler: self.handler.take(),
            timeout: self.timeout,
            progress_resets_timeout: self.progress_resets_timeout,
            meta: self.meta.take(),
            raise_on_error: self.raise_on_error,
        }
    }
}

impl IntoFuture for CallTool {
    type Output = Result<ToolCallResult, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// One step of a request in flight.
pub(super) enum Step {
    Progress(ProgressEvent),
    Done(Box<Result<ServerResult, Error>>),
}

/// A request in flight: its progress channel, its response, and its deadline.
pub(super) struct InFlight {
    client: Client,
    id: RequestId,
    events: mpsc::UnboundedReceiver<ProgressEvent>,
    response: BoxFuture<'static, Result<ServerResult, ServiceError>>,
    done: Option<Result<ServerResult, Error>>,
    /// The response (or a timeout) has been seen; dropping now cancels nothing.
    settled: bool,
    timeout: Option<Duration>,
    deadline: Option<Instant>,
    hard_deadline: Option<Instant>,
}

impl InFlight {
    pub(super) fn new(
        client: Client,
        handle: RequestHandle<RoleClient>,
        events: mpsc::UnboundedReceiver<ProgressEvent>,
    ) -> Self {
        let id = handle.id.clone();
        Self {
            client,
            id,
            events,
            response: Box::pin(handle.await_response()),
            done: None,
            settled: false,
            timeout: None,
            deadline: None,
            hard_deadline: None,
        }
    }

    fn set_timeout(&mut self, timeout: Option<Duration>, progress_resets: Option<Duration>) {
        let now = Instant::now();
        self.timeout = timeout;
        self.deadline = timeout.map(|t| now + t);
        self.hard_deadline = progress_resets.map(|cap| now + cap);
        if let (Some(deadline), Some(hard)) = (self.deadline, self.hard_deadline) {
            self.deadline = Some(deadline.min(hard));
        }
    }

    /// The next progress event, or the result once every event that preceded it is out.
    pub(super) async fn next(&mut self) -> Step {
        loop {
            if self.done.is_some() {
                // The route closed when the response was read, so what is queued is exactly
                // what arrived before the response.
                if let Ok(event) = self.events.try_recv() {
                    return Step::Progress(event);
                }
                return Step::Done(Box::new(self.done.take().unwrap_or_else(|| {
                    Err(Error::ConnectionClosed("the call already finished".into()))
                })));
            }
            let deadline = self.deadline;
            let client = self.client.clone();
            tokio::select! {
                biased;
                Some(event) = self.events.recv() => {
                    self.on_progress();
                    return Step::Progress(event);
                }
                response = &mut self.response => {
                    self.settled = true;
                    self.done = Some(match response {
                        Ok(result) => Ok(result),
                        Err(error) => Err(client.map_error(error).await),
                    });
                }
                () = sleep_until(deadline), if deadline.is_some() => {
                    self.settled = true;
                    client.inner.router.close(&self.id);
                    cancel(&client, self.id.clone(), "timeout").await;
                    let elapsed = self.timeout.unwrap_or_default();
                    self.done = Some(Err(Error::Timeout(elapsed)));
                }
            }
        }
    }

    fn on_progress(&mut self) {
        if let (Some(timeout), Some(hard)) = (self.timeout, self.hard_deadline) {
            self.deadline = Some((Instant::now() + timeout).min(hard));
        }
    }
}

impl Drop for InFlight {
    /// A call dropped before its result (the caller stopped waiting) is cancelled on the server.
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        self.client.inner.router.close(&self.id);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let client = self.client.clone();
            let id = self.id.clone();
            runtime.spawn(async move { cancel(&client, id, "the caller stopped waiting").await });
        }
    }
}

/// Tells the server to stop working on request `id`.
async fn cancel(client: &Client, id: RequestId, reason: &str) {
    let notification = ClientNotification::CancelledNotification(CancelledNotification::new(
        CancelledNotificationParam::new(Some(id), Some(reason.to_owned())),
    ));
    let _ = client.peer().send_notification(notification).await;
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
