//! RFC 6570 URI templates, for matching resource URIs against `resources/templates`.
//!
//! Supported expressions: `{x}` (one path segment), `{+x}` and `{x*}` (any text, slashes
//! included), `{/x}` (a `/`-prefixed segment), `{?a,b}` and `{&a,b}` (optional query
//! parameters). Matched values are percent-decoded.
//!
//! A template is parsed by `fastmcp-uri-template` (the parser `#[resource]` checks templates
//! with at compile time) and compiled once into a regular expression, so matching takes time
//! linear in the URI's length whatever the template: no backtracking between variables.

use std::collections::BTreeMap;

use fastmcp_uri_template::Part;
use regex::Regex;

/// The longest URI matched against a template; longer ones never match.
const MAX_URI_LENGTH: usize = 8 * 1024;

/// One path segment: no `/`, `?` or `#`, escapes well formed.
const SEGMENT: &str = "((?:[^/?#%]|%[0-9A-Fa-f]{2})+)";
/// Any text, escapes well formed.
const MULTI: &str = "((?:[^%]|%[0-9A-Fa-f]{2})+)";

/// A parsed URI template.
///
/// ```
/// use fastmcp::resources::UriTemplate;
/// let template = UriTemplate::parse("files://{path*}{?rev}").unwrap();
/// let vars = template.match_uri("files://src/main.rs?rev=7").unwrap();
/// assert_eq!(vars["path"], "src/main.rs");
/// assert_eq!(vars["rev"], "7");
/// assert_eq!(template.variables(), ["path", "rev"]);
/// ```
#[derive(Debug, Clone)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
    /// The path part (everything but query expressions), anchored at both ends; one group
    /// per path variable, in order.
    path: Regex,
    /// The names of the path variables, in the order of `path`'s groups.
    path_names: Vec<String>,
    /// The names of the query variables.
    query_names: Vec<String>,
}

impl PartialEq for UriTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for UriTemplate {}

impl UriTemplate {
    /// Parses `template`; fails on unbalanced braces, empty or duplicate variable names, an
    /// unsupported operator, or a query expression that is not last.
    pub fn parse(template: &str) -> Result<Self, String> {
        let parts = fastmcp_uri_template::parse(template)?;
        let mut pattern = String::from("^");
        let mut path_names = Vec::new();
        let mut query_names = Vec::new();
        for part in &parts {
            match part {
                Part::Literal(text) => pattern.push_str(&regex::escape(text)),
                Part::Segment(name) => {
                    pattern.push_str(SEGMENT);
                    path_names.push(name.clone());
                }
                Part::Multi(name) => {
                    pattern.push_str(MULTI);
                    path_names.push(name.clone());
                }
                Part::Query(names) => query_names.extend(names.iter().cloned()),
            }
        }
        pattern.push('$');
        let path = Regex::new(&pattern)
            .map_err(|error| format!("URI template {template:?} cannot be compiled: {error}"))?;
        Ok(Self {
            source: template.to_owned(),
            parts,
            path,
            path_names,
            query_names,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The variable names, in order of appearance.
    pub fn variables(&self) -> Vec<&str> {
        fastmcp_uri_template::variables(&self.parts)
    }

    /// Matches `uri`; on success, the decoded value of each variable present.
    pub fn match_uri(&self, uri: &str) -> Option<BTreeMap<String, String>> {
        if uri.len() > MAX_URI_LENGTH {
            return None;
        }
        let (path, query) = match (self.query_names.is_empty(), uri.split_once('?')) {
            (false, Some((path, query))) => (path, Some(query)),
            _ => (uri, None),
        };
        let captures = self.path.captures(path)?;
        let mut values = BTreeMap::new();
        for (name, value) in self.path_names.iter().zip(captures.iter().skip(1)) {
            values.insert(name.clone(), percent_decode(value?.as_str())?);
        }
        for pair in query.into_iter().flat_map(|q| q.split('&')) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if self.query_names.iter().any(|known| known == name) {
                values.insert(name.to_owned(), percent_decode(value)?);
            }
        }
        Some(values)
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &byte)| {
        byte != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Why a template variable's value is refused: it could escape a directory when used as a
/// path (`..` segments, absolute paths, NUL bytes).
pub(crate) fn traversal_problem(value: &str) -> Option<&'static str> {
    if value.contains('\0') {
        return Some("contains a NUL byte");
    }
    if value.starts_with('/')
        || value.starts_with('\\')
        || value.get(1..3).is_some_and(|s| s == ":\\" || s == ":/")
    {
        return Some("is an absolute path");
    }
    if value.split(['/', '\\']).any(|segment| segment == "..") {
        return Some("contains a '..' path segment");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(template: &str, uri: &str) -> Option<Vec<(String, String)>> {
        UriTemplate::parse(template)
            .unwrap()
            .match_uri(uri)
            .map(|m| m.into_iter().collect())
    }

    fn pairs(items: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            items
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn simple_variables_match_one_segment() {
        assert_eq!(
            vars("test://template/{id}/data", "test://template/42/data"),
            pairs(&[("id", "42")])
        );
        assert_eq!(
            vars("test://template/{id}/data", "test://template/4/2/data"),
            None
        );
        assert_eq!(
            vars("weather://{city}/{day}", "weather://New%20York/mon"),
            pairs(&[("city", "New York"), ("day", "mon")])
        );
        assert_eq!(vars("a://{x}", "a://"), None);
    }

    #[test]
    fn non_ascii_text_matches_without_unicode_tables() {
        // regex is built without its Unicode tables: classes here never need them.
        assert_eq!(
            vars("données://{ville}/{x*}", "données://Zürich/été/日本"),
            pairs(&[("ville", "Zürich"), ("x", "été/日本")])
        );
        assert_eq!(vars("données://{ville}", "donnees://Zürich"), None);
    }

    #[test]
    fn exploded_and_reserved_variables_span_slashes() {
        assert_eq!(
            vars("files://{path*}", "files://a/b/c.txt"),
            pairs(&[("path", "a/b/c.txt")])
        );
        assert_eq!(
            vars("files://{+path}/raw", "files://a/b/raw"),
            pairs(&[("path", "a/b")])
        );
        assert_eq!(
            vars("repo://{owner}{/name}", "repo://me/tool"),
            pairs(&[("name", "tool"), ("owner", "me")])
        );
    }

    #[test]
    fn query_variables_are_optional() {
        assert_eq!(
            vars("search://{q}{?limit,page}", "search://cats?limit=5"),
            pairs(&[("limit", "5"), ("q", "cats")])
        );
        assert_eq!(
            vars("search://{q}{?limit,page}", "search://cats"),
            pairs(&[("q", "cats")])
        );
        assert_eq!(
            vars("search://{q}{?limit}", "search://cats?other=1&limit=2"),
            pairs(&[("limit", "2"), ("q", "cats")])
        );
    }

    #[test]
    fn malformed_escapes_and_bad_utf8_never_match() {
        assert_eq!(vars("a://{x}", "a://%+1"), None);
        assert_eq!(vars("a://{x}", "a://%4"), None);
        assert_eq!(vars("a://{x}", "a://%ff"), None);
        assert_eq!(vars("a://{x}{?q}", "a://ok?q=%zz"), None);
        assert_eq!(vars("a://{x}", "a://%41%c3%a9"), pairs(&[("x", "Aé")]));
    }

    #[test]
    fn the_leftmost_variable_takes_the_most_it_can() {
        assert_eq!(
            vars("a://{+x}/{+y}", "a://1/2/3"),
            pairs(&[("x", "1/2"), ("y", "3")])
        );
    }

    #[test]
    fn hostile_uris_cost_linear_time() {
        // Three multi-segment variables and a URI that almost matches: a backtracking
        // matcher tries every split (cubic); this one reads the URI a bounded number of times.
        let template = UriTemplate::parse("res://{+a}/x/{+b}/y/{+c}/z").unwrap();
        let uri = format!("res://{}", "x/".repeat(4000));
        assert_eq!(template.match_uri(&uri), None);
    }

    #[test]
    fn traversal_is_detected() {
        assert_eq!(
            traversal_problem("../etc/passwd"),
            Some("contains a '..' path segment")
        );
        assert_eq!(
            traversal_problem("a/../../b"),
            Some("contains a '..' path segment")
        );
        assert_eq!(
            traversal_problem("/etc/passwd"),
            Some("is an absolute path")
        );
        assert_eq!(
            traversal_problem("C:\\windows"),
            Some("is an absolute path")
        );
        assert_eq!(traversal_problem("a\0b"), Some("contains a NUL byte"));
        assert_eq!(traversal_problem("docs/readme..md"), None);
    }
}
