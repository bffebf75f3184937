//! [`TokenCache`]: OAuth tokens kept in a file between runs, readable by the user alone.

use std::path::{Path, PathBuf};

use rmcp::transport::AuthError;
use rmcp::transport::auth::{CredentialStore, StoredCredentials};

/// Where [`OAuth::token_cache`](super::OAuth::token_cache) keeps a server's tokens: one JSON
/// file (mode 0600 on Unix, written whole through a temporary file and a rename).
#[derive(Clone, Debug)]
pub(crate) struct TokenCache {
    path: PathBuf,
}

impl TokenCache {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path }
    }
}

fn store_error(path: &Path, error: impl std::fmt::Display) -> AuthError {
    AuthError::InternalError(format!("token cache {}: {error}", path.display()))
}

#[async_trait::async_trait]
impl CredentialStore for TokenCache {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        match tokio::fs::read(&self.path).await {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(credentials) => Ok(Some(credentials)),
                Err(error) => {
                    // A damaged cache only costs a new authorization.
                    tracing::warn!(path = %self.path.display(), %error, "token cache unreadable; ignored");
                    Ok(None)
                }
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(store_error(&self.path, error)),
        }
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        let bytes =
            serde_json::to_vec_pretty(&credentials).map_err(|e| store_error(&self.path, e))?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_private(&path, &bytes))
            .await
            .map_err(|e| store_error(&self.path, e))?
            .map_err(|e| store_error(&self.path, e))
    }

    async fn clear(&self) -> Result<(), AuthError> {
        match tokio::fs::remove_file(&self.path).await {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(store_error(&self.path, error))
            }
            _ => Ok(()),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file only the user can read (its directory
/// created, also private), then renamed over `path`.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&temporary)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}
