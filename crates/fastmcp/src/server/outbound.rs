//! How a request's notifications reach the client.

use rmcp::model::{ServerJsonRpcMessage, ServerNotification};
use rmcp::{Peer, RoleServer};
#[cfg(feature = "http-server")]
use tokio::sync::mpsc;

use crate::transports::outbox::Outbox;

/// The way out for one request's notifications.
///
/// Over FastMCP's own transports the request carries the connection's [`Outbox`], and
/// notifications are queued on it directly, in order, without a round trip through rmcp's
/// service loop per message. Over any other rmcp transport they go through the `Peer`.
#[derive(Clone, Debug)]
pub(crate) enum Outbound {
    Direct(Outbox),
    /// The response stream of one HTTP request served on FastMCP's direct path.
    #[cfg(feature = "http-server")]
    Stream(mpsc::Sender<ServerJsonRpcMessage>),
    Peer(Peer<RoleServer>),
}

/// Put in a request's extensions by the HTTP direct path: the request's notifications go on
/// its own response stream.
#[cfg(feature = "http-server")]
#[derive(Clone, Debug)]
pub(crate) struct ResponseStream(pub(crate) mpsc::Sender<ServerJsonRpcMessage>);

impl Outbound {
    /// The way out for `request`: its HTTP response stream, the connection's outbox, or the
    /// rmcp peer.
    pub(crate) fn for_request(request: &rmcp::service::RequestContext<RoleServer>) -> Self {
        #[cfg(feature = "http-server")]
        if let Some(ResponseStream(stream)) = request.extensions.get::<ResponseStream>() {
            return Outbound::Stream(stream.clone());
        }
        match request.extensions.get::<Outbox>() {
            Some(outbox) => Outbound::Direct(outbox.clone()),
            None => Outbound::Peer(request.peer.clone()),
        }
    }
}

impl Outbound {
    /// Sends `notification`; false if the connection is gone.
    pub(crate) async fn notify(&self, notification: ServerNotification) -> bool {
        match self {
            Outbound::Direct(outbox) => outbox
                .push_when_ready(&ServerJsonRpcMessage::notification(notification))
                .await
                .is_ok(),
            #[cfg(feature = "http-server")]
            Outbound::Stream(stream) => stream
                .send(ServerJsonRpcMessage::notification(notification))
                .await
                .is_ok(),
            Outbound::Peer(peer) => peer.send_notification(notification).await.is_ok(),
        }
    }
}
