//! One connection to the upstream server, and where what it sends on its own goes: the
//! downstream session it serves, or the request holding it right now.
#![allow(deprecated)] // rmcp marks logging, sampling and resources/subscribe deprecated (SEP-2577).

use std::sync::{Arc, Mutex, PoisonError, Weak};

use rmcp::model::{
    ClientCapabilities, ErrorData, InputRequest, LoggingMessageNotification,
    LoggingMessageNotificationParam, ServerNotification, ServerResult, SubscriptionFilter,
};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio_util::task::AbortOnDropHandle;

use super::{Proxy, Upstreams};
use crate::client::{Client, Era, LogMessage, StdioServer, Target};
use crate::error::Error;
use crate::server::Context;
use crate::server::context::SessionState;
use crate::server::mount::ListOf;
use crate::server::notify::{ListKind, ServerRef};

/// A server the proxy can connect to as often as it needs.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    InProcess(crate::server::FastMCP),
    Stdio(StdioServer),
    Url(String),
}

impl Source {
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        match Target::parse(text)? {
            Target::Url(url) => Ok(Source::Url(url)),
            Target::Stdio(command) => Ok(Source::Stdio(command)),
            Target::InProcess(server) => Ok(Source::InProcess(server)),
            Target::Transport(_) => Err(Error::connect("a proxy cannot reconnect a transport")),
        }
    }

    fn target(&self) -> Target {
        match self {
            Source::InProcess(server) => Target::InProcess(server.clone()),
            Source::Stdio(command) => Target::Stdio(command.clone()),
            Source::Url(url) => Target::Url(url.clone()),
        }
    }

    /// How errors name the upstream.
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::InProcess(server) => server.name().to_owned(),
            Source::Stdio(command) => std::iter::once(command.program())
                .chain(command.arguments().iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            Source::Url(url) => url.clone(),
        }
    }
}

/// One upstream connection and where its own traffic goes.
#[derive(Clone)]
pub(crate) struct Upstream {
    pub(crate) client: Client,
    pub(crate) sink: Arc<Sink>,
}

impl Upstream {
    /// A new connection, listening for the upstream's list changes: a legacy session hears
    /// them anyway; on 2026-07-28 it opens `subscriptions/listen` (an upstream that refuses
    /// it is asked for its lists every time instead).
    async fn heard(client: Client, sink: Arc<Sink>) -> Self {
        if matches!(sink.current(), Current::Listeners) {
            // It only watches resources; other connections hear list changes.
            return Self { client, sink };
        }
        if !client.is_stateless() {
            sink.set_hears_changes(true);
            return Self { client, sink };
        }
        let filter = SubscriptionFilter::builder()
            .tools_list_changed()
            .prompts_list_changed()
            .resources_list_changed()
            .build();
        if let Ok(mut changes) = client.listen(filter).await {
            sink.set_hears_changes(true);
            let heard = Arc::downgrade(&sink);
            // Ends when the connection closes (the client is dropped) or the sink goes.
            tokio::spawn(async move {
                while let Ok(Some(notification)) = changes.next().await {
                    let Some(sink) = heard.upgrade() else { return };
                    sink.notify(notification);
                }
                if let Some(sink) = heard.upgrade() {
                    sink.set_hears_changes(false);
                }
            });
        }
        Self { client, sink }
    }
}

/// Who hears what an upstream connection sends outside a request's answer.
pub(crate) enum Downstream {
    /// Nobody (a pooled connection between requests): changes go to every client.
    Idle,
    /// A downstream legacy session, for as long as it lives.
    Session(Weak<SessionState>),
    /// The request holding a pooled connection. A 2026-07-28 request cannot be asked
    /// anything while it runs: the upstream's questions go to `questions`, for the proxy to
    /// send down as an input round.
    Request {
        ctx: Context,
        questions: Option<mpsc::Sender<Question>>,
    },
    /// The server's `subscriptions/listen` streams: a connection watching resources for
    /// them (see `Proxy::watch_for_listener`) passes on resource updates alone.
    Listeners,
}

/// An upstream question, and where its answer goes.
pub(crate) type Question = (InputRequest, oneshot::Sender<Result<Value, ErrorData>>);

/// What an upstream connection's handlers hand its logs, notifications and questions to.
pub(crate) struct Sink {
    downstream: Mutex<Downstream>,
    server: ServerRef,
    /// Whole lists, kept until the upstream says they changed (legacy upstreams only: a
    /// 2026-07-28 upstream has no session to say it on).
    lists: Mutex<[Option<ServerResult>; 4]>,
    /// Counts list changes, so a list fetched across one is not kept.
    generation: std::sync::atomic::AtomicU64,
    /// Whether the upstream tells this connection of list changes (a legacy session, or a
    /// 2026-07-28 `subscriptions/listen` it accepted): only then are lists kept.
    hears_changes: std::sync::atomic::AtomicBool,
    /// The upstream listens that watch resources for this connection, by the URIs each
    /// watches (2026-07-28 upstreams; a legacy session subscribes instead). Dropping one
    /// stops it.
    pub(super) watches: Mutex<std::collections::HashMap<Vec<String>, AbortOnDropHandle<()>>>,
}

impl Sink {
    fn new(downstream: Downstream, server: ServerRef) -> Self {
        Self {
            downstream: Mutex::new(downstream),
            server,
            lists: Mutex::default(),
            generation: std::sync::atomic::AtomicU64::new(0),
            hears_changes: std::sync::atomic::AtomicBool::new(false),
            watches: Mutex::default(),
        }
    }

    pub(crate) fn set(&self, downstream: Downstream) {
        *self.lock() = downstream;
    }

    /// The request now serving a call that continues across input rounds.
    pub(crate) fn set_context(&self, new: Context) {
        if let Downstream::Request { ctx, .. } = &mut *self.lock() {
            *ctx = new;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Downstream> {
        self.downstream
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The downstream session or request, cloned out of the lock.
    fn current(&self) -> Current {
        match &*self.lock() {
            Downstream::Idle => Current::Nobody,
            Downstream::Session(state) => match state.upgrade() {
                Some(state) => Current::Session(state),
                None => Current::Nobody,
            },
            Downstream::Request { ctx, questions } => {
                Current::Request(ctx.clone(), questions.clone())
            }
            Downstream::Listeners => Current::Listeners,
        }
    }

    /// Passes an upstream question (elicitation, sampling, roots) to the downstream client.
    async fn ask(&self, request: InputRequest) -> Result<Value, ErrorData> {
        let answer = match self.current() {
            Current::Session(state) => match state.legacy_peer() {
                Some(peer) => crate::server::input::ask_now(&peer, None, request).await,
                None => Err(Error::Unsupported(
                    "the downstream client cannot be asked".into(),
                )),
            },
            Current::Request(_, Some(questions)) => {
                let (answer, answered) = oneshot::channel();
                if questions.send((request, answer)).await.is_err() {
                    return Err(ErrorData::internal_error("the request ended", None));
                }
                return answered
                    .await
                    .unwrap_or_else(|_| Err(ErrorData::internal_error("the request ended", None)));
            }
            Current::Request(ctx, None) => ctx.ask(request).await,
            Current::Nobody | Current::Listeners => Err(Error::Unsupported(
                "the upstream server asked outside any request of a client".into(),
            )),
        };
        answer.map_err(|error| match error {
            Error::Protocol(error) => error,
            other => ErrorData::internal_error(other.to_string(), None),
        })
    }

    /// Passes an upstream log message on, at the levels the downstream client asked for.
    async fn log(&self, message: LogMessage) {
        match self.current() {
            Current::Session(state) => {
                let Some(peer) = state.legacy_peer().filter(|_| state.sends(message.level)) else {
                    return;
                };
                let mut param =
                    LoggingMessageNotificationParam::new(message.level.into(), message.data);
                param.logger = message.logger;
                let notification = ServerNotification::LoggingMessageNotification(
                    LoggingMessageNotification::new(param),
                );
                let _ = peer.send_notification(notification).await;
            }
            Current::Request(ctx, _) => {
                ctx.log_data(message.level, message.data, message.logger.as_deref())
                    .await;
            }
            Current::Nobody | Current::Listeners => crate::client::log_server_message(&message),
        }
    }

    /// Forgets stale lists and tells the downstream clients of an upstream change.
    pub(super) fn notify(&self, notification: ServerNotification) {
        let session = match self.current() {
            Current::Session(state) => Some(state),
            Current::Listeners => {
                if let ServerNotification::ResourceUpdatedNotification(updated) = notification {
                    self.server.listeners_updated(&updated.params.uri);
                }
                return;
            }
            _ => None,
        };
        let only = session.as_deref();
        let changed = match notification {
            ServerNotification::ToolListChangedNotification(_) => ListKind::Tools,
            ServerNotification::PromptListChangedNotification(_) => ListKind::Prompts,
            ServerNotification::ResourceListChangedNotification(_) => ListKind::Resources,
            ServerNotification::ResourceUpdatedNotification(updated) => {
                self.server.resource_updated(&updated.params.uri, only);
                return;
            }
            other => {
                tracing::debug!(?other, "upstream notification not passed on");
                return;
            }
        };
        {
            let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            for of in ListOf::of_kind(changed) {
                lists[*of as usize] = None;
            }
        }
        self.server.list_changed(changed, only);
    }

    pub(crate) fn cached(&self, of: ListOf) -> Option<ServerResult> {
        self.lists.lock().unwrap_or_else(PoisonError::into_inner)[of as usize].clone()
    }

    /// Whether lists may be kept (see `hears_changes`).
    pub(crate) fn hears_changes(&self) -> bool {
        self.hears_changes.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn set_hears_changes(&self, hears: bool) {
        self.hears_changes
            .store(hears, std::sync::atomic::Ordering::SeqCst);
        if !hears {
            *self.lists.lock().unwrap_or_else(PoisonError::into_inner) = Default::default();
        }
    }

    /// The count of list changes so far (see [`cache`](Self::cache)).
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Keeps `list`, fetched when the count of changes was `generation`, unless a change
    /// came since.
    pub(crate) fn cache(&self, of: ListOf, list: ServerResult, generation: u64) {
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        if self.generation() == generation {
            lists[of as usize] = Some(list);
        }
    }
}

enum Current {
    Nobody,
    Session(Arc<SessionState>),
    Request(Context, Option<mpsc::Sender<Question>>),
    Listeners,
}

impl Proxy {
    /// A new upstream connection whose own traffic goes to `downstream`, declaring
    /// `capabilities` (the downstream client's, when known), in the era that mirrors the
    /// downstream's, else the other.
    ///
    /// Boxed: connecting may start an in-process server, whose futures contain this one.
    pub(crate) fn connect(
        &self,
        downstream: Downstream,
        capabilities: Option<ClientCapabilities>,
        stateless: bool,
    ) -> futures::future::BoxFuture<'_, Result<Upstream, Error>> {
        Box::pin(self.connect_now(downstream, capabilities, stateless))
    }

    async fn connect_now(
        &self,
        downstream: Downstream,
        capabilities: Option<ClientCapabilities>,
        stateless: bool,
    ) -> Result<Upstream, Error> {
        let sink = Arc::new(Sink::new(downstream, self.server.clone()));
        let source = match &self.upstreams {
            Upstreams::Fixed(client) => {
                return Ok(Upstream {
                    client: client.clone(),
                    sink,
                });
            }
            Upstreams::Connect(source) => source,
        };
        let builder = self.builder_for(&sink, capabilities);
        if builder.era_setting() != Era::Auto {
            // The user chose the upstream era.
            let client = builder.connect(source.target()).await?;
            return Ok(Upstream::heard(client, sink).await);
        }
        let slot = usize::from(stateless);
        let preferred = if stateless {
            Era::Stateless
        } else {
            Era::Legacy
        };
        let first = self.learned_era(slot).unwrap_or(preferred);
        let second = match first {
            Era::Legacy => Era::Stateless,
            _ => Era::Legacy,
        };
        let client = match builder.clone().era(first).connect(source.target()).await {
            Ok(client) => client,
            Err(error @ Error::Io(_)) => return Err(error),
            Err(first_error) => {
                tracing::debug!(upstream = %self.label, %first_error, "trying the other era");
                let client = builder
                    .era(second)
                    .connect(source.target())
                    .await
                    .map_err(|_| first_error)?;
                self.learn_era(slot, second);
                client
            }
        };
        Ok(Upstream::heard(client, sink).await)
    }

    fn builder_for(
        &self,
        sink: &Arc<Sink>,
        capabilities: Option<ClientCapabilities>,
    ) -> crate::client::ClientBuilder {
        let (asks, logs, notes) = (Arc::clone(sink), Arc::clone(sink), Arc::clone(sink));
        let builder = self
            .builder
            .clone()
            .forward_input(move |request| {
                let sink = Arc::clone(&asks);
                async move { sink.ask(request).await }
            })
            .log_handler(move |message| {
                let sink = Arc::clone(&logs);
                async move { sink.log(message).await }
            })
            .message_handler(move |notification| {
                notes.notify(notification);
                std::future::ready(())
            });
        // Unknown (a pooled connection): the forwarding handler declares all it passes on.
        match capabilities {
            Some(capabilities) => builder.declare(capabilities),
            None => builder,
        }
    }

    fn learned_era(&self, slot: usize) -> Option<Era> {
        self.eras.lock().unwrap_or_else(PoisonError::into_inner)[slot]
    }

    fn learn_era(&self, slot: usize, era: Era) {
        self.eras.lock().unwrap_or_else(PoisonError::into_inner)[slot] = Some(era);
    }
}
