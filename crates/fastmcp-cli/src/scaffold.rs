//! `fastmcp new NAME [--http]`: a Cargo project for a new server that builds, and whose test
//! passes, as generated.

use std::path::Path;

/// Creates the project `name` in the current directory.
pub fn create(name: &str, http: bool, fastmcp_path: Option<&Path>) -> Result<(), String> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphabetic());
    if !valid {
        return Err(format!(
            "'{name}' is not a usable crate name: start with a letter, then letters, digits, - or _"
        ));
    }
    let dir = Path::new(name);
    if dir.exists() {
        return Err(format!(
            "{name} already exists: pick another name or remove it"
        ));
    }
    let crate_name = name.replace('-', "_");
    let dependency = match fastmcp_path {
        Some(path) => {
            let path = path
                .canonicalize()
                .map_err(|error| format!("--fastmcp-path {}: {error}", path.display()))?;
            format!("{{ path = {:?} }}", path.to_string_lossy())
        }
        None => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    };
    let files = [
        ("Cargo.toml", cargo_toml(name, &dependency)),
        ("src/lib.rs", LIB_RS.replace("{name}", name)),
        ("src/main.rs", main_rs(&crate_name, http)),
        ("tests/server.rs", TEST_RS.replace("{crate}", &crate_name)),
        ("README.md", readme(name, http)),
        (".gitignore", "/target\n".to_owned()),
    ];
    for (file, text) in files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
        }
        std::fs::write(&path, text)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    let next = if http {
        format!(
            "`cargo run --release`, then `fastmcp install claude-code http://127.0.0.1:8000/mcp --name {name}`"
        )
    } else {
        format!(
            "`cargo build --release`, then `fastmcp install claude-desktop target/release/{name}`"
        )
    };
    eprintln!("created {name}/: `cd {name} && cargo test`; {next}");
    Ok(())
}

fn cargo_toml(name: &str, dependency: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"

[dependencies]
fastmcp = {dependency}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "time"] }}
anyhow = "1"

[dev-dependencies]
serde_json = "1"
"#
    )
}

const LIB_RS: &str = r#"//! The {name} MCP server: its tools, resources and prompts.

use std::time::Duration;

use fastmcp::{Context, FastMCP, prompt, resource, tool};

/// Add two numbers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Count to `steps`, reporting progress on the way.
#[tool]
async fn count(
    ctx: Context,
    #[arg(description = "How many steps", default = 5)] steps: u32,
) -> String {
    for step in 1..=steps {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let message = format!("step {step} of {steps}");
        ctx.report_progress(f64::from(step), Some(f64::from(steps)), Some(&message))
            .await;
    }
    format!("counted to {steps}")
}

/// A greeting, as a resource.
#[resource("greeting://hello")]
fn hello() -> String {
    "Hello from {name}!".into()
}

/// Ask for a summary of a text.
#[prompt]
fn summarize(#[arg(description = "The text to summarize")] text: String) -> String {
    format!("Summarize this in one sentence:\n\n{text}")
}

/// The server, for `main` and for tests.
pub fn server() -> FastMCP {
    FastMCP::new("{name}")
        .tool(add)
        .tool(count)
        .resource(hello)
        .prompt(summarize)
}
"#;

fn main_rs(crate_name: &str, http: bool) -> String {
    let serve = if http {
        r#"    // Streamable HTTP on 127.0.0.1:8000 (or `--http ADDR`, `FASTMCP_HTTP=ADDR`).
    let addr = std::env::args()
        .skip_while(|arg| arg != "--http")
        .nth(1)
        .or_else(|| std::env::var("FASTMCP_HTTP").ok())
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    eprintln!("serving MCP at http://{addr}/mcp");
    server().run_http(addr, fastmcp::HttpOptions::default()).await?;"#
    } else {
        r#"    // stdio (what MCP clients start), or `--http 127.0.0.1:8000` for HTTP.
    server().run().await?;"#
    };
    format!(
        r#"use {crate_name}::server;

#[tokio::main]
async fn main() -> anyhow::Result<()> {{
{serve}
    Ok(())
}}
"#
    )
}

const TEST_RS: &str = r#"//! The server, called through the in-memory client.

use std::sync::{Arc, Mutex};

use fastmcp::Client;
use serde_json::json;

#[tokio::test]
async fn add_adds() {
    let client = Client::connect({crate}::server()).await.unwrap();
    let result = client.call_tool("add", json!({"a": 2, "b": 3})).await.unwrap();
    assert_eq!(result.text(), "5");
}

#[tokio::test]
async fn count_reports_progress() {
    let client = Client::connect({crate}::server()).await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let result = client
        .call_tool("count", json!({"steps": 3}))
        .progress(move |progress, _total, _message| {
            record.lock().unwrap().push(progress);
            async {}
        })
        .await
        .unwrap();
    assert_eq!(result.text(), "counted to 3");
    assert_eq!(*seen.lock().unwrap(), [1.0, 2.0, 3.0]);
}

#[tokio::test]
async fn the_resource_and_the_prompt_are_there() {
    let client = Client::connect({crate}::server()).await.unwrap();
    let contents = client.read_resource("greeting://hello").await.unwrap();
    assert!(format!("{contents:?}").contains("Hello from"));
    let prompt = client
        .get_prompt("summarize", json!({"text": "MCP connects models to tools."}))
        .await
        .unwrap();
    assert_eq!(prompt.messages.len(), 1);
}
"#;

fn readme(name: &str, http: bool) -> String {
    let install = if http {
        format!(
            "Start it (`cargo run --release`), then add it to a client by URL:\n\n\
             ```sh\nfastmcp install claude-code http://127.0.0.1:8000/mcp --name {name}\n\
             fastmcp install claude-desktop http://127.0.0.1:8000/mcp --name {name}   # through `fastmcp run`\n```\n"
        )
    } else {
        format!(
            "Build it, then add it to a client (the entry runs the binary by its absolute path):\n\n\
             ```sh\ncargo build --release\nfastmcp install claude-desktop target/release/{name}\n\
             fastmcp install cursor target/release/{name}\nfastmcp install claude-code target/release/{name}\n```\n"
        )
    };
    format!(
        "# {name}\n\nAn MCP server built with [FastMCP for Rust](https://github.com/fastmcp-rs/fastmcp): \
         a tool with live progress (`count`), `add`, a resource (`greeting://hello`) and a prompt \
         (`summarize`), in `src/lib.rs`.\n\n\
         ## Try it\n\n```sh\ncargo test\nfastmcp list \"cargo run -q\" --resources --prompts\n\
         fastmcp call \"cargo run -q\" count steps=5\n```\n\n## Install it\n\n{install}"
    )
}
