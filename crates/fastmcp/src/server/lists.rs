//! `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list`: one way to
//! list a kind of component — what is visible, a page at a time, with the cache hint on
//! 2026-07-28.

use rmcp::RoleServer;
use rmcp::model::{
    ErrorData, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams,
};
use rmcp::service::RequestContext;

use super::FastMCP;
use super::components::Components;
use super::context::is_stateless;
use super::registry::{Registry, paginate};
use crate::utilities::CacheHint;
use crate::utilities::component::Component;

/// A list result built from one page of definitions.
pub(super) trait ListPage: Sized {
    type Item;
    fn page(items: Vec<Self::Item>, next_cursor: Option<String>, hint: Option<CacheHint>) -> Self;
}

macro_rules! list_page {
    ($($result:ty => $item:ty),* $(,)?) => {$(
        impl ListPage for $result {
            type Item = $item;

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

list_page!(
    ListToolsResult => rmcp::model::Tool,
    ListResourcesResult => rmcp::model::Resource,
    ListResourceTemplatesResult => rmcp::model::ResourceTemplate,
    ListPromptsResult => rmcp::model::Prompt,
);

/// The page of `kind`'s visible components that `request` asks for.
pub(super) fn list<T, R>(
    server: &FastMCP,
    kind: fn(&Components) -> &Registry<T>,
    request: Option<PaginatedRequestParams>,
    context: &RequestContext<RoleServer>,
) -> Result<R, ErrorData>
where
    T: Component,
    R: ListPage<Item = T::Definition>,
{
    let visible = {
        let components = server.components();
        kind(&components).visible(&components.visibility)
    };
    let definitions = visible.iter().map(|c| c.definition().clone()).collect();
    let cursor = request.and_then(|p| p.cursor);
    let (page, next) = paginate(definitions, cursor.as_deref(), server.page_size_setting())?;
    // Sessions have no caching: hints are for 2026-07-28 requests only.
    let hint = server
        .list_cache_hint_setting()
        .filter(|_| is_stateless(context));
    Ok(R::page(page, next, hint))
}
