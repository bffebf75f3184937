//! The stdio line decoder and message parsers, both roles: whatever arrives, each line is a
//! message, an error answer, or skipped; never a panic or a hang.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use fastmcp::transports::LineTransport;
use libfuzzer_sys::fuzz_target;
use rmcp::transport::Transport as _;
use rmcp::{RoleClient, RoleServer};

fuzz_target!(|data: &[u8]| {
    common::RUNTIME.block_on(async {
        let input = || std::io::Cursor::new(data.to_vec());
        let mut server: LineTransport<RoleServer, _> =
            LineTransport::new(input(), tokio::io::sink()).with_max_message_size(4096);
        while server.receive().await.is_some() {}
        let mut client: LineTransport<RoleClient, _> =
            LineTransport::new(input(), tokio::io::sink()).with_max_message_size(4096);
        while client.receive().await.is_some() {}
        // Let the transports' writer tasks finish: a current-thread `block_on` whose future
        // completes without yielding never runs them, and they would pile up across runs.
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
    });
});
