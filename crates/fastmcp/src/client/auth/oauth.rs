//! [`OAuth`]: the authorization code grant with PKCE, for a user in a browser.

use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::transport::AuthorizationManager;
use rmcp::transport::auth::{AuthorizationCallback, AuthorizationRequest, OAuthState};

use super::auth_error;
use super::token_cache::TokenCache;
use crate::error::Error;

type Authorizer = Arc<dyn Fn(String) -> BoxFuture<'static, Result<String, String>> + Send + Sync>;

/// How a [`Client`](crate::Client) obtains an access token interactively (authorization code
/// with PKCE). See the [module docs](super).
#[derive(Clone)]
pub struct OAuth {
    redirect_uri: String,
    client_name: Option<String>,
    client_metadata_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scopes: Vec<String>,
    token_cache: Option<TokenCache>,
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
            token_cache: None,
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

    /// Keeps this server's tokens in the file `path` (JSON, readable by the user alone): the
    /// next connection uses them, refreshed when they expire, instead of asking the user
    /// again; a server that refuses them gets a new authorization, saved there in turn.
    ///
    /// ```no_run
    /// use fastmcp::client::OAuth;
    /// let oauth = OAuth::headless("http://127.0.0.1:8765/callback")
    ///     .token_cache("/home/me/.config/my-app/tokens/example.com.json");
    /// ```
    pub fn token_cache(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.token_cache = Some(TokenCache::new(path.into()));
        self
    }

    /// Authorization for the server at `url`, which challenged with `challenge` (its
    /// `WWW-Authenticate` header): cached tokens (refreshed if they expired) when there are
    /// any, else the authorization-code flow.
    pub(crate) async fn authorize(
        &self,
        url: &str,
        challenge: &str,
    ) -> Result<AuthorizationManager, Error> {
        if let Some(cache) = &self.token_cache {
            let mut manager = AuthorizationManager::new(url).await.map_err(auth_error)?;
            manager.set_credential_store(cache.clone());
            if matches!(manager.initialize_from_store().await, Ok(true))
                && manager.get_access_token().await.is_ok()
            {
                return Ok(manager);
            }
        }
        self.reauthorize(url, challenge).await
    }

    /// Runs the authorization-code flow against the server at `url` (cached tokens not
    /// used, the new ones cached): for a server that refused the tokens it had, or asks for
    /// more scope.
    pub(crate) async fn reauthorize(
        &self,
        url: &str,
        challenge: &str,
    ) -> Result<AuthorizationManager, Error> {
        let mut manager = AuthorizationManager::new(url).await.map_err(auth_error)?;
        if let Some(cache) = &self.token_cache {
            manager.set_credential_store(cache.clone());
        }
        let mut state = OAuthState::Unauthorized(manager);
        let mut request = AuthorizationRequest::new(&self.redirect_uri).with_challenge(challenge);
        if !self.scopes.is_empty() {
            // The configured scopes, plus what a step-up challenge asks for beyond them.
            let mut scopes = self.scopes.clone();
            for scope in challenged_scopes(challenge) {
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
            request = request.with_scopes(scopes);
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
            .map_err(|reason| Error::auth(format!("authorization was not granted: {reason}")))?;
        state
            .handle_callback_url(&redirected)
            .await
            .map_err(auth_error)?;
        state
            .into_authorization_manager()
            .ok_or_else(|| Error::auth("the authorization did not complete"))
    }
}

/// The scopes a `WWW-Authenticate: Bearer …, scope="a b"` challenge names.
fn challenged_scopes(challenge: &str) -> Vec<String> {
    let params = challenge
        .trim_start()
        .strip_prefix("Bearer")
        .unwrap_or(challenge);
    params
        .split(',')
        .filter_map(|param| param.trim().strip_prefix("scope="))
        .flat_map(|value| value.trim_matches('"').split_whitespace())
        .map(str::to_owned)
        .collect()
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_challenge_s_scopes_are_read() {
        let challenge = r#"Bearer error="insufficient_scope", scope="read admin", resource_metadata="http://x/.well-known/oauth-protected-resource""#;
        assert_eq!(super::challenged_scopes(challenge), ["read", "admin"]);
        assert!(super::challenged_scopes(r#"Bearer error="invalid_token""#).is_empty());
    }
}
