//! Our client against the reference TypeScript server (`@modelcontextprotocol/server-everything`)
//! over stdio: tools with progress, paginated resources, templates, prompts, completion, logging.
//!
//! Needs `FASTMCP_TEST_TS_EVERYTHING` (the server's `dist/index.js`) and optionally
//! `FASTMCP_TEST_NODE` (a Node binary, default `node`); `scripts/interop.sh` sets them up.
//! Without them the test says so and passes.

use crate::common;

use common::Recorder;
use fastmcp::Client;
use fastmcp::client::StdioServer;
use fastmcp::types::{Reference, ResourceContents};
use serde_json::json;

fn ts_server() -> Option<StdioServer> {
    let Some(script) = std::env::var_os("FASTMCP_TEST_TS_EVERYTHING") else {
        eprintln!("FASTMCP_TEST_TS_EVERYTHING is not set: skipping (run scripts/interop.sh)");
        return None;
    };
    let node = std::env::var("FASTMCP_TEST_NODE").unwrap_or_else(|_| "node".into());
    Some(
        StdioServer::new(node)
            .arg(script.to_string_lossy())
            .arg("stdio"),
    )
}

#[tokio::test]
async fn our_client_drives_the_typescript_everything_server() {
    let Some(server) = ts_server() else { return };
    let client = Client::connect(server).await.unwrap();

    let tools = client.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"), "{tools:?}");
    let echoed = client
        .call_tool("echo", json!({"message": "hi"}))
        .await
        .unwrap();
    assert_eq!(echoed.text(), "Echo: hi");
    let sum = client
        .call_tool("get-sum", json!({"a": 2, "b": 3}))
        .await
        .unwrap();
    assert!(sum.text().contains('5'), "{}", sum.text());

    let recorder = Recorder::default();
    client
        .call_tool(
            "trigger-long-running-operation",
            json!({"duration": 1, "steps": 4}),
        )
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(recorder.values(), vec![1.0, 2.0, 3.0, 4.0]);
    assert!(recorder.events().iter().all(|e| e.total == Some(4.0)));

    let resources = client.list_resources().await.unwrap();
    assert!(!resources.is_empty());
    let first = client
        .read_resource(resources[0].uri.clone())
        .await
        .unwrap();
    let uri = match &first[0] {
        ResourceContents::TextResourceContents { uri, .. }
        | ResourceContents::BlobResourceContents { uri, .. } => uri.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(uri, resources[0].uri);
    let templates = client.list_resource_templates().await.unwrap();
    assert!(!templates.is_empty());

    let prompts = client.list_prompts().await.unwrap();
    let simple = prompts
        .iter()
        .find(|p| p.arguments.as_ref().is_none_or(Vec::is_empty))
        .unwrap();
    let rendered = client
        .get_prompt(simple.name.clone(), json!({}))
        .await
        .unwrap();
    assert!(!rendered.messages.is_empty());
    if let Some(with_args) = prompts
        .iter()
        .find(|p| p.arguments.as_ref().is_some_and(|a| !a.is_empty()))
    {
        let argument = &with_args.arguments.as_ref().unwrap()[0].name;
        let completion = client
            .complete(
                Reference::for_prompt(with_args.name.clone()),
                argument,
                "",
                &[],
            )
            .await;
        assert!(completion.is_ok(), "{completion:?}");
    }
    client
        .set_logging_level(fastmcp::LogLevel::Debug)
        .await
        .unwrap();
    client.ping().await.unwrap();
}
