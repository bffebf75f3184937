//! JSON Schemas (2020-12) from Rust types, the way MCP tools publish them.

use std::sync::Arc;

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use crate::types::JsonObject;

/// The marker Python FastMCP puts on output schemas whose value is wrapped as `{"result": …}`.
pub const WRAP_RESULT_MARKER: &str = "x-fastmcp-wrap-result";

/// The schema key marking a property the server supplies (a `Context` parameter of a
/// macro-built component); [`schema_for`] leaves such properties out.
pub const INJECTED_MARKER: &str = "x-fastmcp-injected";

/// The JSON Schema (draft 2020-12) of `T`, without the `$schema` and root `title` keys, and
/// without properties the server supplies (marked [`INJECTED_MARKER`]).
///
/// ```
/// #[derive(schemars::JsonSchema)]
/// struct Point { x: i64, y: i64 }
/// let schema = fastmcp::utilities::schema::schema_for::<Point>();
/// assert_eq!(schema["type"], "object");
/// assert_eq!(schema["required"], serde_json::json!(["x", "y"]));
/// ```
pub fn schema_for<T: JsonSchema>() -> JsonObject {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<T>();
    let mut object = match schema.to_value() {
        Value::Object(object) => object,
        // `true`/`false` schemas: describe "anything" explicitly.
        _ => Map::new(),
    };
    object.remove("$schema");
    object.remove("title");
    remove_injected(&mut object);
    object
}

/// Drops the properties the client never sends from `properties` and `required`.
fn remove_injected(schema: &mut JsonObject) {
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    let injected: Vec<String> = properties
        .iter()
        .filter(|(_, property)| property.get(INJECTED_MARKER).is_some())
        .map(|(name, _)| name.clone())
        .collect();
    if injected.is_empty() {
        return;
    }
    properties.retain(|name, _| !injected.contains(name));
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|name| {
            !name
                .as_str()
                .is_some_and(|name| injected.iter().any(|i| i == name))
        });
    }
}

/// An output schema and whether values must be wrapped as `{"result": value}`.
#[derive(Debug, Clone)]
pub struct OutputSchema {
    /// The schema published in `tools/list`.
    pub schema: Arc<JsonObject>,
    /// Whether structured content is wrapped: true when the type's schema is not an object.
    pub wrap: bool,
}

/// The output schema for a tool returning `T`: `T`'s schema when it describes an object,
/// otherwise `{"type":"object","properties":{"result": …},"required":["result"]}` (marked
/// `x-fastmcp-wrap-result`, as Python FastMCP does).
///
/// ```
/// let out = fastmcp::utilities::schema::output_schema_for::<i64>();
/// assert!(out.wrap);
/// assert_eq!(out.schema["properties"]["result"]["type"], "integer");
/// ```
pub fn output_schema_for<T: JsonSchema>() -> OutputSchema {
    let schema = schema_for::<T>();
    if schema.get("type").and_then(Value::as_str) == Some("object") {
        return OutputSchema {
            schema: Arc::new(schema),
            wrap: false,
        };
    }
    let mut inner = schema;
    let defs = inner.remove("$defs");
    let mut wrapped = json!({
        "type": "object",
        "properties": { "result": Value::Object(inner) },
        "required": ["result"],
        WRAP_RESULT_MARKER: true,
    });
    if let (Some(defs), Some(object)) = (defs, wrapped.as_object_mut()) {
        object.insert("$defs".into(), defs);
    }
    let Value::Object(schema) = wrapped else {
        unreachable!("json! of an object literal is an object")
    };
    OutputSchema {
        schema: Arc::new(schema),
        wrap: true,
    }
}
