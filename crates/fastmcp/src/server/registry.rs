//! The component registry: tools, resources, templates and prompts, with versions, visibility
//! rules, a duplicate policy, and pagination.

use std::cmp::Ordering;

use base64::Engine as _;

use crate::error::Error;
use crate::types::ErrorData;
use crate::utilities::component::{Component, ComponentMeta};

/// What to do when a component is registered under a name (and version) already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicatePolicy {
    /// Fail the registration (the default).
    #[default]
    Error,
    /// Keep the existing component, log a warning.
    Warn,
    /// Replace the existing component.
    Replace,
    /// Keep the existing component silently.
    Ignore,
}

/// Selects components for [`FastMCP::enable`](super::FastMCP::enable) and
/// [`FastMCP::disable`](super::FastMCP::disable).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Filter {
    /// Every component.
    All,
    /// Components with this name (tools, prompts) or URI (resources, templates).
    Name(String),
    /// Components carrying this tag.
    Tag(String),
    /// One version of one component.
    Version {
        /// The name or URI.
        name: String,
        /// The version.
        version: String,
    },
}

impl Filter {
    /// Components with this name or URI.
    pub fn name(name: impl Into<String>) -> Self {
        Filter::Name(name.into())
    }

    /// Components tagged `tag`.
    pub fn tag(tag: impl Into<String>) -> Self {
        Filter::Tag(tag.into())
    }

    /// One version of one component.
    pub fn version(name: impl Into<String>, version: impl Into<String>) -> Self {
        Filter::Version {
            name: name.into(),
            version: version.into(),
        }
    }

    fn matches(&self, key: &str, meta: &ComponentMeta) -> bool {
        match self {
            Filter::All => true,
            Filter::Name(name) => name == key,
            Filter::Tag(tag) => meta.tags.contains(tag),
            Filter::Version { name, version } => {
                name == key && meta.version.as_deref() == Some(version)
            }
        }
    }
}

/// Enable/disable rules, applied in order; the last matching rule decides.
#[derive(Debug, Clone, Default)]
pub(crate) struct Visibility {
    rules: Vec<(Filter, bool)>,
}

impl Visibility {
    pub(crate) fn push(&mut self, filter: Filter, enabled: bool) {
        self.rules.push((filter, enabled));
    }

    pub(crate) fn allows(&self, key: &str, meta: &ComponentMeta) -> bool {
        let ruled = self
            .rules
            .iter()
            .rev()
            .find(|(filter, _)| filter.matches(key, meta))
            .map(|(_, enabled)| *enabled);
        ruled.unwrap_or(meta.enabled)
    }
}

/// Compares versions numerically where they are numbers (`1.10` > `1.9`), textually otherwise;
/// no version sorts lowest.
pub(crate) fn compare_versions(a: Option<&str>, b: Option<&str>) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => return Ordering::Less,
        (Some(_), None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a.trim_start_matches('v'), b.trim_start_matches('v')),
    };
    let mut left = a.split(['.', '-', '+']);
    let mut right = b.split(['.', '-', '+']);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Components of one kind, in registration order.
#[derive(Debug, Clone)]
pub(crate) struct Registry<T> {
    items: Vec<T>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Self { items: Vec::new() }
    }
}

impl<T: Component> Registry<T> {
    /// Registers `item`; returns whether the registry changed.
    pub(crate) fn add(
        &mut self,
        item: T,
        policy: DuplicatePolicy,
        server: &str,
    ) -> Result<bool, Error> {
        let existing = self.items.iter().position(|other| {
            other.key() == item.key()
                && other.component_meta().version == item.component_meta().version
        });
        let Some(index) = existing else {
            self.items.push(item);
            return Ok(true);
        };
        let described = match &item.component_meta().version {
            Some(version) => format!("a {} named '{}' (version {version})", T::KIND, item.key()),
            None => format!("a {} named '{}'", T::KIND, item.key()),
        };
        match policy {
            DuplicatePolicy::Error => Err(Error::Registration(format!(
                "{described} is already registered on server '{server}'; rename one of them"
            ))),
            DuplicatePolicy::Warn => {
                tracing::warn!("{described} is already registered; keeping the first");
                Ok(false)
            }
            DuplicatePolicy::Ignore => Ok(false),
            DuplicatePolicy::Replace => {
                self.items[index] = item;
                Ok(true)
            }
        }
    }

    /// Removes every version of `key`, or just `version`; returns whether anything went.
    pub(crate) fn remove(&mut self, key: &str, version: Option<&str>) -> bool {
        let before = self.items.len();
        self.items.retain(|item| {
            item.key() != key
                || version.is_some_and(|v| item.component_meta().version.as_deref() != Some(v))
        });
        self.items.len() != before
    }

    /// Every registered component, all versions, enabled or not.
    pub(crate) fn all(&self) -> &[T] {
        &self.items
    }

    /// What clients see: per key, the highest visible version, in registration order.
    pub(crate) fn visible(&self, visibility: &Visibility) -> Vec<T> {
        let mut keys: Vec<&str> = Vec::new();
        for item in &self.items {
            if !keys.contains(&item.key()) {
                keys.push(item.key());
            }
        }
        keys.into_iter()
            .filter_map(|key| self.get(key, None, visibility))
            .collect()
    }

    /// The component a request for `key` (and optionally one `version`) resolves to.
    pub(crate) fn get(
        &self,
        key: &str,
        version: Option<&str>,
        visibility: &Visibility,
    ) -> Option<T> {
        self.items
            .iter()
            .filter(|item| item.key() == key && visibility.allows(key, item.component_meta()))
            .filter(|item| {
                version.is_none_or(|v| item.component_meta().version.as_deref() == Some(v))
            })
            .max_by(|a, b| {
                compare_versions(
                    a.component_meta().version.as_deref(),
                    b.component_meta().version.as_deref(),
                )
            })
            .cloned()
    }
}

/// One page of `items` from an opaque `cursor`; the next cursor when more remain.
pub(crate) fn paginate<T>(
    items: Vec<T>,
    cursor: Option<&str>,
    page_size: Option<usize>,
) -> Result<(Vec<T>, Option<String>), ErrorData> {
    let start = match cursor {
        None => 0,
        Some(cursor) => decode_cursor(cursor)
            .filter(|offset| *offset <= items.len())
            .ok_or_else(|| {
                ErrorData::invalid_params(format!("Invalid cursor: {cursor:?}"), None)
            })?,
    };
    let Some(size) = page_size.filter(|size| *size > 0) else {
        return Ok((items.into_iter().skip(start).collect(), None));
    };
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then(|| encode_cursor(end));
    Ok((
        items.into_iter().skip(start).take(end - start).collect(),
        next,
    ))
}

fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("offset:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(
            compare_versions(Some("1.10"), Some("1.9")),
            Ordering::Greater
        );
        assert_eq!(
            compare_versions(Some("v2"), Some("1.99")),
            Ordering::Greater
        );
        assert_eq!(compare_versions(Some("1.0"), Some("1.0.1")), Ordering::Less);
        assert_eq!(compare_versions(None, Some("0.1")), Ordering::Less);
    }

    #[test]
    fn pages_and_cursors_round_trip() {
        let items: Vec<u32> = (0..5).collect();
        let (page, next) = paginate(items.clone(), None, Some(2)).unwrap();
        assert_eq!(page, [0, 1]);
        let (page, next) = paginate(items.clone(), next.as_deref(), Some(2)).unwrap();
        assert_eq!(page, [2, 3]);
        let (page, next) = paginate(items.clone(), next.as_deref(), Some(2)).unwrap();
        assert_eq!((page, next), (vec![4], None));
        assert_eq!(
            paginate(items.clone(), Some("garbage"), Some(2))
                .unwrap_err()
                .code
                .0,
            -32602
        );
        assert_eq!(paginate(items, None, None).unwrap().0.len(), 5);
    }
}
