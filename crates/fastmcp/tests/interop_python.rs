//! Our client against a server we did not write: Python FastMCP over stdio.
//!
//! Needs a Python with `fastmcp` installed, named by `FASTMCP_TEST_PYTHON`; `scripts/interop.sh`
//! (part of `scripts/test.sh`) sets it up and runs this. Without it the test says so and passes.

mod common;

use common::Recorder;
use fastmcp::Client;
use fastmcp::client::StdioServer;
use serde_json::json;

fn python_server() -> Option<StdioServer> {
    let Some(python) = std::env::var_os("FASTMCP_TEST_PYTHON") else {
        eprintln!("FASTMCP_TEST_PYTHON is not set: skipping (run scripts/interop.sh)");
        return None;
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../interop/fastmcp_server.py"
    );
    Some(StdioServer::new(python.to_string_lossy()).arg(script))
}

#[tokio::test]
async fn our_client_receives_every_progress_value_from_python_fastmcp() {
    let Some(server) = python_server() else {
        return;
    };
    let client = Client::connect(server).await.unwrap();
    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into())
        .collect();
    assert_eq!(names, ["long_task", "add"]);

    let recorder = Recorder::default();
    let result = client
        .call_tool("long_task", json!({"steps": 6}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(result.data::<String>().unwrap(), "done after 6 steps");
    assert_eq!(
        recorder.values(),
        (1..=6).map(f64::from).collect::<Vec<_>>()
    );
    let last = recorder.events().pop().unwrap();
    assert_eq!(
        (last.total, last.message.as_deref()),
        (Some(6.0), Some("step 6 of 6"))
    );

    assert_eq!(
        client
            .call_tool("add", json!({"a": 3, "b": 4}))
            .await
            .unwrap()
            .data::<i64>()
            .unwrap(),
        7
    );
    let bad = client
        .call_tool("add", json!({"a": "x", "b": 4}))
        .raise_on_error(false)
        .await
        .unwrap();
    assert!(bad.is_error());
}
