//! Our client against a server we did not write: Python FastMCP over stdio.
//!
//! Needs a Python with `fastmcp` installed, named by `FASTMCP_TEST_PYTHON`; `scripts/interop.sh`
//! (part of `scripts/test.sh`) sets it up and runs this. Without it the test says so and passes.

use crate::common;

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
    assert_eq!(names, ["long_task", "add", "ask_name"]);

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

#[tokio::test]
async fn our_client_uses_python_fastmcp_resources_prompts_and_callbacks() {
    use fastmcp::client::Era;
    for era in [Era::Legacy, Era::Stateless] {
        let Some(server) = python_server() else {
            return;
        };
        check_python_surface(server, era).await;
    }
}

#[allow(deprecated)]
async fn check_python_surface(server: StdioServer, era: fastmcp::client::Era) {
    use fastmcp::client::{ElicitationRequest, ElicitationResponse, Era};
    use fastmcp::types::ResourceContents;
    let client = Client::builder()
        .era(era)
        .elicitation_handler(|request: ElicitationRequest| async move {
            assert_eq!(request.message, "What is your name?");
            ElicitationResponse::Accept(json!({"value": "Ada"}))
        })
        .connect(server)
        .await
        .unwrap();

    let resources = client.list_resources().await.unwrap();
    assert_eq!(
        resources.iter().map(|r| r.uri.as_str()).collect::<Vec<_>>(),
        ["data://greeting"]
    );
    let text = |contents: Vec<ResourceContents>| match &contents[0] {
        ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        text(client.read_resource("data://greeting").await.unwrap()),
        "hello from python"
    );
    let templates = client.list_resource_templates().await.unwrap();
    assert_eq!(templates[0].uri_template, "weather://{city}/today");
    assert_eq!(
        text(client.read_resource("weather://Oslo/today").await.unwrap()),
        "sunny in Oslo"
    );

    let prompt = client
        .get_prompt("review", json!({"code": "x = 1"}))
        .await
        .unwrap();
    assert_eq!(
        prompt.messages[0].content.as_text().unwrap().text,
        "Please review: x = 1"
    );

    assert_eq!(client.is_stateless(), era == Era::Stateless);
    if era == Era::Legacy {
        // Python FastMCP 4.1.2's ctx.elicit is a server->client request, which the 2026-07-28
        // protocol does not have (and it dropped ctx.sample); exercise our elicitation
        // callback on the legacy session.
        assert_eq!(
            client
                .call_tool("ask_name", json!({}))
                .await
                .unwrap()
                .data::<String>()
                .unwrap(),
            "Hello, Ada!"
        );
    }
}

/// Starts the Python FastMCP server on the legacy HTTP+SSE transport; returns it (killed on
/// drop) and its SSE URL once uvicorn says it is listening.
async fn python_sse_server() -> Option<(tokio::process::Child, String)> {
    use tokio::io::AsyncBufReadExt as _;
    let python = std::env::var_os("FASTMCP_TEST_PYTHON")?;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../interop/fastmcp_server.py"
    );
    let mut child = tokio::process::Command::new(python)
        .arg(script)
        .args(["--sse", &port.to_string()])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let ready = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            let listening = line.contains("Uvicorn running on");
            seen.push(line);
            if listening {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        matches!(ready, Ok(true)),
        "the Python SSE server did not start: {seen:#?}"
    );
    // Keep draining its log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Some((child, format!("http://127.0.0.1:{port}/sse")))
}

#[tokio::test]
async fn our_client_falls_back_to_legacy_sse_for_an_old_style_server() {
    let Some((_server, url)) = python_sse_server().await else {
        eprintln!("FASTMCP_TEST_PYTHON is not set: skipping (run scripts/interop.sh)");
        return;
    };
    let client = Client::connect(url.as_str()).await.unwrap();
    assert!(!client.is_stateless());
    let recorder = Recorder::default();
    let result = client
        .call_tool("long_task", json!({"steps": 4}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(result.data::<String>().unwrap(), "done after 4 steps");
    assert_eq!(recorder.values(), [1.0, 2.0, 3.0, 4.0]);
    let sum = client
        .call_tool("add", json!({"a": 2, "b": 5}))
        .await
        .unwrap();
    assert_eq!(sum.data::<i64>().unwrap(), 7);
}
