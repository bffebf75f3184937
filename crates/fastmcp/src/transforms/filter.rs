//! [`Filter`]: only some of what a server offers, selected by name, tag or version.
#![allow(deprecated)] // rmcp marks resources/subscribe deprecated (SEP-2577).

use rmcp::model::{
    CallToolRequestParams, ErrorData, GetPromptRequestParams, MetaObject, PaginatedRequestParams,
    ReadResourceRequestParams,
};
use serde_json::Value;

use crate::middleware::{
    CallTool, GetPrompt, Hook, ListPrompts, ListResourceTemplates, ListResources, ListTools,
    Middleware, MiddlewareContext, Next, ReadResource,
};

/// Offers only the components that `include` rules select (all, without any) and no
/// `exclude` rule selects; the others are left out of lists and refused by name. Rules are
/// [`crate::Filter`]s: a name or URI, a tag, a version — read from the listed definitions
/// (tags and versions travel in `_meta.fastmcp`), so they work on mounted servers' components
/// too.
///
/// ```
/// use fastmcp::transforms;
/// let public = transforms::Filter::new()
///     .include(fastmcp::Filter::tag("public"))
///     .exclude(fastmcp::Filter::name("debug_dump"));
/// let server = fastmcp::FastMCP::new("demo").transform(public);
/// # drop(server);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Filter {
    include: Vec<crate::Filter>,
    exclude: Vec<crate::Filter>,
}

impl Filter {
    /// Everything, until rules say otherwise.
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers what `rule` selects (several includes: what any of them selects).
    pub fn include(mut self, rule: crate::Filter) -> Self {
        self.include.push(rule);
        self
    }

    /// Leaves out what `rule` selects.
    pub fn exclude(mut self, rule: crate::Filter) -> Self {
        self.exclude.push(rule);
        self
    }

    /// Whether a component called `key`, listed with `meta`, is offered.
    fn offers(&self, key: &str, meta: Option<&MetaObject>) -> bool {
        let fastmcp = meta.and_then(|meta| meta.get("fastmcp"));
        let tags: Vec<&str> = fastmcp
            .and_then(|fastmcp| fastmcp.get("tags"))
            .and_then(Value::as_array)
            .map(|tags| tags.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let version = fastmcp
            .and_then(|fastmcp| fastmcp.get("version"))
            .and_then(Value::as_str);
        let selects = |rule: &crate::Filter| match rule {
            crate::Filter::All => true,
            crate::Filter::Name(name) => name == key,
            crate::Filter::Tag(tag) => tags.contains(&tag.as_str()),
            crate::Filter::Version {
                name,
                version: wanted,
            } => name == key && version == Some(wanted.as_str()),
        };
        (self.include.is_empty() || self.include.iter().any(selects))
            && !self.exclude.iter().any(selects)
    }

    /// Whether a request for `key` may go on: it must be one this filter lists. Requests
    /// carry no tags, so the answer comes from the list the client would see.
    async fn allows<M: crate::middleware::Method>(
        &self,
        next: &Next<'_, M>,
        key: &str,
        kind: Kind,
    ) -> Result<bool, ErrorData> {
        let mut cursor = None;
        loop {
            let answer = next.run_request(kind.list_request(cursor.take())).await?;
            let (items, next_cursor) = kind.items(&answer);
            if let Some((_, meta)) = items.iter().find(|(item_key, _)| item_key == key) {
                return Ok(self.offers(key, meta.as_ref()));
            }
            match next_cursor {
                Some(more) => cursor = Some(more),
                // Not listed (a resource read through a template, say): judged by key alone.
                None => return Ok(self.offers(key, None)),
            }
        }
    }
}

/// Keys and `_meta` of listed components.
type Listing = Vec<(String, Option<MetaObject>)>;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Tools,
    Prompts,
    Resources,
}

impl Kind {
    fn list_request(self, cursor: Option<String>) -> rmcp::model::ClientRequest {
        use crate::middleware::Typed as _;
        let page = cursor.map(|cursor| PaginatedRequestParams::default().with_cursor(Some(cursor)));
        match self {
            Kind::Tools => crate::middleware::ListTools::request(page),
            Kind::Prompts => crate::middleware::ListPrompts::request(page),
            Kind::Resources => crate::middleware::ListResources::request(page),
        }
    }

    /// The keys and `_meta` of a list page, and the next page's cursor.
    fn items(self, answer: &rmcp::model::ServerResult) -> (Listing, Option<String>) {
        use rmcp::model::ServerResult as S;
        match answer {
            S::ListToolsResult(list) => (
                list.tools
                    .iter()
                    .map(|t| (t.name.to_string(), t.meta.clone()))
                    .collect(),
                list.next_cursor.clone(),
            ),
            S::ListPromptsResult(list) => (
                list.prompts
                    .iter()
                    .map(|p| (p.name.clone(), p.meta.clone()))
                    .collect(),
                list.next_cursor.clone(),
            ),
            S::ListResourcesResult(list) => (
                list.resources
                    .iter()
                    .map(|r| (r.uri.clone(), r.meta.clone()))
                    .collect(),
                list.next_cursor.clone(),
            ),
            _ => (Vec::new(), None),
        }
    }
}

fn refused(kind: &str, key: &str) -> ErrorData {
    ErrorData::invalid_params(format!("Unknown {kind}: '{key}'"), None)
}

impl Middleware for Filter {
    fn on_list_tools<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListTools>,
    ) -> Hook<'a, ListTools> {
        next.map(request, move |mut list| {
            list.tools.retain(|t| self.offers(&t.name, t.meta.as_ref()));
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
            list.prompts
                .retain(|p| self.offers(&p.name, p.meta.as_ref()));
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
            list.resources
                .retain(|r| self.offers(&r.uri, r.meta.as_ref()));
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
            list.resource_templates
                .retain(|t| self.offers(&t.uri_template, t.meta.as_ref()));
            list
        })
    }

    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        Hook::new(async move {
            if !self.allows(&next, &request.name, Kind::Tools).await? {
                return Err(refused("tool", &request.name));
            }
            next.run(request).await
        })
    }

    fn on_get_prompt<'a>(
        &'a self,
        request: GetPromptRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, GetPrompt>,
    ) -> Hook<'a, GetPrompt> {
        Hook::new(async move {
            if !self.allows(&next, &request.name, Kind::Prompts).await? {
                return Err(refused("prompt", &request.name));
            }
            next.run(request).await
        })
    }

    fn on_read_resource<'a>(
        &'a self,
        request: ReadResourceRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ReadResource>,
    ) -> Hook<'a, ReadResource> {
        Hook::new(async move {
            if !self.allows(&next, &request.uri, Kind::Resources).await? {
                return Err(ErrorData::resource_not_found(
                    format!("Resource not found: {}", request.uri),
                    None,
                ));
            }
            next.run(request).await
        })
    }
}
