//! Turning a `tools/call` argument object into a typed value, with errors that name the field.

use serde::de::DeserializeOwned;

use crate::error::ToolError;
use crate::types::JsonObject;

/// Deserializes `arguments` into `T`; on failure the message names the tool, the field and
/// what was expected, e.g. `Invalid arguments for tool 'add': b: invalid type: string "x",
/// expected i64`.
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// struct Args { a: i64 }
/// let args = serde_json::json!({"a": "x"}).as_object().cloned().unwrap();
/// let error = fastmcp::tools::args::parse_arguments::<Args>("add", args).unwrap_err();
/// assert_eq!(error.to_string(), r#"Invalid arguments for tool 'add': a: invalid type: string "x", expected i64"#);
/// ```
pub fn parse_arguments<T: DeserializeOwned>(
    tool: &str,
    arguments: JsonObject,
) -> Result<T, ToolError> {
    serde_path_to_error::deserialize(serde_json::Value::Object(arguments)).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." {
            ToolError::new(format!("Invalid arguments for tool '{tool}': {inner}"))
        } else {
            ToolError::new(format!(
                "Invalid arguments for tool '{tool}': {path}: {inner}"
            ))
        }
    })
}
