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

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{IntoTool, Tool, ToolFuture, ToolHandler};
use crate::error::{Error, ToolError};
use crate::server::Context;
use crate::types::{CallToolResult, JsonObject, ToolAnnotations};

/// How one argument of the parent tool changes.
#[derive(Clone, Default)]
pub struct ArgTransform {
    name: Option<String>,
    description: Option<Option<String>>,
    default: Option<Value>,
    default_factory: Option<Arc<dyn Fn() -> Value + Send + Sync>>,
    hide: bool,
    required: bool,
    schema: Option<Value>,
    examples: Option<Value>,
}

impl std::fmt::Debug for ArgTransform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArgTransform")
            .field("name", &self.name)
            .field("default", &self.default)
            .field("hide", &self.hide)
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}

impl ArgTransform {
    /// No change (add the changes with the methods below).
    pub fn new() -> Self {
        <Self as Default>::default()
    }

    /// Calls the argument `name`.
    pub fn rename(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Describes the argument as `description`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(Some(description.into()));
        self
    }

    /// Removes the argument's description.
    pub fn no_description(mut self) -> Self {
        self.description = Some(None);
        self
    }

    /// Gives the argument a default (so clients may leave it out).
    pub fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }

    /// Computes the argument's value per call; for hidden arguments only.
    pub fn default_factory(mut self, factory: impl Fn() -> Value + Send + Sync + 'static) -> Self {
        self.default_factory = Some(Arc::new(factory));
        self
    }

    /// Hides the argument from clients: the parent gets its default (which it then needs).
    pub fn hide(mut self) -> Self {
        self.hide = true;
        self
    }

    /// Makes the argument required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Replaces the argument's JSON Schema (its type), e.g. `json!({"type": "integer",
    /// "minimum": 0})`.
    pub fn schema(mut self, schema: Value) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Examples shown in the argument's schema.
    pub fn examples(mut self, examples: Value) -> Self {
        self.examples = Some(examples);
        self
    }
}

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

/// A transform function: the new tool's arguments (under their new names) and the way to the
/// parent; it decides what the new tool answers.
trait TransformFn: Send + Sync + 'static {
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

/// Where an argument of the new tool goes in the parent's.
#[derive(Clone)]
struct Mapping {
    /// Visible arguments: (new name, parent name).
    renamed: Vec<(String, String)>,
    /// Arguments with a new default, by new name.
    defaults: Vec<(String, Value)>,
    /// Hidden arguments: parent name and the value it gets.
    hidden: Vec<(String, HiddenValue)>,
    required: Vec<String>,
    tool: String,
    parent: String,
}

#[derive(Clone)]
enum HiddenValue {
    Fixed(Value),
    Factory(Arc<dyn Fn() -> Value + Send + Sync>),
    /// A hidden optional argument with no default: left out.
    Absent,
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
        Ok(self.finish(tool, input_schema, mapping))
    }

    fn finish(self, name: String, input_schema: JsonObject, mapping: Mapping) -> Tool {
        let mut tool = self.parent.clone();
        tool.definition.name = name.into();
        tool.definition.input_schema = Arc::new(input_schema);
        if let Some(description) = self.description {
            tool.definition.description = Some(description.into());
        }
        if let Some(annotations) = self.annotations {
            tool.definition.annotations = Some(annotations);
        }
        if let Some(schema) = self.output_schema {
            tool.definition.output_schema = schema;
        }
        if let Some(tags) = self.tags {
            tool.meta.tags = tags;
        }
        tool.handler = Arc::new(Transformed {
            parent: Arc::clone(&self.parent.handler),
            mapping: Arc::new(mapping),
            function: self.function,
        });
        tool
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

/// The new tool's handler: its transform function, or else straight to the parent (the
/// arguments checked under their new names and mapped to the parent's).
struct Transformed {
    parent: Arc<dyn ToolHandler>,
    mapping: Arc<Mapping>,
    function: Option<Arc<dyn TransformFn>>,
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
    fn rename_error(&self, error: ToolError) -> ToolError {
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
    fn forward(&self, mut arguments: JsonObject) -> Result<JsonObject, ToolError> {
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
