//! The direct path's header and body checks.

use super::*;
use http::HeaderValue;

#[test]
fn host_entries_without_a_port_admit_any_port() {
    let allowed = Authority::parse("localhost").unwrap();
    assert!(allowed.admits(&Authority::parse("LOCALHOST:8080").unwrap()));
    let exact = Authority::parse("127.0.0.1:80").unwrap();
    assert!(!exact.admits(&Authority::parse("127.0.0.1:81").unwrap()));
    let ipv6 = Authority::parse("[::1]").unwrap();
    assert!(ipv6.admits(&Authority::parse("[::1]:9000").unwrap()));
}

#[test]
fn accept_needs_both_types_and_no_parameters() {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("application/json, text/event-stream"),
    );
    assert!(accepts_json_and_sse(&headers));
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("application/json, text/event-stream;q=0"),
    );
    assert!(!accepts_json_and_sse(&headers));
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    assert!(!accepts_json_and_sse(&headers));
}

fn request(extra: &[(&str, &str)]) -> Request {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list",
        "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}}}})
    .to_string();
    let mut builder = http::Request::post("/mcp")
        .header("host", "127.0.0.1:9")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("content-length", body.len())
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/list");
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body)).unwrap()
}

/// The routing decision itself: what the direct path answers and what it leaves to rmcp.
#[tokio::test]
async fn serves_plain_2026_requests_and_hands_back_the_rest() {
    let config = rmcp::transport::StreamableHttpServerConfig::default();
    let sessions = Arc::new(Sessions::new(None, None, None, None, None));
    let direct = Direct::new(
        FastMCP::new("t"),
        &config,
        CancellationToken::new(),
        sessions,
        true,
    );
    let pass = |_: &http::request::Parts, _: &[u8]| Ok(());
    let served = direct.try_serve(request(&[]), &pass).await;
    assert_eq!(served.map(|r| r.status()).ok(), Some(StatusCode::OK));
    // Origin is checked before the direct path (`origin.rs`): an allowed one is served.
    let from_page = direct
        .try_serve(request(&[("origin", "http://127.0.0.1:9")]), &pass)
        .await;
    assert_eq!(from_page.map(|r| r.status()).ok(), Some(StatusCode::OK));
    for extra in [
        ("mcp-session-id", "abc"),    // no such session
        ("mcp-method", "tools/list"), // repeated
    ] {
        assert!(
            direct.try_serve(request(&[extra]), &pass).await.is_err(),
            "{extra:?} goes to rmcp"
        );
    }
    let mut foreign = request(&[]);
    foreign
        .headers_mut()
        .insert(header::HOST, HeaderValue::from_static("evil.example"));
    assert!(
        direct.try_serve(foreign, &pass).await.is_err(),
        "a foreign host goes to rmcp"
    );
}

#[test]
fn header_annotations_are_found_at_any_depth() {
    let nested = serde_json::json!({
        "a": {"type": "object", "properties": {"b": {"type": "string", "x-mcp-header": "B"}}}
    });
    assert!(has_header_annotation(Some(&nested)));
    let plain = serde_json::json!({"a": {"type": "integer"}});
    assert!(!has_header_annotation(Some(&plain)));
}
