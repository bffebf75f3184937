//! One operation called over HTTP: arguments serialized where the document puts them (path,
//! query, header, cookie; styles `simple`, `form`, `spaceDelimited`, `pipeDelimited`,
//! `deepObject`, with `explode`), the body as JSON (or a form, or multipart fields: text
//! values; a file is sent as its text), and the answer turned into a
//! tool result: JSON as structured content and text, text as text, images as images, other
//! bytes as an embedded blob, an HTTP error as an `isError` result naming the status.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::schema::Target;
use super::spec::{Location, Parameter, is_json};
use crate::resources::ResourceContent;
use crate::tools::ToolResult;

/// What a path segment keeps as it is (RFC 3986 unreserved characters); the rest is encoded.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What a tool needs to call its operation.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) method: reqwest::Method,
    pub(crate) path: String,
    pub(crate) arguments: Vec<(String, Target)>,
    /// The body's media type, when the operation takes one.
    pub(crate) body_media: Option<String>,
    /// Whether structured content is wrapped as `{"result": …}` (a non-object output schema).
    pub(crate) wrap: bool,
    pub(crate) shared: Arc<Shared>,
}

/// What every tool of one document shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) base_url: String,
    pub(crate) client: reqwest::Client,
    pub(crate) headers: reqwest::header::HeaderMap,
    /// Headers of the MCP client's HTTP request passed on to the API (opted in by name;
    /// without the HTTP server there are none).
    #[cfg_attr(not(feature = "http-server"), allow(dead_code))]
    pub(crate) forward: Vec<reqwest::header::HeaderName>,
}

/// Headers of the MCP client's HTTP request to pass on (none on stdio).
pub(crate) type Forwarded = Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>;

impl Shared {
    /// The opted-in headers of the HTTP request `ctx` arrived in.
    pub(crate) fn forwarded(&self, ctx: &crate::Context) -> Forwarded {
        #[cfg(feature = "http-server")]
        if let Some(request) = ctx.http_request() {
            return self
                .forward
                .iter()
                .filter_map(|name| Some((name.clone(), request.headers().get(name)?.clone())))
                .collect();
        }
        let _ = ctx;
        Vec::new()
    }
}

/// The parts of a request, gathered from the arguments.
#[derive(Default)]
struct Parts {
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    cookies: Vec<String>,
    body: Map<String, Value>,
    whole_body: Option<Value>,
}

impl Endpoint {
    /// Calls the operation with `arguments` (by the tool's argument names): its answer as a
    /// tool result.
    pub(crate) async fn call(
        &self,
        arguments: &Map<String, Value>,
        forwarded: Forwarded,
    ) -> Result<ToolResult, String> {
        let answer = self.send(arguments, forwarded).await?;
        Ok(tool_result(answer, self.wrap))
    }

    /// Reads the operation as a resource (`arguments`: a template's variables): its answer as
    /// the resource's contents; an HTTP error is an error.
    pub(crate) async fn read(
        &self,
        arguments: &Map<String, Value>,
        forwarded: Forwarded,
    ) -> Result<ResourceContent, String> {
        let answer = self.send(arguments, forwarded).await?;
        if let Some(error) = answer.error() {
            return Err(error);
        }
        let media = essence(&answer.media).to_owned();
        let textual = is_json(&media) || media.starts_with("text/") || media.contains("xml");
        Ok(match textual {
            true => ResourceContent::text(String::from_utf8_lossy(&answer.bytes).into_owned()),
            false => ResourceContent::blob(answer.bytes),
        }
        .with_mime_type(media))
    }

    async fn send(
        &self,
        arguments: &Map<String, Value>,
        forwarded: Forwarded,
    ) -> Result<Answer, String> {
        let parts = self.parts(arguments)?;
        let url = format!(
            "{}{}",
            self.shared.base_url.trim_end_matches('/'),
            parts.path
        );
        let mut request = self
            .shared
            .client
            .request(self.method.clone(), &url)
            .headers(self.shared.headers.clone())
            .query(&parts.query);
        for (name, value) in forwarded {
            request = request.header(name, value);
        }
        for (name, value) in &parts.headers {
            request = request.header(name, value);
        }
        if !parts.cookies.is_empty() {
            request = request.header(reqwest::header::COOKIE, parts.cookies.join("; "));
        }
        request = self.with_body(request, parts.whole_body, parts.body)?;
        let response = request
            .send()
            .await
            .map_err(|error| format!("{} {url} failed: {}", self.method, describe(&error)))?;
        let status = response.status();
        let media = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| format!("reading the answer failed: {}", describe(&error)))?;
        Ok(Answer {
            status,
            media,
            bytes: bytes.to_vec(),
        })
    }

    fn parts(&self, arguments: &Map<String, Value>) -> Result<Parts, String> {
        let mut parts = Parts {
            path: self.path.clone(),
            ..Parts::default()
        };
        for (name, target) in &self.arguments {
            let Some(value) = arguments.get(name).filter(|value| !value.is_null()) else {
                if let Target::Parameter(parameter) = target
                    && parameter.location == Location::Path
                {
                    return Err(format!("missing path parameter {name:?}"));
                }
                continue;
            };
            match target {
                Target::Parameter(parameter) => place(&mut parts, parameter, value),
                Target::BodyProperty(property) => {
                    parts.body.insert(property.clone(), value.clone());
                }
                Target::Body => parts.whole_body = Some(value.clone()),
            }
        }
        Ok(parts)
    }

    fn with_body(
        &self,
        request: reqwest::RequestBuilder,
        whole: Option<Value>,
        properties: Map<String, Value>,
    ) -> Result<reqwest::RequestBuilder, String> {
        let Some(media) = &self.body_media else {
            return Ok(request);
        };
        let body = match whole {
            Some(body) => body,
            None if properties.is_empty() => return Ok(request),
            None => Value::Object(properties),
        };
        if media.starts_with("application/x-www-form-urlencoded") {
            let fields: Vec<(String, String)> = match &body {
                Value::Object(object) => {
                    object.iter().map(|(k, v)| (k.clone(), scalar(v))).collect()
                }
                _ => return Err("a form body takes an object".into()),
            };
            return Ok(request.form(&fields));
        }
        if media.starts_with("multipart/form-data") {
            let Value::Object(object) = &body else {
                return Err("a multipart body takes an object".into());
            };
            let form = object
                .iter()
                .fold(reqwest::multipart::Form::new(), |form, (k, v)| {
                    form.text(k.clone(), scalar(v))
                });
            return Ok(request.multipart(form));
        }
        if is_json(media) {
            return Ok(request.json(&body));
        }
        let text = match body {
            Value::String(text) => text,
            other => other.to_string(),
        };
        Ok(request
            .header(reqwest::header::CONTENT_TYPE, media.as_str())
            .body(text))
    }
}

/// Puts one parameter's value where it goes.
fn place(parts: &mut Parts, parameter: &Parameter, value: &Value) {
    let style = parameter
        .style
        .as_deref()
        .unwrap_or(parameter.location.default_style());
    let explode = parameter.explode.unwrap_or(style == "form");
    let name = &parameter.name;
    match parameter.location {
        Location::Path => {
            let text = simple(value, explode, |text| {
                percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
            });
            parts.path = parts.path.replace(&format!("{{{name}}}"), &text);
        }
        Location::Header => parts
            .headers
            .push((name.clone(), simple(value, explode, str::to_owned))),
        Location::Cookie => parts
            .cookies
            .push(format!("{name}={}", simple(value, false, str::to_owned))),
        Location::Query => parts.query.extend(query_pairs(name, style, explode, value)),
    }
}

/// `simple` style: arrays comma-separated; objects `k,v,k,v` (`k=v,k=v` exploded).
fn simple(value: &Value, explode: bool, encode: impl Fn(&str) -> String) -> String {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| encode(&scalar(item)))
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(object) => object
            .iter()
            .map(|(key, value)| match explode {
                true => format!("{}={}", encode(key), encode(&scalar(value))),
                false => format!("{},{}", encode(key), encode(&scalar(value))),
            })
            .collect::<Vec<_>>()
            .join(","),
        other => encode(&scalar(other)),
    }
}

/// A query parameter's pairs (reqwest encodes them).
fn query_pairs(name: &str, style: &str, explode: bool, value: &Value) -> Vec<(String, String)> {
    match (value, style) {
        (Value::Object(object), "deepObject") => object
            .iter()
            .map(|(key, value)| (format!("{name}[{key}]"), scalar(value)))
            .collect(),
        (Value::Object(object), _) if explode => object
            .iter()
            .map(|(key, value)| (key.clone(), scalar(value)))
            .collect(),
        (Value::Array(items), _) if explode => items
            .iter()
            .map(|item| (name.to_owned(), scalar(item)))
            .collect(),
        (Value::Array(items), _) => {
            let separator = match style {
                "spaceDelimited" => " ",
                "pipeDelimited" => "|",
                _ => ",",
            };
            let joined = items.iter().map(scalar).collect::<Vec<_>>().join(separator);
            vec![(name.to_owned(), joined)]
        }
        (other, _) => vec![(name.to_owned(), simple(other, false, str::to_owned))],
    }
}

/// A value as text: strings as they are, everything else as JSON.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// What the API answered.
struct Answer {
    status: reqwest::StatusCode,
    media: String,
    bytes: Vec<u8>,
}

impl Answer {
    /// For an HTTP error: `HTTP error {status}: {reason} - {body}` (the body as compact JSON
    /// when it is JSON).
    fn error(&self) -> Option<String> {
        if self.status.is_success() {
            return None;
        }
        let reason = self.status.canonical_reason().unwrap_or("");
        let body = match serde_json::from_slice::<Value>(&self.bytes) {
            Ok(json) => json.to_string(),
            Err(_) => String::from_utf8_lossy(&self.bytes).into_owned(),
        };
        Some(format!(
            "HTTP error {}: {reason} - {body}",
            self.status.as_u16()
        ))
    }
}

/// The tool result of an HTTP answer.
fn tool_result(answer: Answer, wrap: bool) -> ToolResult {
    if let Some(error) = answer.error() {
        return ToolResult::error(error);
    }
    let Answer { media, bytes, .. } = answer;
    if is_json(&media)
        && let Ok(json) = serde_json::from_slice::<Value>(&bytes)
    {
        return json_result(json, wrap);
    }
    if media.starts_with("text/") || media.contains("xml") {
        return ToolResult::text(String::from_utf8_lossy(&bytes).into_owned());
    }
    if media.starts_with("image/") {
        return ToolResult::new().with_image(&bytes, essence(&media));
    }
    if bytes.is_empty() {
        return ToolResult::text("");
    }
    let blob = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let contents = crate::types::ResourceContents::blob(blob, "openapi://response")
        .with_mime_type(essence(&media));
    ToolResult::new().with_content(crate::types::ContentBlock::resource(contents))
}

/// JSON as structured content and as text; anything but an object (or anything, when the
/// output schema says so) wrapped as `{"result": …}`, as Python FastMCP does.
fn json_result(json: Value, wrap: bool) -> ToolResult {
    let text = json.to_string();
    let structured = match json {
        Value::Object(_) if !wrap => json,
        other => serde_json::json!({ "result": other }),
    };
    ToolResult::text(text).with_structured(structured)
}

fn essence(media: &str) -> &str {
    media.split(';').next().unwrap_or(media).trim()
}

/// A reqwest error with its cause (its own text leaves the cause out).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_timeout() {
        text.push_str(" (timed out)");
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pairs(style: &str, explode: bool, value: Value) -> Vec<(String, String)> {
        query_pairs("p", style, explode, &value)
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn query_styles_follow_the_openapi_table() {
        let list = json!(["a", "b"]);
        let object = json!({"x": 1, "y": "z"});
        assert_eq!(
            pairs("form", true, list.clone()),
            owned(&[("p", "a"), ("p", "b")])
        );
        assert_eq!(pairs("form", false, list.clone()), owned(&[("p", "a,b")]));
        assert_eq!(
            pairs("spaceDelimited", false, list.clone()),
            owned(&[("p", "a b")])
        );
        assert_eq!(pairs("pipeDelimited", false, list), owned(&[("p", "a|b")]));
        assert_eq!(
            pairs("form", true, object.clone()),
            owned(&[("x", "1"), ("y", "z")])
        );
        assert_eq!(
            pairs("form", false, object.clone()),
            owned(&[("p", "x,1,y,z")])
        );
        assert_eq!(
            pairs("deepObject", true, object),
            owned(&[("p[x]", "1"), ("p[y]", "z")])
        );
        assert_eq!(pairs("form", true, json!(true)), owned(&[("p", "true")]));
    }

    #[test]
    fn simple_style_joins_with_commas() {
        let plain = |value: Value, explode| simple(&value, explode, str::to_owned);
        assert_eq!(plain(json!([1, 2, 3]), false), "1,2,3");
        assert_eq!(plain(json!({"a": 1, "b": 2}), false), "a,1,b,2");
        assert_eq!(plain(json!({"a": 1, "b": 2}), true), "a=1,b=2");
        assert_eq!(plain(json!("x y"), false), "x y");
        let segment = simple(&json!("a/b c"), false, |text| {
            percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
        });
        assert_eq!(segment, "a%2Fb%20c");
    }
}
