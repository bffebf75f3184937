//! `Context` beyond progress: logging to the client (honouring `logging/setLevel`) and the
//! request id, checked on the wire.

use crate::common;

use common::RawClient;
use fastmcp::{Context, FastMCP, LogLevel, tool};
use serde_json::{Value, json};

/// Log once at each of four levels.
#[tool]
async fn chatty(ctx: Context) -> String {
    ctx.debug("d").await;
    ctx.info("i").await;
    ctx.warning("w").await;
    ctx.error("e").await;
    ctx.log(LogLevel::Notice, "n", Some("custom-logger")).await;
    "logged".into()
}

/// Return the JSON-RPC id of this request.
#[tool]
fn whoami(ctx: &Context) -> String {
    ctx.request_id().to_string()
}

fn server() -> FastMCP {
    FastMCP::new("context").tool(chatty).tool(whoami)
}

fn call(id: i64, name: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": {}}})
}

fn levels(notifications: &[Value]) -> Vec<(String, String)> {
    notifications
        .iter()
        .filter(|n| n["method"] == "notifications/message")
        .map(|n| {
            let params = &n["params"];
            (
                params["level"].as_str().unwrap().to_owned(),
                params["data"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn logs_reach_the_client_and_respect_the_level_it_sets() {
    let mut raw = RawClient::connect(server()).await;
    raw.send(call(1, "chatty")).await;
    let (notifications, response) = raw.until_response(1).await;
    assert_eq!(response["result"]["content"][0]["text"], "logged");
    let all: Vec<(String, String)> = [
        ("debug", "d"),
        ("info", "i"),
        ("warning", "w"),
        ("error", "e"),
        ("notice", "n"),
    ]
    .iter()
    .map(|(l, d)| ((*l).to_owned(), (*d).to_owned()))
    .collect();
    assert_eq!(levels(&notifications), all);
    assert_eq!(notifications[4]["params"]["logger"], "custom-logger");

    raw.send(json!({"jsonrpc": "2.0", "id": 2, "method": "logging/setLevel", "params": {"level": "warning"}})).await;
    let (_, ack) = raw.until_response(2).await;
    assert_eq!(ack["result"], json!({}));
    raw.send(call(3, "chatty")).await;
    let (notifications, _) = raw.until_response(3).await;
    assert_eq!(
        levels(&notifications),
        vec![
            ("warning".to_owned(), "w".to_owned()),
            ("error".to_owned(), "e".to_owned())
        ]
    );
}

#[tokio::test]
async fn the_context_knows_its_request_id() {
    let mut raw = RawClient::connect(server()).await;
    raw.send(call(41, "whoami")).await;
    let (_, response) = raw.until_response(41).await;
    assert_eq!(response["result"]["content"][0]["text"], "41");
}

/// The `_meta` a 2026-07-28 request carries, optionally asking for logs at `level`.
fn stateless_meta(level: Option<&str>) -> Value {
    let mut meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}
    });
    if let Some(level) = level {
        meta["io.modelcontextprotocol/logLevel"] = json!(level);
    }
    meta
}

#[tokio::test]
async fn stateless_requests_get_logs_only_when_they_ask() {
    let mut raw = RawClient::stateless(server());
    let call = |id: i64, level: Option<&str>| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
               "params": {"name": "chatty", "arguments": {}, "_meta": stateless_meta(level)}})
    };
    raw.send(call(1, None)).await;
    let (notifications, response) = raw.until_response(1).await;
    assert_eq!(response["result"]["content"][0]["text"], "logged");
    assert_eq!(levels(&notifications), Vec::<(String, String)>::new());

    raw.send(call(2, Some("warning"))).await;
    let (notifications, _) = raw.until_response(2).await;
    assert_eq!(
        levels(&notifications),
        vec![
            ("warning".to_owned(), "w".to_owned()),
            ("error".to_owned(), "e".to_owned())
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Lifespan, shared state, reading the server's own resources, and a bad cursor.

struct Database {
    url: String,
}

/// Which database the startup hook opened.
#[tool]
fn database(ctx: &Context) -> String {
    ctx.state::<Database>()
        .map(|db| db.url.clone())
        .unwrap_or_else(|| "none".into())
}

/// Read this server's own resource.
#[tool]
async fn read_own(ctx: Context) -> Result<String, String> {
    let contents = ctx
        .read_resource("mem://motd")
        .await
        .map_err(|e| e.to_string())?;
    match &contents[0] {
        fastmcp::types::ResourceContents::TextResourceContents { text, .. } => Ok(text.clone()),
        other => Err(format!("{other:?}")),
    }
}

#[tokio::test]
async fn startup_and_shutdown_hooks_bracket_the_session_and_share_state() {
    let (stopped_tx, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopped_tx = std::sync::Mutex::new(Some(stopped_tx));
    let server = FastMCP::new("lifespan")
        .on_startup(|server: FastMCP| async move {
            server.insert_state(Database {
                url: "sqlite::memory:".into(),
            });
            Ok::<_, String>(())
        })
        .on_shutdown(move |_server: FastMCP| {
            let sender = stopped_tx.lock().unwrap().take();
            async move {
                if let Some(sender) = sender {
                    let _ = sender.send(());
                }
                Ok::<_, String>(())
            }
        })
        .resource(fastmcp::Resource::text("mem://motd", "welcome"))
        .tool(database)
        .tool(read_own);
    let client = fastmcp::Client::connect(&server).await.unwrap();
    assert_eq!(
        client
            .call_tool("database", Value::Null)
            .await
            .unwrap()
            .text(),
        "sqlite::memory:"
    );
    assert_eq!(
        client
            .call_tool("read_own", Value::Null)
            .await
            .unwrap()
            .text(),
        "welcome"
    );
    client.close().await.unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(30), stopped)
        .await
        .expect("the shutdown hook did not run after the last client left")
        .unwrap();
}

#[tokio::test]
async fn a_failing_startup_hook_stops_the_server_from_serving() {
    let server =
        FastMCP::new("broken").on_startup(|_server: FastMCP| async { Err::<(), _>("no database") });
    let error = fastmcp::Client::connect(&server).await.unwrap_err();
    assert!(error.to_string().contains("could not connect"), "{error}");
}

#[tokio::test]
async fn a_failing_startup_hook_is_a_startup_error_carrying_its_cause() {
    let server = FastMCP::new("broken").on_startup(|_server: FastMCP| async {
        Err::<(), _>(std::io::Error::other("no database"))
    });
    let (ours, _theirs) = tokio::io::duplex(1024);
    let error = server.serve(ours).await.unwrap_err();
    assert!(matches!(error, fastmcp::Error::Startup(_)), "{error:?}");
    assert_eq!(error.to_string(), "server startup failed: no database");
    let cause = std::error::Error::source(&error).expect("the hook's error as the source");
    assert!(
        cause.downcast_ref::<std::io::Error>().is_some(),
        "{cause:?}"
    );
}

#[tokio::test]
async fn an_invalid_cursor_is_invalid_params_and_the_server_keeps_serving() {
    let mut raw = RawClient::connect(server()).await;
    raw.send(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"cursor": "not-a-cursor"}})).await;
    let (_, reply) = raw.until_response(1).await;
    assert_eq!(reply["error"]["code"], -32602);
    assert_eq!(
        reply["error"]["message"],
        r#"Invalid cursor: "not-a-cursor""#
    );
    raw.send(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
        .await;
    let (_, pong) = raw.until_response(2).await;
    assert_eq!(pong["result"], json!({}));
}

#[tokio::test]
async fn an_unsupported_protocol_version_is_refused_with_the_supported_list() {
    let mut raw = RawClient::stateless(server());
    let mut meta = stateless_meta(None);
    meta["io.modelcontextprotocol/protocolVersion"] = json!("1999-01-01");
    raw.send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta}}),
    )
    .await;
    let (_, reply) = raw.until_response(1).await;
    assert_eq!(reply["error"]["code"], -32022, "{reply}");
    let supported = reply["error"]["data"]["supported"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        supported.contains(&json!("2026-07-28")) && supported.contains(&json!("2025-11-25")),
        "{reply}"
    );
    // The server keeps serving: a valid discover works.
    raw.send(json!({"jsonrpc": "2.0", "id": 2, "method": "server/discover", "params": {"_meta": stateless_meta(None)}})).await;
    let (_, discovered) = raw.until_response(2).await;
    assert!(
        discovered["result"]["supportedVersions"].is_array(),
        "{discovered}"
    );
}

/// Log `n` numbered messages, then answer.
#[tool]
async fn numbered(ctx: Context, n: u32) -> u32 {
    for i in 0..n {
        ctx.info(&i.to_string()).await;
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_log_handler_sees_messages_in_the_order_they_were_sent() {
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (count, mut counted) = tokio::sync::watch::channel(0usize);
    let sink = std::sync::Arc::clone(&received);
    let client = fastmcp::Client::builder()
        .log_handler(move |message: fastmcp::client::LogMessage| {
            let sink = std::sync::Arc::clone(&sink);
            let count = count.clone();
            async move {
                // Take a turn at the scheduler: a handler run per message in tasks of its
                // own would let later messages overtake this one.
                tokio::task::yield_now().await;
                let mut all = sink.lock().unwrap();
                all.push(message.data.as_str().unwrap_or_default().to_owned());
                count.send_replace(all.len());
            }
        })
        .connect(FastMCP::new("logs").tool(numbered))
        .await
        .unwrap();
    client.set_logging_level(LogLevel::Debug).await.unwrap();
    let result = client
        .call_tool("numbered", json!({"n": 300}))
        .await
        .unwrap();
    assert_eq!(result.data::<u32>().unwrap(), 300);
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        counted.wait_for(|n| *n == 300),
    )
    .await
    .expect("all 300 log messages reach the handler")
    .unwrap();
    let expected: Vec<String> = (0..300).map(|i| i.to_string()).collect();
    assert_eq!(*received.lock().unwrap(), expected);
}
