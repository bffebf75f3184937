//! Turning a `tools/call` argument object into a typed value, with errors that name the field.

use serde::de::DeserializeOwned;
use serde_json::Value;

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
/// let error = fastmcp::utilities::args::parse_arguments::<Args>("add", args).unwrap_err();
/// assert_eq!(error.to_string(), r#"Invalid arguments for tool 'add': a: invalid type: string "x", expected i64"#);
/// ```
pub fn parse_arguments<T: DeserializeOwned>(
    tool: &str,
    arguments: JsonObject,
) -> Result<T, ToolError> {
    parse_arguments_for("tool", tool, arguments)
}

/// [`parse_arguments`] for any component kind: the message names it (`Invalid arguments for
/// prompt 'greet': …`).
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// struct Args { name: String }
/// let args = serde_json::json!({}).as_object().cloned().unwrap();
/// let error = fastmcp::utilities::args::parse_arguments_for::<Args>("prompt", "greet", args).unwrap_err();
/// assert_eq!(error.to_string(), "Invalid arguments for prompt 'greet': missing field `name`");
/// ```
pub fn parse_arguments_for<T: DeserializeOwned>(
    kind: &str,
    name: &str,
    arguments: JsonObject,
) -> Result<T, ToolError> {
    serde_path_to_error::deserialize(serde_json::Value::Object(arguments)).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." {
            ToolError::new(format!("Invalid arguments for {kind} '{name}': {inner}"))
        } else {
            ToolError::new(format!(
                "Invalid arguments for {kind} '{name}': {path}: {inner}"
            ))
        }
    })
}

/// Converts the string `raw` to the JSON type a property schema declares (`"5"` for an
/// integer is `5`; for a string it stays `"5"`); without a declared type, JSON if it parses,
/// else the string. `Err` names the expected type(s).
///
/// ```
/// use fastmcp::utilities::args::coerce_value;
/// use serde_json::json;
/// assert_eq!(coerce_value("5", Some(&json!({"type": "integer"}))), Ok(json!(5)));
/// assert_eq!(coerce_value("5", Some(&json!({"type": "string"}))), Ok(json!("5")));
/// assert_eq!(coerce_value("x", Some(&json!({"type": "integer"}))), Err("integer".to_owned()));
/// ```
pub fn coerce_value(raw: &str, property: Option<&Value>) -> Result<Value, String> {
    let types = declared_types(property);
    if types.is_empty() {
        return Ok(serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned())));
    }
    for kind in &types {
        let parsed = match kind.as_str() {
            "string" => Some(Value::String(raw.to_owned())),
            "integer" => raw
                .parse::<i64>()
                .ok()
                .map(Value::from)
                .or_else(|| raw.parse::<u64>().ok().map(Value::from)),
            "number" => raw
                .parse::<f64>()
                .ok()
                .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number)),
            "boolean" => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Some(Value::Bool(true)),
                "false" | "no" | "0" => Some(Value::Bool(false)),
                _ => None,
            },
            "null" => (raw == "null").then_some(Value::Null),
            "array" => serde_json::from_str(raw).ok().filter(Value::is_array),
            "object" => serde_json::from_str(raw).ok().filter(Value::is_object),
            _ => None,
        };
        if let Some(value) = parsed {
            return Ok(value);
        }
    }
    Err(types.join(" or "))
}

/// The `type`s a property schema allows, looking through `anyOf`/`oneOf`.
fn declared_types(property: Option<&Value>) -> Vec<String> {
    let Some(property) = property else {
        return Vec::new();
    };
    let mut types = Vec::new();
    match property.get("type") {
        Some(Value::String(kind)) => types.push(kind.clone()),
        Some(Value::Array(kinds)) => {
            types.extend(kinds.iter().filter_map(Value::as_str).map(str::to_owned))
        }
        _ => {}
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = property.get(key) {
            for option in options {
                types.extend(declared_types(Some(option)));
            }
        }
    }
    // Try the most specific types first, so `5` for integer|string is a number.
    types.sort_by_key(|kind| kind == "string");
    types.dedup();
    types
}

/// Converts string arguments (prompt arguments, URI template variables) to the types `schema`
/// declares for them; the error message names the argument.
pub fn coerce_arguments<'a>(
    schema: &JsonObject,
    strings: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<JsonObject, String> {
    let properties = schema.get("properties");
    let mut arguments = JsonObject::new();
    for (name, raw) in strings {
        let property = properties.and_then(|p| p.get(name));
        let value = coerce_value(raw, property)
            .map_err(|expected| format!("argument '{name}': {raw:?} is not a valid {expected}"))?;
        arguments.insert(name.to_owned(), value);
    }
    Ok(arguments)
}
