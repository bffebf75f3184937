//! The MCP wire types, re-exported from [`rmcp::model`] for raw access.
//!
//! The everyday API (`FastMCP`, `Client`, `ToolResult`, …) is FastMCP's own; reach for these
//! when you need a protocol field it does not surface.
//!
//! ```
//! use fastmcp::types::{ContentBlock, ProgressToken, NumberOrString};
//! let token = ProgressToken(NumberOrString::Number(7));
//! let block = ContentBlock::text("hello");
//! assert!(block.as_text().is_some());
//! # let _ = token;
//! ```
#![allow(deprecated)]

pub use rmcp::model::*;
