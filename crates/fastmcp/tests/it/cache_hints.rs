//! Cache hints (SEP-2549): what `ttlMs`/`cacheScope` 2026-07-28 lists and reads carry, and that
//! legacy sessions get none.

use crate::common;

use std::time::Duration;

use common::RawClient;
use fastmcp::{CacheHint, FastMCP, Resource, ResourceTemplate, resource};
use serde_json::{Value, json};

/// The price list, fresh for a minute for this user only.
#[resource("shop://prices", cache_hint = CacheHint::private(Duration::from_secs(60)))]
fn prices() -> String {
    "apple: 1".into()
}

fn server(list_hint: Option<CacheHint>) -> FastMCP {
    let server = FastMCP::new("cache")
        .resource(prices)
        .resource(Resource::text("shop://motd", "hello"))
        .resource_template(
            ResourceTemplate::builder("shop://item/{id}")
                .cache_hint(CacheHint::public(Duration::from_millis(1500)))
                .handler(|request, _| async move {
                    Ok::<_, String>(format!("item {}", request.params["id"]))
                }),
        );
    match list_hint {
        Some(hint) => server.list_cache_hint(hint),
        None => server,
    }
}

/// The four lists, with the request id each is asked under.
const LISTS: [(i64, &str); 4] = [
    (1, "tools/list"),
    (2, "resources/list"),
    (3, "resources/templates/list"),
    (4, "prompts/list"),
];

fn stateless_request(id: i64, method: &str, mut params: Value) -> Value {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}
    });
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// `(ttlMs, cacheScope)` of a result.
fn hints(response: &Value) -> (Value, Value) {
    let result = &response["result"];
    assert!(result.is_object(), "not a result: {response}");
    (result["ttlMs"].clone(), result["cacheScope"].clone())
}

async fn ask(raw: &mut RawClient, id: i64, message: Value) -> Value {
    raw.send(message).await;
    raw.until_response(id).await.1
}

#[tokio::test]
async fn results_are_not_cacheable_unless_a_hint_says_so() {
    let mut raw = RawClient::stateless(server(None));
    for (id, method) in LISTS {
        let response = ask(&mut raw, id, stateless_request(id, method, json!({}))).await;
        assert_eq!(hints(&response), (json!(0), json!("private")), "{method}");
    }
    let read = stateless_request(5, "resources/read", json!({"uri": "shop://motd"}));
    let response = ask(&mut raw, 5, read).await;
    assert_eq!(response["result"]["contents"][0]["text"], "hello");
    assert_eq!(hints(&response), (json!(0), json!("private")));
}

#[tokio::test]
async fn lists_carry_the_server_hint_and_reads_their_resource_hint() {
    let mut raw = RawClient::stateless(server(Some(CacheHint::public(Duration::from_secs(300)))));
    for (id, method) in LISTS {
        let response = ask(&mut raw, id, stateless_request(id, method, json!({}))).await;
        assert_eq!(
            hints(&response),
            (json!(300_000), json!("public")),
            "{method}"
        );
    }

    let macro_read = stateless_request(5, "resources/read", json!({"uri": "shop://prices"}));
    let response = ask(&mut raw, 5, macro_read).await;
    assert_eq!(response["result"]["contents"][0]["text"], "apple: 1");
    assert_eq!(hints(&response), (json!(60_000), json!("private")));

    let template_read = stateless_request(6, "resources/read", json!({"uri": "shop://item/7"}));
    let response = ask(&mut raw, 6, template_read).await;
    assert_eq!(response["result"]["contents"][0]["text"], "item \"7\"");
    assert_eq!(hints(&response), (json!(1500), json!("public")));

    // A resource without a hint stays uncacheable even when lists are cacheable.
    let plain_read = stateless_request(7, "resources/read", json!({"uri": "shop://motd"}));
    let response = ask(&mut raw, 7, plain_read).await;
    assert_eq!(hints(&response), (json!(0), json!("private")));
}

#[tokio::test]
async fn legacy_sessions_get_no_cache_hints() {
    let mut raw =
        RawClient::connect(server(Some(CacheHint::public(Duration::from_secs(300))))).await;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "resources/list", "params": {}});
    let response = ask(&mut raw, 1, list).await;
    assert_eq!(
        response["result"]["resources"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(hints(&response), (Value::Null, Value::Null));

    let read = json!({"jsonrpc": "2.0", "id": 2, "method": "resources/read",
                      "params": {"uri": "shop://prices"}});
    let response = ask(&mut raw, 2, read).await;
    assert_eq!(response["result"]["contents"][0]["text"], "apple: 1");
    assert_eq!(hints(&response), (Value::Null, Value::Null));
}
