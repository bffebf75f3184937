//! [`StaticTokens`]: a fixed table of tokens, for development and tests.

use std::collections::HashMap;

use super::{AccessToken, AuthError, TokenVerifier};

/// A fixed table of tokens and what each grants. For development and tests: the tokens never
/// expire and live in your code or configuration.
///
/// ```
/// use fastmcp::server::auth::StaticTokens;
/// let tokens = StaticTokens::new()
///     .token("dev-admin", ["read", "admin"])
///     .token("dev-reader", ["read"]);
/// # let _ = tokens;
/// ```
#[derive(Debug, Clone, Default)]
pub struct StaticTokens {
    tokens: HashMap<String, AccessToken>,
}

impl StaticTokens {
    /// An empty table: every token refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts `token`, granting `scopes` (its subject and client id are `static`).
    pub fn token<I, S>(self, token: &str, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let access = AccessToken::new(token)
            .subject("static")
            .client_id("static")
            .scopes(scopes);
        self.access_token(access)
    }

    /// Accepts `access.token`, answering with `access` as given.
    pub fn access_token(mut self, access: AccessToken) -> Self {
        self.tokens.insert(access.token.clone(), access);
        self
    }
}

impl TokenVerifier for StaticTokens {
    async fn verify(&self, token: &str) -> Result<AccessToken, AuthError> {
        self.tokens
            .get(token)
            .cloned()
            .ok_or_else(|| AuthError::InvalidToken("unknown token".into()))
    }
}
