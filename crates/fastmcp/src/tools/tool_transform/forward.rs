//! Calling the parent: the new tool's handler, [`Forward`] for transform functions, and the
//! mapping of the new tool's arguments to the parent's.

use std::sync::Arc;

use serde_json::Value;

use crate::error::ToolError;
use crate::server::Context;
use crate::tools::{ToolFuture, ToolHandler};
use crate::types::{CallToolResult, JsonObject};

/// A transform function: the new tool's arguments (under their new names) and the way to the
/// parent; it decides what the new tool answers.
pub(super) trait TransformFn: Send + Sync + 'static {
    fn call(&self, arguments: JsonObject, forward: Forward) -> ToolFuture;
}

impl<F, Fut> TransformFn for F
where
    F: Fn(JsonObject, Forward) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<CallToolResult, ToolError>> + Send + 'static,
{
    fn call(&self, arguments: JsonObject, forward: Forward) -> ToolFuture {
        Box::pin(self(arguments, forward))
    }
}

impl std::fmt::Debug for dyn TransformFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TransformFn")
    }
}

/// The way from a transform function to the parent tool.
pub struct Forward {
    parent: Arc<dyn ToolHandler>,
    mapping: Arc<Mapping>,
    ctx: Context,
}

impl std::fmt::Debug for Forward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forward")
            .field("tool", &self.mapping.tool)
            .finish_non_exhaustive()
    }
}

impl Forward {
    /// Calls the parent with `arguments` named as the new tool names them: checked, renamed
    /// back, defaults and hidden values filled in (FastMCP's `forward`).
    pub async fn call(&self, arguments: JsonObject) -> Result<CallToolResult, ToolError> {
        let arguments = self.mapping.forward(arguments)?;
        self.call_raw(arguments).await
    }

    /// Calls the parent with `arguments` under the parent's own names, unchecked (FastMCP's
    /// `forward_raw`).
    pub async fn call_raw(&self, arguments: JsonObject) -> Result<CallToolResult, ToolError> {
        let answer = self.parent.call(arguments, self.ctx.clone()).await;
        answer.map_err(|error| self.mapping.rename_error(error))
    }

    /// The request's context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }
}

/// Where an argument of the new tool goes in the parent's.
#[derive(Clone)]
pub(crate) struct Mapping {
    /// Visible arguments: (new name, parent name).
    pub(super) renamed: Vec<(String, String)>,
    /// Arguments with a new default, by new name.
    pub(super) defaults: Vec<(String, Value)>,
    /// Hidden arguments: parent name and the value it gets.
    pub(super) hidden: Vec<(String, HiddenValue)>,
    pub(super) required: Vec<String>,
    pub(super) tool: String,
    pub(super) parent: String,
}

#[derive(Clone)]
pub(super) enum HiddenValue {
    Fixed(Value),
    Factory(Arc<dyn Fn() -> Value + Send + Sync>),
    /// A hidden optional argument with no default: left out.
    Absent,
}

/// The new tool's handler: its transform function, or else straight to the parent (the
/// arguments checked under their new names and mapped to the parent's).
pub(super) struct Transformed {
    pub(super) parent: Arc<dyn ToolHandler>,
    pub(super) mapping: Arc<Mapping>,
    pub(super) function: Option<Arc<dyn TransformFn>>,
}

impl ToolHandler for Transformed {
    fn call(&self, arguments: JsonObject, ctx: Context) -> ToolFuture {
        let forward = Forward {
            parent: Arc::clone(&self.parent),
            mapping: Arc::clone(&self.mapping),
            ctx,
        };
        match &self.function {
            Some(function) => function.call(arguments, forward),
            None => Box::pin(async move { forward.call(arguments).await }),
        }
    }
}

impl Mapping {
    /// The parent's argument errors (`Invalid arguments for tool 'add': b: …`) under the new
    /// tool's names (`… tool 'add_ten': y: …`).
    pub(crate) fn rename_error(&self, error: ToolError) -> ToolError {
        let prefix = format!("Invalid arguments for tool '{}': ", self.parent);
        let Some(rest) = error.message().strip_prefix(prefix.as_str()) else {
            return error;
        };
        let field_end = rest.find([':', '.', '[']).unwrap_or(rest.len());
        let (field, tail) = rest.split_at(field_end);
        let field = self
            .renamed
            .iter()
            .find(|(_, original)| original == field)
            .map_or(field, |(new, _)| new.as_str());
        let message = format!("Invalid arguments for tool '{}': {field}{tail}", self.tool);
        if error.is_internal() {
            error
        } else {
            ToolError::new(message)
        }
    }

    /// The parent's arguments for `arguments` (named as the new tool names them).
    pub(crate) fn forward(&self, mut arguments: JsonObject) -> Result<JsonObject, ToolError> {
        let tool = &self.tool;
        if let Some(unknown) = arguments
            .keys()
            .find(|key| !self.renamed.iter().any(|(new, _)| new == *key))
        {
            let expected: Vec<&str> = self.renamed.iter().map(|(new, _)| new.as_str()).collect();
            return Err(ToolError::new(format!(
                "Invalid arguments for tool '{tool}': unknown argument '{unknown}' (expected: {})",
                expected.join(", ")
            )));
        }
        if let Some(missing) = self
            .required
            .iter()
            .find(|name| !arguments.contains_key(name.as_str()))
        {
            return Err(ToolError::new(format!(
                "Invalid arguments for tool '{tool}': missing required argument '{missing}'"
            )));
        }
        for (name, default) in &self.defaults {
            if !arguments.contains_key(name) {
                arguments.insert(name.clone(), default.clone());
            }
        }
        let mut parent = JsonObject::new();
        for (new, original) in &self.renamed {
            if let Some(value) = arguments.remove(new) {
                parent.insert(original.clone(), value);
            }
        }
        for (name, value) in &self.hidden {
            match value {
                HiddenValue::Fixed(value) => {
                    parent.insert(name.clone(), value.clone());
                }
                HiddenValue::Factory(factory) => {
                    parent.insert(name.clone(), factory());
                }
                HiddenValue::Absent => {}
            }
        }
        Ok(parent)
    }
}
