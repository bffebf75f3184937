//! stdio benchmark: FastMCP's quickstart server against a plain rmcp server with the same tools.
//!
//! `cargo bench -p fastmcp --bench stdio` runs, in one invocation, for each server (both started
//! as child processes of this binary and driven by the same FastMCP client):
//! cold start to the first response, `tools/call` round trips per second (one at a time, the
//! two servers taking turns in short windows) with the server's CPU time per call, progress
//! notifications delivered per second (coalescing off), and resident memory idle and after
//! 10,000 more calls. It prints each figure and the FastMCP/rmcp ratio. Every phase is bounded
//! in time and count. Numbers, not assertions: see BENCHMARKS.md.

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fastmcp::Client;
use fastmcp::transports::LineTransport;
use serde_json::json;
use tokio::process::{Child, Command};

/// Upper bounds for each phase.
const ROUND_TRIP_BUDGET: Duration = Duration::from_secs(4);
/// The round-trip budget is split into this many windows per server, taken in turns.
const ROUND_TRIP_WINDOWS: u32 = 8;
const ROUND_TRIP_MAX: u64 = 200_000;
const PROGRESS_STEPS: u32 = 200_000;
const MEMORY_CALLS: u64 = 10_000;
const COLD_STARTS: u32 = 20;

#[derive(Clone, Copy, PartialEq)]
enum Server {
    FastMcp,
    Rmcp,
}

impl Server {
    fn flag(self) -> &'static str {
        match self {
            Server::FastMcp => "fastmcp",
            Server::Rmcp => "rmcp",
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Figures {
    cold_start_ms: f64,
    round_trips_per_s: f64,
    server_cpu_us: f64,
    progress_per_s: f64,
    idle_rss_mib: f64,
    loaded_rss_mib: f64,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Some(kind) = args
        .iter()
        .position(|a| a == "--serve")
        .and_then(|i| args.get(i + 1))
    {
        return runtime.block_on(serve(kind));
    }
    runtime.block_on(run())
}

async fn serve(kind: &str) -> anyhow::Result<()> {
    match kind {
        "fastmcp" => {
            quickstart::server()
                .progress_interval(None)
                .run_stdio()
                .await?
        }
        "rmcp" => plain_rmcp::serve().await?,
        other => anyhow::bail!("unknown server {other}"),
    }
    Ok(())
}

async fn run() -> anyhow::Result<()> {
    println!("stdio benchmark: FastMCP quickstart vs plain rmcp 3.11, same tools, same client");
    let servers = [Server::FastMcp, Server::Rmcp];
    let mut figures = [Figures::default(); 2];
    for (server, figures) in servers.iter().zip(&mut figures) {
        figures.cold_start_ms = cold_start(*server).await?;
    }
    let mut running = Vec::new();
    for server in servers {
        running.push(Running::start(server).await?);
    }
    round_trips(&running, &mut figures).await?;
    for (running, figures) in running.into_iter().zip(&mut figures) {
        running.memory_and_progress(figures).await?;
    }
    let [ours, theirs] = figures;
    println!();
    println!("{:<34} {:>12} {:>12} {:>9}", "", "fastmcp", "rmcp", "ratio");
    let rows = [
        (
            "cold start to first response (ms)",
            ours.cold_start_ms,
            theirs.cold_start_ms,
        ),
        (
            "tools/call round trips per second",
            ours.round_trips_per_s,
            theirs.round_trips_per_s,
        ),
        (
            "server CPU per tools/call (us)",
            ours.server_cpu_us,
            theirs.server_cpu_us,
        ),
        (
            "progress notifications per second",
            ours.progress_per_s,
            theirs.progress_per_s,
        ),
        ("idle RSS (MiB)", ours.idle_rss_mib, theirs.idle_rss_mib),
        (
            "RSS after 10,000 calls (MiB)",
            ours.loaded_rss_mib,
            theirs.loaded_rss_mib,
        ),
    ];
    for (name, a, b) in rows {
        println!("{name:<34} {a:>12.1} {b:>12.1} {:>8.2}x", a / b);
    }
    Ok(())
}

async fn spawn(server: Server) -> anyhow::Result<(Client, Child)> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--serve", server.flag()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        anyhow::bail!("no pipes");
    };
    let client = Client::builder()
        .connect_transport(LineTransport::new(stdout, stdin))
        .await?;
    Ok((client, child))
}

/// Spawn, `initialize` and a first `tools/call`: the best of [`COLD_STARTS`], in ms.
async fn cold_start(server: Server) -> anyhow::Result<f64> {
    let mut best = f64::MAX;
    for _ in 0..COLD_STARTS {
        let started = Instant::now();
        let (client, _child) = spawn(server).await?;
        client.call_tool("add", json!({"a": 1, "b": 2})).await?;
        best = best.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{}: cold start (spawn, initialize, first tools/call), best of {COLD_STARTS}: {best:.2} ms",
        server.flag()
    );
    Ok(best)
}

/// A server child process and the client driving it.
struct Running {
    server: Server,
    client: Client,
    pid: u32,
    idle_rss_mib: f64,
    _child: Child,
}

impl Running {
    /// Starts the server and warms it up with 1,000 calls.
    async fn start(server: Server) -> anyhow::Result<Self> {
        let (client, child) = spawn(server).await?;
        let pid = child.id().unwrap_or_default();
        for _ in 0..1_000 {
            client.call_tool("add", json!({"a": 1, "b": 2})).await?;
        }
        Ok(Self {
            server,
            client,
            pid,
            idle_rss_mib: rss_mib(pid),
            _child: child,
        })
    }

    /// Sequential calls for `budget`: (calls, seconds, server CPU seconds).
    async fn window(&self, budget: Duration, max: u64) -> anyhow::Result<(u64, f64, f64)> {
        let cpu_before = cpu_ticks(self.pid);
        let started = Instant::now();
        let mut calls = 0u64;
        while started.elapsed() < budget && calls < max {
            self.client
                .call_tool("add", json!({"a": calls, "b": 1}))
                .await?;
            calls += 1;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = (cpu_ticks(self.pid) - cpu_before) as f64 / clock_ticks_per_second();
        Ok((calls, elapsed, cpu))
    }

    /// Memory after [`MEMORY_CALLS`] more calls, then one call with [`PROGRESS_STEPS`] progress
    /// notifications counted as they reach the handler.
    async fn memory_and_progress(self, figures: &mut Figures) -> anyhow::Result<()> {
        let name = self.server.flag();
        figures.idle_rss_mib = self.idle_rss_mib;
        for _ in 0..MEMORY_CALLS {
            self.client
                .call_tool("add", json!({"a": 1, "b": 2}))
                .await?;
        }
        figures.loaded_rss_mib = rss_mib(self.pid);

        let delivered = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&delivered);
        let started = Instant::now();
        self.client
            .call_tool("long_task", json!({"steps": PROGRESS_STEPS, "delay_ms": 0}))
            .progress(move |_, _, _| {
                counter.fetch_add(1, Ordering::Relaxed);
                std::future::ready(())
            })
            .timeout(Duration::from_secs(120))
            .await?;
        let elapsed = started.elapsed();
        let received = delivered.load(Ordering::Relaxed);
        figures.progress_per_s = received as f64 / elapsed.as_secs_f64();
        println!(
            "{name}: {received} of {PROGRESS_STEPS} progress notifications in {elapsed:.2?}: {:.0}/s",
            figures.progress_per_s
        );
        println!(
            "{name}: RSS idle {:.1} MiB, after {MEMORY_CALLS} more calls {:.1} MiB",
            figures.idle_rss_mib, figures.loaded_rss_mib
        );
        Ok(())
    }
}

/// Sequential round trips, the servers taking turns in short windows so that a change in
/// machine load during the run falls on both alike.
async fn round_trips(running: &[Running], figures: &mut [Figures; 2]) -> anyhow::Result<()> {
    let window = ROUND_TRIP_BUDGET / ROUND_TRIP_WINDOWS;
    let mut totals = [(0u64, 0f64, 0f64); 2];
    for _ in 0..ROUND_TRIP_WINDOWS {
        for (running, total) in running.iter().zip(&mut totals) {
            let (calls, seconds, cpu) = running
                .window(window, ROUND_TRIP_MAX / u64::from(ROUND_TRIP_WINDOWS))
                .await?;
            total.0 += calls;
            total.1 += seconds;
            total.2 += cpu;
        }
    }
    for ((running, (calls, seconds, cpu)), figures) in running.iter().zip(totals).zip(figures) {
        figures.round_trips_per_s = calls as f64 / seconds;
        figures.server_cpu_us = cpu / calls as f64 * 1e6;
        println!(
            "{}: {calls} sequential tools/call in {seconds:.2}s: {:.0}/s, server CPU {:.1} us/call",
            running.server.flag(),
            figures.round_trips_per_s,
            figures.server_cpu_us
        );
    }
    Ok(())
}

#[path = "common/proc.rs"]
mod proc;
use proc::{clock_ticks_per_second, cpu_ticks, rss_mib};

/// The baseline: the same two tools on rmcp alone.
#[allow(dead_code)]
#[path = "common/plain_rmcp.rs"]
mod plain_rmcp;
