//! RFC 6570 URI templates, for matching resource URIs against `resources/templates`.
//!
//! Supported expressions: `{x}` (one path segment), `{+x}` and `{x*}` (any text, slashes
//! included), `{/x}` (a `/`-prefixed segment), `{?a,b}` and `{&a,b}` (optional query
//! parameters). Matched values are percent-decoded.

use std::collections::BTreeMap;

/// The longest URI matched against a template; longer ones never match.
const MAX_URI_LENGTH: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// A variable matching one segment (no `/`, `?`, `#`).
    Segment(String),
    /// A variable matching any text, `/` included.
    Multi(String),
    /// Query variables (`{?a,b}` / `{&a,b}`), all optional.
    Query(Vec<String>),
}

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
}

impl UriTemplate {
    /// Parses `template`; fails on unbalanced braces, empty or duplicate variable names, an
    /// unsupported operator, or a query expression that is not last.
    pub fn parse(template: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                if rest.contains('}') {
                    return Err(format!("unbalanced '}}' in URI template {template:?}"));
                }
                parts.push(Part::Literal(rest.to_owned()));
                break;
            };
            if open > 0 {
                if rest[..open].contains('}') {
                    return Err(format!("unbalanced '}}' in URI template {template:?}"));
                }
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                return Err(format!("unclosed '{{' in URI template {template:?}"));
            };
            parts.extend(parse_expression(&rest[open + 1..open + close], template)?);
            rest = &rest[open + close + 1..];
        }
        if let Some(first_query) = parts.iter().position(|p| matches!(p, Part::Query(_)))
            && parts[first_query..]
                .iter()
                .any(|p| !matches!(p, Part::Query(_)))
        {
            return Err(format!(
                "query expressions must come last in URI template {template:?}"
            ));
        }
        let template = Self {
            source: template.to_owned(),
            parts,
        };
        let mut names = template.variables();
        names.sort_unstable();
        if names.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(format!(
                "a variable appears twice in URI template {}",
                template.source
            ));
        }
        Ok(template)
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The variable names, in order of appearance.
    pub fn variables(&self) -> Vec<&str> {
        self.parts
            .iter()
            .flat_map(|part| match part {
                Part::Literal(_) => Vec::new(),
                Part::Segment(name) | Part::Multi(name) => vec![name.as_str()],
                Part::Query(names) => names.iter().map(String::as_str).collect(),
            })
            .collect()
    }

    /// Matches `uri`; on success, the decoded value of each variable present.
    pub fn match_uri(&self, uri: &str) -> Option<BTreeMap<String, String>> {
        if uri.len() > MAX_URI_LENGTH {
            return None;
        }
        let has_query = matches!(self.parts.last(), Some(Part::Query(_)));
        let (path, query) = match (has_query, uri.split_once('?')) {
            (true, Some((path, query))) => (path, Some(query)),
            _ => (uri, None),
        };
        let path_parts: Vec<&Part> = self
            .parts
            .iter()
            .filter(|p| !matches!(p, Part::Query(_)))
            .collect();
        let mut values = BTreeMap::new();
        if !match_parts(&path_parts, path, &mut values) {
            return None;
        }
        if let Some(query) = query {
            let allowed: Vec<&str> = self
                .parts
                .iter()
                .filter_map(|p| match p {
                    Part::Query(names) => Some(names.iter().map(String::as_str)),
                    _ => None,
                })
                .flatten()
                .collect();
            for pair in query.split('&').filter(|pair| !pair.is_empty()) {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                if allowed.contains(&name) {
                    values.insert(name.to_owned(), percent_decode(value)?);
                }
            }
        }
        Some(values)
    }
}

fn parse_expression(expression: &str, template: &str) -> Result<Vec<Part>, String> {
    let (operator, body) = match expression.chars().next() {
        Some(op @ ('+' | '/' | '?' | '&' | '#')) => (Some(op), &expression[1..]),
        Some(op @ ('.' | ';' | '=' | ',' | '!' | '@' | '|')) => {
            return Err(format!(
                "URI template operator '{op}' is not supported in {template:?}"
            ));
        }
        _ => (None, expression),
    };
    let names: Vec<(String, bool)> = body
        .split(',')
        .map(|name| {
            let explode = name.ends_with('*');
            (name.trim_end_matches('*').to_owned(), explode)
        })
        .collect();
    for (name, _) in &names {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(format!(
                "invalid variable name {name:?} in URI template {template:?}"
            ));
        }
    }
    match operator {
        Some('?' | '&') => Ok(vec![Part::Query(
            names.into_iter().map(|(n, _)| n).collect(),
        )]),
        _ if names.len() > 1 => Err(format!(
            "only query expressions may list several variables, in URI template {template:?}"
        )),
        Some('/') => {
            let (name, explode) = names.into_iter().next().unwrap_or_default();
            let variable = if explode {
                Part::Multi(name)
            } else {
                Part::Segment(name)
            };
            Ok(vec![Part::Literal("/".into()), variable])
        }
        Some('+' | '#') => {
            let (name, _) = names.into_iter().next().unwrap_or_default();
            let prefix = (operator == Some('#')).then(|| Part::Literal("#".into()));
            Ok(prefix.into_iter().chain([Part::Multi(name)]).collect())
        }
        _ => {
            let (name, explode) = names.into_iter().next().unwrap_or_default();
            Ok(vec![if explode {
                Part::Multi(name)
            } else {
                Part::Segment(name)
            }])
        }
    }
}

/// Backtracking match of `parts` against all of `text`.
fn match_parts(parts: &[&Part], text: &str, values: &mut BTreeMap<String, String>) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    match first {
        Part::Literal(literal) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|remaining| match_parts(rest, remaining, values)),
        Part::Segment(name) | Part::Multi(name) => {
            let multi = matches!(first, Part::Multi(_));
            let limit = if multi {
                text.len()
            } else {
                text.find(['/', '?', '#']).unwrap_or(text.len())
            };
            // Longest first, so a trailing variable takes everything it can.
            for end in (1..=limit).rev().filter(|end| text.is_char_boundary(*end)) {
                let Some(decoded) = percent_decode(&text[..end]) else {
                    continue;
                };
                if match_parts(rest, &text[end..], values) {
                    values.insert(name.clone(), decoded);
                    return true;
                }
            }
            false
        }
        Part::Query(_) => match_parts(rest, text, values),
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
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
    fn bad_templates_are_rejected() {
        for bad in [
            "a://{x",
            "a://x}",
            "a://{}",
            "a://{x}{x}",
            "a://{.x}",
            "a://{a,b}",
            "a://{?q}/{x}",
        ] {
            assert!(UriTemplate::parse(bad).is_err(), "{bad} should not parse");
        }
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
