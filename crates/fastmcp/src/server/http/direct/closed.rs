//! A peer whose connection has already ended, for requests that can never be asked anything.

use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::{Peer, RoleServer, ServerHandler};

/// A peer whose connection has already ended.
pub(super) fn closed_peer() -> Peer<RoleServer> {
    let running = rmcp::service::serve_directly(NoHandler, Closed, None);
    running.peer().clone()
}

/// The handler behind [`closed_peer`]; it never sees a message.
#[derive(Clone)]
struct NoHandler;

impl ServerHandler for NoHandler {}

/// A transport that is closed from the start.
struct Closed;

impl Transport<RoleServer> for Closed {
    type Error = std::io::Error;

    fn send(
        &mut self,
        _item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        std::future::ready(Err(std::io::ErrorKind::NotConnected.into()))
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleServer>>> + Send {
        std::future::ready(None)
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        std::future::ready(Ok(()))
    }
}
