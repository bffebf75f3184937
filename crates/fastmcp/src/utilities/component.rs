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
}

impl Default for ComponentMeta {
    fn default() -> Self {
        Self {
            tags: BTreeSet::new(),
            version: None,
            enabled: true,
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
