//! How a request's notifications reach the client.

use rmcp::model::{ServerJsonRpcMessage, ServerNotification};
use rmcp::{Peer, RoleServer};

use crate::transports::outbox::Outbox;

/// The way out for one request's notifications.
///
/// Over FastMCP's own transports the request carries the connection's [`Outbox`], and
/// notifications are queued on it directly, in order, without a round trip through rmcp's
/// service loop per message. Over any other rmcp transport they go through the `Peer`.
#[derive(Clone, Debug)]
pub(crate) enum Outbound {
    Direct(Outbox),
    Peer(Peer<RoleServer>),
}

impl Outbound {
    /// Sends `notification`; false if the connection is gone.
    pub(crate) async fn notify(&self, notification: ServerNotification) -> bool {
        match self {
            Outbound::Direct(outbox) => outbox
                .push_when_ready(&ServerJsonRpcMessage::notification(notification))
                .await
                .is_ok(),
            Outbound::Peer(peer) => peer.send_notification(notification).await.is_ok(),
        }
    }
}
