//! What the HTTP targets share: one runtime, one server, requests sent straight into its
//! router (no socket).
#![allow(dead_code)]

use std::sync::LazyLock;

use axum::body::Body;
use fastmcp::server::HttpOptions;
use fastmcp::{Context, FastMCP, tool};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

pub static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
});

/// Repeat the text.
#[tool]
fn echo(text: String) -> String {
    text
}

/// Ask the user a question, then answer.
#[tool]
async fn ask(ctx: Context) -> String {
    match ctx.elicit::<String>("Your name?").await {
        Ok(answer) => format!("{answer:?}"),
        Err(error) => error.to_string(),
    }
}

/// The router of a stateless server with `echo` and `ask` (built once).
pub static ROUTER: LazyLock<axum::Router> = LazyLock::new(|| {
    let _guard = RUNTIME.enter();
    FastMCP::new("fuzz")
        .tool(echo)
        .tool(ask)
        .http_router(HttpOptions::default().stateless(true), CancellationToken::new())
});

/// POSTs `body` with `headers` and reads the whole answer.
pub fn post(headers: &[(&str, &str)], body: Vec<u8>) {
    RUNTIME.block_on(async {
        let mut request = http::Request::post("/mcp")
            .header("host", "127.0.0.1:8000")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("content-length", body.len());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let Ok(request) = request.body(Body::from(body)) else {
            return;
        };
        let Ok(response) = ROUTER.clone().oneshot(request).await;
        let _ = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024).await;
    });
}
