//! The quickstart server: `add` and `long_task` (which reports progress), over stdio, or over
//! Streamable HTTP with `-- --http 127.0.0.1:8000` (add `--stateless` for the stateless protocol).
//!
//! Run it through the CLI to watch the progress bar:
//!
//! ```sh
//! cargo run -p fastmcp-cli -- call "cargo run -q -p fastmcp --example quickstart" long_task steps=5
//! ```

use std::time::Duration;

use fastmcp::{Context, FastMCP, tool};

/// Add two integers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Work through `steps` steps, pausing `delay_ms` milliseconds on each, reporting progress.
#[tool]
async fn long_task(
    ctx: Context,
    #[arg(description = "How many steps to run")] steps: u32,
    #[arg(description = "Pause per step, in milliseconds", default = 100)] delay_ms: u64,
) -> String {
    for i in 1..=steps {
        if delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        }
        let message = format!("step {i} of {steps}");
        ctx.report_progress(f64::from(i), Some(f64::from(steps)), Some(&message))
            .await;
    }
    format!("done after {steps} steps")
}

/// The quickstart server, for the example binary and for tests.
pub fn server() -> FastMCP {
    FastMCP::new("quickstart").tool(add).tool(long_task)
}

// One thread serves a stdio connection well and keeps the process small (BENCHMARKS.md);
// drop the flavor for the multi-threaded runtime when serving HTTP under load.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr: stdout carries the protocol.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FASTMCP_LOG_LEVEL")
                .unwrap_or_else(|_| "warn,rmcp=error".into()),
        )
        .init();
    // stdio by default; `--http 127.0.0.1:8000 [--stateless] [--json-response]` for HTTP.
    server().run().await?;
    Ok(())
}
