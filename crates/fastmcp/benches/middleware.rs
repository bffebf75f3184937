//! Middleware overhead: the quickstart server with no middleware, with 5 middlewares that
//! override nothing, and with 5 that wrap every request (`on_request` with `Hook::new`), over
//! stdio and over HTTP (the stateless 2026-07-28 direct path, JSON responses).
//!
//! `cargo bench -p fastmcp --bench middleware`. Each server is a child process of this binary,
//! driven by the same FastMCP client with sequential `tools/call`s; the three servers of a
//! transport take turns in short windows (so a change in machine load falls on all alike), and
//! the figure is the server's CPU time per call (from `/proc`), the median over windows, with
//! the spread. The overhead is the difference of medians against the server without
//! middleware. Numbers, not assertions: see BENCHMARKS.md.

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "common/proc.rs"]
mod proc;

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use fastmcp::client::Era;
use fastmcp::middleware::{AnyRequest, Hook, Middleware, MiddlewareContext, Next};
use fastmcp::transports::LineTransport;
use fastmcp::types::ClientRequest;
use fastmcp::{Client, FastMCP};
use proc::{clock_ticks_per_second, cpu_ticks};
use serde_json::json;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Windows per server, and the length of each (`FASTMCP_BENCH_WINDOW_MS` to change it:
/// longer windows shrink the 10 ms `/proc` tick against the calls they hold).
const WINDOWS: usize = 12;
fn window() -> Duration {
    let millis = std::env::var("FASTMCP_BENCH_WINDOW_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(700);
    Duration::from_millis(millis)
}
const MAX_CALLS_PER_WINDOW: u64 = 1_000_000;
const KINDS: [&str; 3] = ["none", "empty5", "wrap5"];
/// In-process: windows per server and calls per window.
const IN_PROCESS_WINDOWS: usize = 60;
const IN_PROCESS_CALLS: u32 = 1_000;

/// A middleware that overrides nothing.
struct Empty;
impl Middleware for Empty {}

/// A middleware that runs code around every request.
struct Wrap;
impl Middleware for Wrap {
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        Hook::new(async move { next.run(request).await })
    }
}

fn server(kind: &str) -> anyhow::Result<FastMCP> {
    let mut server = quickstart::server();
    for _ in 0..5 {
        server = match kind {
            "none" => return Ok(server),
            "empty5" => server.middleware(Empty),
            "wrap5" => server.middleware(Wrap),
            other => anyhow::bail!("unknown server {other}"),
        };
    }
    Ok(server)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(kind) = flag("--serve-stdio") {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(async { Ok(server(&kind)?.run_stdio().await?) });
    }
    if let Some(kind) = flag("--serve-http") {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(serve_http(kind));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run())
}

async fn serve_http(kind: String) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    let options = fastmcp::HttpOptions::default()
        .stateless(true)
        .json_response(true);
    let never = tokio_util::sync::CancellationToken::new();
    server(&kind)?.serve_http(listener, options, never).await?;
    Ok(())
}

/// A server child process and the client driving it.
struct Running {
    client: Client,
    pid: u32,
    _child: Child,
}

impl Running {
    async fn stdio(kind: &str) -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--serve-stdio", kind])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            anyhow::bail!("no pipes");
        };
        let client = Client::builder()
            .era(Era::Legacy)
            .connect_transport(LineTransport::new(stdout, stdin))
            .await?;
        Self::warm(client, child).await
    }

    async fn http(kind: &str) -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--serve-http", kind])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().context("child stdout")?;
        let mut port = String::new();
        BufReader::new(stdout).read_line(&mut port).await?;
        let url = format!("http://127.0.0.1:{}/mcp", port.trim());
        let client = Client::builder().era(Era::Stateless).connect(url).await?;
        Self::warm(client, child).await
    }

    async fn warm(client: Client, child: Child) -> anyhow::Result<Self> {
        let pid = child.id().unwrap_or_default();
        for _ in 0..500 {
            client.call_tool("add", json!({"a": 1, "b": 2})).await?;
        }
        Ok(Self {
            client,
            pid,
            _child: child,
        })
    }

    /// Sequential calls for one window: the server's CPU microseconds per call.
    async fn window(&self) -> anyhow::Result<f64> {
        let cpu_before = cpu_ticks(self.pid);
        let started = Instant::now();
        let mut calls = 0u64;
        let window = window();
        while started.elapsed() < window && calls < MAX_CALLS_PER_WINDOW {
            self.client
                .call_tool("add", json!({"a": calls, "b": 1}))
                .await?;
            calls += 1;
        }
        let cpu = (cpu_ticks(self.pid) - cpu_before) as f64 / clock_ticks_per_second();
        Ok(cpu / calls.max(1) as f64 * 1e6)
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn measure(transport: &str, servers: Vec<Running>) -> anyhow::Result<()> {
    let mut samples = vec![Vec::new(); servers.len()];
    for _ in 0..WINDOWS {
        for (server, samples) in servers.iter().zip(&mut samples) {
            samples.push(server.window().await?);
        }
    }
    report(&format!("{transport}: server CPU per tools/call"), samples);
    Ok(())
}

/// In one process on one thread (the memory transport): wall time per call is the CPU time
/// of client and server together, with no pipes or sockets to add noise.
fn in_process() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut clients = Vec::new();
        for kind in KINDS {
            let client = Client::builder()
                .era(Era::Legacy)
                .connect(server(kind)?)
                .await?;
            for _ in 0..2_000 {
                client.call_tool("add", json!({"a": 1, "b": 2})).await?;
            }
            clients.push(client);
        }
        let mut samples = vec![Vec::new(); KINDS.len()];
        for _ in 0..IN_PROCESS_WINDOWS {
            for (client, samples) in clients.iter().zip(&mut samples) {
                let started = Instant::now();
                for i in 0..IN_PROCESS_CALLS {
                    client.call_tool("add", json!({"a": i, "b": 1})).await?;
                }
                let per_call = started.elapsed().as_secs_f64() / f64::from(IN_PROCESS_CALLS);
                samples.push(per_call * 1e6);
            }
        }
        report(
            "in-process (memory transport, one thread): time per tools/call, client and server",
            samples,
        );
        Ok(())
    })
}

/// Prints the median of each kind's samples and their spread, and the overhead against the
/// server without middleware: the median of the differences within each turn (the windows of
/// one turn ran back to back, under the same machine load), with the quartiles.
fn report(title: &str, samples: Vec<Vec<f64>>) {
    let windows = samples[0].len();
    println!("{title}; median of {windows} windows (min–max)");
    for (kind, kind_samples) in KINDS.iter().zip(&samples) {
        let mut sorted = kind_samples.clone();
        let median = median(&mut sorted);
        let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
        let mut differences: Vec<f64> = kind_samples
            .iter()
            .zip(&samples[0])
            .map(|(ours, none)| ours - none)
            .collect();
        let overhead = self::median(&mut differences);
        let (q1, q3) = (differences[windows / 4], differences[windows * 3 / 4]);
        println!(
            "  {kind:<7} {median:>7.2} us  ({min:.2}–{max:.2})   overhead vs none: \
             {overhead:+.2} us (quartiles {q1:+.2} … {q3:+.2})"
        );
    }
}

async fn run() -> anyhow::Result<()> {
    std::thread::scope(|scope| scope.spawn(in_process).join())
        .map_err(|_| anyhow::anyhow!("the in-process run panicked"))??;
    println!(
        "middleware overhead: quickstart with none / 5 empty / 5 wrapping middlewares \
         ({WINDOWS} windows of {:?} each, taken in turns)",
        window()
    );
    let mut stdio = Vec::new();
    for kind in KINDS {
        stdio.push(Running::stdio(kind).await?);
    }
    measure("stdio", stdio).await?;
    let mut http = Vec::new();
    for kind in KINDS {
        http.push(Running::http(kind).await?);
    }
    measure("HTTP (2026-07-28 direct path)", http).await?;
    Ok(())
}
