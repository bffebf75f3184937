//! `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list`: one way to
//! list a kind of component — what is visible, a page at a time, with the cache hint on
//! 2026-07-28.

use rmcp::RoleServer;
use rmcp::model::{
    ErrorData, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ServerResult,
};
use rmcp::service::RequestContext;

use super::FastMCP;
use super::components::Components;
use super::context::is_stateless;
use super::mount::ListOf;
use super::registry::{Registry, paginate};
use super::session::Session;
use crate::utilities::CacheHint;
use crate::utilities::component::{Component, Listed, listed};

/// A list result built from one page of definitions.
pub(super) trait ListPage: Sized {
    type Item;
    fn page(items: Vec<Self::Item>, next_cursor: Option<String>, hint: Option<CacheHint>) -> Self;
    /// The items of a mounted server's answer (of this kind).
    fn items(answer: ServerResult) -> Vec<Self::Item>;
    /// An item's identity (name or URI), for name clashes.
    fn key(item: &Self::Item) -> &str;
}

macro_rules! list_page {
    ($($result:ty => $item:ty, $variant:ident.$field:ident, |$i:ident| $key:expr;)*) => {$(
        impl ListPage for $result {
            type Item = $item;

            fn items(answer: ServerResult) -> Vec<$item> {
                match answer {
                    ServerResult::$variant(list) => list.$field,
                    _ => Vec::new(),
                }
            }

            fn key($i: &$item) -> &str {
                $key
            }

            fn page(items: Vec<$item>, next_cursor: Option<String>, hint: Option<CacheHint>) -> Self {
                let mut result = <$result>::with_all_items(items);
                result.next_cursor = next_cursor;
                if let Some(hint) = hint {
                    result = result.with_ttl_ms(hint.ttl_ms()).with_cache_scope(hint.scope());
                }
                result
            }
        }
    )*};
}

list_page! {
    ListToolsResult => rmcp::model::Tool, ListToolsResult.tools, |tool| &tool.name;
    ListResourcesResult => rmcp::model::Resource, ListResourcesResult.resources,
        |resource| &resource.uri;
    ListResourceTemplatesResult => rmcp::model::ResourceTemplate,
        ListResourceTemplatesResult.resource_templates, |template| &template.uri_template;
    ListPromptsResult => rmcp::model::Prompt, ListPromptsResult.prompts, |prompt| &prompt.name;
}

impl Session {
    /// The page of `kind`'s visible components that `request` asks for: this server's, then
    /// its mounted servers' (a name already listed is not listed again).
    pub(super) async fn list<T, R>(
        &self,
        kind: fn(&Components) -> &Registry<T>,
        of: ListOf,
        request: Option<PaginatedRequestParams>,
        context: &RequestContext<RoleServer>,
    ) -> Result<R, ErrorData>
    where
        T: Component,
        T::Definition: Listed,
        R: ListPage<Item = T::Definition>,
    {
        self.state.remember_peer(&context.peer);
        let server = &self.server;
        let visible = {
            let components = server.components();
            let visibility = self.state.visibility(&components.visibility);
            kind(&components).visible(&visibility)
        };
        let granted = super::scopes::granted(&context.extensions);
        let mut definitions: Vec<T::Definition> = visible
            .iter()
            .filter(|component| super::scopes::allows(component.component_meta(), granted))
            .map(listed)
            .collect();
        if server.has_mounts() {
            for answer in self.mounted_lists(of, context).await? {
                for item in R::items(answer) {
                    if !definitions.iter().any(|seen| R::key(seen) == R::key(&item)) {
                        definitions.push(item);
                    }
                }
            }
        }
        #[cfg(feature = "client")]
        if let Some(proxy) = server.proxied() {
            for item in R::items(proxy.list(self, of, context).await?) {
                if !definitions.iter().any(|seen| R::key(seen) == R::key(&item)) {
                    definitions.push(item);
                }
            }
        }
        page(server, definitions, request, context)
    }
}

/// One page of `definitions`, with the cache hint on 2026-07-28.
fn page<R: ListPage>(
    server: &FastMCP,
    definitions: Vec<R::Item>,
    request: Option<PaginatedRequestParams>,
    context: &RequestContext<RoleServer>,
) -> Result<R, ErrorData> {
    let cursor = request.and_then(|p| p.cursor);
    let (page, next) = paginate(definitions, cursor.as_deref(), server.page_size_setting())?;
    // Sessions have no caching: hints are for 2026-07-28 requests only.
    let hint = server
        .list_cache_hint_setting()
        .filter(|_| is_stateless(context));
    Ok(R::page(page, next, hint))
}
