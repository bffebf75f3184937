//! [`ResourceTemplate`]: resources addressed by an RFC 6570 URI template.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::uri_template::{UriTemplate, traversal_problem};
use super::{IntoResourceContents, ResourceFuture, ResourceHandler, ResourceRequest, contents};
use crate::completion::{Completer, CompletionRequest, Completions};
use crate::error::RequestError;
use crate::server::Context;
use crate::types::{Annotations, JsonObject, ResourceContents};
use crate::utilities::CacheHint;
use crate::utilities::args::coerce_arguments;
use crate::utilities::component::{Component, ComponentMeta};

/// A family of resources: `weather://{city}/current`, `files://{path*}`, `search://{q}{?limit}`.
///
/// Variables are percent-decoded and converted to the types the handler declares (an
/// integer variable given `abc` is an invalid-params error). A value that could escape a
/// directory (`..` segments, absolute paths, NUL bytes) is refused unless
/// [`allow_path_traversal`](ResourceTemplateBuilder::allow_path_traversal) is set.
#[derive(Clone)]
pub struct ResourceTemplate {
    definition: crate::types::ResourceTemplate,
    template: Result<UriTemplate, String>,
    params_schema: JsonObject,
    meta: ComponentMeta,
    cache_hint: Option<CacheHint>,
    handler: Arc<dyn ResourceHandler>,
    completions: Completions,
    allow_traversal: bool,
}

impl std::fmt::Debug for ResourceTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceTemplate")
            .field("definition", &self.definition)
            .field("meta", &self.meta)
            .field("completions", &self.completions)
            .finish_non_exhaustive()
    }
}

impl ResourceTemplate {
    /// Starts building a template for `uri_template`.
    pub fn builder(uri_template: impl Into<String>) -> ResourceTemplateBuilder {
        ResourceTemplateBuilder::new(uri_template.into())
    }

    /// The URI template as written.
    pub fn uri_template(&self) -> &str {
        &self.definition.uri_template
    }

    /// The definition published in `resources/templates/list`.
    pub fn definition(&self) -> &crate::types::ResourceTemplate {
        &self.definition
    }

    /// The cache hint reads through this template carry on 2026-07-28, if one was set.
    pub fn cache_hint(&self) -> Option<CacheHint> {
        self.cache_hint
    }

    /// Why the template cannot be registered, if it is malformed.
    pub(crate) fn problem(&self) -> Option<&str> {
        self.template.as_ref().err().map(String::as_str)
    }

    /// The template's variables, if `uri` matches it.
    pub(crate) fn match_uri(&self, uri: &str) -> Option<BTreeMap<String, String>> {
        self.template.as_ref().ok()?.match_uri(uri)
    }

    pub(crate) async fn read(
        &self,
        uri: &str,
        variables: BTreeMap<String, String>,
        ctx: Context,
    ) -> Result<Vec<ResourceContents>, RequestError> {
        if !self.allow_traversal {
            for (name, value) in &variables {
                if let Some(problem) = traversal_problem(value) {
                    return Err(RequestError::invalid_params(format!(
                        "Invalid value for '{name}' in {uri}: it {problem}"
                    )));
                }
            }
        }
        let params = coerce_arguments(
            &self.params_schema,
            variables.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|error| RequestError::invalid_params(format!("Invalid {uri}: {error}")))?;
        let request = ResourceRequest {
            uri: uri.to_owned(),
            params,
        };
        let contents = self.handler.read(request, ctx).await?;
        Ok(contents::finish(
            contents,
            uri,
            self.definition.mime_type.as_deref(),
        ))
    }

    pub(crate) async fn complete(&self, request: CompletionRequest) -> Vec<String> {
        self.completions
            .complete(request, &self.params_schema)
            .await
    }
}

impl Component for ResourceTemplate {
    const KIND: &'static str = "resource template";
    type Definition = crate::types::ResourceTemplate;

    fn definition(&self) -> &Self::Definition {
        &self.definition
    }

    fn key(&self) -> &str {
        &self.definition.uri_template
    }

    fn component_meta(&self) -> &ComponentMeta {
        &self.meta
    }
}

/// Anything that can be registered as a resource template.
pub trait IntoResourceTemplate {
    /// The conversion.
    fn into_resource_template(self) -> ResourceTemplate;
}

impl IntoResourceTemplate for ResourceTemplate {
    fn into_resource_template(self) -> ResourceTemplate {
        self
    }
}

/// What `#[resource]` generates: a function returning the component.
impl<F: Fn() -> ResourceTemplate> IntoResourceTemplate for F {
    fn into_resource_template(self) -> ResourceTemplate {
        self()
    }
}

/// Builds a [`ResourceTemplate`]; finish with [`handler`](Self::handler).
#[derive(Clone)]
#[must_use = "a ResourceTemplateBuilder does nothing until `handler` builds the template"]
pub struct ResourceTemplateBuilder {
    definition: crate::types::ResourceTemplate,
    params_schema: Option<JsonObject>,
    meta: ComponentMeta,
    cache_hint: Option<CacheHint>,
    completions: Completions,
    allow_traversal: bool,
}

impl ResourceTemplateBuilder {
    crate::utilities::component::builder_setters!("resource template", meta: meta, definition: definition);

    fn new(uri_template: String) -> Self {
        let name = uri_template.clone();
        Self {
            definition: crate::types::ResourceTemplate::new(uri_template, name),
            params_schema: None,
            meta: ComponentMeta::default(),
            cache_hint: None,
            completions: Completions::default(),
            allow_traversal: false,
        }
    }

    /// The template's name (default: the template itself).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.definition.name = name.into();
        self
    }

    /// The MIME type of the contents.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.definition.mime_type = Some(mime_type.into());
        self
    }

    /// Audience and priority hints.
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        self.definition.annotations = Some(annotations);
        self
    }

    /// How long 2026-07-28 clients may reuse a read through this template, and who may share
    /// it (default: not cacheable). See [`CacheHint`].
    pub fn cache_hint(mut self, hint: CacheHint) -> Self {
        self.cache_hint = Some(hint);
        self
    }

    /// A JSON Schema (object) giving the variables' types; variables are converted to them.
    /// Without one, every variable is a string.
    pub fn params_schema(mut self, schema: Value) -> Self {
        if let Value::Object(schema) = schema {
            self.params_schema = Some(schema);
        }
        self
    }

    /// The variables' schema generated from `T`.
    pub fn params_schema_for<T: schemars::JsonSchema>(mut self) -> Self {
        self.params_schema = Some(crate::utilities::schema::schema_for::<T>());
        self
    }

    /// Suggests values for one variable (`completion/complete`).
    pub fn complete(mut self, variable: impl Into<String>, completer: impl Completer) -> Self {
        self.completions
            .insert(variable.into(), Arc::new(completer));
        self
    }

    /// Accepts variable values with `..` segments, absolute paths or NUL bytes. Only for
    /// handlers that never use a value as a path.
    pub fn allow_path_traversal(mut self, allow: bool) -> Self {
        self.allow_traversal = allow;
        self
    }

    /// Finishes with an async closure `(request, ctx) -> Result<T, E>`; `request.params`
    /// holds the variables.
    pub fn handler<F, Fut, T, E>(self, f: F) -> ResourceTemplate
    where
        F: Fn(ResourceRequest, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: IntoResourceContents,
        E: Into<RequestError>,
    {
        self.raw_handler(move |request: ResourceRequest, ctx| -> ResourceFuture {
            let uri = request.uri.clone();
            let future = f(request, ctx);
            Box::pin(async move {
                match future.await {
                    Ok(value) => Ok(value.into_resource_contents(&uri)),
                    Err(error) => Err(error.into()),
                }
            })
        })
    }

    /// Finishes with a [`ResourceHandler`] (what `#[resource]` generates).
    pub fn raw_handler(self, handler: impl ResourceHandler) -> ResourceTemplate {
        let template = UriTemplate::parse(&self.definition.uri_template);
        let params_schema = self
            .params_schema
            .unwrap_or_else(|| string_schema(template.as_ref().ok()));
        ResourceTemplate {
            definition: self.definition,
            template,
            params_schema,
            meta: self.meta,
            cache_hint: self.cache_hint,
            handler: Arc::new(handler),
            completions: self.completions,
            allow_traversal: self.allow_traversal,
        }
    }
}

/// Every variable a string: the schema used when none is given.
fn string_schema(template: Option<&UriTemplate>) -> JsonObject {
    let properties: JsonObject = template
        .map(UriTemplate::variables)
        .unwrap_or_default()
        .into_iter()
        .map(|name| (name.to_owned(), serde_json::json!({"type": "string"})))
        .collect();
    let mut schema = JsonObject::new();
    schema.insert("type".into(), Value::from("object"));
    schema.insert("properties".into(), Value::Object(properties));
    schema
}
