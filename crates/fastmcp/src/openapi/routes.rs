//! Route maps: which operations become tools, resources, resource templates, or nothing.
//!
//! As in Python FastMCP 4: the user's maps are tried in order, then the default (everything is
//! a tool); the first map that matches an operation decides.

use regex::Regex;

/// What an operation becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum McpType {
    /// A tool (the default).
    Tool,
    /// A resource at `resource://{name}` (for operations without path parameters).
    Resource,
    /// A resource template `resource://{name}/{param}/…` (path parameters, sorted).
    ResourceTemplate,
    /// Nothing: the operation is left out.
    Exclude,
}

/// Matches operations by method, path and tags, and says what they become.
///
/// ```
/// use fastmcp::openapi::{McpType, RouteMap};
///
/// // GET endpoints under /users become resource templates; admin endpoints are left out.
/// let maps = [
///     RouteMap::new(McpType::ResourceTemplate).methods(["GET"]).pattern(r"^/users/").unwrap(),
///     RouteMap::new(McpType::Exclude).tags(["admin"]),
/// ];
/// # let _ = maps;
/// ```
#[derive(Debug, Clone)]
pub struct RouteMap {
    methods: Vec<String>,
    pattern: Option<Regex>,
    tags: Vec<String>,
    mcp_type: McpType,
}

impl RouteMap {
    /// A map that makes every operation an `mcp_type` (narrow it with the methods below).
    pub fn new(mcp_type: McpType) -> Self {
        Self {
            methods: Vec::new(),
            pattern: None,
            tags: Vec::new(),
            mcp_type,
        }
    }

    /// Only these HTTP methods (any case).
    pub fn methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.methods = methods
            .into_iter()
            .map(|method| method.as_ref().to_ascii_uppercase())
            .collect();
        self
    }

    /// Only paths this regular expression finds a match in (`^/users/` for a prefix).
    pub fn pattern(mut self, pattern: &str) -> Result<Self, regex::Error> {
        self.pattern = Some(Regex::new(pattern)?);
        Ok(self)
    }

    /// Only operations carrying all these tags.
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    fn matches(&self, method: &str, path: &str, tags: &[String]) -> bool {
        let method_ok =
            self.methods.is_empty() || self.methods.iter().any(|m| m.eq_ignore_ascii_case(method));
        let path_ok = self
            .pattern
            .as_ref()
            .is_none_or(|pattern| pattern.is_match(path));
        let tags_ok = self.tags.iter().all(|tag| tags.contains(tag));
        method_ok && path_ok && tags_ok
    }
}

/// What the first of `maps` that matches says (a tool when none does).
pub(crate) fn mcp_type_of(maps: &[RouteMap], method: &str, path: &str, tags: &[String]) -> McpType {
    maps.iter()
        .find(|map| map.matches(method, path, tags))
        .map_or(McpType::Tool, |map| map.mcp_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_match_wins_and_tools_are_the_default() {
        let maps = [
            RouteMap::new(McpType::Exclude).tags(["admin"]),
            RouteMap::new(McpType::ResourceTemplate)
                .methods(["get"])
                .pattern(r"^/users/\{")
                .unwrap(),
            RouteMap::new(McpType::Resource).methods(["GET"]),
        ];
        let admin = ["admin".to_owned()];
        assert_eq!(
            mcp_type_of(&maps, "GET", "/users/{id}", &admin),
            McpType::Exclude
        );
        assert_eq!(
            mcp_type_of(&maps, "GET", "/users/{id}", &[]),
            McpType::ResourceTemplate
        );
        assert_eq!(mcp_type_of(&maps, "get", "/stats", &[]), McpType::Resource);
        assert_eq!(
            mcp_type_of(&maps, "POST", "/users/{id}", &[]),
            McpType::Tool
        );
        assert_eq!(mcp_type_of(&[], "DELETE", "/x", &[]), McpType::Tool);
    }
}
