//! Many sessions at once over HTTP on 127.0.0.1: every one served, and nothing left behind
//! when they end, whether closed or abandoned.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use common::Recorder;
use fastmcp::client::Era;
use fastmcp::server::{EventLimits, HttpOptions, MemoryEventStore};
use fastmcp::{Client, Context, FastMCP, tool};
use futures::StreamExt as _;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const SESSIONS: usize = 1_000;

/// Count to `n`, reporting each step.
#[tool]
async fn count(ctx: Context, n: u32) -> u32 {
    for i in 1..=n {
        ctx.report_progress(f64::from(i), Some(f64::from(n)), None)
            .await;
    }
    n
}

/// A store whose streams expire quickly once finished or idle.
fn short_lived_store() -> MemoryEventStore {
    let mut limits = EventLimits::default();
    limits.finished_ttl = Duration::from_millis(100);
    limits.idle_ttl = Duration::from_millis(100);
    MemoryEventStore::with_limits(limits)
}

async fn serve(server: FastMCP, options: HttpOptions) -> (SocketAddr, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move { server.serve_http(listener, options, stop).await });
    (addr, shutdown)
}

/// Waits (bounded) until the store's streams have expired: their time-to-live is the only
/// thing left to pass.
async fn until_empty(store: &MemoryEventStore) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !store.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} events still stored",
            store.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (bounded) until no session is live.
async fn until_no_sessions(server: &FastMCP) {
    let mut live = server.live_sessions();
    let gone = tokio::time::timeout(Duration::from_secs(60), live.wait_for(|n| *n == 0))
        .await
        .is_ok();
    assert!(gone, "{} sessions still live", *live.borrow());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sessions_with_progress_end_leaving_nothing_behind() {
    let server = FastMCP::new("load").progress_interval(None).tool(count);
    let store = short_lived_store();
    let options = HttpOptions::default().event_store(store.clone());
    let (addr, shutdown) = serve(server.clone(), options).await;
    let url = format!("http://{addr}/mcp");
    // All sessions open at once: opened a batch at a time (a debug build on two cores does
    // not take a thousand handshakes in the same instant), then all call together.
    let clients: Vec<Client> = futures::stream::iter(0..SESSIONS)
        .map(|_| Client::builder().era(Era::Legacy).connect(url.clone()))
        .buffer_unordered(64)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(*server.live_sessions().borrow(), SESSIONS);
    let calls = clients.iter().enumerate().map(|(i, client)| async move {
        let recorder = Recorder::default();
        let n = 3 + (i % 5) as u32;
        let result = client
            .call_tool("count", json!({"n": n}))
            .progress(recorder.handler())
            .await
            .unwrap();
        assert_eq!(result.data::<u32>().unwrap(), n);
        assert_eq!(
            recorder.values(),
            (1..=n).map(f64::from).collect::<Vec<_>>()
        );
    });
    futures::future::join_all(calls).await;
    let closed = clients
        .into_iter()
        .map(|client| async move { client.close().await.unwrap() });
    futures::future::join_all(closed).await;
    until_no_sessions(&server).await;
    until_empty(&store).await;
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_abandoned_sessions_are_reclaimed_by_the_idle_timeout() {
    let server = FastMCP::new("load").tool(count);
    let store = short_lived_store();
    let options = HttpOptions::default()
        .event_store(store.clone())
        .session_idle_timeout(Some(Duration::from_millis(300)));
    let (addr, shutdown) = serve(server.clone(), options).await;
    let http = reqwest::Client::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "gone", "version": "0"}}})
    .to_string();
    let opened = (0..SESSIONS).map(|_| {
        let request = http
            .post(format!("http://{addr}/mcp"))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(initialize.clone());
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            // Read the answer, then walk away: no DELETE, no further request.
            let _ = response.bytes().await;
        }
    });
    futures::future::join_all(opened).await;
    until_no_sessions(&server).await;
    until_empty(&store).await;
    shutdown.cancel();
}
