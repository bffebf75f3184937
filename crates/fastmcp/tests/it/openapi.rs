//! OpenAPI documents served as MCP tools (feature `openapi`), against a REST API written for
//! the test (axum, on 127.0.0.1 with an OS-chosen port), reached through the public API: a
//! `Client` in process.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{Path, Query, RawQuery};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fastmcp::openapi::{McpType, OpenApi, OpenApiError, RouteMap, Spec};
use fastmcp::{Client, FastMCP};
use serde_json::{Value, json};

const SHOP: &str = include_str!("../data/shop.yaml");

/// The 1×1 PNG the logo endpoint answers.
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];

async fn read_item(
    Path(item_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> axum::response::Response {
    if item_id == 404 {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"detail": "no such item"})),
        )
            .into_response();
    }
    Json(json!({"id": item_id, "name": query.get("q"), "size": query.get("size")})).into_response()
}

async fn create_item(
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> impl IntoResponse {
    let token = headers
        .get("x-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let echo = json!({"id": 7, "name": body["name"], "price": body["price"],
        "category": body["category"], "token": token, "name_in_query": query.get("name")});
    (StatusCode::CREATED, Json(echo))
}

async fn search(RawQuery(query): RawQuery) -> Json<Value> {
    Json(json!([query.unwrap_or_default()]))
}

async fn shop() -> SocketAddr {
    let app = Router::new()
        .route("/api/items/{item_id}", get(read_item))
        .route("/api/items", post(create_item))
        .route("/api/search", get(search))
        .route(
            "/api/stats/by-tag",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database down") }),
        )
        .route(
            "/api/logo",
            get(|| async { ([("content-type", "image/png")], PNG) }),
        )
        .route(
            "/api/archive",
            get(|| async {
                (
                    [("content-type", "application/octet-stream")],
                    vec![1u8, 2, 3],
                )
            }),
        )
        .route(
            "/api/whoami",
            get(|headers: HeaderMap| async move {
                let seen = headers.get("authorization").and_then(|v| v.to_str().ok());
                Json(json!({ "authorization": seen }))
            }),
        )
        .route(
            "/api/tree",
            put(|Json(tree): Json<Value>| async move { Json(tree) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn connect(addr: SocketAddr, maps: Vec<RouteMap>) -> (FastMCP, Client) {
    let mut openapi =
        OpenApi::new(Spec::parse(SHOP).unwrap()).base_url(format!("http://{addr}/api"));
    for map in maps {
        openapi = openapi.route_map(map);
    }
    let server = openapi.build().unwrap();
    let client = Client::connect(&server).await.unwrap();
    (server, client)
}

#[tokio::test]
async fn operations_become_tools_named_and_shaped_as_fastmcp_does() {
    let addr = shop().await;
    let (_server, client) =
        connect(addr, vec![RouteMap::new(McpType::Exclude).tags(["admin"])]).await;
    let tools = client.list_tools().await.unwrap();
    assert_eq!(
        sorted_names(&tools),
        [
            "GET_statsby_tag",
            "Search_by_tags",
            "archive",
            "createItem",
            "logo",
            "plantTree",
            "read_item_items",
            "slow",
            "whoami"
        ]
    );
    let schema = |name: &str| input_schema(&tools, name);

    let read = schema("read_item_items");
    assert_eq!(read["required"], json!(["item_id"]));
    assert_eq!(read["properties"]["item_id"]["description"], "The item");
    assert_eq!(
        read["properties"]["q"]["type"],
        json!(["string", "null"]),
        "3.0 nullable"
    );
    assert_eq!(read["properties"]["size"]["$ref"], "#/$defs/Size");
    assert_eq!(read["$defs"]["Size"]["enum"], json!(["small", "large"]));
    let described = tools
        .iter()
        .find(|tool| tool.name == "read_item_items")
        .unwrap();
    let description = described.description.as_deref().unwrap_or_default();
    assert!(description.starts_with("Reads one item."), "{description}");
    assert!(description.contains("- 404: No such item"), "{description}");

    // The body's properties, the colliding query parameter renamed, the header.
    let create = schema("createItem");
    let properties = create["properties"].as_object().unwrap();
    let mut keys: Vec<&str> = properties.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["X-Token", "category", "name", "name__query", "price"]
    );
    assert_eq!(create["required"], json!(["X-Token", "name"]));
    assert_eq!(create["properties"]["category"]["$ref"], "#/$defs/Category");
    assert!(create["$defs"]["Category"].is_object());

    // A recursive body: carried in $defs, its reference to itself kept.
    let tree = schema("plantTree");
    assert_eq!(
        tree["$defs"]["Node"]["properties"]["children"]["items"]["$ref"],
        "#/$defs/Node"
    );

    // The output schema: an allOf of objects stays an object; an array is wrapped.
    let output = |name: &str| {
        let tool = tools.iter().find(|tool| tool.name == name).unwrap();
        tool.output_schema
            .as_ref()
            .map(|schema| Value::Object((**schema).clone()))
    };
    let item = output("read_item_items").unwrap();
    assert_eq!(item["type"], "object");
    assert_eq!(item["allOf"][0]["$ref"], "#/$defs/NewItem");
    assert!(item["$defs"]["Category"].is_object(), "{item}");
    assert_eq!(
        output("Search_by_tags").unwrap()["x-fastmcp-wrap-result"],
        true
    );
    assert!(output("GET_statsby_tag").is_none());
}

#[tokio::test]
async fn calls_reach_the_endpoints_and_answers_become_results() {
    let addr = shop().await;
    let (_server, client) = connect(addr, vec![]).await;

    let item = client
        .call_tool(
            "read_item_items",
            json!({"item_id": 3, "q": "lamp", "size": "large"}),
        )
        .await
        .unwrap();
    assert_eq!(item.structured_content().unwrap()["name"], "lamp");
    assert_eq!(item.structured_content().unwrap()["size"], "large");

    let created = client
        .call_tool(
            "createItem",
            json!({"name": "chair", "price": 12.5, "name__query": "q-name",
            "X-Token": "secret", "category": {"label": "furniture"}}),
        )
        .await
        .unwrap();
    let created = created.structured_content().unwrap().clone();
    assert_eq!(created["name"], "chair");
    assert_eq!(created["token"], "secret");
    assert_eq!(created["name_in_query"], "q-name");
    assert_eq!(created["category"]["label"], "furniture");

    // Arrays exploded, deepObject as name[key]; an array answer wrapped as {"result": …}.
    let found = client
        .call_tool(
            "Search_by_tags",
            json!({"tags": ["red", "blue"], "filter": {"colour": "red"}}),
        )
        .await
        .unwrap();
    let query = found.structured_content().unwrap()["result"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(query, "tags=red&tags=blue&filter%5Bcolour%5D=red");

    // HTTP errors are error results naming the status, with the body.
    let missing = client
        .call_tool("read_item_items", json!({"item_id": 404}))
        .raise_on_error(false)
        .await
        .unwrap();
    assert!(missing.is_error());
    assert_eq!(
        missing.text(),
        r#"HTTP error 404: Not Found - {"detail":"no such item"}"#
    );
    let failed = client
        .call_tool("GET_statsby_tag", json!({}))
        .raise_on_error(false)
        .await
        .unwrap();
    assert_eq!(
        failed.text(),
        "HTTP error 500: Internal Server Error - database down"
    );

    // An image answer is image content; other bytes an embedded blob.
    let logo = client.call_tool("logo", json!({})).await.unwrap();
    let logo = serde_json::to_value(logo.content()).unwrap();
    assert_eq!(logo[0]["type"], "image");
    assert_eq!(logo[0]["mimeType"], "image/png");
    let archive = client.call_tool("archive", json!({})).await.unwrap();
    let archive = serde_json::to_value(archive.content()).unwrap();
    assert_eq!(archive[0]["type"], "resource");
    assert_eq!(archive[0]["resource"]["blob"], "AQID");

    // A recursive body goes through whole.
    let tree = json!({"value": 1, "children": [{"value": 2, "children": []}]});
    let planted = client.call_tool("plantTree", tree.clone()).await.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&planted.text()).unwrap(),
        tree
    );
}

#[tokio::test]
async fn documents_that_cannot_be_served_say_why() {
    let swagger = Spec::parse(r#"{"swagger": "2.0", "paths": {}}"#).unwrap_err();
    assert!(matches!(swagger, OpenApiError::Version(_)), "{swagger}");
    let garbage = Spec::parse("{ not: [json").unwrap_err();
    assert!(matches!(garbage, OpenApiError::Syntax(_)), "{garbage}");
    let json_spec = serde_json::to_string(&shop_as_json()).unwrap();
    // The same document as JSON gives the same server.
    let from_json = OpenApi::new(Spec::parse(&json_spec).unwrap())
        .build()
        .unwrap();
    let from_yaml = OpenApi::new(Spec::parse(SHOP).unwrap()).build().unwrap();
    let names = |server: &FastMCP| {
        let mut names: Vec<String> = server
            .tools()
            .iter()
            .map(|t| t.definition().name.to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&from_json), names(&from_yaml));
    assert_eq!(names(&from_json).len(), 10);
    // No base URL: the document's first server (its variables filled in) is used.
    let server = OpenApi::new(Spec::parse(SHOP).unwrap()).build().unwrap();
    assert!(!server.tools().is_empty());
    let no_server =
        Spec::parse(r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#)
            .unwrap();
    assert!(matches!(
        OpenApi::new(no_server).build().unwrap_err(),
        OpenApiError::NoBaseUrl
    ));
}

#[tokio::test]
async fn route_maps_make_resources_and_templates() {
    let addr = shop().await;
    let maps = vec![
        RouteMap::new(McpType::ResourceTemplate)
            .methods(["GET"])
            .pattern(r"^/items/")
            .unwrap(),
        RouteMap::new(McpType::Resource).pattern("^/logo$").unwrap(),
        RouteMap::new(McpType::Exclude).methods(["POST", "PUT"]),
    ];
    let (_server, client) = connect(addr, maps).await;
    let tools = client.list_tools().await.unwrap();
    assert_eq!(
        sorted_names(&tools),
        [
            "GET_statsby_tag",
            "Search_by_tags",
            "archive",
            "slow",
            "whoami"
        ]
    );
    let templates = client.list_resource_templates().await.unwrap();
    assert_eq!(templates.len(), 1);
    assert_eq!(
        templates[0].uri_template,
        "resource://read_item_items/{item_id}"
    );
    let resources = client.list_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["resource://logo"]);

    let item = client
        .read_resource("resource://read_item_items/5")
        .await
        .unwrap();
    let item = serde_json::to_value(&item).unwrap();
    assert_eq!(item[0]["mimeType"], "application/json", "{item}");
    let text: Value = serde_json::from_str(item[0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text["id"], 5);
    let logo =
        serde_json::to_value(client.read_resource("resource://logo").await.unwrap()).unwrap();
    assert_eq!(logo[0]["mimeType"], "image/png");
    assert!(logo[0]["blob"].is_string(), "{logo}");
    let missing = client
        .read_resource("resource://read_item_items/404")
        .await
        .unwrap_err();
    assert!(missing.to_string().contains("HTTP error 404"), "{missing}");
}

/// The shop document as JSON (through the library's own reading of the YAML).
fn shop_as_json() -> Value {
    Spec::parse(SHOP).unwrap().document().clone()
}

#[tokio::test]
async fn the_mcp_clients_headers_reach_the_api_only_when_named() {
    let api = shop().await;
    let whoami = |forward: bool| async move {
        let mut openapi =
            OpenApi::new(Spec::parse(SHOP).unwrap()).base_url(format!("http://{api}/api"));
        if forward {
            openapi = openapi.forward_headers(["Authorization"]).unwrap();
        }
        let server = openapi.build().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        let serving = stop.clone();
        tokio::spawn(async move {
            server
                .serve_http(listener, fastmcp::HttpOptions::default(), serving)
                .await
                .unwrap()
        });
        let client = Client::builder()
            .bearer_token("let-me-in")
            .connect(format!("http://{addr}/mcp").as_str())
            .await
            .unwrap();
        let seen = client.call_tool("whoami", json!({})).await.unwrap();
        let seen = seen.structured_content().unwrap()["authorization"].clone();
        stop.cancel();
        seen
    };
    assert_eq!(whoami(true).await, "Bearer let-me-in");
    assert_eq!(whoami(false).await, Value::Null);
}

#[tokio::test]
async fn an_openapi_server_mounts_like_any_other() {
    let api = shop().await;
    let shop_server =
        FastMCP::from_openapi(Spec::parse(SHOP).unwrap(), format!("http://{api}/api")).unwrap();
    let parent = FastMCP::new("parent").mount(shop_server, "shop");
    let client = Client::connect(&parent).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    assert!(
        tools.iter().any(|tool| tool.name == "shop_createItem"),
        "{tools:?}"
    );
    let item = client
        .call_tool("shop_read_item_items", json!({"item_id": 8}))
        .await
        .unwrap();
    assert_eq!(item.structured_content().unwrap()["id"], 8);
}

/// Tells `started` when a request arrives, then never answers; tells `dropped` when hyper
/// drops it (the caller went away).
async fn slow_api() -> (
    SocketAddr,
    tokio::sync::mpsc::Receiver<()>,
    tokio::sync::mpsc::Receiver<()>,
) {
    struct Tell(tokio::sync::mpsc::Sender<()>);
    impl Drop for Tell {
        fn drop(&mut self) {
            let _ = self.0.try_send(());
        }
    }
    let (started, started_rx) = tokio::sync::mpsc::channel(1);
    let (dropped, dropped_rx) = tokio::sync::mpsc::channel(1);
    let app = Router::new().route(
        "/api/slow",
        get(move || {
            let (started, dropped) = (started.clone(), dropped.clone());
            async move {
                let _tell = Tell(dropped);
                let _ = started.send(()).await;
                std::future::pending::<()>().await;
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, started_rx, dropped_rx)
}

#[tokio::test]
async fn a_cancelled_call_aborts_its_http_request() {
    let (api, mut started, mut dropped) = slow_api().await;
    let server =
        FastMCP::from_openapi(Spec::parse(SHOP).unwrap(), format!("http://{api}/api")).unwrap();
    let client = Client::connect(&server).await.unwrap();
    let call = tokio::spawn(async move { client.call_tool("slow", json!({})).await });
    let bounded = Duration::from_secs(30);
    tokio::time::timeout(bounded, started.recv())
        .await
        .expect("the API got the call");
    call.abort(); // the caller stops waiting: the call is cancelled on the server
    tokio::time::timeout(bounded, dropped.recv())
        .await
        .expect("the API's request was aborted");
}

/// The tools' names, sorted.
fn sorted_names(tools: &[fastmcp::types::Tool]) -> Vec<&str> {
    let mut names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    names.sort();
    names
}

const PETSTORE: &str = include_str!("../data/petstore.json");

/// A few of the Petstore's endpoints, answering what they were sent.
async fn petstore() -> SocketAddr {
    let app = Router::new()
        .route(
            "/v2/pet/{pet_id}",
            get(|Path(id): Path<i64>| async move { Json(json!({"id": id, "name": "Rex", "photoUrls": []})) })
                .post(|Path(id): Path<i64>, axum::Form(form): axum::Form<HashMap<String, String>>| async move {
                    Json(json!({"id": id, "form": form}))
                }),
        )
        .route(
            "/v2/pet/findByStatus",
            get(|RawQuery(query): RawQuery| async move { Json(json!([{"name": query.unwrap_or_default(), "photoUrls": []}])) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test]
async fn the_petstore_document_is_served_as_fastmcp_serves_it() {
    let api = petstore().await;
    let server =
        FastMCP::from_openapi(Spec::parse(PETSTORE).unwrap(), format!("http://{api}/v2")).unwrap();
    let client = Client::connect(&server).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    // The names Python FastMCP gives (interop/python_openapi.py compares them live).
    assert_eq!(
        sorted_names(&tools),
        [
            "addPet",
            "createUser",
            "createUsersWithArrayInput",
            "createUsersWithListInput",
            "deleteOrder",
            "deletePet",
            "deleteUser",
            "findPetsByStatus",
            "findPetsByTags",
            "getInventory",
            "getOrderById",
            "getPetById",
            "getUserByName",
            "loginUser",
            "logoutUser",
            "placeOrder",
            "updatePet",
            "updatePetWithForm",
            "updateUser",
            "uploadFile"
        ]
    );
    let schema = |name: &str| input_schema(&tools, name);
    // A body given by a $ref to components/requestBodies, its schemas carried in $defs.
    let add = schema("addPet");
    assert_eq!(add["required"], json!(["name", "photoUrls"]));
    assert_eq!(add["properties"]["category"]["$ref"], "#/$defs/Category");
    assert!(add["$defs"]["Tag"].is_object(), "{add}");
    // A multipart body's fields are arguments, beside the path parameter.
    let upload = schema("uploadFile");
    let mut fields: Vec<&String> = upload["properties"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["additionalMetadata", "file", "petId"]);

    let pet = client
        .call_tool("getPetById", json!({"petId": 7}))
        .await
        .unwrap();
    assert_eq!(pet.structured_content().unwrap()["id"], 7);
    let found = client
        .call_tool("findPetsByStatus", json!({"status": ["available", "sold"]}))
        .await
        .unwrap();
    assert_eq!(
        found.structured_content().unwrap()["result"][0]["name"],
        "status=available&status=sold"
    );
    // A form body, sent as a form.
    let updated = client
        .call_tool(
            "updatePetWithForm",
            json!({"petId": 7, "name": "Max", "status": "sold"}),
        )
        .await
        .unwrap();
    assert_eq!(
        updated.structured_content().unwrap()["form"],
        json!({"name": "Max", "status": "sold"})
    );
}

/// The input schema of the tool `name`.
fn input_schema(tools: &[fastmcp::types::Tool], name: &str) -> Value {
    let tool = tools.iter().find(|tool| tool.name == name).unwrap();
    Value::Object((*tool.input_schema).clone())
}
