//! Requests that can run long (`tools/call`, `resources/read`, `prompts/get`): options,
//! progress delivery, 2026-07-28 input rounds, and the stream form.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use super::queue::ProgressReceiver;
use futures::future::BoxFuture;
use futures::stream::{self, Stream};
use rmcp::RoleClient;
use rmcp::model::{
    CancelledNotification, CancelledNotificationParam, ClientNotification, ClientRequest,
    InputResponses, MetaObject, RequestId, RequestMetaObject, ServerResult,
};
use rmcp::service::{RequestHandle, ServiceError};
use serde_json::Value;
use tokio::time::Instant;

use super::progress::{
    HandlerOutcome, ProgressEvent, ProgressHandler, SharedProgressHandler, deliver,
};
use super::{Client, tasks};
use crate::error::Error;

/// How many `InputRequiredResult` rounds one request may take before it fails.
const MAX_INPUT_ROUNDS: usize = 10;

/// What a request asks for and how its result is read.
pub trait RequestKind: Send + 'static {
    /// What the request produces.
    type Output: Send + 'static;

    /// The request, carrying the answers of the previous input round, if any.
    fn request(&self, responses: Option<InputResponses>, state: Option<String>) -> ClientRequest;

    /// Reads the final result.
    fn finish(&self, result: ServerResult) -> Result<Self::Output, Error>;

    /// Fails before anything is sent, for a request that cannot be valid.
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Whether the server may answer with a task (SEP-2663) to follow to its result.
    fn may_run_as_task(&self) -> bool {
        false
    }
}

/// An event of a request driven as a stream: progress, then the result.
#[derive(Debug)]
pub enum CallEvent<T> {
    /// A progress notification.
    Progress(ProgressEvent),
    /// The final result; always the last event.
    Result(Result<T, Error>),
}

/// A configured request; `.await` it to run, or turn it into a stream with
/// [`stream`](Self::stream). Made by [`Client::call_tool`], [`Client::read_resource`] and
/// [`Client::get_prompt`].
#[must_use = "a request does nothing until awaited or streamed"]
pub struct Pending<K> {
    pub(super) client: Client,
    pub(super) kind: K,
    handler: Option<SharedProgressHandler>,
    timeout: Option<Duration>,
    progress_resets_timeout: Option<Duration>,
    meta: Option<RequestMetaObject>,
}

impl<K: RequestKind> Pending<K> {
    pub(super) fn new(client: Client, kind: K) -> Self {
        let timeout = client.inner.default_timeout;
        Self {
            client,
            kind,
            handler: None,
            timeout,
            progress_resets_timeout: None,
            meta: None,
        }
    }

    /// Handles this request's progress (instead of the client-wide handler) with an async
    /// closure `|progress, total, message| async move { … }` returning `()` or `Result<(), E>`.
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

    /// Fails with [`Error::Timeout`] (and cancels the request on the server) if no result
    /// arrives in time.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Each progress notification restarts the timeout, but the request never runs longer
    /// than `max_total`.
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

    /// Adds one `_meta` field.
    pub(super) fn meta_field(mut self, key: &str, value: Value) -> Self {
        let meta = self.meta.get_or_insert_with(RequestMetaObject::new);
        meta.0.0.insert(key.to_owned(), value);
        self
    }

    fn exchange(self) -> (Exchange<K>, SharedProgressHandler) {
        let handler = self
            .handler
            .unwrap_or_else(|| Arc::clone(&self.client.inner.progress_handler));
        let exchange = Exchange {
            client: self.client,
            kind: self.kind,
            meta: self.meta,
            timeout: self.timeout,
            progress_resets_timeout: self.progress_resets_timeout,
            in_flight: None,
            responses: None,
            state: None,
            rounds: 0,
            opted_into_tasks: false,
        };
        (exchange, handler)
    }

    async fn run(self) -> Result<K::Output, Error> {
        let (mut exchange, handler) = self.exchange();
        loop {
            match exchange.next().await {
                Step::Progress(event) => deliver(handler.as_ref(), event).await,
                Step::Done(result) => return (*result).and_then(|r| exchange.kind.finish(r)),
            }
        }
    }

    /// Runs the request as a stream: every progress event in order, then the result.
    ///
    /// ```no_run
    /// # async fn demo(client: fastmcp::Client) {
    /// use fastmcp::client::CallEvent;
    /// use futures::StreamExt;
    /// let call = client.call_tool("long_task", serde_json::json!({"steps": 3}));
    /// let mut events = std::pin::pin!(call.stream());
    /// while let Some(event) = events.next().await {
    ///     match event {
    ///         CallEvent::Progress(p) => println!("{}/{:?}", p.progress, p.total),
    ///         CallEvent::Result(result) => println!("{:?}", result.map(|r| r.text())),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn stream(self) -> impl Stream<Item = CallEvent<K::Output>> + Send + 'static {
        let (exchange, _) = self.exchange();
        stream::unfold(Some(exchange), |state| async move {
            let mut exchange = state?;
            match exchange.next().await {
                Step::Progress(event) => Some((CallEvent::Progress(event), Some(exchange))),
                Step::Done(result) => {
                    let result = (*result).and_then(|r| exchange.kind.finish(r));
                    Some((CallEvent::Result(result), None))
                }
            }
        })
    }
}

impl<K: RequestKind> IntoFuture for Pending<K> {
    type Output = Result<K::Output, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// One step of a request.
enum Step {
    Progress(ProgressEvent),
    Done(Box<Result<ServerResult, Error>>),
}

/// One logical request across its input rounds.
struct Exchange<K> {
    client: Client,
    kind: K,
    meta: Option<RequestMetaObject>,
    timeout: Option<Duration>,
    progress_resets_timeout: Option<Duration>,
    in_flight: Option<InFlight>,
    responses: Option<InputResponses>,
    state: Option<String>,
    rounds: usize,
    /// Sent again declaring the tasks extension, after the server said the call needs it.
    opted_into_tasks: bool,
}

impl<K: RequestKind> Exchange<K> {
    /// The next progress event, or the final result. An `InputRequiredResult` is answered
    /// with the client's handlers and the request sent again, transparently.
    async fn next(&mut self) -> Step {
        loop {
            let in_flight = match &mut self.in_flight {
                Some(in_flight) => in_flight,
                None => {
                    if let Err(error) = self.kind.check() {
                        return Step::Done(Box::new(Err(error)));
                    }
                    let request = self.kind.request(self.responses.take(), self.state.take());
                    match self
                        .client
                        .start_with_progress(request, self.meta.clone())
                        .await
                    {
                        Ok(mut in_flight) => {
                            in_flight.set_timeout(self.timeout, self.progress_resets_timeout);
                            self.in_flight.insert(in_flight)
                        }
                        Err(error) => return Step::Done(Box::new(Err(error))),
                    }
                }
            };
            match in_flight.next().await {
                InFlightStep::Progress(event) => return Step::Progress(event),
                InFlightStep::Done(result) => {
                    self.in_flight = None;
                    match *result {
                        Ok(ServerResult::InputRequiredResult(required)) => {
                            if let Err(error) = self.answer(required).await {
                                return Step::Done(Box::new(Err(error)));
                            }
                        }
                        Ok(ServerResult::CreateTaskResult(created))
                            if self.kind.may_run_as_task() =>
                        {
                            let (client, meta) = (self.client.clone(), self.meta.clone());
                            let followed = follow(client, created, meta, self.timeout);
                            return Step::Done(Box::new(followed.await));
                        }
                        Err(error)
                            if !self.opted_into_tasks
                                && self.kind.may_run_as_task()
                                && tasks::requires_tasks(&error) =>
                        {
                            // A tool that only runs as a task: ask again, declaring tasks.
                            self.opted_into_tasks = true;
                            self.meta = Some(tasks::opt_in(&self.client, self.meta.take()));
                        }
                        other => return Step::Done(Box::new(other)),
                    }
                }
            }
        }
    }

    async fn answer(&mut self, required: rmcp::model::InputRequiredResult) -> Result<(), Error> {
        self.rounds += 1;
        if self.rounds > MAX_INPUT_ROUNDS {
            return Err(Error::data(format!(
                "the server asked for input more than {MAX_INPUT_ROUNDS} times for one request"
            )));
        }
        let responses = self
            .client
            .inner
            .session
            .fulfil_all(required.input_requests.unwrap_or_default())
            .await
            .map_err(Error::Protocol)?;
        self.responses = (!responses.is_empty()).then_some(responses);
        self.state = required.request_state;
        Ok(())
    }
}

/// Follows the task the server made of a call, within the call's timeout.
async fn follow(
    client: Client,
    created: rmcp::model::CreateTaskResult,
    meta: Option<RequestMetaObject>,
    timeout: Option<Duration>,
) -> Result<ServerResult, Error> {
    let followed = tasks::follow(&client, created, meta);
    match timeout {
        Some(limit) => tokio::time::timeout(limit, followed)
            .await
            .unwrap_or(Err(Error::Timeout(limit))),
        None => followed.await,
    }
}

/// One step of one round.
pub(super) enum InFlightStep {
    Progress(ProgressEvent),
    Done(Box<Result<ServerResult, Error>>),
}

/// One request on the wire: its progress channel, its response, and its deadline.
pub(super) struct InFlight {
    client: Client,
    id: RequestId,
    events: ProgressReceiver,
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
        events: ProgressReceiver,
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
    pub(super) async fn next(&mut self) -> InFlightStep {
        loop {
            if self.done.is_some() {
                // The route closed when the response was read, so what is queued is exactly
                // what arrived before the response.
                if let Some(event) = self.events.try_recv() {
                    return InFlightStep::Progress(event);
                }
                let done = self
                    .done
                    .take()
                    .unwrap_or_else(|| Err(Error::closed("the request already finished")));
                return InFlightStep::Done(Box::new(done));
            }
            let deadline = self.deadline;
            let client = self.client.clone();
            tokio::select! {
                biased;
                Some(event) = self.events.recv() => {
                    self.on_progress();
                    return InFlightStep::Progress(event);
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
    /// A request dropped before its result (the caller stopped waiting) is cancelled on the
    /// server.
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
pub(super) async fn cancel(client: &Client, id: RequestId, reason: &str) {
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
