//! `fastmcp`: list and call the tools of any MCP server, with live progress; serve any MCP
//! server as a proxy on another transport (`fastmcp run`).

mod args;
mod dev;
mod discover;
mod editors;
mod elicit;
mod install;
mod login;
mod render;
mod report;
mod scaffold;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use fastmcp::Client;
use fastmcp::client::{CallEvent, ProgressEvent};
use futures::StreamExt as _;
use serde_json::Value;

/// Exit status when the tool ran and reported an error.
const EXIT_TOOL_ERROR: u8 = 1;
/// Exit status when the connection or the protocol failed.
const EXIT_FAILURE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "fastmcp",
    version,
    about = "Drive any MCP server from the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How long the server may take to start and answer the handshake, in seconds. A cold
    /// `cargo run`, `npx -y …` or `uvx …` can take minutes.
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        env = "FASTMCP_CONNECT_TIMEOUT",
        default_value_t = DEFAULT_CONNECT_TIMEOUT
    )]
    connect_timeout: f64,
    /// More logging on stderr (-v: info, -vv: debug, -vvv: trace); FASTMCP_LOG_LEVEL wins.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    verbose: u8,
    /// Only errors on stderr (no warnings); FASTMCP_LOG_LEVEL wins.
    #[arg(short, long, global = true)]
    quiet: bool,
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
    auth: login::Auth,
}

/// The default `--connect-timeout`, in seconds.
const DEFAULT_CONNECT_TIMEOUT: f64 = 300.0;

/// How long connecting may take before the CLI says it is waiting.
const WAIT_NOTICE_AFTER: Duration = Duration::from_secs(2);

#[derive(Subcommand)]
enum Command {
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
struct Reach {
    /// The server as a command line, instead of TARGET: --command "npx -y @scope/server".
    #[arg(long = "command", value_name = "COMMAND LINE")]
    command_line: Option<String>,
    /// The HTTP transport of a URL: Streamable HTTP only, or the legacy SSE transport only
    /// (default: Streamable HTTP, falling back to SSE).
    #[arg(long, value_enum, value_name = "http|sse")]
    transport: Option<UrlTransport>,
}

/// `--transport` of a URL TARGET.
#[derive(Clone, Copy, clap::ValueEnum)]
enum UrlTransport {
    /// Streamable HTTP.
    Http,
    /// The legacy HTTP+SSE transport.
    Sse,
}

impl Reach {
    /// The target: `--command`'s, else TARGET's.
    fn target(&self, target: Option<String>) -> Result<String, Failure> {
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
struct AuthArgs {
    /// Check JWT bearer tokens against this JWKS (turns auth on).
    #[arg(long, env = "FASTMCP_AUTH_JWKS_URI")]
    auth_jwks_uri: Option<String>,
    /// Accept tokens from this issuer only.
    #[arg(long, env = "FASTMCP_AUTH_ISSUER")]
    auth_issuer: Option<String>,
    /// Accept tokens for this audience only (default: the base URL and path).
    #[arg(long, env = "FASTMCP_AUTH_AUDIENCE")]
    auth_audience: Option<String>,
    /// Scopes every request's token must grant (comma-separated).
    #[arg(long, env = "FASTMCP_AUTH_REQUIRED_SCOPES")]
    auth_required_scopes: Option<String>,
    /// Authorization servers listed in the Protected Resource Metadata (comma-separated).
    #[arg(long, env = "FASTMCP_AUTH_AUTHORIZATION_SERVERS")]
    auth_authorization_servers: Option<String>,
    /// The public URL of this proxy, for the metadata and challenges.
    #[arg(long, env = "FASTMCP_AUTH_BASE_URL")]
    auth_base_url: Option<String>,
}

impl AuthArgs {
    /// The auth these flags describe (none without a JWKS URI), parsed as `server.run()` does.
    fn build(self, path: &str) -> Result<Option<fastmcp::server::auth::RemoteAuth>, Failure> {
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
enum RunTransport {
    /// Standard input and output.
    Stdio,
    /// Streamable HTTP.
    Http,
}

/// A failure, with the exit status it maps to.
struct Failure {
    status: u8,
    message: String,
}

impl Failure {
    fn connection(error: impl std::fmt::Display) -> Self {
        Self {
            status: EXIT_FAILURE,
            message: error.to_string(),
        }
    }

    /// An error with its causes, on one line.
    fn chain(error: impl std::error::Error) -> Self {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::connection(message)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    let mut connect = Connect {
        timeout: cli.connect_timeout,
        base_url: None,
        auth: cli.auth,
        bar: render::SharedBar::default(),
        transport: None,
    };
    let outcome = match cli.command {
        Command::List {
            target,
            reach,
            json,
            resources,
            prompts,
            input_schema,
            output_schema,
            base_url,
        } => {
            connect.base_url = base_url;
            connect.transport = reach.transport;
            let what = Listing {
                json,
                resources,
                prompts,
                input_schema,
                output_schema,
            };
            match reach.target(target) {
                Ok(target) => list(&connect, &target, what).await,
                Err(failure) => Err(failure),
            }
        }
        Command::Call {
            words,
            reach,
            args,
            prompt,
            output,
            json,
            timeout,
            base_url,
        } => {
            connect.base_url = base_url;
            connect.transport = reach.transport;
            match call_words(&reach, words) {
                Err(failure) => Err(failure),
                Ok((target, name, arguments)) if prompt => {
                    get_prompt(&connect, &target, &name, &arguments, args.as_deref(), json).await
                }
                Ok((target, uri, _)) if uri.contains("://") => {
                    read(&connect, &target, &uri, output.as_deref(), json).await
                }
                Ok((target, tool, arguments)) => {
                    let call_args = CallArgs {
                        pairs: &arguments,
                        json_args: args.as_deref(),
                        json,
                        timeout,
                    };
                    call(&connect, &target, &tool, call_args).await
                }
            }
        }
        Command::Run {
            target,
            openapi,
            base_url,
            headers,
            transport,
            host,
            port,
            path,
            stateless,
            auth,
        } => match auth.build(&path) {
            Err(failure) => Err(failure),
            Ok(Some(_)) if matches!(transport, RunTransport::Stdio) => Err(Failure::connection(
                "--auth-* flags need --transport http: stdio has no bearer tokens",
            )),
            Ok(auth) => {
                let http = matches!(transport, RunTransport::Http).then_some(Http {
                    host,
                    port,
                    path,
                    stateless,
                    auth,
                });
                let source = match (openapi, target) {
                    (Some(spec), _) => Source::OpenApi {
                        spec,
                        base_url,
                        headers,
                    },
                    (None, Some(target)) => Source::Proxy(target),
                    (None, None) => unreachable!("clap requires TARGET without --openapi"),
                };
                run(&connect, source, http).await
            }
        },
        Command::Inspect {
            target,
            reach,
            format,
            output,
            base_url,
        } => {
            connect.base_url = base_url;
            connect.transport = reach.transport;
            match reach.target(target) {
                Ok(target) => inspect(&connect, &target, format, output.as_deref()).await,
                Err(failure) => Err(failure),
            }
        }
        Command::Install {
            client,
            target,
            reach,
            name,
            env,
            env_file,
            workspace,
            force,
        } => reach.target(target).and_then(|target| {
            install::install(install::Install {
                client,
                target,
                sse: matches!(reach.transport, Some(UrlTransport::Sse)),
                name,
                env,
                env_file,
                workspace,
                force,
            })
            .map_err(Failure::connection)
        }),
        Command::Dev {
            target,
            reach,
            port,
            host,
            no_open,
        } => {
            connect.transport = reach.transport;
            match reach.target(target) {
                Ok(target) => {
                    let options = dev::DevOptions {
                        host,
                        port,
                        open: !no_open,
                    };
                    dev::dev(connect, target, options).await
                }
                Err(failure) => Err(failure),
            }
        }
        Command::Discover { sources, json } => editors::Places::from_env()
            .and_then(|places| discover::print(&discover::discover(&places, &sources), json))
            .map_err(Failure::connection),
        Command::New {
            name,
            http,
            fastmcp_path,
        } => scaffold::create(&name, http, fastmcp_path.as_deref()).map_err(Failure::connection),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut command = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "fastmcp", &mut script);
            // Through `out!`, so a reader that goes away ends the program quietly.
            render::out!("{}", String::from_utf8_lossy(&script).trim_end());
            Ok(())
        }
        Command::Version => {
            render::out!("fastmcp {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let first_line = failure
                .message
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            eprintln!("error: {first_line}");
            for line in failure.message.lines().skip(1) {
                eprintln!("  {line}");
            }
            ExitCode::from(failure.status)
        }
    }
}

/// Logging on stderr: `FASTMCP_LOG_LEVEL` (a `tracing` filter) if set, else by `-v`/`-q`;
/// without colours when `NO_COLOR` is set or stderr is not a terminal.
fn init_logging(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn,rmcp=error",
        (false, 1) => "info,rmcp=warn",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("FASTMCP_LOG_LEVEL")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let colour = std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        && std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_env_filter(filter)
        .init();
}

/// How to reach the server.
struct Connect {
    /// `--connect-timeout`, in seconds.
    timeout: f64,
    /// `--base-url`, for an `openapi:SPEC` target.
    base_url: Option<String>,
    /// `--auth`.
    auth: login::Auth,
    /// The progress bar a form hides while it asks.
    bar: render::SharedBar,
    /// `--transport` of a URL.
    transport: Option<UrlTransport>,
}

impl Connect {
    /// Connects to `target`, answering the server's questions on the terminal.
    async fn client(&self, target: &str) -> Result<Client, Failure> {
        let bar = self.bar.clone();
        self.client_with(target, move |builder| {
            builder.elicitation_handler(move |request| elicit::answer(request, bar.clone()))
        })
        .await
    }

    /// Connects to `target` with the handlers `handlers` adds; a server slow to answer gets
    /// a spinner on a terminal, so a first `cargo run` or `npx -y` does not look like a hang.
    async fn client_with(
        &self,
        target: &str,
        handlers: impl FnOnce(fastmcp::ClientBuilder) -> fastmcp::ClientBuilder,
    ) -> Result<Client, Failure> {
        if let Some(spec) = target.strip_prefix("openapi:") {
            // The REST API's server, in process.
            let server = openapi_server(spec, self.base_url.clone(), &[]).await?;
            return Client::connect(server).await.map_err(Failure::connection);
        }
        let timeout = seconds("--connect-timeout", self.timeout)?;
        let configured = discover::resolve(target).map_err(Failure::connection)?;
        let http_transport = match self.transport {
            None => fastmcp::client::HttpTransport::Auto,
            Some(UrlTransport::Http) => fastmcp::client::HttpTransport::Streamable,
            Some(UrlTransport::Sse) => fastmcp::client::HttpTransport::Sse,
        };
        let builder = handlers(
            Client::builder()
                .connect_timeout(timeout)
                .http_transport(http_transport),
        );
        let builder = self
            .auth
            .apply(builder, target)
            .await
            .map_err(Failure::connection)?;
        let connecting = async {
            if let Some(found) = configured {
                // A server configured in a client, by name.
                return found.entry.connect(&found.name, builder).await;
            }
            if is_config(target) {
                // Every server of the file, behind one in-process proxy.
                let options = fastmcp::proxy::ProxyOptions::new()
                    .client(Client::builder().connect_timeout(timeout));
                let proxy = fastmcp::FastMCP::proxy_with(target, options)?;
                return builder.connect(proxy).await;
            }
            builder.connect(target).await
        };
        let mut connecting = std::pin::pin!(connecting);
        let result = tokio::select! {
            result = &mut connecting => result,
            () = tokio::time::sleep(WAIT_NOTICE_AFTER) => {
                let waiting = render::waiting("waiting for the server to start and answer");
                let result = connecting.await;
                waiting.finish_and_clear();
                result
            }
        };
        result.map_err(Failure::connection)
    }
}

/// Whether `target` names an mcpServers JSON file.
fn is_config(target: &str) -> bool {
    target.ends_with(".json") && std::path::Path::new(target).is_file()
}

/// Where `fastmcp run` listens when it serves HTTP.
struct Http {
    host: String,
    port: u16,
    path: String,
    stateless: bool,
    auth: Option<fastmcp::server::auth::RemoteAuth>,
}

/// What `fastmcp run` serves.
enum Source {
    /// A proxy of this target.
    Proxy(String),
    /// The REST API an OpenAPI document describes.
    OpenApi {
        spec: String,
        base_url: Option<String>,
        headers: Vec<String>,
    },
}

impl Source {
    /// The server, and what it serves (for the banner).
    async fn server(self, connect: &Connect) -> Result<(fastmcp::FastMCP, String), Failure> {
        match self {
            Source::Proxy(target) => {
                let timeout = seconds("--connect-timeout", connect.timeout)?;
                let options = fastmcp::proxy::ProxyOptions::new()
                    .name("fastmcp-run")
                    .client(Client::builder().connect_timeout(timeout));
                // A bridge passes every progress value on, as the server sent it.
                let proxy = match discover::resolve(&target).map_err(Failure::connection)? {
                    Some(found) => {
                        let config = fastmcp::proxy::McpServers {
                            servers: [(found.name, found.entry)].into(),
                        };
                        fastmcp::FastMCP::proxy_with(config, options)
                    }
                    None => fastmcp::FastMCP::proxy_with(&target, options),
                };
                let proxy = proxy.map_err(Failure::connection)?.progress_interval(None);
                Ok((proxy, format!("proxy of {target}")))
            }
            Source::OpenApi {
                spec,
                base_url,
                headers,
            } => {
                let server = openapi_server(&spec, base_url, &headers).await?;
                Ok((server, format!("REST API of {spec}")))
            }
        }
    }
}

/// The server of an OpenAPI document (a path or a URL).
async fn openapi_server(
    spec: &str,
    base_url: Option<String>,
    headers: &[String],
) -> Result<fastmcp::FastMCP, Failure> {
    use fastmcp::openapi::{OpenApi, Spec};
    let document = if spec.starts_with("http://") || spec.starts_with("https://") {
        Spec::from_url(spec).await
    } else {
        Spec::from_file(spec)
    };
    let mut openapi = OpenApi::new(document.map_err(Failure::chain)?);
    if let Some(url) = base_url {
        openapi = openapi.base_url(url);
    }
    for header in headers {
        let Some((name, value)) = header.split_once(':') else {
            return Err(Failure::connection(format!(
                "--header {header:?}: give \"Name: value\""
            )));
        };
        openapi = openapi
            .header(name.trim(), value.trim())
            .map_err(Failure::chain)?;
    }
    openapi.build().map_err(Failure::chain)
}

/// Serves what `source` names until the client goes away (stdio) or Ctrl-C (http).
async fn run(connect: &Connect, source: Source, http: Option<Http>) -> Result<(), Failure> {
    let (proxy, serving) = source.server(connect).await?;
    let Some(http) = http else {
        return proxy.run_stdio().await.map_err(Failure::connection);
    };
    let proxy = match http.auth {
        Some(auth) => proxy.auth(auth),
        None => proxy,
    };
    let address = format!("{}:{}", http.host, http.port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|error| Failure::connection(format!("cannot listen on {address}: {error}")))?;
    let local = listener.local_addr().map_err(Failure::connection)?;
    eprintln!(
        "fastmcp run: serving MCP over HTTP at http://{local}{} ({serving})",
        http.path
    );
    let options = fastmcp::HttpOptions::default()
        .path(http.path)
        .stateless(http.stateless);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.cancel();
    });
    proxy
        .serve_http(listener, options, shutdown)
        .await
        .map_err(Failure::connection)
}

/// A duration given in (fractional) seconds on the command line.
fn seconds(flag: &str, value: f64) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| Failure::connection(format!("invalid {flag} {value}: give seconds, e.g. 30")))
}

/// The JSON `fastmcp inspect` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
enum InspectFormat {
    /// The protocol's objects.
    Mcp,
    /// Python FastMCP's report shape (`server`, `environment`, `tools`, `prompts`,
    /// `resources`, `templates`), built from what the server lists.
    Fastmcp,
}

async fn inspect(
    connect: &Connect,
    target: &str,
    format: Option<InspectFormat>,
    output: Option<&std::path::Path>,
) -> Result<(), Failure> {
    let client = connect.client(target).await?;
    let capabilities = client.server_capabilities().unwrap_or_default();
    let tools = client.list_tools().await.map_err(Failure::connection)?;
    // Lists the server does not offer are empty, not errors.
    let resources = match capabilities.resources.is_some() {
        true => client.list_resources().await.map_err(Failure::connection)?,
        false => Vec::new(),
    };
    let templates = match capabilities.resources.is_some() {
        true => client
            .list_resource_templates()
            .await
            .map_err(Failure::connection)?,
        false => Vec::new(),
    };
    let prompts = match capabilities.prompts.is_some() {
        true => client.list_prompts().await.map_err(Failure::connection)?,
        false => Vec::new(),
    };
    let info = client.server_info();
    let version = client.protocol_version().map(|v| v.to_string());
    let instructions = client.instructions();
    let _ = client.close().await;
    let inspection = render::Inspection {
        info: info.as_ref(),
        protocol_version: version.as_deref(),
        instructions: instructions.as_deref(),
        capabilities: &capabilities,
        tools: &tools,
        resources: &resources,
        templates: &templates,
        prompts: &prompts,
    };
    let report = match format {
        None => {
            render::print_inspection(&inspection);
            return Ok(());
        }
        Some(InspectFormat::Mcp) => serde_json::json!({
            "serverInfo": info,
            "protocolVersion": version,
            "instructions": instructions,
            "capabilities": capabilities,
            "tools": tools,
            "resources": resources,
            "resourceTemplates": templates,
            "prompts": prompts,
        }),
        Some(InspectFormat::Fastmcp) => report::fastmcp_report(&inspection),
    };
    let text = serde_json::to_string_pretty(&report).map_err(Failure::connection)?;
    match output {
        Some(path) => std::fs::write(path, text + "\n").map_err(|error| {
            Failure::connection(format!("cannot write {}: {error}", path.display()))
        }),
        None => {
            render::out!("{text}");
            Ok(())
        }
    }
}

/// What `fastmcp list` shows.
struct Listing {
    json: bool,
    resources: bool,
    prompts: bool,
    input_schema: bool,
    output_schema: bool,
}

async fn list(connect: &Connect, target: &str, what: Listing) -> Result<(), Failure> {
    let client = connect.client(target).await?;
    let tools = client.list_tools().await.map_err(Failure::connection)?;
    let (resources, templates) = match what.resources {
        true => (
            client.list_resources().await.map_err(Failure::connection)?,
            client
                .list_resource_templates()
                .await
                .map_err(Failure::connection)?,
        ),
        false => (Vec::new(), Vec::new()),
    };
    let prompts = match what.prompts {
        true => client.list_prompts().await.map_err(Failure::connection)?,
        false => Vec::new(),
    };
    let _ = client.close().await;
    if what.json {
        let mut lists = serde_json::Map::new();
        lists.insert("tools".into(), to_json(&tools)?);
        if what.resources {
            lists.insert("resources".into(), to_json(&resources)?);
            lists.insert("resourceTemplates".into(), to_json(&templates)?);
        }
        if what.prompts {
            lists.insert("prompts".into(), to_json(&prompts)?);
        }
        // The tools alone stay an array, as before the other lists could be asked for.
        let shown = match what.resources || what.prompts {
            true => Value::Object(lists),
            false => lists.remove("tools").unwrap_or_default(),
        };
        let text = serde_json::to_string_pretty(&shown).map_err(Failure::connection)?;
        render::out!("{text}");
        return Ok(());
    }
    render::print_tools(&tools, what.input_schema, what.output_schema);
    if what.resources {
        render::print_resources(&resources, &templates);
    }
    if what.prompts {
        render::print_prompts(&prompts);
    }
    Ok(())
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(Failure::connection)
}

/// `fastmcp call TARGET URI`: a resource's contents; text printed, binary saved to `output`
/// or summarized.
async fn read(
    connect: &Connect,
    target: &str,
    uri: &str,
    output: Option<&std::path::Path>,
    json: bool,
) -> Result<(), Failure> {
    let client = connect.client(target).await?;
    let contents = client.read_resource(uri).await;
    let _ = client.close().await;
    let contents = contents.map_err(|error| Failure {
        status: EXIT_TOOL_ERROR,
        message: format!("reading {uri} failed: {error}"),
    })?;
    if json {
        let text = serde_json::to_string_pretty(&serde_json::json!({ "contents": contents }))
            .map_err(Failure::connection)?;
        render::out!("{text}");
        return Ok(());
    }
    render::print_contents(&contents, output).map_err(Failure::connection)
}

/// `fastmcp call TARGET NAME --prompt`: the prompt's messages.
async fn get_prompt(
    connect: &Connect,
    target: &str,
    name: &str,
    pairs: &[String],
    json_args: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let arguments = args::prompt_arguments(json_args, pairs).map_err(Failure::connection)?;
    let client = connect.client(target).await?;
    let result = client.get_prompt(name, Value::Object(arguments)).await;
    let _ = client.close().await;
    let result = result.map_err(|error| Failure {
        status: EXIT_TOOL_ERROR,
        message: format!("prompt '{name}' failed: {error}"),
    })?;
    if json {
        let text = serde_json::to_string_pretty(&result).map_err(Failure::connection)?;
        render::out!("{text}");
    } else {
        render::print_prompt(&result);
    }
    Ok(())
}

/// `call`'s words: TARGET NAME [KEY=VALUE…], or NAME [KEY=VALUE…] after `--command`.
fn call_words(reach: &Reach, words: Vec<String>) -> Result<(String, String, Vec<String>), Failure> {
    let mut words = words.into_iter();
    let target = match &reach.command_line {
        Some(command) => Some(command.clone()),
        None => words.next(),
    };
    match (target, words.next()) {
        (Some(target), Some(name)) => Ok((target, name, words.collect())),
        _ => Err(Failure::connection(
            "give the server, then the tool (or resource URI, or prompt) to call",
        )),
    }
}

/// A tool call's arguments and output options.
struct CallArgs<'a> {
    pairs: &'a [String],
    json_args: Option<&'a str>,
    json: bool,
    timeout: Option<f64>,
}

async fn call(
    connect: &Connect,
    target: &str,
    tool: &str,
    CallArgs {
        pairs,
        json_args,
        json,
        timeout,
    }: CallArgs<'_>,
) -> Result<(), Failure> {
    let client = connect.client(target).await?;
    let tools = client.list_tools().await.map_err(Failure::connection)?;
    let Some(definition) = tools.iter().find(|t| t.name == tool) else {
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        return Err(Failure::connection(format!(
            "the server has no tool named '{tool}'; it has: {}",
            if names.is_empty() {
                "no tools".to_owned()
            } else {
                names.join(", ")
            }
        )));
    };
    let arguments = args::build_arguments(&definition.input_schema, json_args, pairs)
        .map_err(Failure::connection)?;

    let mut request = client
        .call_tool(tool, Value::Object(arguments))
        .raise_on_error(false);
    if let Some(seconds_given) = timeout {
        request = request.timeout(seconds("--timeout", seconds_given)?);
    }
    let mut bar = render::Progress::new(!json, connect.bar.clone());
    let mut events = std::pin::pin!(request.stream());
    let result = loop {
        match events.next().await {
            Some(CallEvent::Progress(event)) => {
                if json {
                    eprintln!("{}", progress_json(&event));
                } else {
                    bar.update(&event);
                }
            }
            Some(CallEvent::Result(result)) => break result,
            None => {
                break Err(fastmcp::Error::ConnectionClosed {
                    message: "no result".into(),
                    source: None,
                });
            }
        }
    };
    bar.finish();
    let result = result.map_err(Failure::connection)?;
    let _ = client.close().await;
    if json {
        let text = serde_json::to_string_pretty(result.raw()).map_err(Failure::connection)?;
        render::out!("{text}");
    } else if !result.is_error() {
        render::print_result(&result);
    }
    if result.is_error() {
        return Err(Failure {
            status: EXIT_TOOL_ERROR,
            message: format!("tool '{tool}' returned an error: {}", result.text()),
        });
    }
    Ok(())
}

fn progress_json(event: &ProgressEvent) -> Value {
    serde_json::json!({
        "progress": event.progress,
        "total": event.total,
        "message": event.message,
    })
}
