//! Where MCP clients (Claude Desktop, Claude Code, Cursor, Gemini CLI, Goose, VS Code) keep
//! their servers, and how each writes an entry: what `discover` reads and `install` edits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fastmcp::proxy::ServerEntry;
use serde_json::Value;

/// A client whose configured servers we can read (and write).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Editor {
    /// Claude Desktop: `claude_desktop_config.json`.
    ClaudeDesktop,
    /// Claude Code: `~/.claude.json` (user and this project's servers).
    ClaudeCode,
    /// Cursor: `.cursor/mcp.json` here or above, and `~/.cursor/mcp.json`.
    Cursor,
    /// Gemini CLI: `.gemini/settings.json` here and in the home directory.
    GeminiCli,
    /// Goose: its `config.yaml` extensions.
    Goose,
    /// VS Code: `.vscode/mcp.json`.
    Vscode,
    /// A plain `mcp.json` in the current directory.
    McpJson,
}

impl Editor {
    pub const ALL: [Editor; 7] = [
        Editor::ClaudeDesktop,
        Editor::ClaudeCode,
        Editor::Cursor,
        Editor::GeminiCli,
        Editor::Goose,
        Editor::Vscode,
        Editor::McpJson,
    ];

    /// The name used on the command line and in `source:name` targets.
    pub fn name(self) -> &'static str {
        match self {
            Editor::ClaudeDesktop => "claude-desktop",
            Editor::ClaudeCode => "claude-code",
            Editor::Cursor => "cursor",
            Editor::GeminiCli => "gemini-cli",
            Editor::Goose => "goose",
            Editor::Vscode => "vscode",
            Editor::McpJson => "mcp-json",
        }
    }

    pub fn from_name(name: &str) -> Option<Editor> {
        Editor::ALL.into_iter().find(|editor| editor.name() == name)
    }
}

/// The directories configurations are found from: the home directory, the user's
/// configuration directory and the current directory (all from the environment, so tests
/// point them at a temporary directory).
pub struct Places {
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, else `~/.config` (on Linux; see [`Places::app_config`]).
    pub config: PathBuf,
    pub cwd: PathBuf,
}

impl Places {
    pub fn from_env() -> Result<Places, String> {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from)
            .ok_or("neither HOME nor USERPROFILE is set: cannot find your configuration")?;
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".config"));
        let cwd = std::env::current_dir()
            .map_err(|error| format!("cannot read the current directory: {error}"))?;
        Ok(Places { home, config, cwd })
    }

    /// An application's configuration directory: `$XDG_CONFIG_HOME/APP` on Linux,
    /// `~/Library/Application Support/APP` on macOS, `%APPDATA%\APP` on Windows.
    fn app_config(&self, app: &str) -> PathBuf {
        if cfg!(target_os = "macos") {
            return self.home.join("Library/Application Support").join(app);
        }
        if cfg!(windows)
            && let Some(appdata) = std::env::var_os("APPDATA")
        {
            return PathBuf::from(appdata).join(app);
        }
        self.config.join(app)
    }

    pub fn claude_desktop(&self) -> PathBuf {
        self.app_config("Claude").join("claude_desktop_config.json")
    }

    pub fn claude_code(&self) -> PathBuf {
        self.home.join(".claude.json")
    }

    pub fn cursor_user(&self) -> PathBuf {
        self.home.join(".cursor/mcp.json")
    }

    pub fn gemini_user(&self) -> PathBuf {
        self.home.join(".gemini/settings.json")
    }

    pub fn goose(&self) -> PathBuf {
        if cfg!(windows)
            && let Some(appdata) = std::env::var_os("APPDATA")
        {
            return PathBuf::from(appdata).join("Block/goose/config/config.yaml");
        }
        // Goose keeps `~/.config/goose` on macOS too.
        self.config.join("goose/config.yaml")
    }

    /// The current directory and its parents up to (not including) the home directory.
    fn here_and_up(&self) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        for dir in self.cwd.ancestors() {
            if dir == self.home {
                break;
            }
            dirs.push(dir.to_path_buf());
        }
        dirs
    }

    /// The files `editor` keeps servers in, in the order they are read.
    pub fn files(&self, editor: Editor) -> Vec<PathBuf> {
        match editor {
            Editor::ClaudeDesktop => vec![self.claude_desktop()],
            Editor::ClaudeCode => vec![self.claude_code()],
            Editor::Cursor => {
                let mut files: Vec<PathBuf> = self
                    .here_and_up()
                    .into_iter()
                    .map(|dir| dir.join(".cursor/mcp.json"))
                    .collect();
                files.push(self.cursor_user());
                files
            }
            Editor::GeminiCli => vec![self.cwd.join(".gemini/settings.json"), self.gemini_user()],
            Editor::Goose => vec![self.goose()],
            Editor::Vscode => vec![self.cwd.join(".vscode/mcp.json")],
            Editor::McpJson => vec![self.cwd.join("mcp.json")],
        }
    }
}

/// One configured server.
#[derive(Debug, Clone)]
pub struct Found {
    pub name: String,
    pub editor: Editor,
    pub file: PathBuf,
    pub entry: ServerEntry,
}

impl Found {
    /// `stdio`, `http` or `sse`.
    pub fn transport(&self) -> &str {
        match (&self.entry.url, self.entry.transport.as_deref()) {
            (None, _) => "stdio",
            (Some(_), Some("sse")) => "sse",
            (Some(_), _) => "http",
        }
    }

    /// The command line or the URL.
    pub fn location(&self) -> String {
        match (&self.entry.command, &self.entry.url) {
            (_, Some(url)) => url.clone(),
            (Some(command), None) => std::iter::once(command.as_str())
                .chain(self.entry.args.iter().map(String::as_str))
                .map(quote)
                .collect::<Vec<_>>()
                .join(" "),
            (None, None) => String::new(),
        }
    }
}

/// A word quoted for a POSIX shell when it needs it.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Every server `editor` has configured (files that do not exist are skipped; one that
/// cannot be read is a warning, not a failure of the others).
pub fn servers_of(places: &Places, editor: Editor) -> Vec<Found> {
    let mut found = Vec::new();
    for file in places.files(editor) {
        if !file.is_file() {
            continue;
        }
        match read_servers(places, editor, &file) {
            Ok(servers) => found.extend(servers.into_iter().map(|(name, entry)| Found {
                name,
                editor,
                file: file.clone(),
                entry,
            })),
            Err(error) => tracing::warn!("{}: {error}", file.display()),
        }
    }
    found
}

fn read_servers(
    places: &Places,
    editor: Editor,
    file: &Path,
) -> Result<Vec<(String, ServerEntry)>, String> {
    let text = std::fs::read_to_string(file).map_err(|error| error.to_string())?;
    if editor == Editor::Goose {
        let config: Value = serde_norway::from_str(&text).map_err(|error| error.to_string())?;
        return Ok(goose_servers(&config));
    }
    let config: Value = serde_json::from_str(&text).map_err(|error| error.to_string())?;
    Ok(match editor {
        Editor::ClaudeCode => {
            let mut servers = entries(editor, &config["mcpServers"]);
            // The current project's servers (Claude Code keys projects by their directory).
            for dir in places.cwd.ancestors() {
                if let Some(project) = config["projects"].get(dir.to_string_lossy().as_ref()) {
                    servers.extend(entries(editor, &project["mcpServers"]));
                    break;
                }
            }
            servers
        }
        Editor::Vscode => entries(editor, &config["servers"]),
        _ => entries(editor, &config["mcpServers"]),
    })
}

/// The entries of an `mcpServers`-like object, in each client's dialect: `type` (Claude
/// Code, VS Code), `httpUrl` (Gemini CLI: Streamable HTTP; its `url` is SSE).
fn entries(editor: Editor, servers: &Value) -> Vec<(String, ServerEntry)> {
    let Some(servers) = servers.as_object() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (name, value) in servers {
        let mut entry: ServerEntry = match serde_json::from_value(value.clone()) {
            Ok(entry) => entry,
            Err(error) => {
                tracing::warn!("server '{name}' skipped: {error}");
                continue;
            }
        };
        if let Some(url) = value["httpUrl"].as_str() {
            entry.url = Some(url.to_owned());
            entry.transport = Some("http".into());
        } else if editor == Editor::GeminiCli && entry.url.is_some() {
            // Gemini CLI's `url` is an SSE endpoint (elsewhere a `url` is Streamable HTTP).
            entry.transport = Some("sse".into());
        }
        if let Some(kind) = value["type"].as_str()
            && entry.url.is_some()
        {
            entry.transport = Some(if kind == "sse" { "sse" } else { "http" }.into());
        }
        found.push((name.clone(), entry));
    }
    found
}

/// Goose's `extensions`: `stdio` ones (`cmd`, `args`, `envs`), `sse` and `streamable_http`
/// ones (`uri`); built-in extensions are not servers.
fn goose_servers(config: &Value) -> Vec<(String, ServerEntry)> {
    let Some(extensions) = config["extensions"].as_object() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (key, extension) in extensions {
        let text = |field: &str| extension[field].as_str().map(str::to_owned);
        let mut entry = ServerEntry::default();
        match extension["type"].as_str() {
            Some("stdio") => {
                entry.command = text("cmd");
                entry.args = strings(&extension["args"]);
                entry.env = string_map(&extension["envs"]);
            }
            Some("sse") => {
                entry.url = text("uri");
                entry.transport = Some("sse".into());
            }
            Some("streamable_http") => {
                entry.url = text("uri");
                entry.transport = Some("http".into());
                entry.headers = string_map(&extension["headers"]);
            }
            _ => continue,
        }
        found.push((text("name").unwrap_or_else(|| key.clone()), entry));
    }
    found
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}
