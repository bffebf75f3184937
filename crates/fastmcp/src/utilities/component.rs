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

/// The builder methods every component kind shares, written once: `title`, `description`,
/// `icons` and `meta` set the protocol definition's fields (in field `$def` of the builder,
/// or on the builder itself), `tags`, `scopes`, `version` and `enabled` the builder's
/// [`ComponentMeta`] in field `$meta`. Plain setters; a macro only so that each builder's
/// documentation names its own kind.
macro_rules! builder_setters {
    ($kind:literal, meta: $meta:ident $(, definition: $def:ident)?) => {
        #[doc = concat!("A human-readable title for the ", $kind, ".")]
        pub fn title(mut self, title: impl Into<String>) -> Self {
            self$(.$def)?.title = Some(title.into());
            self
        }

        #[doc = concat!("What the ", $kind, " is for (clients show it to people and models).")]
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self$(.$def)?.description = Some(description.into());
            self
        }

        #[doc = concat!("Icons for the ", $kind, ".")]
        pub fn icons(mut self, icons: Vec<crate::types::Icon>) -> Self {
            self$(.$def)?.icons = Some(icons);
            self
        }

        #[doc = concat!("The ", $kind, "'s `_meta` object. A non-object value is ignored.")]
        pub fn meta(mut self, meta: serde_json::Value) -> Self {
            if let serde_json::Value::Object(meta) = meta {
                self$(.$def)?.meta = Some(crate::types::MetaObject(meta));
            }
            self
        }

        #[doc = concat!("Tags, for enabling and disabling a ", $kind, " with others (see [`FastMCP::enable`](crate::FastMCP::enable)).")]
        pub fn tags<I, S>(mut self, tags: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.$meta.tags.extend(tags.into_iter().map(Into::into));
            self
        }

        #[doc = concat!("Scopes an access token must grant to see and use this ", $kind, ", when the server checks")]
        /// tokens ([`FastMCP::auth`](crate::FastMCP::auth)); without auth they change nothing.
        pub fn scopes<I, S>(mut self, scopes: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.$meta.scopes.extend(scopes.into_iter().map(Into::into));
            self
        }

        #[doc = concat!("The ", $kind, "'s version. Several versions of one name can be registered; clients see")]
        /// the highest, and can ask for another with `_meta: {"fastmcp": {"version": "…"}}`.
        pub fn version(mut self, version: impl Into<String>) -> Self {
            self.$meta.version = Some(version.into());
            self
        }

        #[doc = concat!("Whether the ", $kind, " starts enabled (default `true`); see [`FastMCP::enable`](crate::FastMCP::enable).")]
        pub fn enabled(mut self, enabled: bool) -> Self {
            self.$meta.enabled = enabled;
            self
        }
    };
}
pub(crate) use builder_setters;
