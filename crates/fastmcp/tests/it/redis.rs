//! Shared state on a real `redis-server` (feature `redis`): the `requestState` key replicas agree
//! on, and event streams resumed through another replica. Each test starts its own
//! `redis-server` on a Unix socket in a temporary directory (installed by `scripts/test.sh`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use fastmcp::server::{EventLimits, EventStore, HttpOptions};
use fastmcp::stores::Redis;
use fastmcp::tools::TaskSupport;
use fastmcp::types::{NumberOrString, ServerJsonRpcMessage, ServerResult};
use fastmcp::{Context, FastMCP, tool};
use futures::StreamExt as _;
use rmcp::transport::common::server_side_http::ServerSseMessage;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::common::RawClient;

/// A `redis-server` of this test's own, stopped when dropped.
pub struct RedisServer {
    _child: tokio::process::Child,
    dir: PathBuf,
}

impl RedisServer {
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "fastmcp-redis-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = tokio::process::Command::new("redis-server")
            .args(["--port", "0", "--save", "", "--appendonly", "no"])
            .arg("--unixsocket")
            .arg(dir.join("redis.sock"))
            .args(["--unixsocketperm", "700"])
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server is not installed (scripts/test.sh installs it)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // "… ready to accept connections at PATH" (Redis 7, Valkey): the socket is listening.
        loop {
            let line = lines.next_line().await.unwrap();
            let line = line
                .expect("redis-server exited before it was ready")
                .to_lowercase();
            if line.contains("ready to accept connections") {
                break;
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { _child: child, dir }
    }

    /// Runs one command with `redis-cli` (installed with `redis-server`); its reply.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = std::process::Command::new("redis-cli")
            .arg("-s")
            .arg(self.dir.join("redis.sock"))
            .args(args)
            .output()
            .expect("redis-cli is installed with redis-server");
        assert!(output.status.success(), "redis-cli {args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    pub fn url(&self) -> String {
        format!("redis+unix://{}", self.dir.join("redis.sock").display())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Asks the client for a name, then greets it.
#[tool]
async fn greet_asked(ctx: Context) -> String {
    match ctx.elicit::<String>("Your name?").await {
        Ok(fastmcp::server::Elicitation::Accept(name)) => format!("hello {name}"),
        other => format!("no name: {other:?}"),
    }
}

/// A stateless replica sealing `requestState` with `redis`'s shared key.
async fn replica(redis: &Redis) -> (SocketAddr, CancellationToken) {
    let server = FastMCP::new("replica")
        .tool(greet_asked)
        .request_state_key(redis.request_state_key())
        .unwrap();
    serve(server).await
}

async fn serve(server: FastMCP) -> (SocketAddr, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let options = HttpOptions::default().stateless(true).json_response(true);
        server.serve_http(listener, options, stop).await.unwrap();
    });
    (addr, shutdown)
}

/// A 2026-07-28 `tools/call greet_asked` to `addr`, with `extra` params merged in.
async fn call_greet(addr: SocketAddr, extra: Value) -> Value {
    let mut params = json!({"name": "greet_asked", "arguments": {}, "_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}}});
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params});
    reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "greet_asked")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The retry of an input round (`round`, an `input_required` answer) that says "Ada".
fn answer_ada(round: &Value) -> Value {
    let key = round["result"]["inputRequests"]
        .as_object()
        .and_then(|requests| requests.keys().next().cloned())
        .expect("an input request");
    json!({
        "inputResponses": {key: {"action": "accept", "content": {"value": "Ada"}}},
        "requestState": round["result"]["requestState"],
    })
}

#[tokio::test]
async fn an_input_round_sealed_by_one_replica_is_opened_by_another() {
    let store = RedisServer::start().await;
    // Each replica connects on its own; the first to start writes the secret.
    let (a, b) = (
        Redis::connect(&store.url()).await.unwrap(),
        Redis::connect(&store.url()).await.unwrap(),
    );
    assert_eq!(a.request_state_key(), b.request_state_key());
    let elsewhere = Redis::connect(&store.url())
        .await
        .unwrap()
        .prefix("another-app")
        .await
        .unwrap();
    assert_ne!(a.request_state_key(), elsewhere.request_state_key());

    let ((addr_a, stop_a), (addr_b, stop_b), (addr_c, stop_c)) = (
        replica(&a).await,
        replica(&b).await,
        replica(&elsewhere).await,
    );
    let round = call_greet(addr_a, json!({})).await;
    assert_eq!(round["result"]["resultType"], "input_required", "{round}");
    let answer = answer_ada(&round);
    let done = call_greet(addr_b, answer.clone()).await;
    assert_eq!(done["result"]["content"][0]["text"], "hello Ada", "{done}");
    // A server under another prefix has another key: the state is refused, not trusted.
    let refused = call_greet(addr_c, answer).await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    for stop in [stop_a, stop_b, stop_c] {
        stop.cancel();
    }
}

#[tokio::test]
async fn a_rotated_key_still_opens_what_the_previous_key_sealed() {
    let (old, new) = (vec![1u8; 32], vec![2u8; 32]);
    let with = |current: &Vec<u8>, previous: Option<&Vec<u8>>| {
        FastMCP::new("replica")
            .tool(greet_asked)
            .request_state_keys(current.clone(), previous.cloned())
            .unwrap()
    };
    let (before, stop_before) = serve(with(&old, None)).await;
    let (during, stop_during) = serve(with(&new, Some(&old))).await;
    let (after, stop_after) = serve(with(&new, None)).await;
    let answer = answer_ada(&call_greet(before, json!({})).await);
    let done = call_greet(during, answer.clone()).await;
    assert_eq!(done["result"]["content"][0]["text"], "hello Ada", "{done}");
    let refused = call_greet(after, answer).await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    // A key too short is refused when the server is built.
    let short = FastMCP::new("x").request_state_keys(vec![0u8; 8], None);
    assert!(short.is_err());
    for stop in [stop_before, stop_during, stop_after] {
        stop.cancel();
    }
}

fn progress(n: u32) -> ServerSseMessage {
    let message: ServerJsonRpcMessage = serde_json::from_value(json!({
        "jsonrpc": "2.0", "method": "notifications/progress",
        "params": {"progressToken": "t", "progress": n}}))
    .unwrap();
    ServerSseMessage::from_message(message)
}

fn response() -> ServerSseMessage {
    ServerSseMessage::from_message(ServerJsonRpcMessage::response(
        ServerResult::empty(()),
        NumberOrString::Number(1),
    ))
}

fn progress_of(event: &ServerSseMessage) -> Option<f64> {
    let value = serde_json::to_value(event.message.as_deref()?).ok()?;
    value["params"]["progress"].as_f64()
}

/// The next event of `replay`, bounded so a broken store fails the test instead of hanging it.
async fn next(replay: &mut fastmcp::server::EventStream) -> Option<ServerSseMessage> {
    tokio::time::timeout(Duration::from_secs(30), replay.next())
        .await
        .expect("no event within 30 s")
}

#[tokio::test]
async fn a_stream_written_by_one_replica_resumes_through_another_live() {
    let store = RedisServer::start().await;
    let writer = Redis::connect(&store.url()).await.unwrap().event_store();
    let reader = Redis::connect(&store.url()).await.unwrap().event_store();

    let priming = writer
        .store_event(
            "session/1",
            &ServerSseMessage::retry(Duration::from_secs(2)),
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(writer.store_event("session/1", &progress(n)).await.unwrap());
    }
    // Another stream's events never show in this one.
    writer
        .store_event("session/2", &progress(99))
        .await
        .unwrap();

    let mut replay = reader.replay_events_after(&priming).await.unwrap();
    for (n, id) in (1..=3).zip(&ids) {
        let event = next(&mut replay).await.expect("a stored event");
        assert_eq!(progress_of(&event), Some(f64::from(n)));
        assert_eq!(event.event_id.as_ref(), Some(id), "ids are kept");
    }
    // The live tail: what the writer adds now reaches the reader, then the response ends it.
    writer.store_event("session/1", &progress(4)).await.unwrap();
    assert_eq!(progress_of(&next(&mut replay).await.unwrap()), Some(4.0));
    writer.store_event("session/1", &response()).await.unwrap();
    let last = next(&mut replay).await.expect("the response");
    assert!(matches!(
        last.message.as_deref(),
        Some(ServerJsonRpcMessage::Response(_))
    ));
    assert!(
        next(&mut replay).await.is_none(),
        "nothing after the response"
    );

    // Resuming from the middle gives exactly the rest, from any replica.
    let mut again = reader.replay_events_after(&ids[1]).await.unwrap();
    let mut seen = Vec::new();
    while let Some(event) = next(&mut again).await {
        seen.push(progress_of(&event));
    }
    assert_eq!(seen, vec![Some(3.0), Some(4.0), None]);
}

#[tokio::test]
async fn made_up_and_forgotten_event_ids_are_refused() {
    let store = RedisServer::start().await;
    let mut limits = EventLimits::default();
    limits.per_stream = 2;
    let events = Redis::connect(&store.url())
        .await
        .unwrap()
        .event_store_with_limits(limits);
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(events.store_event("s", &progress(n)).await.unwrap());
    }
    let error = |result: Result<fastmcp::server::EventStream, fastmcp::server::EventStoreError>| {
        match result {
            Ok(_) => panic!("a replay that should have been refused"),
            Err(error) => error.to_string(),
        }
    };
    let forgotten = error(events.replay_events_after(&ids[0]).await);
    assert!(forgotten.contains("no longer stored"), "{forgotten}");
    let (token, entry) = ids[4].split_once('.').unwrap();
    let mut made_up = token.chars().rev().collect::<String>();
    made_up.push('.');
    made_up.push_str(entry);
    let unknown = error(events.replay_events_after(&made_up).await);
    assert!(unknown.contains("no stored stream"), "{unknown}");
    let malformed = error(events.replay_events_after("1-2").await);
    assert!(malformed.contains("malformed"), "{malformed}");
    // The newest kept one still resumes (and there is nothing after it yet).
    assert!(events.replay_events_after(&ids[3]).await.is_ok());
}

/// Asks for a word while running as a task, then answers with it.
#[tool(task = TaskSupport::Required)]
async fn ask_in_task(ctx: Context) -> String {
    let schema = json!({"type": "object", "properties": {"word": {"type": "string"}}});
    match ctx.elicit_with_schema("A word?", schema).await {
        Ok(fastmcp::server::Elicitation::Accept(content)) => format!("got {}", content["word"]),
        other => format!("no word: {other:?}"),
    }
}

/// Never finishes (until cancelled).
#[tool(task = TaskSupport::Required)]
async fn runs_forever() -> String {
    std::future::pending::<String>().await
}

/// Answers at once (as a task).
#[tool(task = TaskSupport::Required)]
async fn quick() -> String {
    "done".to_owned()
}

/// A 2026-07-28 client of one in-process replica.
struct Replica {
    raw: RawClient,
    next: i64,
}

impl Replica {
    async fn start(redis: &Redis) -> Self {
        let server = FastMCP::new("replica")
            .tool(ask_in_task)
            .tool(runs_forever)
            .tool(quick);
        server.share_tasks(redis).await.unwrap();
        Self {
            raw: RawClient::stateless(server),
            next: 1,
        }
    }

    async fn ask(&mut self, method: &str, mut params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {},
                "extensions": {"io.modelcontextprotocol/tasks": {}}},
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}});
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.raw.send(request).await;
        self.raw.until_response(id).await.1
    }

    /// Calls `tool` (a task tool) and returns the task's id.
    async fn start_task(&mut self, tool: &str) -> String {
        let created = self
            .ask("tools/call", json!({"name": tool, "arguments": {}}))
            .await;
        assert_eq!(created["result"]["resultType"], "task", "{created}");
        created["result"]["taskId"].as_str().unwrap().to_owned()
    }

    /// Polls `tasks/get` until the task's status is `status` (bounded: 30 s).
    async fn until(&mut self, task: &str, status: &str) -> Value {
        let wait = async {
            loop {
                let state = self.ask("tasks/get", json!({"taskId": task})).await;
                if state["result"]["status"] == status {
                    return state["result"].clone();
                }
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .unwrap_or_else(|_| panic!("task {task} never reached {status}"))
    }
}

#[tokio::test]
async fn a_task_started_on_one_replica_is_followed_answered_and_cancelled_through_another() {
    let store = RedisServer::start().await;
    let mut a = Replica::start(&Redis::connect(&store.url()).await.unwrap()).await;
    let mut b = Replica::start(&Redis::connect(&store.url()).await.unwrap()).await;

    let id = a.start_task("ask_in_task").await;
    // Followed through B: B runs no such task, so it asks A.
    let waiting = b.until(&id, "input_required").await;
    let key = waiting["inputRequests"]
        .as_object()
        .and_then(|requests| requests.keys().next().cloned())
        .expect("an input request");
    let answer = json!({"taskId": id, "inputResponses": {
        key: {"action": "accept", "content": {"word": "kite"}}}});
    let ack = b.ask("tasks/update", answer).await;
    assert_eq!(ack["result"]["resultType"], "complete", "{ack}");
    let done = b.until(&id, "completed").await;
    assert_eq!(
        done["result"]["content"][0]["text"], "got \"kite\"",
        "{done}"
    );

    // Cancelled through B.
    let id = a.start_task("runs_forever").await;
    let ack = b.ask("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(ack["result"]["resultType"], "complete", "{ack}");
    a.until(&id, "cancelled").await;

    // A task no replica runs is unknown, as on one server (an error, not a wait).
    let unknown = b.ask("tasks/get", json!({"taskId": "no-such-task"})).await;
    assert!(unknown["error"]["code"].is_i64(), "{unknown}");
}

#[tokio::test]
async fn a_task_result_outlives_the_replica_that_ran_it() {
    let store = RedisServer::start().await;
    let mut a = Replica::start(&Redis::connect(&store.url()).await.unwrap()).await;
    let mut b = Replica::start(&Redis::connect(&store.url()).await.unwrap()).await;
    let id = a.start_task("quick").await;
    a.until(&id, "completed").await;
    // The replica that ran it is gone: no replica answers on its channel any more.
    store.cli(&["SET", &format!("fastmcp:task-owner:{id}"), "gone"]);
    // B answers from the task's final record (written by A once the task settled).
    let done = b.until(&id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "done", "{done}");
    let ack = b.ask("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(ack["result"]["resultType"], "complete", "{ack}");

    // Without a final record, a task whose replica is gone is an error saying so.
    let id = a.start_task("runs_forever").await;
    store.cli(&["SET", &format!("fastmcp:task-owner:{id}"), "gone"]);
    let lost = b.ask("tasks/get", json!({"taskId": id})).await;
    let message = lost["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("replica that is gone"), "{lost}");
}

/// Adds two numbers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// A stateful replica keeping what replicas share in `redis`.
async fn session_replica(redis: &Redis) -> (SocketAddr, CancellationToken) {
    session_replica_with(redis, HttpOptions::default()).await
}

/// A stateful replica keeping what replicas share in `redis`, with `options`.
async fn session_replica_with(
    redis: &Redis,
    options: HttpOptions,
) -> (SocketAddr, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let options = options.shared_through(redis).await.unwrap();
    let server =
        FastMCP::new("replica")
            .tool(add)
            .tool(greet_asked)
            .tool(touch)
            .tool(remember)
            .tool(recall)
            .tool(chatter)
            .tool(unlock)
            .tool(grow)
            .tool(fastmcp::Tool::builder("wipe").tags(["admin"]).handler(
                |_, _ctx: Context| async { Ok::<_, String>(fastmcp::ToolResult::text("wiped")) },
            ));
    server.disable(fastmcp::Filter::tag("admin"));
    tokio::spawn(async move { server.serve_http(listener, options, stop).await.unwrap() });
    (addr, shutdown)
}

/// A legacy POST (in `session` if given): (status, session id header, the JSON-RPC messages).
async fn legacy_post(
    addr: SocketAddr,
    session: Option<&str>,
    body: Value,
) -> (u16, Option<String>, Vec<Value>) {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25");
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    let response = request.body(body.to_string()).send().await.unwrap();
    let status = response.status().as_u16();
    let id = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap();
    let messages = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim()).ok())
        .collect();
    (status, id, messages)
}

fn session_request(addr: SocketAddr, session: &str, body: Value) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .header("mcp-session-id", session)
        .body(body.to_string())
}

/// Reads SSE `stream` until a message `wanted` accepts (bounded: 30 s).
async fn next_message(stream: &mut reqwest::Response, wanted: impl Fn(&Value) -> bool) -> Value {
    next_event(stream, &mut String::new(), wanted).await.1
}

/// Reads SSE `stream` (what is left of it in `buffer`) until a message `wanted` accepts
/// (bounded: 30 s): its event id and the message.
async fn next_event(
    stream: &mut reqwest::Response,
    buffer: &mut String,
    wanted: impl Fn(&Value) -> bool,
) -> (Option<String>, Value) {
    let read = async {
        loop {
            // One event at a time: its lines up to a blank one (fields in any order).
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    event
                        .lines()
                        .find_map(|line| line.strip_prefix(name))
                        .map(|value| value.trim().to_owned())
                };
                if let Some(data) = field("data:")
                    && let Ok(message) = serde_json::from_str::<Value>(&data)
                    && wanted(&message)
                {
                    return (field("id:"), message);
                }
            }
            let chunk = stream.chunk().await.unwrap().expect("the stream ended");
            buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("no such message within 30 s")
}

/// Tells subscribers that `uri` changed.
#[tool]
fn touch(ctx: &Context, uri: String) -> String {
    ctx.server().notify_resource_updated(&uri);
    uri
}

/// Keeps `value` under `key` for the rest of the session.
#[tool]
fn remember(ctx: &Context, key: String, value: String) -> String {
    ctx.set_state(key, &value).unwrap();
    value
}

/// What the session keeps under `key` ("" when nothing).
#[tool]
fn recall(ctx: &Context, key: String) -> String {
    ctx.get_state::<String>(&key).unwrap_or_default()
}

/// Logs at info, then at warning.
#[tool]
async fn chatter(ctx: Context) -> String {
    ctx.info("an info line").await;
    ctx.warning("a warning line").await;
    "said".into()
}

/// Shows this session the admin tools.
#[tool]
async fn unlock(ctx: Context) -> String {
    ctx.enable_components(fastmcp::Filter::tag("admin")).await;
    "unlocked".into()
}

/// Adds a tool to this replica (its sessions' clients, wherever they are, hear the list
/// changed).
#[tool]
fn grow(ctx: &Context) -> String {
    let grown = fastmcp::Tool::builder("grown")
        .handler(|_, _ctx: Context| async { Ok::<_, String>(fastmcp::ToolResult::text("grown")) });
    let _ = ctx.server().add_tool(grown);
    "grown".into()
}

/// A `GET` stream of `session` on `addr` (resumed after `last_event_id` if given).
async fn get_stream(
    addr: SocketAddr,
    session: &str,
    last_event_id: Option<&str>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(format!("http://{addr}/mcp"))
        .header("accept", "text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .header("mcp-session-id", session);
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response
}

/// An initialized legacy session on `addr`.
async fn open_session(addr: SocketAddr) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}},
        "clientInfo": {"name": "raw", "version": "0"}}});
    let (status, session, _) = legacy_post(addr, None, init).await;
    assert_eq!(status, 200);
    let session = session.expect("a session id");
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(legacy_post(addr, Some(&session), initialized).await.0, 202);
    session
}

#[tokio::test]
async fn what_one_replica_sends_a_session_reaches_its_get_stream_on_another() {
    let store = RedisServer::start().await;
    let (a, stop_a) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    let (b, stop_b) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    let session = open_session(a).await;
    let on_b = |id: i64, method: &str, params: Value| {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let session = session.clone();
        async move {
            let (status, _, messages) = legacy_post(b, Some(&session), body).await;
            assert_eq!(status, 200, "{messages:?}");
        }
    };
    on_b(2, "resources/subscribe", json!({"uri": "note://1"})).await;
    on_b(3, "resources/subscribe", json!({"uri": "note://2"})).await;
    on_b(4, "resources/subscribe", json!({"uri": "note://3"})).await;
    let touch = |uri: &str| json!({"name": "touch", "arguments": {"uri": uri}});
    let updated = |m: &Value| m["method"] == "notifications/resources/updated";

    // Sent by B before any GET stream is open: kept for the one the client opens, on A.
    on_b(5, "tools/call", touch("note://1")).await;
    let mut stream = get_stream(a, &session, None).await;
    let mut buffer = String::new();
    let (_, first) = next_event(&mut stream, &mut buffer, updated).await;
    assert_eq!(first["params"]["uri"], "note://1", "{first}");
    // Sent by B while A holds the stream: it arrives there, once (the next update is this one).
    on_b(6, "tools/call", touch("note://2")).await;
    let (id, second) = next_event(&mut stream, &mut buffer, updated).await;
    assert_eq!(second["params"]["uri"], "note://2", "{second}");
    drop(stream);

    // The stream resumed through B after the last event seen: what came since, nothing twice.
    on_b(7, "tools/call", touch("note://3")).await;
    let id = id.expect("events of a shared stream have ids");
    let mut resumed = get_stream(b, &session, Some(&id)).await;
    let (_, third) = next_event(&mut resumed, &mut String::new(), updated).await;
    assert_eq!(third["params"]["uri"], "note://3", "{third}");
    stop_a.cancel();
    stop_b.cancel();
}

#[tokio::test]
async fn a_legacy_session_opened_on_one_replica_continues_on_another_answers_included() {
    let store = RedisServer::start().await;
    let (a, stop_a) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    let (b, stop_b) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    let session = open_session(a).await;

    // B never saw this session: it takes it over from the store.
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "add", "arguments": {"a": 2, "b": 3}}});
    let (status, _, messages) = legacy_post(b, Some(&session), call.clone()).await;
    assert_eq!(status, 200, "{messages:?}");
    let answer = messages.iter().find(|m| m["id"] == 2).expect("the answer");
    assert_eq!(
        answer["result"]["structuredContent"]["result"], 5,
        "{answer}"
    );
    // And back on A.
    let (status, _, messages) = legacy_post(a, Some(&session), call).await;
    assert_eq!(status, 200, "{messages:?}");

    // A question asked by A, answered through B: the answer is carried to A.
    let call = json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
        "params": {"name": "greet_asked", "arguments": {}}});
    let mut stream = session_request(a, &session, call).send().await.unwrap();
    let question = next_message(&mut stream, |m| m["method"] == "elicitation/create").await;
    let answer = json!({"jsonrpc": "2.0", "id": question["id"],
        "result": {"action": "accept", "content": {"value": "Ada"}}});
    assert_eq!(legacy_post(b, Some(&session), answer).await.0, 202);
    let result = next_message(&mut stream, |m| m["id"] == 4).await;
    assert_eq!(
        result["result"]["content"][0]["text"], "hello Ada",
        "{result}"
    );

    // A session nobody opened is still unknown.
    let ping = json!({"jsonrpc": "2.0", "id": 3, "method": "ping"});
    assert_eq!(legacy_post(b, Some("made-up"), ping).await.0, 404);
    stop_a.cancel();
    stop_b.cancel();
}

#[tokio::test]
async fn requests_arriving_together_on_a_replica_taking_a_session_over_are_all_served() {
    let store = RedisServer::start().await;
    let (a, stop_a) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    let (b, stop_b) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    for _ in 0..5 {
        let session = open_session(a).await;
        // B never saw the session: the first request takes it over, the others arrive while
        // its handshake is replayed and must wait for it, not find it uninitialized.
        let mut calls = Vec::new();
        for id in 0..40 {
            let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"});
            let session = session.clone();
            calls.push(tokio::spawn(async move {
                // Spread over the takeover: some before it, some during, some after (this
                // only makes the race likely; the assertions hold however the requests fall).
                tokio::time::sleep(std::time::Duration::from_micros(100 * id)).await;
                legacy_post(b, Some(&session), body).await
            }));
        }
        for call in calls {
            let (status, _, messages) = call.await.unwrap();
            assert_eq!(status, 200, "{messages:?}");
            assert!(
                messages.iter().any(|m| m["result"]["tools"].is_array()),
                "{messages:?}"
            );
        }
    }
    stop_a.cancel();
    stop_b.cancel();
}

#[tokio::test]
async fn what_a_session_keeps_follows_it_to_every_replica() {
    let store = RedisServer::start().await;
    let (a, stop_a) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    let (b, stop_b) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    let session = open_session(a).await;
    let mut next_id = 10;
    let mut on = |addr: SocketAddr, method: &str, params: Value| {
        next_id += 1;
        let body = json!({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params});
        let session = session.clone();
        async move {
            let (status, _, messages) = legacy_post(addr, Some(&session), body).await;
            assert_eq!(status, 200, "{messages:?}");
            messages
        }
    };
    let call = |name: &str, arguments: Value| json!({"name": name, "arguments": arguments});
    let text = |messages: &[Value]| {
        let answer = messages
            .iter()
            .find(|m| m.get("result").is_some())
            .expect("an answer");
        answer["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    // A value stored by a call on A is there for a call on B.
    on(
        a,
        "tools/call",
        call("remember", json!({"key": "colour", "value": "teal"})),
    )
    .await;
    let recalled = on(b, "tools/call", call("recall", json!({"key": "colour"}))).await;
    assert_eq!(text(&recalled), "teal");

    // The level set on A filters the logs of a call on B.
    on(a, "logging/setLevel", json!({"level": "warning"})).await;
    let messages = on(b, "tools/call", call("chatter", json!({}))).await;
    let logged: Vec<_> = messages
        .iter()
        .filter(|m| m["method"] == "notifications/message")
        .map(|m| m["params"]["data"].clone())
        .collect();
    assert_eq!(logged, [json!("a warning line")], "{messages:?}");

    // Components unlocked for the session on A are listed for it on B.
    on(a, "tools/call", call("unlock", json!({}))).await;
    let listed = on(b, "tools/list", json!({})).await;
    let answer = listed.iter().find(|m| m.get("result").is_some()).unwrap();
    let names: Vec<_> = answer["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert!(names.contains(&json!("wipe")), "{names:?}");

    // Subscribed on A, updated on B, heard on the GET stream opened on B; unsubscribed on B,
    // an update on A is not heard (the next event is the one after it).
    on(a, "resources/subscribe", json!({"uri": "note://a"})).await;
    on(a, "resources/subscribe", json!({"uri": "note://b"})).await;
    let mut stream = get_stream(b, &session, None).await;
    let mut buffer = String::new();
    let updated = |m: &Value| m["method"] == "notifications/resources/updated";
    on(b, "tools/call", call("touch", json!({"uri": "note://a"}))).await;
    let (_, heard) = next_event(&mut stream, &mut buffer, updated).await;
    assert_eq!(heard["params"]["uri"], "note://a", "{heard}");
    on(b, "resources/unsubscribe", json!({"uri": "note://a"})).await;
    on(a, "tools/call", call("touch", json!({"uri": "note://a"}))).await;
    on(a, "tools/call", call("touch", json!({"uri": "note://b"}))).await;
    let (_, heard) = next_event(&mut stream, &mut buffer, updated).await;
    assert_eq!(heard["params"]["uri"], "note://b", "{heard}");

    // A tool added on A (the GET stream is on B): the list changed is heard.
    let grown = on(a, "tools/call", call("grow", json!({}))).await;
    assert_eq!(text(&grown), "grown");
    let changed = |m: &Value| m["method"] == "notifications/tools/list_changed";
    next_event(&mut stream, &mut buffer, changed).await;

    // Ended through B: its record is gone from the store.
    let deleted = reqwest::Client::new()
        .delete(format!("http://{b}/mcp"))
        .header("mcp-protocol-version", "2025-11-25")
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let keys = |pattern: &str| store.cli(&["--scan", "--pattern", pattern]);
    assert_eq!(keys(&format!("fastmcp:session-state:{session}")), "");
    assert_eq!(keys("fastmcp:subscribers:*"), "");
    // A's copy ends too (B tells every replica; A hears it over pub/sub, so ask until then).
    let ended_on_a = async {
        loop {
            let ping = json!({"jsonrpc": "2.0", "id": 99, "method": "ping"});
            if legacy_post(a, Some(&session), ping).await.0 == 404 {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), ended_on_a)
        .await
        .expect("the session ends on A too");
    stop_a.cancel();
    stop_b.cancel();
}

#[tokio::test]
async fn a_full_replica_does_not_take_sessions_over() {
    let store = RedisServer::start().await;
    let (a, stop_a) = session_replica(&Redis::connect(&store.url()).await.unwrap()).await;
    let full = HttpOptions::default().max_sessions(Some(1));
    let (b, stop_b) =
        session_replica_with(&Redis::connect(&store.url()).await.unwrap(), full).await;
    let on_b = open_session(b).await;
    let on_a = open_session(a).await;
    let ping = json!({"jsonrpc": "2.0", "id": 7, "method": "ping"});
    // B holds one session, its limit: it refuses to take A's over, and serves its own.
    assert_eq!(legacy_post(b, Some(&on_a), ping.clone()).await.0, 503);
    assert_eq!(legacy_post(b, Some(&on_b), ping.clone()).await.0, 200);
    assert_eq!(legacy_post(a, Some(&on_b), ping).await.0, 200);
    stop_a.cancel();
    stop_b.cancel();
}
