//! Resources: data a client can read by URI, fixed ([`Resource`]) or parameterised by a URI
//! template ([`ResourceTemplate`]).
//!
//! ```
//! use fastmcp::resources::{Resource, ResourceTemplate};
//! use fastmcp::FastMCP;
//!
//! let server = FastMCP::new("docs")
//!     .resource(Resource::text("docs://readme", "Read me first."))
//!     .resource(Resource::binary("docs://logo", vec![0x89, b'P', b'N', b'G'], "image/png"))
//!     .resource_template(
//!         ResourceTemplate::builder("docs://pages/{page}")
//!             .mime_type("text/markdown")
//!             .handler(|request, _ctx| async move {
//!                 Ok::<_, String>(format!("# Page {}", request.params["page"]))
//!             }),
//!     );
//! # let _ = server;
//! ```

mod contents;
pub(crate) mod template;
mod uri_template;

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;

pub use contents::{IntoResourceContents, ResourceContent};
pub use template::{IntoResourceTemplate, ResourceTemplate, ResourceTemplateBuilder};
pub use uri_template::UriTemplate;

use crate::error::RequestError;
use crate::server::Context;
use crate::types::{Annotations, JsonObject, ResourceContents};
use crate::utilities::CacheHint;
use crate::utilities::component::{Component, ComponentMeta};

/// The future a resource handler returns.
pub type ResourceFuture = BoxFuture<'static, Result<Vec<ResourceContents>, RequestError>>;

/// A read request as a handler sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRequest {
    /// The URI being read.
    pub uri: String,
    /// For a template, its variables, converted to the types the handler declared; empty for a
    /// fixed resource.
    pub params: JsonObject,
}

/// Reads a resource.
pub trait ResourceHandler: Send + Sync + 'static {
    /// Produces the contents for `request`.
    fn read(&self, request: ResourceRequest, ctx: Context) -> ResourceFuture;
}

impl<F> ResourceHandler for F
where
    F: Fn(ResourceRequest, Context) -> ResourceFuture + Send + Sync + 'static,
{
    fn read(&self, request: ResourceRequest, ctx: Context) -> ResourceFuture {
        self(request, ctx)
    }
}

/// A resource at a fixed URI.
#[derive(Clone)]
pub struct Resource {
    definition: crate::types::Resource,
    meta: ComponentMeta,
    cache_hint: Option<CacheHint>,
    handler: Arc<dyn ResourceHandler>,
}

impl std::fmt::Debug for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resource")
            .field("definition", &self.definition)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl Resource {
    /// Starts building a resource at `uri`.
    pub fn builder(uri: impl Into<String>) -> ResourceBuilder {
        ResourceBuilder::new(uri.into())
    }

    /// A fixed text resource (`text/plain`).
    pub fn text(uri: impl Into<String>, text: impl Into<String>) -> Self {
        Self::builder(uri).mime_type("text/plain").text(text)
    }

    /// A fixed binary resource.
    pub fn binary(
        uri: impl Into<String>,
        data: impl Into<Vec<u8>>,
        mime_type: impl Into<String>,
    ) -> Self {
        Self::builder(uri).mime_type(mime_type).binary(data)
    }

    /// A file, read each time the resource is read; see [`ResourceBuilder::file`].
    pub fn file(uri: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Self::builder(uri).file(path)
    }

    /// A directory listing; see [`ResourceBuilder::directory`].
    pub fn directory(uri: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Self::builder(uri).directory(path)
    }

    /// The URI.
    pub fn uri(&self) -> &str {
        &self.definition.uri
    }

    /// The definition published in `resources/list`.
    pub fn definition(&self) -> &crate::types::Resource {
        &self.definition
    }

    /// Tags, version and enabled flag.
    pub fn component_info(&self) -> &ComponentMeta {
        &self.meta
    }

    /// The cache hint its reads carry on 2026-07-28, if one was set.
    pub fn cache_hint(&self) -> Option<CacheHint> {
        self.cache_hint
    }

    pub(crate) async fn read(&self, ctx: Context) -> Result<Vec<ResourceContents>, RequestError> {
        let request = ResourceRequest {
            uri: self.definition.uri.clone(),
            params: JsonObject::new(),
        };
        let contents = self.handler.read(request, ctx).await?;
        Ok(contents::finish(
            contents,
            &self.definition.uri,
            self.definition.mime_type.as_deref(),
        ))
    }
}

impl Component for Resource {
    const KIND: &'static str = "resource";
    type Definition = crate::types::Resource;

    fn definition(&self) -> &Self::Definition {
        &self.definition
    }

    fn key(&self) -> &str {
        &self.definition.uri
    }

    fn component_meta(&self) -> &ComponentMeta {
        &self.meta
    }
}

/// Anything that can be registered as a fixed resource.
pub trait IntoResource {
    /// The conversion.
    fn into_resource(self) -> Resource;
}

impl IntoResource for Resource {
    fn into_resource(self) -> Resource {
        self
    }
}

/// What `#[resource]` generates: a function returning the component.
impl<F: Fn() -> Resource> IntoResource for F {
    fn into_resource(self) -> Resource {
        self()
    }
}

/// Builds a [`Resource`]; finish with [`handler`](Self::handler).
#[derive(Debug, Clone)]
#[must_use = "a ResourceBuilder does nothing until `handler` builds the Resource"]
pub struct ResourceBuilder {
    definition: crate::types::Resource,
    meta: ComponentMeta,
    cache_hint: Option<CacheHint>,
}

impl ResourceBuilder {
    crate::utilities::component::builder_setters!("resource", meta: meta, definition: definition);

    fn new(uri: String) -> Self {
        let name = uri.clone();
        Self {
            definition: crate::types::Resource::new(uri, name),
            meta: ComponentMeta::default(),
            cache_hint: None,
        }
    }

    /// The resource's name (default: its URI).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.definition.name = name.into();
        self
    }

    /// The MIME type of the contents.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.definition.mime_type = Some(mime_type.into());
        self
    }

    /// The size in bytes, if known.
    pub fn size(mut self, size: u64) -> Self {
        self.definition.size = Some(size);
        self
    }

    /// Audience, priority and last-modified hints.
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        self.definition.annotations = Some(annotations);
        self
    }

    /// How long 2026-07-28 clients may reuse a read, and who may share it (default: not
    /// cacheable). See [`CacheHint`].
    pub fn cache_hint(mut self, hint: CacheHint) -> Self {
        self.cache_hint = Some(hint);
        self
    }

    /// Finishes with an async closure `(request, ctx) -> Result<T, E>`, where `T` is text
    /// (`String`), bytes (`Vec<u8>`), or [`ResourceContent`]s.
    pub fn handler<F, Fut, T, E>(self, f: F) -> Resource
    where
        F: Fn(ResourceRequest, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: IntoResourceContents,
        E: Into<RequestError>,
    {
        self.raw_handler(
            move |request: ResourceRequest, ctx: Context| -> ResourceFuture {
                let uri = request.uri.clone();
                let future = f(request, ctx);
                Box::pin(async move {
                    match future.await {
                        Ok(value) => Ok(value.into_resource_contents(&uri)),
                        Err(error) => Err(error.into()),
                    }
                })
            },
        )
    }

    /// Finishes with a [`ResourceHandler`] (what `#[resource]` generates).
    pub fn raw_handler(self, handler: impl ResourceHandler) -> Resource {
        Resource {
            definition: self.definition,
            meta: self.meta,
            cache_hint: self.cache_hint,
            handler: Arc::new(handler),
        }
    }

    /// Finishes with fixed text.
    pub fn text(mut self, text: impl Into<String>) -> Resource {
        let text: Arc<str> = text.into().into();
        self.definition.size = Some(text.len() as u64);
        self.raw_handler(move |request: ResourceRequest, _| -> ResourceFuture {
            let text = Arc::clone(&text);
            Box::pin(async move { Ok(vec![ResourceContents::text(text.to_string(), request.uri)]) })
        })
    }

    /// Finishes with fixed bytes (sent base64-encoded).
    pub fn binary(mut self, data: impl Into<Vec<u8>>) -> Resource {
        let data: Arc<[u8]> = data.into().into();
        self.definition.size = Some(data.len() as u64);
        self.raw_handler(move |request: ResourceRequest, _| -> ResourceFuture {
            let data = Arc::clone(&data);
            Box::pin(async move { Ok(data.to_vec().into_resource_contents(&request.uri)) })
        })
    }

    /// Finishes with a file, read each time the resource is read: text when the MIME type is
    /// textual (guessed from the extension unless set), a base64 blob otherwise.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Resource {
        let path: Arc<PathBuf> = Arc::new(path.into());
        if self.definition.mime_type.is_none() {
            self.definition.mime_type = Some(contents::guess_mime_type(&path).to_owned());
        }
        let textual = contents::is_textual(self.definition.mime_type.as_deref());
        self.raw_handler(move |_, _| -> ResourceFuture {
            let path = Arc::clone(&path);
            Box::pin(async move { contents::read_file(&path, textual).await })
        })
    }

    /// Finishes with a directory listing: a JSON array of the relative paths of the files
    /// under `path`, recursively, sorted.
    pub fn directory(mut self, path: impl Into<PathBuf>) -> Resource {
        let path: Arc<PathBuf> = Arc::new(path.into());
        self.definition
            .mime_type
            .get_or_insert_with(|| "application/json".to_owned());
        self.raw_handler(move |_, _| -> ResourceFuture {
            let path = Arc::clone(&path);
            Box::pin(async move {
                let listing = tokio::task::spawn_blocking(move || contents::list_directory(&path))
                    .await
                    .map_err(|error| {
                        RequestError::new(format!("directory listing failed: {error}"))
                    })??;
                Ok(vec![ResourceContents::text(listing, String::new())])
            })
        })
    }
}

impl From<String> for RequestError {
    fn from(message: String) -> Self {
        RequestError::new(message)
    }
}

impl From<&str> for RequestError {
    fn from(message: &str) -> Self {
        RequestError::new(message)
    }
}

impl From<std::io::Error> for RequestError {
    fn from(error: std::io::Error) -> Self {
        RequestError::new(error.to_string())
    }
}

/// Support code for `#[resource]`, reached through `fastmcp::__private`; not a public API.
pub(crate) mod macro_support {
    use std::marker::PhantomData;

    use serde::Serialize;

    use super::IntoResourceContents;
    use crate::error::RequestError;
    use crate::types::ResourceContents;

    pub struct Probe<T>(PhantomData<T>);

    impl<T> Probe<T> {
        pub fn of(_: &T) -> Self {
            Probe(PhantomData)
        }
    }

    pub struct Explicit;
    pub struct Json;

    pub trait ExplicitKind {
        fn kind(&self) -> Explicit {
            Explicit
        }
    }
    impl<T: IntoResourceContents> ExplicitKind for &Probe<T> {}

    pub trait JsonKind {
        fn kind(&self) -> Json {
            Json
        }
    }
    impl<T: Serialize> JsonKind for &&Probe<T> {}

    impl Explicit {
        pub fn convert<T: IntoResourceContents>(
            &self,
            value: T,
            uri: &str,
        ) -> Result<Vec<ResourceContents>, RequestError> {
            Ok(value.into_resource_contents(uri))
        }
    }

    impl Json {
        pub fn convert<T: Serialize>(
            &self,
            value: T,
            uri: &str,
        ) -> Result<Vec<ResourceContents>, RequestError> {
            let text = serde_json::to_string(&value).map_err(|error| {
                RequestError::new(format!("resource value is not serializable: {error}"))
            })?;
            Ok(vec![
                ResourceContents::text(text, uri).with_mime_type("application/json"),
            ])
        }
    }
}
