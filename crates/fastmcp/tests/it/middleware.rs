//! Middleware: hook order, short-circuits, changed requests and results, notifications,
//! tasks, tower layers and the built-ins — in both eras, in-process, over HTTP and stdio.
#![allow(deprecated)] // logging/setLevel and resources/subscribe types are deprecated by SEP-2577

use crate::common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::Era;
use fastmcp::middleware::{
    AnyMessage, AnyNotification, AnyRequest, CallTool, ErrorHandling, Hook, ListTools, Logging,
    Message, Middleware, MiddlewareContext, Next, RATE_LIMITED, RateLimitKey, RateLimiting,
    ResponseLimiting, Timing, Transport,
};
use fastmcp::tools::TaskSupport;
use fastmcp::types::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientNotification, ClientRequest,
    ContentBlock, ErrorData, ListToolsResult, PaginatedRequestParams,
};
use fastmcp::{Client, FastMCP, HttpOptions, ToolError, tool};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Add two numbers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Says hello.
#[tool]
fn hello() -> String {
    "hello".into()
}

/// Fails on purpose.
#[tool]
fn refuses() -> Result<String, ToolError> {
    Err(ToolError::new("no, on purpose"))
}

/// Fails by accident (an error of another type).
#[tool]
fn breaks() -> Result<String, std::io::Error> {
    Err(std::io::Error::other("disk /dev/sda3 on fire"))
}

/// Panics.
#[tool]
fn crashes() -> String {
    panic!("secret detail in a panic")
}

/// A lot of text.
#[tool]
fn big() -> String {
    "x".repeat(10_000)
}

/// Never answers.
#[tool]
async fn stuck() -> String {
    std::future::pending::<()>().await;
    unreachable!()
}

/// Runs only as a task.
#[tool(task = TaskSupport::Required)]
async fn chore() -> String {
    "done".into()
}

fn base() -> FastMCP {
    FastMCP::new("mw").tool(add).tool(hello)
}

/// Records what each hook of a middleware named `name` sees, into a shared log.
#[derive(Clone)]
struct Recorder {
    name: &'static str,
    log: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn push(&self, entry: impl std::fmt::Display) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{}:{entry}", self.name));
    }
}

impl Middleware for Recorder {
    fn on_message<'a>(
        &'a self,
        message: Message,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyMessage>,
    ) -> Hook<'a, AnyMessage> {
        self.push(format!("message {}", cx.method()));
        next.pass(message)
    }

    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        self.push(format!("request {}", cx.method()));
        next.pass(request)
    }

    fn on_notification<'a>(
        &'a self,
        notification: ClientNotification,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyNotification>,
    ) -> Hook<'a, AnyNotification> {
        self.push(format!("notification {}", cx.method()));
        next.pass(notification)
    }

    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        self.push(format!("call {}", request.name));
        Hook::new(async move {
            let answer = next.run(request).await;
            self.push("called");
            answer
        })
    }
}

fn recorders(log: &Arc<Mutex<Vec<String>>>) -> (Recorder, Recorder) {
    let a = Recorder {
        name: "A",
        log: Arc::clone(log),
    };
    let b = Recorder {
        name: "B",
        log: Arc::clone(log),
    };
    (a, b)
}

/// How a test reaches its server.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Via {
    Memory,
    Http,
}

/// Serves `server` on 127.0.0.1:0 over HTTP.
async fn serve_http(server: FastMCP) -> (SocketAddr, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let token = stop.clone();
    tokio::spawn(async move {
        server
            .serve_http(listener, HttpOptions::default(), token)
            .await
            .unwrap()
    });
    (addr, stop)
}

async fn connect(server: FastMCP, era: Era, via: Via) -> (Client, Option<CancellationToken>) {
    match via {
        Via::Memory => {
            let client = Client::builder().era(era).connect(server).await.unwrap();
            (client, None)
        }
        Via::Http => {
            let (addr, stop) = serve_http(server).await;
            let url = format!("http://{addr}/mcp");
            let client = Client::builder().era(era).connect(url).await.unwrap();
            (client, Some(stop))
        }
    }
}

const EVERYWHERE: [(Era, Via); 4] = [
    (Era::Legacy, Via::Memory),
    (Era::Stateless, Via::Memory),
    (Era::Legacy, Via::Http),
    (Era::Stateless, Via::Http),
];

#[tokio::test]
async fn hooks_run_in_order_outermost_first_in_both_eras_and_transports() {
    for (era, via) in EVERYWHERE {
        let log = Arc::new(Mutex::new(Vec::new()));
        let (a, b) = recorders(&log);
        let server = base().middleware(a).middleware(b);
        let (client, _stop) = connect(server, era, via).await;
        log.lock().unwrap().clear();
        let result = client
            .call_tool("add", json!({"a": 1, "b": 2}))
            .await
            .unwrap();
        assert_eq!(result.data::<i64>().unwrap(), 3);
        // (`notifications/initialized` may arrive while the call runs.)
        let log: Vec<String> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|entry| !entry.contains("notifications/"))
            .cloned()
            .collect();
        assert_eq!(
            log,
            [
                "A:message tools/call",
                "A:request tools/call",
                "A:call add",
                "B:message tools/call",
                "B:request tools/call",
                "B:call add",
                "B:called",
                "A:called",
            ],
            "{era:?} over {via:?}"
        );
    }
}

/// Answers `tools/call` for `hello` itself and refuses `add`.
struct Gatekeeper;

impl Middleware for Gatekeeper {
    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        match request.name.as_ref() {
            "hello" => Hook::ok(CallToolResponse::Complete(CallToolResult::success(vec![
                ContentBlock::text("intercepted"),
            ]))),
            "add" => Hook::error(ErrorData::invalid_request("add is closed today", None)),
            _ => next.pass(request),
        }
    }
}

#[tokio::test]
async fn a_hook_can_answer_or_refuse_without_the_server() {
    for (era, via) in EVERYWHERE {
        let log = Arc::new(Mutex::new(Vec::new()));
        let (_, inner) = recorders(&log);
        let server = base().middleware(Gatekeeper).middleware(inner);
        let (client, _stop) = connect(server, era, via).await;
        let hello = client.call_tool("hello", json!({})).await.unwrap();
        assert_eq!(hello.text(), "intercepted", "{era:?} over {via:?}");
        let error = client
            .call_tool("add", json!({"a": 1, "b": 2}))
            .await
            .unwrap_err();
        assert!(error.to_string().contains("add is closed today"), "{error}");
        // Neither call went further than the gatekeeper.
        assert!(
            !log.lock().unwrap().iter().any(|e| e.contains("tools/call")),
            "{:?}",
            log.lock().unwrap()
        );
    }
}

/// Hides tools whose name starts with `h`, and doubles `a` in every call.
struct Reshape;

impl Middleware for Reshape {
    fn on_list_tools<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListTools>,
    ) -> Hook<'a, ListTools> {
        Hook::new(async move {
            let mut result: ListToolsResult = next.run(request).await?;
            result.tools.retain(|tool| !tool.name.starts_with('h'));
            Ok(result)
        })
    }

    fn on_call_tool<'a>(
        &'a self,
        mut request: CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        if let Some(a) = request
            .arguments
            .as_mut()
            .and_then(|args| args.get_mut("a"))
        {
            *a = json!(a.as_i64().unwrap_or(0) * 2);
        }
        next.pass(request)
    }
}

#[tokio::test]
async fn hooks_change_requests_and_results() {
    for (era, via) in EVERYWHERE {
        let (client, _stop) = connect(base().middleware(Reshape), era, via).await;
        let names: Vec<String> = client
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|tool| tool.name.to_string())
            .collect();
        assert_eq!(names, ["add"], "{era:?} over {via:?}");
        let result = client
            .call_tool("add", json!({"a": 5, "b": 1}))
            .await
            .unwrap();
        assert_eq!(result.data::<i64>().unwrap(), 11);
    }
}

/// Tells the test about each notification it sees.
struct Notified(tokio::sync::mpsc::UnboundedSender<String>);

impl Middleware for Notified {
    fn on_notification<'a>(
        &'a self,
        notification: ClientNotification,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyNotification>,
    ) -> Hook<'a, AnyNotification> {
        let _ = self.0.send(cx.method().to_owned());
        next.pass(notification)
    }
}

#[tokio::test]
async fn notifications_pass_through_middleware() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let server = base().middleware(Notified(tx));
    let (client, _) = connect(server, Era::Legacy, Via::Memory).await;
    let first = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await;
    assert_eq!(first.unwrap().unwrap(), "notifications/initialized");
    client.send_roots_list_changed().await.unwrap();
    let second = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await;
    assert_eq!(second.unwrap().unwrap(), "notifications/roots/list_changed");
}

/// Records what the context says about each request.
struct Describe(Arc<Mutex<Vec<Facts>>>);

/// Method, stateless, transport, client name, whether a `Context` came with it.
type Facts = (String, bool, Transport, Option<String>, bool);

impl Middleware for Describe {
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        let client = cx.client_info().map(|info| info.name);
        assert!(!cx.session_id().is_empty());
        self.0.lock().unwrap().push((
            cx.method().to_owned(),
            cx.is_stateless(),
            cx.transport(),
            client,
            cx.context().is_some(),
        ));
        next.pass(request)
    }
}

#[tokio::test]
async fn the_context_names_method_era_transport_and_client() {
    for (era, via) in EVERYWHERE {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let server = base().middleware(Describe(Arc::clone(&seen)));
        let (client, _stop) = connect(server, era, via).await;
        client.call_tool("hello", json!({})).await.unwrap();
        let last = seen.lock().unwrap().last().cloned().unwrap();
        let transport = if via == Via::Http {
            Transport::Http
        } else {
            Transport::Stream
        };
        assert_eq!(last.0, "tools/call");
        assert_eq!(last.1, era == Era::Stateless, "{era:?} over {via:?}");
        assert_eq!(last.2, transport, "{era:?} over {via:?}");
        assert!(last.3.is_some(), "client info {era:?} over {via:?}");
        assert!(last.4);
    }
}

#[tokio::test]
async fn tool_calls_that_become_tasks_pass_through_middleware() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (a, _) = recorders(&log);
    let server = FastMCP::new("tasks").tool(chore).middleware(a);
    let mut raw = common::RawClient::stateless(server);
    let mut request = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "chore", "arguments": {}}});
    request["params"]["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities":
            {"extensions": {"io.modelcontextprotocol/tasks": {}}},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}});
    raw.send(request).await;
    let (_, created) = raw.until_response(1).await;
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    assert_eq!(
        *log.lock().unwrap(),
        [
            "A:message tools/call",
            "A:request tools/call",
            "A:call chore",
            "A:called"
        ]
    );
}

#[tokio::test]
async fn a_tower_layer_wraps_requests() {
    let server = base()
        .tool(stuck)
        // Long enough for `add` on a loaded CI machine; `stuck` never answers.
        .layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(2)));
    for (era, via) in EVERYWHERE {
        let (client, _stop) = connect(server.clone(), era, via).await;
        assert_eq!(
            client
                .call_tool("add", json!({"a": 2, "b": 2}))
                .await
                .unwrap()
                .data::<i64>()
                .unwrap(),
            4
        );
        let error = client.call_tool("stuck", json!({})).await.unwrap_err();
        assert!(error.to_string().contains("timed out"), "{error}");
    }
}

/// The message of a tool's `isError` result.
async fn tool_error(client: &Client, name: &str) -> String {
    match client.call_tool(name, json!({})).await {
        Err(fastmcp::Error::Tool { message, .. }) => message,
        other => panic!("expected a tool error from {name}, got {other:?}"),
    }
}

#[tokio::test]
async fn error_handling_masks_internal_failures_but_not_tool_errors() {
    let tools = || base().tool(refuses).tool(breaks).tool(crashes);
    for (era, via) in EVERYWHERE {
        let masked = tools().middleware(ErrorHandling::new().mask_error_details(true));
        let (client, _stop) = connect(masked, era, via).await;
        assert_eq!(tool_error(&client, "refuses").await, "no, on purpose");
        for name in ["breaks", "crashes"] {
            let message = tool_error(&client, name).await;
            assert!(message.contains("error id"), "{message}");
            assert!(!message.contains("fire"), "{message}");
            assert!(!message.contains("secret"), "{message}");
        }
        let open = tools().middleware(ErrorHandling::new());
        let (client, _stop2) = connect(open, era, via).await;
        let detail = tool_error(&client, "breaks").await;
        assert!(detail.contains("disk /dev/sda3 on fire"), "{detail}");
    }
}

#[tokio::test]
async fn rate_limiting_refuses_past_the_burst_per_session() {
    let limit = RateLimiting::new(0.0, 2).key(RateLimitKey::Session);
    let server = base().middleware(limit);
    for era in [Era::Legacy, Era::Stateless] {
        let (client, _) = connect(server.clone(), era, Via::Memory).await;
        for _ in 0..2 {
            client.call_tool("hello", json!({})).await.unwrap();
        }
        let error = client.call_tool("hello", json!({})).await.unwrap_err();
        match &error {
            fastmcp::Error::Protocol(data) => assert_eq!(data.code, RATE_LIMITED),
            other => panic!("expected a JSON-RPC error, got {other:?}"),
        }
        assert!(error.to_string().contains("Rate limit exceeded"), "{error}");
        client.ping().await.unwrap();
    }
}

#[tokio::test]
async fn response_limiting_truncates_large_results_with_a_marker() {
    let server = base().tool(big).middleware(ResponseLimiting::new(500));
    for (era, via) in EVERYWHERE {
        let (client, _stop) = connect(server.clone(), era, via).await;
        let result = client.call_tool("big", json!({})).await.unwrap();
        let text = result.text();
        assert!(text.len() <= 500, "{}", text.len());
        assert!(text.ends_with("[truncated: the result was larger than the server's limit]"));
        let small = client.call_tool("hello", json!({})).await.unwrap();
        assert_eq!(small.text(), "hello");
    }
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logging_and_timing_write_structured_events() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = base()
        .middleware(Logging::new().include_payloads(true).max_payload_len(40))
        .middleware(Timing::new());
    let (client, _) = connect(server, Era::Legacy, Via::Memory).await;
    client
        .call_tool("add", json!({"a": 1, "b": 2}))
        .await
        .unwrap();
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("received tools/call"), "{log}");
    assert!(log.contains("tools/call done"), "{log}");
    assert!(log.contains("payload="), "{log}");
    assert!(log.contains('…'), "payloads are cut: {log}");
    assert!(log.contains("tools/call took"), "{log}");
    assert!(log.contains("duration_us="), "{log}");
}

/// Records which typed hook saw each request.
struct Typed(Arc<Mutex<Vec<&'static str>>>);

macro_rules! record_hooks {
    ($($hook:ident: $marker:ident($params:ty)),* $(,)?) => {
        impl Middleware for Typed {
            $(fn $hook<'a>(
                &'a self,
                request: $params,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, fastmcp::middleware::$marker>,
            ) -> Hook<'a, fastmcp::middleware::$marker> {
                self.0.lock().unwrap().push(stringify!($hook));
                next.pass(request)
            })*
        }
    };
}

record_hooks! {
    on_initialize: Initialize(fastmcp::types::InitializeRequestParams),
    on_discover: Discover(fastmcp::types::DiscoverRequestParams),
    on_call_tool: CallTool(CallToolRequestParams),
    on_read_resource: ReadResource(fastmcp::types::ReadResourceRequestParams),
    on_get_prompt: GetPrompt(fastmcp::types::GetPromptRequestParams),
    on_list_tools: ListTools(Option<PaginatedRequestParams>),
    on_list_resources: ListResources(Option<PaginatedRequestParams>),
    on_list_resource_templates: ListResourceTemplates(Option<PaginatedRequestParams>),
    on_list_prompts: ListPrompts(Option<PaginatedRequestParams>),
    on_complete: Complete(fastmcp::types::CompleteRequestParams),
    on_subscribe: Subscribe(fastmcp::types::SubscribeRequestParams),
    on_unsubscribe: Unsubscribe(fastmcp::types::UnsubscribeRequestParams),
    on_set_logging_level: SetLoggingLevel(fastmcp::types::SetLevelRequestParams),
}

/// Greets someone.
#[fastmcp::prompt]
fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

fn full_server(seen: &Arc<Mutex<Vec<&'static str>>>) -> FastMCP {
    let template = fastmcp::resources::ResourceTemplate::builder("mem://items/{id}")
        .name("item")
        .handler(|request, _ctx| async move {
            Ok::<_, String>(format!(
                "item {}",
                request.params["id"].as_str().unwrap_or("")
            ))
        });
    base()
        .prompt(greet)
        .resource(
            fastmcp::resources::Resource::builder("mem://hello")
                .name("hello")
                .text("hi"),
        )
        .resource_template(template)
        .middleware(Typed(Arc::clone(seen)))
}

#[tokio::test]
#[allow(deprecated)] // logging/setLevel and resources/subscribe are deprecated by SEP-2577
async fn every_typed_hook_sees_its_request() {
    use fastmcp::types::Reference;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let legacy = connect(full_server(&seen), Era::Legacy, Via::Memory)
        .await
        .0;
    assert_eq!(*seen.lock().unwrap(), ["on_initialize"]);
    legacy.list_tools().await.unwrap();
    legacy.list_resources().await.unwrap();
    legacy.list_resource_templates().await.unwrap();
    legacy.list_prompts().await.unwrap();
    legacy.call_tool("hello", json!({})).await.unwrap();
    legacy.read_resource("mem://hello").await.unwrap();
    legacy
        .get_prompt("greet", json!({"name": "Ada"}))
        .await
        .unwrap();
    legacy
        .complete(Reference::for_prompt("greet"), "name", "A", &[])
        .await
        .unwrap();
    legacy.subscribe_resource("mem://hello").await.unwrap();
    legacy.unsubscribe_resource("mem://hello").await.unwrap();
    legacy
        .set_logging_level(fastmcp::LogLevel::Debug)
        .await
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "on_initialize",
            "on_list_tools",
            "on_list_resources",
            "on_list_resource_templates",
            "on_list_prompts",
            "on_call_tool",
            "on_read_resource",
            "on_get_prompt",
            "on_complete",
            "on_subscribe",
            "on_unsubscribe",
            "on_set_logging_level",
        ]
    );
    seen.lock().unwrap().clear();
    let _stateless = connect(full_server(&seen), Era::Stateless, Via::Memory)
        .await
        .0;
    assert_eq!(*seen.lock().unwrap(), ["on_discover"]);
}

/// Counts its calls.
fn counting_tool(name: &'static str, calls: &Arc<std::sync::atomic::AtomicU64>) -> fastmcp::Tool {
    let calls = Arc::clone(calls);
    fastmcp::Tool::builder(name).handler(move |_, _ctx: fastmcp::Context| {
        let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        async move { Ok::<_, String>(fastmcp::ToolResult::text(n.to_string())) }
    })
}

/// A resource that counts its reads, with a cache hint.
fn counting_resource(
    uri: &'static str,
    hint: fastmcp::CacheHint,
    reads: &Arc<std::sync::atomic::AtomicU64>,
) -> fastmcp::resources::Resource {
    let reads = Arc::clone(reads);
    fastmcp::resources::Resource::builder(uri)
        .name(uri)
        .cache_hint(hint)
        .handler(move |_, _ctx| {
            let n = reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            async move { Ok::<_, String>(n.to_string()) }
        })
}

#[tokio::test]
async fn response_caching_serves_fresh_answers_per_session_until_something_changes() {
    use fastmcp::middleware::ResponseCaching;
    let calls = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let server = base()
        .tool(counting_tool("tick", &calls))
        .tool(counting_tool("tock", &calls))
        .middleware(
            ResponseCaching::new()
                .tool_ttl(Duration::from_secs(600))
                .tools(["tick"]),
        );
    let (alice, _) = connect(server.clone(), Era::Legacy, Via::Memory).await;
    let (bob, _) = connect(server.clone(), Era::Legacy, Via::Memory).await;
    let text = |client: &Client, name: &'static str| {
        let client = client.clone();
        async move { client.call_tool(name, json!({})).await.unwrap().text() }
    };
    assert_eq!(text(&alice, "tick").await, "1");
    assert_eq!(text(&alice, "tick").await, "1", "served from the cache");
    assert_eq!(
        text(&bob, "tick").await,
        "2",
        "another session, another entry"
    );
    assert_eq!(text(&alice, "tock").await, "3", "tock is not cached");
    assert_eq!(text(&alice, "tock").await, "4");

    let before = alice.list_tools().await.unwrap().len();
    server.remove_tool("tock");
    assert_eq!(
        alice.list_tools().await.unwrap().len(),
        before - 1,
        "lists invalidated"
    );
    assert_eq!(
        text(&alice, "tick").await,
        "5",
        "a change forgets every entry"
    );
}

#[tokio::test]
async fn response_caching_honours_cache_hints_and_can_share_entries() {
    use fastmcp::middleware::{CachePartition, ResponseCaching};
    let reads = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let server = base()
        .resource(counting_resource(
            "mem://never",
            fastmcp::CacheHint::NONE,
            &reads,
        ))
        .resource(counting_resource(
            "mem://minute",
            fastmcp::CacheHint::public(Duration::from_secs(60)),
            &reads,
        ))
        .middleware(ResponseCaching::new().partition(CachePartition::Shared));
    let (alice, _) = connect(server.clone(), Era::Stateless, Via::Memory).await;
    let (bob, _) = connect(server.clone(), Era::Stateless, Via::Memory).await;
    let read = |client: &Client, uri: &'static str| {
        let client = client.clone();
        async move {
            match &client.read_resource(uri).await.unwrap()[0] {
                fastmcp::types::ResourceContents::TextResourceContents { text, .. } => text.clone(),
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(read(&alice, "mem://never").await, "1");
    assert_eq!(
        read(&alice, "mem://never").await,
        "2",
        "ttlMs 0 is never kept"
    );
    assert_eq!(read(&alice, "mem://minute").await, "3");
    assert_eq!(read(&bob, "mem://minute").await, "3", "a shared entry");
}

#[tokio::test(start_paused = true)]
async fn ping_keeps_a_legacy_session_alive() {
    let server = base().middleware(fastmcp::middleware::Ping::new(Duration::from_secs(30)));
    let mut raw = common::RawClient::connect(server).await;
    for round in 0..2 {
        // Time is paused: it jumps to the next ping once everything else is idle.
        let ping = raw.recv().await;
        assert_eq!(ping["method"], "ping", "round {round}: {ping}");
        raw.send(json!({"jsonrpc": "2.0", "id": ping["id"], "result": {}}))
            .await;
    }
}

/// Panics on `tools/call` for `hello`.
struct Buggy;

impl Middleware for Buggy {
    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        if request.name == "hello" {
            panic!("bug in a middleware");
        }
        next.pass(request)
    }
}

#[tokio::test]
async fn a_panicking_middleware_fails_its_request_and_the_server_carries_on() {
    for (era, via) in EVERYWHERE {
        let (client, _stop) = connect(base().middleware(Buggy), era, via).await;
        let error = client.call_tool("hello", json!({})).await.unwrap_err();
        assert!(
            error
                .to_string()
                .contains("middleware failed unexpectedly: bug in a middleware"),
            "{era:?} over {via:?}: {error}"
        );
        let sum = client
            .call_tool("add", json!({"a": 1, "b": 1}))
            .await
            .unwrap();
        assert_eq!(sum.data::<i64>().unwrap(), 2);
    }
}
