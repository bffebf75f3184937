//! Bearer tokens on the HTTP endpoint: every request's token verified before anything is
//! served, requests for a component whose scopes the token lacks refused with `403` before
//! the component runs, and the Protected Resource Metadata document.

use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse as _, Response};
use http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;

use super::request::HttpRequest;
use crate::protocol::header;
use crate::server::FastMCP;
use crate::server::auth::{AccessToken, Challenge, METADATA_PREFIX, RemoteAuth};

/// The endpoint's token check.
pub(super) struct Guard {
    server: FastMCP,
    auth: Arc<RemoteAuth>,
    path: String,
}

impl Guard {
    pub(super) fn new(server: FastMCP, auth: Arc<RemoteAuth>, path: &str) -> Self {
        Self {
            server,
            auth,
            path: path.to_owned(),
        }
    }

    fn refuse(&self, challenge: &Challenge, headers: &HeaderMap, id: &Value) -> Box<Response> {
        Box::new(self.auth.refuse(challenge, headers, &self.path, id))
    }

    /// The request's verified token, or the answer refusing it: no token or a bad one
    /// (`401`), or a 2026-07-28 request (which names its method and target in headers) for a
    /// component the token lacks a scope for (`403`).
    pub(super) async fn admit(&self, headers: &HeaderMap) -> Result<AccessToken, Box<Response>> {
        let token = self
            .auth
            .authenticate(headers)
            .await
            .map_err(|challenge| self.refuse(&challenge, headers, &Value::Null))?;
        let method = headers
            .get(header::MCP_METHOD)
            .and_then(|m| m.to_str().ok());
        let name = headers.get(header::MCP_NAME).and_then(|n| n.to_str().ok());
        if let (Some(method), Some(name)) = (method, name) {
            self.check_component(&token, method, name, headers, &Value::Null)?;
        }
        Ok(token)
    }

    /// For a request that does not name its target in headers (a legacy session's): the same
    /// component check, reading the JSON-RPC body.
    pub(super) fn admit_body(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
    ) -> Result<(), Box<Response>> {
        if parts.headers.contains_key(header::MCP_METHOD) {
            return Ok(());
        }
        let Some(token) = parts
            .extensions
            .get::<Arc<HttpRequest>>()
            .and_then(|request| request.access_token())
        else {
            return Ok(());
        };
        let Ok(peek) = serde_json::from_slice::<Peek>(body) else {
            return Ok(());
        };
        let Some(name) = peek.params.as_ref().and_then(Params::target) else {
            return Ok(());
        };
        self.check_component(token, &peek.method, name, &parts.headers, &peek.id)
    }

    fn check_component(
        &self,
        token: &AccessToken,
        method: &str,
        name: &str,
        headers: &HeaderMap,
        id: &Value,
    ) -> Result<(), Box<Response>> {
        let needed = self.server.scopes_needed(method, name);
        if token.missing_scopes(&needed).is_empty() {
            return Ok(());
        }
        // Ask for what the server requires of every request as well, so a client that
        // re-authorizes for exactly the challenge's scopes keeps access to the rest.
        let mut scopes = self.auth.required().to_vec();
        for scope in needed {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        Err(self.refuse(&Challenge::InsufficientScope(scopes), headers, id))
    }
}

/// What the component check reads of a JSON-RPC request.
#[derive(Deserialize)]
struct Peek {
    #[serde(default)]
    id: Value,
    method: String,
    params: Option<Params>,
}

#[derive(Deserialize)]
struct Params {
    name: Option<String>,
    uri: Option<String>,
}

impl Params {
    fn target(&self) -> Option<&str> {
        self.name.as_deref().or(self.uri.as_deref())
    }
}

/// `router` with the Protected Resource Metadata (RFC 9728) of the endpoint at `path`, at
/// `/.well-known/oauth-protected-resource{path}`; public, and readable by browser clients.
pub(super) fn metadata_route(router: Router, auth: Arc<RemoteAuth>, path: &str) -> Router {
    let path = if path == "/" { "" } else { path }.to_owned();
    let at = format!("{METADATA_PREFIX}{path}");
    router.route(
        &at,
        axum::routing::get(move |headers: HeaderMap| async move {
            let document = auth.metadata(&headers, &path);
            let headers = [
                (http::header::CONTENT_TYPE, "application/json"),
                (http::header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ];
            (headers, document.to_string()).into_response()
        }),
    )
}
