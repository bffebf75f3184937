//! `fastmcp install CLIENT TARGET`: a server entry written into an MCP client's configuration
//! (edited in place: other entries and settings kept, an existing name refused without
//! `--force`, written atomically), or handed to the client's own `mcp add` command.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fastmcp::proxy::ServerEntry;
use serde_json::{Value, json};

use crate::editors::{Places, quote};
use crate::render::out;

/// Where `install` puts the entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InstallClient {
    /// Claude Desktop's configuration file (stdio only: a URL runs through `fastmcp run`).
    ClaudeDesktop,
    /// `claude mcp add …` (Claude Code).
    ClaudeCode,
    /// Cursor's `mcp.json` (the user's, or `--workspace DIR`'s).
    Cursor,
    /// `gemini mcp add …` (Gemini CLI).
    GeminiCli,
    /// Goose's `config.yaml` extensions.
    Goose,
    /// VS Code's `.vscode/mcp.json` (in `--workspace DIR`, default the current directory).
    Vscode,
    /// Print the `mcpServers` entry.
    McpJson,
    /// Print the command line that runs the server over stdio.
    Stdio,
}

/// What to install.
pub struct Install {
    pub client: InstallClient,
    pub target: String,
    /// `--transport sse`: a URL TARGET speaks the legacy SSE transport.
    pub sse: bool,
    pub name: Option<String>,
    pub env: Vec<String>,
    pub env_file: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
    pub force: bool,
}

/// The server to install: a command line (absolute paths) or a URL.
struct Server {
    name: String,
    entry: ServerEntry,
}

pub fn install(request: Install) -> Result<(), String> {
    let places = Places::from_env()?;
    let mut server = server_of(&request.target, &places)?;
    if let Some(name) = &request.name {
        server.name = name.clone();
    }
    if request.sse && server.entry.url.is_some() {
        server.entry.transport = Some("sse".into());
    }
    let env = environment(&request)?;
    server.entry.env.extend(env);
    match request.client {
        InstallClient::McpJson => {
            let entry = json!({ &server.name: entry_json(&server.entry) });
            let text = serde_json::to_string_pretty(&entry).map_err(|error| error.to_string())?;
            out!("{text}");
            Ok(())
        }
        InstallClient::Stdio => {
            let entry = as_stdio(&server.entry)?;
            let env: Vec<String> = entry
                .env
                .iter()
                .map(|(key, value)| format!("{key}={}", quote(value)))
                .collect();
            let words = std::iter::once(entry.command.clone().unwrap_or_default())
                .chain(entry.args.iter().cloned());
            let line: Vec<String> = env.into_iter().chain(words.map(|w| quote(&w))).collect();
            out!("{}", line.join(" "));
            Ok(())
        }
        InstallClient::ClaudeDesktop => {
            let entry = as_stdio(&server.entry)?;
            let file = places.claude_desktop();
            let servers = ("mcpServers", server.name.as_str());
            edit(
                &file,
                Format::Json,
                servers,
                entry_json(&entry),
                request.force,
            )?;
            done(
                &server.name,
                "Claude Desktop",
                &file,
                "restart Claude Desktop to load it",
            )
        }
        InstallClient::Cursor => {
            let file = match &request.workspace {
                Some(dir) => dir.join(".cursor/mcp.json"),
                None => places.cursor_user(),
            };
            let entry = entry_json(&server.entry);
            let servers = ("mcpServers", server.name.as_str());
            edit(&file, Format::Json, servers, entry, request.force)?;
            done(
                &server.name,
                "Cursor",
                &file,
                "Cursor picks it up on its own",
            )
        }
        InstallClient::Vscode => {
            let dir = request.workspace.clone().unwrap_or(places.cwd.clone());
            let file = dir.join(".vscode/mcp.json");
            let mut entry = entry_json(&server.entry);
            entry["type"] = json!(
                match (&server.entry.url, server.entry.transport.as_deref()) {
                    (None, _) => "stdio",
                    (Some(_), Some("sse")) => "sse",
                    (Some(_), _) => "http",
                }
            );
            let servers = ("servers", server.name.as_str());
            edit(&file, Format::Json, servers, entry, request.force)?;
            done(&server.name, "VS Code", &file, "start it from the MCP view")
        }
        InstallClient::Goose => {
            let file = places.goose();
            let extensions = ("extensions", server.name.as_str());
            edit(
                &file,
                Format::Yaml,
                extensions,
                goose_extension(&server),
                request.force,
            )?;
            done(&server.name, "Goose", &file, "restart Goose to load it")
        }
        InstallClient::ClaudeCode => {
            if request.force {
                remove_with("claude", &server.name);
            }
            run_add("claude", &claude_add(&server))
        }
        InstallClient::GeminiCli => {
            if request.force {
                remove_with("gemini", &server.name);
            }
            run_add("gemini", &gemini_add(&server))
        }
    }
}

fn done(name: &str, client: &str, file: &Path, next: &str) -> Result<(), String> {
    eprintln!(
        "installed '{name}' for {client} in {} ({next})",
        file.display()
    );
    Ok(())
}

/// The server TARGET names, with a default name: a configured server as it is; a URL; a
/// command line or script with its program and files made absolute, so the client can run
/// it from anywhere; an `mcpServers` file or `openapi:SPEC` served by `fastmcp run`.
fn server_of(target: &str, places: &Places) -> Result<Server, String> {
    if let Some(found) = crate::discover::resolve(target)? {
        return Ok(Server {
            name: found.name,
            entry: found.entry,
        });
    }
    if target.starts_with("http://") || target.starts_with("https://") {
        return Ok(Server {
            name: name_of_url(target),
            entry: ServerEntry {
                url: Some(target.to_owned()),
                ..ServerEntry::default()
            },
        });
    }
    let this = std::env::current_exe()
        .map_err(|error| format!("cannot find the fastmcp binary: {error}"))?;
    let this = this.to_string_lossy().into_owned();
    if let Some(spec) = target.strip_prefix("openapi:") {
        let spec = absolute_if_file(spec, &places.cwd);
        return Ok(Server {
            name: stem(&spec).unwrap_or_else(|| "openapi".into()),
            entry: command_entry(this, ["run".into(), "--openapi".into(), spec]),
        });
    }
    if target.ends_with(".json") && Path::new(target).is_file() {
        let file = absolute_if_file(target, &places.cwd);
        return Ok(Server {
            name: stem(&file).unwrap_or_else(|| "servers".into()),
            entry: command_entry(this, ["run".into(), file]),
        });
    }
    let command = fastmcp::client::StdioServer::parse(target).map_err(|error| error.to_string())?;
    let program = absolute_program(command.program(), &places.cwd)?;
    let args: Vec<String> = command
        .arguments()
        .iter()
        .map(|arg| absolute_if_file(arg, &places.cwd))
        .collect();
    let name = args
        .iter()
        .rev()
        .find(|arg| Path::new(arg).is_file())
        .and_then(|file| stem(file))
        .or_else(|| stem(&program))
        .unwrap_or_else(|| "server".into());
    Ok(Server {
        name,
        entry: command_entry(program, args),
    })
}

fn command_entry(program: String, args: impl IntoIterator<Item = String>) -> ServerEntry {
    ServerEntry {
        command: Some(program),
        args: args.into_iter().collect(),
        ..ServerEntry::default()
    }
}

/// `program` as an absolute path: a path made absolute, a bare name looked up in `PATH`.
fn absolute_program(program: &str, cwd: &Path) -> Result<String, String> {
    if program.contains('/') || program.contains('\\') {
        let path = cwd.join(program);
        if !path.is_file() {
            return Err(format!("{program}: no such file"));
        }
        return Ok(path.to_string_lossy().into_owned());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .map(|found| found.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{program}: not found in PATH"))
}

/// `word` as an absolute path if it names an existing file or directory, else unchanged.
fn absolute_if_file(word: &str, cwd: &Path) -> String {
    let path = Path::new(word);
    if path.is_relative() && !word.starts_with('-') && path.exists() {
        let joined = cwd.join(path);
        return joined
            .canonicalize()
            .unwrap_or(joined)
            .to_string_lossy()
            .into_owned();
    }
    word.to_owned()
}

fn stem(path: &str) -> Option<String> {
    Path::new(path)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .filter(|stem| !stem.is_empty())
}

/// A URL's host (and port) as a name: `http://127.0.0.1:8000/mcp` → `127-0-0-1-8000`.
fn name_of_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split('/').next().unwrap_or(rest);
    host.replace(['.', ':'], "-")
}

/// `--env-file F` then `--env K=V` (these win).
fn environment(request: &Install) -> Result<BTreeMap<String, String>, String> {
    let mut env = BTreeMap::new();
    if let Some(file) = &request.env_file {
        let text = std::fs::read_to_string(file)
            .map_err(|error| format!("cannot read {}: {error}", file.display()))?;
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("{}:{}: expected KEY=VALUE", file.display(), number + 1))?;
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            env.insert(key.trim().to_owned(), unquoted.to_owned());
        }
    }
    for pair in &request.env {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--env {pair:?}: give KEY=VALUE"))?;
        env.insert(key.to_owned(), value.to_owned());
    }
    Ok(env)
}

/// The entry for a client that only runs commands: a URL becomes `fastmcp run URL`.
fn as_stdio(entry: &ServerEntry) -> Result<ServerEntry, String> {
    let Some(url) = &entry.url else {
        return Ok(entry.clone());
    };
    let this = std::env::current_exe()
        .map_err(|error| format!("cannot find the fastmcp binary: {error}"))?;
    // `fastmcp run` finds out by itself whether the URL speaks Streamable HTTP or SSE.
    let args = vec!["run".to_owned(), url.clone()];
    Ok(ServerEntry {
        env: entry.env.clone(),
        ..command_entry(this.to_string_lossy().into_owned(), args)
    })
}

/// `{command, args, env}` or `{url, headers}`.
fn entry_json(entry: &ServerEntry) -> Value {
    let mut value = serde_json::to_value(entry).unwrap_or_else(|_| json!({}));
    // Clients read `args` even when empty; some require it.
    if entry.command.is_some() && value.get("args").is_none() {
        value["args"] = json!([]);
    }
    value
}

/// The syntax of a client's configuration file.
#[derive(Clone, Copy)]
enum Format {
    Json,
    /// Goose's `config.yaml` (rewritten through a parser: its comments are not kept).
    Yaml,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        }
    }

    /// What this syntax calls an object.
    fn object(self) -> &'static str {
        match self {
            Format::Json => "object",
            Format::Yaml => "mapping",
        }
    }

    fn parse(self, text: &str) -> Result<Value, String> {
        match self {
            Format::Json => serde_json::from_str(text).map_err(|error| error.to_string()),
            Format::Yaml => serde_norway::from_str(text).map_err(|error| error.to_string()),
        }
    }

    fn render(self, config: &Value) -> Result<String, String> {
        match self {
            Format::Json => serde_json::to_string_pretty(config)
                .map(|text| text + "\n")
                .map_err(|error| error.to_string()),
            Format::Yaml => serde_norway::to_string(config).map_err(|error| error.to_string()),
        }
    }
}

/// Sets `file`'s `key.name` to `entry`, keeping everything else in the file.
fn edit(
    file: &Path,
    format: Format,
    (key, name): (&str, &str),
    entry: Value,
    force: bool,
) -> Result<(), String> {
    let mut config = match std::fs::read_to_string(file) {
        Ok(text) if text.trim().is_empty() => json!({}),
        Ok(text) => format.parse(&text).map_err(|error| {
            format!(
                "{}: not {} ({error}); not changed",
                file.display(),
                format.name()
            )
        })?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => json!({}),
        Err(error) => return Err(format!("cannot read {}: {error}", file.display())),
    };
    let Some(root) = config.as_object_mut() else {
        return Err(format!(
            "{}: not a {} {}; not changed",
            file.display(),
            format.name(),
            format.object()
        ));
    };
    let servers = root.entry(key).or_insert_with(|| json!({}));
    let Some(servers) = servers.as_object_mut() else {
        return Err(format!(
            "{}: `{key}` is not {}; not changed",
            file.display(),
            match format {
                Format::Json => "an object",
                Format::Yaml => "a mapping",
            }
        ));
    };
    if servers.contains_key(name) && !force {
        return Err(format!(
            "{} already has a server named '{name}': use --force to replace it, or --name to pick another",
            file.display()
        ));
    }
    servers.insert(name.to_owned(), entry);
    write_atomically(file, &format.render(&config)?)
}

/// Goose's `extensions.NAME` entry.
fn goose_extension(server: &Server) -> Value {
    let entry = &server.entry;
    match &entry.url {
        Some(url) => json!({
            "name": server.name, "type": "streamable_http", "uri": url,
            "headers": entry.headers, "envs": entry.env, "enabled": true, "timeout": 300,
        }),
        None => json!({
            "name": server.name, "type": "stdio", "cmd": entry.command, "args": entry.args,
            "envs": entry.env, "enabled": true, "timeout": 300,
        }),
    }
}

/// Writes `text` to a temporary file beside `file` and renames it over `file`, so a reader
/// never sees half a file; an existing file's permissions are kept.
fn write_atomically(file: &Path, text: &str) -> Result<(), String> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    let name = file
        .file_name()
        .map_or("config".into(), |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.fastmcp-{}", std::process::id()));
    let written = std::fs::write(&temporary, text).and_then(|()| {
        if let Ok(metadata) = std::fs::metadata(file) {
            std::fs::set_permissions(&temporary, metadata.permissions())?;
        }
        std::fs::rename(&temporary, file)
    });
    written.map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {}: {error}", file.display())
    })
}

/// `claude mcp add [--transport http] [-e K=V]… NAME (URL | -- COMMAND ARGS…)`.
fn claude_add(server: &Server) -> Vec<String> {
    mcp_add(server, |entry| {
        let mut words = vec!["--".to_owned()];
        words.extend(entry.command.clone());
        words.extend(entry.args.iter().cloned());
        words
    })
}

/// `gemini mcp add [--transport http] [-e K=V]… NAME (URL | COMMAND -- ARGS…)`.
fn gemini_add(server: &Server) -> Vec<String> {
    mcp_add(server, |entry| {
        let mut words: Vec<String> = entry.command.clone().into_iter().collect();
        if !entry.args.is_empty() {
            words.push("--".into());
            words.extend(entry.args.iter().cloned());
        }
        words
    })
}

/// `mcp add`'s arguments, as Claude Code and Gemini CLI share them: `--transport`,
/// `--header`s, NAME and the URL of a remote server; `-e`s, NAME and the command (each
/// client puts its `--` elsewhere: `command`) of a local one.
fn mcp_add(server: &Server, command: impl FnOnce(&ServerEntry) -> Vec<String>) -> Vec<String> {
    let mut args = vec!["mcp".to_owned(), "add".to_owned()];
    let entry = &server.entry;
    if let Some(url) = &entry.url {
        let transport = match entry.transport.as_deref() {
            Some("sse") => "sse",
            _ => "http",
        };
        args.extend(["--transport".into(), transport.into()]);
        for (key, value) in &entry.headers {
            args.extend(["--header".into(), format!("{key}: {value}")]);
        }
        args.extend([server.name.clone(), url.clone()]);
        return args;
    }
    for (key, value) in &entry.env {
        args.extend(["-e".into(), format!("{key}={value}")]);
    }
    args.push(server.name.clone());
    args.extend(command(entry));
    args
}

/// `PROGRAM mcp remove NAME`, for `--force` (the client's `mcp add` refuses an existing
/// name); a failure (no such server) is not one.
fn remove_with(program: &str, name: &str) {
    let _ = std::process::Command::new(program)
        .args(["mcp", "remove", name])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

/// Runs a client's own `mcp add` (it knows its configuration best).
fn run_add(program: &str, args: &[String]) -> Result<(), String> {
    let shown: Vec<String> = std::iter::once(program.to_owned())
        .chain(args.iter().map(|a| quote(a)))
        .collect();
    eprintln!("running: {}", shown.join(" "));
    let status = std::process::Command::new(program)
        .args(args)
        .status()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => format!(
                "`{program}` is not installed (or not in PATH); install it, or use `fastmcp install mcp-json` and add the entry by hand"
            ),
            _ => format!("cannot run {program}: {error}"),
        })?;
    if !status.success() {
        return Err(format!("`{}` failed ({status})", shown.join(" ")));
    }
    Ok(())
}
