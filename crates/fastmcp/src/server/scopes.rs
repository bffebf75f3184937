//! Per-component scopes: which components a request's access token may see and use.
//!
//! A component declared with scopes (`#[tool(scopes = ["admin"])]`) is listed and served only
//! to a token that grants all of them. Without a token (auth off, stdio, in-memory) every
//! component is available: scopes are enforced where tokens are checked.

use rmcp::model::{ErrorCode, ErrorData, Extensions};

use crate::utilities::ComponentMeta;

/// The scopes the request's verified token grants; `None` when no token was checked.
pub(crate) fn granted(extensions: &Extensions) -> Option<&[String]> {
    #[cfg(feature = "server-auth")]
    {
        super::http::request::of(extensions)
            .and_then(|request| request.access_token())
            .map(|token| token.scopes.as_slice())
    }
    #[cfg(not(feature = "server-auth"))]
    {
        let _ = extensions;
        None
    }
}

/// Whether a request granted `granted` may see and use a component with `meta`.
pub(crate) fn allows(meta: &ComponentMeta, granted: Option<&[String]>) -> bool {
    granted.is_none_or(|granted| meta.scopes.iter().all(|scope| granted.contains(scope)))
}

/// `Ok` if allowed; else the error naming the scopes the component needs.
pub(crate) fn check(
    kind: &str,
    name: &str,
    meta: &ComponentMeta,
    granted: Option<&[String]>,
) -> Result<(), ErrorData> {
    if allows(meta, granted) {
        return Ok(());
    }
    let list = Vec::from_iter(meta.scopes.iter().map(String::as_str)).join(" ");
    Err(ErrorData::new(
        ErrorCode::INVALID_REQUEST,
        format!("insufficient scope: {kind} {name:?} needs scope {list:?}"),
        Some(serde_json::json!({ "error": "insufficient_scope", "scope": list })),
    ))
}
