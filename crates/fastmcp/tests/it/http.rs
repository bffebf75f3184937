//! Streamable HTTP on 127.0.0.1 with OS-chosen ports: our client and raw HTTP requests against
//! a served `FastMCP`, with sessions, stateless, JSON responses, and the transport's guards.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use common::Recorder;
use fastmcp::client::Era;
use fastmcp::server::HttpOptions;
use fastmcp::{Client, Context, FastMCP, tool};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Count to `n`, reporting each step.
#[tool]
async fn count(ctx: Context, n: u32) -> u32 {
    for i in 1..=n {
        ctx.report_progress(f64::from(i), Some(f64::from(n)), Some(&format!("step {i}")))
            .await;
    }
    n
}

/// Wait until released, then answer.
#[tool]
async fn slow(ctx: Context) -> String {
    let gate = ctx.state::<tokio::sync::Notify>().expect("gate");
    ctx.report_progress(1.0, None, Some("waiting")).await;
    gate.notified().await;
    "released".into()
}

/// Report steps 1 to 5, wait until released, report 6 to 10, answer.
#[tool]
async fn halves(ctx: Context) -> String {
    let gate = ctx.state::<tokio::sync::Notify>().expect("gate");
    for i in 1..=10 {
        if i == 6 {
            gate.notified().await;
        }
        ctx.report_progress(f64::from(i), Some(10.0), None).await;
    }
    "both halves".into()
}

fn server() -> FastMCP {
    FastMCP::new("http-test")
        .progress_interval(None)
        .tool(count)
        .tool(slow)
}

/// A server whose `halves` tool waits on the returned gate.
fn gated_server() -> (FastMCP, std::sync::Arc<tokio::sync::Notify>) {
    let server = server().tool(halves);
    server.insert_state(tokio::sync::Notify::new());
    let gate = server.state::<tokio::sync::Notify>().unwrap();
    (server, gate)
}

/// Serves `server` on 127.0.0.1:0; returns its address and the token that stops it.
async fn serve(
    server: FastMCP,
    options: HttpOptions,
) -> (SocketAddr, CancellationToken, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let task = tokio::spawn(async move {
        server.serve_http(listener, options, stop).await.unwrap();
    });
    (addr, shutdown, task)
}

async fn client(addr: SocketAddr, era: Era) -> Client {
    Client::builder()
        .era(era)
        .connect(format!("http://{addr}/mcp"))
        .await
        .unwrap()
}

async fn round_trip(options: HttpOptions, era: Era) {
    let (addr, shutdown, _task) = serve(server(), options).await;
    let client = client(addr, era).await;
    assert_eq!(client.is_stateless(), era == Era::Stateless);
    assert_eq!(client.list_tools().await.unwrap().len(), 2);
    let recorder = Recorder::default();
    let result = client
        .call_tool("count", json!({"n": 50}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(result.data::<u32>().unwrap(), 50);
    assert_eq!(
        recorder.values(),
        (1..=50).map(f64::from).collect::<Vec<_>>()
    );
    shutdown.cancel();
}

#[tokio::test]
async fn sessions_carry_progress_on_the_request_stream_in_both_eras() {
    round_trip(HttpOptions::default(), Era::Legacy).await;
    round_trip(HttpOptions::default(), Era::Stateless).await;
}

#[tokio::test]
async fn stateless_and_json_response_modes_work() {
    round_trip(HttpOptions::default().stateless(true), Era::Legacy).await;
    round_trip(HttpOptions::default().stateless(true), Era::Stateless).await;
    round_trip(
        HttpOptions::default().stateless(true).json_response(true),
        Era::Stateless,
    )
    .await;
}

/// One raw HTTP/1.1 exchange: (status, headers lower-cased, body).
async fn raw(
    addr: SocketAddr,
    method: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "{method} /mcp HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

const JSON_AND_SSE: (&str, &str) = ("Accept", "application/json, text/event-stream");
const JSON: (&str, &str) = ("Content-Type", "application/json");

fn initialize() -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}})
    .to_string()
}

#[tokio::test]
async fn a_foreign_host_or_origin_is_refused() {
    let (addr, shutdown, _task) = serve(
        server(),
        HttpOptions::default().allowed_origins(["http://localhost:3000"]),
    )
    .await;
    let (status, _, _) = raw(
        addr,
        "POST",
        &[("Host", "evil.example"), JSON, JSON_AND_SSE],
        &initialize(),
    )
    .await;
    assert_eq!(status, 403, "DNS-rebinding host must be refused");
    let (status, _, _) = raw(
        addr,
        "POST",
        &[("Origin", "http://evil.example"), JSON, JSON_AND_SSE],
        &initialize(),
    )
    .await;
    assert_eq!(status, 403, "a foreign Origin must be refused");
    let (status, _, _) = raw(
        addr,
        "POST",
        &[("Origin", "http://localhost:3000"), JSON, JSON_AND_SSE],
        &initialize(),
    )
    .await;
    assert_eq!(status, 200, "the allowed Origin passes");
    shutdown.cancel();
}

#[tokio::test]
async fn by_default_only_pages_of_the_server_itself_or_loopback_get_through() {
    for options in [
        HttpOptions::default(),
        HttpOptions::default().stateless(true),
    ] {
        let (addr, shutdown, _task) = serve(server(), options).await;
        let own = format!("http://{addr}");
        for (origin, expected) in [
            (None, 200),
            (Some(own.as_str()), 200),
            (Some("http://localhost:5173"), 200),
            (Some("http://evil.example"), 403),
            (Some("null"), 403),
        ] {
            let mut headers = vec![JSON, JSON_AND_SSE];
            if let Some(origin) = origin {
                headers.push(("Origin", origin));
            }
            let (status, _, reply) = raw(addr, "POST", &headers, &initialize()).await;
            assert_eq!(status, expected, "Origin {origin:?}: {reply}");
            if expected == 403 {
                assert!(
                    reply.contains("-32600") && reply.contains("allowed_origins"),
                    "{reply}"
                );
            }
            // The 2026-07-28 path refuses it too.
            let mut headers = vec![V2026, CALL, ("Mcp-Name", "count"), JSON, JSON_AND_SSE];
            if let Some(origin) = origin {
                headers.push(("Origin", origin));
            }
            let body = stateless_call("count", json!({"n": 1}));
            let (status, _, reply) = raw(addr, "POST", &headers, &body).await;
            assert_eq!(status, expected, "Origin {origin:?} on 2026-07-28: {reply}");
        }
        shutdown.cancel();
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_rpc_gets_400_on_every_path() {
    for options in [
        HttpOptions::default(),
        HttpOptions::default().stateless(true),
        HttpOptions::default().stateless(true).json_response(true),
    ] {
        let (addr, shutdown, _task) = serve(server(), options).await;
        let legacy = [JSON, JSON_AND_SSE];
        let stateless = [V2026, ("Mcp-Method", "tools/list"), JSON, JSON_AND_SSE];
        for headers in [&legacy[..], &stateless[..]] {
            let (status, _, reply) = raw(addr, "POST", headers, "{not json").await;
            assert_eq!(status, 400, "malformed JSON: {reply}");
            assert!(reply.contains("-32700"), "malformed JSON: {reply}");
            let (status, _, reply) = raw(addr, "POST", headers, r#"{"hello": 1}"#).await;
            assert_eq!(status, 400, "JSON but no message: {reply}");
            assert!(reply.contains("-32600"), "JSON but no message: {reply}");
        }
        let (status, _, _) = raw(
            addr,
            "POST",
            &[("Content-Type", "text/plain"), JSON_AND_SSE],
            &initialize(),
        )
        .await;
        assert_eq!(status, 415, "a body that is not declared JSON");
        let (status, _, reply) = raw(addr, "POST", &legacy, &initialize()).await;
        assert_eq!(status, 200, "the server keeps serving: {reply}");
        shutdown.cancel();
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let (addr, shutdown, _task) =
        serve(server(), HttpOptions::default().max_body_bytes(1024)).await;
    let big =
        json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x".repeat(4096)}})
            .to_string();
    let (status, _, _) = raw(addr, "POST", &[JSON, JSON_AND_SSE], &big).await;
    assert_eq!(status, 413);
    let (status, _, _) = raw(addr, "POST", &[JSON, JSON_AND_SSE], &initialize()).await;
    assert_eq!(status, 200, "the server keeps serving");
    shutdown.cancel();
}

#[tokio::test]
async fn a_protocol_version_header_that_contradicts_the_body_is_400() {
    let (addr, shutdown, _task) = serve(server(), HttpOptions::default()).await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}}}})
    .to_string();
    let mismatch = [
        ("MCP-Protocol-Version", "2025-06-18"),
        ("Mcp-Method", "server/discover"),
        JSON,
        JSON_AND_SSE,
    ];
    let (status, _, reply) = raw(addr, "POST", &mismatch, &body).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply.contains("-32020"), "{reply}");
    shutdown.cancel();
}

/// A 2026-07-28 `tools/call` body for `name` with `arguments`, asking for progress.
fn stateless_call(name: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
        "name": name, "arguments": arguments, "_meta": {
        "progressToken": "p",
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}}}})
    .to_string()
}

const V2026: (&str, &str) = ("MCP-Protocol-Version", "2026-07-28");
const CALL: (&str, &str) = ("Mcp-Method", "tools/call");

#[tokio::test]
async fn stateless_requests_are_answered_in_json_or_sse_with_the_specified_status() {
    for json_response in [false, true] {
        let options = HttpOptions::default()
            .stateless(true)
            .json_response(json_response);
        let (addr, shutdown, _task) = serve(server(), options).await;
        let headers = [V2026, CALL, ("Mcp-Name", "count"), JSON, JSON_AND_SSE];

        // No progress: the result alone, as JSON in JSON mode, else as one SSE event.
        let (status, head, reply) = raw(
            addr,
            "POST",
            &headers,
            &stateless_call("count", json!({"n": 0})),
        )
        .await;
        assert_eq!(status, 200, "{reply}");
        let content_type = &head.iter().find(|(k, _)| k == "content-type").unwrap().1;
        if json_response {
            assert_eq!(content_type, "application/json");
            let answer: Value = serde_json::from_str(&reply).unwrap();
            assert_eq!(answer["result"]["structuredContent"]["result"], 0);
            assert_eq!(answer["result"]["resultType"], "complete");
        } else {
            assert_eq!(content_type, "text/event-stream");
            assert!(
                reply.contains(r#""structuredContent":{"result":0}"#),
                "{reply}"
            );
        }

        // Progress comes first, on an SSE stream, whatever the mode.
        let (status, _, reply) = raw(
            addr,
            "POST",
            &headers,
            &stateless_call("count", json!({"n": 3})),
        )
        .await;
        assert_eq!(status, 200);
        assert_progress_then_result(&reply);

        // Bad arguments are an isError result; an unknown method is 404.
        let (status, _, reply) = raw(
            addr,
            "POST",
            &headers,
            &stateless_call("count", json!({"n": "x"})),
        )
        .await;
        assert_eq!(status, 200);
        assert!(reply.contains(r#""isError":true"#), "{reply}");
        let unknown = stateless_call("count", json!({})).replace("tools/call", "tools/frobnicate");
        let (status, _, reply) = raw(
            addr,
            "POST",
            &[
                V2026,
                ("Mcp-Method", "tools/frobnicate"),
                JSON,
                JSON_AND_SSE,
            ],
            &unknown,
        )
        .await;
        assert_eq!(status, 404, "{reply}");
        assert!(reply.contains("-32601"), "{reply}");
        shutdown.cancel();
    }
}

/// `reply` carries the last progress value (3) before the result.
fn assert_progress_then_result(reply: &str) {
    let progress = reply
        .find(r#""progress":3"#)
        .expect("the last progress value");
    let result = reply.find(r#""structuredContent""#).expect("the result");
    assert!(progress < result, "progress before the result: {reply}");
}

/// A legacy `tools/call` (no `_meta` protocol keys), as a client sends it to a server
/// without sessions.
fn legacy_call(name: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {
        "name": name, "arguments": arguments, "_meta": {"progressToken": "p"}}})
    .to_string()
}

#[tokio::test]
async fn legacy_requests_to_a_server_without_sessions_are_answered_as_rmcp_would() {
    for json_response in [false, true] {
        let options = HttpOptions::default()
            .stateless(true)
            .json_response(json_response);
        let (addr, shutdown, _task) = serve(server(), options).await;
        let version = ("MCP-Protocol-Version", "2025-11-25");
        for headers in [
            &[version, JSON, JSON_AND_SSE][..],
            &[JSON, JSON_AND_SSE][..],
        ] {
            let (status, head, reply) = raw(
                addr,
                "POST",
                headers,
                &legacy_call("count", json!({"n": 0})),
            )
            .await;
            assert_eq!(status, 200, "{reply}");
            assert!(
                !head.iter().any(|(k, _)| k == "mcp-session-id"),
                "no session"
            );
            assert!(
                reply.contains(r#""structuredContent":{"result":0}"#),
                "{reply}"
            );
            let (status, _, reply) = raw(
                addr,
                "POST",
                headers,
                &legacy_call("count", json!({"n": 3})),
            )
            .await;
            assert_eq!(status, 200);
            assert_progress_then_result(&reply);
        }
        // A JSON-RPC error is still HTTP 200 on a legacy request (404 is 2026-07-28's).
        let unknown = legacy_call("count", json!({})).replace("tools/call", "tools/frobnicate");
        let (status, _, reply) = raw(addr, "POST", &[version, JSON, JSON_AND_SSE], &unknown).await;
        assert_eq!(status, 200, "{reply}");
        assert!(reply.contains("-32601"), "{reply}");
        let (status, _, reply) = raw(
            addr,
            "POST",
            &[("MCP-Protocol-Version", "1999-01-01"), JSON, JSON_AND_SSE],
            &legacy_call("count", json!({"n": 1})),
        )
        .await;
        assert_eq!(status, 400, "an unknown version is refused: {reply}");
        shutdown.cancel();
    }
}

#[tokio::test]
async fn stateless_header_checks_hold() {
    let (addr, shutdown, _task) = serve(server(), HttpOptions::default().stateless(true)).await;
    let body = stateless_call("count", json!({"n": 1}));
    for (headers, why) in [
        (
            vec![V2026, CALL, ("Mcp-Name", "slow"), JSON, JSON_AND_SSE],
            "Mcp-Name names another tool",
        ),
        (vec![V2026, CALL, JSON, JSON_AND_SSE], "Mcp-Name is missing"),
        (
            vec![
                V2026,
                ("Mcp-Method", "tools/list"),
                ("Mcp-Name", "count"),
                JSON,
                JSON_AND_SSE,
            ],
            "Mcp-Method names another method",
        ),
    ] {
        let (status, _, reply) = raw(addr, "POST", &headers, &body).await;
        assert_eq!(status, 400, "{why}: {reply}");
        assert!(reply.contains("-32020"), "{why}: {reply}");
    }
    let no_meta = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "count", "arguments": {"n": 1}}})
    .to_string();
    let headers = [V2026, CALL, ("Mcp-Name", "count"), JSON, JSON_AND_SSE];
    let (status, _, reply) = raw(addr, "POST", &headers, &no_meta).await;
    assert_eq!(status, 400, "missing _meta: {reply}");
    let (status, _, reply) = raw(addr, "POST", &headers, "{not json").await;
    assert!(reply.contains("-32700"), "malformed JSON: {status} {reply}");
    let (status, _, reply) = raw(addr, "POST", &headers, &body).await;
    assert_eq!(status, 200, "the server keeps serving: {reply}");
    shutdown.cancel();
}

/// Reports progress, then waits until its call is cancelled; says so when dropped.
#[tool]
async fn hang(ctx: Context) -> String {
    struct Dropped(std::sync::Arc<tokio::sync::Notify>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.notify_one();
        }
    }
    let _dropped = Dropped(ctx.state::<tokio::sync::Notify>().expect("notify"));
    ctx.report_progress(1.0, None, Some("hanging")).await;
    std::future::pending::<()>().await;
    unreachable!()
}

#[tokio::test]
async fn a_stateless_call_stops_when_its_client_goes_away() {
    let server = server().tool(hang);
    server.insert_state(tokio::sync::Notify::new());
    let dropped = server.state::<tokio::sync::Notify>().unwrap();
    let (addr, shutdown, _task) = serve(server, HttpOptions::default().stateless(true)).await;
    let mut response = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "hang")
        .body(stateless_call("hang", json!({})))
        .send()
        .await
        .unwrap();
    read_events(&mut response, is_progress(1.0)).await;
    drop(response);
    tokio::time::timeout(Duration::from_secs(30), dropped.notified())
        .await
        .expect("the tool was not cancelled when its client went away");
    shutdown.cancel();
}

#[tokio::test]
async fn delete_ends_a_session() {
    let (addr, shutdown, _task) = serve(server(), HttpOptions::default()).await;
    let (status, headers, _) = raw(addr, "POST", &[JSON, JSON_AND_SSE], &initialize()).await;
    assert_eq!(status, 200);
    let session = headers
        .iter()
        .find(|(k, _)| k == "mcp-session-id")
        .map(|(_, v)| v.clone())
        .expect("session id");
    let with_session = [
        ("Mcp-Session-Id", session.as_str()),
        ("MCP-Protocol-Version", "2025-11-25"),
        JSON,
        JSON_AND_SSE,
    ];
    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}).to_string();
    let (status, _, _) = raw(addr, "POST", &with_session, &ping).await;
    assert_eq!(status, 200);
    let (status, _, _) = raw(addr, "DELETE", &with_session, "").await;
    assert_eq!(
        status, 200,
        "DELETE answers 200, as the Python and TypeScript SDKs do"
    );
    let (status, _, _) = raw(addr, "POST", &with_session, &ping).await;
    assert_eq!(status, 404, "an ended session is gone");
    shutdown.cancel();
}

#[tokio::test]
async fn shutdown_finishes_in_flight_calls() {
    let (server, gate) = gated_server();
    let (addr, shutdown, task) = serve(server, HttpOptions::default()).await;
    let client = client(addr, Era::Legacy).await;
    let mut call = Box::pin(client.call_tool("slow", Value::Null).stream());
    // The first progress event proves the call is running on the server.
    use futures::StreamExt as _;
    assert!(matches!(
        call.next().await,
        Some(fastmcp::client::CallEvent::Progress(_))
    ));
    shutdown.cancel();
    gate.notify_one();
    match call.next().await {
        Some(fastmcp::client::CallEvent::Result(Ok(result))) => {
            assert_eq!(result.text(), "released")
        }
        other => panic!("the in-flight call should finish, got {other:?}"),
    }
    tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .expect("the server did not stop after shutdown")
        .unwrap();
}

#[tokio::test]
async fn an_unreachable_url_is_a_clear_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = Client::builder()
        .era(Era::Legacy)
        .connect(format!("http://{addr}/mcp"))
        .await
        .unwrap_err();
    assert!(
        error.to_string().starts_with(&format!(
            "could not connect to the MCP server: http://{addr}/mcp"
        )),
        "{error}"
    );
}

/// Starts a legacy session with a raw `initialize`; returns its id.
async fn open_session(addr: SocketAddr) -> Result<String, u16> {
    let (status, headers, _) = raw(addr, "POST", &[JSON, JSON_AND_SSE], &initialize()).await;
    if status != 200 {
        return Err(status);
    }
    Ok(headers
        .into_iter()
        .find(|(k, _)| k == "mcp-session-id")
        .map(|(_, v)| v)
        .expect("session id"))
}

#[tokio::test]
async fn idle_sessions_expire_and_their_id_is_then_unknown() {
    let options = HttpOptions::default().session_idle_timeout(Some(Duration::from_millis(100)));
    let server = server();
    let mut live = server.live_sessions();
    let (addr, shutdown, _task) = serve(server, options).await;
    let session = open_session(addr).await.unwrap();
    assert_eq!(*live.borrow_and_update(), 1);
    tokio::time::timeout(Duration::from_secs(30), live.wait_for(|n| *n == 0))
        .await
        .expect("the idle session should expire")
        .unwrap();
    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}).to_string();
    let with_session = [("Mcp-Session-Id", session.as_str()), JSON, JSON_AND_SSE];
    let (status, _, _) = raw(addr, "POST", &with_session, &ping).await;
    assert_eq!(status, 404, "an expired session is gone");
    shutdown.cancel();
}

#[tokio::test]
async fn sessions_beyond_the_cap_are_refused_until_one_ends() {
    let options = HttpOptions::default().max_sessions(Some(1));
    let (addr, shutdown, _task) = serve(server(), options).await;
    let first = open_session(addr).await.unwrap();
    assert_eq!(open_session(addr).await, Err(503));
    let with_session = [("Mcp-Session-Id", first.as_str()), JSON_AND_SSE];
    let (status, _, _) = raw(addr, "DELETE", &with_session, "").await;
    assert!((200..300).contains(&status), "DELETE answered {status}");
    open_session(addr).await.expect("room for a new session");
    shutdown.cancel();
}

#[tokio::test]
async fn the_client_starts_a_new_session_when_its_session_expired() {
    let options = HttpOptions::default().session_idle_timeout(Some(Duration::from_millis(100)));
    let server = server();
    let mut live = server.live_sessions();
    let (addr, shutdown, _task) = serve(server, options).await;
    let client = client(addr, Era::Legacy).await;
    let result = client.call_tool("count", json!({"n": 2})).await.unwrap();
    assert_eq!(result.data::<u32>().unwrap(), 2);
    tokio::time::timeout(Duration::from_secs(30), live.wait_for(|n| *n == 0))
        .await
        .expect("the idle session should expire")
        .unwrap();
    let result = client.call_tool("count", json!({"n": 3})).await.unwrap();
    assert_eq!(result.data::<u32>().unwrap(), 3);
    assert_eq!(*live.borrow(), 1, "the client opened a new session");
    shutdown.cancel();
}

/// One server-sent event: its id and its data parsed as JSON (None for a priming event).
#[derive(Debug)]
struct Event {
    id: Option<String>,
    data: Option<Value>,
}

/// Reads server-sent events from a streaming response until `stop` holds for one.
async fn read_events(
    response: &mut reqwest::Response,
    stop: impl Fn(&Event) -> bool,
) -> Vec<Event> {
    let mut buffer = String::new();
    let mut events = Vec::new();
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = Event {
                id: None,
                data: None,
            };
            for line in block.lines() {
                if let Some(id) = line.strip_prefix("id:") {
                    event.id = Some(id.trim().to_owned());
                } else if let Some(data) = line.strip_prefix("data:") {
                    event.data = serde_json::from_str(data.trim()).ok();
                }
            }
            let done = stop(&event);
            events.push(event);
            if done {
                return events;
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(30), response.chunk())
            .await
            .expect("no event within 30 s")
            .expect("the stream failed")
            .unwrap_or_else(|| panic!("the stream ended early after {events:?}"));
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

fn progress_values(events: &[Event]) -> Vec<f64> {
    events
        .iter()
        .filter_map(|e| e.data.as_ref()?.pointer("/params/progress")?.as_f64())
        .collect()
}

fn is_progress(n: f64) -> impl Fn(&Event) -> bool {
    move |e| {
        let progress = e.data.as_ref().and_then(|d| d.pointer("/params/progress"));
        progress.and_then(Value::as_f64) == Some(n)
    }
}

fn is_result(e: &Event) -> bool {
    e.data.as_ref().is_some_and(|d| d.get("result").is_some())
}

/// Calls `halves` with the given headers and extra `_meta`, drops the stream after step 5,
/// releases the tool, resumes with `Last-Event-ID`, and checks that every step arrives exactly
/// once, in order, followed by the result.
async fn drop_and_resume(
    addr: SocketAddr,
    gate: &tokio::sync::Notify,
    headers: &[(&str, &str)],
    meta: Value,
) {
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/mcp");
    let mut meta = meta;
    meta["progressToken"] = json!("halves");
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "halves", "arguments": {}, "_meta": meta}});
    let mut request = http.post(&url).body(call.to_string());
    for (name, value) in headers.iter().chain(&[JSON, JSON_AND_SSE]) {
        request = request.header(*name, *value);
    }
    let mut response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let first = read_events(&mut response, is_progress(5.0)).await;
    let last_id = first
        .iter()
        .rev()
        .find_map(|e| e.id.clone())
        .expect("event ids");
    drop(response);
    gate.notify_one();

    let mut request = http
        .get(&url)
        .header("Accept", "text/event-stream")
        .header("Last-Event-ID", &last_id);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let rest = read_events(&mut response, is_result).await;
    assert_eq!(progress_values(&first), [1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(
        progress_values(&rest),
        [6.0, 7.0, 8.0, 9.0, 10.0],
        "{rest:?}"
    );
    let result = rest.last().and_then(|e| e.data.as_ref()).unwrap();
    assert_eq!(result["id"], 7);
    assert_eq!(
        result["result"]["structuredContent"]["result"],
        "both halves"
    );
}

#[tokio::test]
async fn a_dropped_session_stream_resumes_without_loss_or_duplicates() {
    let (server, gate) = gated_server();
    let (addr, shutdown, _task) = serve(server, HttpOptions::default()).await;
    let session = open_session(addr).await.unwrap();
    let headers = [
        ("Mcp-Session-Id", session.as_str()),
        ("MCP-Protocol-Version", "2025-11-25"),
    ];
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string();
    let (status, _, _) = raw(
        addr,
        "POST",
        &[headers[0], headers[1], JSON, JSON_AND_SSE],
        &initialized,
    )
    .await;
    assert_eq!(status, 202);
    drop_and_resume(addr, &gate, &headers, json!({})).await;
    shutdown.cancel();
}

#[tokio::test]
async fn a_dropped_stateless_stream_resumes_from_the_event_store() {
    let (server, gate) = gated_server();
    let options = HttpOptions::default()
        .stateless(true)
        .event_store(fastmcp::server::MemoryEventStore::default());
    let (addr, shutdown, _task) = serve(server, options).await;
    let headers = [
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "halves"),
    ];
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}});
    drop_and_resume(addr, &gate, &headers, meta).await;
    shutdown.cancel();
}

#[tokio::test]
async fn a_server_that_wants_authorization_gets_a_clear_error() {
    use axum::http::{HeaderMap, StatusCode, header};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let refuse = || async {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::WWW_AUTHENTICATE,
            "Bearer resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource\""
                .parse()
                .unwrap(),
        );
        (StatusCode::UNAUTHORIZED, headers)
    };
    let app = axum::Router::new().route("/mcp", axum::routing::any(refuse));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let error = Client::builder()
        .connect(format!("http://{addr}/mcp"))
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("requires authorization") && message.contains("bearer_token"),
        "{message}"
    );
}

/// A legacy HTTP+SSE "server" that names its endpoint, then sends one event that never ends.
async fn endless_event_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = vec![0u8; 4096];
        let _ = stream.read(&mut head).await;
        let preamble = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n\
                        event: endpoint\ndata: /messages\n\ndata: ";
        stream.write_all(preamble.as_bytes()).await.unwrap();
        let chunk = vec![b'x'; 64 * 1024];
        // Up to 16 MiB, twice the cap, or until the client hangs up.
        for _ in 0..256 {
            if stream.write_all(&chunk).await.is_err() {
                return;
            }
        }
        std::future::pending::<()>().await;
    });
    addr
}

#[tokio::test]
async fn the_legacy_sse_client_drops_an_event_past_the_message_limit() {
    use rmcp::transport::Transport as _;
    let addr = endless_event_server().await;
    let mut sse = fastmcp::transports::LegacySseClient::connect(
        &format!("http://{addr}/sse"),
        Default::default(),
    )
    .await
    .unwrap();
    let received = tokio::time::timeout(Duration::from_secs(60), sse.receive())
        .await
        .expect("the oversized event must end the stream, not grow forever");
    assert!(received.is_none());
}

/// A legacy Streamable HTTP "server" that names a session and holds the session's standalone
/// `GET` stream unanswered until released; says on `seen` when the `GET` arrives.
async fn held_stream_server(
    seen: tokio::sync::mpsc::UnboundedSender<()>,
    release: std::sync::Arc<tokio::sync::Notify>,
) -> SocketAddr {
    use axum::http::{HeaderMap, Method, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = move |method: Method, body: axum::body::Bytes| {
        let (seen, release) = (seen.clone(), release.clone());
        async move {
            if method == Method::GET {
                let _ = seen.send(());
                release.notified().await;
                let stream =
                    futures::stream::pending::<Result<axum::body::Bytes, std::io::Error>>();
                let mut headers = HeaderMap::new();
                headers.insert(header::CONTENT_TYPE, "text/event-stream".parse().unwrap());
                return (headers, axum::body::Body::from_stream(stream)).into_response();
            }
            if method == Method::DELETE {
                return StatusCode::OK.into_response();
            }
            let message: Value = serde_json::from_slice(&body).unwrap_or_default();
            if message["method"] != "initialize" {
                return StatusCode::ACCEPTED.into_response();
            }
            let answer = json!({"jsonrpc": "2.0", "id": message["id"], "result": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "serverInfo": {"name": "held", "version": "1"}}});
            let mut headers = HeaderMap::new();
            headers.insert("mcp-session-id", "held-1".parse().unwrap());
            headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            let response: Response = (headers, answer.to_string()).into_response();
            response
        }
    };
    let app = axum::Router::new().route("/mcp", axum::routing::any(handle));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test]
async fn a_legacy_session_is_returned_once_its_standalone_stream_is_open() {
    // A server may send requests on that stream as soon as a tool runs (the TypeScript SDK
    // does, for elicitation); one sent before the stream is open would be lost.
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let release = std::sync::Arc::new(tokio::sync::Notify::new());
    let addr = held_stream_server(seen_tx, release.clone()).await;
    let connect = Client::builder()
        .era(Era::Legacy)
        .connect(format!("http://{addr}/mcp"));
    let mut connect = std::pin::pin!(connect);
    tokio::select! {
        biased;
        _ = seen.recv() => {}
        connected = &mut connect => panic!("connected before the stream was asked for: {:?}", connected.map(|_| ())),
    }
    assert!(
        futures::poll!(&mut connect).is_pending(),
        "connect returned while the standalone stream was still unanswered"
    );
    release.notify_one();
    let client = tokio::time::timeout(Duration::from_secs(30), connect)
        .await
        .expect("connect returns once the stream is open")
        .unwrap();
    assert_eq!(client.server_info().unwrap().name, "held");
}

/// Asks the client for a name, then greets it.
#[tool]
async fn greet_asked(ctx: Context) -> String {
    match ctx.elicit::<String>("Your name?").await {
        Ok(fastmcp::server::Elicitation::Accept(name)) => format!("hello {name}"),
        other => format!("no name: {other:?}"),
    }
}

/// A session opened by a client that can answer elicitations, with `notifications/initialized`
/// sent; the headers its requests carry.
async fn elicitation_session(addr: SocketAddr) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}},
        "clientInfo": {"name": "raw", "version": "0"}}});
    let (status, headers, _) = raw(addr, "POST", &[JSON, JSON_AND_SSE], &init.to_string()).await;
    assert_eq!(status, 200);
    let session = headers
        .into_iter()
        .find(|(k, _)| k == "mcp-session-id")
        .map(|(_, v)| v)
        .expect("session id");
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let with_session = [
        ("Mcp-Session-Id", session.as_str()),
        ("MCP-Protocol-Version", "2025-11-25"),
        JSON,
        JSON_AND_SSE,
    ];
    let (status, _, _) = raw(addr, "POST", &with_session, &initialized.to_string()).await;
    assert_eq!(status, 202);
    session
}

async fn post_in_session(addr: SocketAddr, session: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .header("mcp-session-id", session)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_call_asks_for_input_on_its_own_stream() {
    // No GET stream is open: the elicitation can only reach the client on the call's stream.
    let (addr, shutdown, _task) = serve(server().tool(greet_asked), HttpOptions::default()).await;
    let session = elicitation_session(addr).await;
    let call = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": {"name": "greet_asked", "arguments": {}}});
    let mut stream = post_in_session(addr, &session, call).await;
    assert_eq!(stream.status(), 200);
    let is_question = |e: &Event| {
        e.data.as_ref().and_then(|d| d.get("method")) == Some(&json!("elicitation/create"))
    };
    let events = read_events(&mut stream, is_question).await;
    let question = events.last().and_then(|e| e.data.clone()).unwrap();
    let answer = json!({"jsonrpc": "2.0", "id": question["id"],
        "result": {"action": "accept", "content": {"value": "Ada"}}});
    let accepted = post_in_session(addr, &session, answer).await;
    assert_eq!(accepted.status(), 202);
    let rest = read_events(&mut stream, is_result).await;
    let result = rest.last().and_then(|e| e.data.as_ref()).unwrap();
    assert_eq!(result["id"], 5);
    assert_eq!(result["result"]["structuredContent"]["result"], "hello Ada");
    shutdown.cancel();
}

#[tokio::test]
async fn a_cancelled_session_call_stops() {
    let server = server().tool(hang);
    server.insert_state(tokio::sync::Notify::new());
    let dropped = server.state::<tokio::sync::Notify>().unwrap();
    let (addr, shutdown, _task) = serve(server, HttpOptions::default()).await;
    let session = elicitation_session(addr).await;
    let call = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": {"name": "hang", "arguments": {}, "_meta": {"progressToken": 1}}});
    let mut stream = post_in_session(addr, &session, call).await;
    read_events(&mut stream, is_progress(1.0)).await;
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 9, "reason": "enough"}});
    let accepted = post_in_session(addr, &session, cancel).await;
    assert_eq!(accepted.status(), 202);
    tokio::time::timeout(Duration::from_secs(30), dropped.notified())
        .await
        .expect("the cancelled call kept running");
    shutdown.cancel();
}
