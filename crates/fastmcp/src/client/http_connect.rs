//! Connecting over HTTP: Streamable HTTP in either era, the legacy HTTP+SSE transport for
//! servers from before it, and authorization when a server asks for it.

use rmcp::transport::StreamableHttpClientTransport;

#[cfg(feature = "auth")]
use super::auth;
#[cfg(feature = "auth")]
use super::builder::Authorization;
use super::handshake::{Handshake, Probe};
use super::{Client, ClientBuilder, Era, HttpTransport, reconnect};
use crate::error::Error;

impl ClientBuilder {
    /// A bearer token from a grant that needs no user (enterprise-managed authorization,
    /// workload identity), if this builder uses one and the server at `url` asks for
    /// authorization.
    #[cfg(feature = "auth")]
    async fn grant_token(&self, url: &str) -> Result<Option<String>, Error> {
        let grant = match &self.auth {
            Some(
                grant @ (Authorization::EnterpriseManaged(_) | Authorization::WorkloadIdentity(_)),
            ) => grant,
            _ => return Ok(None),
        };
        let Some(challenge) = auth::challenge(url).await? else {
            return Ok(None);
        };
        let token = match grant {
            Authorization::EnterpriseManaged(ema) => ema.token(url, &challenge).await?,
            Authorization::WorkloadIdentity(workload) => workload.token(url, &challenge).await?,
            _ => return Ok(None),
        };
        Ok(Some(token))
    }

    /// An authorized HTTP client for `url` if it asks for authorization and this builder can
    /// give it.
    #[cfg(feature = "auth")]
    async fn authorized(&self, url: &str) -> Result<Option<auth::StepUp>, Error> {
        let Some(authorization) = &self.auth else {
            return Ok(None);
        };
        let Some(challenge) = auth::challenge(url).await? else {
            return Ok(None);
        };
        Ok(Some(match authorization {
            Authorization::OAuth(oauth) => {
                let manager = oauth.authorize(url, &challenge).await?;
                auth::StepUp::new(manager, Some(oauth.clone()), url)
            }
            Authorization::ClientCredentials(credentials) => {
                auth::StepUp::new(credentials.authorize(url).await?, None, url)
            }
            // Served as bearer tokens (`grant_token`).
            Authorization::EnterpriseManaged(_) | Authorization::WorkloadIdentity(_) => {
                return Ok(None);
            }
        }))
    }

    /// The handshake over the legacy HTTP+SSE transport at `url` (its headers and token).
    async fn handshake_sse(
        self,
        url: &str,
        config: &rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig,
    ) -> Result<Client, Handshake> {
        let mut headers = config.custom_headers.clone();
        if let Some(token) = &config.auth_header
            && let Ok(value) = http::HeaderValue::from_str(&format!("Bearer {token}"))
        {
            headers.insert(http::header::AUTHORIZATION, value);
        }
        let headers = headers.into_iter().collect();
        let sse = crate::transports::LegacySseClient::connect(url, headers)
            .await
            .map_err(Handshake::Failed)?;
        self.handshake(sse, None, Probe::Timed).await
    }

    pub(super) async fn connect_url(self, url: String) -> Result<Client, Error> {
        #[cfg(feature = "auth")]
        if let Some(token) = self.grant_token(&url).await? {
            return self.bearer_token(token).connect_http(url).await;
        }
        self.connect_http(url).await
    }

    /// Connects to `url` over Streamable HTTP (authorizing with OAuth when configured and
    /// challenged), falling back to the legacy HTTP+SSE transport.
    async fn connect_http(self, url: String) -> Result<Client, Error> {
        let config = self.http_config(&url)?;
        #[cfg(feature = "auth")]
        if let Some(authorized) = self.authorized(&url).await? {
            return self
                .handshake_http(authorized, config)
                .await
                .map_err(|failure| failure.into_error());
        }
        let legacy = (self.era != Era::Stateless).then(|| self.clone().era(Era::Legacy));
        let started = match (self.http_transport, legacy) {
            (HttpTransport::Sse, Some(legacy)) => legacy.handshake_sse(&url, &config).await,
            (HttpTransport::Sse, None) => Err(Handshake::Failed(Error::connect(
                "the legacy HTTP+SSE transport has no stateless (2026-07-28) era",
            ))),
            (transport, legacy) => {
                let first = self
                    .handshake_http(reqwest::Client::default(), config.clone())
                    .await;
                match (first, legacy) {
                    // Some older servers answer `server/discover` with an empty success
                    // instead of an error; over HTTP a fresh connection costs little, so
                    // start again with `initialize`.
                    (Err(Handshake::NotDiscover(_)), Some(legacy)) => {
                        legacy
                            .handshake_http(reqwest::Client::default(), config)
                            .await
                    }
                    // Not Streamable HTTP at all: perhaps a server from before it (HTTP+SSE).
                    (Err(Handshake::Failed(error)), Some(legacy))
                        if transport == HttpTransport::Auto =>
                    {
                        match legacy.handshake_sse(&url, &config).await {
                            Err(sse_error) => {
                                let sse_error = sse_error.into_error();
                                tracing::debug!(%sse_error, "no legacy SSE endpoint either");
                                Err(Handshake::Failed(error))
                            }
                            started => started,
                        }
                    }
                    (other, _) => other,
                }
            }
        };
        started.map_err(|failure| match failure.into_error() {
            Error::Connect { message, source } => Error::Connect {
                message: format!("{url}: {message}"),
                source,
            },
            other => other,
        })
    }

    /// The handshake over Streamable HTTP with `client`. A legacy session is returned once its
    /// standalone stream is open (or refused), within the connect timeout: a server may send
    /// requests on it as soon as a tool runs (see `reconnect`).
    async fn handshake_http<C>(
        self,
        client: C,
        config: rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig,
    ) -> Result<Client, Handshake>
    where
        C: rmcp::transport::streamable_http_client::StreamableHttpClient<Error = reqwest::Error>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        let client = reconnect::FailFast::new(client);
        let standalone = client.standalone_stream();
        let wait = self.connect_timeout;
        let transport = StreamableHttpClientTransport::with_client(client, config);
        let connected = self.handshake(transport, None, Probe::Timed).await?;
        if tokio::time::timeout(wait, standalone.settled())
            .await
            .is_err()
        {
            tracing::debug!(
                "the session's standalone stream did not open within the connect timeout"
            );
        }
        Ok(connected)
    }

    /// The Streamable HTTP settings: bearer token and custom headers.
    fn http_config(
        &self,
        url: &str,
    ) -> Result<rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig, Error>
    {
        let mut config =
            rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
                url,
            );
        config.auth_header = self.bearer_token.clone();
        // One bound on a message from the server, whatever the transport.
        config.max_sse_event_size = crate::transports::DEFAULT_MAX_MESSAGE_SIZE;
        for (name, value) in &self.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|error| {
                Error::connect(format!("invalid header name {name:?}: {error}"))
            })?;
            let value = http::HeaderValue::from_str(value).map_err(|error| {
                Error::connect(format!("invalid value for header {name}: {error}"))
            })?;
            config.custom_headers.insert(name, value);
        }
        Ok(config)
    }
}
