//! A JSON Web Key Set fetched from a URL: cached, refreshed when old, refetched (at most once
//! per interval) when a token names a key it does not hold.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Header};

use super::{AuthError, fetch_json};

/// One usable key of the set.
struct Key {
    kid: Option<String>,
    /// The `alg` the key is pinned to, if it says.
    alg: Option<String>,
    shape: Shape,
    decoding: DecodingKey,
}

/// What a key can verify: its `kty` (and `crv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Rsa,
    P256,
    P384,
    Ed25519,
    Other,
}

impl Shape {
    fn of(jwk: &Jwk) -> Self {
        match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Shape::Rsa,
            AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                EllipticCurve::P256 => Shape::P256,
                EllipticCurve::P384 => Shape::P384,
                _ => Shape::Other,
            },
            AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
                Shape::Ed25519
            }
            _ => Shape::Other,
        }
    }

    /// Whether a key of this shape verifies `alg` (never an HMAC: a published key is no
    /// shared secret).
    fn fits(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match alg {
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => self == Shape::Rsa,
            ES256 => self == Shape::P256,
            ES384 => self == Shape::P384,
            EdDSA => self == Shape::Ed25519,
            _ => false,
        }
    }
}

struct Fetched {
    keys: Vec<Arc<Key>>,
    at: Instant,
}

/// A JWKS endpoint and what was last fetched from it.
pub(super) struct Jwks {
    uri: String,
    client: reqwest::Client,
    /// Keys older than this are fetched again before use.
    pub(super) max_age: Duration,
    /// The least time between two fetches caused by an unknown `kid`.
    pub(super) refetch_interval: Duration,
    current: RwLock<Option<Arc<Fetched>>>,
    /// One fetch at a time; the others wait for its result.
    fetching: tokio::sync::Mutex<()>,
}

impl Jwks {
    pub(super) fn new(uri: String) -> Self {
        Self {
            uri,
            client: reqwest::Client::new(),
            max_age: Duration::from_secs(3600),
            refetch_interval: Duration::from_secs(10),
            current: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) fn set_client(&mut self, client: reqwest::Client) {
        self.client = client;
    }

    /// The keys that may have signed a token with `header`: the one its `kid` names, or (no
    /// `kid`) every key of the right type. An unknown `kid` refetches the set once; still
    /// unknown, the token is refused — no other key is tried.
    pub(super) async fn keys_for(&self, header: &Header) -> Result<Vec<DecodingKey>, AuthError> {
        let fetched = self.fresh().await?;
        let found = matching(&fetched.keys, header);
        if !found.is_empty() {
            return Ok(found);
        }
        let Some(fetched) = self.refetch(&fetched).await? else {
            return Err(no_key(header));
        };
        let found = matching(&fetched.keys, header);
        if found.is_empty() {
            return Err(no_key(header));
        }
        Ok(found)
    }

    fn cached(&self) -> Option<Arc<Fetched>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The cached set if young enough, else a new one (the old one if the fetch fails).
    async fn fresh(&self) -> Result<Arc<Fetched>, AuthError> {
        if let Some(fetched) = self.cached().filter(|f| f.at.elapsed() < self.max_age) {
            return Ok(fetched);
        }
        let _one = self.fetching.lock().await;
        if let Some(fetched) = self.cached().filter(|f| f.at.elapsed() < self.max_age) {
            return Ok(fetched);
        }
        match self.fetch().await {
            Ok(fetched) => Ok(fetched),
            Err(error) => match self.cached() {
                Some(old) => {
                    tracing::warn!(%error, uri = %self.uri, "JWKS refresh failed; keeping the old keys");
                    Ok(old)
                }
                None => Err(error),
            },
        }
    }

    /// A new set after `seen` did not hold the key, unless one was fetched too recently.
    async fn refetch(&self, seen: &Arc<Fetched>) -> Result<Option<Arc<Fetched>>, AuthError> {
        let _one = self.fetching.lock().await;
        if let Some(newer) = self.cached().filter(|f| !Arc::ptr_eq(f, seen)) {
            // Another request refetched while this one waited.
            return Ok(Some(newer));
        }
        if seen.at.elapsed() < self.refetch_interval {
            return Ok(None);
        }
        match self.fetch().await {
            Ok(fetched) => Ok(Some(fetched)),
            Err(error) => {
                tracing::warn!(%error, uri = %self.uri, "JWKS refetch failed");
                Ok(None)
            }
        }
    }

    async fn fetch(&self) -> Result<Arc<Fetched>, AuthError> {
        let what = format!("fetching the JWKS at {}", self.uri);
        let set: serde_json::Value = fetch_json(self.client.get(&self.uri), what).await?;
        let keys = parse_set(&set);
        tracing::debug!(uri = %self.uri, keys = keys.len(), "fetched JWKS");
        let fetched = Arc::new(Fetched {
            keys,
            at: Instant::now(),
        });
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&fetched));
        Ok(fetched)
    }
}

/// The set's signing keys; keys this crate cannot use (another `kty`, `use: enc`, broken
/// parameters) are skipped, not fatal.
fn parse_set(set: &serde_json::Value) -> Vec<Arc<Key>> {
    let entries = set.get("keys").and_then(|k| k.as_array());
    entries
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let jwk: Jwk = serde_json::from_value(entry.clone())
                .inspect_err(|error| tracing::debug!(%error, "skipping a JWKS key"))
                .ok()?;
            if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
                return None;
            }
            let shape = Shape::of(&jwk);
            if shape == Shape::Other {
                return None;
            }
            let decoding = DecodingKey::from_jwk(&jwk).ok()?;
            Some(Arc::new(Key {
                kid: jwk.common.key_id.clone(),
                alg: entry.get("alg").and_then(|a| a.as_str()).map(str::to_owned),
                shape,
                decoding,
            }))
        })
        .collect()
}

/// The keys that fit `header`: its `kid` if it names one, its `alg` always.
fn matching(keys: &[Arc<Key>], header: &Header) -> Vec<DecodingKey> {
    let alg_name = format!("{:?}", header.alg);
    keys.iter()
        .filter(|key| match &header.kid {
            Some(kid) => key.kid.as_deref() == Some(kid),
            None => true,
        })
        .filter(|key| key.shape.fits(header.alg))
        .filter(|key| key.alg.as_ref().is_none_or(|alg| *alg == alg_name))
        .map(|key| key.decoding.clone())
        .collect()
}

fn no_key(header: &Header) -> AuthError {
    match &header.kid {
        Some(kid) => AuthError::InvalidToken(format!(
            "no {:?} key with kid {kid:?} in the JWKS",
            header.alg
        )),
        None => AuthError::InvalidToken(format!("no {:?} key in the JWKS", header.alg)),
    }
}
