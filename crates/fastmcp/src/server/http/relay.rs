//! A client's answers to a session's server→client requests, carried to the replica that asked.
//!
//! With replicas, a session's `sampling/createMessage` or `elicitation/create` is sent by the
//! replica serving the call, and waits in that replica's service loop; the client POSTs its
//! answer through the load balancer, to any replica. Each replica tags the ids of the requests
//! it sends (`{tag}~{original id as JSON}`); a replica that receives an answer tagged by another
//! hands it to a [`Relay`] (Redis pub/sub: `stores/relay.rs`), which delivers it to that
//! replica's session. Without a relay nothing is tagged.
//!
//! Messages for a session's `GET` stream (notifications and requests not sent while serving a
//! call) are not kept in the memory of the replica that sends them: every replica stores them
//! in the session's shared event stream, and the `GET` stream, on whichever replica the client
//! opened it, follows that stream ([`Relay::follow`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rmcp::model::{ClientJsonRpcMessage, RequestId, ServerJsonRpcMessage};

/// What a relay does with an answer that arrived for another replica: `Err` says why it could
/// not be carried.
pub(crate) type Forwarded<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Delivers an answer forwarded by another replica to session `.0` here.
pub(crate) type Deliver = Arc<
    dyn Fn(String, ClientJsonRpcMessage) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync,
>;

/// Ends this replica's copy of session `.0` (another replica ended the session).
pub(crate) type Ended = Arc<dyn Fn(String) + Send + Sync>;

/// Carries answers between replicas.
pub(crate) trait Relay: std::fmt::Debug + Send + Sync + 'static {
    /// This replica's tag.
    fn tag(&self) -> &str;
    /// Carries `message` (an answer for session `session`) to the replica tagged `owner`.
    fn forward<'a>(
        &'a self,
        owner: &'a str,
        session: &'a str,
        message: &'a ClientJsonRpcMessage,
    ) -> Forwarded<'a>;
    /// Starts handing what other replicas forward here to `deliver`, and the sessions they
    /// end to `ended`.
    fn listen(&self, deliver: Deliver, ended: Ended);
    /// Tells every replica that session `session` ended (a `DELETE`), so none serves it on.
    fn end_everywhere<'a>(&'a self, session: &'a str) -> Forwarded<'a>;
    /// The stored event stream `stream` (a session's `GET` stream, which every replica writes
    /// to), from the first event no `GET` stream has sent yet, then as events come.
    fn follow(&self, stream: &str) -> super::EventStream;
}

const SEPARATOR: char = '~';

/// Tags the id of a request this replica sends.
pub(super) fn tag_outgoing(tag: &str, message: &mut ServerJsonRpcMessage) {
    if let ServerJsonRpcMessage::Request(request) = message
        && let Ok(original) = serde_json::to_string(&request.id)
    {
        request.id = RequestId::String(format!("{tag}{SEPARATOR}{original}").into());
    }
}

/// The replica an answer is for, and the id its request had there; `None` for an untagged id.
pub(super) fn owner_of(message: &ClientJsonRpcMessage) -> Option<(&str, RequestId)> {
    let id = match message {
        ClientJsonRpcMessage::Response(response) => &response.id,
        ClientJsonRpcMessage::Error(error) => error.id.as_ref()?,
        _ => return None,
    };
    let RequestId::String(id) = id else {
        return None;
    };
    let (tag, original) = id.split_once(SEPARATOR)?;
    Some((tag, serde_json::from_str(original).ok()?))
}

/// `message` (an answer tagged by this replica) with the id its request had.
pub(super) fn untag(message: &mut ClientJsonRpcMessage, original: RequestId) {
    match message {
        ClientJsonRpcMessage::Response(response) => response.id = original,
        ClientJsonRpcMessage::Error(error) => error.id = Some(original),
        _ => {}
    }
}
