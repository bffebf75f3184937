//! The server as an OAuth 2.1 resource server (feature `server-auth`): bearer tokens checked
//! on every HTTP request, Protected Resource Metadata (RFC 9728), `401`/`403` challenges that
//! tell clients where to get a token and which scope they lack, per-component scopes, and the
//! verified token in the tool's hands.
//!
//! A verifier checks a token ([`JwtVerifier`], [`IntrospectionVerifier`], [`StaticTokens`], or
//! your own [`TokenVerifier`]); [`RemoteAuth`] adds the authorization servers that issue the
//! tokens and what the metadata document says; [`FastMCP::auth`](crate::FastMCP::auth) puts it
//! on the server. stdio and in-memory connections are not affected.
//!
//! ```no_run
//! use fastmcp::server::auth::{JwtVerifier, RemoteAuth};
//! use fastmcp::{tool, FastMCP};
//!
//! /// Only for admins.
//! #[tool(scopes = ["admin"])]
//! fn purge() -> String {
//!     "purged".into()
//! }
//!
//! # async fn demo() -> Result<(), fastmcp::Error> {
//! let verifier = JwtVerifier::jwks("https://auth.example.com/.well-known/jwks.json")
//!     .issuer("https://auth.example.com")
//!     .audience("https://mcp.example.com/mcp");
//! let auth = RemoteAuth::new(verifier)
//!     .authorization_server("https://auth.example.com")
//!     .base_url("https://mcp.example.com");
//! FastMCP::new("protected").tool(purge).auth(auth).run().await
//! # }
//! ```

mod introspection;
mod jwks;
mod jwt;
mod remote;
mod static_tokens;
mod token;

use std::future::Future;
use std::pin::Pin;

pub use introspection::IntrospectionVerifier;
pub use jsonwebtoken::Algorithm;
pub use jwt::JwtVerifier;
pub(crate) use remote::Challenge;
pub(crate) use remote::METADATA_PREFIX;
pub use remote::RemoteAuth;
pub use static_tokens::StaticTokens;
pub use token::AccessToken;

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token is not valid here (malformed, expired, wrongly signed, for another audience,
    /// revoked…): the client gets `401` with `error="invalid_token"`.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// The token could not be checked right now (the JWKS or introspection endpoint is
    /// unreachable): the client gets `503` and may retry.
    #[error("cannot verify tokens right now: {0}")]
    Unavailable(String),
    /// The verifier is misconfigured (an unreadable key, a bad URL).
    #[error("auth configuration: {0}")]
    Config(String),
}

/// Checks a bearer token and says what it grants.
///
/// Your own verifier is a few lines:
///
/// ```
/// use fastmcp::server::auth::{AccessToken, AuthError, TokenVerifier};
///
/// struct ApiKeys;
///
/// impl TokenVerifier for ApiKeys {
///     async fn verify(&self, token: &str) -> Result<AccessToken, AuthError> {
///         match token {
///             "k-123" => Ok(AccessToken::new(token).subject("ci").scopes(["read"])),
///             _ => Err(AuthError::InvalidToken("unknown API key".into())),
///         }
///     }
/// }
/// ```
pub trait TokenVerifier: Send + Sync + 'static {
    /// The token's holder and grants, or why it is refused.
    fn verify(&self, token: &str) -> impl Future<Output = Result<AccessToken, AuthError>> + Send;
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`TokenVerifier`] as a trait object.
trait DynVerifier: Send + Sync {
    fn verify_boxed<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>>;
}

impl<V: TokenVerifier> DynVerifier for V {
    fn verify_boxed<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(self.verify(token))
    }
}

/// The JSON answer to `request` (10 s and 1 MiB at most); any failure is
/// [`AuthError::Unavailable`], described as `what` (`fetching the JWKS at …`).
async fn fetch_json<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    what: String,
) -> Result<T, AuthError> {
    const MAX_BYTES: usize = 1 << 20;
    let unavailable = |reason: String| AuthError::Unavailable(format!("{what}: {reason}"));
    let mut response = request
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| unavailable(e.to_string()))?;
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unavailable(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(unavailable(format!("the answer exceeds {MAX_BYTES} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| unavailable(format!("not the JSON expected: {e}")))
}

/// Seconds since the Unix epoch.
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
