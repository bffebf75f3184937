//! The progress contract (MISSION.md §1), end to end: ordering, coalescing, no progress without
//! a token or after the result, handler precedence, the default handler's log lines, and
//! notifications racing the response.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{RawClient, Recorder};
use fastmcp::client::{CallEvent, ProgressEvent};
use fastmcp::transports::LineTransport;
use fastmcp::{Client, Context, Error, FastMCP, Tool, ToolResult, tool};
use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// Count to `n`, reporting each step.
#[tool]
async fn count(ctx: Context, n: u32) -> u32 {
    for i in 1..=n {
        let message = format!("step {i} of {n}");
        ctx.report_progress(f64::from(i), Some(f64::from(n)), Some(&message))
            .await;
    }
    n
}

/// Reports values that go backwards; only increasing ones may reach the client.
#[tool]
async fn zigzag(ctx: Context) {
    for value in [1.0, 1.0, 0.5, 2.0, f64::NAN, 1.5, 3.0] {
        ctx.report_progress(value, None, None).await;
    }
}

fn server(interval: Option<Duration>) -> FastMCP {
    FastMCP::new("progress")
        .progress_interval(interval)
        .tool(count)
        .tool(zigzag)
}

#[tokio::test]
async fn every_value_arrives_in_order_when_coalescing_is_off() {
    let client = Client::connect(server(None)).await.unwrap();
    let recorder = Recorder::default();
    let result = client
        .call_tool("count", json!({"n": 500}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(result.data::<u32>().unwrap(), 500);
    assert_eq!(
        recorder.values(),
        (1..=500).map(f64::from).collect::<Vec<_>>()
    );
    let last = recorder.events().pop().unwrap();
    assert_eq!(
        last,
        ProgressEvent {
            progress: 500.0,
            total: Some(500.0),
            message: Some("step 500 of 500".into())
        }
    );
}

#[tokio::test]
async fn coalescing_holds_bursts_but_always_delivers_the_last_value() {
    // An interval far longer than the test: after the first value, everything is held until the
    // end-of-request flush, which must deliver the newest value before the result.
    let client = Client::connect(server(Some(Duration::from_secs(3600))))
        .await
        .unwrap();
    let recorder = Recorder::default();
    client
        .call_tool("count", json!({"n": 1000}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(recorder.values(), vec![1.0, 1000.0]);
    assert_eq!(
        recorder.events()[1].message.as_deref(),
        Some("step 1000 of 1000")
    );
}

#[tokio::test]
async fn values_that_do_not_increase_are_dropped() {
    let client = Client::connect(server(None)).await.unwrap();
    let recorder = Recorder::default();
    client
        .call_tool("zigzag", Value::Null)
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(recorder.values(), vec![1.0, 2.0, 3.0]);
}

#[tokio::test]
async fn the_per_call_handler_overrides_the_client_wide_one() {
    let client_wide = Recorder::default();
    let per_call = Recorder::default();
    let client = Client::builder()
        .progress_handler(client_wide.handler())
        .connect(server(None))
        .await
        .unwrap();
    client
        .call_tool("count", json!({"n": 3}))
        .progress(per_call.handler())
        .await
        .unwrap();
    assert_eq!(per_call.values(), vec![1.0, 2.0, 3.0]);
    assert!(client_wide.values().is_empty());
    client.call_tool("count", json!({"n": 2})).await.unwrap();
    assert_eq!(client_wide.values(), vec![1.0, 2.0]);
}

#[tokio::test]
async fn a_failing_or_panicking_handler_does_not_break_the_call() {
    let client = Client::connect(server(None)).await.unwrap();
    let result = client
        .call_tool("count", json!({"n": 3}))
        .progress(|progress: f64, _total, _message| async move {
            if progress == 2.0 {
                panic!("handler bug");
            }
            Err::<(), _>("handler error")
        })
        .await
        .unwrap();
    assert_eq!(result.data::<u32>().unwrap(), 3);
    client.ping().await.unwrap();
}

#[tokio::test]
async fn the_stream_yields_every_event_then_the_result() {
    let client = Client::connect(server(None)).await.unwrap();
    let events: Vec<CallEvent<_>> = client
        .call_tool("count", json!({"n": 4}))
        .stream()
        .collect()
        .await;
    assert_eq!(events.len(), 5);
    let values: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            CallEvent::Progress(p) => Some(p.progress),
            CallEvent::Result(_) => None,
        })
        .collect();
    assert_eq!(values, vec![1.0, 2.0, 3.0, 4.0]);
    match events.last() {
        Some(CallEvent::Result(Ok(result))) => assert_eq!(result.text(), "4"),
        other => panic!("expected the result last, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The default handler's log lines.

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<(String, tracing::Level, String)>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let metadata = event.metadata();
        self.0
            .lock()
            .unwrap()
            .push((metadata.target().to_owned(), *metadata.level(), message.0));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_default_handler_logs_the_exact_lines_at_debug() {
    use tracing_subscriber::layer::SubscriberExt as _;
    let captured = Captured::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(captured.clone()));

    let client = Client::connect(server(None)).await.unwrap();
    client.call_tool("count", json!({"n": 3})).await.unwrap();
    fastmcp::client::default_progress_handler(2.5, Some(0.0), None);
    fastmcp::client::default_progress_handler(7.0, None, Some(""));

    let lines: Vec<(tracing::Level, String)> = captured
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(target, _, _)| target == "fastmcp::client::progress")
        .map(|(_, level, message)| (*level, message.clone()))
        .collect();
    let expected = [
        "Progress: 1/3 (33.3%) - step 1 of 3",
        "Progress: 2/3 (66.7%) - step 2 of 3",
        "Progress: 3/3 (100.0%) - step 3 of 3",
        "Progress: 2.5/0",
        "Progress: 7",
    ];
    assert_eq!(
        lines,
        expected
            .map(|line| (tracing::Level::DEBUG, line.to_owned()))
            .to_vec()
    );
}

// ---------------------------------------------------------------------------------------------
// Wire-level checks with a raw JSON-RPC peer.

fn call(id: i64, name: &str, arguments: Value, token: Option<&str>) -> Value {
    let mut params = json!({"name": name, "arguments": arguments});
    if let Some(token) = token {
        params["_meta"] = json!({"progressToken": token});
    }
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
}

#[tokio::test]
async fn no_progress_is_sent_without_a_token() {
    let mut raw = RawClient::connect(server(None)).await;
    raw.send(call(1, "count", json!({"n": 5}), None)).await;
    let (notifications, response) = raw.until_response(1).await;
    assert_eq!(notifications, Vec::<Value>::new());
    assert_eq!(
        response["result"]["structuredContent"],
        json!({"result": 5})
    );

    raw.send(call(2, "count", json!({"n": 2}), Some("tok")))
        .await;
    let (notifications, _) = raw.until_response(2).await;
    let tokens: Vec<&Value> = notifications
        .iter()
        .map(|n| &n["params"]["progressToken"])
        .collect();
    assert_eq!(tokens, [&json!("tok"), &json!("tok")]);
}

#[tokio::test]
async fn nothing_is_sent_after_the_result() {
    // The tool keeps its Context after returning and reports through it later.
    let kept: Arc<Mutex<Option<Context>>> = Arc::default();
    let slot = Arc::clone(&kept);
    let keeper = Tool::builder("keeper").handler(move |_, ctx: Context| {
        let slot = Arc::clone(&slot);
        async move {
            ctx.report_progress(1.0, None, None).await;
            *slot.lock().unwrap() = Some(ctx);
            Ok::<_, String>(ToolResult::text("kept"))
        }
    });
    let mut raw =
        RawClient::connect(FastMCP::new("late").progress_interval(None).tool(keeper)).await;
    raw.send(call(1, "keeper", json!({}), Some("late"))).await;
    let (notifications, _) = raw.until_response(1).await;
    assert_eq!(notifications.len(), 1);

    let ctx = kept.lock().unwrap().take().unwrap();
    ctx.report_progress(2.0, None, None).await;
    raw.send(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
        .await;
    let (between, pong) = raw.until_response(2).await;
    assert_eq!(
        between,
        Vec::<Value>::new(),
        "progress leaked after the result"
    );
    assert_eq!(pong["result"], json!({}));
}

// ---------------------------------------------------------------------------------------------
// A scripted server: deterministic races between notifications and the response.

/// Plays the server side by hand: answers `initialize`, then answers the first `tools/call` by
/// writing `reply(token, id)` in one write, so notifications and the response arrive together.
async fn scripted_server(io: DuplexStream, reply: fn(&Value, &Value) -> Vec<Value>) {
    let (read, mut write) = tokio::io::split(io);
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let message: Value = serde_json::from_str(&line).unwrap();
        let batch = match message["method"].as_str() {
            Some("initialize") => vec![json!({"jsonrpc": "2.0", "id": message["id"], "result": {
                "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                "serverInfo": {"name": "scripted", "version": "0"}}})],
            Some("tools/call") => {
                reply(&message["params"]["_meta"]["progressToken"], &message["id"])
            }
            // A legacy server: any other request is unknown to it.
            Some(method) if !message["id"].is_null() => {
                vec![json!({"jsonrpc": "2.0", "id": message["id"],
                "error": {"code": -32601, "message": format!("Method not found: {method}")}})]
            }
            _ => continue,
        };
        let text: String = batch.iter().map(|m| format!("{m}\n")).collect();
        write.write_all(text.as_bytes()).await.unwrap();
    }
}

fn progress(token: &Value, value: f64) -> Value {
    json!({"jsonrpc": "2.0", "method": "notifications/progress",
           "params": {"progressToken": token, "progress": value, "total": 2}})
}

fn response(id: &Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": {"content": [{"type": "text", "text": "ok"}]}})
}

async fn scripted_client(reply: fn(&Value, &Value) -> Vec<Value>) -> Client {
    let (server_end, client_end) = tokio::io::duplex(64 * 1024);
    tokio::spawn(scripted_server(server_end, reply));
    let (read, write) = tokio::io::split(client_end);
    Client::connect(LineTransport::new(read, write))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_notification_racing_the_response_is_delivered_before_the_result() {
    // The progress arrives in the same write as the response, before the caller could have
    // started listening: it must still reach the handler, before the call returns.
    let client =
        scripted_client(|token, id| vec![progress(token, 1.0), progress(token, 2.0), response(id)])
            .await;
    for _ in 0..20 {
        let recorder = Recorder::default();
        let result = client
            .call_tool("any", json!({}))
            .progress(recorder.handler())
            .await
            .unwrap();
        assert_eq!(result.text(), "ok");
        assert_eq!(recorder.values(), vec![1.0, 2.0]);
    }
}

#[tokio::test]
async fn a_notification_after_the_response_is_never_delivered() {
    let client =
        scripted_client(|token, id| vec![progress(token, 1.0), response(id), progress(token, 2.0)])
            .await;
    let recorder = Recorder::default();
    client
        .call_tool("any", json!({}))
        .progress(recorder.handler())
        .await
        .unwrap();
    // A second request proves the late notification has been read (and dropped) by now.
    let second = Recorder::default();
    client
        .call_tool("any", json!({}))
        .progress(second.handler())
        .await
        .unwrap();
    assert_eq!(recorder.values(), vec![1.0]);
    assert_eq!(second.values(), vec![1.0]);
}

#[tokio::test]
async fn each_request_gets_a_unique_token() {
    let client = scripted_client(|token, id| {
        let echo = json!({"jsonrpc": "2.0", "id": id, "result": {"content": [{"type": "text", "text": token.to_string()}]}});
        vec![echo]
    })
    .await;
    let mut tokens = Vec::new();
    for _ in 0..5 {
        tokens.push(client.call_tool("any", json!({})).await.unwrap().text());
    }
    assert!(
        tokens.iter().all(|t| t != "null"),
        "every call carries a token: {tokens:?}"
    );
    let mut unique = tokens.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), tokens.len());
}

// ---------------------------------------------------------------------------------------------
// Cancellation.

/// A guard that reports when the tool future holding it is dropped.
struct DropSignal(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(sender) = self.0.take() {
            let _ = sender.send(());
        }
    }
}

fn hanging_server() -> (FastMCP, tokio::sync::oneshot::Receiver<()>) {
    let (sender, dropped) = tokio::sync::oneshot::channel();
    let sender = Arc::new(Mutex::new(Some(sender)));
    let hang = Tool::builder("hang").handler(move |_, ctx: Context| {
        let guard = DropSignal(sender.lock().unwrap().take());
        async move {
            let _guard = guard;
            ctx.report_progress(1.0, None, Some("started")).await;
            std::future::pending::<Result<ToolResult, String>>().await
        }
    });
    (
        FastMCP::new("hang").progress_interval(None).tool(hang),
        dropped,
    )
}

#[tokio::test]
async fn dropping_a_call_cancels_the_tool_on_the_server() {
    let (server, dropped) = hanging_server();
    let client = Client::connect(server).await.unwrap();
    let mut events = Box::pin(client.call_tool("hang", json!({})).stream());
    match events.next().await {
        Some(CallEvent::Progress(event)) => assert_eq!(event.message.as_deref(), Some("started")),
        other => panic!("expected progress first, got {other:?}"),
    }
    drop(events);
    tokio::time::timeout(Duration::from_secs(30), dropped)
        .await
        .expect("the tool future was not dropped after cancellation")
        .unwrap();
    client.ping().await.unwrap();
}

#[tokio::test]
async fn a_timed_out_call_fails_and_is_cancelled_on_the_server() {
    let (server, dropped) = hanging_server();
    let client = Client::connect(server).await.unwrap();
    let outcome = client
        .call_tool("hang", json!({}))
        .timeout(Duration::from_millis(50))
        .await;
    assert!(matches!(outcome, Err(Error::Timeout(_))), "got {outcome:?}");
    tokio::time::timeout(Duration::from_secs(30), dropped)
        .await
        .expect("the tool future was not dropped after the timeout")
        .unwrap();
}
