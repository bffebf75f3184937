//! [`RemoteAuth`]: a verifier and the authorization servers that issue its tokens; what the
//! HTTP endpoint answers without a good token, and the Protected Resource Metadata document.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use super::{AccessToken, AuthError, DynVerifier, TokenVerifier};

/// Where the metadata document lives, before the endpoint's path (RFC 9728 §3.1).
pub(crate) const METADATA_PREFIX: &str = "/.well-known/oauth-protected-resource";

/// The server as an OAuth 2.1 resource server: the verifier that checks tokens, the
/// authorization servers that issue them (listed in the Protected Resource Metadata so
/// clients know where to get one), server-wide required scopes, and the public URL.
///
/// A bare verifier converts into one (no authorization servers listed).
///
/// ```
/// use fastmcp::server::auth::{RemoteAuth, StaticTokens};
/// let auth = RemoteAuth::new(StaticTokens::new().token("dev", ["read"]))
///     .authorization_server("https://auth.example.com")
///     .base_url("https://mcp.example.com")
///     .required_scopes(["read"]);
/// # let _ = auth;
/// ```
#[derive(Clone)]
pub struct RemoteAuth {
    verifier: Arc<dyn DynVerifier>,
    authorization_servers: Vec<String>,
    base_url: Option<String>,
    required_scopes: Vec<String>,
    scopes_supported: Option<Vec<String>>,
    resource_name: Option<String>,
    resource_documentation: Option<String>,
}

impl std::fmt::Debug for RemoteAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteAuth")
            .field("authorization_servers", &self.authorization_servers)
            .field("base_url", &self.base_url)
            .field("required_scopes", &self.required_scopes)
            .finish_non_exhaustive()
    }
}

impl<V: TokenVerifier> From<V> for RemoteAuth {
    fn from(verifier: V) -> Self {
        Self::new(verifier)
    }
}

impl RemoteAuth {
    /// Checks tokens with `verifier`.
    pub fn new(verifier: impl TokenVerifier) -> Self {
        Self {
            verifier: Arc::new(verifier),
            authorization_servers: Vec::new(),
            base_url: None,
            required_scopes: Vec::new(),
            scopes_supported: None,
            resource_name: None,
            resource_documentation: None,
        }
    }

    /// An authorization server that issues tokens for this server (its issuer URL); call
    /// again to list several.
    pub fn authorization_server(mut self, url: impl Into<String>) -> Self {
        self.authorization_servers.push(url.into());
        self
    }

    /// The server's public URL without the endpoint path (`https://mcp.example.com`), used
    /// in the metadata and challenges. Default: `http://` and the request's `Host`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Scopes every request's token must grant (`403 insufficient_scope` otherwise).
    pub fn required_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The scopes the metadata advertises (default: the required ones).
    pub fn scopes_supported<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes_supported = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// A human-readable name for the metadata's `resource_name`.
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// A page about the server, for the metadata's `resource_documentation`.
    pub fn resource_documentation(mut self, url: impl Into<String>) -> Self {
        self.resource_documentation = Some(url.into());
        self
    }

    pub(crate) fn required(&self) -> &[String] {
        &self.required_scopes
    }

    /// The verified token of a request with these headers, or how to refuse it.
    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Result<AccessToken, Challenge> {
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(if headers.contains_key(header::AUTHORIZATION) {
                Challenge::BadRequest("more than one Authorization header".into())
            } else {
                Challenge::Missing
            });
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty());
        let Some(token) = token else {
            return Err(Challenge::Invalid(
                "expected `Authorization: Bearer <token>`".into(),
            ));
        };
        let access = match self.verifier.verify_boxed(token).await {
            Ok(access) => access,
            Err(AuthError::Unavailable(reason)) => {
                tracing::warn!(%reason, "cannot verify a token");
                return Err(Challenge::Unavailable);
            }
            Err(error @ AuthError::Config(_)) => {
                tracing::error!(%error, "token verification is misconfigured");
                return Err(Challenge::Unavailable);
            }
            Err(AuthError::InvalidToken(reason)) => {
                tracing::debug!(%reason, "refused a token");
                return Err(Challenge::Invalid(reason));
            }
        };
        let missing = access.missing_scopes(&self.required_scopes);
        if !missing.is_empty() {
            return Err(Challenge::InsufficientScope(self.required_scopes.clone()));
        }
        Ok(access)
    }

    /// The public URL before the endpoint path.
    fn base(&self, headers: &HeaderMap) -> String {
        if let Some(base) = &self.base_url {
            return base.clone();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    /// The Protected Resource Metadata document (RFC 9728) of the endpoint at `path`.
    pub(crate) fn metadata(&self, headers: &HeaderMap, path: &str) -> Value {
        let mut document = json!({
            "resource": format!("{}{path}", self.base(headers)),
            "authorization_servers": self.authorization_servers,
            "scopes_supported": self.scopes_supported.as_ref().unwrap_or(&self.required_scopes),
            "bearer_methods_supported": ["header"],
        });
        if let Some(name) = &self.resource_name {
            document["resource_name"] = json!(name);
        }
        if let Some(docs) = &self.resource_documentation {
            document["resource_documentation"] = json!(docs);
        }
        document
    }

    /// The answer refusing a request to the endpoint at `path`; its body is a JSON-RPC error
    /// for request `id` (null when the request was refused unread).
    pub(crate) fn refuse(
        &self,
        challenge: &Challenge,
        headers: &HeaderMap,
        path: &str,
        id: &Value,
    ) -> Response {
        let metadata = format!("{}{METADATA_PREFIX}{path}", self.base(headers));
        let (status, error, description, scopes) = match challenge {
            Challenge::Missing => (StatusCode::UNAUTHORIZED, None, None, &self.required_scopes),
            Challenge::Invalid(reason) => (
                StatusCode::UNAUTHORIZED,
                Some("invalid_token"),
                Some(reason.as_str()),
                &self.required_scopes,
            ),
            Challenge::InsufficientScope(needed) => (
                StatusCode::FORBIDDEN,
                Some("insufficient_scope"),
                Some("the token lacks a scope this request needs"),
                needed,
            ),
            Challenge::BadRequest(reason) => (
                StatusCode::BAD_REQUEST,
                Some("invalid_request"),
                Some(reason.as_str()),
                &self.required_scopes,
            ),
            Challenge::Unavailable => {
                let mut response =
                    Response::new(Body::from("token verification is unavailable; try again"));
                *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                return response;
            }
        };
        let mut params = Vec::new();
        if let Some(error) = error {
            params.push(format!("error=\"{error}\""));
        }
        if let Some(description) = description {
            params.push(format!("error_description=\"{}\"", quotable(description)));
        }
        if !scopes.is_empty() {
            params.push(format!("scope=\"{}\"", quotable(&scopes.join(" "))));
        }
        params.push(format!("resource_metadata=\"{}\"", quotable(&metadata)));
        let challenge = format!("Bearer {}", params.join(", "));
        // A JSON-RPC error as the body, so a client that does not read the challenge still
        // shows why.
        let headline = match status {
            StatusCode::FORBIDDEN => "Forbidden",
            StatusCode::BAD_REQUEST => "Bad Request",
            _ => "Unauthorized",
        };
        let message = match description {
            Some(description) => format!("{headline}: {description}"),
            None => format!("{headline}: this server needs a bearer token"),
        };
        let body = json!({"jsonrpc": "2.0", "id": id, "error": {
            "code": -32600,
            "message": message,
            "data": {"error": error.unwrap_or("invalid_token"), "scope": scopes.join(" ")},
        }});
        let mut response = Response::new(Body::from(body.to_string()));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// Why a request is refused.
#[derive(Debug, Clone)]
pub(crate) enum Challenge {
    /// No token: `401` pointing at the metadata.
    Missing,
    /// A token that does not verify: `401 invalid_token`.
    Invalid(String),
    /// A token without these scopes: `403 insufficient_scope`.
    InsufficientScope(Vec<String>),
    /// A malformed `Authorization` header: `400 invalid_request`.
    BadRequest(String),
    /// Tokens cannot be checked now: `503`.
    Unavailable,
}

/// `text` safe inside a quoted header parameter: quotes and backslashes and anything not
/// printable ASCII replaced.
fn quotable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .collect()
}
