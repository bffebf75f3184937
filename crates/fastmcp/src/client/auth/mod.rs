//! OAuth 2.1 for HTTP servers that require it: discovery of the protected resource and its
//! authorization server, client registration (pre-registered, client ID metadata document, or
//! dynamic), PKCE, scope selection from the server's challenge, and client credentials for
//! machine clients. Built on rmcp's `AuthorizationManager`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), fastmcp::Error> {
//! use fastmcp::client::{Client, OAuth};
//! let oauth = OAuth::new("http://localhost:8765/callback", |authorization_url| async move {
//!     // Open `authorization_url` in the user's browser, wait for the redirect to the
//!     // callback, and return the full URL the browser was sent to.
//!     # let _ = authorization_url;
//!     Ok::<_, String>("http://localhost:8765/callback?code=…&state=…".to_string())
//! })
//! .client_name("my-app");
//! let client = Client::builder().oauth(oauth).connect("https://example.com/mcp").await?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! The client connects without credentials first; only when the server answers
//! `401 Unauthorized` does it authorize, using the challenge's resource metadata and scope.

mod grants;
mod oauth;
mod step_up;
mod token_cache;

pub use grants::{ClientCredentials, EnterpriseManaged, WorkloadIdentity};
pub use oauth::OAuth;
pub(crate) use step_up::StepUp;

use crate::protocol::{SERVER_DISCOVER, header};
use rmcp::model::ProtocolVersion;
use rmcp::transport::AuthorizationManager;

use crate::error::Error;

/// The authorization server metadata for the server at `url`, found from its `401` challenge.
pub(super) async fn metadata(
    url: &str,
    challenge: &str,
) -> Result<rmcp::transport::auth::AuthorizationMetadata, Error> {
    let manager = AuthorizationManager::new_allowing_private_addresses(url)
        .await
        .map_err(auth_error)?;
    Ok(manager
        .resolve_metadata_from_challenge(Some(challenge))
        .await
        .map_err(auth_error)?
        .metadata)
}

pub(super) fn auth_error(error: rmcp::transport::AuthError) -> Error {
    Error::auth_from(error.to_string(), error)
}

/// Asks the server whether it needs authorization: sends one unauthenticated request and
/// returns the `WWW-Authenticate` challenge of a `401` (empty if the header is missing).
pub(crate) async fn challenge(url: &str) -> Result<Option<String>, Error> {
    let probe = serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "server/discover",
        "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "fastmcp", "version": env!("CARGO_PKG_VERSION")}}}});
    let response = reqwest::Client::new()
        .post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json, text/event-stream")
        .header(
            header::MCP_PROTOCOL_VERSION,
            ProtocolVersion::V_2026_07_28.as_str(),
        )
        .header(header::MCP_METHOD, SERVER_DISCOVER)
        .body(probe.to_string())
        .send()
        .await
        .map_err(|error| Error::connect_from(format!("{url}: {error}"), error))?;
    if response.status() != reqwest::StatusCode::UNAUTHORIZED {
        return Ok(None);
    }
    Ok(Some(
        response
            .headers()
            .get(http::header::WWW_AUTHENTICATE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    ))
}
