//! Proxy benchmark: what forwarding through a proxy costs.
//!
//! `cargo bench -p fastmcp --bench proxy` starts, as child processes of this binary, the
//! quickstart server (stdio) and three ways to reach it, all driven by the same FastMCP client:
//!
//! - `direct`: the client talks to the quickstart itself (the baseline);
//! - `fastmcp`: our proxy (`FastMCP::proxy`) over stdio in front of a quickstart over stdio;
//! - `python`: Python FastMCP's `create_proxy` over stdio in front of the same quickstart
//!   (when a Python with `fastmcp` is found: `FASTMCP_BENCH_PYTHON`, else `.venv/bin/python`).
//!
//! Sequential `tools/call` round trips are taken in short windows, the chains in turns, so
//! that a change in machine load falls on all alike; it prints the median calls per second and
//! the median CPU time the proxy process spends per call (from `/proc`, the upstream's not
//! counted), then progress notifications per second through each proxy. Then the same over
//! HTTP: client -> our proxy (HTTP) -> quickstart (HTTP), in both eras. Every phase is bounded
//! in time and count. Numbers, not assertions: see BENCHMARKS.md.
//!
//! `FASTMCP_BENCH_CURRENT_THREAD=1` runs the servers and proxies on Tokio's current-thread
//! runtime instead of the multi-thread one.

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[path = "common/proc.rs"]
mod proc;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use fastmcp::client::{Era, StdioServer};
use fastmcp::transports::LineTransport;
use fastmcp::{Client, FastMCP};
use proc::{clock_ticks_per_second, cpu_ticks, rss_mib};
use serde_json::json;
use tokio::process::{Child, Command};

/// Round-trip windows per chain, and the length of each.
const WINDOWS: u32 = 10;
const WINDOW: Duration = Duration::from_millis(300);
/// Progress notifications asked of one call through our proxy (and the direct baseline).
const PROGRESS_STEPS: u32 = 100_000;
/// Python's proxy gets fewer (it is far slower), and a time bound.
const PYTHON_PROGRESS_STEPS: u32 = 2_000;
const PROGRESS_BOUND: Duration = Duration::from_secs(120);

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let single = std::env::var_os("FASTMCP_BENCH_CURRENT_THREAD").is_some()
        && args.iter().any(|a| a == "--serve");
    let runtime = if single {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
    };
    match args.iter().position(|a| a == "--serve") {
        Some(at) => runtime.block_on(serve(&args[at + 1..])),
        None => runtime.block_on(run()),
    }
}

/// The child processes: `quickstart`, `quickstart-http PORT`, `proxy`, `proxy-http URL PORT`.
async fn serve(args: &[String]) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?.display().to_string();
    let quickstart = StdioServer::new(exe).args(["--serve", "quickstart"]);
    let http = |port: &str| -> anyhow::Result<String> { Ok(format!("127.0.0.1:{port}")) };
    match args {
        [kind] if kind == "quickstart" => {
            quickstart::server()
                .progress_interval(None)
                .run_stdio()
                .await?
        }
        [kind, port] if kind == "quickstart-http" => {
            let server = quickstart::server().progress_interval(None);
            server.run_http(http(port)?, Default::default()).await?
        }
        [kind] if kind == "proxy" => {
            let proxy = FastMCP::proxy(quickstart)?.progress_interval(None);
            proxy.run_stdio().await?
        }
        [kind, url, port] if kind == "proxy-http" => {
            let proxy = FastMCP::proxy(url.as_str())?.progress_interval(None);
            proxy.run_http(http(port)?, Default::default()).await?
        }
        other => bail!("unknown server {other:?}"),
    }
    Ok(())
}

/// One way to reach the quickstart: the client, and the process whose CPU is measured.
struct Chain {
    name: &'static str,
    client: Client,
    pid: u32,
    _children: Vec<Child>,
}

impl Chain {
    /// Sequential calls for one window: (calls per second, CPU microseconds per call).
    async fn window(&self) -> anyhow::Result<(f64, f64)> {
        let cpu_before = cpu_ticks(self.pid);
        let started = Instant::now();
        let mut calls = 0u64;
        while started.elapsed() < WINDOW && calls < 100_000 {
            self.client
                .call_tool("add", json!({"a": calls, "b": 1}))
                .await?;
            calls += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        let cpu = (cpu_ticks(self.pid) - cpu_before) as f64 / clock_ticks_per_second();
        Ok((calls as f64 / seconds, cpu / calls as f64 * 1e6))
    }

    /// Progress notifications per second delivered by one `long_task` call of `steps`.
    async fn progress(&self, steps: u32) -> anyhow::Result<f64> {
        let delivered = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&delivered);
        let started = Instant::now();
        let done = self
            .client
            .call_tool("long_task", json!({"steps": steps, "delay_ms": 0}))
            .progress(move |_, _, _| {
                counter.fetch_add(1, Ordering::Relaxed);
                std::future::ready(())
            })
            .timeout(PROGRESS_BOUND)
            .await;
        let elapsed = started.elapsed().as_secs_f64();
        done?;
        let received = delivered.load(Ordering::Relaxed);
        println!(
            "{}: {received} of {steps} progress notifications in {elapsed:.2}s",
            self.name
        );
        Ok(received as f64 / elapsed)
    }
}

fn child(args: &[&str]) -> anyhow::Result<Command> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args(args).kill_on_drop(true);
    Ok(command)
}

/// A stdio chain whose first process is `command`.
async fn stdio_chain(name: &'static str, mut command: Command) -> anyhow::Result<Chain> {
    let mut process = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let (Some(stdin), Some(stdout)) = (process.stdin.take(), process.stdout.take()) else {
        bail!("no pipes");
    };
    let client = Client::builder()
        .era(Era::Legacy)
        .connect_transport(LineTransport::new(stdout, stdin))
        .await?;
    let pid = process.id().unwrap_or_default();
    let chain = Chain {
        name,
        client,
        pid,
        _children: vec![process],
    };
    for _ in 0..500 {
        chain
            .client
            .call_tool("add", json!({"a": 1, "b": 2}))
            .await?;
    }
    Ok(chain)
}

fn python() -> Option<String> {
    let python = std::env::var("FASTMCP_BENCH_PYTHON").unwrap_or_else(|_| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/python");
        root.to_owned()
    });
    let works = std::process::Command::new(&python)
        .args(["-c", "import fastmcp"])
        .output()
        .is_ok_and(|out| out.status.success());
    works.then_some(python)
}

async fn run() -> anyhow::Result<()> {
    println!("proxy benchmark: client -> proxy -> quickstart, stdio then HTTP");
    let mut chains = vec![
        stdio_chain("direct", child(&["--serve", "quickstart"])?).await?,
        stdio_chain("fastmcp", child(&["--serve", "proxy"])?).await?,
    ];
    match python() {
        Some(python) => {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/proxy/python_proxy.py");
            let mut command = Command::new(python);
            command
                .arg(script)
                .arg(std::env::current_exe()?)
                .args(["--serve", "quickstart"]);
            chains.push(stdio_chain("python", command).await?);
        }
        None => println!("(no Python with fastmcp: the Python create_proxy chain is skipped)"),
    }
    let medians = measure(&chains).await?;
    print_table("stdio", &chains, &medians);
    let direct = chains[0].progress(PROGRESS_STEPS).await?;
    let ours = chains[1].progress(PROGRESS_STEPS).await?;
    println!(
        "progress through our proxy: {ours:.0}/s (direct {direct:.0}/s, {:.2}x)",
        ours / direct
    );
    if let Some(python) = chains.get(2) {
        let theirs = python.progress(PYTHON_PROGRESS_STEPS).await?;
        println!(
            "progress through Python's proxy: {theirs:.0}/s; ours/python {:.1}x",
            ours / theirs
        );
    }
    drop(chains);
    http().await
}

/// Medians over the windows, the chains taking turns: (calls/s, CPU us/call) per chain.
async fn measure(chains: &[Chain]) -> anyhow::Result<Vec<(f64, f64)>> {
    let mut samples = vec![(Vec::new(), Vec::new()); chains.len()];
    for _ in 0..WINDOWS {
        for (chain, (rates, cpus)) in chains.iter().zip(&mut samples) {
            let (rate, cpu) = chain.window().await?;
            rates.push(rate);
            cpus.push(cpu);
        }
    }
    Ok(samples
        .into_iter()
        .map(|(rates, cpus)| (median(rates), median(cpus)))
        .collect())
}

fn print_table(transport: &str, chains: &[Chain], medians: &[(f64, f64)]) {
    println!();
    println!("{transport}: median of {WINDOWS} windows of {WINDOW:?}, sequential tools/call (add)");
    let header = ["", "calls/s", "CPU us/call (process)", "RSS (MiB)"];
    println!(
        "{:<22} {:>12} {:>22} {:>10}",
        header[0], header[1], header[2], header[3]
    );
    for (chain, (rate, cpu)) in chains.iter().zip(medians) {
        let rss = rss_mib(chain.pid);
        println!("{:<22} {rate:>12.0} {cpu:>22.1} {rss:>10.1}", chain.name);
    }
    if let (Some(ours), Some(theirs), true) = (medians.get(1), medians.get(2), transport == "stdio")
    {
        println!(
            "ours/python: {:.1}x calls/s, {:.1}x less CPU per call",
            ours.0 / theirs.0,
            theirs.1 / ours.1
        );
    }
    println!();
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A port the OS says is free now.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts an HTTP child serving on `port` and waits until it accepts connections.
async fn http_child(args: &[&str], port: &str) -> anyhow::Result<Child> {
    let process = child(args)?
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let address = format!("127.0.0.1:{port}");
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(&address).await.is_ok() {
            return Ok(process);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{args:?} did not start")
}

async fn http() -> anyhow::Result<()> {
    let upstream_port = free_port()?.to_string();
    let upstream = http_child(
        &["--serve", "quickstart-http", &upstream_port],
        &upstream_port,
    )
    .await?;
    let upstream_url = format!("http://127.0.0.1:{upstream_port}/mcp");
    let proxy_port = free_port()?.to_string();
    let proxy = http_child(
        &["--serve", "proxy-http", &upstream_url, &proxy_port],
        &proxy_port,
    )
    .await?;
    let proxy_url = format!("http://127.0.0.1:{proxy_port}/mcp");
    let upstream_pid = upstream.id().unwrap_or_default();
    let proxy_pid = proxy.id().unwrap_or_default();
    let mut children = vec![upstream, proxy];
    let mut chains = Vec::new();
    for (name, url, pid, era) in [
        ("direct (legacy)", &upstream_url, upstream_pid, Era::Legacy),
        ("fastmcp (legacy)", &proxy_url, proxy_pid, Era::Legacy),
        (
            "direct (2026-07-28)",
            &upstream_url,
            upstream_pid,
            Era::Stateless,
        ),
        (
            "fastmcp (2026-07-28)",
            &proxy_url,
            proxy_pid,
            Era::Stateless,
        ),
    ] {
        let client = Client::builder().era(era).connect(url.as_str()).await?;
        for _ in 0..200 {
            client.call_tool("add", json!({"a": 1, "b": 2})).await?;
        }
        chains.push(Chain {
            name,
            client,
            pid,
            _children: Vec::new(),
        });
    }
    let medians = measure(&chains).await?;
    println!(
        "HTTP (CPU: of the process answering: the quickstart for direct, the proxy otherwise)"
    );
    print_table("HTTP", &chains, &medians);
    let progress = chains[1].progress(PROGRESS_STEPS / 4).await?;
    println!("progress through our HTTP proxy (legacy): {progress:.0}/s");
    children.clear();
    Ok(())
}
