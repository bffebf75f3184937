//! What a resource read returns, and the file-system helpers behind file and directory resources.

use std::path::Path;

use base64::Engine as _;

use crate::error::RequestError;
use crate::types::ResourceContents;

/// One piece of resource content, before it is tied to a URI.
///
/// ```
/// use fastmcp::resources::ResourceContent;
/// let csv = ResourceContent::text("a,b\n1,2").with_mime_type("text/csv");
/// let png = ResourceContent::blob(vec![0x89, b'P', b'N', b'G']).with_mime_type("image/png");
/// # let _ = (csv, png);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceContent {
    body: Body,
    mime_type: Option<String>,
    uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    Text(String),
    Blob(Vec<u8>),
}

impl ResourceContent {
    /// Text content.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            body: Body::Text(text.into()),
            mime_type: None,
            uri: None,
        }
    }

    /// Binary content (sent base64-encoded).
    pub fn blob(data: impl Into<Vec<u8>>) -> Self {
        Self {
            body: Body::Blob(data.into()),
            mime_type: None,
            uri: None,
        }
    }

    /// Sets the MIME type (default: the resource's).
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// Sets a URI other than the one read (for multi-part results).
    pub fn with_uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }

    fn into_contents(self, uri: &str) -> ResourceContents {
        let uri = self.uri.unwrap_or_else(|| uri.to_owned());
        let contents = match self.body {
            Body::Text(text) => ResourceContents::TextResourceContents {
                uri,
                mime_type: None,
                text,
                meta: None,
            },
            Body::Blob(data) => {
                ResourceContents::blob(base64::engine::general_purpose::STANDARD.encode(data), uri)
            }
        };
        match self.mime_type {
            Some(mime) => contents.with_mime_type(mime),
            None => contents,
        }
    }
}

/// Values a resource function can return as they are: text, bytes, [`ResourceContent`]s, or
/// the protocol's `ResourceContents`. (With `#[resource]`, any other `Serialize` value is sent
/// as JSON.)
pub trait IntoResourceContents {
    /// The contents for a read of `uri`.
    fn into_resource_contents(self, uri: &str) -> Vec<ResourceContents>;
}

impl IntoResourceContents for String {
    fn into_resource_contents(self, uri: &str) -> Vec<ResourceContents> {
        vec![ResourceContent::text(self).into_contents(uri)]
    }
}

impl IntoResourceContents for &'static str {
    fn into_resource_contents(self, uri: &str) -> Vec<ResourceContents> {
        vec![ResourceContent::text(self).into_contents(uri)]
    }
}

impl IntoResourceContents for Vec<u8> {
    fn into_resource_contents(self, uri: &str) -> Vec<ResourceContents> {
        vec![ResourceContent::blob(self).into_contents(uri)]
    }
}

impl IntoResourceContents for ResourceContent {
    fn into_resource_contents(self, uri: &str) -> Vec<ResourceContents> {
        vec![self.into_contents(uri)]
    }
}

impl IntoResourceContents for Vec<ResourceContent> {
    fn into_resource_contents(self, uri: &str) -> Vec<ResourceContents> {
        self.into_iter()
            .map(|content| content.into_contents(uri))
            .collect()
    }
}

impl IntoResourceContents for ResourceContents {
    fn into_resource_contents(self, _uri: &str) -> Vec<ResourceContents> {
        vec![self]
    }
}

impl IntoResourceContents for Vec<ResourceContents> {
    fn into_resource_contents(self, _uri: &str) -> Vec<ResourceContents> {
        self
    }
}

/// Fills in what a handler left out: the URI read, and the resource's MIME type.
pub(crate) fn finish(
    contents: Vec<ResourceContents>,
    uri: &str,
    mime_type: Option<&str>,
) -> Vec<ResourceContents> {
    contents
        .into_iter()
        .map(|item| {
            let item = match item {
                ResourceContents::TextResourceContents {
                    uri: u,
                    mime_type: m,
                    text,
                    meta,
                } if u.is_empty() => ResourceContents::TextResourceContents {
                    uri: uri.to_owned(),
                    mime_type: m,
                    text,
                    meta,
                },
                ResourceContents::BlobResourceContents {
                    uri: u,
                    mime_type: m,
                    blob,
                    meta,
                } if u.is_empty() => ResourceContents::BlobResourceContents {
                    uri: uri.to_owned(),
                    mime_type: m,
                    blob,
                    meta,
                },
                other => other,
            };
            let missing_mime = matches!(
                &item,
                ResourceContents::TextResourceContents {
                    mime_type: None,
                    ..
                } | ResourceContents::BlobResourceContents {
                    mime_type: None,
                    ..
                }
            );
            match (missing_mime, mime_type) {
                (true, Some(mime)) => item.with_mime_type(mime),
                _ => item,
            }
        })
        .collect()
}

/// A MIME type from a file extension; `application/octet-stream` when unknown.
pub(crate) fn guess_mime_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "txt" | "log" => "text/plain",
        "md" | "markdown" => "text/markdown",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "toml" => "application/toml",
        "xml" => "application/xml",
        "js" | "mjs" => "text/javascript",
        "rs" | "py" | "ts" | "go" | "c" | "h" | "java" | "sh" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// Whether content of this MIME type is sent as text rather than a blob.
pub(crate) fn is_textual(mime_type: Option<&str>) -> bool {
    mime_type.is_some_and(|mime| {
        mime.starts_with("text/")
            || matches!(
                mime,
                "application/json"
                    | "application/yaml"
                    | "application/toml"
                    | "application/xml"
                    | "image/svg+xml"
            )
    })
}

pub(crate) async fn read_file(
    path: &Path,
    textual: bool,
) -> Result<Vec<ResourceContents>, RequestError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => {
                RequestError::not_found(format!("file not found: {}", path.display()))
            }
            _ => RequestError::new(format!("cannot read {}: {error}", path.display())),
        })?;
    let content = if textual {
        match String::from_utf8(bytes) {
            Ok(text) => ResourceContent::text(text),
            Err(error) => ResourceContent::blob(error.into_bytes()),
        }
    } else {
        ResourceContent::blob(bytes)
    };
    Ok(vec![content.into_contents("")])
}

pub(crate) fn list_directory(root: &Path) -> Result<String, RequestError> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => {
                RequestError::not_found(format!("directory not found: {}", dir.display()))
            }
            _ => RequestError::new(format!("cannot list {}: {error}", dir.display())),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            // Symlinked directories are listed but not followed, so a loop cannot hang us.
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if is_dir {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                files.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    serde_json::to_string(&files).map_err(|error| RequestError::new(error.to_string()))
}
