//! Composition: servers mounted under a namespace (names, live changes, middleware order,
//! progress and completion through the mount, lifespan), `import_server`, and tool
//! transformation — in both eras, in-process, and the `composed` example over stdio and HTTP.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::Era;
use fastmcp::middleware::{AnyRequest, Hook, Middleware, MiddlewareContext, Next};
use fastmcp::resources::Resource;
use fastmcp::server::MountOptions;
use fastmcp::tools::ArgTransform;
use fastmcp::types::{ClientRequest, Reference, ResourceContents, ServerNotification};
use fastmcp::{Client, Context, FastMCP, Tool, ToolResult, prompt, tool};
use serde_json::json;

/// Add two numbers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Counts to `n`, reporting progress.
#[tool]
async fn count(ctx: Context, n: u32) -> u32 {
    for i in 1..=n {
        ctx.report_progress(f64::from(i), Some(f64::from(n)), None)
            .await;
    }
    n
}

/// Greets someone.
#[prompt]
fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

fn child() -> FastMCP {
    let items = common::items_template();
    FastMCP::new("child")
        .progress_interval(None)
        .tool(add)
        .tool(count)
        .prompt(greet)
        .resource(
            Resource::builder("mem://hello")
                .name("hello")
                .text("hello from the child"),
        )
        .resource(
            Resource::builder("urn:child:notes")
                .name("notes")
                .text("notes"),
        )
        .resource_template(items)
}

async fn connect(server: &FastMCP, era: Era) -> Client {
    Client::builder().era(era).connect(server).await.unwrap()
}

fn text(contents: &[ResourceContents]) -> String {
    match &contents[0] {
        ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => format!("{other:?}"),
    }
}

const ERAS: [Era; 2] = [Era::Legacy, Era::Stateless];

#[tokio::test]
async fn a_mount_names_components_as_fastmcp_does() {
    let parent = FastMCP::new("parent").mount(child(), "kid");
    for era in ERAS {
        let client = connect(&parent, era).await;
        let tools: Vec<String> = client
            .list_tools()
            .await
            .unwrap()
            .iter()
            .map(|tool| tool.name.to_string())
            .collect();
        assert_eq!(tools, ["kid_add", "kid_count"], "{era:?}");
        let prompts: Vec<String> = client
            .list_prompts()
            .await
            .unwrap()
            .iter()
            .map(|prompt| prompt.name.clone())
            .collect();
        assert_eq!(prompts, ["kid_greet"]);
        let resources: Vec<String> = client
            .list_resources()
            .await
            .unwrap()
            .iter()
            .map(|resource| resource.uri.clone())
            .collect();
        assert_eq!(resources, ["mem://kid/hello", "urn:child:notes"]);
        let templates: Vec<String> = client
            .list_resource_templates()
            .await
            .unwrap()
            .iter()
            .map(|template| template.uri_template.clone())
            .collect();
        assert_eq!(templates, ["mem://kid/items/{id}"]);

        let sum = client
            .call_tool("kid_add", json!({"a": 2, "b": 3}))
            .await
            .unwrap();
        assert_eq!(sum.data::<i64>().unwrap(), 5);
        let greeting = client
            .get_prompt("kid_greet", json!({"name": "Ada"}))
            .await
            .unwrap();
        assert!(format!("{greeting:?}").contains("Hello, Ada!"));
        let hello = client.read_resource("mem://kid/hello").await.unwrap();
        assert_eq!(text(&hello), "hello from the child");
        let item = client.read_resource("mem://kid/items/7").await.unwrap();
        assert_eq!(text(&item), "item 7");
        let notes = client.read_resource("urn:child:notes").await.unwrap();
        assert_eq!(text(&notes), "notes");
        // The child's own names are not the parent's.
        assert!(
            client
                .call_tool("add", json!({"a": 1, "b": 1}))
                .await
                .is_err()
        );
        assert!(client.read_resource("mem://hello").await.is_err());
    }
}

#[tokio::test]
async fn progress_and_completion_go_through_the_mount() {
    let parent = FastMCP::new("parent").mount(child(), "kid");
    for era in ERAS {
        let client = connect(&parent, era).await;
        let recorder = common::Recorder::default();
        let result = client
            .call_tool("kid_count", json!({"n": 4}))
            .progress(recorder.handler())
            .await
            .unwrap();
        assert_eq!(result.data::<u32>().unwrap(), 4);
        assert_eq!(recorder.values(), [1.0, 2.0, 3.0, 4.0], "{era:?}");
        let reference = Reference::for_resource("mem://kid/items/{id}");
        let completion = client.complete(reference, "id", "ap", &[]).await.unwrap();
        assert_eq!(completion.values, ["apple", "apricot"]);
    }
}

#[tokio::test]
async fn renames_apply_before_the_namespace_and_no_namespace_keeps_names() {
    let renamed = FastMCP::new("parent").mount_with(
        child(),
        MountOptions::namespace("kid").rename_tool("add", "plus"),
    );
    let client = connect(&renamed, Era::Legacy).await;
    let sum = client
        .call_tool("kid_plus", json!({"a": 1, "b": 1}))
        .await
        .unwrap();
    assert_eq!(sum.data::<i64>().unwrap(), 2);
    assert!(
        client
            .call_tool("kid_add", json!({"a": 1, "b": 1}))
            .await
            .is_err()
    );

    let flat = FastMCP::new("parent").mount_with(child(), MountOptions::no_namespace());
    let client = connect(&flat, Era::Stateless).await;
    let sum = client
        .call_tool("add", json!({"a": 1, "b": 1}))
        .await
        .unwrap();
    assert_eq!(sum.data::<i64>().unwrap(), 2);
    let hello = client.read_resource("mem://hello").await.unwrap();
    assert_eq!(text(&hello), "hello from the child");
}

/// A server with one tool, `which`, answering `answer`.
fn which(server: &str, answer: &'static str) -> FastMCP {
    FastMCP::new(server).tool(
        Tool::builder("which").handler(move |_, _ctx: Context| async move {
            Ok::<_, String>(ToolResult::text(answer))
        }),
    )
}

#[tokio::test]
async fn name_clashes_between_mounts_follow_the_duplicate_policy() {
    use fastmcp::DuplicatePolicy;
    let replace = FastMCP::new("parent")
        .on_duplicate(DuplicatePolicy::Replace)
        .mount(which("first", "first"), "")
        .mount(which("second", "second"), "");
    let keep_first = FastMCP::new("parent")
        .on_duplicate(DuplicatePolicy::Ignore)
        .mount(which("first", "first"), "")
        .mount(which("second", "second"), "");
    for (server, expected) in [(&replace, "second"), (&keep_first, "first")] {
        let client = connect(server, Era::Legacy).await;
        assert_eq!(
            client.call_tool("which", json!({})).await.unwrap().text(),
            expected
        );
        assert_eq!(client.list_tools().await.unwrap().len(), 1);
        // The server's own component wins over every mount.
        server
            .add_tool(
                Tool::builder("which").handler(|_, _ctx: Context| async {
                    Ok::<_, String>(ToolResult::text("parent"))
                }),
            )
            .unwrap();
        assert_eq!(
            client.call_tool("which", json!({})).await.unwrap().text(),
            "parent"
        );
    }
}

#[test]
#[should_panic(expected = "tool 'which' already offered")]
fn a_clash_is_an_error_under_the_default_policy() {
    let _ = FastMCP::new("parent")
        .mount(which("first", "first"), "")
        .mount(which("second", "second"), "");
}

#[tokio::test]
async fn a_mount_is_live_and_its_changes_reach_the_parents_clients() {
    let kid = child();
    let parent = FastMCP::new("parent").mount(kid.clone(), "kid");
    let (sender, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let client = Client::builder()
        .era(Era::Legacy)
        .message_handler(move |notification: ServerNotification| {
            let sender = sender.clone();
            async move {
                if let ServerNotification::ToolListChangedNotification(_) = notification {
                    let _ = sender.send(());
                }
            }
        })
        .connect(&parent)
        .await
        .unwrap();
    // A request first: the server knows where to send notifications once it has seen one.
    client.list_tools().await.unwrap();
    kid.add_tool(
        Tool::builder("late")
            .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("late")) }),
    )
    .unwrap();
    tokio::time::timeout(Duration::from_secs(10), heard.recv())
        .await
        .expect("tools/list_changed reached the parent's client")
        .unwrap();
    assert_eq!(
        client
            .call_tool("kid_late", json!({}))
            .await
            .unwrap()
            .text(),
        "late"
    );
    kid.remove_tool("late");
    assert!(client.call_tool("kid_late", json!({})).await.is_err());
}

#[tokio::test]
async fn import_server_copies_the_components_as_they_are() {
    let kid = child();
    let parent = FastMCP::new("parent").import_server(&kid, "kid");
    kid.add_tool(
        Tool::builder("late")
            .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("late")) }),
    )
    .unwrap();
    let client = connect(&parent, Era::Stateless).await;
    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .iter()
        .map(|tool| tool.name.to_string())
        .collect();
    assert_eq!(names, ["kid_add", "kid_count"]);
    let sum = client
        .call_tool("kid_add", json!({"a": 4, "b": 4}))
        .await
        .unwrap();
    assert_eq!(sum.data::<i64>().unwrap(), 8);
}

/// Records the requests it sees, by method and tool name.
struct Seen(&'static str, Arc<Mutex<Vec<String>>>);

impl Middleware for Seen {
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        let what = match &request {
            ClientRequest::CallToolRequest(call) => format!("{} {}", cx.method(), call.params.name),
            _ => cx.method().to_owned(),
        };
        self.1.lock().unwrap().push(format!("{}: {what}", self.0));
        next.pass(request)
    }
}

#[tokio::test]
async fn the_parents_middleware_runs_outside_the_childs() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let kid = child().middleware(Seen("child", Arc::clone(&log)));
    let parent = FastMCP::new("parent")
        .middleware(Seen("parent", Arc::clone(&log)))
        .mount(kid, "kid");
    for era in ERAS {
        let client = connect(&parent, era).await;
        log.lock().unwrap().clear();
        client
            .call_tool("kid_add", json!({"a": 1, "b": 2}))
            .await
            .unwrap();
        assert_eq!(
            *log.lock().unwrap(),
            ["parent: tools/call kid_add", "child: tools/call add"],
            "{era:?}"
        );
    }
}

#[tokio::test]
async fn a_mounted_server_starts_and_stops_with_its_parent() {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let (on_start, on_stop) = (Arc::clone(&started), Arc::clone(&stopped));
    let kid = child()
        .on_startup(move |_| {
            let on_start = Arc::clone(&on_start);
            async move {
                on_start.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::convert::Infallible>(())
            }
        })
        .on_shutdown(move |_| {
            let on_stop = Arc::clone(&on_stop);
            async move {
                on_stop.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::convert::Infallible>(())
            }
        });
    let parent = FastMCP::new("parent").mount(kid, "kid");
    let (server_end, client_end) = fastmcp::transports::memory();
    let serving = tokio::spawn({
        let parent = parent.clone();
        async move { parent.serve(server_end).await }
    });
    let client = Client::connect(client_end).await.unwrap();
    assert_eq!(started.load(Ordering::SeqCst), 1);
    client.close().await.unwrap();
    serving.await.unwrap().unwrap();
    assert_eq!(stopped.load(Ordering::SeqCst), 1);
}

// --- tool transformation --------------------------------------------------------------------

#[tokio::test]
async fn a_transformed_tool_hides_renames_and_defaults_arguments() {
    let add_ten = Tool::from_tool(add)
        .name("add_ten")
        .description("Add ten.")
        .arg("b", ArgTransform::new().hide().default(json!(10)))
        .build()
        .unwrap();
    let sum = Tool::from_tool(add)
        .name("sum")
        .arg(
            "a",
            ArgTransform::new().rename("x").description("The first"),
        )
        .arg("b", ArgTransform::new().rename("y").default(json!(1)))
        .build()
        .unwrap();
    let server = FastMCP::new("t").tool(add_ten).tool(sum);
    for era in ERAS {
        let client = connect(&server, era).await;
        let tools = client.list_tools().await.unwrap();
        let add_ten = tools.iter().find(|t| t.name == "add_ten").unwrap();
        assert_eq!(add_ten.description.as_deref(), Some("Add ten."));
        let schema = serde_json::Value::Object((*add_ten.input_schema).clone());
        assert_eq!(
            schema["properties"].as_object().unwrap().len(),
            1,
            "{schema}"
        );
        assert!(schema["properties"]["a"].is_object());
        assert_eq!(schema["required"], json!(["a"]));
        let result = client.call_tool("add_ten", json!({"a": 1})).await.unwrap();
        assert_eq!(result.data::<i64>().unwrap(), 11);

        let sum = tools.iter().find(|t| t.name == "sum").unwrap();
        let schema = serde_json::Value::Object((*sum.input_schema).clone());
        assert_eq!(schema["properties"]["x"]["description"], "The first");
        assert_eq!(schema["properties"]["y"]["default"], 1);
        assert_eq!(schema["required"], json!(["x"]));
        let result = client.call_tool("sum", json!({"x": 5})).await.unwrap();
        assert_eq!(result.data::<i64>().unwrap(), 6);
        // Validation speaks the new names.
        let error = client.call_tool("sum", json!({"a": 5})).await.unwrap_err();
        assert!(
            error.to_string().contains("unknown argument 'a'"),
            "{error}"
        );
        assert!(error.to_string().contains("expected: x, y"), "{error}");
        let error = client.call_tool("sum", json!({"y": 5})).await.unwrap_err();
        assert!(
            error.to_string().contains("missing required argument 'x'"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_transform_function_wraps_the_parent_and_errors_speak_the_new_names() {
    let safe_add = Tool::from_tool(add)
        .name("safe_add")
        .arg("a", ArgTransform::new().rename("x"))
        .transform_fn(|args, forward| async move {
            if args.get("x").and_then(|x| x.as_i64()) == Some(13) {
                return Err(fastmcp::ToolError::new("13 is unlucky"));
            }
            let result = forward.call(args).await?;
            Ok(result)
        })
        .build()
        .unwrap();
    let doubled = Tool::from_tool(add)
        .name("doubled")
        .transform_fn(|args, forward| async move {
            // forward_raw: the parent's names, no checks.
            let a = args.get("n").and_then(|n| n.as_i64()).unwrap_or(0);
            let raw = json!({"a": a, "b": a})
                .as_object()
                .cloned()
                .unwrap_or_default();
            forward.call_raw(raw).await
        })
        .build()
        .unwrap();
    let server = FastMCP::new("t").tool(safe_add).tool(doubled);
    for era in ERAS {
        let client = connect(&server, era).await;
        let sum = client
            .call_tool("safe_add", json!({"x": 1, "b": 2}))
            .await
            .unwrap();
        assert_eq!(sum.data::<i64>().unwrap(), 3);
        let unlucky = client
            .call_tool("safe_add", json!({"x": 13, "b": 2}))
            .await
            .unwrap_err();
        assert!(unlucky.to_string().contains("13 is unlucky"), "{unlucky}");
        // The parent's type error, under the new tool's and argument's names.
        let typed = client
            .call_tool("safe_add", json!({"x": "one", "b": 2}))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            typed.contains("Invalid arguments for tool 'safe_add': x: invalid type"),
            "{typed}"
        );
        let twice = client.call_tool("doubled", json!({"n": 21})).await.unwrap();
        assert_eq!(twice.data::<i64>().unwrap(), 42);
    }
}

#[test]
fn transformation_rules_are_checked() {
    let fails = |transform: fastmcp::tools::ToolTransform, why: &str| {
        let error = transform.build().unwrap_err().to_string();
        assert!(error.contains(why), "{error}");
    };
    fails(
        Tool::from_tool(add).arg("b", ArgTransform::new().hide()),
        "hiding it needs a default",
    );
    fails(
        Tool::from_tool(add).arg("b", ArgTransform::new().required().default(json!(1))),
        "both required and defaulted",
    );
    fails(
        Tool::from_tool(add).arg("a", ArgTransform::new().rename("b")),
        "two arguments would be called 'b'",
    );
    fails(
        Tool::from_tool(add).arg("c", ArgTransform::new().hide()),
        "no argument 'c'",
    );
    fails(
        Tool::from_tool(add).arg("a", ArgTransform::new().default_factory(|| json!(1))),
        "only for hidden arguments",
    );
    // A hidden argument with a default factory gets a fresh value per call.
    Tool::from_tool(add)
        .arg("b", ArgTransform::new().hide().default_factory(|| json!(2)))
        .build()
        .unwrap();
}

// --- the composed example -------------------------------------------------------------------

async fn check_composed(client: &Client) {
    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .iter()
        .map(|tool| tool.name.to_string())
        .collect();
    for expected in ["add_ten", "boom", "qs_add", "qs_long_task"] {
        assert!(names.contains(&expected.to_owned()), "{names:?}");
    }
    let recorder = common::Recorder::default();
    let done = client
        .call_tool("qs_long_task", json!({"steps": 3, "delay_ms": 0}))
        .progress(recorder.handler())
        .await
        .unwrap();
    assert_eq!(done.text(), "done after 3 steps");
    // Progress is coalesced (20 ms): the first and the last always arrive.
    let values = recorder.values();
    assert_eq!(values.first(), Some(&1.0), "{values:?}");
    assert_eq!(values.last(), Some(&3.0), "{values:?}");
    let eleven = client.call_tool("add_ten", json!({"a": 1})).await.unwrap();
    assert_eq!(eleven.data::<i64>().unwrap(), 11);
    let text_resource = client.read_resource("test://ev/static-text").await.unwrap();
    assert_eq!(
        text(&text_resource),
        "This is the content of the static text resource."
    );
    let templates = client.list_resource_templates().await.unwrap();
    assert!(
        templates
            .iter()
            .any(|t| t.uri_template == "test://ev/template/{id}/data"),
        "{templates:?}"
    );
    let data = client
        .read_resource("test://ev/template/42/data")
        .await
        .unwrap();
    assert!(text(&data).contains("Data for ID: 42"));
    match client.call_tool("boom", json!({})).await {
        Err(fastmcp::Error::Tool { message, .. }) => {
            assert!(message.contains("error id"), "{message}");
            assert!(!message.contains("database"), "{message}");
        }
        other => panic!("expected a masked tool error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_composed_example_works_over_stdio_in_both_eras() {
    let target = fastmcp::client::StdioServer::new(common::example("composed").to_string_lossy());
    for era in ERAS {
        let client = Client::builder()
            .era(era)
            .connect(target.clone())
            .await
            .unwrap();
        check_composed(&client).await;
    }
}

#[tokio::test]
async fn the_composed_example_works_over_http_in_both_eras() {
    let mut child = tokio::process::Command::new(common::example("composed"))
        .args(["--http", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = common::announced_url(&mut child).await;
    for era in ERAS {
        let client = Client::builder()
            .era(era)
            .connect(url.as_str())
            .await
            .unwrap();
        check_composed(&client).await;
    }
}

#[tokio::test]
#[allow(deprecated)] // resources/subscribe is deprecated by SEP-2577
async fn resource_updates_reach_subscribers_through_the_mount() {
    let kid = child();
    let parent = FastMCP::new("parent").mount(kid.clone(), "kid");
    let (sender, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let legacy = Client::builder()
        .era(Era::Legacy)
        .message_handler(move |notification: ServerNotification| {
            let sender = sender.clone();
            async move {
                if let ServerNotification::ResourceUpdatedNotification(n) = notification {
                    let _ = sender.send(n.params.uri);
                }
            }
        })
        .connect(&parent)
        .await
        .unwrap();
    legacy.subscribe_resource("mem://kid/hello").await.unwrap();
    let stateless = connect(&parent, Era::Stateless).await;
    let filter = fastmcp::types::SubscriptionFilter::builder()
        .resource_subscription("mem://kid/hello")
        .build();
    let mut subscription = stateless.listen(filter).await.unwrap();

    kid.notify_resource_updated("mem://hello");
    let uri = tokio::time::timeout(Duration::from_secs(10), heard.recv())
        .await
        .expect("the legacy subscriber heard the update")
        .unwrap();
    assert_eq!(uri, "mem://kid/hello");
    match subscription.next().await.unwrap() {
        Some(ServerNotification::ResourceUpdatedNotification(n)) => {
            assert_eq!(n.params.uri, "mem://kid/hello")
        }
        other => panic!("expected resources/updated, got {other:?}"),
    }
}

// --- per-session visibility -----------------------------------------------------------------

/// Shows the admin tools to this session.
#[tool]
async fn unlock(ctx: Context) -> String {
    ctx.enable_components(fastmcp::Filter::tag("admin")).await;
    "unlocked".into()
}

/// Hides `add` from this session.
#[tool]
async fn hide_add(ctx: Context) -> String {
    ctx.disable_components(fastmcp::Filter::name("add")).await;
    "hidden".into()
}

fn visibility_server() -> FastMCP {
    let server = FastMCP::new("visibility")
        .tool(add)
        .tool(unlock)
        .tool(hide_add)
        .tool(
            Tool::builder("wipe")
                .tags(["admin"])
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("wiped")) }),
        );
    server.disable(fastmcp::Filter::tag("admin"));
    server
}

async fn tool_names(client: &Client) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .iter()
        .map(|tool| tool.name.to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_tool_changes_what_its_own_session_sees() {
    let server = visibility_server();
    let (sender, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let alice = Client::builder()
        .era(Era::Legacy)
        .message_handler(move |notification: ServerNotification| {
            let sender = sender.clone();
            async move {
                if let ServerNotification::ToolListChangedNotification(_) = notification {
                    let _ = sender.send(());
                }
            }
        })
        .connect(&server)
        .await
        .unwrap();
    let bob = connect(&server, Era::Legacy).await;
    assert_eq!(tool_names(&alice).await, ["add", "hide_add", "unlock"]);

    alice.call_tool("unlock", json!({})).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), heard.recv())
        .await
        .expect("alice heard tools/list_changed")
        .unwrap();
    assert_eq!(
        tool_names(&alice).await,
        ["add", "hide_add", "unlock", "wipe"]
    );
    assert_eq!(
        alice.call_tool("wipe", json!({})).await.unwrap().text(),
        "wiped"
    );
    // Bob's session is untouched.
    assert_eq!(tool_names(&bob).await, ["add", "hide_add", "unlock"]);
    assert!(bob.call_tool("wipe", json!({})).await.is_err());

    bob.call_tool("hide_add", json!({})).await.unwrap();
    assert_eq!(tool_names(&bob).await, ["hide_add", "unlock"]);
    assert!(bob.call_tool("add", json!({"a": 1, "b": 1})).await.is_err());
    assert_eq!(
        alice
            .call_tool("add", json!({"a": 1, "b": 1}))
            .await
            .unwrap()
            .data::<i64>()
            .unwrap(),
        2
    );
}

// --- transforms over a server ---------------------------------------------------------------

#[tokio::test]
async fn namespace_and_rename_transforms_reshape_what_a_server_offers() {
    let server = child()
        .transform(
            fastmcp::transforms::Rename::new()
                .tool("add", "plus")
                .prompt("greet", "hello"),
        )
        .transform(fastmcp::transforms::Namespace::new("ns"));
    for era in ERAS {
        let client = connect(&server, era).await;
        let mut tools = tool_names(&client).await;
        tools.sort();
        assert_eq!(tools, ["ns_count", "ns_plus"], "{era:?}");
        let sum = client
            .call_tool("ns_plus", json!({"a": 2, "b": 2}))
            .await
            .unwrap();
        assert_eq!(sum.data::<i64>().unwrap(), 4);
        assert!(
            client
                .call_tool("ns_add", json!({"a": 2, "b": 2}))
                .await
                .is_err()
        );
        assert!(
            client
                .call_tool("plus", json!({"a": 2, "b": 2}))
                .await
                .is_err()
        );
        let prompts = client.list_prompts().await.unwrap();
        assert_eq!(prompts[0].name, "ns_hello");
        let greeting = client
            .get_prompt("ns_hello", json!({"name": "Ada"}))
            .await
            .unwrap();
        assert!(format!("{greeting:?}").contains("Hello, Ada!"));
        let hello = client.read_resource("mem://ns/hello").await.unwrap();
        assert_eq!(text(&hello), "hello from the child");
        let notes = client.read_resource("urn:child:notes").await.unwrap();
        assert_eq!(text(&notes), "notes");
        let templates = client.list_resource_templates().await.unwrap();
        assert_eq!(templates[0].uri_template, "mem://ns/items/{id}");
        let reference = Reference::for_resource("mem://ns/items/{id}");
        let completion = client.complete(reference, "id", "ba", &[]).await.unwrap();
        assert_eq!(completion.values, ["banana"]);
    }
}

#[tokio::test]
async fn resources_and_prompts_can_be_offered_as_tools() {
    let server = child()
        .transform(fastmcp::transforms::ResourcesAsTools::new())
        .transform(fastmcp::transforms::PromptsAsTools::new());
    for era in ERAS {
        let client = connect(&server, era).await;
        let tools = tool_names(&client).await;
        for expected in [
            "list_resources",
            "read_resource",
            "list_prompts",
            "get_prompt",
        ] {
            assert!(tools.contains(&expected.to_owned()), "{tools:?}");
        }
        let listed = client.call_tool("list_resources", json!({})).await.unwrap();
        let listed: serde_json::Value = serde_json::from_str(&listed.text()).unwrap();
        assert_eq!(listed["resources"][0]["uri"], "mem://hello");
        assert_eq!(
            listed["resourceTemplates"][0]["uriTemplate"],
            "mem://items/{id}"
        );
        let read = client
            .call_tool("read_resource", json!({"uri": "mem://items/9"}))
            .await
            .unwrap();
        assert_eq!(read.text(), "item 9");
        let prompts = client.call_tool("list_prompts", json!({})).await.unwrap();
        let prompts: serde_json::Value = serde_json::from_str(&prompts.text()).unwrap();
        assert_eq!(prompts["prompts"][0]["name"], "greet");
        let rendered = client
            .call_tool(
                "get_prompt",
                json!({"name": "greet", "arguments": {"name": "Ada"}}),
            )
            .await
            .unwrap();
        assert!(
            rendered.text().contains("Hello, Ada!"),
            "{}",
            rendered.text()
        );
        let missing = client
            .call_tool("read_resource", json!({}))
            .await
            .unwrap_err();
        assert!(missing.to_string().contains("missing 'uri'"), "{missing}");
    }
}

#[tokio::test]
async fn transforms_sit_inside_middleware() {
    // The parent's middleware sees the names clients use; the transform maps them.
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = child()
        .transform(fastmcp::transforms::Namespace::new("ns"))
        .middleware(Seen("outer", Arc::clone(&log)));
    let client = connect(&server, Era::Legacy).await;
    log.lock().unwrap().clear();
    client
        .call_tool("ns_add", json!({"a": 1, "b": 2}))
        .await
        .unwrap();
    assert_eq!(*log.lock().unwrap(), ["outer: tools/call ns_add"]);
}

#[tokio::test]
async fn a_filter_transform_selects_by_tag_name_and_version_through_a_mount() {
    let kid = FastMCP::new("kid")
        .tool(add)
        .tool(
            Tool::builder("wipe")
                .tags(["admin"])
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("wiped")) }),
        )
        .tool(
            Tool::builder("report")
                .tags(["public"])
                .version("2")
                .handler(|_, _ctx: Context| async {
                    Ok::<_, String>(ToolResult::text("report v2"))
                }),
        );
    let server = FastMCP::new("parent")
        .mount(kid, "kid")
        .transform(fastmcp::transforms::Filter::new().exclude(fastmcp::Filter::tag("admin")));
    for era in ERAS {
        let client = connect(&server, era).await;
        let tools = client.list_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(names, ["kid_add", "kid_report"], "{era:?}");
        // Tags and version travel in the listed definition's `_meta.fastmcp`.
        let report = &tools[1];
        let meta = serde_json::to_value(report.meta.as_ref().unwrap()).unwrap();
        assert_eq!(meta["fastmcp"], json!({"tags": ["public"], "version": "2"}));
        let refused = client.call_tool("kid_wipe", json!({})).await.unwrap_err();
        assert!(
            refused.to_string().contains("Unknown tool: 'kid_wipe'"),
            "{refused}"
        );
        assert_eq!(
            client
                .call_tool("kid_report", json!({}))
                .await
                .unwrap()
                .text(),
            "report v2"
        );
    }
    let only_public = FastMCP::new("public").tool(add).transform(
        fastmcp::transforms::Filter::new()
            .include(fastmcp::Filter::tag("public"))
            .include(fastmcp::Filter::name("add")),
    );
    let client = connect(&only_public, Era::Legacy).await;
    assert_eq!(tool_names(&client).await, ["add"]);
}

#[tokio::test]
async fn a_tool_transform_reshapes_a_mounted_servers_tool() {
    let server = FastMCP::new("parent").mount(child(), "kid").transform(
        fastmcp::transforms::ToolTransform::new("kid_add", |add| {
            Tool::from_tool(add)
                .name("add_ten")
                .description("Add ten.")
                .arg("b", ArgTransform::new().hide().default(json!(10)))
        }),
    );
    for era in ERAS {
        let client = connect(&server, era).await;
        let tools = client.list_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(names, ["add_ten", "kid_count"], "{era:?}");
        let schema = serde_json::Value::Object((*tools[0].input_schema).clone());
        assert_eq!(schema["required"], json!(["a"]));
        assert!(schema["properties"].get("b").is_none(), "{schema}");
        let eleven = client.call_tool("add_ten", json!({"a": 1})).await.unwrap();
        assert_eq!(eleven.data::<i64>().unwrap(), 11);
        let missing = client.call_tool("add_ten", json!({})).await.unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("tool 'add_ten': missing required argument 'a'"),
            "{missing}"
        );
        assert!(
            client
                .call_tool("kid_add", json!({"a": 1, "b": 1}))
                .await
                .is_err()
        );
    }
}

/// Asks the client for a name.
#[tool]
async fn ask_name(ctx: Context) -> Result<String, String> {
    let schema = json!({"type": "object", "properties": {"name": {"type": "string"}},
                        "required": ["name"]});
    match ctx.elicit_with_schema("Your name?", schema).await {
        Ok(fastmcp::server::Elicitation::Accept(content)) => {
            ctx.info(format!("asked {}", content["name"])).await;
            Ok(format!("hello {}", content["name"].as_str().unwrap_or("?")))
        }
        other => Err(format!("no name: {other:?}")),
    }
}

#[tokio::test]
async fn elicitation_from_a_mounted_tool_reaches_the_client_in_both_eras() {
    use fastmcp::client::{ElicitationRequest, ElicitationResponse};
    let parent = FastMCP::new("parent").mount(FastMCP::new("kid").tool(ask_name), "kid");
    for era in ERAS {
        let client = Client::builder()
            .era(era)
            .elicitation_handler(|request: ElicitationRequest| async move {
                assert_eq!(request.message, "Your name?");
                ElicitationResponse::Accept(json!({"name": "Ada"}))
            })
            .connect(&parent)
            .await
            .unwrap();
        let answer = client.call_tool("kid_ask_name", json!({})).await.unwrap();
        assert_eq!(answer.text(), "hello Ada", "{era:?}");
    }
}

#[test]
#[should_panic(expected = "would make a loop")]
fn mounting_a_server_into_itself_is_refused() {
    let inner = FastMCP::new("inner").tool(add);
    let outer = FastMCP::new("outer").mount(inner.clone(), "in");
    // `inner` would mount `outer`, which mounts `inner`.
    let _ = inner.mount(outer, "out");
}
