//! Passing a downstream request to the upstream server and its answer back: progress
//! remapped to the downstream token, cancellation passed up, input rounds carried across eras.
#![allow(deprecated)] // rmcp marks logging and resources/subscribe deprecated (SEP-2577).

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    ClientRequest, ErrorData, InputResponses, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, RequestMetaObject, ServerResult,
};
use rmcp::service::RequestContext;

use super::Proxy;
use super::parked::{Parked, start_call};
use super::pool::Lease;
use super::upstream::{Downstream, Question, Upstream};
use crate::error::Error;
use crate::logging::LogLevel;
use crate::server::context::is_stateless;
use crate::server::mount::ListOf;
use crate::server::{Context, Session};
use tokio::sync::mpsc;

/// How many input rounds one forwarded request may take.
const MAX_INPUT_ROUNDS: usize = 10;

/// Questions an upstream may ask at once during one 2026-07-28 request.
const QUESTIONS: usize = 16;

/// `_meta` keys the upstream client sets for itself. (A 2026-07-28 client's capabilities
/// travel on: the upstream learns what the client at the end can do, the tasks extension
/// included.)
const OWN_META: [&str; 3] = [
    "progressToken",
    "io.modelcontextprotocol/protocolVersion",
    "io.modelcontextprotocol/clientInfo",
];

/// The upstream connection a request uses: its session's, or one leased from the pool.
pub(super) enum Held {
    Session(Upstream),
    Lease(Lease),
}

impl Held {
    pub(super) fn upstream(&self) -> Option<&Upstream> {
        match self {
            Held::Session(upstream) => Some(upstream),
            Held::Lease(lease) => lease.upstream(),
        }
    }
}

impl Proxy {
    /// Serves `request` from upstream.
    pub(crate) async fn forward(
        &self,
        session: &Session,
        request: ClientRequest,
        context: &RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        let ctx = session.middleware_context(context);
        let result = self.serve(session, request, context, &ctx).await;
        // Held progress goes out before the answer; nothing after it.
        ctx.finish().await;
        result
    }

    async fn serve(
        &self,
        session: &Session,
        request: ClientRequest,
        context: &RequestContext<RoleServer>,
        ctx: &Context,
    ) -> Result<ServerResult, ErrorData> {
        if is_stateless(context)
            && let Some(parked) = self.unpark(session, &request)?
        {
            return self.resume(parked, &request, session, context, ctx).await;
        }
        let meta = forwarded_meta(&context.meta);
        if let Some(upstream) = self.tasks.connection(&request) {
            // A task lives on the connection that started it.
            return self.run(&upstream, request, meta, context, ctx).await;
        }
        let (held, questions) = self
            .hold(session, context, ctx)
            .await
            .map_err(|error| self.failed(error))?;
        let upstream = held
            .upstream()
            .ok_or_else(|| self.failed(Error::closed("no upstream connection")))?
            .clone();
        let pooled = matches!(held, Held::Lease(_));
        if let Some(answer) = self.answer_here(&upstream, &request, session).await {
            return answer;
        }
        let answer = match questions {
            // A 2026-07-28 request: the upstream's questions become input rounds.
            Some(questions) => {
                let progress_to = Arc::new(std::sync::Mutex::new(ctx.clone()));
                let call = start_call(&upstream, request, meta, Arc::clone(&progress_to));
                let parked = Parked {
                    call,
                    questions,
                    waiting: Vec::new(),
                    progress_to,
                    held,
                };
                self.drive(parked, session, context).await
            }
            None => self.run(&upstream, request, meta, context, ctx).await,
        };
        if let (Ok(ServerResult::CreateTaskResult(created)), true) = (&answer, pooled) {
            self.tasks.pin(&created.task.task_id, &upstream);
        }
        answer
    }

    /// The upstream's whole list of `of` (kept until the upstream says it changed).
    pub(crate) async fn list(
        &self,
        session: &Session,
        of: ListOf,
        context: &RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        let ctx = session.middleware_context(context);
        let (held, _) = self
            .hold(session, context, &ctx)
            .await
            .map_err(|error| self.failed(error))?;
        let upstream = held
            .upstream()
            .ok_or_else(|| self.failed(Error::closed("no upstream connection")))?;
        if let Some(list) = upstream.sink.cached(of) {
            return Ok(list);
        }
        let generation = upstream.sink.generation();
        let client = &upstream.client;
        let list = match of {
            ListOf::Tools => client
                .list_tools()
                .await
                .map(|all| ServerResult::ListToolsResult(ListToolsResult::with_all_items(all))),
            ListOf::Resources => client.list_resources().await.map(|all| {
                ServerResult::ListResourcesResult(ListResourcesResult::with_all_items(all))
            }),
            ListOf::ResourceTemplates => client.list_resource_templates().await.map(|all| {
                ServerResult::ListResourceTemplatesResult(
                    ListResourceTemplatesResult::with_all_items(all),
                )
            }),
            ListOf::Prompts => client
                .list_prompts()
                .await
                .map(|all| ServerResult::ListPromptsResult(ListPromptsResult::with_all_items(all))),
        }
        .map_err(|error| self.failed(error))?;
        if upstream.sink.hears_changes() {
            upstream.sink.cache(of, list.clone(), generation);
        }
        Ok(list)
    }

    /// The upstream connection for a request: its legacy session's own (per-session
    /// isolation), else one leased from the pool for the request's duration.
    async fn hold(
        &self,
        session: &Session,
        context: &RequestContext<RoleServer>,
        ctx: &Context,
    ) -> Result<(Held, Option<mpsc::Receiver<Question>>), Error> {
        let stateless = is_stateless(context);
        let own_session = self.isolation == super::Isolation::PerSession
            && !stateless
            && matches!(self.upstreams, super::Upstreams::Connect(_));
        if own_session {
            let upstream = self.session_upstream(session, context).await?;
            return Ok((Held::Session(upstream), None));
        }
        let (idle, permit) = self
            .pool
            .reserve()
            .await
            .ok_or_else(|| Error::closed("the proxy is shutting down"))?;
        let upstream = match idle {
            Some(upstream) => upstream,
            None => self.connect(Downstream::Idle, None, stateless).await?,
        };
        let (questions, asked) = if stateless {
            let (sender, receiver) = mpsc::channel(QUESTIONS);
            (Some(sender), Some(receiver))
        } else {
            (None, None)
        };
        upstream.sink.set(Downstream::Request {
            ctx: ctx.clone(),
            questions,
        });
        Ok((Held::Lease(Lease::new(&self.pool, upstream, permit)), asked))
    }

    /// The downstream session's upstream session, opened on first use (and again if it
    /// closed).
    async fn session_upstream(
        &self,
        session: &Session,
        context: &RequestContext<RoleServer>,
    ) -> Result<Upstream, Error> {
        let state = session.state();
        for _ in 0..2 {
            let slot = state.upstreams.slot(self.id);
            let upstream = slot
                .get_or_try_init(|| {
                    let downstream = Downstream::Session(Arc::downgrade(state));
                    self.connect(downstream, context.client_capabilities(), false)
                })
                .await?;
            if !upstream.client.is_closed() {
                return Ok(upstream.clone());
            }
            state.upstreams.forget(self.id);
        }
        Err(Error::closed("the upstream server closed the session"))
    }

    /// What the proxy answers itself, with the upstream's help: `ping` (the upstream must
    /// answer), `logging/setLevel` (kept for the session and passed on); subscriptions are
    /// recorded before they are passed on, so updates find their way back.
    async fn answer_here(
        &self,
        upstream: &Upstream,
        request: &ClientRequest,
        session: &Session,
    ) -> Option<Result<ServerResult, ErrorData>> {
        let client = &upstream.client;
        let done = match request {
            ClientRequest::PingRequest(_) => client.ping().await,
            ClientRequest::SetLevelRequest(set) => {
                let level = LogLevel::from(set.params.level);
                session.state().set_log_level(level);
                client.set_logging_level(level).await
            }
            // A legacy upstream takes subscriptions as they are; a 2026-07-28 one is asked
            // to listen for the resource.
            ClientRequest::SubscribeRequest(subscribe) => {
                session.state().subscribe(subscribe.params.uri.clone());
                if !client.is_stateless() {
                    return None;
                }
                upstream.watch(vec![subscribe.params.uri.clone()]).await
            }
            ClientRequest::UnsubscribeRequest(unsubscribe) => {
                session.state().unsubscribe(&unsubscribe.params.uri);
                if !client.is_stateless() {
                    return None;
                }
                upstream.unwatch(&unsubscribe.params.uri).await
            }
            _ => return None,
        };
        Some(
            done.map(|()| ServerResult::empty(()))
                .map_err(|error| self.failed(error)),
        )
    }

    /// Sends `request` upstream for a legacy downstream session, which the proxy can ask
    /// itself: a 2026-07-28 upstream's input rounds are answered by asking the downstream
    /// client, and the request is sent again with the answers.
    async fn run(
        &self,
        upstream: &Upstream,
        mut request: ClientRequest,
        meta: Option<RequestMetaObject>,
        context: &RequestContext<RoleServer>,
        ctx: &Context,
    ) -> Result<ServerResult, ErrorData> {
        for _ in 0..=MAX_INPUT_ROUNDS {
            let call = upstream
                .client
                .forward(request.clone(), meta.clone(), |event| {
                    let ctx = ctx.clone();
                    async move {
                        let message = event.message.as_deref();
                        ctx.report_progress(event.progress, event.total, message)
                            .await;
                    }
                });
            let answer = tokio::select! {
                biased;
                () = context.ct.cancelled() => return Err(cancelled()),
                answer = call => answer,
            };
            match answer {
                Ok(ServerResult::InputRequiredResult(required)) => {
                    let questions = required.input_requests.unwrap_or_default();
                    let mut answers = InputResponses::new();
                    for (key, question) in questions {
                        let answer = ctx.ask(question).await.map_err(|e| self.failed(e))?;
                        answers.insert(key, answer);
                    }
                    next_round(&mut request, answers, required.request_state);
                }
                Ok(answer) => return Ok(answer),
                Err(error) => return Err(self.failed(error)),
            }
        }
        Err(ErrorData::internal_error(
            format!("the upstream server asked for input more than {MAX_INPUT_ROUNDS} times"),
            None,
        ))
    }

    /// An upstream failure as the downstream client sees it: the upstream's own JSON-RPC
    /// error as it is; anything else names the upstream.
    pub(super) fn failed(&self, error: Error) -> ErrorData {
        match error {
            Error::Protocol(error) => error,
            other => ErrorData::internal_error(
                format!("upstream server '{}': {other}", self.label),
                None,
            ),
        }
    }
}

pub(super) fn cancelled() -> ErrorData {
    ErrorData::new(crate::server::REQUEST_CANCELLED, "Request cancelled", None)
}

/// The downstream request's `_meta` minus what the upstream client sets itself.
fn forwarded_meta(meta: &RequestMetaObject) -> Option<RequestMetaObject> {
    let mut meta = meta.clone();
    for key in OWN_META {
        meta.0.0.remove(key);
    }
    (!meta.0.0.is_empty()).then_some(meta)
}

/// `request` again, carrying the answers of an input round and the upstream's state.
fn next_round(request: &mut ClientRequest, answers: InputResponses, state: Option<String>) {
    match request {
        ClientRequest::CallToolRequest(call) => {
            call.params.input_responses = Some(answers);
            call.params.request_state = state;
        }
        ClientRequest::ReadResourceRequest(read) => {
            read.params.input_responses = Some(answers);
            read.params.request_state = state;
        }
        ClientRequest::GetPromptRequest(get) => {
            get.params.input_responses = Some(answers);
            get.params.request_state = state;
        }
        _ => {}
    }
}
