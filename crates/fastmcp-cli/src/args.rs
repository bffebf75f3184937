//! Turning `KEY=VALUE` words into a tool's argument object, guided by its input schema.

use fastmcp::types::JsonObject;
use fastmcp::utilities::args::coerce_value;
use serde_json::Value;

/// Builds the argument object: `--args` JSON first, then each `KEY=VALUE` converted to the
/// type the schema gives `KEY` (`steps=5` is the integer 5; `name=5` for a string is `"5"`).
/// A prompt's arguments: KEY=VALUE pairs (over `--input-json`), every value a string.
pub fn prompt_arguments(json: Option<&str>, pairs: &[String]) -> Result<JsonObject, String> {
    let properties: JsonObject = pairs
        .iter()
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, _)| (key.to_owned(), serde_json::json!({"type": "string"})))
        .collect();
    let mut schema = JsonObject::new();
    schema.insert("properties".into(), Value::Object(properties));
    build_arguments(&schema, json, pairs)
}

pub fn build_arguments(
    schema: &JsonObject,
    json: Option<&str>,
    pairs: &[String],
) -> Result<JsonObject, String> {
    let mut arguments = match json {
        None => JsonObject::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => object,
            Ok(_) => return Err("--input-json must be a JSON object".into()),
            Err(error) => return Err(format!("--input-json is not valid JSON: {error}")),
        },
    };
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(format!("argument '{pair}' is not KEY=VALUE"));
        };
        let property = schema.get("properties").and_then(|p| p.get(key));
        let value = coerce_value(raw, property)
            .map_err(|expected| format!("argument '{key}': '{raw}' is not a valid {expected}"))?;
        arguments.insert(key.to_owned(), value);
    }
    Ok(arguments)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> JsonObject {
        json!({"type": "object", "properties": {
            "steps": {"type": "integer"},
            "name": {"type": "string"},
            "ratio": {"type": "number"},
            "loud": {"type": "boolean"},
            "tags": {"type": "array"},
            "maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}]}
        }})
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    #[test]
    fn coerces_by_schema() {
        let pairs: Vec<String> = [
            "steps=5",
            "name=5",
            "ratio=0.5",
            "loud=true",
            "tags=[1,2]",
            "maybe=3",
            "extra={\"a\":1}",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let args = build_arguments(&schema(), None, &pairs).unwrap_or_default();
        assert_eq!(
            Value::Object(args),
            json!({"steps": 5, "name": "5", "ratio": 0.5, "loud": true, "tags": [1, 2], "maybe": 3, "extra": {"a": 1}})
        );
    }

    #[test]
    fn rejects_values_of_the_wrong_type() {
        let error = build_arguments(&schema(), None, &["steps=five".to_owned()]).unwrap_err();
        assert_eq!(error, "argument 'steps': 'five' is not a valid integer");
    }

    #[test]
    fn pairs_override_json_args() {
        let args = build_arguments(
            &schema(),
            Some(r#"{"steps": 1, "name": "x"}"#),
            &["steps=2".to_owned()],
        )
        .unwrap_or_default();
        assert_eq!(Value::Object(args), json!({"steps": 2, "name": "x"}));
    }
}
