//! [`ArgTransform`]: how one argument of the parent tool changes.

use std::sync::Arc;

use serde_json::Value;

/// How one argument of the parent tool changes.
#[derive(Clone, Default)]
pub struct ArgTransform {
    pub(super) name: Option<String>,
    pub(super) description: Option<Option<String>>,
    pub(super) default: Option<Value>,
    pub(super) default_factory: Option<Arc<dyn Fn() -> Value + Send + Sync>>,
    pub(super) hide: bool,
    pub(super) required: bool,
    pub(super) schema: Option<Value>,
    pub(super) examples: Option<Value>,
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
