//! [`Manager`]: the [`SessionManager`] rmcp's HTTP service runs on.

use std::sync::Arc;

use futures::Stream;
use futures::StreamExt as _;
use rmcp::model::{
    ClientJsonRpcMessage, ClientNotification, GetExtensions as _, JsonRpcNotification,
    ServerJsonRpcMessage,
};
use rmcp::transport::common::server_side_http::{ServerSseMessage, SessionId};
use rmcp::transport::streamable_http_server::session::{
    EventStore, RestoreOutcome, SessionManager,
};
use tokio::sync::mpsc;

use super::super::relay;
use super::live::{AttachTo, LoopTransport, Route};
use super::{Call, Events, SessionError, Sessions, lock, receiver_stream};

/// The session manager rmcp's HTTP service runs on.
pub(crate) struct Manager {
    sessions: Arc<Sessions>,
}

impl Manager {
    pub(crate) fn new(sessions: Arc<Sessions>) -> Self {
        Self { sessions }
    }
}

impl SessionManager for Manager {
    type Error = SessionError;
    type Transport = LoopTransport;

    async fn create_session(&self) -> Result<(SessionId, LoopTransport), SessionError> {
        let id: SessionId = crate::server::secret::secret()?.new_id().into();
        Ok((id.clone(), self.sessions.open(id, true)))
    }

    /// A session another replica opened (or this one, before a restart): rmcp found its
    /// `initialize` in the session store and replays it on the transport returned here.
    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<LoopTransport>, SessionError> {
        if self.sessions.get(&id).is_ok() {
            return Ok(RestoreOutcome::AlreadyPresent);
        }
        Ok(RestoreOutcome::Restored(self.sessions.open(id, false)))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, SessionError> {
        let live = self.sessions.get(id)?;
        let ClientJsonRpcMessage::Request(mut request) = message else {
            return Err(SessionError::Unexpected("initialize must be a request"));
        };
        request.request.extensions_mut().insert(AttachTo {
            slot: Arc::clone(&live.attached),
            id: id.clone(),
            share: self.sessions.share.clone(),
        });
        let (sender, mut answers) = mpsc::channel(1);
        let request_id = request.id.clone();
        live.route(
            request_id.clone(),
            Route {
                messages: sender,
                cancel: live.ended.child_token(),
            },
        );
        let sent = live
            .inbox
            .send(Box::new(ClientJsonRpcMessage::Request(request)))
            .await;
        let answer = match sent {
            Ok(()) => answers.recv().await,
            Err(_) => None,
        };
        live.unroute(&request_id);
        answer.ok_or_else(|| SessionError::Ended(id.clone()))
    }

    /// A session being taken over here answers once its handshake has been replayed, so a
    /// request that arrives meanwhile is not served by a session that is not initialized yet.
    async fn has_session(&self, id: &SessionId) -> Result<bool, SessionError> {
        match self.sessions.get(id) {
            Ok(live) => Ok(live.until_ready().await),
            Err(_) => Ok(false),
        }
    }

    /// Ends the session here; with replicas, drops what they share of it and tells every
    /// replica to end its copy (the `DELETE` may reach one that never held the session).
    async fn close_session(&self, id: &SessionId) -> Result<(), SessionError> {
        let live = self.sessions.remove(id);
        let shared_copy = live.as_ref().and_then(|live| live.attached());
        match (shared_copy, &self.sessions.share) {
            (Some(attached), _) => attached.session.state.forget().await,
            (None, Some(share)) => {
                if let Err(error) = share.forget(id).await {
                    tracing::warn!(%error, session = %id, "shared session not dropped");
                }
            }
            (None, None) => {}
        }
        if let Some(live) = live {
            live.end();
        }
        if let Some(relay) = &self.sessions.relay
            && let Err(error) = relay.end_everywhere(id).await
        {
            tracing::warn!(%error, session = %id, "other replicas were not told the session ended");
        }
        Ok(())
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let live = self.sessions.get(id)?;
        let ClientJsonRpcMessage::Request(request) = message else {
            return Err(SessionError::Unexpected("a stream is opened by a request"));
        };
        let attached = live
            .attached()
            .ok_or_else(|| SessionError::NotInitialized(id.clone()))?;
        let call = Call::start(&live, attached, request);
        Ok(call.answer(live, self.sessions.retry).await.into_stream())
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), SessionError> {
        let live = self.sessions.get(id)?;
        if let ClientJsonRpcMessage::Notification(JsonRpcNotification {
            notification: ClientNotification::CancelledNotification(cancelled),
            ..
        }) = &message
            && let Some(request_id) = &cancelled.params.request_id
            && let Some(route) = lock(&live.routes).get(request_id)
        {
            route.cancel.cancel();
        }
        if let Some(relay) = &live.relay
            && let Some((owner, _)) = relay::owner_of(&message)
            && owner != relay.tag()
        {
            // An answer to a request another replica sent: it waits there.
            if let Err(error) = relay.forward(owner, id, &message).await {
                tracing::warn!(%error, session = %id, "an answer for another replica was not carried");
            }
            return Ok(());
        }
        let initialized = matches!(
            &message,
            ClientJsonRpcMessage::Notification(JsonRpcNotification {
                notification: ClientNotification::InitializedNotification(_),
                ..
            })
        );
        live.inbox
            .send(Box::new(message))
            .await
            .map_err(|_| SessionError::Ended(id.clone()))?;
        if initialized {
            // Queued behind the handshake now, requests waiting in `has_session` may follow.
            live.ready.send_replace(true);
        }
        Ok(())
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let live = self.sessions.get(id)?;
        let ended = live.ended.clone();
        let events: Events = match &live.relay {
            Some(relay) if live.follows_shared_stream() => relay.follow(&live.common_log().name),
            _ => match live.open_common() {
                Some(receiver) => Box::pin(receiver_stream(receiver)),
                None => Box::pin(futures::stream::pending()),
            },
        };
        Ok(Box::pin(
            events.take_until(async move { ended.cancelled().await }),
        ))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let live = self.sessions.get(id)?;
        let Some(events) = &self.sessions.events else {
            return Err(SessionError::Unexpected(
                "streams cannot be resumed: the server keeps no events",
            ));
        };
        let replay = events
            .replay_events_after(&last_event_id)
            .await
            .map_err(SessionError::EventStore)?;
        let ended = live.ended.clone();
        Ok(Box::pin(
            replay.take_until(async move { ended.cancelled().await }),
        ))
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.sessions.events.clone()
    }
}
