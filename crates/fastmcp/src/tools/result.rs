//! What a tool returns: [`ToolResult`] for explicit content, or any serializable value.

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ToolError;
use crate::types::{CallToolResult, ContentBlock, MetaObject, Resource, ResourceContents};

/// An explicit tool result: content blocks, optional structured content, an error flag.
///
/// Return it from a tool when a plain value is not enough: images, audio, resource links,
/// several blocks, or an error result with details.
///
/// ```
/// use fastmcp::ToolResult;
/// let result = ToolResult::text("chart ready")
///     .with_image(vec![0x89, b'P', b'N', b'G'], "image/png");
/// assert_eq!(result.content().len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolResult {
    content: Vec<ContentBlock>,
    structured: Option<Value>,
    is_error: bool,
    meta: Option<MetaObject>,
}

impl ToolResult {
    /// An empty successful result.
    pub fn new() -> Self {
        Self::default()
    }

    /// One text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new().with_text(text)
    }

    /// An error result (`isError: true`) with this message.
    pub fn error(message: impl Into<String>) -> Self {
        Self::text(message).with_error(true)
    }

    /// Structured content, with its JSON as the text block (as the spec recommends).
    pub fn structured(value: Value) -> Self {
        let text = text_of(&value);
        Self::text(text).with_structured(value)
    }

    /// Structured content from any serializable value.
    pub fn json<T: Serialize>(value: &T) -> Result<Self, ToolError> {
        serde_json::to_value(value)
            .map(Self::structured)
            .map_err(|error| ToolError::new(format!("result is not serializable: {error}")))
    }

    /// Appends a text block.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.content.push(ContentBlock::text(text));
        self
    }

    /// Appends an image block; `data` is raw bytes (base64-encoded for you).
    pub fn with_image(mut self, data: impl AsRef<[u8]>, mime_type: impl Into<String>) -> Self {
        self.content
            .push(ContentBlock::image(base64_of(data), mime_type));
        self
    }

    /// Appends an audio block; `data` is raw bytes (base64-encoded for you).
    pub fn with_audio(mut self, data: impl AsRef<[u8]>, mime_type: impl Into<String>) -> Self {
        self.content
            .push(ContentBlock::audio(base64_of(data), mime_type));
        self
    }

    /// Appends a link to a resource the client can read later.
    pub fn with_resource_link(mut self, uri: impl Into<String>, name: impl Into<String>) -> Self {
        self.content
            .push(ContentBlock::resource_link(Resource::new(uri, name)));
        self
    }

    /// Appends an embedded text resource.
    pub fn with_embedded_text(
        mut self,
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        let contents = ResourceContents::text(text, uri).with_mime_type(mime_type);
        self.content.push(ContentBlock::resource(contents));
        self
    }

    /// Appends any content block.
    pub fn with_content(mut self, block: ContentBlock) -> Self {
        self.content.push(block);
        self
    }

    /// Sets the structured content.
    pub fn with_structured(mut self, value: Value) -> Self {
        self.structured = Some(value);
        self
    }

    /// Marks the result as an error (`isError: true`) or not.
    pub fn with_error(mut self, is_error: bool) -> Self {
        self.is_error = is_error;
        self
    }

    /// Sets the result's `_meta`.
    pub fn with_meta(mut self, meta: MetaObject) -> Self {
        self.meta = Some(meta);
        self
    }

    /// The content blocks.
    pub fn content(&self) -> &[ContentBlock] {
        &self.content
    }

    /// Whether this is an error result.
    pub fn is_error(&self) -> bool {
        self.is_error
    }
}

impl From<ToolResult> for CallToolResult {
    fn from(result: ToolResult) -> Self {
        let mut out = if result.is_error {
            CallToolResult::error(result.content)
        } else {
            CallToolResult::success(result.content)
        };
        out.structured_content = result.structured;
        out.meta = result.meta;
        out
    }
}

/// Types a tool can return as-is: the explicit result types.
///
/// Any other return type is treated as structured output: it must implement `Serialize` and
/// `JsonSchema`, and `#[tool]` publishes its schema as the tool's output schema.
pub trait IntoToolResult {
    /// The conversion.
    fn into_tool_result(self) -> Result<CallToolResult, ToolError>;
}

impl IntoToolResult for ToolResult {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(self.into())
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(self)
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(Vec::new()))
    }
}

/// A structured result: the value (wrapped as `{"result": value}` when `wrap`) as structured
/// content, and as one text block (a string stays as it is; anything else is compact JSON).
pub fn structured_result<T: Serialize>(value: &T, wrap: bool) -> Result<CallToolResult, ToolError> {
    let value = serde_json::to_value(value)
        .map_err(|error| ToolError::new(format!("tool result is not serializable: {error}")))?;
    let mut result = CallToolResult::success(vec![ContentBlock::text(text_of(&value))]);
    result.structured_content = Some(if wrap {
        json!({ "result": value })
    } else {
        value
    });
    Ok(result)
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn base64_of(data: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}
