//! [`MiddlewareContext`]: what a hook knows about the message it sees.

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    ClientNotification, ClientRequest, ConstString, ErrorData, Implementation, ProtocolVersion,
    ServerResult,
};
use rmcp::service::{NotificationContext, Peer, RequestContext};

use super::Middleware;
use crate::server::{Context, FastMCP, Session};

/// What a hook knows about the message it sees: its method, the session, the client, the
/// protocol era, the transport, and (for a request) its [`Context`].
pub struct MiddlewareContext<'a> {
    pub(super) session: &'a Session,
    pub(super) chain: &'a [Arc<dyn Middleware>],
    origin: Origin<'a>,
    method: Cow<'static, str>,
}

/// Where the message came from: rmcp's context for it.
enum Origin<'a> {
    Request(&'a RequestContext<RoleServer>),
    Notification(&'a NotificationContext<RoleServer>),
}

/// How the message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transport {
    /// Streamable HTTP.
    Http,
    /// A byte stream: stdio, in-memory, or another rmcp stream transport.
    Stream,
}

impl<'a> MiddlewareContext<'a> {
    pub(crate) fn for_request(
        session: &'a Session,
        chain: &'a [Arc<dyn Middleware>],
        request: &ClientRequest,
        context: &'a RequestContext<RoleServer>,
    ) -> Self {
        Self {
            session,
            chain,
            origin: Origin::Request(context),
            method: request_method(request),
        }
    }

    pub(crate) fn for_notification(
        session: &'a Session,
        chain: &'a [Arc<dyn Middleware>],
        notification: &ClientNotification,
        context: &'a NotificationContext<RoleServer>,
    ) -> Self {
        Self {
            session,
            chain,
            origin: Origin::Notification(context),
            method: notification_method(notification),
        }
    }

    /// The message's method (`tools/call`, `notifications/initialized`, …), as it arrived.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Whether the message is a request (else a notification).
    pub fn is_request(&self) -> bool {
        matches!(self.origin, Origin::Request(_))
    }

    /// The session's id: stable across a legacy session's requests; on 2026-07-28, where
    /// there are no sessions, unique per connection.
    pub fn session_id(&self) -> &str {
        self.session.state_id()
    }

    /// The client's name and version, as it introduced itself (per request on 2026-07-28).
    pub fn client_info(&self) -> Option<Implementation> {
        match self.origin {
            Origin::Request(request) => request.client_info(),
            Origin::Notification(notification) => notification
                .peer
                .peer_info()
                .map(|info| info.client_info.clone()),
        }
    }

    /// The protocol version the message speaks.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        match self.origin {
            Origin::Request(request) => request.protocol_version(),
            Origin::Notification(notification) => notification
                .peer
                .peer_info()
                .map(|info| info.protocol_version.clone()),
        }
    }

    /// Whether the message belongs to the stateless 2026-07-28 era (no `initialize`, no
    /// session), rather than a legacy session.
    pub fn is_stateless(&self) -> bool {
        self.protocol_version()
            .is_some_and(|version| !version.has_initialize())
    }

    /// How the message arrived.
    pub fn transport(&self) -> Transport {
        #[cfg(feature = "http-server")]
        {
            let extensions = match self.origin {
                Origin::Request(request) => &request.extensions,
                Origin::Notification(notification) => &notification.extensions,
            };
            if extensions.get::<http::request::Parts>().is_some() {
                return Transport::Http;
            }
        }
        Transport::Stream
    }

    /// The request's [`Context`] (logging, progress, state), as its handler would get it.
    /// `None` for a notification. Asking the client for input (elicitation, sampling) from
    /// middleware is not supported: do it in the handler.
    pub fn context(&self) -> Option<Context> {
        match self.origin {
            Origin::Request(request) => Some(self.session.middleware_context(request)),
            Origin::Notification(_) => None,
        }
    }

    /// The HTTP request the message arrived in; `None` on stdio and in-memory connections.
    #[cfg(feature = "http-server")]
    pub fn http_request(&self) -> Option<&crate::server::HttpRequest> {
        let extensions = match self.origin {
            Origin::Request(request) => &request.extensions,
            Origin::Notification(notification) => &notification.extensions,
        };
        crate::server::http::request::of(extensions).map(|request| &**request)
    }

    /// The caller's verified access token, when the server checks tokens
    /// ([`FastMCP::auth`](crate::FastMCP::auth)).
    #[cfg(feature = "server-auth")]
    pub fn access_token(&self) -> Option<&crate::server::auth::AccessToken> {
        self.http_request()
            .and_then(crate::server::HttpRequest::access_token)
    }

    /// rmcp's context of the request (its id, `_meta`, cancellation, extensions such as the
    /// HTTP request parts). `None` for a notification.
    pub fn request_context(&self) -> Option<&RequestContext<RoleServer>> {
        match self.origin {
            Origin::Request(request) => Some(request),
            Origin::Notification(_) => None,
        }
    }

    /// The client, to send it requests or notifications.
    pub fn peer(&self) -> &Peer<RoleServer> {
        match self.origin {
            Origin::Request(request) => &request.peer,
            Origin::Notification(notification) => &notification.peer,
        }
    }

    /// The server the message reached.
    pub fn server(&self) -> &FastMCP {
        self.session.server()
    }

    /// The server's answer to `request`: the end of the chain.
    pub(super) async fn serve(&self, request: ClientRequest) -> Result<ServerResult, ErrorData> {
        match self.origin {
            Origin::Request(context) => self.session.serve(request, context).await,
            Origin::Notification(_) => Err(ErrorData::internal_error(
                "a notification cannot be answered as a request",
                None,
            )),
        }
    }

    /// The server's handling of `notification`: the end of the chain.
    pub(super) async fn notify(&self, notification: ClientNotification) {
        if let Origin::Notification(context) = self.origin {
            self.session.serve_notification(notification, context).await;
        }
    }
}

impl std::fmt::Debug for MiddlewareContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiddlewareContext")
            .field("method", &self.method)
            .field("request", &self.is_request())
            .finish_non_exhaustive()
    }
}

/// A `'static` name for every method rmcp knows (no copy per request); custom methods are
/// copied.
fn request_method(request: &ClientRequest) -> Cow<'static, str> {
    fn name<M: ConstString>(_: &M) -> Cow<'static, str> {
        Cow::Borrowed(M::VALUE)
    }
    use ClientRequest as R;
    match request {
        R::PingRequest(r) => name(&r.method),
        R::InitializeRequest(r) => name(&r.method),
        R::DiscoverRequest(r) => name(&r.method),
        R::CompleteRequest(r) => name(&r.method),
        R::SetLevelRequest(r) => name(&r.method),
        R::GetPromptRequest(r) => name(&r.method),
        R::ListPromptsRequest(r) => name(&r.method),
        R::ListResourcesRequest(r) => name(&r.method),
        R::ListResourceTemplatesRequest(r) => name(&r.method),
        R::ReadResourceRequest(r) => name(&r.method),
        R::SubscribeRequest(r) => name(&r.method),
        R::UnsubscribeRequest(r) => name(&r.method),
        R::CallToolRequest(r) => name(&r.method),
        R::ListToolsRequest(r) => name(&r.method),
        R::GetTaskRequest(r) => name(&r.method),
        R::UpdateTaskRequest(r) => name(&r.method),
        R::CancelTaskRequest(r) => name(&r.method),
        other => Cow::Owned(other.method().to_owned()),
    }
}

fn notification_method(notification: &ClientNotification) -> Cow<'static, str> {
    fn name<M: ConstString>(_: &M) -> Cow<'static, str> {
        Cow::Borrowed(M::VALUE)
    }
    use ClientNotification as N;
    match notification {
        N::CancelledNotification(n) => name(&n.method),
        N::ProgressNotification(n) => name(&n.method),
        N::InitializedNotification(n) => name(&n.method),
        N::RootsListChangedNotification(n) => name(&n.method),
        N::CustomNotification(n) => Cow::Owned(n.method.clone()),
        // rmcp's list is non-exhaustive; a kind it adds later is still logged by kind.
        _ => Cow::Borrowed("notifications/unknown"),
    }
}
