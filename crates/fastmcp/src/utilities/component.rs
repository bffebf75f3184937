//! What every component kind (tool, resource, template, prompt) shares: its metadata and the
//! trait the registry stores it by.

use std::collections::BTreeSet;

/// What every component carries besides its protocol definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentMeta {
    /// Tags, for enabling and disabling groups of components.
    pub tags: BTreeSet<String>,
    /// The component's version; several versions of one name can be registered.
    pub version: Option<String>,
    /// Whether the component is enabled (visible and callable) on its own.
    pub enabled: bool,
    /// Scopes an access token must grant to see and use the component (when the server
    /// checks tokens; see [`FastMCP::auth`](crate::FastMCP::auth)).
    pub scopes: BTreeSet<String>,
}

impl Default for ComponentMeta {
    fn default() -> Self {
        Self {
            tags: BTreeSet::new(),
            version: None,
            enabled: true,
            scopes: BTreeSet::new(),
        }
    }
}

/// A registrable component.
pub(crate) trait Component: Clone {
    /// What the component is called in messages ("tool", "prompt", …).
    const KIND: &'static str;
    /// Its identity: a name, a URI, or a URI template.
    fn key(&self) -> &str;
    fn component_meta(&self) -> &ComponentMeta;
    /// What clients see of it in a list.
    type Definition: Clone;
    fn definition(&self) -> &Self::Definition;
}

/// A protocol definition with a `_meta` object.
pub(crate) trait Listed {
    fn meta_slot(&mut self) -> &mut Option<crate::types::MetaObject>;
}

impl Listed for crate::types::Tool {
    fn meta_slot(&mut self) -> &mut Option<crate::types::MetaObject> {
        &mut self.meta
    }
}

impl Listed for crate::types::Resource {
    fn meta_slot(&mut self) -> &mut Option<crate::types::MetaObject> {
        &mut self.meta
    }
}

impl Listed for crate::types::ResourceTemplate {
    fn meta_slot(&mut self) -> &mut Option<crate::types::MetaObject> {
        &mut self.meta
    }
}

impl Listed for crate::types::Prompt {
    fn meta_slot(&mut self) -> &mut Option<crate::types::MetaObject> {
        &mut self.meta
    }
}

/// What a list shows of `component`: its definition, with its tags and version (if any) in
/// `_meta.fastmcp` as Python FastMCP lists them — so clients, and transforms over mounted
/// servers, can select by them.
pub(crate) fn listed<T>(component: &T) -> T::Definition
where
    T: Component,
    T::Definition: Listed,
{
    let mut definition = component.definition().clone();
    let meta = component.component_meta();
    if meta.tags.is_empty() && meta.version.is_none() {
        return definition;
    }
    let mut fastmcp = serde_json::Map::new();
    if !meta.tags.is_empty() {
        fastmcp.insert("tags".into(), serde_json::json!(meta.tags));
    }
    if let Some(version) = &meta.version {
        fastmcp.insert("version".into(), serde_json::json!(version));
    }
    definition
        .meta_slot()
        .get_or_insert_default()
        .insert("fastmcp".into(), serde_json::Value::Object(fastmcp));
    definition
}
