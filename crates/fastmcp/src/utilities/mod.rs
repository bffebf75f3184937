//! What the component kinds and the server share, so that neither reaches into the other:
//! component metadata, cache hints, JSON Schemas from Rust types, and argument coercion.
//!
//! Dependencies run one way: `tools`, `resources` and `prompts` use this module, the server uses
//! it and the component kinds; nothing here uses the server or a component kind.

pub mod args;
pub mod cache;
pub(crate) mod component;
pub mod schema;

pub use cache::{CacheHint, CacheScope};
pub use component::ComponentMeta;
