//! `tools/call` from the client: the request and its result.

use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, ClientRequest, ContentBlock,
    InputResponses, JsonObject, MetaObject, ServerResult,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::request::{Pending, RequestKind};
use crate::error::Error;

/// A configured `tools/call`: `.await` it, or [`stream`](Pending::stream) it.
pub type CallTool = Pending<CallToolKind>;

/// The `tools/call` request kind.
#[derive(Debug, Clone)]
pub struct CallToolKind {
    name: String,
    arguments: Result<Option<JsonObject>, String>,
    raise_on_error: bool,
}

impl CallToolKind {
    pub(super) fn new(name: String, arguments: Value) -> Self {
        let arguments = match arguments {
            Value::Object(object) => Ok(Some(object)),
            Value::Null => Ok(None),
            other => Err(format!("tool arguments must be a JSON object, not {other}")),
        };
        Self {
            name,
            arguments,
            raise_on_error: true,
        }
    }
}

impl RequestKind for CallToolKind {
    type Output = ToolCallResult;

    fn may_run_as_task(&self) -> bool {
        true
    }

    fn request(&self, responses: Option<InputResponses>, state: Option<String>) -> ClientRequest {
        let mut params = CallToolRequestParams::new(self.name.clone());
        params.arguments = self.arguments.clone().ok().flatten();
        params.input_responses = responses;
        params.request_state = state;
        ClientRequest::CallToolRequest(CallToolRequest::new(params))
    }

    fn check(&self) -> Result<(), Error> {
        self.arguments
            .as_ref()
            .map(|_| ())
            .map_err(|problem| Error::InvalidArguments(problem.clone()))
    }

    fn finish(&self, result: ServerResult) -> Result<ToolCallResult, Error> {
        let ServerResult::CallToolResult(raw) = result else {
            return Err(unexpected("CallToolResult", &result));
        };
        let result = ToolCallResult { raw };
        if self.raise_on_error && result.is_error() {
            return Err(Error::Tool {
                tool: self.name.clone(),
                message: result.text(),
            });
        }
        Ok(result)
    }
}

pub(super) fn unexpected(expected: &str, got: &ServerResult) -> Error {
    Error::data(format!(
        "expected a {expected}, got {}",
        serde_json::to_string(got).unwrap_or_default()
    ))
}

impl Pending<CallToolKind> {
    /// Whether an `isError` result becomes `Err(Error::Tool)` (default `true`) or is returned.
    pub fn raise_on_error(mut self, raise: bool) -> Self {
        self.kind.raise_on_error = raise;
        self
    }

    /// Calls this version of the tool (sent as `_meta.fastmcp.version`) instead of the highest.
    pub fn version(self, version: impl Into<String>) -> Self {
        self.meta_field("fastmcp", serde_json::json!({"version": version.into()}))
    }
}

/// The result of a tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallResult {
    raw: CallToolResult,
}

impl ToolCallResult {
    /// The content blocks.
    pub fn content(&self) -> &[ContentBlock] {
        &self.raw.content
    }

    /// The structured content, if the tool returned any.
    pub fn structured_content(&self) -> Option<&Value> {
        self.raw.structured_content.as_ref()
    }

    /// Whether the tool reported an error (`isError: true`).
    pub fn is_error(&self) -> bool {
        self.raw.is_error.unwrap_or(false)
    }

    /// The result's `_meta`.
    pub fn meta(&self) -> Option<&MetaObject> {
        self.raw.meta.as_ref()
    }

    /// The text blocks, joined with newlines.
    pub fn text(&self) -> String {
        self.raw
            .content
            .iter()
            .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The result as `T`: from the structured content (unwrapping `{"result": …}` when `T` is
    /// the wrapped value), or else from the first text block (as JSON, or as a plain string).
    ///
    /// ```
    /// # async fn demo(client: fastmcp::Client) -> Result<(), fastmcp::Error> {
    /// let sum: i64 = client.call_tool("add", serde_json::json!({"a": 1, "b": 2})).await?.data()?;
    /// # Ok(()) }
    /// ```
    pub fn data<T: DeserializeOwned>(&self) -> Result<T, Error> {
        if let Some(structured) = &self.raw.structured_content {
            let whole = serde_json::from_value::<T>(structured.clone());
            return match whole {
                Ok(value) => Ok(value),
                Err(error) => match structured
                    .as_object()
                    .and_then(|o| (o.len() == 1).then(|| o.get("result")).flatten())
                {
                    Some(inner) => serde_json::from_value(inner.clone())
                        .map_err(|error| Error::data_from(error.to_string(), error)),
                    None => Err(Error::data_from(error.to_string(), error)),
                },
            };
        }
        let text = self.text();
        serde_json::from_str(&text)
            .or_else(|_| serde_json::from_value(Value::String(text)))
            .map_err(|error| {
                let expected = std::any::type_name::<T>();
                Error::data_from(
                    format!("the result has no structured content and its text is not a {expected}: {error}"),
                    error,
                )
            })
    }

    /// The protocol's `CallToolResult`, as received.
    pub fn raw(&self) -> &CallToolResult {
        &self.raw
    }

    /// Consumes the result, returning the protocol's `CallToolResult`.
    pub fn into_raw(self) -> CallToolResult {
        self.raw
    }
}
