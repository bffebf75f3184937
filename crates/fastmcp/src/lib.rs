//! # FastMCP for Rust
//!
//! The fast, ergonomic way to build [Model Context Protocol](https://modelcontextprotocol.io)
//! servers and clients. Tools are plain Rust functions; what they need (a [`Context`]) arrives
//! by type; progress flows end to end, with none lost.
//!
//! ```no_run
//! use fastmcp::{tool, Context, FastMCP};
//!
//! /// Add two numbers.
//! #[tool]
//! fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! /// Work through `steps` steps, reporting progress.
//! #[tool]
//! async fn long_task(ctx: Context, steps: u32) -> String {
//!     for i in 1..=steps {
//!         ctx.report_progress(i as f64, Some(steps as f64), Some(&format!("step {i} of {steps}"))).await;
//!     }
//!     format!("done after {steps} steps")
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), fastmcp::Error> {
//!     FastMCP::new("quickstart").tool(add).tool(long_task).run_stdio().await
//! }
//! ```
//!
//! Built on [`rmcp`], the official Rust SDK: its wire types are re-exported as [`types`], and a
//! server [`Session`](server::Session) implements rmcp's `ServerHandler`.

#[cfg(feature = "client")]
pub mod client;
pub mod completion;
pub mod error;
pub mod logging;
pub mod middleware;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod prompts;
mod protocol;
#[cfg(feature = "client")]
pub mod proxy;
pub mod resources;
pub mod server;
pub mod settings;
#[cfg(feature = "redis")]
pub mod stores;
pub mod tools;
pub mod transforms;
pub mod transports;
pub mod types;
pub mod utilities;

#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder};
pub use error::{Error, RequestError, ToolError};
#[cfg(feature = "macros")]
pub use fastmcp_macros::{prompt, resource, tool};
pub use logging::LogLevel;
pub use prompts::{IntoPrompt, Prompt};
pub use resources::{IntoResource, IntoResourceTemplate, Resource, ResourceTemplate};
#[cfg(feature = "http-server")]
pub use server::HttpOptions;
pub use server::{Context, DuplicatePolicy, Elicitation, FastMCP, Filter};
pub use tools::{IntoTool, Tool, ToolResult};
pub use utilities::{CacheHint, ComponentMeta};

/// Re-exports used by code that `#[tool]` generates. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
    pub use serde_json;

    pub use crate::server::param::{ContextSlot, Injected, Param, Unnamed};

    /// `#[tool]`: output schemas and results, by what the function returns.
    pub mod tools {
        pub use crate::tools::macro_support::*;
    }

    /// `#[resource]`: contents, by what the function returns.
    pub mod resources {
        pub use crate::resources::macro_support::*;
    }

    /// `#[resource]` and `#[prompt]`: a function's error as a JSON-RPC error.
    pub mod request_error {
        pub use crate::error::request_error_support::*;
    }
}

/// The README's code blocks, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
