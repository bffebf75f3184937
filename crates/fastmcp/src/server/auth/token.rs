//! [`AccessToken`]: what a verified bearer token says about its holder.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A verified access token: who holds it, what it may do, and every claim it carries.
///
/// Verifiers build it; tools read it with [`Context::access_token`](crate::Context::access_token)
/// and middleware with
/// [`MiddlewareContext::access_token`](crate::middleware::MiddlewareContext::access_token).
///
/// ```
/// use fastmcp::server::auth::AccessToken;
/// let token = AccessToken::new("t0k3n").subject("alice").scopes(["read", "admin"]);
/// assert!(token.has_scope("admin"));
/// assert_eq!(token.subject.as_deref(), Some("alice"));
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct AccessToken {
    /// The bearer token itself, as the client sent it.
    pub token: String,
    /// The client the token was issued to (`client_id`, else `azp`).
    pub client_id: Option<String>,
    /// The user or service the token stands for (`sub`).
    pub subject: Option<String>,
    /// The scopes granted (`scope`, space-separated, or `scp`, a list).
    pub scopes: Vec<String>,
    /// When the token expires, in seconds since the Unix epoch (`exp`).
    pub expires_at: Option<u64>,
    /// The audiences the token is for (`aud`).
    pub audience: Vec<String>,
    /// Who issued the token (`iss`).
    pub issuer: Option<String>,
    /// Every claim, as issued (or as the introspection endpoint answered).
    pub claims: Map<String, Value>,
}

impl std::fmt::Debug for AccessToken {
    // The token is a credential: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"…")
            .field("client_id", &self.client_id)
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at)
            .field("audience", &self.audience)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl AccessToken {
    /// A token with no claims yet (for your own [`TokenVerifier`](super::TokenVerifier)).
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            client_id: None,
            subject: None,
            scopes: Vec::new(),
            expires_at: None,
            audience: Vec::new(),
            issuer: None,
            claims: Map::new(),
        }
    }

    /// A token described by JWT-style `claims` (`sub`, `client_id`/`azp`, `scope`/`scp`,
    /// `exp`, `aud`, `iss`), as a JWT carries them or RFC 7662 introspection answers them.
    pub fn from_claims(token: impl Into<String>, claims: Map<String, Value>) -> Self {
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let mut access = Self::new(token);
        access.subject = text("sub");
        access.client_id = text("client_id").or_else(|| text("azp"));
        access.issuer = text("iss");
        access.expires_at = claims.get("exp").and_then(Value::as_u64);
        access.scopes = scopes_of(&claims);
        access.audience = match claims.get("aud") {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(many)) => many
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        access.claims = claims;
        access
    }

    /// Sets the subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the client id.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Sets the granted scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the expiry (seconds since the Unix epoch).
    pub fn expires_at(mut self, seconds: u64) -> Self {
        self.expires_at = Some(seconds);
        self
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }

    /// The scopes of `needed` the token does not grant.
    pub fn missing_scopes<'a>(&self, needed: impl IntoIterator<Item = &'a String>) -> Vec<String> {
        needed
            .into_iter()
            .filter(|scope| !self.has_scope(scope))
            .cloned()
            .collect()
    }

    /// The claim `name` as a `T`; `None` if it is absent or not a `T`.
    ///
    /// ```
    /// use fastmcp::server::auth::AccessToken;
    /// let claims = serde_json::json!({"sub": "alice", "tenant": 42});
    /// let token = AccessToken::from_claims("t", claims.as_object().unwrap().clone());
    /// assert_eq!(token.claim::<u32>("tenant"), Some(42));
    /// ```
    pub fn claim<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.claims
            .get(name)
            .and_then(|value| T::deserialize(value).ok())
    }

    /// All claims as one typed value (a struct of the claims you use).
    pub fn claims_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&Value::Object(self.claims.clone()))
    }
}

/// Scopes from `scope` (space-separated) or `scp` (a list, or a string).
fn scopes_of(claims: &Map<String, Value>) -> Vec<String> {
    let words = |text: &str| text.split_whitespace().map(str::to_owned).collect();
    match (claims.get("scope"), claims.get("scp")) {
        (Some(Value::String(text)), _) | (None, Some(Value::String(text))) => words(text),
        (_, Some(Value::Array(list))) => list
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: Value) -> AccessToken {
        AccessToken::from_claims("t", claims.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn scopes_come_from_scope_or_scp() {
        assert_eq!(
            token(serde_json::json!({"scope": "a b"})).scopes,
            ["a", "b"]
        );
        assert_eq!(
            token(serde_json::json!({"scp": ["a", "c"]})).scopes,
            ["a", "c"]
        );
        assert_eq!(token(serde_json::json!({"scp": "x"})).scopes, ["x"]);
        assert!(token(serde_json::json!({"scope": 3})).scopes.is_empty());
    }

    #[test]
    fn client_and_audience_are_read() {
        let t = token(serde_json::json!({"azp": "app", "aud": ["x", "y"], "exp": 7}));
        assert_eq!(t.client_id.as_deref(), Some("app"));
        assert_eq!(t.audience, ["x", "y"]);
        assert_eq!(t.expires_at, Some(7));
    }

    #[test]
    fn debug_hides_the_token() {
        assert!(!format!("{:?}", AccessToken::new("secret-value")).contains("secret-value"));
    }
}
