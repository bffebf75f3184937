//! The handshake in `Era::Auto`: a slow server is waited for, not mistaken for a legacy one;
//! a legacy server gets `initialize` on the same connection; a failed handshake names its
//! real cause.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::StdioServer;
use fastmcp::transports::LineTransport;
use fastmcp::{Client, Error, FastMCP, tool};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// Longer than rmcp's 10 s discover probe: a timed fallback would have fired first.
const SLOW_START: Duration = Duration::from_secs(15);

#[tool]
fn echo(text: String) -> String {
    text
}

/// The client side of an in-process pipe whose server end is `server_end`.
fn pipe() -> (
    DuplexStream,
    LineTransport<rmcp::RoleClient, tokio::io::ReadHalf<DuplexStream>>,
) {
    let (server_end, client_end) = tokio::io::duplex(64 * 1024);
    let (read, write) = tokio::io::split(client_end);
    (server_end, LineTransport::new(read, write))
}

// Paused time: the runtime jumps to the next timer whenever it is idle, so the server's 15 s
// sleep costs nothing, and a client timer shorter than it would fire first, every run.
#[tokio::test(start_paused = true)]
async fn a_server_that_starts_slowly_is_reached_in_auto_mode() {
    let (server_end, transport) = pipe();
    tokio::spawn(async move {
        tokio::time::sleep(SLOW_START).await;
        let (read, write) = tokio::io::split(server_end);
        let server = FastMCP::new("slow").tool(echo);
        let _ = server.serve(LineTransport::new(read, write)).await;
    });
    let client = Client::connect(transport).await.unwrap();
    assert!(
        client.is_stateless(),
        "a 2026-07-28 server is spoken to as one"
    );
    assert_eq!(client.server_info().unwrap().name, "slow");
    let result = client
        .call_tool("echo", json!({"text": "hi"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "hi");
}

/// A legacy (2025-11-25) server written by hand: `server/discover` is unknown to it. It
/// records every method it reads.
async fn legacy_server(stream: DuplexStream, start_after: Duration, seen: Arc<Mutex<Vec<String>>>) {
    tokio::time::sleep(start_after).await;
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let message: Value = serde_json::from_str(&line).unwrap();
        let method = message["method"].as_str().unwrap_or_default().to_owned();
        seen.lock().unwrap().push(method.clone());
        let id = &message["id"];
        let reply = match method.as_str() {
            "initialize" => json!({"jsonrpc": "2.0", "id": id, "result": {
                "protocolVersion": "2025-11-25",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "legacy", "version": "1.0.0"}}}),
            "tools/list" => json!({"jsonrpc": "2.0", "id": id, "result": {"tools": []}}),
            _ if id.is_null() => continue,
            other => json!({"jsonrpc": "2.0", "id": id,
                "error": {"code": -32601, "message": format!("Method not found: {other}")}}),
        };
        let text = format!("{reply}\n");
        if write.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_legacy_server_that_starts_slowly_gets_initialize_after_refusing_discover() {
    let (server_end, transport) = pipe();
    let seen = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(legacy_server(server_end, SLOW_START, Arc::clone(&seen)));
    let client = Client::connect(transport).await.unwrap();
    assert!(!client.is_stateless());
    assert_eq!(client.protocol_version().unwrap().as_str(), "2025-11-25");
    assert_eq!(client.server_info().unwrap().name, "legacy");
    assert!(client.list_tools().await.unwrap().is_empty());
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "server/discover",
            "initialize",
            "notifications/initialized",
            "tools/list"
        ]
    );
}

#[tokio::test]
async fn an_answer_to_no_request_during_the_handshake_is_ignored() {
    let (mut server_end, transport) = pipe();
    let seen = Arc::new(Mutex::new(Vec::new()));
    server_end
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":99,\"result\":{}}\n")
        .await
        .unwrap();
    tokio::spawn(legacy_server(server_end, Duration::ZERO, Arc::clone(&seen)));
    let client = Client::connect(transport).await.unwrap();
    assert_eq!(client.server_info().unwrap().name, "legacy");
}

#[tokio::test]
async fn a_child_that_never_answers_is_reported_as_silent_not_as_exited() {
    let silent = StdioServer::new("sh").args(["-c", "cat > /dev/null"]);
    let error = Client::builder()
        .connect_timeout(Duration::from_millis(200))
        .connect(silent)
        .await
        .unwrap_err();
    let Error::Connect { message, .. } = &error else {
        panic!("expected a connect error, got {error:?}");
    };
    assert!(
        message.contains("did not answer the MCP handshake within 200ms")
            && message.contains("still running"),
        "{message}"
    );
}

#[tokio::test]
async fn a_handshake_the_client_gives_up_on_names_the_refusal_not_the_exit() {
    // The child refuses server/discover with a 2026-07-28 error (not a legacy answer), then
    // exits cleanly when the client closes its stdin. The refusal is the cause.
    let refusing = StdioServer::new("sh").args([
        "-c",
        r#"read line; printf '%s\n' '{"jsonrpc":"2.0","error":{"code":-32021,"message":"needs the sampling capability"}}'; cat > /dev/null"#,
    ]);
    let error = Client::connect(refusing).await.unwrap_err();
    let Error::Connect { message, .. } = &error else {
        panic!("expected a connect error, got {error:?}");
    };
    assert!(
        message.contains("refused the handshake: needs the sampling capability"),
        "{message}"
    );
}
