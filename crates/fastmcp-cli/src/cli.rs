//! The command line: what clap parses.

use clap::{Parser, Subcommand};

use crate::{Failure, editors, install, login};

#[derive(Parser)]
#[command(
    name = "fastmcp",
    version,
    about = "Drive any MCP server from the command line"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// How long the server may take to start and answer the handshake, in seconds. A cold
    /// `cargo run`, `npx -y …` or `uvx …` can take minutes.
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        env = "FASTMCP_CONNECT_TIMEOUT",
        default_value_t = DEFAULT_CONNECT_TIMEOUT
    )]
    pub(crate) connect_timeout: f64,
    /// More logging on stderr (-v: info, -vv: debug, -vvv: trace); FASTMCP_LOG_LEVEL wins.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub(crate) verbose: u8,
    /// Only errors on stderr (no warnings); FASTMCP_LOG_LEVEL wins.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// How to authorize with an HTTP server: `oauth` (the browser flow; tokens cached per
    /// server under ~/.config/fastmcp/tokens, refreshed), a bearer TOKEN, or `none`.
    #[arg(
        long,
        global = true,
        value_name = "oauth|TOKEN|none",
        env = "FASTMCP_AUTH",
        default_value = "none",
        hide_env_values = true
    )]
    pub(crate) auth: login::Auth,
}

/// The default `--connect-timeout`, in seconds.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: f64 = 300.0;

#[derive(Subcommand)]
pub(crate) enum Command {
    /// List a server's tools (and, asked, its resources and prompts).
    List {
        /// The server: a command line ("python3 server.py"), a script (server.py, server.js),
        /// an http(s):// URL, an mcpServers JSON file, openapi:SPEC (a REST API's OpenAPI
        /// document, path or URL), or the name of a configured server (see `discover`).
        #[arg(required_unless_present = "command_line")]
        target: Option<String>,
        #[command(flatten)]
        reach: Reach,
        /// Print the protocol's lists as JSON (the tools alone: an array; with --resources or
        /// --prompts: an object of lists).
        #[arg(long)]
        json: bool,
        /// Also list resources and resource templates.
        #[arg(long)]
        resources: bool,
        /// Also list prompts.
        #[arg(long)]
        prompts: bool,
        /// Show each tool's input schema.
        #[arg(long)]
        input_schema: bool,
        /// Show each tool's output schema.
        #[arg(long)]
        output_schema: bool,
        /// Where the REST API of an openapi:SPEC target is (default: the document's server).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Call a tool (showing its progress live), read a resource (NAME with ://), or get a
    /// prompt (--prompt).
    Call {
        /// The server (as for `list`; not given with --command), then the tool to call, the
        /// resource URI to read, or (with --prompt) the prompt to get, then its arguments as
        /// KEY=VALUE: values are converted to the type the tool's schema expects (prompt
        /// arguments stay strings).
        #[arg(value_name = "TARGET NAME [KEY=VALUE]", required = true)]
        words: Vec<String>,
        #[command(flatten)]
        reach: Reach,
        /// Arguments as one JSON object (KEY=VALUE pairs override its keys).
        #[arg(long = "input-json", alias = "args", value_name = "JSON")]
        args: Option<String>,
        /// NAME is a prompt: render it.
        #[arg(long)]
        prompt: bool,
        /// Save a binary resource's contents to FILE.
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Print the CallToolResult as JSON on stdout and progress as JSON lines on stderr.
        #[arg(long)]
        json: bool,
        /// Give up after this many seconds.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
        /// Where the REST API of an openapi:SPEC target is (default: the document's server).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Serve TARGET as a proxy: a remote server to a stdio-only client, a stdio server on
    /// the network, several servers (an mcpServers JSON file) behind one.
    Run {
        /// The server: a command line, a script path, an http(s):// URL, or an mcpServers
        /// JSON file (or none, with --openapi).
        #[arg(required_unless_present = "openapi")]
        target: Option<String>,
        /// Serve the REST API this OpenAPI 3.x document describes (a path or an http(s)://
        /// URL; JSON or YAML), each operation a tool, instead of proxying TARGET.
        #[arg(long, value_name = "SPEC", conflicts_with = "target")]
        openapi: Option<String>,
        /// Where the REST API is (default: the document's first server).
        #[arg(long, value_name = "URL", requires = "openapi")]
        base_url: Option<String>,
        /// A header sent with every call to the REST API, as "Name: value" (repeatable).
        #[arg(long = "header", value_name = "NAME: VALUE", requires = "openapi")]
        headers: Vec<String>,
        /// How to serve it.
        #[arg(long, value_enum, env = "FASTMCP_TRANSPORT", default_value = "stdio")]
        transport: RunTransport,
        /// The address to listen on (http).
        #[arg(long, env = "FASTMCP_HOST", default_value = "127.0.0.1")]
        host: String,
        /// The port to listen on (http; 0 picks a free one).
        #[arg(long, env = "FASTMCP_PORT", default_value_t = 8000)]
        port: u16,
        /// The MCP endpoint's path (http).
        #[arg(long, default_value = "/mcp")]
        path: String,
        /// Serve only the stateless 2026-07-28 protocol (http).
        #[arg(long)]
        stateless: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Describe a server: who it is, its protocol era and capabilities, and every tool,
    /// resource, template and prompt.
    Inspect {
        /// The server (as for `list`).
        #[arg(required_unless_present = "command_line")]
        target: Option<String>,
        #[command(flatten)]
        reach: Reach,
        /// Print the protocol's objects as JSON (`mcp`: serverInfo, instructions,
        /// capabilities, protocolVersion, tools, resources, resourceTemplates, prompts)
        /// instead of a readable summary.
        #[arg(long, value_enum)]
        format: Option<InspectFormat>,
        /// Write the JSON to FILE instead of stdout (needs --format).
        #[arg(short = 'o', long, value_name = "FILE", requires = "format")]
        output: Option<std::path::PathBuf>,
        /// Where the REST API of an openapi:SPEC target is (default: the document's server).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Add a server to an MCP client's configuration (Claude Desktop, Claude Code, Cursor,
    /// Gemini CLI, Goose, VS Code), or print its entry (mcp-json) or command line (stdio).
    Install {
        /// The client.
        #[arg(value_enum)]
        client: install::InstallClient,
        /// The server (as for `list`; a command's program and files are made absolute).
        #[arg(required_unless_present = "command_line")]
        target: Option<String>,
        #[command(flatten)]
        reach: Reach,
        /// The server's name in the client (default: from the script, program or URL).
        #[arg(long)]
        name: Option<String>,
        /// An environment variable for the server, KEY=VALUE (repeatable).
        #[arg(long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// Environment variables from a file of KEY=VALUE lines.
        #[arg(long, value_name = "FILE")]
        env_file: Option<std::path::PathBuf>,
        /// The project directory (cursor: DIR/.cursor/mcp.json instead of the user file;
        /// vscode: DIR/.vscode/mcp.json, default the current directory).
        #[arg(long, value_name = "DIR")]
        workspace: Option<std::path::PathBuf>,
        /// Replace an existing server of the same name.
        #[arg(long)]
        force: bool,
    },
    /// List the MCP servers configured in your clients; each can be a TARGET by its name
    /// (or SOURCE:NAME).
    Discover {
        /// Only these clients (repeatable).
        #[arg(long = "source", value_enum, value_name = "SOURCE")]
        sources: Vec<editors::Editor>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A web inspector for TARGET on 127.0.0.1: its tools as forms with live progress, its
    /// resources, prompts and logs. Prints the page's URL (with its access token).
    Dev {
        /// The server (as for `list`).
        #[arg(required_unless_present = "command_line")]
        target: Option<String>,
        #[command(flatten)]
        reach: Reach,
        /// The port to serve the page on (default: a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The address to serve the page on; anything but loopback exposes the server to
        /// your network.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Do not open a browser.
        #[arg(long)]
        no_open: bool,
    },
    /// Create a Cargo project for a new MCP server: a tool with progress, a resource, a
    /// prompt, and a test.
    New {
        /// The project's name (and directory).
        name: String,
        /// Serve over HTTP instead of stdio.
        #[arg(long)]
        http: bool,
        /// Depend on the fastmcp crate at this path instead of crates.io.
        #[arg(long, value_name = "DIR", hide = true, env = "FASTMCP_CRATE_PATH")]
        fastmcp_path: Option<std::path::PathBuf>,
    },
    /// Print a shell's completion script: `fastmcp completions bash > /etc/bash_completion.d/fastmcp`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the version.
    Version,
}

/// The other ways to give the server: `--command`, and the HTTP transport of a URL.
#[derive(clap::Args, Default)]
pub(crate) struct Reach {
    /// The server as a command line, instead of TARGET: --command "npx -y @scope/server".
    #[arg(long = "command", value_name = "COMMAND LINE")]
    pub(crate) command_line: Option<String>,
    /// The HTTP transport of a URL: Streamable HTTP only, or the legacy SSE transport only
    /// (default: Streamable HTTP, falling back to SSE).
    #[arg(long, value_enum, value_name = "http|sse")]
    pub(crate) transport: Option<UrlTransport>,
}

/// `--transport` of a URL TARGET.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum UrlTransport {
    /// Streamable HTTP.
    Http,
    /// The legacy HTTP+SSE transport.
    Sse,
}

impl Reach {
    /// The target: `--command`'s, else TARGET's.
    pub(crate) fn target(&self, target: Option<String>) -> Result<String, Failure> {
        match (&self.command_line, target) {
            (Some(command), None) => Ok(command.clone()),
            (None, Some(target)) => Ok(target),
            (Some(_), Some(_)) => Err(Failure::connection(
                "give the server as TARGET or as --command, not both",
            )),
            (None, None) => Err(Failure::connection("give the server: TARGET or --command")),
        }
    }
}

/// Bearer-token checking for `fastmcp run --transport http`: the proxy becomes an OAuth
/// resource server in front of TARGET (the same flags as any `server.run()`).
#[derive(clap::Args, Default)]
pub(crate) struct AuthArgs {
    /// Check JWT bearer tokens against this JWKS (turns auth on).
    #[arg(long, env = "FASTMCP_AUTH_JWKS_URI")]
    pub(crate) auth_jwks_uri: Option<String>,
    /// Accept tokens from this issuer only.
    #[arg(long, env = "FASTMCP_AUTH_ISSUER")]
    pub(crate) auth_issuer: Option<String>,
    /// Accept tokens for this audience only (default: the base URL and path).
    #[arg(long, env = "FASTMCP_AUTH_AUDIENCE")]
    pub(crate) auth_audience: Option<String>,
    /// Scopes every request's token must grant (comma-separated).
    #[arg(long, env = "FASTMCP_AUTH_REQUIRED_SCOPES")]
    pub(crate) auth_required_scopes: Option<String>,
    /// Authorization servers listed in the Protected Resource Metadata (comma-separated).
    #[arg(long, env = "FASTMCP_AUTH_AUTHORIZATION_SERVERS")]
    pub(crate) auth_authorization_servers: Option<String>,
    /// The public URL of this proxy, for the metadata and challenges.
    #[arg(long, env = "FASTMCP_AUTH_BASE_URL")]
    pub(crate) auth_base_url: Option<String>,
}

impl AuthArgs {
    /// The auth these flags describe (none without a JWKS URI), parsed as `server.run()` does.
    pub(crate) fn build(
        self,
        path: &str,
    ) -> Result<Option<fastmcp::server::auth::RemoteAuth>, Failure> {
        let flags = [
            ("--auth-jwks-uri", self.auth_jwks_uri),
            ("--auth-issuer", self.auth_issuer),
            ("--auth-audience", self.auth_audience),
            ("--auth-required-scopes", self.auth_required_scopes),
            (
                "--auth-authorization-servers",
                self.auth_authorization_servers,
            ),
            ("--auth-base-url", self.auth_base_url),
        ];
        let mut args = vec!["--path".to_owned(), path.to_owned()];
        for (flag, value) in flags {
            if let Some(value) = value {
                args.extend([flag.to_owned(), value]);
            }
        }
        let settings = fastmcp::settings::Settings::from_args(args).map_err(Failure::connection)?;
        Ok(settings.auth)
    }
}

/// How `fastmcp run` serves.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum RunTransport {
    /// Standard input and output.
    Stdio,
    /// Streamable HTTP.
    Http,
}

/// The JSON `fastmcp inspect` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum InspectFormat {
    /// The protocol's objects.
    Mcp,
    /// Python FastMCP's report shape (`server`, `environment`, `tools`, `prompts`,
    /// `resources`, `templates`), built from what the server lists.
    Fastmcp,
}
