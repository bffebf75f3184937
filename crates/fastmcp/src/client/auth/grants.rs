//! Grants that need no user: client credentials (a secret or `private_key_jwt`),
//! enterprise-managed authorization (SEP-990) and workload identity (SEP-1933).

use rmcp::transport::auth::{ClientCredentialsConfig, OAuthState};
use rmcp::transport::{AuthorizationManager, JwtSigningAlgorithm};

use super::{auth_error, metadata};
use crate::error::Error;

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
                return Err(Error::auth(format!(
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
    ///
    /// rmcp's client-credentials future is not `Send` (it holds a URL serializer across an
    /// await), which would make every `connect` future non-`Send`; so it runs to completion
    /// on a blocking thread of the same runtime.
    pub(crate) async fn authorize(&self, url: &str) -> Result<AuthorizationManager, Error> {
        let grant = self.clone();
        let url = url.to_owned();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || runtime.block_on(grant.authorize_here(&url)))
            .await
            .map_err(|error| Error::auth(format!("the client credentials grant failed: {error}")))?
    }

    async fn authorize_here(&self, url: &str) -> Result<AuthorizationManager, Error> {
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
            .ok_or_else(|| Error::auth("the client credentials grant did not complete"))
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
        let issuer = metadata
            .issuer
            .ok_or_else(|| Error::auth("the authorization server's metadata names no issuer"))?;
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
            .map_err(|error| {
                Error::auth_from(format!("enterprise-managed authorization: {error}"), error)
            })?;
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
            .map_err(|error| {
                Error::auth_from(format!("the token request failed: {error}"), error)
            })?;
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
        Err(Error::auth(format!(
            "the authorization server refused the workload's JWT ({status}): {reason} {detail}"
        )))
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
