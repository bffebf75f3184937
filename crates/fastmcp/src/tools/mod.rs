//! Tools: functions an MCP client can call.
//!
//! Most tools are written with [`#[tool]`](crate::tool); [`Tool::builder`] builds one from a
//! closure and a JSON Schema when the shape is only known at run time.
//!
//! ```
//! use fastmcp::{Context, Tool, ToolResult};
//! use serde_json::json;
//!
//! let echo = Tool::builder("echo")
//!     .description("Repeat the text back")
//!     .input_schema(json!({
//!         "type": "object",
//!         "properties": { "text": { "type": "string" } },
//!         "required": ["text"]
//!     }))
//!     .handler(|args, _ctx: Context| async move {
//!         let text = args.get("text").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
//!         Ok::<_, String>(ToolResult::text(text))
//!     });
//! assert_eq!(echo.name(), "echo");
//! ```

mod result;
pub mod tool_transform;

use std::collections::BTreeSet;
use std::fmt::Display;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;

pub use result::{IntoToolResult, ToolResult, structured_result};
pub use tool_transform::{ArgTransform, Forward, ToolTransform};

use crate::error::{IntoToolError, ToolError};
use crate::server::Context;
use crate::types::{CallToolResult, Icon, JsonObject, MetaObject, ToolAnnotations};
use crate::utilities::component::{Component, ComponentMeta};

/// The future a tool handler returns.
pub type ToolFuture = BoxFuture<'static, Result<CallToolResult, ToolError>>;

/// Runs a tool: arguments and request context in, result out.
pub trait ToolHandler: Send + Sync + 'static {
    /// Calls the tool. `arguments` is the `arguments` object of `tools/call` (empty if absent).
    fn call(&self, arguments: JsonObject, ctx: Context) -> ToolFuture;
}

impl<F> ToolHandler for F
where
    F: Fn(JsonObject, Context) -> ToolFuture + Send + Sync + 'static,
{
    fn call(&self, arguments: JsonObject, ctx: Context) -> ToolFuture {
        self(arguments, ctx)
    }
}

/// A tool: its protocol definition plus the function that runs it.
#[derive(Clone)]
pub struct Tool {
    definition: crate::types::Tool,
    meta: ComponentMeta,
    timeout: Option<Duration>,
    task: TaskSupport,
    task_start: TaskStart,
    handler: Arc<dyn ToolHandler>,
}

/// When a tool that supports tasks becomes one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskStart {
    /// At the call: the client gets the task at once (the default).
    #[default]
    AtCall,
    /// When the tool calls [`Context::start_task`](crate::Context::start_task): until then
    /// it runs as a direct call — its questions are input rounds (2026-07-28) — and the
    /// client gets the task only then. For gathering input quickly, then working long.
    WhenAsked,
}

/// Whether a tool runs as a task (the `io.modelcontextprotocol/tasks` extension, SEP-2663):
/// the call answers at once with a task id, the tool runs in the background, and the client
/// polls `tasks/get` for its status, its questions (elicitation, sampling, roots, answered
/// with `tasks/update`) and finally its result.
///
/// ```
/// use fastmcp::tools::{TaskSupport, Tool, ToolResult};
/// let tool = Tool::builder("render")
///     .task(TaskSupport::Optional)
///     .handler(|_args, _ctx: fastmcp::Context| async { Ok::<_, String>(ToolResult::text("done")) });
/// assert_eq!(tool.task_support(), TaskSupport::Optional);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskSupport {
    /// Always answered directly (the default).
    #[default]
    Forbidden,
    /// A task for clients that declare the extension, a direct answer for the others.
    Optional,
    /// Only as a task: a client that does not declare the extension gets
    /// `MissingRequiredClientCapability` (-32021).
    Required,
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tool")
            .field("definition", &self.definition)
            .field("meta", &self.meta)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Tool {
    /// Starts building a tool named `name`.
    pub fn builder(name: impl Into<String>) -> ToolBuilder {
        ToolBuilder::new(name.into())
    }

    /// The tool's name.
    pub fn name(&self) -> &str {
        &self.definition.name
    }

    /// The definition published in `tools/list`.
    pub fn definition(&self) -> &crate::types::Tool {
        &self.definition
    }

    /// The tool's tags.
    pub fn tags(&self) -> &BTreeSet<String> {
        &self.meta.tags
    }

    /// The tool's version, if it has one.
    pub fn version(&self) -> Option<&str> {
        self.meta.version.as_deref()
    }

    /// How long a call may run before it is stopped with an error result.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Whether calls may or must run as tasks.
    pub fn task_support(&self) -> TaskSupport {
        self.task
    }

    /// When a call becomes a task.
    pub fn task_start(&self) -> TaskStart {
        self.task_start
    }

    /// A tool as another server lists it, answered by `handler`.
    pub(crate) fn from_definition(
        definition: crate::types::Tool,
        handler: Arc<dyn ToolHandler>,
    ) -> Tool {
        Tool {
            definition,
            meta: ComponentMeta::default(),
            timeout: None,
            task: TaskSupport::default(),
            task_start: TaskStart::default(),
            handler,
        }
    }

    pub(crate) fn handler(&self) -> &Arc<dyn ToolHandler> {
        &self.handler
    }
}

/// Anything that can be registered as a tool: a [`Tool`], or a function marked `#[tool]`.
pub trait IntoTool {
    /// The conversion.
    fn into_tool(self) -> Tool;
}

impl Component for Tool {
    const KIND: &'static str = "tool";
    type Definition = crate::types::Tool;

    fn definition(&self) -> &Self::Definition {
        &self.definition
    }

    fn key(&self) -> &str {
        &self.definition.name
    }

    fn component_meta(&self) -> &ComponentMeta {
        &self.meta
    }
}

impl IntoTool for Tool {
    fn into_tool(self) -> Tool {
        self
    }
}

/// What `#[tool]` generates: a function returning the component.
impl<F: Fn() -> Tool> IntoTool for F {
    fn into_tool(self) -> Tool {
        self()
    }
}

/// Builds a [`Tool`]; finish with [`handler`](Self::handler) or [`raw_handler`](Self::raw_handler).
#[derive(Debug, Clone)]
#[must_use = "a ToolBuilder does nothing until `handler` builds the Tool"]
pub struct ToolBuilder {
    name: String,
    title: Option<String>,
    description: Option<String>,
    input_schema: JsonObject,
    output_schema: Option<Arc<JsonObject>>,
    annotations: Option<ToolAnnotations>,
    icons: Option<Vec<Icon>>,
    meta: Option<MetaObject>,
    component: ComponentMeta,
    timeout: Option<Duration>,
    task: TaskSupport,
    task_start: TaskStart,
}

impl ToolBuilder {
    crate::utilities::component::builder_setters!("tool", meta: component);

    fn new(name: String) -> Self {
        let mut input_schema = JsonObject::new();
        input_schema.insert("type".into(), Value::from("object"));
        input_schema.insert("properties".into(), Value::Object(JsonObject::new()));
        Self {
            name,
            title: None,
            description: None,
            input_schema,
            output_schema: None,
            annotations: None,
            icons: None,
            meta: None,
            component: ComponentMeta::default(),
            timeout: None,
            task: TaskSupport::Forbidden,
            task_start: TaskStart::AtCall,
        }
    }

    /// The input JSON Schema, published as given. A non-object value is ignored.
    pub fn input_schema(mut self, schema: Value) -> Self {
        if let Value::Object(schema) = schema {
            self.input_schema = schema;
        }
        self
    }

    /// The input schema generated from `T` (JSON Schema 2020-12).
    pub fn input_schema_for<T: schemars::JsonSchema>(mut self) -> Self {
        self.input_schema = crate::utilities::schema::schema_for::<T>();
        self
    }

    /// The output JSON Schema; results should then carry matching structured content.
    pub fn output_schema(mut self, schema: Value) -> Self {
        if let Value::Object(schema) = schema {
            self.output_schema = Some(Arc::new(schema));
        }
        self
    }

    #[doc(hidden)]
    pub fn output_schema_object(mut self, schema: Option<Arc<JsonObject>>) -> Self {
        self.output_schema = schema;
        self
    }

    /// Behaviour hints for clients (read-only, destructive, idempotent, open-world).
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = Some(annotations);
        self
    }

    /// Stops a call that runs longer than this, with an error result.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Lets calls run as tasks ([`TaskSupport`]).
    pub fn task(mut self, task: TaskSupport) -> Self {
        self.task = task;
        self
    }

    /// When a call becomes a task ([`TaskStart`]).
    pub fn task_start(mut self, start: TaskStart) -> Self {
        self.task_start = start;
        self
    }

    /// Finishes the tool with an async closure `(arguments, ctx) -> Result<R, E>`.
    pub fn handler<F, Fut, R, E>(self, f: F) -> Tool
    where
        F: Fn(JsonObject, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
        R: IntoToolResult,
        E: Display + 'static,
    {
        self.raw_handler(move |arguments, ctx| -> ToolFuture {
            let future = f(arguments, ctx);
            Box::pin(async move {
                match future.await {
                    Ok(value) => value.into_tool_result(),
                    Err(error) => Err(error.into_tool_error()),
                }
            })
        })
    }

    /// Finishes the tool with a [`ToolHandler`] (what `#[tool]` generates).
    pub fn raw_handler(self, handler: impl ToolHandler) -> Tool {
        let mut definition = crate::types::Tool::new(
            self.name,
            self.description.unwrap_or_default(),
            Arc::new(self.input_schema),
        );
        if definition.description.as_deref() == Some("") {
            definition.description = None;
        }
        definition.title = self.title;
        definition.output_schema = self.output_schema;
        definition.annotations = self.annotations;
        definition.icons = self.icons;
        definition.meta = self.meta;
        Tool {
            definition,
            meta: self.component,
            timeout: self.timeout,
            task: self.task,
            task_start: self.task_start,
            handler: Arc::new(handler),
        }
    }
}

/// Support code for `#[tool]`, reached through `fastmcp::__private`; not a public API.
pub(crate) mod macro_support {
    use std::marker::PhantomData;
    use std::sync::Arc;

    use schemars::JsonSchema;
    use serde::Serialize;

    use super::IntoToolResult;
    use crate::error::ToolError;
    use crate::types::{CallToolResult, JsonObject};
    use crate::utilities::schema::output_schema_for;

    // Autoref specialization: for a return type that is an explicit result (`ToolResult`,
    // `CallToolResult`, `()`), `(&&Probe::<T>::new()).kind()` picks `Explicit`; for any other
    // serializable type it picks `Structured`. Resolved at compile time in generated code.
    pub struct Probe<T>(PhantomData<T>);

    impl<T> Probe<T> {
        pub fn new() -> Self {
            Probe(PhantomData)
        }
    }

    impl<T> Default for Probe<T> {
        fn default() -> Self {
            Self::new()
        }
    }

    pub struct Explicit;
    pub struct Structured<T>(PhantomData<T>);

    pub trait ExplicitKind {
        fn kind(&self) -> Explicit {
            Explicit
        }
    }
    impl<T: IntoToolResult> ExplicitKind for &Probe<T> {}

    pub trait StructuredKind<T> {
        fn kind(&self) -> Structured<T> {
            Structured(PhantomData)
        }
    }
    impl<T: Serialize + JsonSchema> StructuredKind<T> for &&Probe<T> {}

    impl Explicit {
        pub fn output_schema(&self) -> (Option<Arc<JsonObject>>, bool) {
            (None, false)
        }
        pub fn convert<T: IntoToolResult>(
            &self,
            value: T,
            _wrap: bool,
        ) -> Result<CallToolResult, ToolError> {
            value.into_tool_result()
        }
    }

    impl<T: Serialize + JsonSchema> Structured<T> {
        pub fn output_schema(&self) -> (Option<Arc<JsonObject>>, bool) {
            let out = output_schema_for::<T>();
            (Some(out.schema), out.wrap)
        }
        pub fn convert(&self, value: T, wrap: bool) -> Result<CallToolResult, ToolError> {
            super::structured_result(&value, wrap)
        }
    }
}
