//! An OpenAPI document, 3.0 or 3.1, from JSON or YAML.
//!
//! The two versions share the shape of everything but their schemas (3.0's `nullable` and
//! boolean `exclusiveMinimum` against 3.1's JSON Schema 2020-12), and the Rust model crates
//! each cover one of them (`openapiv3`: 3.0; `oas3`: 3.1). So paths, operations, parameters,
//! bodies and responses are read into the small types below, and schemas stay JSON: they
//! become the tools' JSON Schemas, with 3.0's differences translated (`schema.rs`).

use std::path::Path;

use serde_json::{Map, Value};

use super::OpenApiError;

/// The HTTP methods an OpenAPI path item can hold, in the order operations are listed.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How many `$ref`s in a row may be followed before the chain is called a cycle.
const MAX_REF_CHAIN: usize = 32;

/// A parsed OpenAPI document.
#[derive(Debug, Clone)]
pub struct Spec {
    doc: Value,
}

impl Spec {
    /// A document already parsed (`serde_json::Value`); it must say `openapi: 3.x`.
    pub fn from_value(doc: Value) -> Result<Self, OpenApiError> {
        let version = doc
            .get("openapi")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !version.starts_with("3.") {
            let found = doc
                .get("swagger")
                .map(|v| format!("swagger {v}"))
                .unwrap_or_else(|| format!("openapi {version:?}"));
            return Err(OpenApiError::Version(found));
        }
        if !doc.get("paths").is_none_or(Value::is_object) {
            return Err(OpenApiError::Invalid("`paths` is not an object".into()));
        }
        Ok(Self { doc })
    }

    /// A document in JSON or YAML text.
    pub fn parse(text: &str) -> Result<Self, OpenApiError> {
        let doc = match serde_json::from_str::<Value>(text) {
            Ok(doc) => doc,
            Err(_) => serde_norway::from_str::<Value>(text)
                .map_err(|error| OpenApiError::Syntax(error.to_string()))?,
        };
        Self::from_value(doc)
    }

    /// A document in a file (JSON or YAML).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, OpenApiError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| OpenApiError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    /// A document served at `url` (JSON or YAML), fetched with a client of its own (30 s
    /// timeout).
    pub async fn from_url(url: &str) -> Result<Self, OpenApiError> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|source| OpenApiError::Fetch {
                url: url.to_owned(),
                source,
            })?;
        Self::fetch(url, &client).await
    }

    /// A document served at `url` (JSON or YAML), fetched with `client`.
    pub async fn fetch(url: &str, client: &reqwest::Client) -> Result<Self, OpenApiError> {
        let fetch_error = |source| OpenApiError::Fetch {
            url: url.to_owned(),
            source,
        };
        let response = client.get(url).send().await.map_err(fetch_error)?;
        let response = response.error_for_status().map_err(fetch_error)?;
        let text = response.text().await.map_err(fetch_error)?;
        Self::parse(&text)
    }

    /// The whole document.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// The first server URL the document lists, if any (variables filled with defaults).
    pub(crate) fn server_url(&self) -> Option<String> {
        let server = self.doc.get("servers")?.as_array()?.first()?;
        let mut url = server.get("url")?.as_str()?.to_owned();
        if let Some(variables) = server.get("variables").and_then(Value::as_object) {
            for (name, variable) in variables {
                if let Some(default) = variable.get("default").and_then(Value::as_str) {
                    url = url.replace(&format!("{{{name}}}"), default);
                }
            }
        }
        Some(url)
    }

    /// What `value` is once its `$ref` chain (local: `#/…`) is followed.
    pub(crate) fn resolve<'a>(&'a self, mut value: &'a Value) -> Result<&'a Value, OpenApiError> {
        for _ in 0..MAX_REF_CHAIN {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Ok(value);
            };
            value = self.pointer(reference)?;
        }
        Err(OpenApiError::Ref(format!(
            "a $ref chain longer than {MAX_REF_CHAIN} (a cycle?)"
        )))
    }

    /// The value a local reference (`#/components/schemas/Pet`) points at.
    pub(crate) fn pointer(&self, reference: &str) -> Result<&Value, OpenApiError> {
        let pointer = reference.strip_prefix('#').ok_or_else(|| {
            OpenApiError::Ref(format!(
                "{reference}: only references within the document (#/…) are followed"
            ))
        })?;
        self.doc
            .pointer(pointer)
            .ok_or_else(|| OpenApiError::Ref(format!("{reference} points at nothing")))
    }

    /// Every operation, in document order.
    pub(crate) fn operations(&self) -> Result<Vec<Operation>, OpenApiError> {
        let mut operations = Vec::new();
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object) else {
            return Ok(operations);
        };
        for (path, item) in paths {
            let item = self.resolve(item)?;
            let shared = self.parameters(item.get("parameters"))?;
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    operations.push(self.operation(method, path, operation, &shared)?);
                }
            }
        }
        Ok(operations)
    }

    fn operation(
        &self,
        method: &str,
        path: &str,
        operation: &Value,
        shared: &[Parameter],
    ) -> Result<Operation, OpenApiError> {
        let text = |key: &str| {
            operation
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        // An operation's own parameters replace the path item's of the same name and place.
        let own = self.parameters(operation.get("parameters"))?;
        let mut parameters: Vec<Parameter> = shared
            .iter()
            .filter(|p| {
                !own.iter()
                    .any(|o| o.name == p.name && o.location == p.location)
            })
            .cloned()
            .collect();
        parameters.extend(own);
        let tags = operation
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let responses = match operation.get("responses").and_then(Value::as_object) {
            Some(responses) => responses
                .iter()
                .map(|(status, response)| Ok((status.clone(), self.resolve(response)?.clone())))
                .collect::<Result<Vec<_>, OpenApiError>>()?,
            None => Vec::new(),
        };
        Ok(Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            operation_id: text("operationId"),
            summary: text("summary"),
            description: text("description"),
            tags,
            parameters,
            body: self.body(operation.get("requestBody"))?,
            responses,
        })
    }

    fn parameters(&self, list: Option<&Value>) -> Result<Vec<Parameter>, OpenApiError> {
        let Some(list) = list.and_then(Value::as_array) else {
            return Ok(Vec::new());
        };
        list.iter()
            .map(|parameter| Parameter::read(self.resolve(parameter)?))
            .collect()
    }

    fn body(&self, body: Option<&Value>) -> Result<Option<Body>, OpenApiError> {
        let Some(body) = body else { return Ok(None) };
        let body = self.resolve(body)?;
        let Some(content) = body.get("content").and_then(Value::as_object) else {
            return Ok(None);
        };
        // JSON first (what a tool's arguments are), else the first media type listed.
        let chosen = content
            .iter()
            .find(|(media, _)| is_json(media))
            .or_else(|| content.iter().next());
        // A media type without a schema (examples only) takes no argument.
        let chosen = chosen.and_then(|(media, entry)| Some((media, entry.get("schema")?)));
        Ok(chosen.map(|(media, schema)| Body {
            media_type: media.clone(),
            schema: schema.clone(),
            required: body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            description: body
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }))
    }
}

/// Whether a media type carries JSON (`application/json`, `application/problem+json`, …).
pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// One operation of the document.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// Upper case: `GET`.
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) operation_id: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) tags: Vec<String>,
    /// The path item's and the operation's own, the latter winning.
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) body: Option<Body>,
    /// By status (`200`, `2XX`, `default`), `$ref`s followed.
    pub(crate) responses: Vec<(String, Value)>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

impl Location {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) required: bool,
    pub(crate) description: Option<String>,
    pub(crate) schema: Value,
    /// `form`, `simple`, `deepObject`, …: the location's default when absent.
    pub(crate) style: Option<String>,
    pub(crate) explode: Option<bool>,
}

impl Parameter {
    fn read(parameter: &Value) -> Result<Self, OpenApiError> {
        let text = |key: &str| parameter.get(key).and_then(Value::as_str);
        let name = text("name")
            .ok_or_else(|| OpenApiError::Invalid("a parameter without a name".into()))?;
        let location = match text("in") {
            Some("path") => Location::Path,
            Some("query") => Location::Query,
            Some("header") => Location::Header,
            Some("cookie") => Location::Cookie,
            other => {
                return Err(OpenApiError::Invalid(format!(
                    "parameter {name:?} is in {other:?}, not path, query, header or cookie"
                )));
            }
        };
        // A parameter described by `content` (one media type) has its schema there.
        let schema = parameter
            .get("schema")
            .or_else(|| {
                parameter
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|content| content.values().next())
                    .and_then(|media| media.get("schema"))
            })
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        Ok(Self {
            name: name.to_owned(),
            location,
            required: location == Location::Path
                || parameter
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            description: text("description").map(str::to_owned),
            schema,
            style: text("style").map(str::to_owned),
            explode: parameter.get("explode").and_then(Value::as_bool),
        })
    }
}

/// An operation's request body, as the media type it is sent in.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub(crate) media_type: String,
    pub(crate) schema: Value,
    pub(crate) required: bool,
    pub(crate) description: Option<String>,
}
