//! [`JwtVerifier`]: JWT access tokens checked against a JWKS, a public key or a shared secret.

use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::{Map, Value};

use super::jwks::Jwks;
use super::{AccessToken, AuthError, TokenVerifier};

/// Verifies JWT access tokens: signature (against a JWKS URI, a public key, or a shared
/// secret), `exp` and `nbf` (with a small leeway), issuer and audience.
///
/// Accepted algorithms: RS256–512, PS256–512, ES256, ES384 and EdDSA with public keys; HS256–
/// 512 only with [`shared_secret`](Self::shared_secret), never with a JWKS or public key
/// (`alg: none` is never accepted). ES512 is not supported (the `jsonwebtoken` crate has no
/// P-521).
///
/// With a JWKS, a token's `kid` picks its key; a `kid` not in the set refetches the set once
/// (at most once per [`jwks_refetch_interval`](Self::jwks_refetch_interval)), and a token whose
/// `kid` is still unknown is refused even if another key would verify it. A key without `alg`
/// (RFC 7517 allows it) is matched by its type and curve.
///
/// ```
/// use fastmcp::server::auth::JwtVerifier;
/// let verifier = JwtVerifier::jwks("https://auth.example.com/.well-known/jwks.json")
///     .issuer("https://auth.example.com")
///     .audience("https://mcp.example.com/mcp");
/// # let _ = verifier;
/// ```
pub struct JwtVerifier {
    keys: Keys,
    issuers: Vec<String>,
    audiences: Vec<String>,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    /// The claim checks for each accepted algorithm (jsonwebtoken wants every algorithm of a
    /// `Validation` to fit the key), made from the settings above on first use — the builder
    /// is done by then — so verifying a token allocates none of them.
    validations: std::sync::OnceLock<Vec<(Algorithm, Validation)>>,
}

enum Keys {
    Jwks(Jwks),
    Public(DecodingKey),
    Secret(DecodingKey),
}

const PUBLIC_KEY_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

const HMAC_ALGORITHMS: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    fn with_keys(keys: Keys, algorithms: &[Algorithm]) -> Self {
        Self {
            keys,
            issuers: Vec::new(),
            audiences: Vec::new(),
            algorithms: algorithms.to_vec(),
            leeway: Duration::from_secs(30),
            validations: std::sync::OnceLock::new(),
        }
    }

    /// Tokens signed by a key of the JSON Web Key Set at `uri` (fetched on first use, kept
    /// for an hour).
    pub fn jwks(uri: impl Into<String>) -> Self {
        Self::with_keys(Keys::Jwks(Jwks::new(uri.into())), &PUBLIC_KEY_ALGORITHMS)
    }

    /// Tokens signed by the private half of `pem` (an RSA, EC or Ed25519 public key in PEM).
    pub fn public_key_pem(pem: &str) -> Result<Self, AuthError> {
        let bytes = pem.as_bytes();
        let key = DecodingKey::from_rsa_pem(bytes)
            .or_else(|_| DecodingKey::from_ec_pem(bytes))
            .or_else(|_| DecodingKey::from_ed_pem(bytes))
            .map_err(|e| AuthError::Config(format!("not an RSA, EC or Ed25519 public key: {e}")))?;
        Ok(Self::with_keys(Keys::Public(key), &PUBLIC_KEY_ALGORITHMS))
    }

    /// Tokens signed with HS256, HS384 or HS512 and `secret` (shared with the issuer).
    pub fn shared_secret(secret: impl AsRef<[u8]>) -> Self {
        let key = DecodingKey::from_secret(secret.as_ref());
        Self::with_keys(Keys::Secret(key), &HMAC_ALGORITHMS)
    }

    /// Accepts tokens issued by `issuer` (`iss`); call again to accept several. Without any,
    /// `iss` is not checked.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Accepts tokens for `audience` (`aud`, usually this server's URL); call again to accept
    /// several. Set it: without any, a token for any audience is accepted, including one meant
    /// for another server.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Narrows the accepted algorithms (default: every one the key kind allows). Algorithms
    /// the key kind does not allow (HMAC with public keys, or the reverse) are ignored.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        let allowed: &[Algorithm] = match self.keys {
            Keys::Secret(_) => &HMAC_ALGORITHMS,
            _ => &PUBLIC_KEY_ALGORITHMS,
        };
        self.algorithms = algorithms
            .into_iter()
            .filter(|a| allowed.contains(a))
            .collect();
        self
    }

    /// Clock skew allowed on `exp` and `nbf` (default 30 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// How long fetched JWKS keys are used before they are fetched again (default one hour).
    pub fn jwks_cache_ttl(mut self, ttl: Duration) -> Self {
        if let Keys::Jwks(jwks) = &mut self.keys {
            jwks.max_age = ttl;
        }
        self
    }

    /// The least time between two JWKS fetches caused by tokens with an unknown `kid`
    /// (default 10 s), so made-up `kid`s cannot make the server hammer the issuer.
    pub fn jwks_refetch_interval(mut self, interval: Duration) -> Self {
        if let Keys::Jwks(jwks) = &mut self.keys {
            jwks.refetch_interval = interval;
        }
        self
    }

    /// The HTTP client that fetches the JWKS (timeouts, proxies, custom roots).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        if let Keys::Jwks(jwks) = &mut self.keys {
            jwks.set_client(client);
        }
        self
    }

    /// The claim checks for a token signed with `alg`; `None` if `alg` is not accepted.
    fn validation(&self, alg: Algorithm) -> Option<&Validation> {
        let validations = self.validations.get_or_init(|| {
            if self.audiences.is_empty() {
                tracing::warn!(
                    "JwtVerifier has no audience: tokens meant for other servers are accepted; \
                     set .audience(\"<this server's URL>\")"
                );
            }
            let checks = |alg| {
                let mut validation = Validation::new(alg);
                validation.leeway = self.leeway.as_secs();
                validation.validate_nbf = true;
                let mut required = vec!["exp"];
                if !self.issuers.is_empty() {
                    validation.set_issuer(&self.issuers);
                    required.push("iss");
                }
                if self.audiences.is_empty() {
                    validation.validate_aud = false;
                } else {
                    validation.set_audience(&self.audiences);
                    required.push("aud");
                }
                validation.set_required_spec_claims(&required);
                validation
            };
            self.algorithms
                .iter()
                .map(|&alg| (alg, checks(alg)))
                .collect()
        });
        validations
            .iter()
            .find(|(accepted, _)| *accepted == alg)
            .map(|(_, validation)| validation)
    }

    async fn keys_for(&self, header: &Header) -> Result<Vec<DecodingKey>, AuthError> {
        match &self.keys {
            Keys::Jwks(jwks) => jwks.keys_for(header).await,
            Keys::Public(key) | Keys::Secret(key) => Ok(vec![key.clone()]),
        }
    }
}

impl TokenVerifier for JwtVerifier {
    async fn verify(&self, token: &str) -> Result<AccessToken, AuthError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| AuthError::InvalidToken(format!("not a JWT we accept: {e}")))?;
        let Some(validation) = self.validation(header.alg) else {
            return Err(AuthError::InvalidToken(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        };
        let mut last = AuthError::InvalidToken("no key verifies the token".into());
        for key in self.keys_for(&header).await? {
            match jsonwebtoken::decode::<Map<String, Value>>(token, &key, validation) {
                Ok(data) => return Ok(AccessToken::from_claims(token, data.claims)),
                Err(error) => last = AuthError::InvalidToken(reason(error.kind())),
            }
        }
        Err(last)
    }
}

/// What a client is told about a refused JWT.
fn reason(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".into(),
        ErrorKind::InvalidIssuer => "the token is from another issuer".into(),
        ErrorKind::InvalidAudience => "the token is for another audience".into(),
        ErrorKind::InvalidSignature => "the signature does not verify".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token has no {claim} claim"),
        ErrorKind::InvalidAlgorithm => "the key does not fit the token's algorithm".into(),
        other => format!("the token does not verify: {other:?}"),
    }
}
