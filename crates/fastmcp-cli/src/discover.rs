//! `fastmcp discover`, and TARGETs that name a configured server (`name`, `source:name`).

use crate::editors::{Editor, Found, Places, servers_of};
use crate::render::out;

/// Every server configured in `editors` (all of them when empty).
pub fn discover(places: &Places, editors: &[Editor]) -> Vec<Found> {
    let editors = if editors.is_empty() {
        &Editor::ALL[..]
    } else {
        editors
    };
    editors
        .iter()
        .flat_map(|editor| servers_of(places, *editor))
        .collect()
}

/// `fastmcp discover [--source S…] [--json]`.
pub fn print(found: &[Found], json: bool) -> Result<(), String> {
    if json {
        let list: Vec<serde_json::Value> = found.iter().map(to_json).collect();
        let text = serde_json::to_string_pretty(&list).map_err(|error| error.to_string())?;
        out!("{text}");
        return Ok(());
    }
    if found.is_empty() {
        out!("(no configured servers found)");
        return Ok(());
    }
    let width = |column: fn(&Found) -> usize| found.iter().map(column).max().unwrap_or(0);
    let name_width = width(|f| f.name.len()).max(4);
    let source_width = width(|f| f.editor.name().len()).max(6);
    out!(
        "{:name_width$}  {:source_width$}  {:9}  COMMAND / URL",
        "NAME",
        "SOURCE",
        "TRANSPORT"
    );
    for server in found {
        out!(
            "{:name_width$}  {:source_width$}  {:9}  {}",
            server.name,
            server.editor.name(),
            server.transport(),
            server.location()
        );
    }
    Ok(())
}

/// One server as `--json` shows it: environment variable names, not their values.
fn to_json(found: &Found) -> serde_json::Value {
    serde_json::json!({
        "name": found.name,
        "source": found.editor.name(),
        "file": found.file,
        "transport": found.transport(),
        "command": found.entry.command,
        "args": found.entry.args,
        "url": found.entry.url,
        "env": found.entry.env.keys().collect::<Vec<_>>(),
    })
}

/// The configured server `target` names, if it names one: `source:name`, or a bare name
/// found in exactly one place (several different entries of that name are an error listing
/// them). A URL, a path, a command line or `openapi:SPEC` names none.
pub fn resolve(target: &str) -> Result<Option<Found>, String> {
    if !looks_like_a_name(target) {
        return Ok(None);
    }
    let places = Places::from_env()?;
    let (source, name) = match target.split_once(':') {
        Some((source, name)) => match Editor::from_name(source) {
            Some(editor) => (Some(editor), name),
            None => return Ok(None),
        },
        None => (None, target),
    };
    let editors: Vec<Editor> = source.into_iter().collect();
    // The same server configured in several clients is one server.
    let mut matches: Vec<Found> = Vec::new();
    for found in discover(&places, &editors) {
        if found.name == name && !matches.iter().any(|seen| seen.entry == found.entry) {
            matches.push(found);
        }
    }
    match (matches.len(), source) {
        (0, Some(source)) => Err(format!(
            "{0} has no server named '{name}' (see `fastmcp discover --source {0}`)",
            source.name()
        )),
        (0, None) => Ok(None),
        (1, _) => Ok(matches.pop()),
        _ => Err(format!(
            "'{name}' names several configured servers: {}; give one as SOURCE:NAME",
            matches
                .iter()
                .map(|found| format!("{}:{}", found.editor.name(), found.name))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Whether `target` could be a server's name: one word, not a URL, not an existing file,
/// not `openapi:…`.
fn looks_like_a_name(target: &str) -> bool {
    !target.is_empty()
        && !target.contains(char::is_whitespace)
        && !target.contains("://")
        && !target.contains('/')
        && !target.starts_with("openapi:")
        && !std::path::Path::new(target).exists()
}
