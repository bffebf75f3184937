//! Component names for operations, as Python FastMCP gives them: `mcp_names[operationId]`,
//! else the `operationId` up to its first `__`, else the summary, else `{METHOD}_{path}`;
//! slugified, cut to 56 characters, duplicates numbered `_2`, `_3`.

use std::collections::HashMap;

/// The longest name given (FastMCP's limit, which leaves room for a mount prefix).
pub(crate) const MAX_NAME: usize = 56;

/// `text` as a name: whitespace, `-` and `.` become `_`, other characters that are not ASCII
/// letters, digits or `_` are dropped (`/` too: `GET /stats/by-tag` → `GET_statsby_tag`), runs
/// of `_` collapse to one, and `_` is trimmed from both ends. Case is kept.
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            c if c.is_whitespace() || c == '-' || c == '.' || c == '_' => '_',
            c if c.is_ascii_alphanumeric() => c,
            _ => continue,
        };
        if c == '_' && (slug.is_empty() || slug.ends_with('_')) {
            continue;
        }
        slug.push(c);
    }
    while slug.ends_with('_') {
        slug.pop();
    }
    slug
}

/// The name of one operation, before duplicates are numbered.
pub(crate) fn operation_name(
    mcp_names: &HashMap<String, String>,
    operation_id: Option<&str>,
    summary: Option<&str>,
    method: &str,
    path: &str,
) -> String {
    let chosen = match operation_id {
        Some(id) if mcp_names.contains_key(id) => mcp_names[id].clone(),
        Some(id) => id.split("__").next().unwrap_or(id).to_owned(),
        None => match summary.filter(|summary| !summary.trim().is_empty()) {
            Some(summary) => summary.to_owned(),
            None => format!("{}_{}", method.to_ascii_uppercase(), path),
        },
    };
    let mut name = slugify(&chosen);
    if name.is_empty() {
        name = slugify(&format!("{}_{}", method.to_ascii_uppercase(), path));
    }
    cut(name)
}

/// At most [`MAX_NAME`] characters (all ASCII after [`slugify`]).
fn cut(mut name: String) -> String {
    name.truncate(MAX_NAME);
    name
}

/// Numbers repeated names: the second `x` becomes `x_2`, the third `x_3`.
#[derive(Debug, Default)]
pub(crate) struct Unique {
    seen: HashMap<String, usize>,
}

impl Unique {
    pub(crate) fn name(&mut self, name: String) -> String {
        let count = self.seen.entry(name.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            return name;
        }
        let mut numbered = format!("{name}_{count}");
        while self.seen.contains_key(&numbered) {
            *self.seen.entry(name.clone()).or_insert(0) += 1;
            numbered = format!("{name}_{}", self.seen[&name]);
        }
        self.seen.insert(numbered.clone(), 1);
        numbered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(id: Option<&str>, summary: Option<&str>, method: &str, path: &str) -> String {
        operation_name(&HashMap::new(), id, summary, method, path)
    }

    #[test]
    fn names_follow_fastmcp() {
        assert_eq!(name(None, None, "get", "/stats/by-tag"), "GET_statsby_tag");
        assert_eq!(
            name(Some("listPets"), Some("List"), "get", "/pets"),
            "listPets"
        );
        assert_eq!(
            name(
                Some("read_item_items__item_id__get"),
                None,
                "get",
                "/items/{item_id}"
            ),
            "read_item_items"
        );
        assert_eq!(
            name(None, Some("Find pets by tag"), "get", "/pets"),
            "Find_pets_by_tag"
        );
        assert_eq!(
            name(None, None, "post", "/users/{id}/posts"),
            "POST_usersidposts"
        );
        let renamed = HashMap::from([("listPets".to_owned(), "pets".to_owned())]);
        assert_eq!(
            operation_name(&renamed, Some("listPets"), None, "get", "/pets"),
            "pets"
        );
    }

    #[test]
    fn slugs_collapse_trim_and_cut() {
        assert_eq!(slugify("  Hello -- world! "), "Hello_world");
        assert_eq!(slugify("a.b/c"), "a_bc");
        assert_eq!(slugify("__x__"), "x");
        let long = "a".repeat(80);
        assert_eq!(name(Some(&long), None, "get", "/").len(), MAX_NAME);
    }

    #[test]
    fn duplicates_are_numbered() {
        let mut unique = Unique::default();
        assert_eq!(unique.name("x".into()), "x");
        assert_eq!(unique.name("x".into()), "x_2");
        assert_eq!(unique.name("x_2".into()), "x_2_2");
        assert_eq!(unique.name("x".into()), "x_3");
    }
}
