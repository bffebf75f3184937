//! Streamable HTTP on 127.0.0.1 with OS-chosen ports: our client and raw HTTP requests against
//! a served `FastMCP`, with sessions, stateless, JSON responses, and the transport's guards.

mod common;

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

fn server() -> FastMCP {
    FastMCP::new("http-test")
        .progress_interval(None)
        .tool(count)
        .tool(slow)
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
    assert!((200..300).contains(&status), "DELETE answered {status}");
    let (status, _, _) = raw(addr, "POST", &with_session, &ping).await;
    assert_eq!(status, 404, "an ended session is gone");
    shutdown.cancel();
}

#[tokio::test]
async fn shutdown_finishes_in_flight_calls() {
    let server = server();
    server.insert_state(tokio::sync::Notify::new());
    let gate = server.state::<tokio::sync::Notify>().unwrap();
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
