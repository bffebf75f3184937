//! HTTP POST bodies: on the 2026-07-28 direct path (headers it vouches for), as a legacy
//! request, and as a 2026-07-28 request rmcp serves. Any body gets an HTTP answer.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let v2026 = ("mcp-protocol-version", "2026-07-28");
    let headers: &[(&str, &str)] = match selector % 4 {
        0 => &[v2026, ("mcp-method", "tools/call"), ("mcp-name", "echo")],
        1 => &[v2026, ("mcp-method", "tools/list")],
        2 => &[v2026],
        _ => &[],
    };
    common::post(headers, body.to_vec());
});
