//! Tools end to end through an in-process client: results, errors, validation, registration.

use std::time::Duration;

use fastmcp::{Client, Context, Error, FastMCP, Tool, ToolResult, tool};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Add two integers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Greet someone, optionally loudly.
#[tool(name = "greet", title = "Greeter", tags = ["social"], annotations(read_only = true, idempotent = true))]
async fn greet_person(name: String, loud: Option<bool>) -> String {
    let greeting = format!("Hello, {name}!");
    if loud.unwrap_or(false) {
        greeting.to_uppercase()
    } else {
        greeting
    }
}

#[derive(Serialize, Deserialize, JsonSchema, Debug, PartialEq)]
struct Point {
    x: i64,
    y: i64,
}

/// The origin.
#[tool]
fn origin() -> Point {
    Point { x: 0, y: 0 }
}

/// Always fails.
#[tool]
async fn fail(reason: String) -> Result<String, String> {
    Err(reason)
}

/// Panics.
#[tool]
fn explode() -> i64 {
    panic!("kaboom")
}

/// An image and some text.
#[tool]
fn picture() -> ToolResult {
    ToolResult::text("one pixel").with_image([0x89, b'P', b'N', b'G'], "image/png")
}

/// Never finishes on its own.
#[tool(timeout = Duration::from_millis(20))]
async fn sleepy(ctx: &Context) -> String {
    ctx.cancelled().await;
    "cancelled".into()
}

fn server() -> FastMCP {
    FastMCP::new("tools-test")
        .version("1.2.3")
        .instructions("Use add to add.")
        .tool(add)
        .tool(greet_person)
        .tool(origin)
        .tool(fail)
        .tool(explode)
        .tool(picture)
        .tool(sleepy)
}

async fn client() -> Client {
    Client::connect(server()).await.expect("connect in-process")
}

#[tokio::test]
async fn lists_tools_with_metadata_in_registration_order() {
    let client = client().await;
    assert_eq!(
        client.server_info().map(|i| (i.name, i.version)),
        Some(("tools-test".into(), "1.2.3".into()))
    );
    assert_eq!(client.instructions().as_deref(), Some("Use add to add."));
    let tools = client.list_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "add", "greet", "origin", "fail", "explode", "picture", "sleepy"
        ]
    );
    let greet = &tools[1];
    assert_eq!(greet.title.as_deref(), Some("Greeter"));
    assert_eq!(
        greet.description.as_deref(),
        Some("Greet someone, optionally loudly.")
    );
    let annotations = serde_json::to_value(greet.annotations.as_ref().unwrap()).unwrap();
    assert_eq!(
        annotations,
        json!({"readOnlyHint": true, "idempotentHint": true})
    );
    assert_eq!(greet.input_schema["required"], json!(["name"]));
    // A struct output is published as is; a scalar is wrapped.
    assert_eq!(
        tools[2].output_schema.as_ref().unwrap()["required"],
        json!(["x", "y"])
    );
    assert_eq!(
        tools[0].output_schema.as_ref().unwrap()["properties"]["result"]["type"],
        "integer"
    );
    assert!(
        tools[5].output_schema.is_none(),
        "explicit ToolResult has no output schema"
    );
}

#[tokio::test]
async fn scalar_results_are_wrapped_and_typed() {
    let client = client().await;
    let result = client
        .call_tool("add", json!({"a": 2, "b": 3}))
        .await
        .unwrap();
    assert_eq!(result.data::<i64>().unwrap(), 5);
    assert_eq!(result.structured_content(), Some(&json!({"result": 5})));
    assert_eq!(result.text(), "5");
    assert!(!result.is_error());

    let result = client
        .call_tool("greet", json!({"name": "Ada", "loud": true}))
        .await
        .unwrap();
    assert_eq!(result.text(), "HELLO, ADA!");
    assert_eq!(result.data::<String>().unwrap(), "HELLO, ADA!");
}

#[tokio::test]
async fn struct_results_are_structured_content() {
    let client = client().await;
    let result = client.call_tool("origin", Value::Null).await.unwrap();
    assert_eq!(result.data::<Point>().unwrap(), Point { x: 0, y: 0 });
    assert_eq!(result.structured_content(), Some(&json!({"x": 0, "y": 0})));
    assert_eq!(result.text(), r#"{"x":0,"y":0}"#);
}

#[tokio::test]
async fn explicit_results_keep_their_content() {
    let client = client().await;
    let result = client.call_tool("picture", json!({})).await.unwrap();
    assert_eq!(result.content().len(), 2);
    let image = result.content()[1].as_image().unwrap();
    assert_eq!(image.mime_type, "image/png");
    assert_eq!(image.data, "iVBORw==");
    assert!(result.structured_content().is_none());
}

#[tokio::test]
async fn tool_errors_become_error_results() {
    let client = client().await;
    match client.call_tool("fail", json!({"reason": "no disk"})).await {
        Err(Error::Tool { tool, message }) => {
            assert_eq!(tool, "fail");
            assert_eq!(message, "no disk");
        }
        other => panic!("expected a tool error, got {other:?}"),
    }
    let result = client
        .call_tool("fail", json!({"reason": "no disk"}))
        .raise_on_error(false)
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "no disk");
}

#[tokio::test]
async fn bad_arguments_name_the_field() {
    let client = client().await;
    let cases = [
        (
            json!({"a": 1, "b": "x"}),
            r#"Invalid arguments for tool 'add': b: invalid type: string "x", expected i64"#,
        ),
        (
            json!({"a": 1}),
            "Invalid arguments for tool 'add': missing field `b`",
        ),
        (
            json!({"a": 1, "b": 2, "c": 3}),
            "Invalid arguments for tool 'add': c: unknown field `c`, expected `a` or `b`",
        ),
    ];
    for (arguments, expected) in cases {
        let result = client
            .call_tool("add", arguments)
            .raise_on_error(false)
            .await
            .unwrap();
        assert!(result.is_error());
        assert_eq!(result.text(), expected);
    }
}

#[tokio::test]
async fn unknown_tool_is_a_protocol_error() {
    let client = client().await;
    match client.call_tool("nope", json!({})).await {
        Err(Error::Protocol(error)) => {
            assert_eq!(error.code.0, -32602);
            assert_eq!(error.message, "Unknown tool: 'nope'");
        }
        other => panic!("expected -32602, got {other:?}"),
    }
}

#[tokio::test]
async fn a_panicking_tool_is_an_error_result_and_the_server_survives() {
    let client = client().await;
    let result = client
        .call_tool("explode", json!({}))
        .raise_on_error(false)
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "Tool 'explode' failed unexpectedly: kaboom");
    assert_eq!(
        client
            .call_tool("add", json!({"a": 1, "b": 1}))
            .await
            .unwrap()
            .data::<i64>()
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn a_tool_past_its_timeout_is_stopped() {
    let client = client().await;
    let result = client
        .call_tool("sleepy", json!({}))
        .raise_on_error(false)
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "Tool 'sleepy' timed out after 20ms");
}

#[tokio::test]
async fn duplicate_names_are_rejected_at_registration() {
    let server = FastMCP::new("dup").tool(add);
    let error = server.add_tool(add).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a tool named 'add' is already registered on server 'dup'; rename one of them"
    );
    assert_eq!(server.tools().len(), 1);
}

#[tokio::test]
async fn tools_can_be_built_from_closures_and_schemas() {
    let echo = Tool::builder("echo")
        .description("Repeat the text")
        .input_schema(json!({"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}))
        .handler(|args, _ctx: Context| async move {
            match args.get("text").and_then(Value::as_str) {
                Some(text) => Ok(ToolResult::text(text)),
                None => Err("text is required"),
            }
        });
    let server = FastMCP::new("closures").tool(echo);
    let client = Client::connect(&server).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    assert_eq!(tools[0].input_schema["required"], json!(["text"]));
    assert_eq!(
        client
            .call_tool("echo", json!({"text": "hi"}))
            .await
            .unwrap()
            .text(),
        "hi"
    );
    let missing = client
        .call_tool("echo", json!({}))
        .raise_on_error(false)
        .await
        .unwrap();
    assert_eq!(
        (missing.is_error(), missing.text()),
        (true, "text is required".to_owned())
    );
}

#[tokio::test]
async fn tools_added_and_removed_at_runtime_are_visible() {
    let server = FastMCP::new("dynamic");
    let client = Client::connect(&server).await.unwrap();
    assert!(client.list_tools().await.unwrap().is_empty());
    server.add_tool(add).unwrap();
    assert_eq!(
        client
            .call_tool("add", json!({"a": 1, "b": 2}))
            .await
            .unwrap()
            .text(),
        "3"
    );
    assert!(server.remove_tool("add"));
    assert!(client.list_tools().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_macro_keeps_the_function_callable() {
    assert_eq!(add::call(2, 2), 4);
    assert_eq!(greet_person::call("Bo".into(), None).await, "Hello, Bo!");
}

#[tokio::test]
async fn ping_works() {
    client().await.ping().await.unwrap();
}

#[tokio::test]
async fn tools_can_be_declared_inside_a_function_and_shadowed_by_locals() {
    use fastmcp::types::JsonObject;

    /// Double a number.
    #[tool]
    fn double(n: i64) -> i64 {
        n * 2
    }

    let server = FastMCP::new("local").tool(double);
    // A local variable may take the tool's name without clashing with it.
    let double: JsonObject = JsonObject::new();
    let client = Client::connect(server).await.unwrap();
    let result = client.call_tool("double", json!({"n": 21})).await.unwrap();
    assert_eq!(result.data::<i64>().unwrap(), 42);
    assert!(double.is_empty());
}

/// Joins the words with the separator.
#[tool]
async fn join(words: &[String], #[arg(default = ", ")] separator: &str, ctx: &Context) -> String {
    let _ = ctx.request_id();
    words.join(separator)
}

#[tokio::test]
async fn borrowed_arguments_are_deserialized_owned_and_lent_to_the_function() {
    let client = Client::connect(FastMCP::new("borrowed").tool(join))
        .await
        .unwrap();
    let tools = client.list_tools().await.unwrap();
    let schema = serde_json::to_value(&tools[0].input_schema).unwrap();
    assert_eq!(schema["properties"]["words"]["type"], "array", "{schema}");
    assert_eq!(
        schema["properties"]["separator"]["type"], "string",
        "{schema}"
    );
    assert_eq!(schema["required"], json!(["words"]), "{schema}");
    let joined = client
        .call_tool("join", json!({"words": ["a", "b"]}))
        .await
        .unwrap();
    assert_eq!(joined.data::<String>().unwrap(), "a, b");
    let joined = client
        .call_tool("join", json!({"words": ["a", "b"], "separator": "+"}))
        .await
        .unwrap();
    assert_eq!(joined.data::<String>().unwrap(), "a+b");
}

// ---------------------------------------------------------------------------------------------
// Parameters are told apart by type: a `Context` under any name or path is supplied by the
// server; a type of the user's own that happens to be called `Context` is an argument.

mod mine {
    /// Who is asking, as the client describes it.
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    pub struct Context {
        pub user: String,
    }
}

use fastmcp::Context as RequestContext;

/// Echoes the text with the request id, read through a renamed `Context`.
#[tool]
async fn renamed_context(session: RequestContext, text: String) -> String {
    format!("{text} (request {})", session.request_id())
}

/// Takes the user's own `Context` type as an argument.
#[tool]
fn own_context(context: mine::Context) -> String {
    format!("hello {}", context.user)
}

#[tokio::test]
async fn a_context_is_recognised_by_type_not_by_name() {
    let server = FastMCP::new("by-type")
        .tool(renamed_context)
        .tool(own_context);
    let client = Client::connect(&server).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    let schema_of = |name: &str| {
        let tool = tools.iter().find(|tool| tool.name == name).unwrap();
        Value::Object((*tool.input_schema).clone())
    };
    assert_eq!(schema_of("renamed_context")["required"], json!(["text"]));
    assert!(
        schema_of("renamed_context")["properties"]
            .get("session")
            .is_none()
    );
    assert_eq!(schema_of("own_context")["required"], json!(["context"]));

    let renamed = client
        .call_tool("renamed_context", json!({"text": "hi"}))
        .await
        .unwrap();
    assert!(
        renamed.text().starts_with("hi (request "),
        "{}",
        renamed.text()
    );
    let own = client
        .call_tool("own_context", json!({"context": {"user": "ada"}}))
        .await
        .unwrap();
    assert_eq!(own.text(), "hello ada");
}

#[tokio::test]
async fn a_client_cannot_supply_the_context() {
    let server = FastMCP::new("by-type").tool(renamed_context);
    let client = Client::connect(&server).await.unwrap();
    let error = client
        .call_tool("renamed_context", json!({"text": "hi", "session": {}}))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("session: this parameter is supplied by the server, not by the client"),
        "{error}"
    );
}
