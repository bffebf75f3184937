//! The input and output schemas of an operation's tool.
//!
//! Inputs: one object holding the path, query, header and cookie parameters under their own
//! names and the JSON body's properties; a parameter whose name a body property (or another
//! parameter) already has becomes `{name}__{location}`; a body that is not an object is one
//! argument, `body`. Component schemas the arguments refer to are carried along in `$defs`
//! (their `$ref`s rewritten), so recursive schemas stay finite. OpenAPI 3.0's `nullable`
//! becomes a JSON Schema type list.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::OpenApiError;
use super::spec::{Location, Operation, Parameter, Spec, is_json};
use crate::utilities::schema::WRAP_RESULT_MARKER;

const COMPONENT_SCHEMAS: &str = "#/components/schemas/";

/// Where one argument of a tool goes in the HTTP request.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Parameter(Parameter),
    /// A property of the JSON body, under this name.
    BodyProperty(String),
    /// The whole body.
    Body,
}

/// A tool's input schema and where each of its arguments goes.
#[derive(Debug, Clone)]
pub(crate) struct Inputs {
    pub(crate) schema: Map<String, Value>,
    pub(crate) arguments: Vec<(String, Target)>,
}

/// The input schema of `operation`.
pub(crate) fn inputs(spec: &Spec, operation: &Operation) -> Result<Inputs, OpenApiError> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut arguments = Vec::new();
    let mut refs = Refs::default();

    let body = match &operation.body {
        Some(body) => Some((body, body_fields(spec, &body.schema)?)),
        None => None,
    };
    match body {
        Some((body, Some(fields))) => {
            for (name, property) in &fields.properties {
                properties.insert(name.clone(), refs.rewrite(property));
                arguments.push((name.clone(), Target::BodyProperty(name.clone())));
            }
            // The body's required properties are required only when the body is.
            if body.required {
                required.extend(fields.required);
            }
        }
        Some((body, None)) => {
            let mut schema = refs.rewrite(&body.schema);
            if let (Some(description), Some(object)) = (&body.description, schema.as_object_mut()) {
                object
                    .entry("description")
                    .or_insert_with(|| json!(description));
            }
            properties.insert("body".into(), schema);
            arguments.push(("body".into(), Target::Body));
            if body.required {
                required.push("body".into());
            }
        }
        None => {}
    }

    for parameter in &operation.parameters {
        let taken = properties.contains_key(&parameter.name)
            || operation
                .parameters
                .iter()
                .any(|other| other.name == parameter.name && other.location != parameter.location);
        let name = match taken {
            true => format!("{}__{}", parameter.name, parameter.location.as_str()),
            false => parameter.name.clone(),
        };
        let mut schema = refs.rewrite(&parameter.schema);
        if let (Some(description), Some(object)) = (&parameter.description, schema.as_object_mut())
        {
            object
                .entry("description")
                .or_insert_with(|| json!(description));
        }
        properties.insert(name.clone(), schema);
        if parameter.required {
            required.push(name.clone());
        }
        arguments.push((name, Target::Parameter(parameter.clone())));
    }

    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        let unique: BTreeSet<String> = required.into_iter().collect();
        schema.insert("required".into(), json!(unique));
    }
    if let Some(defs) = refs.defs(spec)? {
        schema.insert("$defs".into(), Value::Object(defs));
    }
    let mut schema = Value::Object(schema);
    nullable_to_type_lists(&mut schema);
    let Value::Object(schema) = schema else {
        unreachable!("built as an object above")
    };
    Ok(Inputs { schema, arguments })
}

/// The output schema of `operation`: its first 2xx JSON response's, wrapped as
/// `{"result": …}` (and marked so) when it is not an object.
pub(crate) fn output(
    spec: &Spec,
    operation: &Operation,
) -> Result<Option<Map<String, Value>>, OpenApiError> {
    let success = operation
        .responses
        .iter()
        .find(|(status, _)| status.starts_with('2'));
    let Some((_, response)) = success else {
        return Ok(None);
    };
    let json_schema = response
        .get("content")
        .and_then(Value::as_object)
        .and_then(|content| content.iter().find(|(media, _)| is_json(media)))
        .and_then(|(_, media)| media.get("schema"));
    let Some(schema) = json_schema else {
        return Ok(None);
    };
    // An empty schema (FastAPI's default "Successful Response") says nothing to check.
    let resolved = spec.resolve(schema)?;
    if resolved == &Value::Bool(true) || resolved.as_object().is_some_and(Map::is_empty) {
        return Ok(None);
    }
    let mut refs = Refs::default();
    let mut out = match is_object(spec, schema, 0)? {
        // An object schema is the output schema itself, so its root says `type: object`.
        true => match refs.rewrite(spec.resolve(schema)?) {
            Value::Object(mut object) => {
                object.entry("type").or_insert_with(|| json!("object"));
                object
            }
            _ => return Ok(None),
        },
        false => {
            let mut wrapped = Map::new();
            wrapped.insert("type".into(), json!("object"));
            wrapped.insert(
                "properties".into(),
                json!({ "result": refs.rewrite(schema) }),
            );
            wrapped.insert("required".into(), json!(["result"]));
            wrapped.insert(WRAP_RESULT_MARKER.into(), json!(true));
            wrapped
        }
    };
    if let Some(defs) = refs.defs(spec)? {
        out.insert("$defs".into(), Value::Object(defs));
    }
    let mut value = Value::Object(out);
    nullable_to_type_lists(&mut value);
    match value {
        Value::Object(out) => Ok(Some(out)),
        _ => Ok(None),
    }
}

/// The properties of an object body, merged from its `allOf` parts as Python FastMCP flattens
/// them (a `oneOf`/`anyOf` body stays one argument, `body`); `None` for a body that is not an
/// object.
struct BodyFields {
    properties: Map<String, Value>,
    required: Vec<String>,
}

fn body_fields(spec: &Spec, schema: &Value) -> Result<Option<BodyFields>, OpenApiError> {
    let mut fields = BodyFields {
        properties: Map::new(),
        required: Vec::new(),
    };
    let found = gather(spec, schema, &mut fields, 0)?;
    Ok(found.then_some(fields))
}

/// Adds what `schema` (and its `allOf` parts) says of properties to `fields`; whether it had
/// any.
fn gather(
    spec: &Spec,
    schema: &Value,
    fields: &mut BodyFields,
    depth: usize,
) -> Result<bool, OpenApiError> {
    let schema = spec.resolve(schema)?;
    let mut found = false;
    if let Some(own) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in own {
            fields
                .properties
                .entry(name.clone())
                .or_insert_with(|| property.clone());
        }
        found = true;
    }
    let listed = schema.get("required").and_then(Value::as_array);
    fields.required.extend(
        listed
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned),
    );
    let parts = schema.get("allOf").and_then(Value::as_array);
    if depth < 8 {
        for part in parts.into_iter().flatten() {
            found |= gather(spec, part, fields, depth + 1)?;
        }
    }
    Ok(found)
}

/// Whether `schema` describes objects: `type: object`, properties, or an `allOf` of objects.
fn is_object(spec: &Spec, schema: &Value, depth: usize) -> Result<bool, OpenApiError> {
    let schema = spec.resolve(schema)?;
    if schema.get("type") == Some(&json!("object")) || schema.get("properties").is_some() {
        return Ok(true);
    }
    let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
        return Ok(false);
    };
    if depth > 8 || parts.is_empty() {
        return Ok(false);
    }
    for part in parts {
        if !is_object(spec, part, depth + 1)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The component schemas a tool's schema refers to, gathered while rewriting its `$ref`s
/// from `#/components/schemas/X` to `#/$defs/X`.
#[derive(Debug, Default)]
struct Refs {
    names: BTreeSet<String>,
}

impl Refs {
    /// `schema` with its component references pointing into `$defs`.
    fn rewrite(&mut self, schema: &Value) -> Value {
        match schema {
            Value::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(key, value)| match (key.as_str(), value.as_str()) {
                        ("$ref", Some(reference)) => (key.clone(), self.reference(reference)),
                        _ => (key.clone(), self.rewrite(value)),
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|item| self.rewrite(item)).collect())
            }
            other => other.clone(),
        }
    }

    fn reference(&mut self, reference: &str) -> Value {
        match reference.strip_prefix(COMPONENT_SCHEMAS) {
            Some(name) => {
                self.names.insert(name.to_owned());
                json!(format!("#/$defs/{name}"))
            }
            None => json!(reference),
        }
    }

    /// The referred component schemas, and those they refer to in turn (each once: a
    /// recursive schema refers to its own entry).
    fn defs(&mut self, spec: &Spec) -> Result<Option<Map<String, Value>>, OpenApiError> {
        let mut defs = Map::new();
        loop {
            let pending: Vec<String> = self
                .names
                .iter()
                .filter(|name| !defs.contains_key(*name))
                .cloned()
                .collect();
            if pending.is_empty() {
                break;
            }
            for name in pending {
                let escaped = name.replace('~', "~0").replace('/', "~1");
                let schema = spec.pointer(&format!("{COMPONENT_SCHEMAS}{escaped}"))?;
                let rewritten = self.rewrite(schema);
                defs.insert(name, rewritten);
            }
        }
        Ok((!defs.is_empty()).then_some(defs))
    }
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema: `type: T` becomes `type: [T, "null"]`.
fn nullable_to_type_lists(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if object.get("nullable") == Some(&Value::Bool(true)) {
                object.remove("nullable");
                if let Some(Value::String(kind)) = object.get("type").cloned() {
                    object.insert("type".into(), json!([kind, "null"]));
                }
            }
            object.values_mut().for_each(nullable_to_type_lists);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_type_lists),
        _ => {}
    }
}

impl Location {
    /// The style a parameter has when the document names none.
    pub(crate) fn default_style(self) -> &'static str {
        match self {
            Location::Query | Location::Cookie => "form",
            Location::Path | Location::Header => "simple",
        }
    }
}
