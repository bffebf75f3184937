//! Starting a session: `server/discover` (2026-07-28) first, `initialize` for older servers.
//!
//! Over stdio, memory and custom transports the answer to `server/discover` is awaited for as
//! long as the connect timeout allows: a server that is still starting (a cold `cargo run`,
//! `npx -y …`, a JVM) is slow, not legacy, and an `initialize` written behind an unanswered
//! `server/discover` would meet the late discover answer where it expects its own. A legacy
//! server answers `server/discover` with an error, and gets `initialize` on the same
//! connection. Over HTTP every request has its own answer, so rmcp's timed probe stays.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::Either;
use rmcp::model::{ErrorCode, ProtocolVersion, RequestId, ServerJsonRpcMessage};
use rmcp::service::{ClientInitializeError, RunningService, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::{ClientLifecycleMode, ClientServiceExt as _, RoleClient};
use tokio::time::Instant;

use super::handler::ClientSession;
use super::progress::{ProgressRouter, Routed};
use super::stdio::ServerProcess;
use super::{Client, ClientBuilder, EXIT_STATUS_GRACE, Era, Inner, delivery};
use crate::error::Error;

/// How a transport's first answer may behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Probe {
    /// Every answer comes, perhaps late (stdio, memory): wait for `server/discover`'s.
    Patient,
    /// A peer may stay silent on `server/discover` (HTTP): rmcp's timed probe.
    #[cfg_attr(not(feature = "http-client"), allow(dead_code))]
    Timed,
}

/// Why a handshake failed.
pub(super) enum Handshake {
    /// The server answered `server/discover` with something else than a discover result.
    NotDiscover(Error),
    Failed(Error),
}

impl Handshake {
    pub(super) fn into_error(self) -> Error {
        match self {
            Handshake::NotDiscover(error) | Handshake::Failed(error) => error,
        }
    }
}

/// A running rmcp session before it becomes a [`Client`].
struct Started {
    service: RunningService<RoleClient, ClientSession>,
    router: Arc<ProgressRouter>,
}

/// The end of one handshake attempt.
enum Attempt {
    Started(Started),
    Refused(Box<ClientInitializeError>),
}

impl ClientBuilder {
    pub(super) async fn handshake<T>(
        self,
        transport: T,
        process: Option<ServerProcess>,
        probe: Probe,
    ) -> Result<Client, Handshake>
    where
        T: Transport<RoleClient> + 'static,
    {
        let deadline = Instant::now() + self.connect_timeout;
        let mut attempt = Box::pin(async {
            if self.era == Era::Auto && probe == Probe::Patient {
                self.discover_then_initialize(transport).await
            } else {
                let lifecycle = lifecycle(self.era);
                self.attempt(Lent::new(transport).0, lifecycle).await
            }
        });
        let outcome = tokio::select! {
            outcome = &mut attempt => outcome,
            () = tokio::time::sleep_until(deadline) => {
                // Judged while the attempt still holds the transport: dropping it closes the
                // child's stdin, and the exit that follows is the client's doing.
                let error = self.timed_out(process.as_ref()).await;
                return Err(Handshake::Failed(error));
            }
        };
        drop(attempt);
        match outcome {
            Attempt::Started(started) => Ok(self.into_client(started, process)),
            Attempt::Refused(error) => Err(refused(*error, process.as_ref()).await),
        }
    }

    /// `server/discover`, awaited; on a legacy server's refusal, `initialize` on the same
    /// connection.
    async fn discover_then_initialize<T>(&self, transport: T) -> Attempt
    where
        T: Transport<RoleClient> + 'static,
    {
        let (lent, home) = Lent::new(transport);
        let discover = self.attempt(lent, lifecycle(Era::Stateless)).await;
        let Attempt::Refused(error) = discover else {
            return discover;
        };
        if !is_legacy_refusal(&error) {
            return Attempt::Refused(error);
        }
        tracing::debug!(%error, "server/discover refused: a legacy server; initializing");
        let Some(transport) = home.take() else {
            return Attempt::Refused(error);
        };
        match self
            .attempt(Lent::new(transport).0, lifecycle(Era::Legacy))
            .await
        {
            Attempt::Refused(fallback) => {
                Attempt::Refused(Box::new(ClientInitializeError::LegacyFallbackFailed {
                    discover: error,
                    fallback,
                }))
            }
            other => other,
        }
    }

    /// One rmcp handshake over `transport` (the caller bounds it in time).
    async fn attempt<T>(&self, transport: T, lifecycle: ClientLifecycleMode) -> Attempt
    where
        T: Transport<RoleClient> + 'static,
    {
        let router = Arc::new(ProgressRouter::default());
        let routed = Routed {
            inner: transport,
            router: Arc::clone(&router),
            delivery: delivery::Delivery::new(
                self.handlers.log.clone(),
                self.handlers.message.clone(),
            ),
        };
        let handshake = self.session().serve_with_lifecycle(routed, lifecycle);
        match handshake.await {
            Ok(service) => Attempt::Started(Started { service, router }),
            Err(error) => Attempt::Refused(Box::new(error)),
        }
    }

    fn session(&self) -> ClientSession {
        ClientSession {
            name: self.name.clone(),
            handlers: self.handlers.clone(),
            tasks: self.tasks,
            capabilities: self.capabilities.clone(),
        }
    }

    fn into_client(self, started: Started, process: Option<ServerProcess>) -> Client {
        let session = self.session();
        Client {
            inner: Arc::new(Inner {
                service: started.service,
                session,
                log_level: std::sync::Mutex::new(None),
                router: started.router,
                progress_handler: self.progress_handler,
                default_timeout: self.default_timeout,
                process,
            }),
        }
    }

    /// The error for a handshake that did not finish in time: the process's exit if it
    /// died, else what to do about a slow server.
    async fn timed_out(&self, process: Option<&ServerProcess>) -> Error {
        let waited = self.connect_timeout;
        let Some(process) = process else {
            return Error::connect(format!(
                "the server did not complete the MCP handshake within {waited:?}"
            ));
        };
        if let Some(exited) = process.exit_error(Duration::ZERO).await {
            return exited;
        }
        Error::connect(format!(
            "the server did not answer the MCP handshake within {waited:?}; the process is \
             still running. If it is slow to start, allow it more time \
             (ClientBuilder::connect_timeout, `fastmcp --connect-timeout SECONDS`); if it \
             never answers, check that it speaks MCP on stdout"
        ))
    }
}

/// The error for a refused handshake. A closed connection is blamed on the process only
/// when it ended by itself: a process the client gave up on exits because of the client.
async fn refused(error: ClientInitializeError, process: Option<&ServerProcess>) -> Handshake {
    if connection_ended(&error)
        && let Some(process) = process
        && let Some(exited) = process.exit_error(EXIT_STATUS_GRACE).await
    {
        return Handshake::Failed(exited);
    }
    let not_discover = matches!(error, ClientInitializeError::ExpectedInitResult(Some(_)));
    let described = Error::connect_from(describe_init_error(&error), error);
    if not_discover {
        Handshake::NotDiscover(described)
    } else {
        Handshake::Failed(described)
    }
}

/// Whether the handshake failed because the connection ended under it.
fn connection_ended(error: &ClientInitializeError) -> bool {
    match error {
        ClientInitializeError::ConnectionClosed(_)
        | ClientInitializeError::TransportError { .. } => true,
        ClientInitializeError::LegacyFallbackFailed { fallback, .. } => connection_ended(fallback),
        _ => false,
    }
}

/// Whether a failed `server/discover` says the server is legacy: a JSON-RPC error that is
/// not one of the 2026-07-28 refusals (rmcp has already negotiated versions), or an answer
/// that is not a discover result (some older servers answer unknown methods with `{}`).
fn is_legacy_refusal(error: &ClientInitializeError) -> bool {
    match error {
        ClientInitializeError::JsonRpcError(data) => !matches!(
            data.code,
            ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY | ErrorCode::HEADER_MISMATCH
        ),
        ClientInitializeError::ExpectedInitResult(Some(_)) => true,
        _ => false,
    }
}

pub(super) fn lifecycle(era: Era) -> ClientLifecycleMode {
    match era {
        Era::Legacy => ClientLifecycleMode::Initialize,
        Era::Stateless => ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        },
        Era::Auto => ClientLifecycleMode::Auto {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            legacy_version: Some(ProtocolVersion::LATEST_WITH_INITIALIZE),
        },
    }
}

fn describe_init_error(error: &ClientInitializeError) -> String {
    #[cfg(feature = "http-client")]
    if error.auth_challenge().is_some() {
        return "the server requires authorization (HTTP 401/403); give the client \
                credentials: ClientBuilder::oauth(…), client_credentials(…) (feature `auth`) \
                or bearer_token(…)"
            .into();
    }
    match error {
        ClientInitializeError::ConnectionClosed(_) => {
            "the server closed the connection during the handshake".into()
        }
        ClientInitializeError::JsonRpcError(data) => {
            format!("the server refused the handshake: {}", data.message)
        }
        // Name what failed, not the transport's (long, generic) type.
        ClientInitializeError::TransportError { error, context } => {
            format!("{context}: {}", error.error)
        }
        ClientInitializeError::LegacyFallbackFailed { discover, fallback } => format!(
            "the server refused server/discover ({}) and then initialize: {}",
            describe_init_error(discover),
            describe_init_error(fallback)
        ),
        other => other.to_string(),
    }
}

/// A transport lent to one handshake attempt. It comes back (to the [`Home`]) when the
/// attempt drops it, so `initialize` can follow a refused `server/discover` on the same
/// connection. Until the handshake's answer arrives it drops answers to requests it did not
/// send in this attempt, so a stray or late answer cannot take the place of the real one.
pub(super) struct Lent<T> {
    transport: Option<T>,
    home: Home<T>,
    /// The request this attempt waits on; `None` once answered.
    awaiting: Option<RequestId>,
    answered: bool,
}

/// Where a [`Lent`] transport returns when dropped.
pub(super) struct Home<T>(Arc<Mutex<Option<T>>>);

impl<T> Home<T> {
    fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl<T> Lent<T> {
    fn new(transport: T) -> (Self, Home<T>) {
        let home = Arc::new(Mutex::new(None));
        let lent = Self {
            transport: Some(transport),
            home: Home(Arc::clone(&home)),
            awaiting: None,
            answered: false,
        };
        (lent, Home(home))
    }

    /// Whether `message` answers a request other than the one this handshake waits on.
    fn is_stray(&mut self, message: &ServerJsonRpcMessage) -> bool {
        if self.answered {
            return false;
        }
        let id = match message {
            ServerJsonRpcMessage::Response(response) => Some(&response.id),
            ServerJsonRpcMessage::Error(error) => error.id.as_ref(),
            _ => return false,
        };
        // An error without an id answers what the server could not read: ours.
        let ours = id.is_none_or(|id| self.awaiting.as_ref() == Some(id));
        if ours {
            self.answered = true;
        }
        !ours
    }
}

impl<T> Drop for Lent<T> {
    fn drop(&mut self) {
        if let Some(transport) = self.transport.take() {
            *self.home.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(transport);
        }
    }
}

/// A [`Lent`] transport used after it went home (never: only its drop sends it home).
#[derive(Debug, thiserror::Error)]
pub(super) enum LentError<E> {
    #[error(transparent)]
    Transport(E),
    #[error("the connection was handed back after the handshake")]
    Returned,
}

impl<T: Transport<RoleClient> + 'static> Transport<RoleClient> for Lent<T> {
    type Error = LentError<T::Error>;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        use futures::TryFutureExt as _;
        if !self.answered
            && let rmcp::model::JsonRpcMessage::Request(request) = &item
        {
            self.awaiting = Some(request.id.clone());
        }
        match self.transport.as_mut() {
            Some(transport) => Either::Left(transport.send(item).map_err(LentError::Transport)),
            None => Either::Right(std::future::ready(Err(LentError::Returned))),
        }
    }

    async fn receive(&mut self) -> Option<ServerJsonRpcMessage> {
        loop {
            let message = self.transport.as_mut()?.receive().await?;
            if !self.is_stray(&message) {
                return Some(message);
            }
            tracing::debug!(
                ?message,
                "dropped an answer to no request of this handshake"
            );
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        match self.transport.as_mut() {
            Some(transport) => transport.close().await.map_err(LentError::Transport),
            None => Ok(()),
        }
    }
}
