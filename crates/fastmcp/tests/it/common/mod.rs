//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod surface_server;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use fastmcp::FastMCP;
use fastmcp::client::ProgressEvent;
use fastmcp::transports::LineTransport;
use serde_json::{Value, json};
use tokio::io::{
    AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};

/// The path of an example binary (`cargo test` builds examples next to the test binaries).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace` so examples are built",
        path.display()
    );
    path
}

/// A progress handler that records what it receives.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<ProgressEvent>>>);

impl Recorder {
    pub fn handler(
        &self,
    ) -> impl Fn(f64, Option<f64>, Option<String>) -> std::future::Ready<()> + Send + Sync + 'static
    {
        let events = Arc::clone(&self.0);
        move |progress, total, message| {
            events.lock().unwrap().push(ProgressEvent {
                progress,
                total,
                message,
            });
            std::future::ready(())
        }
    }

    pub fn events(&self) -> Vec<ProgressEvent> {
        self.0.lock().unwrap().clone()
    }

    pub fn values(&self) -> Vec<f64> {
        self.events().iter().map(|e| e.progress).collect()
    }
}

/// A raw client speaking JSON lines to a server over an in-process pipe.
pub struct RawClient {
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
    write: WriteHalf<DuplexStream>,
}

impl RawClient {
    /// A raw client that has not said anything yet (for the stateless protocol, where every
    /// request carries its own `_meta`).
    pub fn stateless(server: FastMCP) -> Self {
        let (server_end, client_end) = tokio::io::duplex(64 * 1024);
        let (read, write) = tokio::io::split(server_end);
        tokio::spawn(async move { server.serve(LineTransport::new(read, write)).await });
        let (read, write) = tokio::io::split(client_end);
        Self {
            lines: BufReader::new(read).lines(),
            write,
        }
    }

    /// A raw client on a legacy session (after `initialize`).
    pub async fn connect(server: FastMCP) -> Self {
        let mut raw = Self::stateless(server);
        raw.send(json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}))
            .await;
        let (_, init) = raw.until_response(0).await;
        assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
        raw.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        raw
    }

    pub async fn send(&mut self, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.write.write_all(line.as_bytes()).await.unwrap();
    }

    pub async fn recv(&mut self) -> Value {
        let line = self
            .lines
            .next_line()
            .await
            .unwrap()
            .expect("server closed the pipe");
        serde_json::from_str(&line).unwrap()
    }

    /// Reads messages up to the response with this id: (notifications before it, response).
    pub async fn until_response(&mut self, id: i64) -> (Vec<Value>, Value) {
        let mut notifications = Vec::new();
        loop {
            let message = self.recv().await;
            if message["id"] == id {
                return (notifications, message);
            }
            notifications.push(message);
        }
    }
}

/// The MCP URL an example server started with `--http 127.0.0.1:0` serves, read from its
/// "serving MCP over HTTP" log line on stderr (the OS chose the port). Logs after it are
/// drained in the background so the server never blocks on a full pipe.
pub async fn announced_url(child: &mut tokio::process::Child) -> String {
    let stderr = child.stderr.take().expect("stderr piped");
    let mut lines = BufReader::new(stderr).lines();
    let find = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("serving MCP over HTTP")
                && let Some(at) = line.find("127.0.0.1:")
            {
                let rest = &line[at + "127.0.0.1:".len()..];
                let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                return Some(format!("http://127.0.0.1:{port}/mcp"));
            }
        }
        None
    };
    let url = tokio::time::timeout(std::time::Duration::from_secs(60), find)
        .await
        .ok()
        .flatten()
        .expect("the server announced its address");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    url
}

/// `mem://items/{id}`: reads `item {id}`; completes `id` from apple, apricot, banana.
pub fn items_template() -> fastmcp::resources::ResourceTemplate {
    fastmcp::resources::ResourceTemplate::builder("mem://items/{id}")
        .name("item")
        .complete(
            "id",
            |request: fastmcp::completion::CompletionRequest| async move {
                ["apple", "apricot", "banana"]
                    .iter()
                    .filter(|id| id.starts_with(&request.value))
                    .map(|id| (*id).to_owned())
                    .collect::<Vec<_>>()
            },
        )
        .handler(|request, _ctx| async move {
            let id = request.params["id"].as_str().unwrap_or_default().to_owned();
            Ok::<_, String>(format!("item {id}"))
        })
}
