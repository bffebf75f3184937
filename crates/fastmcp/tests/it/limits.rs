//! Peers that misbehave on purpose cannot grow our memory without bound.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::RawClient;
use fastmcp::{Context, FastMCP, tool};
use serde_json::json;

/// 64 KiB of text, counting its calls.
#[tool]
fn big(ctx: Context) -> String {
    if let Some(calls) = ctx.state::<AtomicUsize>() {
        calls.fetch_add(1, Ordering::SeqCst);
    }
    "x".repeat(64 * 1024)
}

// Paused time: once the client cannot write any more and the server waits for it to read,
// nothing is left to run, and the runtime jumps to the client's timeout at once.
#[tokio::test(start_paused = true)]
async fn a_client_that_does_not_read_its_answers_stops_being_read() {
    let server = FastMCP::new("limits").tool(big);
    server.insert_state(AtomicUsize::new(0));
    let calls: Arc<AtomicUsize> = server.state().unwrap();
    let mut raw = RawClient::connect(server).await;
    let requests = 2_000;
    let mut written = 0;
    for id in 1..=requests {
        let call = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "big", "arguments": {}}});
        if tokio::time::timeout(Duration::from_secs(60), raw.send(call))
            .await
            .is_err()
        {
            break;
        }
        written += 1;
    }
    let ran = calls.load(Ordering::SeqCst);
    // Unread answers stop at the outbox's 4 MiB high-water mark (64 answers of 64 KiB) plus
    // what was already under way; without back-pressure all 2,000 (128 MiB) would pile up.
    assert!(written < requests, "the client was never held back");
    assert!(ran < 200, "{ran} calls ran for a client that read nothing");
    // Once the client reads, the server carries on.
    let (_, first) = raw.until_response(1).await;
    assert_eq!(
        first["result"]["content"][0]["text"].as_str().map(str::len),
        Some(64 * 1024)
    );
}
