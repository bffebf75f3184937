//! [`IntrospectionVerifier`]: opaque tokens checked with the authorization server (RFC 7662).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use super::{AccessToken, AuthError, TokenVerifier, fetch_json, now};

/// Verifies opaque (or any) tokens by asking the authorization server's introspection
/// endpoint (RFC 7662), authenticated as a client with HTTP Basic. Answers are cached briefly
/// (default 30 s, never past the token's `exp`), so a busy client does not cost a round trip
/// per request; a revoked token is refused once its cached answer expires.
///
/// ```
/// use fastmcp::server::auth::IntrospectionVerifier;
/// let verifier = IntrospectionVerifier::new(
///     "https://auth.example.com/oauth/introspect",
///     "mcp-server",
///     "client-secret",
/// )
/// .audience("https://mcp.example.com/mcp");
/// # let _ = verifier;
/// ```
pub struct IntrospectionVerifier {
    endpoint: String,
    client_id: String,
    client_secret: String,
    audiences: Vec<String>,
    client: reqwest::Client,
    cache_ttl: Duration,
    cache: Mutex<HashMap<[u8; 32], Cached>>,
}

#[derive(Clone)]
struct Cached {
    answer: Result<AccessToken, String>,
    until: Instant,
}

/// The most answers kept; past it, expired ones are dropped, then all.
const MAX_CACHED: usize = 10_000;

impl std::fmt::Debug for IntrospectionVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectionVerifier")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl IntrospectionVerifier {
    /// Asks `endpoint`, authenticating as `client_id` with `client_secret`.
    pub fn new(
        endpoint: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            audiences: Vec::new(),
            client: reqwest::Client::new(),
            cache_ttl: Duration::from_secs(30),
            cache: Mutex::default(),
        }
    }

    /// Accepts only tokens whose `aud` includes `audience` (call again for several).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// How long an answer is reused (default 30 s; zero asks every time).
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache_ttl = ttl;
        self
    }

    /// The HTTP client that calls the endpoint.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }

    fn cached(&self, key: &[u8; 32]) -> Option<Result<AccessToken, String>> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .get(key)
            .filter(|entry| entry.until > Instant::now())
            .map(|entry| entry.answer.clone())
    }

    fn remember(&self, key: [u8; 32], answer: &Result<AccessToken, String>) {
        let mut ttl = self.cache_ttl;
        if let Ok(token) = answer
            && let Some(exp) = token.expires_at
        {
            ttl = ttl.min(Duration::from_secs(exp.saturating_sub(now())));
        }
        if ttl.is_zero() {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_CACHED {
            let now = Instant::now();
            cache.retain(|_, entry| entry.until > now);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
        }
        let until = Instant::now() + ttl;
        // Kept without the token itself: the cache holds no usable credential.
        let answer = answer.clone().map(|mut access| {
            access.token.clear();
            access
        });
        cache.insert(key, Cached { answer, until });
    }

    async fn introspect(&self, token: &str) -> Result<Result<AccessToken, String>, AuthError> {
        let request = self
            .client
            .post(&self.endpoint)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("token", token), ("token_type_hint", "access_token")]);
        let what = format!("introspecting at {}", self.endpoint);
        let answer: Map<String, Value> = fetch_json(request, what).await?;
        if answer.get("active").and_then(Value::as_bool) != Some(true) {
            return Ok(Err("the token is not active".into()));
        }
        let access = AccessToken::from_claims(token, answer);
        if access.expires_at.is_some_and(|exp| exp <= now()) {
            return Ok(Err("the token has expired".into()));
        }
        if !self.audiences.is_empty() && !access.audience.iter().any(|a| self.audiences.contains(a))
        {
            return Ok(Err("the token is for another audience".into()));
        }
        Ok(Ok(access))
    }
}

impl TokenVerifier for IntrospectionVerifier {
    async fn verify(&self, token: &str) -> Result<AccessToken, AuthError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let answer = match self.cached(&key) {
            Some(answer) => answer,
            None => {
                let answer = self.introspect(token).await?;
                self.remember(key, &answer);
                answer
            }
        };
        answer
            .map(|mut access| {
                access.token = token.to_owned();
                access
            })
            .map_err(AuthError::InvalidToken)
    }
}
