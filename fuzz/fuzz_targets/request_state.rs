//! `requestState` from the client (2026-07-28 input rounds): a forged, truncated or garbage
//! state is refused with an error, never trusted and never a panic.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let state = String::from_utf8_lossy(data);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "ask",
        "arguments": {},
        "requestState": state,
        "inputResponses": {"input-0": {"action": "accept", "content": {"value": "x"}}},
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "fuzz", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}
        }
    }});
    let headers = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "ask"),
    ];
    common::post(&headers, body.to_string().into_bytes());
});
