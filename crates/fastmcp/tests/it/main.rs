//! FastMCP's integration tests, one binary (one link on CI), a module per area.
//!
//! Run one area with `cargo test -p fastmcp --test it AREA::` (for example `http::`).

mod common;

#[cfg(all(feature = "server-auth", feature = "auth"))]
mod auth;
#[cfg(feature = "client")]
mod balancer;
mod cache_hints;
mod composition;
mod context;
mod faults;
mod handshake;
mod http;
mod interop_python;
mod interop_ts;
mod limits;
mod load;
mod middleware;
#[cfg(feature = "openapi")]
mod openapi;
mod progress;
mod proxy;
#[cfg(feature = "redis")]
mod redis;
mod schema;
mod stdio;
mod surface;
mod tasks;
mod tools;
