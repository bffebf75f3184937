//! Over stdio with real child processes: round trips, progress, a dying server, bad input.

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use common::{Recorder, example};
use fastmcp::client::StdioServer;
use fastmcp::{Client, Error};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

fn quickstart() -> StdioServer {
    StdioServer::new(example("quickstart").to_string_lossy())
}

fn testbed() -> StdioServer {
    StdioServer::new(example("testbed").to_string_lossy())
}

/// Bounds a step that must finish promptly, so a bug shows up as a failure, not a hang.
async fn within<F: std::future::IntoFuture>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish"))
}

#[tokio::test]
async fn quickstart_round_trip_over_stdio() {
    let client = Client::connect(quickstart()).await.unwrap();
    assert_eq!(client.server_info().unwrap().name, "quickstart");
    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into())
        .collect();
    assert_eq!(names, ["add", "long_task"]);
    assert_eq!(
        client
            .call_tool("add", json!({"a": 20, "b": 22}))
            .await
            .unwrap()
            .data::<i64>()
            .unwrap(),
        42
    );

    let recorder = Recorder::default();
    let result = client
        .call_tool("long_task", json!({"steps": 3, "delay_ms": 30}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(result.text(), "done after 3 steps");
    assert_eq!(recorder.values(), vec![1.0, 2.0, 3.0]);
    assert_eq!(recorder.events()[2].message.as_deref(), Some("step 3 of 3"));
}

#[tokio::test]
async fn a_burst_of_progress_arrives_complete_and_in_order_over_stdio() {
    let client = Client::connect(testbed()).await.unwrap();
    let recorder = Recorder::default();
    let result = client
        .call_tool("burst", json!({"count": 5000}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(result.data::<u32>().unwrap(), 5000);
    assert_eq!(
        recorder.values(),
        (1..=5000).map(f64::from).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_child_that_exits_mid_call_fails_the_call_with_its_status() {
    let client = Client::connect(testbed()).await.unwrap();
    let outcome = within(
        "the call to a dying server",
        client.call_tool("exit_now", json!({"code": 7})),
    )
    .await;
    match outcome {
        Err(Error::ServerExited { status, stderr }) => {
            assert_eq!(status, "exit status: 7");
            assert!(
                stderr.contains("testbed: exiting with code 7"),
                "stderr tail: {stderr:?}"
            );
        }
        other => panic!("expected ServerExited, got {other:?}"),
    }
    // Later calls fail at once too.
    let again = within(
        "a call after the exit",
        client.call_tool("burst", json!({"count": 1})),
    )
    .await;
    assert!(
        matches!(again, Err(Error::ServerExited { .. })),
        "got {again:?}"
    );
}

#[tokio::test]
async fn every_pending_call_fails_when_the_child_dies() {
    let client = Client::connect(testbed()).await.unwrap();
    let hanging = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .call_tool("hang", json!({"message": "waiting"}))
                .await
        }
    });
    let dying = within(
        "the dying call",
        client.call_tool("exit_now", json!({"code": 3})),
    )
    .await;
    assert!(
        matches!(dying, Err(Error::ServerExited { .. })),
        "got {dying:?}"
    );
    let hung = within("the hanging call", hanging).await.unwrap();
    assert!(
        matches!(hung, Err(Error::ServerExited { .. })),
        "got {hung:?}"
    );
}

#[tokio::test]
async fn dropping_the_client_kills_the_server_process() {
    let client = Client::connect(testbed()).await.unwrap();
    let pid: u32 = client
        .call_tool("pid", json!({}))
        .await
        .unwrap()
        .data()
        .unwrap();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_dir.exists());
    drop(client);
    // Waiting for another process to go away can only be polled; the bound turns a leak into
    // a failure instead of a hang.
    within("the server process to exit", async {
        while proc_dir.exists() {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_command_that_does_not_exist_is_a_clear_error() {
    let error = Client::connect("definitely-not-a-real-mcp-server --flag")
        .await
        .unwrap_err();
    assert!(
        error.to_string().starts_with("could not connect to the MCP server: cannot start server command 'definitely-not-a-real-mcp-server --flag'"),
        "{error}"
    );
    let cause = std::error::Error::source(&error).expect("the spawn failure as the source");
    let io = cause
        .downcast_ref::<std::io::Error>()
        .expect("an io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}

// ---------------------------------------------------------------------------------------------
// Bad input, written as raw lines to the quickstart server's stdin.

struct RawServer {
    child: Child,
    stdin: ChildStdin,
    lines: tokio::io::Lines<BufReader<ChildStdout>>,
}

impl RawServer {
    async fn start() -> Self {
        let mut child = Command::new(example("quickstart"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut server = Self {
            child,
            stdin,
            lines,
        };
        server
            .send_line(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}})
            .to_string())
            .await;
        assert_eq!(server.recv().await["id"], 0);
        server
            .send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .await;
        server
    }

    async fn send_line(&mut self, line: &str) {
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.write_all(b"\n").await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        let line = within("a reply", self.lines.next_line())
            .await
            .unwrap()
            .expect("server closed stdout");
        serde_json::from_str(&line).unwrap()
    }

    /// The server is still serving: a ping gets its answer.
    async fn assert_alive(&mut self, id: i64) {
        self.send_line(&json!({"jsonrpc": "2.0", "id": id, "method": "ping"}).to_string())
            .await;
        let reply = self.recv().await;
        assert_eq!(reply, json!({"jsonrpc": "2.0", "id": id, "result": {}}));
    }

    fn peak_rss_kib(&self) -> u64 {
        let pid = self.child.id().unwrap();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

#[tokio::test]
async fn malformed_json_gets_a_parse_error_and_the_server_keeps_serving() {
    let mut server = RawServer::start().await;
    server
        .send_line(r#"{"jsonrpc": "2.0", "id": 1, "method": "#)
        .await;
    let reply = server.recv().await;
    assert_eq!(reply["error"]["code"], -32700);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Parse error")
    );
    assert_eq!(reply.get("id"), None);
    server.assert_alive(2).await;
}

#[tokio::test]
async fn an_unknown_method_gets_method_not_found() {
    let mut server = RawServer::start().await;
    server
        .send_line(r#"{"jsonrpc":"2.0","id":1,"method":"tools/explode"}"#)
        .await;
    let reply = server.recv().await;
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["error"]["code"], -32601);
    assert_eq!(reply["error"]["message"], "Method not found: tools/explode");
    server.assert_alive(2).await;
}

#[tokio::test]
async fn wrong_params_get_invalid_params_saying_why() {
    let mut server = RawServer::start().await;
    server
        .send_line(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":42}}"#)
        .await;
    let reply = server.recv().await;
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["error"]["code"], -32602);
    assert_eq!(
        reply["error"]["message"],
        "Invalid params for 'tools/call': invalid type: integer `42`, expected a string"
    );
    server.send_line(r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":"one","b":2}}}"#).await;
    let reply = server.recv().await;
    assert_eq!(reply["result"]["isError"], true);
    assert_eq!(
        reply["result"]["content"][0]["text"],
        r#"Invalid arguments for tool 'add': a: invalid type: string "one", expected i64"#
    );
    server
        .send_line(r#"[{"jsonrpc":"2.0","id":4,"method":"ping"}]"#)
        .await;
    assert_eq!(server.recv().await["error"]["code"], -32600);
    server.send_line(r#""just a string""#).await;
    assert_eq!(server.recv().await["error"]["code"], -32600);
    server.assert_alive(5).await;
}

#[tokio::test]
async fn an_oversized_line_gets_an_error_without_buffering_it() {
    let mut server = RawServer::start().await;
    let before = server.peak_rss_kib();
    // 10 MB, then 64 MB: both over the 8 MiB limit. Memory must stay bounded by the limit,
    // not grow with the line.
    for megabytes in [10, 64] {
        let mut line = String::from(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":""#,
        );
        line.push_str(&"x".repeat(megabytes * 1024 * 1024));
        line.push_str(r#""}}}"#);
        server.send_line(&line).await;
        let reply = server.recv().await;
        assert_eq!(reply["error"]["code"], -32600);
        assert_eq!(
            reply["error"]["message"],
            "Request too large: a message exceeded the 8388608-byte limit and was discarded"
        );
        server.assert_alive(2).await;
    }
    let growth_mib = (server.peak_rss_kib().saturating_sub(before)) / 1024;
    assert!(
        growth_mib < 40,
        "peak memory grew by {growth_mib} MiB for a 64 MiB line"
    );
}

#[tokio::test]
async fn a_child_flooding_stderr_without_newlines_is_read_in_bounded_lines() {
    // 4 MB on one stderr line, then a last line, then exit without speaking MCP.
    let script = "head -c 4000000 /dev/zero | tr '\\0' x >&2; echo >&2; \
                  echo 'last words' >&2; exit 3";
    let server = StdioServer::new("sh").arg("-c").arg(script);
    match within("connecting to a child that exits", Client::connect(server)).await {
        Err(Error::ServerExited { status, stderr }) => {
            assert_eq!(status, "exit status: 3");
            assert!(stderr.contains("last words"), "stderr tail: {stderr:.200}");
            assert!(
                stderr.contains("(line truncated)"),
                "stderr tail: {stderr:.200}"
            );
            assert!(
                stderr.len() < 64 * 1024,
                "the tail is bounded: {} bytes",
                stderr.len()
            );
        }
        other => panic!("expected ServerExited, got {:?}", other.map(|_| ())),
    }
}

// ---------------------------------------------------------------------------------------------
// What stdin and stdout may be: pipes (above), sockets (Node's child_process makes socket
// pairs), or plain files (`server < requests.jsonl`).

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
const LONG_TASK: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"long_task","arguments":{"steps":3,"delay_ms":1},"_meta":{"progressToken":"t"}}}"#;

/// The messages on `lines` up to and including the response with `id`.
async fn read_until_response<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut tokio::io::Lines<R>,
    id: i64,
) -> Vec<Value> {
    let mut seen = Vec::new();
    while let Some(line) = within("a line from the server", lines.next_line())
        .await
        .unwrap()
    {
        let message: Value = serde_json::from_str(&line).unwrap();
        let done = message["id"] == id;
        seen.push(message);
        if done {
            return seen;
        }
    }
    panic!("the server closed its output before answering {id}: {seen:?}");
}

/// The progress values among `messages`, checked to follow the contract: strictly increasing
/// and (whatever coalescing held back) ending with the last value reported, 3 of 3.
fn assert_progress_ends_at_three(messages: &[Value]) {
    let values: Vec<f64> = messages
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .map(|m| m["params"]["progress"].as_f64().unwrap())
        .collect();
    assert!(values.windows(2).all(|w| w[0] < w[1]), "{values:?}");
    assert_eq!(values.last(), Some(&3.0), "{values:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_server_whose_stdio_are_sockets_serves_over_them() {
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    let stdout = std::os::fd::OwnedFd::from(theirs.try_clone().unwrap());
    let mut child = Command::new(example("quickstart"))
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
        .stdout(Stdio::from(stdout))
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    ours.set_nonblocking(true).unwrap();
    let (read, mut write) = tokio::net::UnixStream::from_std(ours).unwrap().into_split();
    let mut lines = BufReader::new(read).lines();

    for line in [INITIALIZE, INITIALIZED, LONG_TASK] {
        write
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }
    let messages = read_until_response(&mut lines, 0).await;
    assert_eq!(messages[0]["result"]["serverInfo"]["name"], "quickstart");
    let messages = read_until_response(&mut lines, 2).await;
    assert_progress_ends_at_three(&messages);
    let result = &messages.last().unwrap()["result"];
    assert_eq!(result["content"][0]["text"], "done after 3 steps");

    // Closing our end is the end of input: the server exits cleanly.
    write.shutdown().await.unwrap();
    drop(write);
    let status = within("the server's exit", child.wait()).await.unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn a_server_reading_requests_from_a_file_answers_them_all_then_exits() {
    let dir = std::env::temp_dir().join(format!("fastmcp-stdin-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let requests = dir.join("requests.jsonl");
    std::fs::write(
        &requests,
        format!("{INITIALIZE}\n{INITIALIZED}\n{LONG_TASK}\n"),
    )
    .unwrap();

    let mut child = Command::new(example("quickstart"))
        .stdin(std::fs::File::open(&requests).unwrap())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let messages = read_until_response(&mut lines, 0).await;
    assert_eq!(messages[0]["result"]["serverInfo"]["name"], "quickstart");
    let messages = read_until_response(&mut lines, 2).await;
    assert_progress_ends_at_three(&messages);
    assert_eq!(
        messages.last().unwrap()["result"]["content"][0]["text"],
        "done after 3 steps"
    );
    let status = within("the server's exit", child.wait()).await.unwrap();
    assert!(status.success(), "{status}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn middleware_runs_in_order_and_short_circuits_over_stdio_in_both_eras() {
    for era in [
        fastmcp::client::Era::Legacy,
        fastmcp::client::Era::Stateless,
    ] {
        let client = Client::builder().era(era).connect(testbed()).await.unwrap();
        let traced = client.call_tool("trace", json!({})).await.unwrap();
        // The innermost middleware saw the result first.
        assert_eq!(traced.text(), "tool\ninner\nouter", "{era:?}");
        let refused = client.call_tool("blocked", json!({})).await.unwrap_err();
        assert!(
            refused.to_string().contains("blocked by middleware"),
            "{era:?}: {refused}"
        );
    }
}
