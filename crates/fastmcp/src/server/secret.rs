//! Unpredictable values: session ids and the default key that seals `requestState`.
//!
//! One 256-bit secret is drawn from the OS random source per process; ids and keys are
//! SHA-256 digests of it with a counter, so they are unique, unguessable without the secret,
//! and cost no system call. If the OS random source fails there is no secret, and the server
//! refuses to start (or to open a session) instead of falling back to something guessable.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use crate::error::Error;

/// The process's secret and the counter that keeps derived values apart.
pub(crate) struct Secret {
    key: [u8; 32],
    counter: AtomicU64,
}

static SECRET: OnceLock<Secret> = OnceLock::new();

/// The process's secret, drawn from the OS on first use.
pub(crate) fn secret() -> Result<&'static Secret, Error> {
    if let Some(secret) = SECRET.get() {
        return Ok(secret);
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|error| Error::Randomness(error.into()))?;
    Ok(SECRET.get_or_init(|| Secret {
        key,
        counter: AtomicU64::new(0),
    }))
}

impl Secret {
    /// A random (version 4) UUID made from the secret, never given out before in this process.
    pub(crate) fn new_id(&self) -> String {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.derive(b"id")[..16]);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// A 256-bit key, never given out before in this process.
    pub(crate) fn new_key(&self) -> [u8; 32] {
        self.derive(b"key")
    }

    fn derive(&self, purpose: &[u8]) -> [u8; 32] {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        Sha256::new()
            .chain_update(self.key)
            .chain_update(purpose)
            .chain_update(n.to_le_bytes())
            .finalize()
            .into()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::secret;

    #[test]
    fn ids_and_keys_do_not_repeat() {
        let secret = secret().unwrap();
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| secret.new_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| {
            uuid::Uuid::parse_str(id)
                .is_ok_and(|uuid| uuid.get_version() == Some(uuid::Version::Random))
        }));
        assert_ne!(secret.new_key(), secret.new_key());
    }
}
