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

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::auth::{
    AuthorizationCallback, AuthorizationRequest, ClientCredentialsConfig, OAuthState,
};
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
    StreamableHttpResponseLimits,
};
use rmcp::transport::{AuthClient, AuthorizationManager, JwtSigningAlgorithm};
use sse_stream::{Error as SseError, Sse};

use crate::error::Error;

type Authorizer = Arc<dyn Fn(String) -> BoxFuture<'static, Result<String, String>> + Send + Sync>;

/// How a [`Client`](super::Client) obtains an access token interactively (authorization code
/// with PKCE). See the [module docs](self).
#[derive(Clone)]
pub struct OAuth {
    redirect_uri: String,
    client_name: Option<String>,
    client_metadata_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scopes: Vec<String>,
    authorize: Authorizer,
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth")
            .field("redirect_uri", &self.redirect_uri)
            .field("client_name", &self.client_name)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl OAuth {
    /// Authorization through a user agent: `authorize` receives the authorization URL to show
    /// the user and returns the URL the authorization server redirected back to (the
    /// `redirect_uri` with `code` and `state`), or why it could not.
    pub fn new<F, Fut, E>(redirect_uri: impl Into<String>, authorize: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let authorize: Authorizer = Arc::new(move |url| {
            let answer = authorize(url);
            Box::pin(async move { answer.await.map_err(|error| error.to_string()) })
        });
        Self {
            redirect_uri: redirect_uri.into(),
            client_name: None,
            client_metadata_url: None,
            client_id: None,
            client_secret: None,
            scopes: Vec::new(),
            authorize,
        }
    }

    /// Authorization without a user: the client requests the authorization URL itself and
    /// takes the redirect the server answers with. For authorization servers that approve
    /// automatically (test and CI setups, trusted internal services).
    pub fn headless(redirect_uri: impl Into<String>) -> Self {
        Self::new(redirect_uri, |url: String| async move {
            follow_authorization(&url).await
        })
    }

    /// The name shown to the user when the client registers dynamically.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// An HTTPS URL of this client's metadata document, used as its client ID where the
    /// authorization server supports client ID metadata documents.
    pub fn client_metadata_url(mut self, url: impl Into<String>) -> Self {
        self.client_metadata_url = Some(url.into());
        self
    }

    /// A client ID registered with the authorization server beforehand (no registration).
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The secret of a pre-registered confidential client.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Scopes to ask for. Default: the ones the server's challenge names, else the ones its
    /// metadata lists, else none.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Runs the authorization-code flow against the server at `url`, which challenged with
    /// `challenge` (its `WWW-Authenticate` header).
    pub(crate) async fn authorize(
        &self,
        url: &str,
        challenge: &str,
    ) -> Result<AuthorizationManager, Error> {
        let mut state = OAuthState::new(url, None).await.map_err(auth_error)?;
        let mut request = AuthorizationRequest::new(&self.redirect_uri).with_challenge(challenge);
        if !self.scopes.is_empty() {
            request = request.with_scopes(self.scopes.iter().cloned());
        }
        if let Some(name) = &self.client_name {
            request = request.with_client_name(name);
        }
        if let Some(metadata) = &self.client_metadata_url {
            request = request.with_client_metadata_url(metadata);
        }
        if let Some(id) = &self.client_id {
            request = request.with_preregistered_client(id);
        }
        if let Some(secret) = &self.client_secret {
            request = request.with_client_secret(secret);
        }
        state
            .start_authorization(request)
            .await
            .map_err(auth_error)?;
        let url = state.get_authorization_url().await.map_err(auth_error)?;
        let redirected = (self.authorize)(url)
            .await
            .map_err(|reason| Error::Auth(format!("authorization was not granted: {reason}")))?;
        state
            .handle_callback_url(&redirected)
            .await
            .map_err(auth_error)?;
        state
            .into_authorization_manager()
            .ok_or_else(|| Error::Auth("the authorization did not complete".into()))
    }
}

/// Credentials of a machine client (OAuth client credentials grant, no user involved).
#[derive(Clone)]
pub struct ClientCredentials {
    client_id: String,
    proof: Proof,
    scopes: Vec<String>,
}

/// How the client proves who it is.
#[derive(Clone)]
enum Proof {
    Secret(String),
    /// A signed JWT assertion (RFC 7523) from this PEM key.
    PrivateKeyJwt {
        key_pem: Vec<u8>,
        algorithm: JwtSigningAlgorithm,
    },
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// A client ID and secret issued by the authorization server.
    pub fn secret(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            proof: Proof::Secret(client_secret.into()),
            scopes: Vec::new(),
        }
    }

    /// A client that authenticates with a JWT signed by its private key (`private_key_jwt`):
    /// `key_pem` is the PEM-encoded key, `algorithm` one of `RS256`, `RS384`, `RS512`,
    /// `ES256`, `ES384`.
    pub fn private_key_jwt(
        client_id: impl Into<String>,
        key_pem: impl Into<Vec<u8>>,
        algorithm: &str,
    ) -> Result<Self, Error> {
        let algorithm = match algorithm {
            "RS256" => JwtSigningAlgorithm::RS256,
            "RS384" => JwtSigningAlgorithm::RS384,
            "RS512" => JwtSigningAlgorithm::RS512,
            "ES256" => JwtSigningAlgorithm::ES256,
            "ES384" => JwtSigningAlgorithm::ES384,
            other => {
                return Err(Error::Auth(format!(
                    "unsupported signing algorithm {other:?}; use RS256, RS384, RS512, ES256 or ES384"
                )));
            }
        };
        Ok(Self {
            client_id: client_id.into(),
            proof: Proof::PrivateKeyJwt {
                key_pem: key_pem.into(),
                algorithm,
            },
            scopes: Vec::new(),
        })
    }

    /// Scopes to ask for (default: none).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Obtains a token for the server at `url` (also the token's intended resource).
    pub(crate) async fn authorize(&self, url: &str) -> Result<AuthorizationManager, Error> {
        let config = match &self.proof {
            Proof::Secret(secret) => ClientCredentialsConfig::ClientSecret {
                client_id: self.client_id.clone(),
                client_secret: secret.clone(),
                scopes: self.scopes.clone(),
                resource: Some(url.to_owned()),
            },
            Proof::PrivateKeyJwt { key_pem, algorithm } => ClientCredentialsConfig::PrivateKeyJwt {
                client_id: self.client_id.clone(),
                signing_key: key_pem.clone(),
                signing_algorithm: *algorithm,
                token_endpoint_audience: None,
                scopes: self.scopes.clone(),
                resource: Some(url.to_owned()),
            },
        };
        let mut state = OAuthState::new(url, None).await.map_err(auth_error)?;
        state
            .authenticate_client_credentials(config)
            .await
            .map_err(auth_error)?;
        state
            .into_authorization_manager()
            .ok_or_else(|| Error::Auth("the client credentials grant did not complete".into()))
    }
}

/// Enterprise-managed authorization (SEP-990, "cross-app access"): the user's enterprise
/// identity provider vouches for them, so no browser is needed. The client exchanges the ID
/// token the IdP issued it for an identity assertion (ID-JAG) bound to the MCP server's
/// authorization server, then redeems that for an access token (JWT bearer grant).
///
/// ```
/// use fastmcp::client::EnterpriseManaged;
/// let ema = EnterpriseManaged::new(
///     "https://idp.example",
///     "https://idp.example/token",
///     "idp-client",
///     "eyJ…the ID token…",
///     "mcp-client",
/// )
/// .client_secret("mcp-client-secret");
/// let builder = fastmcp::Client::builder().enterprise_managed(ema);
/// # let _ = builder;
/// ```
#[derive(Clone)]
pub struct EnterpriseManaged {
    idp_issuer: String,
    idp_token_endpoint: String,
    idp_client_id: String,
    idp_client_secret: Option<String>,
    id_token: String,
    client_id: String,
    client_secret: Option<String>,
    scopes: Vec<String>,
}

impl std::fmt::Debug for EnterpriseManaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnterpriseManaged")
            .field("idp_issuer", &self.idp_issuer)
            .field("idp_client_id", &self.idp_client_id)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl EnterpriseManaged {
    /// The IdP (its issuer and token endpoint, and this client's registration there), the ID
    /// token it issued, and this client's ID at the MCP server's authorization server.
    pub fn new(
        idp_issuer: impl Into<String>,
        idp_token_endpoint: impl Into<String>,
        idp_client_id: impl Into<String>,
        id_token: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        Self {
            idp_issuer: idp_issuer.into(),
            idp_token_endpoint: idp_token_endpoint.into(),
            idp_client_id: idp_client_id.into(),
            idp_client_secret: None,
            id_token: id_token.into(),
            client_id: client_id.into(),
            client_secret: None,
            scopes: Vec::new(),
        }
    }

    /// The client's secret at the IdP (`client_secret_basic`; default: a public client).
    pub fn idp_client_secret(mut self, secret: impl Into<String>) -> Self {
        self.idp_client_secret = Some(secret.into());
        self
    }

    /// The client's secret at the MCP server's authorization server (`client_secret_basic`;
    /// default: a public client).
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Scopes to ask for (default: none).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// An access token for the server at `url`, whose `401` carried `challenge`.
    pub(crate) async fn token(&self, url: &str, challenge: &str) -> Result<String, Error> {
        use rmcp::transport::auth::default_oauth_http_client;
        use rmcp::transport::auth::enterprise::{
            EmaAuthorizationServer, EmaClientAuthentication, EmaExchangeRequest,
        };
        let metadata = metadata(url, challenge).await?;
        let issuer = metadata.issuer.ok_or_else(|| {
            Error::Auth("the authorization server's metadata names no issuer".into())
        })?;
        let authentication = |secret: &Option<String>| match secret {
            Some(secret) => EmaClientAuthentication::ClientSecretBasic(oauth2::ClientSecret::new(
                secret.clone(),
            )),
            None => EmaClientAuthentication::None,
        };
        let idp = EmaAuthorizationServer::new(
            &self.idp_issuer,
            &self.idp_token_endpoint,
            &self.idp_client_id,
        )
        .with_client_authentication(authentication(&self.idp_client_secret));
        let server = EmaAuthorizationServer::new(issuer, metadata.token_endpoint, &self.client_id)
            .with_client_authentication(authentication(&self.client_secret));
        let http = default_oauth_http_client().map_err(auth_error)?;
        let token = EmaExchangeRequest::new_with_id_token(idp, server, url, &self.id_token)
            .with_scopes(self.scopes.iter().cloned())
            .exchange(&http, &http)
            .await
            .map_err(|error| Error::Auth(format!("enterprise-managed authorization: {error}")))?;
        Ok(token.access_token.secret().clone())
    }
}

/// Workload identity federation (SEP-1933): a workload proves who it is with a JWT its
/// platform issued (a Kubernetes service-account token, a cloud identity token, …) and
/// trades it for an access token with the JWT bearer grant (RFC 7523). No secret, no browser.
/// A refused grant is an error at once: no retry, no other grant.
///
/// ```
/// use fastmcp::client::WorkloadIdentity;
/// let workload = WorkloadIdentity::new("my-workload", "eyJ…the platform's JWT…");
/// let builder = fastmcp::Client::builder().workload_identity(workload);
/// # let _ = builder;
/// ```
#[derive(Clone)]
pub struct WorkloadIdentity {
    client_id: String,
    assertion: String,
    scopes: Vec<String>,
}

impl std::fmt::Debug for WorkloadIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkloadIdentity")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl WorkloadIdentity {
    /// The client's ID at the authorization server and the workload's JWT.
    pub fn new(client_id: impl Into<String>, assertion: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            assertion: assertion.into(),
            scopes: Vec::new(),
        }
    }

    /// Scopes to ask for (default: none).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// An access token for the server at `url`, whose `401` carried `challenge`.
    pub(crate) async fn token(&self, url: &str, challenge: &str) -> Result<String, Error> {
        let metadata = metadata(url, challenge).await?;
        let mut form = vec![
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", self.assertion.as_str()),
            ("client_id", self.client_id.as_str()),
            ("resource", url),
        ];
        let scope = self.scopes.join(" ");
        if !scope.is_empty() {
            form.push(("scope", scope.as_str()));
        }
        let response = reqwest::Client::new()
            .post(&metadata.token_endpoint)
            .form(&form)
            .send()
            .await
            .map_err(|error| Error::Auth(format!("the token request failed: {error}")))?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        if let Some(token) = body["access_token"]
            .as_str()
            .filter(|_| status.is_success())
        {
            return Ok(token.to_owned());
        }
        let reason = body["error"].as_str().unwrap_or("no access token");
        let detail = body["error_description"].as_str().unwrap_or_default();
        Err(Error::Auth(format!(
            "the authorization server refused the workload's JWT ({status}): {reason} {detail}"
        )))
    }
}

/// The authorization server metadata for the server at `url`, found from its `401` challenge.
async fn metadata(
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

fn auth_error(error: rmcp::transport::AuthError) -> Error {
    Error::Auth(error.to_string())
}

/// Requests the authorization URL without following redirects and returns where the server
/// redirected to.
async fn follow_authorization(url: &str) -> Result<String, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| error.to_string())?;
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            format!(
                "the authorization server answered {} without a redirect",
                response.status()
            )
        })?;
    // Validate it is a callback before handing it on.
    AuthorizationCallback::from_redirect_url(location).map_err(|error| error.to_string())?;
    Ok(location.to_owned())
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
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "server/discover")
        .body(probe.to_string())
        .send()
        .await
        .map_err(|error| Error::Connect(format!("{url}: {error}")))?;
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

/// The HTTP client of an OAuth-authorized connection: rmcp's [`AuthClient`] (which adds the
/// token and refreshes it), plus re-authorization. When the server answers `403` with
/// `insufficient_scope` (step-up), or `401` to a token that cannot be refreshed (revoked, or
/// the resource moved to another authorization server), it runs the authorization again for
/// what the challenge names and retries the request once.
#[derive(Clone)]
pub(crate) struct StepUp {
    inner: AuthClient<reqwest::Client>,
    oauth: Option<OAuth>,
    url: String,
    /// Step-ups so far on this connection; bounded so a server that never accepts ends it.
    attempts: Arc<std::sync::atomic::AtomicU32>,
}

/// The most step-ups one connection attempts.
const MAX_STEP_UPS: u32 = 3;

impl StepUp {
    pub(crate) fn new(manager: AuthorizationManager, oauth: Option<OAuth>, url: &str) -> Self {
        Self {
            inner: AuthClient::new(reqwest::Client::default(), manager),
            oauth,
            url: url.to_owned(),
            attempts: Arc::default(),
        }
    }

    /// Authorizes again for the scopes `challenge` asks for, if this connection may.
    async fn step_up(&self, challenge: &str) -> bool {
        let Some(oauth) = &self.oauth else {
            return false;
        };
        let attempt = self
            .attempts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if attempt >= MAX_STEP_UPS {
            tracing::warn!("the server keeps asking for more scope; giving up");
            return false;
        }
        match oauth.authorize(&self.url, challenge).await {
            Ok(manager) => {
                *self.inner.auth_manager.lock().await = manager;
                true
            }
            Err(error) => {
                tracing::warn!(%error, "scope step-up failed");
                false
            }
        }
    }
}

type HttpError = StreamableHttpError<reqwest::Error>;

impl StreamableHttpClient for StepUp {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        self.post_message_with_response_limits(
            uri,
            message,
            session_id,
            auth_header,
            custom_headers,
            StreamableHttpResponseLimits::default(),
        )
        .await
    }

    async fn post_message_with_response_limits(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        limits: StreamableHttpResponseLimits,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        let post = |token: Option<String>| {
            self.inner.post_message_with_response_limits(
                Arc::clone(&uri),
                message.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
                limits,
            )
        };
        match post(auth_header.clone()).await {
            // A token without enough scope, or one no longer accepted (revoked, or the
            // resource moved to another authorization server): authorize again, from
            // discovery, and retry once. The caller's header carried the old token: drop it.
            Err(StreamableHttpError::InsufficientScope(challenge))
                if self.step_up(&challenge.www_authenticate_header).await =>
            {
                post(None).await
            }
            Err(StreamableHttpError::AuthRequired(challenge))
                if self.step_up(&challenge.www_authenticate_header).await =>
            {
                post(None).await
            }
            result => result,
        }
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), HttpError> {
        self.inner
            .delete_session(uri, session_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, HttpError> {
        self.inner
            .get_stream(uri, session_id, last_event_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, HttpError> {
        self.inner
            .get_stream_with_max_sse_event_size(
                uri,
                session_id,
                last_event_id,
                auth_header,
                custom_headers,
                max_sse_event_size,
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::ClientCredentials;

    #[test]
    fn an_unknown_signing_algorithm_is_a_clear_error() {
        let error = ClientCredentials::private_key_jwt("id", "pem", "HS256").unwrap_err();
        assert!(error.to_string().contains("use RS256"), "{error}");
    }
}
