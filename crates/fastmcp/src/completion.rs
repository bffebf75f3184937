//! Argument completion (`completion/complete`) for prompt arguments and template variables.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

use crate::types::JsonObject;

/// What is being completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRequest {
    /// The argument (or template variable) name.
    pub argument: String,
    /// What the user has typed so far.
    pub value: String,
    /// Values already chosen for the other arguments.
    pub context: HashMap<String, String>,
}

/// Suggests values for one argument.
pub trait Completer: Send + Sync + 'static {
    /// The suggestions, best first (the first 100 are sent).
    fn complete(&self, request: CompletionRequest) -> BoxFuture<'static, Vec<String>>;
}

impl<F, Fut> Completer for F
where
    F: Fn(CompletionRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Vec<String>> + Send + 'static,
{
    fn complete(&self, request: CompletionRequest) -> BoxFuture<'static, Vec<String>> {
        Box::pin(self(request))
    }
}

/// The completers of one prompt or template, by argument name.
#[derive(Clone, Default)]
pub(crate) struct Completions {
    by_argument: BTreeMap<String, Arc<dyn Completer>>,
}

impl std::fmt::Debug for Completions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.by_argument.keys()).finish()
    }
}

impl Completions {
    pub(crate) fn insert(&mut self, argument: String, completer: Arc<dyn Completer>) {
        self.by_argument.insert(argument, completer);
    }

    /// Suggestions for `request`: from its completer, or else from the `enum` values the
    /// argument's schema allows that start with what was typed.
    pub(crate) async fn complete(
        &self,
        request: CompletionRequest,
        schema: &JsonObject,
    ) -> Vec<String> {
        if let Some(completer) = self.by_argument.get(&request.argument) {
            return completer.complete(request).await;
        }
        let options = schema
            .get("properties")
            .and_then(|p| p.get(&request.argument))
            .and_then(|property| property.get("enum"))
            .and_then(Value::as_array);
        options
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|option| option.starts_with(&request.value))
            .map(str::to_owned)
            .collect()
    }
}
