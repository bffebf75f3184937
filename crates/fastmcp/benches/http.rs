//! HTTP benchmark: `tools/call` requests per second over Streamable HTTP on 127.0.0.1.
//!
//! `cargo bench -p fastmcp --bench http` starts every server at once as a child process of this
//! binary (pinned to CPU 0 with `taskset` when the machine has two or more cores; the load runs
//! on CPU 1) and drives them with keep-alive HTTP/1.1 connections, one request at a time each,
//! at concurrency 1 and 50. Servers:
//!
//! - `echo`: a bare hyper + serde_json server that parses the JSON-RPC body and answers it: the
//!   ceiling for any MCP server on this stack;
//! - `rmcp` / `fastmcp` stateless (JSON responses) and stateful (a session per connection,
//!   answers on SSE streams; `fastmcp-stateful` stores every event for `Last-Event-ID`
//!   resumption, its default; `fastmcp-stateful-nostore` does not, like plain rmcp);
//! - opt-in (named in `FASTMCP_BENCH_SERVERS`, built with `--features redis`):
//!   `fastmcp-stateful-redis`, the stateful server with its events in a `redis-server` this
//!   binary starts on a Unix socket (pinned with the servers; its CPU is not in the server's);
//!   `fastmcp-stateful-shared`, the same with everything a replica shares there
//!   (`HttpOptions::shared_through`: events, sessions and what each keeps, the relay);
//!   `fastmcp-stateful-sessions`, that with its events back in memory (what the session
//!   store and record cost alone);
//!   `fastmcp-stateless-x2`, two `fastmcp-stateless` replicas behind `haproxy` (round robin,
//!   every request balanced on its own, no affinity; `scripts/debian-packages.sh haproxy`),
//!   its CPU the sum of the replicas' and haproxy's. On a 2-core machine the replicas share
//!   the servers' core, so this shows the cost of the balancer hop, not scale-out.
//!
//! Scenarios: 2026-07-28 requests and legacy requests without a session (echo and the
//! stateless servers), legacy sessions (the stateful servers). On a shared machine a single
//! long run per server measures the machine as much as the server, so each scenario and
//! concurrency runs `FASTMCP_BENCH_ROUNDS` rounds (default 5) of one window per server
//! (`FASTMCP_BENCH_WINDOW` seconds, default 2), the order rotated each round. It prints each
//! server's median calls/s with the spread of its windows, server CPU µs per call (from
//! `/proc`), p50 and p99 latency; then each ratio computed window against neighbouring window,
//! as a median and range. `FASTMCP_BENCH_SERVERS=echo,fastmcp-stateless` runs a subset.
//! `scripts/http-bench-wrk.py` cross-checks with `wrk`. Numbers, not assertions: see
//! BENCHMARKS.md.

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "common/plain_rmcp.rs"]
mod plain_rmcp;

#[path = "common/proc.rs"]
mod proc;

use std::collections::HashMap;
use std::convert::Infallible;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, Response};
use proc::{clock_ticks_per_second, cpu_ticks, rss_mib};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

const SERVERS: [&str; 10] = [
    "echo",
    "rmcp-stateless",
    "fastmcp-stateless",
    "fastmcp-stateless-x2",
    "rmcp-stateful",
    "fastmcp-stateful",
    "fastmcp-stateful-nostore",
    "fastmcp-stateful-redis",
    "fastmcp-stateful-sessions",
    "fastmcp-stateful-shared",
];
/// Servers run only when `FASTMCP_BENCH_SERVERS` names them.
const OPT_IN: [&str; 4] = [
    "fastmcp-stateful-redis",
    "fastmcp-stateful-sessions",
    "fastmcp-stateful-shared",
    "fastmcp-stateless-x2",
];
const CONCURRENCY: [usize; 2] = [1, 50];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(kind) = args
        .iter()
        .position(|a| a == "--serve")
        .and_then(|i| args.get(i + 1))
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(serve(kind));
    }
    // Count the cores before pinning: pinning narrows what this process sees.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pinned = cores >= 2 && pin_load_generator();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(pinned))
}

/// Child mode: bind 127.0.0.1:0, print the port, serve until killed.
async fn serve(kind: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    match kind {
        "echo" => echo(listener).await,
        "rmcp-stateless" => plain_rmcp::serve_http(listener, true).await,
        "rmcp-stateful" => plain_rmcp::serve_http(listener, false).await,
        "fastmcp-stateless" | "fastmcp-stateful" | "fastmcp-stateful-nostore" => {
            let mut options = fastmcp::server::HttpOptions::default()
                .stateless(kind == "fastmcp-stateless")
                .json_response(kind == "fastmcp-stateless");
            if kind == "fastmcp-stateful-nostore" {
                options = options.without_event_store();
            }
            let never = tokio_util::sync::CancellationToken::new();
            quickstart::server()
                .serve_http(listener, options, never)
                .await?;
            Ok(())
        }
        "fastmcp-stateful-redis" | "fastmcp-stateful-sessions" | "fastmcp-stateful-shared" => {
            serve_on_redis(listener, kind).await
        }
        other => bail!("unknown server {other}"),
    }
}

/// The stateful quickstart with state in Redis (`FASTMCP_BENCH_REDIS_URL`): `-redis`, its
/// events; `-shared`, everything replicas share (`shared_through`: events, sessions and what
/// they keep, the relay), as a replica runs; `-sessions`, the same with its events back in
/// memory (not a working replica: it isolates what the session store and record cost).
#[cfg(feature = "redis")]
async fn serve_on_redis(listener: TcpListener, kind: &str) -> anyhow::Result<()> {
    let url = std::env::var("FASTMCP_BENCH_REDIS_URL").context("FASTMCP_BENCH_REDIS_URL")?;
    let redis = fastmcp::stores::Redis::connect(&url).await?;
    let options = fastmcp::server::HttpOptions::default();
    let options = match kind {
        "fastmcp-stateful-redis" => options.event_store(redis.event_store()),
        "fastmcp-stateful-sessions" => options
            .shared_through(&redis)
            .await?
            .event_store(fastmcp::server::MemoryEventStore::default()),
        _ => options.shared_through(&redis).await?,
    };
    let never = tokio_util::sync::CancellationToken::new();
    quickstart::server()
        .serve_http(listener, options, never)
        .await?;
    Ok(())
}

#[cfg(not(feature = "redis"))]
async fn serve_on_redis(_: TcpListener, _: &str) -> anyhow::Result<()> {
    bail!("the Redis-backed servers need `cargo bench --features redis`")
}

/// A `redis-server` on a Unix socket in a temporary directory, for the Redis-backed server.
struct RedisChild {
    _child: Child,
    dir: std::path::PathBuf,
}

impl RedisChild {
    async fn start(pinned: bool) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("fastmcp-bench-redis-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut child = server_command("redis-server", pinned)
            .args([
                "--port",
                "0",
                "--save",
                "",
                "--appendonly",
                "no",
                "--unixsocket",
            ])
            .arg(dir.join("redis.sock"))
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting redis-server (scripts/debian-packages.sh redis-server)")?;
        let mut lines = BufReader::new(child.stdout.take().context("redis stdout")?).lines();
        let ready = async {
            while let Some(line) = lines.next_line().await? {
                if line.to_lowercase().contains("ready to accept connections") {
                    return Ok(());
                }
            }
            bail!("redis-server exited before it was ready")
        };
        tokio::time::timeout(Duration::from_secs(30), ready)
            .await
            .context("redis-server did not start within 30 s")??;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { _child: child, dir })
    }

    fn url(&self) -> String {
        format!("redis+unix://{}", self.dir.join("redis.sock").display())
    }
}

impl Drop for RedisChild {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The ceiling: parse the JSON-RPC request, add, answer. No MCP machinery at all.
async fn echo(listener: TcpListener) -> anyhow::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let service = hyper::service::service_fn(echo_one);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

async fn echo_one(
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let call: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let arguments = &call["params"]["arguments"];
    let sum = arguments["a"].as_i64().unwrap_or(0) + arguments["b"].as_i64().unwrap_or(0);
    let answer = json!({"jsonrpc": "2.0", "id": call["id"], "result": {
        "content": [{"type": "text", "text": sum.to_string()}],
        "structuredContent": {"result": sum}, "isError": false}});
    let bytes = serde_json::to_vec(&answer).unwrap_or_default();
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(bytes)))
        .unwrap_or_default())
}

/// What the load sends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Load {
    /// 2026-07-28 requests (`_meta`, `Mcp-Method`, `Mcp-Name`), no session.
    Stateless2026,
    /// Legacy (2025-11-25) `tools/call` without a session, to a stateless server.
    LegacyStateless,
    /// A legacy session per connection (`initialize` first), answers on SSE streams.
    Session,
}

/// A scenario: a load and the servers it is run against, each in its own window.
struct Scenario {
    name: &'static str,
    load: Load,
    servers: &'static [&'static str],
    /// The ratios printed: (ours, theirs).
    ratios: &'static [(&'static str, &'static str)],
}

const SCENARIOS: [Scenario; 3] = [
    Scenario {
        name: "2026-07-28 stateless (JSON)",
        load: Load::Stateless2026,
        servers: &[
            "echo",
            "rmcp-stateless",
            "fastmcp-stateless",
            "fastmcp-stateless-x2",
        ],
        ratios: &[
            ("fastmcp-stateless", "rmcp-stateless"),
            ("fastmcp-stateless", "echo"),
            ("fastmcp-stateless-x2", "fastmcp-stateless"),
        ],
    },
    Scenario {
        name: "legacy stateless (JSON)",
        load: Load::LegacyStateless,
        servers: &["echo", "rmcp-stateless", "fastmcp-stateless"],
        ratios: &[
            ("fastmcp-stateless", "rmcp-stateless"),
            ("fastmcp-stateless", "echo"),
        ],
    },
    Scenario {
        name: "legacy sessions (SSE)",
        load: Load::Session,
        servers: &[
            "rmcp-stateful",
            "fastmcp-stateful",
            "fastmcp-stateful-nostore",
            "fastmcp-stateful-redis",
            "fastmcp-stateful-sessions",
            "fastmcp-stateful-shared",
        ],
        ratios: &[
            ("fastmcp-stateful", "rmcp-stateful"),
            ("fastmcp-stateful-nostore", "rmcp-stateful"),
            ("fastmcp-stateful-redis", "fastmcp-stateful"),
            ("fastmcp-stateful-sessions", "fastmcp-stateful"),
            ("fastmcp-stateful-shared", "fastmcp-stateful"),
        ],
    },
];

/// One measured window.
#[derive(Clone, Copy, Default)]
struct Window {
    calls_per_s: f64,
    cpu_us_per_call: f64,
    p50_us: f64,
    p99_us: f64,
    errors: u64,
}

/// A started server (its processes: one, or replicas and their balancer).
struct Server {
    name: &'static str,
    // Held so the server lives as long as this; killed when dropped.
    _children: Vec<Child>,
    port: u16,
    pids: Vec<u32>,
}

impl Server {
    fn cpu_ticks(&self) -> u64 {
        self.pids.iter().map(|pid| cpu_ticks(*pid)).sum()
    }

    fn rss_mib(&self) -> f64 {
        self.pids.iter().map(|pid| rss_mib(*pid)).sum()
    }
}

fn env_number(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

async fn run(pinned: bool) -> anyhow::Result<()> {
    let window = Duration::from_secs_f64(env_number("FASTMCP_BENCH_WINDOW", 2.0).clamp(0.5, 30.0));
    let rounds = env_number("FASTMCP_BENCH_ROUNDS", 5.0).clamp(1.0, 50.0) as usize;
    // FASTMCP_BENCH_SERVERS=echo,fastmcp-stateless runs only those.
    let only = std::env::var("FASTMCP_BENCH_SERVERS").ok();
    let chosen = |server: &str| match only.as_deref() {
        Some(list) => list.split(',').any(|s| s.trim() == server),
        None => !OPT_IN.contains(&server),
    };
    println!(
        "HTTP tools/call benchmark: all servers started at once; per scenario and concurrency, \
         {rounds} rounds of one {:.1} s window per server (order rotated each round); keep-alive \
         HTTP/1.1; servers {}",
        window.as_secs_f64(),
        if pinned {
            "pinned to CPU 0, load on CPU 1"
        } else {
            "unpinned"
        }
    );
    let on_redis = [
        "fastmcp-stateful-redis",
        "fastmcp-stateful-sessions",
        "fastmcp-stateful-shared",
    ];
    let redis = match on_redis.into_iter().any(chosen) {
        true => Some(RedisChild::start(pinned).await?),
        false => None,
    };
    let redis_url = redis.as_ref().map(RedisChild::url);
    let mut servers = Vec::new();
    for name in SERVERS.into_iter().filter(|s| chosen(s)) {
        let (children, port) = match name {
            "fastmcp-stateless-x2" => spawn_replicas(pinned).await?,
            _ => {
                let (child, port) = spawn(name, pinned, redis_url.as_deref()).await?;
                (vec![child], port)
            }
        };
        let pids = children
            .iter()
            .map(|child| child.id().context("child pid"))
            .collect::<anyhow::Result<_>>()?;
        servers.push(Server {
            name,
            _children: children,
            port,
            pids,
        });
    }
    for server in &servers {
        println!(
            "  {:>24}: RSS idle {:.1} MiB",
            server.name,
            server.rss_mib()
        );
    }
    for scenario in &SCENARIOS {
        let present: Vec<&Server> = scenario
            .servers
            .iter()
            .filter_map(|name| servers.iter().find(|s| s.name == *name))
            .collect();
        if present.is_empty() {
            continue;
        }
        for concurrency in CONCURRENCY {
            println!();
            println!("== {} at c={concurrency}", scenario.name);
            let mut windows: HashMap<&str, Vec<Window>> = HashMap::new();
            for round in 0..rounds {
                for i in 0..present.len() {
                    let server = present[(i + round) % present.len()];
                    let measured = measure(server, scenario.load, concurrency, window).await?;
                    windows.entry(server.name).or_default().push(measured);
                }
            }
            report(scenario, &present, &windows);
        }
    }
    println!();
    for server in &servers {
        println!(
            "  {:>24}: RSS after the load {:.1} MiB",
            server.name,
            server.rss_mib()
        );
    }
    // Each server is killed as its `Child` drops.
    drop(servers);
    drop(redis);
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Medians of each server's windows with their spread, then the ratios of each round's
/// neighbouring windows (median and range).
fn report(scenario: &Scenario, servers: &[&Server], windows: &HashMap<&str, Vec<Window>>) {
    for server in servers {
        let Some(own) = windows.get(server.name) else {
            continue;
        };
        let pick = |f: fn(&Window) -> f64| own.iter().map(f).collect::<Vec<_>>();
        let mut rates = pick(|w| w.calls_per_s);
        let (low, high) = rates
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
        let errors: u64 = own.iter().map(|w| w.errors).sum();
        println!(
            "  {:>24} {:>9.0} calls/s (windows {:.0}–{:.0})  {:>6.1} µs CPU/call  p50 {:>6.1} µs  p99 {:>7.1} µs{}",
            server.name,
            median(&mut rates),
            low,
            high,
            median(&mut pick(|w| w.cpu_us_per_call)),
            median(&mut pick(|w| w.p50_us)),
            median(&mut pick(|w| w.p99_us)),
            if errors > 0 {
                format!("  ({errors} errors)")
            } else {
                String::new()
            }
        );
    }
    for (ours, theirs) in scenario.ratios {
        let (Some(a), Some(b)) = (windows.get(ours), windows.get(theirs)) else {
            continue;
        };
        let ratio = |f: fn(&Window) -> f64| -> Vec<f64> {
            a.iter().zip(b).map(|(x, y)| f(x) / f(y)).collect()
        };
        let spread = |mut values: Vec<f64>| {
            let m = median(&mut values);
            format!("{m:.2}× ({:.2}–{:.2})", values[0], values[values.len() - 1])
        };
        println!(
            "  {ours} / {theirs}: calls/s {}   CPU/call {}   p50 {}",
            spread(ratio(|w| w.calls_per_s)),
            spread(ratio(|w| w.cpu_us_per_call)),
            spread(ratio(|w| w.p50_us)),
        );
    }
}

/// A command running `program`, on the servers' CPU 0 when `pinned`.
fn server_command(program: impl AsRef<std::ffi::OsStr>, pinned: bool) -> Command {
    if !pinned {
        return Command::new(program);
    }
    let mut command = Command::new("taskset");
    command.args(["-c", "0"]).arg(program);
    command
}

/// Moves this process to CPU 1 (before the runtime's threads exist, so they inherit it).
fn pin_load_generator() -> bool {
    std::process::Command::new("taskset")
        .args(["-a", "-p", "-c", "1", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Starts `server` as a child of this binary; returns it and its port.
async fn spawn(server: &str, pinned: bool, redis: Option<&str>) -> anyhow::Result<(Child, u16)> {
    let mut command = server_command(std::env::current_exe()?, pinned);
    if let Some(url) = redis {
        command.env("FASTMCP_BENCH_REDIS_URL", url);
    }
    let mut child = command
        .args(["--serve", server])
        .env("FASTMCP_LOG_LEVEL", "error")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("child stdout")?;
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .context("the server did not start within 30 s")??;
    let port = line.trim().parse().context("the server printed no port")?;
    Ok((child, port))
}

/// Two `fastmcp-stateless` replicas and `haproxy` in front (round robin, keep-alive on both
/// sides, each request balanced on its own); the processes and the balancer's port.
async fn spawn_replicas(pinned: bool) -> anyhow::Result<(Vec<Child>, u16)> {
    let mut children = Vec::new();
    let mut backends = String::new();
    for n in 1..=2 {
        let (child, port) = spawn("fastmcp-stateless", pinned, None).await?;
        children.push(child);
        backends.push_str(&format!("    server r{n} 127.0.0.1:{port}\n"));
    }
    let front = TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
    let config =
        std::env::temp_dir().join(format!("fastmcp-bench-haproxy-{}.cfg", std::process::id()));
    std::fs::write(
        &config,
        format!(
            "global\n    nbthread 1\n    maxconn 4000\ndefaults\n    mode http\n    timeout connect 5s\n    \
             timeout client 60s\n    timeout server 60s\n    http-reuse always\nfrontend mcp\n    \
             bind 127.0.0.1:{front}\n    default_backend replicas\nbackend replicas\n    \
             balance roundrobin\n{backends}"
        ),
    )?;
    let haproxy = server_command("haproxy", pinned)
        .arg("-f")
        .arg(&config)
        .arg("-db")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting haproxy (scripts/debian-packages.sh haproxy)")?;
    children.push(haproxy);
    let listening = async {
        while TcpStream::connect(("127.0.0.1", front)).await.is_err() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), listening)
        .await
        .context("haproxy did not listen within 30 s")?;
    let _ = std::fs::remove_file(&config);
    Ok((children, front))
}

/// One window: `concurrency` connections (sessions opened and warmed before the clock starts)
/// calling as fast as answers come back, for `duration`.
async fn measure(
    server: &Server,
    load: Load,
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<Window> {
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        workers.push(Worker::open(server.port, load).await?);
    }
    for worker in &mut workers {
        worker.call().await?;
    }
    let cpu_before = server.cpu_ticks();
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match worker.call().await {
                        Ok(()) => latencies.push(sent.elapsed()),
                        Err(_) => errors += 1,
                    }
                }
                (worker, latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut workers = Vec::new();
    let mut window = Window::default();
    for task in tasks {
        let (worker, mut own, errors) = task.await?;
        latencies.append(&mut own);
        window.errors += errors;
        workers.push(worker);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = (server.cpu_ticks() - cpu_before) as f64 / clock_ticks_per_second();
    let calls = latencies.len() as f64;
    window.calls_per_s = calls / elapsed;
    window.cpu_us_per_call = cpu / calls * 1e6;
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e6)
    };
    window.p50_us = at(0.5);
    window.p99_us = at(0.99);
    for worker in workers {
        worker.close().await;
    }
    Ok(window)
}

/// One keep-alive connection making calls one at a time.
struct Worker {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    session: Option<String>,
    load: Load,
    next_id: u64,
}

impl Worker {
    async fn open(port: u16, load: Load) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let mut worker = Worker {
            sender,
            session: None,
            load,
            next_id: 1,
        };
        if load == Load::Session {
            let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "bench", "version": "0"}}});
            let (headers, _) = worker.post(&init, "initialize").await?;
            worker.session = headers
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
            worker
                .post(&initialized, "notifications/initialized")
                .await?;
        }
        Ok(worker)
    }

    async fn call(&mut self) -> anyhow::Result<()> {
        self.next_id += 1;
        let mut params = json!({"name": "add", "arguments": {"a": 2, "b": 3}});
        if self.load == Load::Stateless2026 {
            params["_meta"] = json!({
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "0"}});
        }
        let call =
            json!({"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call", "params": params});
        let (_, body) = self.post(&call, "tools/call").await?;
        // Every server answers 5 as text; anything else is an error.
        if !body.windows(10).any(|w| w == br#""text":"5""#) {
            bail!("unexpected answer: {}", String::from_utf8_lossy(&body));
        }
        Ok(())
    }

    async fn post(
        &mut self,
        body: &Value,
        method: &str,
    ) -> anyhow::Result<(hyper::HeaderMap, Bytes)> {
        let mut request = Request::post("/mcp")
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        if self.load != Load::Stateless2026 {
            request = request.header("mcp-protocol-version", "2025-11-25");
            if let Some(session) = &self.session {
                request = request.header("mcp-session-id", session);
            }
        } else {
            request = request
                .header("mcp-protocol-version", "2026-07-28")
                .header("mcp-method", method);
            if method == "tools/call" {
                request = request.header("mcp-name", "add");
            }
        }
        let request = request.body(Full::new(Bytes::from(serde_json::to_vec(body)?)))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            bail!(
                "{method}: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        Ok((headers, bytes))
    }

    /// Ends the session (stateful) so the server can free it.
    async fn close(mut self) {
        let Some(session) = self.session.take() else {
            return;
        };
        let request = Request::delete("/mcp")
            .header("host", "127.0.0.1")
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-11-25")
            .body(Full::new(Bytes::new()));
        if let Ok(request) = request
            && self.sender.ready().await.is_ok()
            && let Ok(response) = self.sender.send_request(request).await
        {
            let _ = response.into_body().collect().await;
        }
    }
}
