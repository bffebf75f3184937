//! Heap allocations per `tools/call` with no middleware, 5 middlewares that override nothing,
//! and 5 that wrap every request: exact counts (dhat's counting allocator), in one process over
//! the memory transport, client and server together.
//!
//! `cargo bench -p fastmcp --bench middleware_allocations`. A hook that is not overridden
//! passes the message on without a future, so the first two counts should be equal; a wrapping
//! hook costs its boxed future and the boxed rest of the chain.

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

use fastmcp::client::Era;
use fastmcp::middleware::{AnyRequest, Hook, Middleware, MiddlewareContext, Next};
use fastmcp::types::ClientRequest;
use fastmcp::{Client, FastMCP};
use serde_json::json;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const CALLS: u64 = 2_000;

struct Empty;
impl Middleware for Empty {}

struct Wrap;
impl Middleware for Wrap {
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        Hook::new(async move { next.run(request).await })
    }
}

fn server(kind: &str) -> FastMCP {
    let server = quickstart::server();
    match kind {
        "empty5" => (0..5).fold(server, |server, _| server.middleware(Empty)),
        "wrap5" => (0..5).fold(server, |server, _| server.middleware(Wrap)),
        _ => server,
    }
}

fn main() -> anyhow::Result<()> {
    let _profiler = dhat::Profiler::builder().testing().build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        println!("heap allocations per tools/call (client and server, memory transport)");
        let mut baseline = 0.0;
        for kind in ["none", "empty5", "wrap5"] {
            let client = Client::builder()
                .era(Era::Legacy)
                .connect(server(kind))
                .await?;
            for _ in 0..500 {
                client.call_tool("add", json!({"a": 1, "b": 2})).await?;
            }
            let before = dhat::HeapStats::get().total_blocks;
            for i in 0..CALLS {
                client.call_tool("add", json!({"a": i, "b": 1})).await?;
            }
            let blocks = dhat::HeapStats::get().total_blocks - before;
            let per_call = blocks as f64 / CALLS as f64;
            if kind == "none" {
                baseline = per_call;
            }
            println!(
                "  {kind:<7} {per_call:>7.2} allocations/call   vs none: {:+.2}",
                per_call - baseline
            );
        }
        Ok(())
    })
}
