//! [`HttpRequest`]: the HTTP request a message arrived in, for tools and middleware.

use std::net::SocketAddr;
use std::sync::Arc;

use http::{HeaderMap, Method, Uri};

/// The HTTP request an MCP message arrived in: method, path, headers, the peer's address
/// and (with auth on) the verified access token. Read it with
/// [`Context::http_request`](crate::Context::http_request); `None` on stdio.
///
/// ```
/// use fastmcp::{tool, Context};
///
/// /// Which client software is calling.
/// #[tool]
/// fn user_agent(ctx: Context) -> String {
///     ctx.http_request()
///         .and_then(|request| request.header("user-agent"))
///         .unwrap_or("unknown (not HTTP)")
///         .to_owned()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct HttpRequest {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    peer: Option<SocketAddr>,
    #[cfg(feature = "server-auth")]
    pub(crate) access_token: Option<crate::server::auth::AccessToken>,
}

impl HttpRequest {
    pub(super) fn new(request: &axum::extract::Request) -> Self {
        let peer = request
            .extensions()
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|info| info.0);
        Self {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            peer,
            #[cfg(feature = "server-auth")]
            access_token: None,
        }
    }

    /// The request's method (`POST`, `GET`, `DELETE`).
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request's URI as the client sent it (path and query).
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The request's path.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// All the request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name`, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The client's address, when the server knows it (always with
    /// [`FastMCP::run_http`](crate::FastMCP::run_http) and `serve_http`; for your own router,
    /// serve it with `into_make_service_with_connect_info::<SocketAddr>()`).
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// The verified access token, when the server checks tokens.
    #[cfg(feature = "server-auth")]
    pub fn access_token(&self) -> Option<&crate::server::auth::AccessToken> {
        self.access_token.as_ref()
    }
}

/// The [`HttpRequest`] rmcp or the direct path passed along with a message.
pub(crate) fn of(extensions: &rmcp::model::Extensions) -> Option<&Arc<HttpRequest>> {
    extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Arc<HttpRequest>>())
}
