//! Tool transformation: a new tool made from another, with arguments renamed, described,
//! defaulted, hidden or made required (FastMCP's `Tool.from_tool` and `ArgTransform`).
//!
//! ```
//! use fastmcp::tools::ArgTransform;
//! use fastmcp::{tool, Tool};
//! use serde_json::json;
//!
//! /// Add two numbers.
//! #[tool]
//! fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! let add_ten = Tool::from_tool(add)
//!     .name("add_ten")
//!     .description("Add ten to a number.")
//!     .arg("b", ArgTransform::new().hide().default(json!(10)))
//!     .build()
//!     .unwrap();
//! assert_eq!(add_ten.name(), "add_ten");
//! ```

mod arg;
mod forward;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value};

pub use arg::ArgTransform;
pub use forward::Forward;

pub(crate) use self::forward::Mapping;
use self::forward::{HiddenValue, TransformFn, Transformed};
use super::{IntoTool, Tool};
use crate::error::{Error, ToolError};
use crate::types::{CallToolResult, JsonObject, ToolAnnotations};

/// A tool being made from another ([`Tool::from_tool`]); [`build`](Self::build) checks the
/// rules and makes it.
#[derive(Debug)]
pub struct ToolTransform {
    parent: Tool,
    name: Option<String>,
    description: Option<String>,
    tags: Option<BTreeSet<String>>,
    annotations: Option<ToolAnnotations>,
    output_schema: Option<Option<Arc<JsonObject>>>,
    args: Vec<(String, ArgTransform)>,
    function: Option<Arc<dyn TransformFn>>,
}

impl Tool {
    /// Starts a new tool made from `parent`: calling it calls `parent` with the arguments
    /// mapped back (renamed, defaults and hidden values filled in).
    pub fn from_tool(parent: impl IntoTool) -> ToolTransform {
        ToolTransform {
            parent: parent.into_tool(),
            name: None,
            description: None,
            tags: None,
            annotations: None,
            output_schema: None,
            args: Vec::new(),
            function: None,
        }
    }
}

impl ToolTransform {
    /// The new tool's name (default: the parent's).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The new tool's description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The new tool's tags.
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// The new tool's annotations.
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = Some(annotations);
        self
    }

    /// The new tool's output schema (`None` for none).
    pub fn output_schema(mut self, schema: Option<JsonObject>) -> Self {
        self.output_schema = Some(schema.map(Arc::new));
        self
    }

    /// Answers with `function` instead of calling the parent directly: it gets the arguments
    /// (new names, unchecked) and a [`Forward`] whose `call` checks and maps them to the
    /// parent (`call_raw` takes the parent's names), and may change what comes back.
    ///
    /// ```
    /// use fastmcp::tools::ArgTransform;
    /// use fastmcp::{tool, Tool, ToolError};
    ///
    /// /// Divide.
    /// #[tool]
    /// fn divide(a: f64, b: f64) -> f64 { a / b }
    ///
    /// let safe = Tool::from_tool(divide)
    ///     .name("safe_divide")
    ///     .transform_fn(|args, forward| async move {
    ///         if args.get("b").and_then(|b| b.as_f64()) == Some(0.0) {
    ///             return Err(ToolError::new("b must not be zero"));
    ///         }
    ///         forward.call(args).await
    ///     })
    ///     .build()
    ///     .unwrap();
    /// # drop(safe);
    /// ```
    pub fn transform_fn<F, Fut>(mut self, function: F) -> Self
    where
        F: Fn(JsonObject, Forward) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CallToolResult, ToolError>> + Send + 'static,
    {
        self.function = Some(Arc::new(function));
        self
    }

    /// Changes the parent's argument `parent_name` as `transform` says.
    pub fn arg(mut self, parent_name: impl Into<String>, transform: ArgTransform) -> Self {
        self.args.push((parent_name.into(), transform));
        self
    }

    /// Checks FastMCP's rules and makes the tool: every transformed argument exists; a hidden
    /// argument the parent requires has a default; `required` and a default do not go
    /// together; a default factory is for hidden arguments; no two arguments share a name.
    pub fn build(self) -> Result<Tool, Error> {
        let (definition, mapping) = self.definition()?;
        let mut tool = self.parent.clone();
        tool.definition = definition;
        if let Some(tags) = self.tags {
            tool.meta.tags = tags;
        }
        tool.handler = Arc::new(Transformed {
            parent: Arc::clone(&self.parent.handler),
            mapping,
            function: self.function,
        });
        Ok(tool)
    }

    /// The new tool's definition and how its arguments map to the parent's, with FastMCP's
    /// rules checked.
    pub(crate) fn definition(&self) -> Result<(crate::types::Tool, Arc<Mapping>), Error> {
        let parent_schema = self.parent.definition.input_schema.clone();
        let properties = match parent_schema.get("properties") {
            Some(Value::Object(properties)) => properties.clone(),
            _ => Map::new(),
        };
        let parent_required: Vec<String> = match parent_schema.get("required") {
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(|name| name.as_str().map(str::to_owned))
                .collect(),
            None | Some(_) => Vec::new(),
        };
        let tool = self
            .name
            .clone()
            .unwrap_or_else(|| self.parent.name().to_owned());
        let transforms: HashMap<&str, &ArgTransform> = self
            .args
            .iter()
            .map(|(name, t)| (name.as_str(), t))
            .collect();
        for (name, transform) in &self.args {
            check(&tool, name, transform, &properties, &parent_required)?;
        }
        check_names(&tool, &properties, &transforms)?;
        let mut mapping = Mapping {
            renamed: Vec::new(),
            defaults: Vec::new(),
            hidden: Vec::new(),
            required: Vec::new(),
            tool: tool.clone(),
            parent: self.parent.name().to_owned(),
        };
        let mut new_properties = Map::new();
        for (parent_name, schema) in &properties {
            let transform = transforms.get(parent_name.as_str()).copied();
            let is_required = parent_required.contains(parent_name);
            let Some(transform) = transform else {
                mapping
                    .renamed
                    .push((parent_name.clone(), parent_name.clone()));
                if is_required {
                    mapping.required.push(parent_name.clone());
                }
                new_properties.insert(parent_name.clone(), schema.clone());
                continue;
            };
            if transform.hide {
                mapping
                    .hidden
                    .push((parent_name.clone(), hidden_value(transform)));
                continue;
            }
            let new_name = transform
                .name
                .clone()
                .unwrap_or_else(|| parent_name.clone());
            new_properties.insert(new_name.clone(), arg_schema(schema, transform));
            if let Some(default) = &transform.default {
                mapping.defaults.push((new_name.clone(), default.clone()));
            }
            if transform.required || (is_required && transform.default.is_none()) {
                mapping.required.push(new_name.clone());
            }
            mapping.renamed.push((new_name, parent_name.clone()));
        }
        let mut input_schema = (*parent_schema).clone();
        input_schema.insert("properties".into(), Value::Object(new_properties));
        input_schema.insert(
            "required".into(),
            Value::Array(
                mapping
                    .required
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            ),
        );
        let mut definition = self.parent.definition.clone();
        definition.name = tool.into();
        definition.input_schema = Arc::new(input_schema);
        if let Some(description) = &self.description {
            definition.description = Some(description.clone().into());
        }
        if let Some(annotations) = &self.annotations {
            definition.annotations = Some(annotations.clone());
        }
        if let Some(schema) = &self.output_schema {
            definition.output_schema = schema.clone();
        }
        Ok((definition, Arc::new(mapping)))
    }
}

/// No two visible arguments of the new tool share a name.
fn check_names(
    tool: &str,
    properties: &Map<String, Value>,
    transforms: &HashMap<&str, &ArgTransform>,
) -> Result<(), Error> {
    let mut names: Vec<&str> = Vec::new();
    for parent_name in properties.keys() {
        let transform = transforms.get(parent_name.as_str());
        if transform.is_some_and(|t| t.hide) {
            continue;
        }
        let name = transform
            .and_then(|t| t.name.as_deref())
            .unwrap_or(parent_name);
        if names.contains(&name) {
            return Err(Error::Registration(format!(
                "tool '{tool}': two arguments would be called '{name}'; rename one"
            )));
        }
        names.push(name);
    }
    Ok(())
}

/// FastMCP's rules for one argument transform.
fn check(
    tool: &str,
    name: &str,
    transform: &ArgTransform,
    properties: &Map<String, Value>,
    parent_required: &[String],
) -> Result<(), Error> {
    let fail = |why: String| Err(Error::Registration(format!("tool '{tool}': {why}")));
    if !properties.contains_key(name) {
        let known: Vec<&str> = properties.keys().map(String::as_str).collect();
        return fail(format!(
            "the parent tool has no argument '{name}' (it has: {})",
            known.join(", ")
        ));
    }
    let has_default = transform.default.is_some() || transform.default_factory.is_some();
    if transform.required && has_default {
        return fail(format!(
            "argument '{name}' cannot be both required and defaulted"
        ));
    }
    if transform.default_factory.is_some() && !transform.hide {
        return fail(format!(
            "argument '{name}': a default factory is only for hidden arguments"
        ));
    }
    if transform.hide && parent_required.iter().any(|r| r == name) && !has_default {
        return fail(format!(
            "argument '{name}' is required by the parent tool: hiding it needs a default"
        ));
    }
    if transform.hide && transform.required {
        return fail(format!(
            "argument '{name}' cannot be both hidden and required"
        ));
    }
    Ok(())
}

fn hidden_value(transform: &ArgTransform) -> HiddenValue {
    match (&transform.default, &transform.default_factory) {
        (_, Some(factory)) => HiddenValue::Factory(Arc::clone(factory)),
        (Some(value), None) => HiddenValue::Fixed(value.clone()),
        (None, None) => HiddenValue::Absent,
    }
}

/// The schema of a visible argument after its transform.
fn arg_schema(schema: &Value, transform: &ArgTransform) -> Value {
    let mut schema = transform.schema.clone().unwrap_or_else(|| schema.clone());
    let Value::Object(object) = &mut schema else {
        return schema;
    };
    match &transform.description {
        Some(Some(description)) => {
            object.insert("description".into(), Value::String(description.clone()));
        }
        Some(None) => {
            object.remove("description");
        }
        None => {}
    }
    if let Some(default) = &transform.default {
        object.insert("default".into(), default.clone());
    }
    if let Some(examples) = &transform.examples {
        object.insert("examples".into(), examples.clone());
    }
    schema
}
