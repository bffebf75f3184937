//! The header checks the direct path vouches for a request with.

use http::{HeaderMap, header};
use rmcp::model::ClientRequest;
use serde_json::Value;

/// The single value of header `name` as text; `None` if absent, repeated or not text.
pub(super) fn only_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    value.to_str().ok()
}

/// `Accept` names both JSON and SSE, plainly (any quality parameter: leave it to rmcp).
pub(super) fn accepts_json_and_sse(headers: &HeaderMap) -> bool {
    let Some(accept) = only_value(headers, header::ACCEPT.as_str()) else {
        return false;
    };
    let mut json = false;
    let mut sse = false;
    for media in accept.split(',') {
        match media.trim() {
            media if media.eq_ignore_ascii_case("application/json") => json = true,
            media if media.eq_ignore_ascii_case("text/event-stream") => sse = true,
            media if media.contains(';') => return false,
            _ => {}
        }
    }
    json && sse
}

pub(crate) fn content_is_json(headers: &HeaderMap) -> bool {
    only_value(headers, header::CONTENT_TYPE.as_str()).is_some_and(|value| {
        let essence = value.split_once(';').map_or(value, |(essence, _)| essence);
        essence.trim().eq_ignore_ascii_case("application/json")
    })
}

pub(super) fn content_length(headers: &HeaderMap) -> Option<usize> {
    only_value(headers, header::CONTENT_LENGTH.as_str())?
        .parse()
        .ok()
}

/// `Mcp-Name` names the tool, prompt or resource the body does, in plain (not Base64) form.
pub(super) fn names_match(headers: &HeaderMap, request: &ClientRequest) -> bool {
    let expected = match request {
        ClientRequest::CallToolRequest(call) => call.params.name.as_ref(),
        ClientRequest::GetPromptRequest(get) => get.params.name.as_str(),
        ClientRequest::ReadResourceRequest(read) => read.params.uri.as_str(),
        _ => return !headers.contains_key("mcp-name"),
    };
    only_value(headers, "mcp-name")
        .is_some_and(|name| name == expected && !name.starts_with("=?base64?"))
}

/// A request header only 2026-07-28 (SEP-2243) defines: its presence on a legacy request is
/// for rmcp to judge.
pub(super) fn is_2026_header(name: &str) -> bool {
    name == "mcp-method" || name == "mcp-name" || name.starts_with("mcp-param-")
}

/// Whether any property, at any depth of `properties`, carries `x-mcp-header`.
pub(super) fn has_header_annotation(properties: Option<&Value>) -> bool {
    let Some(Value::Object(properties)) = properties else {
        return false;
    };
    properties.values().any(|schema| {
        schema.get("x-mcp-header").is_some() || has_header_annotation(schema.get("properties"))
    })
}

/// A host (lowercase, without IPv6 brackets) and optional port, as `Host` validation compares
/// them.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Authority {
    host: String,
    port: Option<u16>,
}

impl Authority {
    pub(super) fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let (host, port) = match http::uri::Authority::try_from(value) {
            Ok(authority) => (authority.host().to_owned(), authority.port_u16()),
            Err(_) => (value.to_owned(), None),
        };
        Some(Self {
            host: host
                .trim_matches('[')
                .trim_matches(']')
                .to_ascii_lowercase(),
            port,
        })
    }

    /// An allowed entry without a port admits the host on any port.
    pub(super) fn admits(&self, host: &Authority) -> bool {
        self.host == host.host && self.port.is_none_or(|port| host.port == Some(port))
    }
}
