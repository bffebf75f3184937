//! The client side of the official MCP conformance suite: one binary for every scenario.
//!
//! The suite runs it as `conformance_client <server-url>` with the scenario's name in
//! `MCP_CONFORMANCE_SCENARIO` (and, for some, JSON in `MCP_CONFORMANCE_CONTEXT`):
//!
//! ```sh
//! cargo build -p fastmcp --example conformance_client
//! npx @modelcontextprotocol/conformance@0.1.16 client \
//!     --command target/debug/examples/conformance_client --suite all
//! ```
//!
//! Each scenario is what an application would do with [`fastmcp::Client`]; the protocol
//! details the suite checks (headers, retries, resumption, defaults) come from the library.

use anyhow::{Context as _, bail};
use fastmcp::Client;
use fastmcp::client::{
    ClientBuilder, ClientCredentials, ElicitationResponse, EnterpriseManaged, Era, OAuth,
    WorkloadIdentity,
};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FASTMCP_LOG_LEVEL")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO")
        .context("MCP_CONFORMANCE_SCENARIO is not set (the conformance runner sets it)")?;
    let url = std::env::args()
        .next_back()
        .filter(|arg| arg.starts_with("http"))
        .context("usage: conformance_client <server-url>")?;
    let context: Value = match std::env::var("MCP_CONFORMANCE_CONTEXT") {
        Ok(raw) => serde_json::from_str(&raw).context("MCP_CONFORMANCE_CONTEXT is not JSON")?,
        Err(_) => Value::Null,
    };
    run(&scenario, &url, &context).await
}

async fn run(scenario: &str, url: &str, context: &Value) -> anyhow::Result<()> {
    match scenario {
        "initialize" | "json-schema-ref-no-deref" => {
            let client = Client::connect(url).await?;
            client.list_tools().await?;
            client.close().await?;
        }
        "tools_call" => {
            let client = Client::connect(url).await?;
            client.list_tools().await?;
            let result = client
                .call_tool("add_numbers", json!({"a": 5, "b": 3}))
                .await?;
            println!("{}", result.text());
            client.close().await?;
        }
        "sse-retry" => {
            let client = Client::builder().era(Era::Legacy).connect(url).await?;
            client.list_tools().await?;
            client.call_tool("test_reconnection", json!({})).await?;
            client.close().await?;
        }
        "elicitation-sep1034-client-defaults" => {
            // Accept without filling anything in: the client applies the schema's defaults.
            let client = Client::builder()
                .elicitation_handler(|_| async { ElicitationResponse::Accept(json!({})) })
                .connect(url)
                .await?;
            // The scenario's server sends its elicitation on the session's GET stream, which
            // the client opens right after connecting; a round trip first gives it time to
            // be there (a request sent before it exists is lost by that server).
            client.list_tools().await?;
            client
                .call_tool("test_client_elicitation_defaults", json!({}))
                .await?;
            client.close().await?;
        }
        "sep-2322-client-request-state" => request_state(url).await?,
        "request-metadata" => {
            let client = Client::connect(url).await?;
            client.list_tools().await?;
            client.call_tool("test_tool", json!({})).await?;
            client.close().await?;
        }
        "http-standard-headers" => standard_headers(url).await?,
        "http-custom-headers" => custom_headers(url, context).await?,
        "http-invalid-tool-headers" => call_every_listed_tool(url).await?,
        "json-schema-2020-12-preservation" => schema_echo(url).await?,
        "auth/pre-registration" => {
            let oauth = oauth()
                .client_id(text(context, "client_id")?)
                .client_secret(text(context, "client_secret")?);
            use_tools(Client::builder().oauth(oauth), url).await?;
        }
        "auth/client-credentials-basic" => {
            let credentials = ClientCredentials::secret(
                text(context, "client_id")?,
                text(context, "client_secret")?,
            );
            use_tools(Client::builder().client_credentials(credentials), url).await?;
        }
        "auth/client-credentials-jwt" => {
            let credentials = ClientCredentials::private_key_jwt(
                text(context, "client_id")?,
                text(context, "private_key_pem")?,
                context["signing_algorithm"].as_str().unwrap_or("ES256"),
            )?;
            use_tools(Client::builder().client_credentials(credentials), url).await?;
        }
        "auth/enterprise-managed-authorization" | "auth/cross-app-access-complete-flow" => {
            let ema = EnterpriseManaged::new(
                text(context, "idp_issuer")?,
                text(context, "idp_token_endpoint")?,
                text(context, "idp_client_id")?,
                text(context, "idp_id_token")?,
                text(context, "client_id")?,
            )
            .client_secret(text(context, "client_secret")?);
            use_tools(Client::builder().enterprise_managed(ema), url).await?;
        }
        "auth/wif-jwt-bearer" => {
            let workload =
                WorkloadIdentity::new(text(context, "client_id")?, text(context, "valid_jwt")?);
            use_tools(Client::builder().workload_identity(workload), url).await?;
        }
        other if other.starts_with("auth/") => {
            use_tools(Client::builder().oauth(oauth()), url).await?;
        }
        other => bail!("unknown scenario {other:?}"),
    }
    Ok(())
}

/// The suite's authorization servers approve at once, so the flow runs without a user; the
/// client identifies itself with a metadata document URL where the server supports that.
fn oauth() -> OAuth {
    OAuth::headless("http://localhost:3000/callback")
        .client_name("fastmcp-conformance-client")
        .client_metadata_url("https://conformance-test.local/client-metadata.json")
}

fn text<'a>(context: &'a Value, key: &str) -> anyhow::Result<&'a str> {
    context[key]
        .as_str()
        .with_context(|| format!("the scenario context has no {key}"))
}

/// Connects (authorizing when challenged), lists the tools and calls each.
async fn use_tools(builder: ClientBuilder, url: &str) -> anyhow::Result<()> {
    let client = builder.connect(url).await?;
    call_each(&client).await?;
    client.close().await?;
    Ok(())
}

/// Multi-round-trip requests (SEP-2322): the library answers `input_required` results and
/// retries with the server's `requestState`.
async fn request_state(url: &str) -> anyhow::Result<()> {
    let client = Client::builder()
        .elicitation_handler(|_| async { ElicitationResponse::Accept(json!({"confirmed": true})) })
        .connect(url)
        .await?;
    for tool in [
        "test_mrtr_echo_state",
        "test_mrtr_unrelated",
        "test_mrtr_no_state",
        "test_mrtr_no_result_type",
    ] {
        let result = client.call_tool(tool, json!({})).await?;
        println!("{tool}: {}", result.text());
    }
    client.close().await?;
    Ok(())
}

/// Touches every kind of request that carries `Mcp-Method` / `Mcp-Name` headers.
async fn standard_headers(url: &str) -> anyhow::Result<()> {
    let client = Client::connect(url).await?;
    for tool in client.list_tools().await? {
        client.call_tool(tool.name.as_ref(), json!({})).await?;
    }
    for resource in client.list_resources().await? {
        client.read_resource(resource.uri.as_str()).await?;
    }
    for prompt in client.list_prompts().await? {
        client.get_prompt(prompt.name.as_str(), json!({})).await?;
    }
    client.close().await?;
    Ok(())
}

/// Makes the tool calls the scenario lists in its context (`toolCalls`).
async fn custom_headers(url: &str, context: &Value) -> anyhow::Result<()> {
    let calls = context["toolCalls"]
        .as_array()
        .context("the scenario context has no toolCalls")?;
    let client = Client::connect(url).await?;
    client.list_tools().await?;
    for call in calls {
        let name = call["name"]
            .as_str()
            .context("a tool call without a name")?;
        client
            .call_tool(name, call["arguments"].clone())
            .await
            .with_context(|| format!("calling {name}"))?;
    }
    client.close().await?;
    Ok(())
}

/// Calls each tool the library kept from `tools/list` (it drops tools whose `x-mcp-header`
/// annotations are invalid), with a placeholder for each required argument.
async fn call_every_listed_tool(url: &str) -> anyhow::Result<()> {
    let client = Client::connect(url).await?;
    call_each(&client).await?;
    client.close().await?;
    Ok(())
}

async fn call_each(client: &Client) -> anyhow::Result<()> {
    for tool in client.list_tools().await? {
        let schema = Value::Object(tool.input_schema.as_ref().clone());
        let mut arguments = serde_json::Map::new();
        for name in schema["required"].as_array().into_iter().flatten() {
            let Some(name) = name.as_str() else { continue };
            let value = match schema["properties"][name]["type"].as_str() {
                Some("integer" | "number") => json!(1),
                Some("boolean") => json!(true),
                Some("object") => json!({}),
                Some("array") => json!([]),
                Some("null") => Value::Null,
                _ => json!("value"),
            };
            arguments.insert(name.to_owned(), value);
        }
        client
            .call_tool(tool.name.as_ref(), Value::Object(arguments))
            .await?;
    }
    Ok(())
}

/// Sends the focal tool's input schema back verbatim, to show nothing was lost in parsing.
async fn schema_echo(url: &str) -> anyhow::Result<()> {
    let client = Client::connect(url).await?;
    let tools = client.list_tools().await?;
    let focal = tools
        .iter()
        .find(|tool| tool.name == "json_schema_2020_12_tool")
        .context("the server did not list json_schema_2020_12_tool")?;
    client
        .call_tool(
            "json_schema_echo",
            json!({"schema": focal.input_schema.as_ref()}),
        )
        .await?;
    client.close().await?;
    Ok(())
}
