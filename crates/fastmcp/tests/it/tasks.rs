//! Tools that run as tasks (the `io.modelcontextprotocol/tasks` extension, SEP-2663), over the
//! stateless 2026-07-28 protocol on an in-process pipe: task creation, `tasks/get`, questions
//! answered with `tasks/update`, cancellation, errors, and the capability rules.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::RawClient;
use fastmcp::tools::{TaskStart, TaskSupport};
use fastmcp::{Context, FastMCP, tool};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// Waits until released, then answers.
#[tool(task = TaskSupport::Optional)]
async fn gated(ctx: Context) -> String {
    let gate = ctx.state::<Gate>().expect("gate");
    ctx.report_progress(1.0, Some(2.0), Some("waiting")).await;
    gate.release.notified().await;
    "released".into()
}

/// Asks for a number, then doubles it.
#[tool(task = TaskSupport::Optional)]
async fn doubler(ctx: Context) -> Result<String, String> {
    let schema =
        json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]});
    match ctx.elicit_with_schema("A number?", schema).await {
        Ok(fastmcp::server::Elicitation::Accept(content)) => Ok(format!(
            "doubled: {}",
            content["n"].as_i64().unwrap_or(0) * 2
        )),
        other => Err(format!("no number: {other:?}")),
    }
}

/// Never finishes; tells the gate when it is dropped.
#[tool(task = TaskSupport::Required)]
async fn forever(ctx: Context) -> String {
    struct Dropped(Arc<Gate>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.dropped.notify_one();
        }
    }
    let _dropped = Dropped(ctx.state::<Gate>().expect("gate"));
    std::future::pending::<()>().await;
    unreachable!()
}

/// Asks for a word, then shouts it; only runs as a task.
#[tool(task = TaskSupport::Required)]
async fn shout(ctx: Context) -> Result<String, String> {
    let schema =
        json!({"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]});
    match ctx.elicit_with_schema("A word?", schema).await {
        Ok(fastmcp::server::Elicitation::Accept(content)) => {
            Ok(content["word"].as_str().unwrap_or_default().to_uppercase())
        }
        other => Err(format!("no word: {other:?}")),
    }
}

/// Asks for a word in an input round, then continues as a task that waits to be released.
#[tool(task = TaskSupport::Required, task_start = TaskStart::WhenAsked)]
async fn gather_then_work(ctx: Context) -> Result<String, String> {
    let schema =
        json!({"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]});
    let word = match ctx.elicit_with_schema("A word?", schema).await {
        Ok(fastmcp::server::Elicitation::Accept(content)) => content["word"].clone(),
        other => return Err(format!("no word: {other:?}")),
    };
    ctx.start_task().await;
    ctx.state::<Gate>().expect("gate").release.notified().await;
    Ok(format!("worked on {word}"))
}

/// Fails as a tool.
#[tool(task = TaskSupport::Optional)]
async fn refuses() -> Result<String, String> {
    Err("no, thank you".into())
}

/// Crashes.
#[tool(task = TaskSupport::Optional)]
async fn crashes() -> String {
    panic!("crashed on purpose")
}

#[derive(Default)]
struct Gate {
    release: Notify,
    dropped: Notify,
}

fn server() -> (FastMCP, Arc<Gate>) {
    let server = FastMCP::new("tasks")
        .tool(gated)
        .tool(doubler)
        .tool(forever)
        .tool(refuses)
        .tool(crashes)
        .tool(shout)
        .tool(gather_then_work)
        .task_poll_interval(Duration::from_millis(10));
    server.insert_state(Gate::default());
    let gate = server.state::<Gate>().unwrap();
    (server, gate)
}

const TASKS: &str = "io.modelcontextprotocol/tasks";

/// A 2026-07-28 request; `tasks` says whether it declares the tasks extension.
fn request(id: i64, method: &str, mut params: Value, tasks: bool) -> Value {
    let mut capabilities = json!({"elicitation": {}});
    if tasks {
        capabilities["extensions"] = json!({ TASKS: {} });
    }
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}});
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

struct Tasks {
    raw: RawClient,
    next: i64,
}

impl Tasks {
    fn new(server: FastMCP) -> Self {
        Self {
            raw: RawClient::stateless(server),
            next: 1,
        }
    }

    async fn ask(&mut self, method: &str, params: Value, tasks: bool) -> Value {
        let id = self.next;
        self.next += 1;
        self.raw.send(request(id, method, params, tasks)).await;
        self.raw.until_response(id).await.1
    }

    async fn call(&mut self, tool: &str) -> Value {
        self.ask("tools/call", json!({"name": tool, "arguments": {}}), true)
            .await
    }

    async fn get(&mut self, task: &str) -> Value {
        self.ask("tasks/get", json!({"taskId": task}), true).await["result"].clone()
    }

    /// Polls `tasks/get` until the task's status is `status` (bounded: 30 s).
    async fn until(&mut self, task: &str, status: &str) -> Value {
        let wait = async {
            loop {
                let state = self.get(task).await;

                if state["status"] == status {
                    return state;
                }
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .unwrap_or_else(|_| panic!("task {task} never reached {status}"))
    }
}

fn task_id(created: &Value) -> String {
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    created["result"]["taskId"]
        .as_str()
        .expect("taskId")
        .to_owned()
}

#[tokio::test]
async fn a_task_runs_in_the_background_and_its_result_is_inlined() {
    let (server, gate) = server();
    let mut tasks = Tasks::new(server);
    let created = tasks.call("gated").await;
    let id = task_id(&created);
    assert_eq!(created["result"]["status"], "working");
    assert_eq!(
        created["result"]["ttlMs"], 60_000,
        "the default ttl: {created}"
    );
    assert_eq!(created["result"]["pollIntervalMs"], 10, "{created}");
    let working = tasks.until(&id, "working").await;
    assert_eq!(working["status"], "working");
    // Progress in a task is its status message (the tool reports before it waits).
    let reported = async {
        loop {
            let state = tasks.get(&id).await;
            if state["statusMessage"] == "1/2: waiting" {
                return;
            }
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), reported)
        .await
        .expect("the progress shows as the status message");
    gate.release.notify_one();
    let done = tasks.until(&id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "released");
    assert_eq!(done["resultType"], "complete");
}

#[tokio::test]
async fn questions_become_input_requests_answered_with_tasks_update() {
    let (server, _) = server();
    let mut tasks = Tasks::new(server);
    let id = task_id(&tasks.call("doubler").await);
    let waiting = tasks.until(&id, "input_required").await;
    let requests = waiting["inputRequests"].as_object().expect("inputRequests");
    assert_eq!(requests.len(), 1, "{waiting}");
    let (key, question) = requests.iter().next().unwrap();
    assert_eq!(question["method"], "elicitation/create", "{question}");
    let answer = json!({"taskId": id, "inputResponses": {
        key.clone(): {"action": "accept", "content": {"n": 21}}}});
    let ack = tasks.ask("tasks/update", answer, true).await;
    assert_eq!(ack["result"]["resultType"], "complete", "{ack}");
    let done = tasks.until(&id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "doubled: 42");
}

#[tokio::test]
async fn cancelling_a_task_stops_its_tool() {
    let (server, gate) = server();
    let mut tasks = Tasks::new(server);
    let id = task_id(&tasks.call("forever").await);
    let ack = tasks.ask("tasks/cancel", json!({"taskId": id}), true).await;
    assert_eq!(ack["result"]["resultType"], "complete", "{ack}");
    tokio::time::timeout(Duration::from_secs(30), gate.dropped.notified())
        .await
        .expect("the tool was not stopped");
    tasks.until(&id, "cancelled").await;
}

#[tokio::test]
async fn a_tool_error_completes_the_task_and_a_panic_fails_it() {
    let (server, _) = server();
    let mut tasks = Tasks::new(server);
    let refused = task_id(&tasks.call("refuses").await);
    let done = tasks.until(&refused, "completed").await;
    assert_eq!(done["result"]["isError"], true, "{done}");
    let crashed = task_id(&tasks.call("crashes").await);
    let failed = tasks.until(&crashed, "failed").await;
    assert_eq!(failed["error"]["code"], -32603, "{failed}");
    assert!(failed.get("result").is_none(), "{failed}");
}

#[tokio::test]
async fn without_the_extension_optional_tools_answer_directly_and_required_ones_refuse() {
    let (server, gate) = server();
    let mut tasks = Tasks::new(server);
    gate.release.notify_one();
    let direct = tasks
        .ask(
            "tools/call",
            json!({"name": "gated", "arguments": {}}),
            false,
        )
        .await;
    assert_eq!(
        direct["result"]["content"][0]["text"], "released",
        "{direct}"
    );
    let refused = tasks
        .ask(
            "tools/call",
            json!({"name": "forever", "arguments": {}}),
            false,
        )
        .await;
    assert_eq!(refused["error"]["code"], -32021, "{refused}");
    let gated = tasks.ask("tasks/get", json!({"taskId": "x"}), false).await;
    assert_eq!(gated["error"]["code"], -32021, "{gated}");
    let unknown = tasks.ask("tasks/get", json!({"taskId": "x"}), true).await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
}

#[tokio::test]
async fn the_extension_is_advertised_only_when_a_tool_supports_tasks() {
    let discover = |server: FastMCP| async move {
        let mut tasks = Tasks::new(server);
        tasks.ask("server/discover", json!({}), false).await["result"]["capabilities"].clone()
    };
    let with = discover(server().0).await;
    assert!(with["extensions"][TASKS].is_object(), "{with}");
    let without = discover(FastMCP::new("plain")).await;
    assert!(without["extensions"].get(TASKS).is_none(), "{without}");
}

#[tokio::test]
async fn tasks_beyond_the_limit_are_refused_until_one_finishes() {
    let (server, gate) = server();
    let mut tasks = Tasks::new(server.max_running_tasks(1));
    let first = task_id(&tasks.call("gated").await);
    let refused = tasks.call("gated").await;
    assert_eq!(refused["error"]["code"], -32603, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("too many running tasks")),
        "{refused}"
    );
    gate.release.notify_one();
    tasks.until(&first, "completed").await;
    task_id(&tasks.call("doubler").await);
}

/// A `Client` with an elicitation handler that answers `{"word": "hello"}`.
async fn client(server: FastMCP, declare_tasks: bool) -> fastmcp::Client {
    fastmcp::Client::builder()
        .tasks(declare_tasks)
        .elicitation_handler(|_request: fastmcp::client::ElicitationRequest| async {
            fastmcp::client::ElicitationResponse::Accept(json!({"word": "hello"}))
        })
        .connect(server)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_client_follows_a_task_and_answers_its_questions() {
    for declare in [false, true] {
        let (server, _) = server();
        let client = client(server, declare).await;
        // `shout` only runs as a task: without the extension declared the client is refused,
        // asks again declaring it, then follows the task through its question.
        let result = client.call_tool("shout", json!({})).await.unwrap();
        assert_eq!(result.text(), "HELLO", "declared: {declare}");
        let failed = client.call_tool("crashes", json!({})).await;
        if declare {
            assert!(
                matches!(&failed, Err(fastmcp::Error::Protocol(e)) if e.code.0 == -32603),
                "{failed:?}"
            );
        }
    }
}

// Paused time: the call's timeout can only fire once every task is waiting on a timer, that
// is, once the client is following the task (polling it), never during the first round trips.
#[tokio::test(start_paused = true)]
async fn dropping_a_call_cancels_its_task() {
    let (server, gate) = server();
    let client = client(server, false).await;
    let call = client
        .call_tool("forever", json!({}))
        .timeout(Duration::from_millis(200));
    assert!(matches!(call.await, Err(fastmcp::Error::Timeout(_))));
    tokio::time::timeout(Duration::from_secs(30), gate.dropped.notified())
        .await
        .expect("the abandoned task was not cancelled");
}

#[tokio::test]
async fn a_tool_can_gather_input_in_rounds_then_continue_as_a_task() {
    let (server, gate) = server();
    let mut tasks = Tasks::new(server);
    let call = json!({"name": "gather_then_work", "arguments": {}});
    let round = tasks.ask("tools/call", call.clone(), true).await;
    assert_eq!(round["result"]["resultType"], "input_required", "{round}");
    let key = round["result"]["inputRequests"]
        .as_object()
        .and_then(|requests| requests.keys().next().cloned())
        .expect("an input request");
    let mut again = call;
    again["inputResponses"] = json!({ key: {"action": "accept", "content": {"word": "kite"}} });
    again["requestState"] = round["result"]["requestState"].clone();
    let created = tasks.ask("tools/call", again, true).await;
    let id = task_id(&created);
    assert!(created["result"].get("requestState").is_none(), "{created}");
    gate.release.notify_one();
    let done = tasks.until(&id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "worked on \"kite\"");
}

#[tokio::test]
async fn a_mounted_servers_tool_runs_as_a_task_and_its_task_is_found_through_the_parent() {
    let (child, gate) = server();
    let parent = FastMCP::new("parent").mount(child, "kid");
    let mut tasks = Tasks::new(parent);
    let created = tasks.call("kid_gated").await;
    let id = task_id(&created);
    tasks.until(&id, "working").await;
    gate.release.notify_one();
    let done = tasks.until(&id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "released");
    let created = tasks.call("kid_forever").await;
    let id = task_id(&created);
    let cancelled = tasks.ask("tasks/cancel", json!({"taskId": id}), true).await;
    assert!(cancelled.get("error").is_none(), "{cancelled}");
    tasks.until(&id, "cancelled").await;
}

#[tokio::test]
async fn a_proxied_tool_stays_a_task_through_the_proxy() {
    let (upstream, gate) = server();
    let proxy = FastMCP::proxy(upstream).unwrap();
    let mut tasks = Tasks::new(proxy.clone());
    let created = tasks.call("gated").await;
    let id = task_id(&created);
    tasks.until(&id, "working").await;
    gate.release.notify_one();
    let done = tasks.until(&id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "released");

    let created = tasks.call("forever").await;
    let id = task_id(&created);
    let cancelled = tasks.ask("tasks/cancel", json!({"taskId": id}), true).await;
    assert!(cancelled.get("error").is_none(), "{cancelled}");
    tasks.until(&id, "cancelled").await;

    // Our client follows a proxied task through its question, declaring tasks or not.
    for declare in [false, true] {
        let client = client(proxy.clone(), declare).await;
        let result = client.call_tool("shout", json!({})).await.unwrap();
        assert_eq!(result.text(), "HELLO", "declared: {declare}");
    }
}
