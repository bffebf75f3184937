//! `fastmcp`: drive any MCP server from the command line — list, call (with live progress),
//! inspect, serve as a proxy (`run`), install into MCP clients, discover configured servers,
//! start a project (`new`), inspect in a browser (`dev`). This file: the exit statuses, the
//! one-line failures, logging, and which command runs.

mod args;
mod cli;
mod commands;
mod connect;
mod dev;
mod discover;
mod editors;
mod elicit;
mod install;
mod login;
mod render;
mod report;
mod scaffold;
mod serve;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command, RunTransport, UrlTransport};
use crate::commands::{CallArgs, Listing, call, call_words, get_prompt, inspect, list, read};
use crate::connect::Connect;
use crate::serve::{Http, Source, run};

/// Exit status when the tool ran and reported an error.
const EXIT_TOOL_ERROR: u8 = 1;
/// Exit status when the connection or the protocol failed.
const EXIT_FAILURE: u8 = 2;

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
    let connect = Connect {
        timeout: cli.connect_timeout,
        base_url: None,
        auth: cli.auth,
        bar: render::SharedBar::default(),
        transport: None,
    };
    let outcome = execute(cli.command, connect).await;
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

/// Runs one command.
async fn execute(command: Command, mut connect: Connect) -> Result<(), Failure> {
    match command {
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
            list(&connect, &reach.target(target)?, what).await
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
            let (target, name, arguments) = call_words(&reach, words)?;
            if prompt {
                return get_prompt(&connect, &target, &name, &arguments, args.as_deref(), json)
                    .await;
            }
            if name.contains("://") {
                return read(&connect, &target, &name, output.as_deref(), json).await;
            }
            let call_args = CallArgs {
                pairs: &arguments,
                json_args: args.as_deref(),
                json,
                timeout,
            };
            call(&connect, &target, &name, call_args).await
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
        } => {
            let auth = auth.build(&path)?;
            if auth.is_some() && matches!(transport, RunTransport::Stdio) {
                return Err(Failure::connection(
                    "--auth-* flags need --transport http: stdio has no bearer tokens",
                ));
            }
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
        Command::Inspect {
            target,
            reach,
            format,
            output,
            base_url,
        } => {
            connect.base_url = base_url;
            connect.transport = reach.transport;
            inspect(&connect, &reach.target(target)?, format, output.as_deref()).await
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
        } => install::install(install::Install {
            client,
            target: reach.target(target)?,
            sse: matches!(reach.transport, Some(UrlTransport::Sse)),
            name,
            env,
            env_file,
            workspace,
            force,
        })
        .map_err(Failure::connection),
        Command::Dev {
            target,
            reach,
            port,
            host,
            no_open,
        } => {
            connect.transport = reach.transport;
            let target = reach.target(target)?;
            let options = dev::DevOptions {
                host,
                port,
                open: !no_open,
            };
            dev::dev(connect, target, options).await
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
