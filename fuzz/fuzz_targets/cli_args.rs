//! The CLI's `KEY=VALUE` coercion: the first line is a tool's input schema (or, if it is not
//! a JSON object, a schema with every kind of property), the rest are `KEY=VALUE` words.
#![no_main]

#[path = "../../crates/fastmcp-cli/src/args.rs"]
#[allow(dead_code)]
mod args;

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (schema, rest) = text.split_once('\n').unwrap_or(("", text));
    let schema = match serde_json::from_str::<Value>(schema) {
        Ok(Value::Object(schema)) => schema,
        _ => json!({"type": "object", "properties": {
            "n": {"type": "integer"}, "x": {"type": "number"}, "b": {"type": "boolean"},
            "s": {"type": "string"}, "list": {"type": "array", "items": {"type": "integer"}},
            "obj": {"type": "object"}, "either": {"type": ["integer", "null"]},
            "choice": {"enum": ["a", "b"]}
        }})
        .as_object()
        .cloned()
        .unwrap_or_default(),
    };
    let pairs: Vec<String> = rest.lines().map(str::to_owned).collect();
    let _ = args::build_arguments(&schema, None, &pairs);
});
