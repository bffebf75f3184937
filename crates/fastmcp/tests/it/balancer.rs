//! Our `Client` in a legacy session through a load balancer in front of several replicas of
//! `examples/everything` sharing a redis-server: every request may land on another replica.
//! `scripts/replicas.sh` starts all of that and runs this test with
//! `FASTMCP_BALANCER_URL=http://127.0.0.1:PORT/mcp … -- --ignored balancer::`; it has nothing
//! to run against otherwise, so it is ignored in the ordinary test run.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::Client;
use fastmcp::client::{ElicitationRequest, ElicitationResponse, Era};
use fastmcp::types::ServerNotification;
use serde_json::json;

const WATCHED: &str = "test://watched-resource";

/// How many replicas the balancer spreads requests over (`FASTMCP_REPLICAS`, default 3).
fn replicas() -> usize {
    std::env::var("FASTMCP_REPLICAS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

/// Waits (30 s at most) until `heard` holds `count` notifications `wanted` accepts.
async fn until_heard(
    heard: &Mutex<Vec<ServerNotification>>,
    count: usize,
    wanted: impl Fn(&ServerNotification) -> bool,
) -> usize {
    let counted = || heard.lock().unwrap().iter().filter(|n| wanted(n)).count();
    let wait = async {
        let mut ticks = tokio::time::interval(Duration::from_millis(20));
        while counted() < count {
            ticks.tick().await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(30), wait).await;
    counted()
}

fn is_watched_update(notification: &ServerNotification) -> bool {
    matches!(notification, ServerNotification::ResourceUpdatedNotification(update)
        if update.params.uri == WATCHED)
}

#[tokio::test]
#[ignore = "run by scripts/replicas.sh, against replicas behind haproxy"]
async fn our_client_keeps_a_legacy_session_across_replicas() {
    let url = std::env::var("FASTMCP_BALANCER_URL").expect("FASTMCP_BALANCER_URL");
    let heard: Arc<Mutex<Vec<ServerNotification>>> = Arc::default();
    let sink = Arc::clone(&heard);
    let client = Client::builder()
        .era(Era::Legacy)
        .timeout(Duration::from_secs(60))
        .elicitation_handler(|_: ElicitationRequest| async {
            ElicitationResponse::Accept(json!({"username": "ada", "email": "ada@example.com"}))
        })
        .message_handler(move |notification: ServerNotification| {
            let sink = Arc::clone(&sink);
            async move { sink.lock().unwrap().push(notification) }
        })
        .connect(url.as_str())
        .await
        .unwrap();
    assert!(!client.is_stateless());
    let n = replicas();

    let tools = client.list_tools().await.unwrap();
    assert!(
        tools
            .iter()
            .any(|tool| tool.name == "test_tool_with_progress")
    );
    for i in 0..n {
        let greeted = client
            .call_tool("greet", json!({"name": format!("r{i}")}))
            .await
            .unwrap();
        assert_eq!(greeted.text(), format!("Hello, r{i}!"));
    }

    // Progress of a call, whichever replica runs it, in order, before its result.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let result = client
        .call_tool("test_tool_with_progress", json!({}))
        .progress(move |progress, _total, _message| {
            let record = Arc::clone(&record);
            async move { record.lock().unwrap().push(progress) }
        })
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
    assert_eq!(*seen.lock().unwrap(), [0.0, 50.0, 100.0]);

    // A question asked by the replica serving the call; the answer goes through the balancer.
    let elicited = client
        .call_tool("test_elicitation", json!({"message": "Who are you?"}))
        .await
        .unwrap();
    assert!(
        elicited.text().contains("ada@example.com"),
        "{}",
        elicited.text()
    );

    // Subscribed through one replica; updated on each; every update heard once.
    client.subscribe_resource(WATCHED).await.unwrap();
    for _ in 0..n {
        client
            .call_tool("test_touch_watched_resource", json!({}))
            .await
            .unwrap();
    }
    assert_eq!(until_heard(&heard, n, is_watched_update).await, n);

    // A list change on one replica reaches the session.
    client.unsubscribe_resource(WATCHED).await.unwrap();
    client
        .call_tool("test_trigger_tool_change", json!({}))
        .await
        .unwrap();
    let changed =
        |n: &ServerNotification| matches!(n, ServerNotification::ToolListChangedNotification(_));
    assert!(until_heard(&heard, 1, changed).await >= 1);
    assert_eq!(
        until_heard(&heard, 0, is_watched_update).await,
        n,
        "nothing twice"
    );
    client.close().await.unwrap();
}
