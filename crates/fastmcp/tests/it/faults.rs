//! A real server process that dies or is told to stop while calls are running, over HTTP on
//! 127.0.0.1: callers get a clear error at once, or their result, never a hang.

use crate::common;

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::example;
use fastmcp::client::Era;
use fastmcp::{Client, Error};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Bounds a step that must finish, so a bug shows up as a failure, not a hang.
async fn within<F: std::future::IntoFuture>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish"))
}

/// Starts the quickstart example on an OS-chosen port; returns it and its address, read
/// from its log line.
async fn quickstart_http() -> (Child, SocketAddr) {
    let mut child = Command::new(example("quickstart"))
        .args(["--http", "127.0.0.1:0"])
        .env("FASTMCP_LOG_LEVEL", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = within("the server's start", async {
        loop {
            let line = lines.next_line().await.unwrap().expect("the server exited");
            if line.contains("serving MCP over HTTP")
                && let Some(rest) = line.split("Some(").nth(1)
            {
                return rest.split(')').next().unwrap().parse().unwrap();
            }
        }
    })
    .await;
    // Keep draining its log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

fn signal(child: &Child, name: &str) {
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args([name, &pid])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn a_server_killed_mid_stream_fails_the_call_at_once() {
    for era in [Era::Legacy, Era::Stateless] {
        let (mut child, addr) = quickstart_http().await;
        let client = Client::builder()
            .era(era)
            .connect(format!("http://{addr}/mcp"))
            .await
            .unwrap();
        let (started, mut first_progress) = tokio::sync::mpsc::channel(1);
        let call = client
            .call_tool("long_task", json!({"steps": 600, "delay_ms": 100}))
            .progress(move |_, _, _| {
                let started = started.clone();
                async move {
                    let _ = started.try_send(());
                }
            });
        let call = tokio::spawn(call.into_future());
        within("the first progress", first_progress.recv()).await;
        signal(&child, "-KILL");
        let killed = Instant::now();
        let outcome = within("the failed call", call).await.unwrap();
        let took = killed.elapsed();
        println!("{era:?}: the call failed {took:?} after kill -9: {outcome:?}");
        assert!(
            matches!(
                outcome,
                Err(Error::ConnectionClosed { .. } | Error::Connect { .. })
            ),
            "{era:?}: {outcome:?}"
        );
        let _ = child.wait().await;
    }
}

#[tokio::test]
async fn sigterm_under_load_finishes_every_running_call_and_refuses_new_ones() {
    const CLIENTS: usize = 20;
    const CALLS_PER_CLIENT: usize = 10;
    let (mut child, addr) = quickstart_http().await;
    let url = format!("http://{addr}/mcp");
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let client = Client::builder().era(Era::Legacy).connect(url.clone());
        clients.push(client.await.unwrap());
    }
    let running = Arc::new(AtomicUsize::new(0));
    let all_running = Arc::new(tokio::sync::Notify::new());
    let mut calls = Vec::new();
    for client in &clients {
        for _ in 0..CALLS_PER_CLIENT {
            let (running, all_running) = (Arc::clone(&running), Arc::clone(&all_running));
            let first = std::sync::atomic::AtomicBool::new(true);
            let call = client
                .call_tool("long_task", json!({"steps": 20, "delay_ms": 100}))
                .progress(move |_, _, _| {
                    if first.swap(false, Ordering::SeqCst)
                        && running.fetch_add(1, Ordering::SeqCst) + 1 == CLIENTS * CALLS_PER_CLIENT
                    {
                        all_running.notify_one();
                    }
                    std::future::ready(())
                });
            calls.push(tokio::spawn(call.into_future()));
        }
    }
    within("every call under way", all_running.notified()).await;
    signal(&child, "-TERM");
    // A new session is refused while the running calls drain.
    let refused = Client::builder()
        .era(Era::Legacy)
        .connect(url.clone())
        .await;
    match refused {
        Err(error) => assert!(error.to_string().contains("503"), "{error}"),
        Ok(_) => panic!("a new session was accepted during shutdown"),
    }
    for call in calls {
        let result = within("a running call", call).await.unwrap().unwrap();
        assert_eq!(result.text(), "done after 20 steps");
    }
    let status = within("the server's exit", child.wait()).await.unwrap();
    assert!(status.success(), "{status}");
}
