//! Prompts: message templates a client can fill in and hand to a model.
//!
//! Most prompts are written with [`#[prompt]`](crate::prompt); [`Prompt::builder`] builds one
//! from a closure and an argument list.
//!
//! ```
//! use fastmcp::prompts::{Message, Prompt, PromptArgument};
//!
//! let review = Prompt::builder("review")
//!     .description("Ask for a code review")
//!     .argument(PromptArgument::new("code").with_description("The code").with_required(true))
//!     .handler(|args, _ctx| async move {
//!         let code = args["code"].as_str().unwrap_or_default().to_owned();
//!         Ok::<_, String>(vec![Message::user(format!("Please review:\n{code}"))])
//!     });
//! assert_eq!(review.name(), "review");
//! ```

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

use crate::completion::{Completer, CompletionRequest, Completions};
use crate::error::RequestError;
use crate::server::Context;
pub use crate::types::PromptArgument;
use crate::types::{
    ContentBlock, GetPromptResult, JsonObject, PromptMessage, ResourceContents, Role,
};
use crate::utilities::args::coerce_arguments;
use crate::utilities::component::{Component, ComponentMeta};

/// The future a prompt handler returns.
pub type PromptFuture = BoxFuture<'static, Result<GetPromptResult, RequestError>>;

/// Renders a prompt from its (typed) arguments.
pub trait PromptHandler: Send + Sync + 'static {
    /// Produces the messages for `arguments`.
    fn render(&self, arguments: JsonObject, ctx: Context) -> PromptFuture;
}

impl<F> PromptHandler for F
where
    F: Fn(JsonObject, Context) -> PromptFuture + Send + Sync + 'static,
{
    fn render(&self, arguments: JsonObject, ctx: Context) -> PromptFuture {
        self(arguments, ctx)
    }
}

/// Message constructors for prompt results.
///
/// ```
/// use fastmcp::prompts::Message;
/// let messages = vec![
///     Message::user("What is in this picture?"),
///     Message::user_image(vec![0x89, b'P', b'N', b'G'], "image/png"),
///     Message::assistant("A small PNG."),
/// ];
/// # let _ = messages;
/// ```
#[derive(Debug)]
pub struct Message;

impl Message {
    /// A user text message.
    pub fn user(text: impl Into<String>) -> PromptMessage {
        PromptMessage::new_text(Role::User, text)
    }

    /// An assistant text message.
    pub fn assistant(text: impl Into<String>) -> PromptMessage {
        PromptMessage::new_text(Role::Assistant, text)
    }

    /// A user message with an image (raw bytes; base64-encoded for you).
    pub fn user_image(data: impl AsRef<[u8]>, mime_type: &str) -> PromptMessage {
        PromptMessage::new_image(Role::User, data.as_ref(), mime_type, None, None)
    }

    /// A user message embedding a text resource.
    pub fn user_resource(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        text: impl Into<String>,
    ) -> PromptMessage {
        let contents = ResourceContents::text(text, uri).with_mime_type(mime_type);
        PromptMessage::new(Role::User, ContentBlock::resource(contents))
    }

    /// A message with any content block.
    pub fn with_content(role: Role, content: ContentBlock) -> PromptMessage {
        PromptMessage::new(role, content)
    }
}

/// What a prompt function can return: a string (one user message), a message, messages, or a
/// full `GetPromptResult`.
pub trait IntoPromptResult {
    /// The conversion.
    fn into_prompt_result(self) -> GetPromptResult;
}

impl IntoPromptResult for String {
    fn into_prompt_result(self) -> GetPromptResult {
        vec![Message::user(self)].into_prompt_result()
    }
}

impl IntoPromptResult for &'static str {
    fn into_prompt_result(self) -> GetPromptResult {
        vec![Message::user(self)].into_prompt_result()
    }
}

impl IntoPromptResult for PromptMessage {
    fn into_prompt_result(self) -> GetPromptResult {
        vec![self].into_prompt_result()
    }
}

impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> GetPromptResult {
        GetPromptResult::new(self)
    }
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> GetPromptResult {
        self
    }
}

/// A prompt: its definition, argument types, and the function that renders it.
#[derive(Clone)]
pub struct Prompt {
    definition: crate::types::Prompt,
    arguments_schema: JsonObject,
    meta: ComponentMeta,
    handler: Arc<dyn PromptHandler>,
    completions: Completions,
}

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompt")
            .field("definition", &self.definition)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl Prompt {
    /// Starts building a prompt named `name`.
    pub fn builder(name: impl Into<String>) -> PromptBuilder {
        PromptBuilder::new(name.into())
    }

    /// The prompt's name.
    pub fn name(&self) -> &str {
        &self.definition.name
    }

    /// The definition published in `prompts/list`.
    pub fn definition(&self) -> &crate::types::Prompt {
        &self.definition
    }

    /// Checks required arguments, converts the string arguments to their declared types, and
    /// renders the prompt.
    pub(crate) async fn render(
        &self,
        arguments: Option<JsonObject>,
        ctx: Context,
    ) -> Result<GetPromptResult, RequestError> {
        let given = arguments.unwrap_or_default();
        for argument in self.definition.arguments.iter().flatten() {
            if argument.required == Some(true) && !given.contains_key(&argument.name) {
                return Err(RequestError::invalid_params(format!(
                    "Missing required argument '{}' for prompt '{}'",
                    argument.name, self.definition.name
                )));
            }
        }
        let mut strings = Vec::new();
        for (name, value) in &given {
            match value {
                Value::String(text) => strings.push((name.as_str(), text.as_str())),
                other => {
                    return Err(RequestError::invalid_params(format!(
                        "Invalid arguments for prompt '{}': argument '{name}' must be a string, got {other}",
                        self.definition.name
                    )));
                }
            }
        }
        let typed = coerce_arguments(&self.arguments_schema, strings).map_err(|error| {
            RequestError::invalid_params(format!(
                "Invalid arguments for prompt '{}': {error}",
                self.definition.name
            ))
        })?;
        let mut result = self.handler.render(typed, ctx).await?;
        if result.description.is_none() {
            result.description = self.definition.description.clone();
        }
        Ok(result)
    }

    pub(crate) async fn complete(&self, request: CompletionRequest) -> Vec<String> {
        self.completions
            .complete(request, &self.arguments_schema)
            .await
    }
}

impl Component for Prompt {
    const KIND: &'static str = "prompt";
    type Definition = crate::types::Prompt;

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

/// Anything that can be registered as a prompt: a [`Prompt`], or a function marked `#[prompt]`.
pub trait IntoPrompt {
    /// The conversion.
    fn into_prompt(self) -> Prompt;
}

impl IntoPrompt for Prompt {
    fn into_prompt(self) -> Prompt {
        self
    }
}

/// What `#[prompt]` generates: a function returning the component.
impl<F: Fn() -> Prompt> IntoPrompt for F {
    fn into_prompt(self) -> Prompt {
        self()
    }
}

/// Builds a [`Prompt`]; finish with [`handler`](Self::handler).
#[derive(Clone)]
#[must_use = "a PromptBuilder does nothing until `handler` builds the Prompt"]
pub struct PromptBuilder {
    definition: crate::types::Prompt,
    arguments_schema: Option<JsonObject>,
    meta: ComponentMeta,
    completions: Completions,
}

impl PromptBuilder {
    crate::utilities::component::builder_setters!("prompt", meta: meta, definition: definition);

    fn new(name: String) -> Self {
        Self {
            definition: crate::types::Prompt::new(name, None::<String>, None),
            arguments_schema: None,
            meta: ComponentMeta::default(),
            completions: Completions::default(),
        }
    }

    /// Declares an argument.
    pub fn argument(mut self, argument: PromptArgument) -> Self {
        self.definition
            .arguments
            .get_or_insert_with(Vec::new)
            .push(argument);
        self
    }

    /// Declares the arguments from a JSON Schema object: each property is an argument (its
    /// `description` carried over, `required` from the schema), and string arguments are
    /// converted to the property types before rendering.
    pub fn arguments_schema(mut self, schema: Value) -> Self {
        let Value::Object(schema) = schema else {
            return self;
        };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let arguments: Vec<PromptArgument> = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, property)| {
                let mut argument = PromptArgument::new(name.clone())
                    .with_required(required.contains(&name.as_str()));
                if let Some(description) = property.get("description").and_then(Value::as_str) {
                    argument = argument.with_description(description);
                }
                argument
            })
            .collect();
        self.definition.arguments = (!arguments.is_empty()).then_some(arguments);
        self.arguments_schema = Some(schema);
        self
    }

    /// Declares the arguments from the schema of `T`.
    pub fn arguments_schema_for<T: schemars::JsonSchema>(self) -> Self {
        self.arguments_schema(Value::Object(crate::utilities::schema::schema_for::<T>()))
    }

    /// Suggests values for one argument (`completion/complete`).
    pub fn complete(mut self, argument: impl Into<String>, completer: impl Completer) -> Self {
        self.completions
            .insert(argument.into(), Arc::new(completer));
        self
    }

    /// Finishes with an async closure `(arguments, ctx) -> Result<T, E>`.
    pub fn handler<F, Fut, T, E>(self, f: F) -> Prompt
    where
        F: Fn(JsonObject, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: IntoPromptResult,
        E: Into<RequestError>,
    {
        self.raw_handler(move |arguments, ctx| -> PromptFuture {
            let future = f(arguments, ctx);
            Box::pin(async move {
                match future.await {
                    Ok(value) => Ok(value.into_prompt_result()),
                    Err(error) => Err(error.into()),
                }
            })
        })
    }

    /// Finishes with a [`PromptHandler`] (what `#[prompt]` generates).
    pub fn raw_handler(self, handler: impl PromptHandler) -> Prompt {
        let arguments_schema = self.arguments_schema.unwrap_or_else(|| {
            let properties: JsonObject = self
                .definition
                .arguments
                .iter()
                .flatten()
                .map(|argument| (argument.name.clone(), serde_json::json!({"type": "string"})))
                .collect();
            serde_json::json!({"type": "object", "properties": properties})
                .as_object()
                .cloned()
                .unwrap_or_default()
        });
        Prompt {
            definition: self.definition,
            arguments_schema,
            meta: self.meta,
            handler: Arc::new(handler),
            completions: self.completions,
        }
    }
}
