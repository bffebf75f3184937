//! `Origin` validation against DNS rebinding and cross-site requests.
//!
//! The transport specification says a server MUST validate `Origin` and answer `403` to an
//! invalid one. Accepted: a request without `Origin` (not from a browser page), one whose
//! `Origin` is the server itself (same host and port as the request's `Host`), a loopback
//! page talking to a server reached on loopback (`http://localhost:5173` calling
//! `127.0.0.1:8000`), and whatever [`HttpOptions::allowed_origins`](super::HttpOptions::allowed_origins)
//! lists. Everything else is refused.

use std::net::IpAddr;

use axum::body::Body;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use rmcp::model::{ErrorCode, ErrorData, ServerJsonRpcMessage};

/// The origins a server accepts beyond itself and loopback.
#[derive(Debug, Clone, Default)]
pub(super) struct OriginPolicy {
    allowed: Vec<Allowed>,
}

/// One entry of `allowed_origins`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    /// `null`: sandboxed frames, `file://` pages.
    Null,
    Origin {
        scheme: String,
        host: String,
        /// `None` for `:*`.
        port: Option<u16>,
    },
}

/// A parsed `Origin` header: scheme, host (lower case, without brackets), effective port.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl OriginPolicy {
    /// A policy from `allowed_origins` entries (`https://app.example.com`,
    /// `http://localhost:*`, `null`); entries that are not origins are logged and ignored.
    pub(super) fn new(entries: &[String]) -> Self {
        let allowed = entries
            .iter()
            .filter_map(|entry| {
                let parsed = parse_allowed(entry);
                if parsed.is_none() {
                    tracing::warn!(entry, "ignoring an allowed origin that is not an origin");
                }
                parsed
            })
            .collect();
        Self { allowed }
    }

    /// `Ok` if the request may be served; otherwise the `403` answering it.
    pub(super) fn check(&self, headers: &HeaderMap) -> Result<(), Box<Response>> {
        let mut values = headers.get_all(header::ORIGIN).iter();
        let Some(value) = values.next() else {
            return Ok(());
        };
        let text = value.to_str().ok().filter(|_| values.next().is_none());
        if text.is_some_and(|text| self.admits(text, headers)) {
            return Ok(());
        }
        let shown = text.unwrap_or("(unreadable)");
        tracing::warn!(origin = shown, "refused a request from a disallowed Origin");
        Err(Box::new(forbidden(shown)))
    }

    fn admits(&self, text: &str, headers: &HeaderMap) -> bool {
        if text.trim().eq_ignore_ascii_case("null") {
            return self.allowed.contains(&Allowed::Null);
        }
        let Some(origin) = parse_origin(text) else {
            return false;
        };
        let host = headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .and_then(|host| host.parse::<http::uri::Authority>().ok());
        if let Some(host) = &host {
            let host_name = normalize_host(host.host());
            let host_port = host.port_u16().or_else(|| default_port(&origin.scheme));
            if origin.host == host_name && origin.port == host_port {
                return true;
            }
            if is_loopback(&origin.host) && is_loopback(&host_name) {
                return true;
            }
        }
        self.allowed.iter().any(|allowed| match allowed {
            Allowed::Null => false,
            Allowed::Origin { scheme, host, port } => {
                *scheme == origin.scheme
                    && *host == origin.host
                    && port.is_none_or(|port| Some(port) == origin.port)
            }
        })
    }
}

fn parse_origin(text: &str) -> Option<Origin> {
    let uri = text.trim().parse::<http::Uri>().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?;
    // An origin is scheme://host[:port]: no user info, no path beyond `/`.
    if authority.as_str().contains('@') || uri.path().len() > 1 {
        return None;
    }
    let port = authority.port_u16().or_else(|| default_port(&scheme));
    Some(Origin {
        host: normalize_host(authority.host()),
        scheme,
        port,
    })
}

fn parse_allowed(entry: &str) -> Option<Allowed> {
    let entry = entry.trim();
    if entry.eq_ignore_ascii_case("null") {
        return Some(Allowed::Null);
    }
    let (base, any_port) = match entry.strip_suffix(":*") {
        Some(base) => (base, true),
        None => (entry, false),
    };
    let origin = parse_origin(base)?;
    Some(Allowed::Origin {
        scheme: origin.scheme,
        host: origin.host,
        port: if any_port { None } else { origin.port },
    })
}

/// The port a scheme implies when an origin leaves it out (RFC 6454 §4).
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn normalize_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `403` with a JSON-RPC error without id, as the transport specification allows.
fn forbidden(origin: &str) -> Response {
    let error = ErrorData::new(
        ErrorCode::INVALID_REQUEST,
        format!(
            "Forbidden: requests from Origin {origin} are not allowed (the server accepts its \
             own origin and loopback pages; others must be listed in allowed_origins)"
        ),
        None,
    );
    let body = serde_json::to_vec(&ServerJsonRpcMessage::error(error, None)).unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::OriginPolicy;
    use http::{HeaderMap, HeaderValue, header};

    fn request(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        headers
    }

    fn admitted(policy: &OriginPolicy, host: &str, origin: Option<&str>) -> bool {
        policy.check(&request(host, origin)).is_ok()
    }

    #[test]
    fn by_default_only_the_server_itself_loopback_pages_and_non_browsers() {
        let policy = OriginPolicy::default();
        assert!(admitted(&policy, "127.0.0.1:8000", None));
        assert!(admitted(
            &policy,
            "127.0.0.1:8000",
            Some("http://127.0.0.1:8000")
        ));
        assert!(admitted(
            &policy,
            "localhost:8000",
            Some("http://localhost:5173")
        ));
        assert!(admitted(&policy, "[::1]:8000", Some("http://[::1]:3000")));
        assert!(admitted(
            &policy,
            "127.0.0.1:8000",
            Some("http://localhost")
        ));
        assert!(admitted(
            &policy,
            "mcp.example.com",
            Some("https://mcp.example.com")
        ));
        assert!(!admitted(
            &policy,
            "127.0.0.1:8000",
            Some("http://evil.example")
        ));
        assert!(!admitted(
            &policy,
            "mcp.example.com",
            Some("http://mcp.example.com:8080")
        ));
        assert!(!admitted(
            &policy,
            "mcp.example.com",
            Some("http://localhost:3000")
        ));
        assert!(!admitted(&policy, "127.0.0.1:8000", Some("null")));
        assert!(!admitted(&policy, "127.0.0.1:8000", Some("not an origin")));
        assert!(!admitted(
            &policy,
            "127.0.0.1:8000",
            Some("http://user@localhost")
        ));
    }

    #[test]
    fn allowed_origins_widen_it() {
        let policy = OriginPolicy::new(&[
            "https://app.example.com".into(),
            "http://dev.example.com:*".into(),
            "null".into(),
            "not an origin".into(),
        ]);
        let host = "mcp.example.com";
        assert!(admitted(&policy, host, Some("https://app.example.com")));
        assert!(admitted(&policy, host, Some("https://app.example.com:443")));
        assert!(!admitted(
            &policy,
            host,
            Some("https://app.example.com:8443")
        ));
        assert!(!admitted(&policy, host, Some("http://app.example.com")));
        assert!(admitted(&policy, host, Some("http://dev.example.com:9000")));
        assert!(admitted(&policy, host, Some("null")));
        assert!(!admitted(&policy, host, Some("https://evil.example")));
    }

    #[test]
    fn two_origins_are_one_too_many() {
        let mut headers = request("127.0.0.1:8000", Some("http://127.0.0.1:8000"));
        headers.append(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8000"),
        );
        assert!(OriginPolicy::default().check(&headers).is_err());
    }
}
