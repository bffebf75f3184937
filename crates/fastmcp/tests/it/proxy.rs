//! Proxies: lists and calls passed through in every pairing of eras (downstream legacy or
//! 2026-07-28, upstream legacy or 2026-07-28), progress, elicitation, logs, cancellation,
//! list changes, one upstream handshake per downstream session, `mcpServers` configurations.

#![allow(deprecated)] // sampling and roots are deprecated by SEP-2577; MCP still has them.

use crate::common::{self, Recorder};

use std::sync::Arc;
use std::time::Duration;

use fastmcp::client::{ElicitationRequest, ElicitationResponse, Era, LogMessage};
use fastmcp::middleware::{Discover, Hook, Initialize, Middleware, MiddlewareContext, Next};
use fastmcp::proxy::{Isolation, McpServers, ProxyOptions};
use fastmcp::resources::Resource;
use fastmcp::types::{DiscoverRequestParams, InitializeRequestParams, ServerNotification};
use fastmcp::{Client, Context, FastMCP, prompt, tool};
use serde_json::json;
use tokio::sync::{Notify, mpsc};

const ERAS: [Era; 2] = [Era::Legacy, Era::Stateless];

/// Generous bound on waits for something that happens at once unless there is a bug.
const WAIT: Duration = Duration::from_secs(10);

/// Add two numbers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Counts to `n`, reporting progress.
#[tool]
async fn count(ctx: Context, n: u32) -> u32 {
    for i in 1..=n {
        ctx.report_progress(f64::from(i), Some(f64::from(n)), Some(&format!("step {i}")))
            .await;
    }
    n
}

/// Asks the client for a name, and logs it.
#[tool]
async fn ask_name(ctx: Context) -> Result<String, String> {
    let schema = json!({"type": "object", "properties": {"name": {"type": "string"}},
                        "required": ["name"]});
    match ctx.elicit_with_schema("Your name?", schema).await {
        Ok(fastmcp::server::Elicitation::Accept(content)) => {
            let name = content["name"].as_str().unwrap_or("?").to_owned();
            ctx.info(format!("asked {name}")).await;
            Ok(format!("hello {name}"))
        }
        other => Err(format!("no name: {other:?}")),
    }
}

/// Waits until cancelled (the server drops it then), telling the test when it starts and
/// when it is dropped.
#[tool]
async fn wait(ctx: Context) -> String {
    let gates = ctx.state::<Gates>().unwrap();
    let _dropped = OnDrop(Arc::clone(&gates));
    gates.started.notify_one();
    std::future::pending::<String>().await
}

struct OnDrop(Arc<Gates>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.cancelled.notify_one();
    }
}

/// Asks the client's model, and for its roots.
#[tool]
async fn ask_model(ctx: Context) -> Result<String, String> {
    let answer = ctx.sample("ping?").await.map_err(|e| e.to_string())?;
    let roots = ctx.list_roots().await.map_err(|e| e.to_string())?;
    Ok(format!("{} / {} roots", answer.text, roots.len()))
}

/// Greets someone.
#[prompt]
fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

#[derive(Default)]
struct Gates {
    started: Notify,
    cancelled: Notify,
}

/// Records the handshakes (`initialize` and `server/discover`) the upstream answers.
#[derive(Clone, Default)]
struct Handshakes(Arc<std::sync::Mutex<Vec<&'static str>>>);

impl Middleware for Handshakes {
    fn on_initialize<'a>(
        &'a self,
        request: InitializeRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, Initialize>,
    ) -> Hook<'a, Initialize> {
        self.0.lock().unwrap().push("initialize");
        next.pass(request)
    }

    fn on_discover<'a>(
        &'a self,
        request: DiscoverRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, Discover>,
    ) -> Hook<'a, Discover> {
        self.0.lock().unwrap().push("discover");
        next.pass(request)
    }
}

impl Handshakes {
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn seen(&self) -> Vec<&'static str> {
        self.0.lock().unwrap().clone()
    }
}

fn upstream() -> (FastMCP, Handshakes) {
    let handshakes = Handshakes::default();
    let server = FastMCP::new("upstream")
        .progress_interval(None)
        .middleware(handshakes.clone())
        .tool(add)
        .tool(count)
        .tool(ask_name)
        .tool(ask_model)
        .tool(wait)
        .prompt(greet)
        .resource(
            Resource::builder("mem://hello")
                .name("hello")
                .text("hello from upstream"),
        )
        .resource_template(common::items_template());
    server.insert_state(Gates::default());
    (server, handshakes)
}

/// The names of `client`'s tools.
async fn tool_names(client: &Client) -> Vec<String> {
    let tools = client.list_tools().await.unwrap();
    tools.into_iter().map(|tool| tool.name.into()).collect()
}

/// A proxy of `upstream` reached in `up` era (`Auto`: mirrored).
fn proxy_of(upstream: &FastMCP, up: Era) -> FastMCP {
    let options = ProxyOptions::new().client(Client::builder().era(up));
    FastMCP::proxy_with(upstream.clone(), options)
        .unwrap()
        .progress_interval(None)
}

async fn downstream(proxy: &FastMCP, era: Era) -> Client {
    use fastmcp::types::{CreateMessageRequestParams, CreateMessageResult, Root, SamplingMessage};
    Client::builder()
        .era(era)
        .elicitation_handler(|request: ElicitationRequest| async move {
            assert_eq!(request.message, "Your name?");
            ElicitationResponse::Accept(json!({"name": "Ada"}))
        })
        .sampling_handler(|_: CreateMessageRequestParams| async move {
            let reply = SamplingMessage::assistant_text("pong");
            Ok::<_, String>(CreateMessageResult::new(reply, "test-model".into()))
        })
        .roots(vec![Root::new("file:///work"), Root::new("file:///tmp")])
        .connect(proxy)
        .await
        .unwrap()
}

/// `count` delivers every value, in order, before its result; `ask_name` gets the client's
/// answer to the upstream's question.
async fn progress_and_elicitation(client: &Client, n: u32, pair: &str) {
    let recorder = Recorder::default();
    let counted = client
        .call_tool("count", json!({"n": n}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(counted.text(), n.to_string(), "{pair}");
    let expected: Vec<f64> = (1..=n).map(f64::from).collect();
    assert_eq!(recorder.values(), expected, "{pair}: every value, in order");
    let last = recorder
        .events()
        .last()
        .and_then(|event| event.message.clone());
    assert_eq!(last, Some(format!("step {n}")), "{pair}");
    let hello = client.call_tool("ask_name", json!({})).await.unwrap();
    assert_eq!(
        hello.text(),
        "hello Ada",
        "{pair}: the answer reached upstream"
    );
}

#[tokio::test]
async fn components_and_calls_pass_through_in_every_pairing_of_eras() {
    for down in ERAS {
        for up in ERAS {
            let (upstream, handshakes) = upstream();
            let proxy = proxy_of(&upstream, up);
            let client = downstream(&proxy, down).await;
            let pair = format!("{down:?} -> {up:?}");

            let mut names = tool_names(&client).await;
            names.sort();
            assert_eq!(
                names,
                ["add", "ask_model", "ask_name", "count", "wait"],
                "{pair}"
            );
            let sum = client
                .call_tool("add", json!({"a": 2, "b": 3}))
                .await
                .unwrap();
            assert_eq!(
                sum.structured_content(),
                Some(&json!({"result": 5})),
                "{pair}"
            );

            let read = client.read_resource("mem://hello").await.unwrap();
            assert!(
                format!("{read:?}").contains("hello from upstream"),
                "{pair}"
            );
            let prompt = client
                .get_prompt("greet", json!({"name": "Ada"}))
                .await
                .unwrap();
            assert!(format!("{prompt:?}").contains("Hello, Ada!"), "{pair}");

            progress_and_elicitation(&client, 40, &pair).await;
            let asked = client.call_tool("ask_model", json!({})).await.unwrap();
            assert_eq!(asked.text(), "pong / 2 roots", "{pair}: sampling and roots");
            let reference = fastmcp::types::Reference::for_resource("mem://items/{id}");
            let completion = client.complete(reference, "id", "ap", &[]).await.unwrap();
            assert_eq!(completion.values, ["apple", "apricot"], "{pair}");
            let item = client.read_resource("mem://items/kiwi").await.unwrap();
            assert!(format!("{item:?}").contains("item kiwi"), "{pair}");

            let unknown = client.call_tool("nope", json!({})).await.unwrap_err();
            assert!(unknown.to_string().contains("nope"), "{pair}: {unknown}");

            let expected = if up == Era::Legacy {
                "initialize"
            } else {
                "discover"
            };
            assert_eq!(
                handshakes.seen(),
                [expected],
                "{pair}: the upstream era, once"
            );

            // A legacy client's ping is answered upstream: a 2026-07-28 upstream, which has no
            // ping, is asked `server/discover` instead. (A 2026-07-28 client's ping is a
            // `server/discover` of the proxy itself.)
            client.ping().await.unwrap();
            if down == Era::Legacy && up != Era::Legacy {
                assert_eq!(handshakes.seen(), [expected, expected], "{pair}: ping");
            }
        }
    }
}

#[tokio::test]
async fn one_upstream_handshake_per_downstream_session() {
    let (upstream, handshakes) = upstream();
    let proxy = proxy_of(&upstream, Era::Auto);
    let mut live = upstream.live_sessions();
    let first = downstream(&proxy, Era::Legacy).await;
    let second = downstream(&proxy, Era::Legacy).await;
    assert_eq!(
        handshakes.count(),
        0,
        "nothing is opened before a request needs it"
    );
    for client in [&first, &second] {
        for _ in 0..5 {
            client
                .call_tool("add", json!({"a": 1, "b": 1}))
                .await
                .unwrap();
        }
        client.list_tools().await.unwrap();
    }
    assert_eq!(
        handshakes.count(),
        2,
        "one upstream session per downstream session"
    );
    assert_eq!(*live.borrow_and_update(), 2);

    // The downstream session ends: its upstream session closes.
    drop(first);
    tokio::time::timeout(WAIT, live.wait_for(|live| *live == 1))
        .await
        .expect("the upstream session closes with the downstream one")
        .unwrap();

    // Stateless traffic shares pooled connections: sequential requests, one handshake.
    let stateless = downstream(&proxy, Era::Stateless).await;
    for _ in 0..10 {
        stateless
            .call_tool("add", json!({"a": 1, "b": 1}))
            .await
            .unwrap();
    }
    assert_eq!(
        handshakes.seen(),
        ["initialize", "initialize", "discover"],
        "the upstream era mirrors the downstream's"
    );
}

#[tokio::test]
async fn shared_isolation_uses_the_pool_for_every_session() {
    let (upstream, handshakes) = upstream();
    let options = ProxyOptions::new().isolation(Isolation::Shared);
    let proxy = FastMCP::proxy_with(upstream.clone(), options).unwrap();
    for _ in 0..3 {
        let client = downstream(&proxy, Era::Legacy).await;
        client
            .call_tool("add", json!({"a": 1, "b": 1}))
            .await
            .unwrap();
    }
    assert_eq!(handshakes.count(), 1);
}

#[tokio::test]
async fn a_downstream_cancel_cancels_the_upstream_request() {
    for down in ERAS {
        for up in ERAS {
            let (upstream, _) = upstream();
            let gates = upstream.state::<Gates>().unwrap();
            let proxy = proxy_of(&upstream, up);
            let client = downstream(&proxy, down).await;
            let call = tokio::spawn({
                let client = client.clone();
                async move { client.call_tool("wait", json!({})).await }
            });
            tokio::time::timeout(WAIT, gates.started.notified())
                .await
                .expect("the upstream tool starts");
            call.abort();
            tokio::time::timeout(WAIT, gates.cancelled.notified())
                .await
                .unwrap_or_else(|_| panic!("{down:?} -> {up:?}: the upstream tool is cancelled"));
        }
    }
}

#[tokio::test]
async fn upstream_logs_reach_the_downstream_client_at_its_level() {
    for down in ERAS {
        for up in ERAS {
            let (upstream, _) = upstream();
            let proxy = proxy_of(&upstream, up);
            let (sender, mut logs) = mpsc::unbounded_channel();
            // Each call gets another name, so each log says which call it came from.
            let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let client = Client::builder()
                .era(down)
                .elicitation_handler(move |_| {
                    let n = asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    async move { ElicitationResponse::Accept(json!({"name": format!("n{n}")})) }
                })
                .log_handler(move |message: LogMessage| {
                    let _ = sender.send(message);
                    async {}
                })
                .connect(&proxy)
                .await
                .unwrap();
            // `ask_name` logs at info; each call's log names its call (n0, n1, …).
            let ask_at = |level| {
                let client = client.clone();
                async move {
                    client.set_logging_level(level).await.unwrap();
                    client.call_tool("ask_name", json!({})).await.unwrap();
                }
            };
            ask_at(fastmcp::LogLevel::Info).await;
            let first = tokio::time::timeout(WAIT, logs.recv())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(first.data, json!("asked n0"), "{down:?} -> {up:?}");
            ask_at(fastmcp::LogLevel::Error).await;
            ask_at(fastmcp::LogLevel::Info).await;
            let next = tokio::time::timeout(WAIT, logs.recv())
                .await
                .unwrap()
                .unwrap();
            let pair = format!("{down:?} -> {up:?}");
            assert_eq!(next.data, json!("asked n2"), "{pair}: n1's log held back");
        }
    }
}

/// A legacy client of `proxy`, and what `pick` keeps of the notifications it hears.
async fn legacy_client_hearing<T: Send + 'static>(
    proxy: &FastMCP,
    pick: impl Fn(ServerNotification) -> Option<T> + Send + Sync + 'static,
) -> (Client, mpsc::UnboundedReceiver<T>) {
    let (sender, heard) = mpsc::unbounded_channel();
    let client = Client::builder()
        .era(Era::Legacy)
        .message_handler(move |notification| {
            if let Some(kept) = pick(notification) {
                let _ = sender.send(kept);
            }
            async {}
        })
        .connect(proxy)
        .await
        .unwrap();
    (client, heard)
}

#[tokio::test]
async fn upstream_list_changes_reach_the_downstream_client_and_refresh_its_list() {
    for up in ERAS {
        let (upstream, _) = upstream();
        let proxy = proxy_of(&upstream, up);
        let (client, mut changes) = legacy_client_hearing(&proxy, |notification| {
            matches!(
                notification,
                ServerNotification::ToolListChangedNotification(_)
            )
            .then_some(())
        })
        .await;
        assert_eq!(client.list_tools().await.unwrap().len(), 5, "{up:?}");

        upstream.remove_tool("wait");
        tokio::time::timeout(WAIT, changes.recv())
            .await
            .unwrap_or_else(|_| panic!("Legacy -> {up:?}: no list change heard"))
            .unwrap();
        let names = tool_names(&client).await;
        assert!(!names.contains(&"wait".to_owned()), "{up:?}: {names:?}");
    }
}

#[tokio::test]
async fn a_config_namespaces_its_servers_and_reports_a_failing_one_by_name() {
    let testbed = common::example("testbed").display().to_string();
    let config = McpServers::from_value(json!({"mcpServers": {
        "one": {"command": testbed},
        "two": {"command": testbed},
        "broken": {"command": "/nonexistent/mcp-server"},
    }}))
    .unwrap();
    let client = Client::from_config(config).await.unwrap();
    let names = tool_names(&client).await;
    assert!(names.contains(&"one_pid".to_owned()), "{names:?}");
    assert!(names.contains(&"two_pid".to_owned()), "{names:?}");
    assert!(!names.iter().any(|name| name.starts_with("broken_")));
    let one = client.call_tool("one_pid", json!({})).await.unwrap().text();
    let two = client.call_tool("two_pid", json!({})).await.unwrap().text();
    assert_ne!(one, two, "each server is its own process");

    let error = client.call_tool("broken_pid", json!({})).await.unwrap_err();
    assert!(error.to_string().contains("broken"), "{error}");
}

#[tokio::test]
async fn a_config_asking_for_oauth_with_nothing_to_authorize_says_which_server() {
    let config = McpServers::from_value(json!({"mcpServers": {
        "secured": {"url": "http://127.0.0.1:9/mcp", "auth": "oauth"},
    }}))
    .unwrap();
    let error = Client::from_config(config.clone()).await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("'secured'") && message.contains("ProxyOptions::oauth"),
        "{message}"
    );
    let entry = &config.servers["secured"];
    let error = entry
        .connect("secured", Client::builder())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("'secured'"), "{error}");
}

#[test]
fn a_config_with_one_server_keeps_its_names_and_bad_configs_say_why() {
    let one = McpServers::from_json(r#"{"mcpServers": {"x": {"command": "srv"}}}"#).unwrap();
    assert_eq!(one.servers.len(), 1);
    for (text, says) in [
        (r#"{"mcpServers": {}}"#, "no servers"),
        (
            r#"{"mcpServers": {"x": {}}}"#,
            "neither a command nor a url",
        ),
        (
            r#"{"mcpServers": {"x": {"command": "a", "url": "http://h"}}}"#,
            "both",
        ),
        (r#"{"servers": 1}"#, "mcpServers"),
        ("{", "not JSON"),
    ] {
        let error = McpServers::from_json(text).unwrap_err().to_string();
        assert!(error.contains(says), "{text}: {error}");
    }
}

/// Serves `server` over HTTP on 127.0.0.1 with an OS-chosen port; returns its MCP URL.
async fn serve_http(server: FastMCP) -> (String, tokio_util::sync::CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let shutdown = tokio_util::sync::CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let options = fastmcp::HttpOptions::default();
        server.serve_http(listener, options, stop).await.unwrap();
    });
    (url, shutdown)
}

#[tokio::test]
async fn http_to_proxy_to_http_in_both_eras() {
    let (upstream, handshakes) = upstream();
    let (upstream_url, _upstream_stop) = serve_http(upstream).await;
    let proxy = FastMCP::proxy(upstream_url.as_str())
        .unwrap()
        .progress_interval(None);
    let (proxy_url, _proxy_stop) = serve_http(proxy).await;
    for era in ERAS {
        let client = Client::builder()
            .era(era)
            .elicitation_handler(|_| async { ElicitationResponse::Accept(json!({"name": "Ada"})) })
            .connect(proxy_url.as_str())
            .await
            .unwrap();
        progress_and_elicitation(&client, 25, &format!("{era:?} over HTTP")).await;
        for _ in 0..3 {
            client
                .call_tool("add", json!({"a": 1, "b": 2}))
                .await
                .unwrap();
        }
    }
    // One legacy upstream session for the legacy client, one pooled connection for the
    // stateless one.
    assert_eq!(handshakes.seen(), ["initialize", "discover"]);
}

/// The next resource update `listening` hears (other notifications skipped).
async fn next_update(listening: &mut fastmcp::client::Subscription) -> String {
    let heard = async {
        loop {
            match listening.next().await.unwrap() {
                Some(ServerNotification::ResourceUpdatedNotification(updated)) => {
                    return updated.params.uri;
                }
                Some(_) => continue,
                None => panic!("the listen ended"),
            }
        }
    };
    tokio::time::timeout(WAIT, heard)
        .await
        .expect("a resource update")
}

#[tokio::test]
async fn resource_updates_pass_through_in_every_pairing_of_eras() {
    use fastmcp::types::SubscriptionFilter;
    for up in ERAS {
        let (upstream, _) = upstream();
        let proxy = proxy_of(&upstream, up);

        // A legacy session subscribes, then follows another resource instead.
        let (client, mut updates) =
            legacy_client_hearing(&proxy, |notification| match notification {
                ServerNotification::ResourceUpdatedNotification(updated) => {
                    Some(updated.params.uri)
                }
                _ => None,
            })
            .await;
        let mut next = async || {
            tokio::time::timeout(WAIT, updates.recv())
                .await
                .expect("a resource update")
                .unwrap()
        };
        client.subscribe_resource("mem://hello").await.unwrap();
        upstream.notify_resource_updated("mem://hello");
        assert_eq!(next().await, "mem://hello", "Legacy -> {up:?}");
        client.unsubscribe_resource("mem://hello").await.unwrap();
        client.subscribe_resource("mem://items/kiwi").await.unwrap();
        upstream.notify_resource_updated("mem://hello");
        upstream.notify_resource_updated("mem://items/kiwi");
        assert_eq!(
            next().await,
            "mem://items/kiwi",
            "Legacy -> {up:?}: hello no longer followed"
        );

        // A 2026-07-28 client listens for a resource.
        let client = downstream(&proxy, Era::Stateless).await;
        let filter = SubscriptionFilter::builder()
            .resource_subscription("mem://hello")
            .build();
        let mut listening = client.listen(filter).await.unwrap();
        // Told once when the proxy watches it upstream (it may have changed meanwhile).
        assert_eq!(
            next_update(&mut listening).await,
            "mem://hello",
            "Stateless -> {up:?}"
        );
        upstream.notify_resource_updated("mem://hello");
        assert_eq!(
            next_update(&mut listening).await,
            "mem://hello",
            "Stateless -> {up:?}"
        );
    }
}

#[tokio::test]
async fn a_listen_on_a_server_with_mounted_proxies_hears_their_upstreams_under_its_names() {
    use fastmcp::types::SubscriptionFilter;
    let (one, _) = upstream();
    let (two, _) = upstream();
    // Each upstream in its own era.
    let parent = FastMCP::new("parent")
        .mount(proxy_of(&one, Era::Legacy), "one")
        .mount(proxy_of(&two, Era::Stateless), "two");
    let client = downstream(&parent, Era::Stateless).await;
    let filter = SubscriptionFilter::builder()
        .resource_subscription("mem://one/hello")
        .resource_subscription("mem://two/hello")
        .build();
    let mut listening = client.listen(filter).await.unwrap();
    let mut told = vec![
        next_update(&mut listening).await,
        next_update(&mut listening).await,
    ];
    told.sort();
    assert_eq!(
        told,
        ["mem://one/hello", "mem://two/hello"],
        "told once each"
    );

    one.notify_resource_updated("mem://hello");
    assert_eq!(next_update(&mut listening).await, "mem://one/hello");
    two.notify_resource_updated("mem://hello");
    assert_eq!(next_update(&mut listening).await, "mem://two/hello");
    // Another resource of the upstream is not listened for.
    one.notify_resource_updated("mem://items/kiwi");
    two.notify_resource_updated("mem://hello");
    assert_eq!(next_update(&mut listening).await, "mem://two/hello");
}

/// Counts the tool calls it sees.
#[derive(Clone, Default)]
struct CountCalls(Arc<std::sync::atomic::AtomicUsize>);

impl Middleware for CountCalls {
    fn on_call_tool<'a>(
        &'a self,
        request: fastmcp::types::CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, fastmcp::middleware::CallTool>,
    ) -> Hook<'a, fastmcp::middleware::CallTool> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        next.pass(request)
    }
}

#[tokio::test]
async fn middleware_transforms_and_ping_apply_to_a_proxy() {
    let (upstream, _) = upstream();
    let calls = CountCalls::default();
    let proxy = FastMCP::proxy(upstream)
        .unwrap()
        .middleware(calls.clone())
        .transform(fastmcp::transforms::Namespace::new("up"));
    for era in ERAS {
        let client = downstream(&proxy, era).await;
        let tools = client.list_tools().await.unwrap();
        assert!(
            tools.iter().all(|tool| tool.name.starts_with("up_")),
            "{tools:?}"
        );
        let sum = client
            .call_tool("up_add", json!({"a": 2, "b": 2}))
            .await
            .unwrap();
        assert_eq!(sum.text(), "4", "{era:?}");
        client.ping().await.unwrap();
    }
    assert_eq!(calls.0.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_upstream_that_dies_fails_the_call_by_name_and_the_next_call_starts_another() {
    let testbed = common::example("testbed").display().to_string();
    let proxy = FastMCP::proxy(fastmcp::client::StdioServer::new(testbed)).unwrap();
    for era in ERAS {
        let client = downstream(&proxy, era).await;
        let first = client.call_tool("pid", json!({})).await.unwrap().text();
        let error = client
            .call_tool("exit_now", json!({"code": 3}))
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("upstream server"), "{era:?}: {error}");
        let second = client.call_tool("pid", json!({})).await.unwrap().text();
        assert_ne!(first, second, "{era:?}: a new upstream process");
    }
}

#[tokio::test]
async fn a_2026_client_listening_hears_upstream_list_changes_in_either_upstream_era() {
    use fastmcp::types::SubscriptionFilter;
    for up in ERAS {
        let (upstream, _) = upstream();
        let proxy = proxy_of(&upstream, up);
        let client = downstream(&proxy, Era::Stateless).await;
        assert_eq!(client.list_tools().await.unwrap().len(), 5, "{up:?}");
        let filter = SubscriptionFilter::builder().tools_list_changed().build();
        let mut changes = client.listen(filter).await.unwrap();

        upstream.remove_tool("wait");
        let heard = tokio::time::timeout(WAIT, changes.next())
            .await
            .unwrap_or_else(|_| panic!("{up:?}: no list change heard"))
            .unwrap();
        assert!(
            matches!(
                heard,
                Some(ServerNotification::ToolListChangedNotification(_))
            ),
            "{up:?}: {heard:?}"
        );
        let tools = client.list_tools().await.unwrap();
        assert!(
            tools.iter().all(|tool| tool.name != "wait"),
            "{up:?}: the list is fresh"
        );
    }
}

/// Records the `_meta` of each tool call it sees.
#[derive(Clone, Default)]
struct MetaSeen(Arc<std::sync::Mutex<Vec<serde_json::Value>>>);

impl Middleware for MetaSeen {
    fn on_call_tool<'a>(
        &'a self,
        request: fastmcp::types::CallToolRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, fastmcp::middleware::CallTool>,
    ) -> Hook<'a, fastmcp::middleware::CallTool> {
        if let Some(context) = cx.request_context() {
            let meta = serde_json::to_value(&context.meta).unwrap();
            self.0.lock().unwrap().push(meta);
        }
        next.pass(request)
    }
}

#[tokio::test]
async fn request_meta_travels_upstream_with_the_upstreams_own_progress_token() {
    for down in ERAS {
        for up in ERAS {
            let (upstream, _) = upstream();
            let seen = MetaSeen::default();
            let upstream = upstream.middleware(seen.clone());
            let proxy = proxy_of(&upstream, up);
            let client = downstream(&proxy, down).await;
            let recorder = Recorder::default();
            client
                .call_tool("count", json!({"n": 2}))
                .meta(json!({"trace": "abc-123"}))
                .progress(recorder.handler())
                .await
                .unwrap();
            let pair = format!("{down:?} -> {up:?}");
            let meta = seen
                .0
                .lock()
                .unwrap()
                .pop()
                .expect("the call reached upstream");
            assert_eq!(meta["trace"], "abc-123", "{pair}: {meta}");
            assert!(meta.get("progressToken").is_some(), "{pair}: {meta}");
            assert_eq!(recorder.values(), [1.0, 2.0], "{pair}");
        }
    }
}
