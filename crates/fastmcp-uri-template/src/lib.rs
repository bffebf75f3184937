//! The RFC 6570 URI-template parser shared by `fastmcp` (which matches URIs against the
//! parsed template) and `fastmcp-macros` (which checks `#[resource("…")]` templates and
//! their variables at compile time), so both read a template the same way.
//!
//! Supported expressions: `{x}` (one path segment), `{+x}`, `{#x}` and `{x*}` (any text,
//! slashes included), `{/x}` (a `/`-prefixed segment), `{?a,b}` and `{&a,b}` (optional query
//! parameters, last in the template).
//!
//! ```
//! use fastmcp_uri_template::{Part, parse};
//! let parts = parse("files://{path*}{?rev}").unwrap();
//! assert_eq!(parts, [
//!     Part::Literal("files://".into()),
//!     Part::Multi("path".into()),
//!     Part::Query(vec!["rev".into()]),
//! ]);
//! ```

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text matched as is.
    Literal(String),
    /// A variable matching one non-empty path segment (no `/`, `?`, `#`).
    Segment(String),
    /// A variable matching any non-empty text, `/` included.
    Multi(String),
    /// Query variables (`{?a,b}` / `{&a,b}`), all optional.
    Query(Vec<String>),
}

/// Parses `template`; fails on unbalanced braces, empty, malformed or duplicate variable
/// names, an unsupported operator, several variables outside a query expression, or a query
/// expression that is not last.
pub fn parse(template: &str) -> Result<Vec<Part>, String> {
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
    let mut names = variables(&parts);
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(format!(
            "variable {:?} appears twice in URI template {template:?}",
            pair[0]
        ));
    }
    Ok(parts)
}

/// The variable names of `parts`, in order of appearance.
pub fn variables(parts: &[Part]) -> Vec<&str> {
    parts
        .iter()
        .flat_map(|part| match part {
            Part::Literal(_) => Vec::new(),
            Part::Segment(name) | Part::Multi(name) => vec![name.as_str()],
            Part::Query(names) => names.iter().map(String::as_str).collect(),
        })
        .collect()
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
    let mut names = Vec::new();
    for name in body.split(',') {
        let explode = name.ends_with('*');
        let name = name.strip_suffix('*').unwrap_or(name);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(format!(
                "invalid variable name {name:?} in URI template {template:?}"
            ));
        }
        names.push((name.to_owned(), explode));
    }
    if matches!(operator, Some('?' | '&')) {
        return Ok(vec![Part::Query(
            names.into_iter().map(|(name, _)| name).collect(),
        )]);
    }
    let [(name, explode)] = <[_; 1]>::try_from(names).map_err(|_| {
        format!("only query expressions may list several variables, in URI template {template:?}")
    })?;
    let variable = if explode || matches!(operator, Some('+' | '#')) {
        Part::Multi(name)
    } else {
        Part::Segment(name)
    };
    let prefix = match operator {
        Some('/') => Some(Part::Literal("/".into())),
        Some('#') => Some(Part::Literal("#".into())),
        _ => None,
    };
    Ok(prefix.into_iter().chain([variable]).collect())
}

#[cfg(test)]
mod tests {
    use super::{Part, parse, variables};

    #[test]
    fn expressions_become_parts() {
        assert_eq!(
            parse("repo://{owner}{/name}{?ref}").unwrap(),
            [
                Part::Literal("repo://".into()),
                Part::Segment("owner".into()),
                Part::Literal("/".into()),
                Part::Segment("name".into()),
                Part::Query(vec!["ref".into()]),
            ]
        );
        assert_eq!(
            parse("a://{+x}{#y}").unwrap(),
            [
                Part::Literal("a://".into()),
                Part::Multi("x".into()),
                Part::Literal("#".into()),
                Part::Multi("y".into()),
            ]
        );
        let parts = parse("s://{q}{?limit,page}").unwrap();
        assert_eq!(variables(&parts), ["q", "limit", "page"]);
    }

    #[test]
    fn bad_templates_are_rejected() {
        for bad in [
            "a://{x",
            "a://x}",
            "a://{}",
            "a://{*}",
            "a://{x}{x}",
            "a://{.x}",
            "a://{a,b}",
            "a://{?q}/{x}",
            "a://{x y}",
        ] {
            assert!(parse(bad).is_err(), "{bad} should not parse");
        }
    }
}
