//! [`Namespace`] and [`Rename`]: components offered under other names.
#![allow(deprecated)] // rmcp marks resources/subscribe deprecated (SEP-2577).

use std::collections::HashMap;

use rmcp::model::{
    CallToolRequestParams, CompleteRequestParams, ErrorData, GetPromptRequestParams,
    PaginatedRequestParams, ReadResourceRequestParams, Reference, SubscribeRequestParams,
    UnsubscribeRequestParams,
};

use crate::middleware::{
    CallTool, Complete, GetPrompt, Hook, ListPrompts, ListResourceTemplates, ListResources,
    ListTools, Middleware, MiddlewareContext, Next, ReadResource, Subscribe, Unsubscribe,
};
use crate::server::mount::{prefixed_uri, unprefixed_uri};

/// How a transform names things: outward (server → client) and inward (client → server;
/// `None` when the client's name is not one this transform offers).
trait Names: Send + Sync + 'static {
    fn tool_out(&self, name: &str) -> String;
    fn tool_in(&self, name: &str) -> Option<String>;
    fn prompt_out(&self, name: &str) -> String;
    fn prompt_in(&self, name: &str) -> Option<String>;
    fn uri_out(&self, uri: &str) -> String;
    fn uri_in(&self, uri: &str) -> Option<String>;
}

/// Offers tools and prompts as `{namespace}_{name}` and resources and templates as
/// `{scheme}://{namespace}/{rest}` (a URI without `://` stays as it is), as a mount does.
///
/// ```
/// use fastmcp::transforms::Namespace;
/// let server = fastmcp::FastMCP::new("weather").transform(Namespace::new("wx"));
/// # drop(server);
/// ```
#[derive(Debug, Clone)]
pub struct Namespace {
    namespace: String,
}

impl Namespace {
    /// Names under `namespace`.
    pub fn new(namespace: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
        }
    }
}

impl Names for Namespace {
    fn tool_out(&self, name: &str) -> String {
        format!("{}_{name}", self.namespace)
    }

    fn tool_in(&self, name: &str) -> Option<String> {
        let rest = name
            .strip_prefix(self.namespace.as_str())?
            .strip_prefix('_')?;
        Some(rest.to_owned())
    }

    fn prompt_out(&self, name: &str) -> String {
        self.tool_out(name)
    }

    fn prompt_in(&self, name: &str) -> Option<String> {
        self.tool_in(name)
    }

    fn uri_out(&self, uri: &str) -> String {
        prefixed_uri(uri, &self.namespace)
    }

    fn uri_in(&self, uri: &str) -> Option<String> {
        unprefixed_uri(uri, &self.namespace)
    }
}

/// Offers some tools and prompts under new names; their old names are no longer offered.
///
/// ```
/// use fastmcp::transforms::Rename;
/// let server = fastmcp::FastMCP::new("demo").transform(Rename::new().tool("add", "plus"));
/// # drop(server);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Rename {
    tools: HashMap<String, String>,
    prompts: HashMap<String, String>,
}

impl Rename {
    /// No renames yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers the tool `name` as `new_name`.
    pub fn tool(mut self, name: impl Into<String>, new_name: impl Into<String>) -> Self {
        self.tools.insert(name.into(), new_name.into());
        self
    }

    /// Offers the prompt `name` as `new_name`.
    pub fn prompt(mut self, name: impl Into<String>, new_name: impl Into<String>) -> Self {
        self.prompts.insert(name.into(), new_name.into());
        self
    }
}

fn renamed_out(renames: &HashMap<String, String>, name: &str) -> String {
    renames
        .get(name)
        .cloned()
        .unwrap_or_else(|| name.to_owned())
}

fn renamed_in(renames: &HashMap<String, String>, name: &str) -> Option<String> {
    if let Some((old, _)) = renames.iter().find(|(_, new)| new.as_str() == name) {
        return Some(old.clone());
    }
    // A renamed component is not reachable under its old name.
    (!renames.contains_key(name)).then(|| name.to_owned())
}

impl Names for Rename {
    fn tool_out(&self, name: &str) -> String {
        renamed_out(&self.tools, name)
    }

    fn tool_in(&self, name: &str) -> Option<String> {
        renamed_in(&self.tools, name)
    }

    fn prompt_out(&self, name: &str) -> String {
        renamed_out(&self.prompts, name)
    }

    fn prompt_in(&self, name: &str) -> Option<String> {
        renamed_in(&self.prompts, name)
    }

    fn uri_out(&self, uri: &str) -> String {
        uri.to_owned()
    }

    fn uri_in(&self, uri: &str) -> Option<String> {
        Some(uri.to_owned())
    }
}

fn unknown(kind: &str, name: &str) -> ErrorData {
    ErrorData::invalid_params(format!("Unknown {kind}: '{name}'"), None)
}

fn unknown_resource(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!("Resource not found: {uri}"),
        Some(serde_json::json!({ "uri": uri })),
    )
}

/// The middleware of a renaming transform: lists renamed outward, requests inward.
macro_rules! renaming {
    ($transform:ty) => {
        impl Middleware for $transform {
            fn on_list_tools<'a>(
                &'a self,
                request: Option<PaginatedRequestParams>,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, ListTools>,
            ) -> Hook<'a, ListTools> {
                next.map(request, move |mut list| {
                    for tool in &mut list.tools {
                        tool.name = self.tool_out(&tool.name).into();
                    }
                    list
                })
            }

            fn on_list_prompts<'a>(
                &'a self,
                request: Option<PaginatedRequestParams>,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, ListPrompts>,
            ) -> Hook<'a, ListPrompts> {
                next.map(request, move |mut list| {
                    for prompt in &mut list.prompts {
                        prompt.name = self.prompt_out(&prompt.name);
                    }
                    list
                })
            }

            fn on_list_resources<'a>(
                &'a self,
                request: Option<PaginatedRequestParams>,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, ListResources>,
            ) -> Hook<'a, ListResources> {
                next.map(request, move |mut list| {
                    for resource in &mut list.resources {
                        resource.uri = self.uri_out(&resource.uri);
                    }
                    list
                })
            }

            fn on_list_resource_templates<'a>(
                &'a self,
                request: Option<PaginatedRequestParams>,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, ListResourceTemplates>,
            ) -> Hook<'a, ListResourceTemplates> {
                next.map(request, move |mut list| {
                    for template in &mut list.resource_templates {
                        template.uri_template = self.uri_out(&template.uri_template);
                    }
                    list
                })
            }

            fn on_call_tool<'a>(
                &'a self,
                mut request: CallToolRequestParams,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, CallTool>,
            ) -> Hook<'a, CallTool> {
                match self.tool_in(&request.name) {
                    Some(name) => {
                        request.name = name.into();
                        next.pass(request)
                    }
                    None => Hook::error(unknown("tool", &request.name)),
                }
            }

            fn on_get_prompt<'a>(
                &'a self,
                mut request: GetPromptRequestParams,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, GetPrompt>,
            ) -> Hook<'a, GetPrompt> {
                match self.prompt_in(&request.name) {
                    Some(name) => {
                        request.name = name;
                        next.pass(request)
                    }
                    None => Hook::error(unknown("prompt", &request.name)),
                }
            }

            fn on_read_resource<'a>(
                &'a self,
                mut request: ReadResourceRequestParams,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, ReadResource>,
            ) -> Hook<'a, ReadResource> {
                match self.uri_in(&request.uri) {
                    Some(uri) => {
                        request.uri = uri;
                        next.pass(request)
                    }
                    None => Hook::error(unknown_resource(&request.uri)),
                }
            }

            fn on_subscribe<'a>(
                &'a self,
                mut request: SubscribeRequestParams,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, Subscribe>,
            ) -> Hook<'a, Subscribe> {
                match self.uri_in(&request.uri) {
                    Some(uri) => {
                        request.uri = uri;
                        next.pass(request)
                    }
                    None => Hook::error(unknown_resource(&request.uri)),
                }
            }

            fn on_unsubscribe<'a>(
                &'a self,
                mut request: UnsubscribeRequestParams,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, Unsubscribe>,
            ) -> Hook<'a, Unsubscribe> {
                match self.uri_in(&request.uri) {
                    Some(uri) => {
                        request.uri = uri;
                        next.pass(request)
                    }
                    None => Hook::error(unknown_resource(&request.uri)),
                }
            }

            fn on_complete<'a>(
                &'a self,
                mut request: CompleteRequestParams,
                _cx: &'a MiddlewareContext<'a>,
                next: Next<'a, Complete>,
            ) -> Hook<'a, Complete> {
                let renamed = match &mut request.r#ref {
                    Reference::Prompt(prompt) => self.prompt_in(&prompt.name).map(|name| {
                        prompt.name = name;
                    }),
                    Reference::Resource(resource) => self.uri_in(&resource.uri).map(|uri| {
                        resource.uri = uri;
                    }),
                    _ => Some(()),
                };
                match renamed {
                    Some(()) => next.pass(request),
                    None => Hook::error(ErrorData::invalid_params(
                        "Unknown completion reference",
                        None,
                    )),
                }
            }
        }
    };
}

renaming!(Namespace);
renaming!(Rename);
