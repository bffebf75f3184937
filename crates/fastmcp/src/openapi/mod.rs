//! OpenAPI → MCP: a REST API described by an OpenAPI 3.0/3.1 document, served as MCP tools
//! (feature `openapi`).
//!
//! Every operation becomes a tool by default, named as Python FastMCP names it (the
//! `operationId`, else the summary, else `{METHOD}_{path}`), with one input object holding its
//! parameters and body properties; calling the tool calls the endpoint with `reqwest`.
//! [`RouteMap`]s make operations resources or resource templates instead, or leave them out.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use fastmcp::openapi::{McpType, OpenApi, RouteMap, Spec};
//!
//! let spec = Spec::from_file("petstore.yaml")?;
//! let server = OpenApi::new(spec)
//!     .base_url("https://petstore.example.com/v3")
//!     .route_map(RouteMap::new(McpType::Exclude).tags(["admin"]))
//!     .build()?;
//! server.run().await?;
//! # Ok(()) }
//! ```

mod call;
mod names;
mod routes;
mod schema;
mod spec;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

pub use routes::{McpType, RouteMap};
pub use spec::Spec;

use crate::server::FastMCP;
use crate::tools::Tool;

/// Why an OpenAPI document could not be read or served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenApiError {
    /// The file could not be read.
    #[error("cannot read the OpenAPI document {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The document could not be fetched.
    #[error("cannot fetch the OpenAPI document at {url}")]
    Fetch {
        /// Where from.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// Neither JSON nor YAML.
    #[error("the OpenAPI document is neither JSON nor YAML: {0}")]
    Syntax(String),
    /// Not OpenAPI 3.x (Swagger 2.0, say).
    #[error("not an OpenAPI 3.x document (found {0}); convert Swagger 2.0 documents to 3.x first")]
    Version(String),
    /// Something the document says cannot be used.
    #[error("invalid OpenAPI document: {0}")]
    Invalid(String),
    /// A `$ref` that cannot be followed.
    #[error("unusable $ref: {0}")]
    Ref(String),
    /// No base URL given and none in the document's `servers`.
    #[error("no base URL: give one (`OpenApi::base_url`), or list a server in the document")]
    NoBaseUrl,
    /// A header given for every call is not a valid HTTP header.
    #[error("invalid header {0:?}")]
    Header(String),
    /// The server refused a component (a duplicate name, say).
    #[error("cannot add {name}")]
    Component {
        /// The component's name.
        name: String,
        /// Why.
        #[source]
        source: crate::Error,
    },
}

/// An OpenAPI document as an MCP server: see the [module docs](self).
#[derive(Debug)]
pub struct OpenApi {
    spec: Spec,
    base_url: Option<String>,
    client: Option<reqwest::Client>,
    route_maps: Vec<RouteMap>,
    mcp_names: HashMap<String, String>,
    headers: reqwest::header::HeaderMap,
    forward: Vec<reqwest::header::HeaderName>,
    timeout: Option<Duration>,
    name: Option<String>,
}

impl OpenApi {
    /// The operations of `spec`, each a tool unless a route map says otherwise.
    pub fn new(spec: Spec) -> Self {
        Self {
            spec,
            base_url: None,
            client: None,
            route_maps: Vec::new(),
            mcp_names: HashMap::new(),
            headers: reqwest::header::HeaderMap::new(),
            forward: Vec::new(),
            timeout: None,
            name: None,
        }
    }

    /// Where the API is (default: the document's first server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The HTTP client calls go through (its default headers, auth, TLS and proxy settings
    /// apply to every call).
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Adds a route map, tried after those added before it and before the default (a tool).
    pub fn route_map(mut self, map: RouteMap) -> Self {
        self.route_maps.push(map);
        self
    }

    /// Names operations by `operationId` → name, before any other naming rule.
    pub fn mcp_names<I, K, V>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.mcp_names
            .extend(names.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// A header sent with every call (`Authorization`, an API key, …).
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, OpenApiError> {
        let invalid = || OpenApiError::Header(name.to_owned());
        let name =
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| invalid())?;
        self.headers.insert(name, value);
        Ok(self)
    }

    /// Passes these headers of the MCP client's HTTP request on to the API (say
    /// `Authorization`, when the API checks the same tokens). None by default: a client's
    /// credentials reach the API only when you say so. Not on stdio, which has no headers.
    pub fn forward_headers<I, S>(mut self, names: I) -> Result<Self, OpenApiError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for name in names {
            let name = name.as_ref();
            let header = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| OpenApiError::Header(name.to_owned()))?;
            self.forward.push(header);
        }
        Ok(self)
    }

    /// How long one call may take (default 30 s), unless [`client`](Self::client) is given.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The server's name (default: the document's `info.title`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The server: one tool per operation the route maps keep.
    pub fn build(self) -> Result<FastMCP, OpenApiError> {
        let base_url = self
            .base_url
            .clone()
            .or_else(|| self.spec.server_url())
            .ok_or(OpenApiError::NoBaseUrl)?;
        let client = match self.client.clone() {
            Some(client) => client,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                .build()
                .map_err(|source| OpenApiError::Fetch {
                    url: base_url.clone(),
                    source,
                })?,
        };
        let shared = Arc::new(call::Shared {
            base_url,
            client,
            headers: self.headers.clone(),
            forward: self.forward.clone(),
        });
        let info = self.spec.document().get("info");
        let title = info
            .and_then(|info| info.get("title"))
            .and_then(Value::as_str);
        let name = self
            .name
            .clone()
            .or(title.map(str::to_owned))
            .unwrap_or_else(|| "openapi".into());
        let server = FastMCP::new(name);
        let mut unique = names::Unique::default();
        for operation in self.spec.operations()? {
            let kind = routes::mcp_type_of(
                &self.route_maps,
                &operation.method,
                &operation.path,
                &operation.tags,
            );
            if kind == McpType::Exclude {
                continue;
            }
            let name = unique.name(names::operation_name(
                &self.mcp_names,
                operation.operation_id.as_deref(),
                operation.summary.as_deref(),
                &operation.method,
                &operation.path,
            ));
            let shared = Arc::clone(&shared);
            let added = match kind {
                McpType::Tool => server.add_tool(self.tool(&name, &operation, shared)?),
                _ => self.add_resource(&server, &name, &operation, shared)?,
            };
            added.map_err(|source| OpenApiError::Component { name, source })?;
        }
        Ok(server)
    }

    fn tool(
        &self,
        name: &str,
        operation: &spec::Operation,
        shared: Arc<call::Shared>,
    ) -> Result<Tool, OpenApiError> {
        let inputs = schema::inputs(&self.spec, operation)?;
        let output = schema::output(&self.spec, operation)?;
        let wrap = output
            .as_ref()
            .is_some_and(|out| out.contains_key(crate::utilities::schema::WRAP_RESULT_MARKER));
        let method = http_method(operation)?;
        let endpoint = Arc::new(call::Endpoint {
            method,
            path: operation.path.clone(),
            arguments: inputs.arguments,
            body_media: operation.body.as_ref().map(|body| body.media_type.clone()),
            wrap,
            shared,
        });
        let mut builder = Tool::builder(name)
            .description(description(operation))
            .input_schema(Value::Object(inputs.schema))
            .tags(operation.tags.clone());
        if let Some(output) = output {
            builder = builder.output_schema(Value::Object(output));
        }
        Ok(builder.handler(move |arguments, ctx: crate::Context| {
            let endpoint = Arc::clone(&endpoint);
            let forwarded = endpoint.shared.forwarded(&ctx);
            async move { endpoint.call(&arguments, forwarded).await }
        }))
    }
}

impl OpenApi {
    /// Adds `operation` as the resource `resource://{name}`, or, when its path has
    /// parameters, the template `resource://{name}/{a}/{b}` (the parameters sorted by name).
    /// Its other parameters are left to the API's defaults.
    fn add_resource(
        &self,
        server: &FastMCP,
        name: &str,
        operation: &spec::Operation,
        shared: Arc<call::Shared>,
    ) -> Result<Result<(), crate::Error>, OpenApiError> {
        let mut path_params: Vec<&spec::Parameter> = operation
            .parameters
            .iter()
            .filter(|parameter| parameter.location == spec::Location::Path)
            .collect();
        path_params.sort_by(|a, b| a.name.cmp(&b.name));
        let method = http_method(operation)?;
        let arguments = path_params
            .iter()
            .map(|parameter| {
                (
                    parameter.name.clone(),
                    schema::Target::Parameter((*parameter).clone()),
                )
            })
            .collect();
        let endpoint = Arc::new(call::Endpoint {
            method,
            path: operation.path.clone(),
            arguments,
            body_media: None,
            wrap: false,
            shared,
        });
        let description = description(operation);
        let mime = response_media(operation);
        if path_params.is_empty() {
            let mut builder = crate::Resource::builder(format!("resource://{name}"))
                .name(name)
                .description(description)
                .tags(operation.tags.clone());
            if let Some(mime) = mime {
                builder = builder.mime_type(mime);
            }
            return Ok(server.add_resource(builder.handler(reader(endpoint))));
        }
        let variables: Vec<String> = path_params
            .iter()
            .map(|p| format!("{{{}}}", p.name))
            .collect();
        let uri = format!("resource://{name}/{}", variables.join("/"));
        let mut builder = crate::ResourceTemplate::builder(uri)
            .name(name)
            .description(description)
            .tags(operation.tags.clone());
        if let Some(mime) = mime {
            builder = builder.mime_type(mime);
        }
        Ok(server.add_resource_template(builder.handler(reader(endpoint))))
    }
}

/// The HTTP method of `operation`.
fn http_method(operation: &spec::Operation) -> Result<reqwest::Method, OpenApiError> {
    reqwest::Method::from_bytes(operation.method.as_bytes())
        .map_err(|_| OpenApiError::Invalid(format!("method {}", operation.method)))
}

/// The media type of an operation's first 2xx answer, if the document says.
fn response_media(operation: &spec::Operation) -> Option<String> {
    let (_, response) = operation
        .responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))?;
    response.get("content")?.as_object()?.keys().next().cloned()
}

/// The handler of a resource or template reading `endpoint`.
fn reader(
    endpoint: Arc<call::Endpoint>,
) -> impl Fn(
    crate::resources::ResourceRequest,
    crate::Context,
) -> std::pin::Pin<
    Box<
        dyn Future<Output = Result<crate::resources::ResourceContent, crate::error::RequestError>>
            + Send,
    >,
> + Send
+ Sync
+ 'static {
    move |request, ctx| {
        let endpoint = Arc::clone(&endpoint);
        let forwarded = endpoint.shared.forwarded(&ctx);
        Box::pin(async move {
            let read = endpoint.read(&request.params, forwarded).await;
            read.map_err(read_error)
        })
    }
}

/// A failed read as the error `resources/read` answers.
fn read_error(message: String) -> crate::error::RequestError {
    crate::types::ErrorData::internal_error(message, None).into()
}

/// How long one call may take unless the caller's client says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A tool's description: the operation's description (else its summary), then what its
/// responses mean.
fn description(operation: &spec::Operation) -> String {
    let mut text = operation
        .description
        .clone()
        .or_else(|| operation.summary.clone())
        .unwrap_or_else(|| format!("{} {}", operation.method, operation.path));
    let responses: Vec<String> = operation
        .responses
        .iter()
        .filter_map(|(status, response)| {
            let meaning = response.get("description")?.as_str()?;
            Some(format!("- {status}: {meaning}"))
        })
        .collect();
    if !responses.is_empty() {
        text.push_str("\n\nResponses:\n");
        text.push_str(&responses.join("\n"));
    }
    text
}

impl FastMCP {
    /// A server whose tools call the REST API `spec` describes, at `base_url` (see
    /// [`OpenApi`] for route maps, names, headers and a client of your own).
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), fastmcp::openapi::OpenApiError> {
    /// let spec = fastmcp::openapi::Spec::from_file("openapi.json")?;
    /// let server = fastmcp::FastMCP::from_openapi(spec, "http://127.0.0.1:8080")?;
    /// # let _ = server; Ok(()) }
    /// ```
    pub fn from_openapi(spec: Spec, base_url: impl Into<String>) -> Result<FastMCP, OpenApiError> {
        OpenApi::new(spec).base_url(base_url).build()
    }
}
