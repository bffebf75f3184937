//! Soak: memory over many sessions and many calls, against real server processes.
//! `scripts/soak.sh` builds the servers in release and runs this; the figures it prints are
//! recorded in `docs/RELIABILITY.md`. Every phase is bounded in count.
//!
//! - `sessions SERVER [SESSIONS] [ROUNDS] [PAUSE_S]`: starts `SERVER --http 127.0.0.1:0`,
//!   then, round after round, opens SESSIONS legacy sessions at once (initialize + initialized,
//!   over raw HTTP), reads the server's resident memory, deletes them all, reads it again, and
//!   waits PAUSE_S seconds (past the 60 s the server keeps finished streams, memory held for
//!   them is free again). Prints the bytes each open session costs and whether memory grows
//!   round over round (a leak).
//! - `stdio SERVER [CALLS]`: starts SERVER over stdio and makes CALLS sequential `add` calls on
//!   one connection, reading its resident memory every tenth of the way.

#[allow(dead_code)]
#[path = "common/proc.rs"]
mod proc;

use std::process::Stdio;
use std::time::{Duration, Instant};

use fastmcp::Client;
use fastmcp::client::StdioServer;
use futures::StreamExt as _;
use proc::rss_mib;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const CONCURRENCY: usize = 64;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let number = |i: usize, default: usize| -> usize {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    match args.first().map(String::as_str) {
        Some("sessions") => {
            let server = args
                .get(1)
                .ok_or_else(|| anyhow::anyhow!("sessions SERVER"))?;
            let pause = Duration::from_secs(number(4, 0) as u64);
            sessions(server, number(2, 1000), number(3, 5), pause).await
        }
        Some("stdio") => {
            let server = args.get(1).ok_or_else(|| anyhow::anyhow!("stdio SERVER"))?;
            stdio(server, number(2, 100_000)).await
        }
        _ => {
            println!("usage: soak sessions SERVER [SESSIONS] [ROUNDS] | soak stdio SERVER [CALLS]");
            Ok(())
        }
    }
}

async fn sessions(
    server: &str,
    count: usize,
    rounds: usize,
    pause: Duration,
) -> anyhow::Result<()> {
    let mut child = Command::new(server)
        .args(["--http", "127.0.0.1:0"])
        .env("FASTMCP_LOG_LEVEL", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().ok_or_else(|| anyhow::anyhow!("no pid"))?;
    let mut lines = BufReader::new(
        child
            .stderr
            .take()
            .ok_or_else(|| anyhow::anyhow!("stderr"))?,
    )
    .lines();
    let addr = loop {
        let line = lines
            .next_line()
            .await?
            .ok_or_else(|| anyhow::anyhow!("server exited"))?;
        if line.contains("serving MCP over HTTP")
            && let Some(rest) = line.split("Some(").nth(1)
        {
            break rest.split(')').next().unwrap_or_default().to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let url = format!("http://{addr}/mcp");
    let http = reqwest::Client::new();
    let start = rss_mib(pid);
    println!(
        "{server}: {count} sessions per round, {rounds} rounds, {pause:?} apart; start {start:.1} MiB"
    );
    println!("round  open (MiB)  per session  after delete (MiB)  open for");
    for round in 1..=rounds {
        let before = rss_mib(pid);
        let began = Instant::now();
        let ids: Vec<String> = futures::stream::iter(0..count)
            .map(|_| open_session(&http, &url))
            .buffer_unordered(CONCURRENCY)
            .filter_map(|id| async move { id.ok() })
            .collect()
            .await;
        let opened = began.elapsed();
        let open = rss_mib(pid);
        futures::stream::iter(&ids)
            .map(|id| http.delete(&url).header("mcp-session-id", id).send())
            .buffer_unordered(CONCURRENCY)
            .for_each(|_| async {})
            .await;
        let after = rss_mib(pid);
        let per_session = (open - before) * 1024.0 * 1024.0 / ids.len().max(1) as f64;
        println!(
            "{round:>5}  {open:>10.1}  {:>8.1} KB  {after:>18.1}  {} sessions in {opened:.1?}",
            per_session / 1000.0,
            ids.len()
        );
        tokio::time::sleep(pause).await;
    }
    child.kill().await?;
    Ok(())
}

/// Opens a legacy session over raw HTTP; its id.
async fn open_session(http: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "soak", "version": "0"}}});
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(initialize.to_string())
        .send()
        .await?;
    let id = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| anyhow::anyhow!("no session id ({})", response.status()))?
        .to_owned();
    let _ = response.bytes().await?;
    http.post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", &id)
        .header("mcp-protocol-version", "2025-11-25")
        .body(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string())
        .send()
        .await?;
    Ok(id)
}

async fn stdio(server: &str, calls: usize) -> anyhow::Result<()> {
    let client = Client::connect(StdioServer::new(server)).await?;
    let pid = pid_of(server)?;
    let began = Instant::now();
    println!("{server}: {calls} sequential calls on one stdio connection");
    println!("calls     RSS (MiB)");
    println!("{:>7}  {:>9.1}", 0, rss_mib(pid));
    let step = (calls / 10).max(1);
    for i in 1..=calls {
        let sum: i64 = client
            .call_tool("add", json!({"a": i, "b": 1}))
            .await?
            .data()?;
        anyhow::ensure!(sum == i as i64 + 1, "wrong sum");
        if i % step == 0 {
            println!("{i:>7}  {:>9.1}", rss_mib(pid));
        }
    }
    println!("{calls} calls in {:.1?}", began.elapsed());
    client.close().await?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(())
}

/// The pid of the newest process running `program` (our child: the client does not expose it).
fn pid_of(program: &str) -> anyhow::Result<u32> {
    let output = std::process::Command::new("pgrep")
        .args(["-n", "-f", program])
        .output()?;
    String::from_utf8(output.stdout)?
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{program} is not running"))
}
