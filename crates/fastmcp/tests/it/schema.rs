//! Snapshot of the quickstart tools as `tools/list` publishes them (JSON Schema 2020-12).
//!
//! After an intended change, regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p fastmcp --test it schema::`
//! and review the diff.

#[allow(dead_code)]
#[path = "../../examples/quickstart.rs"]
mod quickstart;

use fastmcp::Client;

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/snapshots/quickstart_tools.json"
);

#[tokio::test]
async fn quickstart_tool_schemas_match_the_snapshot() {
    let client = Client::connect(quickstart::server()).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    let actual = serde_json::to_string_pretty(&tools).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(SNAPSHOT, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "tools/list changed; see the module docs to update the snapshot"
    );
}
