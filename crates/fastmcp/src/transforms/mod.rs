//! Transforms: what a server offers, reshaped on its way to clients — names under a namespace,
//! renamed components, and resources or prompts offered as tools for clients that only speak
//! tools. Add them with [`FastMCP::transform`](crate::FastMCP::transform); they sit closest to
//! the server's components (inside all middleware), the first added innermost, and apply to
//! everything the server offers, its mounted servers' components included. To reshape one
//! provider, transform the server you mount.
//!
//! A single tool's arguments are reshaped with [`Tool::from_tool`](crate::Tool::from_tool)
//! ([`crate::tools::tool_transform`]).
//!
//! ```
//! use fastmcp::transforms::{Namespace, ResourcesAsTools};
//! let server = fastmcp::FastMCP::new("demo")
//!     .transform(Namespace::new("demo"))
//!     .transform(ResourcesAsTools::new());
//! # drop(server);
//! ```

mod as_tools;
mod filter;
mod names;
mod tool_transform;

pub use as_tools::{PromptsAsTools, ResourcesAsTools};
pub use filter::Filter;
pub use names::{Namespace, Rename};
pub use tool_transform::ToolTransform;
