//! A server built from parts: the quickstart mounted under `qs` (`qs_add`, `qs_long_task`,
//! progress passing through), the everything server's resources and templates under `ev`
//! (`test://ev/static-text`, `test://ev/template/{id}/data`), `add_ten` made from `add` with
//! `b` hidden at 10, and Logging, Timing and ErrorHandling (masking) middleware around it all.
//!
//! ```sh
//! cargo run -p fastmcp-cli -- call "cargo run -q -p fastmcp --example composed" qs_long_task steps=5
//! cargo run -p fastmcp --example composed -- --http 127.0.0.1:8000
//! ```

#[allow(dead_code)]
#[path = "everything/main.rs"]
mod everything;
#[allow(dead_code)]
#[path = "quickstart.rs"]
mod quickstart;

use fastmcp::middleware::{ErrorHandling, Logging, Timing};
use fastmcp::tools::ArgTransform;
use fastmcp::{FastMCP, Tool, tool};
use serde_json::json;

/// Fails the way a bug does: the details are for the log, not for the client.
#[tool]
fn boom() -> Result<String, std::io::Error> {
    Err(std::io::Error::other(
        "connection to database db.internal:5432 refused",
    ))
}

/// The everything server's resources and templates only.
fn everything_resources() -> FastMCP {
    let everything = everything::server();
    for tool in everything.tools() {
        everything.remove_tool(tool.name());
    }
    for prompt in everything.prompts() {
        everything.remove_prompt(prompt.name());
    }
    everything
}

/// `add` with `b` hidden and fixed at 10.
fn add_ten() -> anyhow::Result<Tool> {
    let quickstart = quickstart::server();
    let add = quickstart
        .tools()
        .into_iter()
        .find(|tool| tool.name() == "add")
        .ok_or_else(|| anyhow::anyhow!("the quickstart has no `add` tool"))?;
    Ok(Tool::from_tool(add)
        .name("add_ten")
        .description("Add ten to a number.")
        .arg("b", ArgTransform::new().hide().default(json!(10)))
        .build()?)
}

/// The composed server.
fn server() -> anyhow::Result<FastMCP> {
    Ok(FastMCP::new("composed")
        .middleware(Logging::new())
        .middleware(Timing::new())
        .middleware(ErrorHandling::new().mask_error_details(true))
        .mount(quickstart::server(), "qs")
        .mount(everything_resources(), "ev")
        .tool(add_ten()?)
        .tool(boom))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr (stdout carries the protocol); the middleware logs at INFO.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FASTMCP_LOG_LEVEL")
                .unwrap_or_else(|_| "info,rmcp=error".into()),
        )
        .init();
    // stdio by default; `--http 127.0.0.1:8000 [--stateless] [--json-response]` for HTTP.
    server()?.run().await?;
    Ok(())
}
