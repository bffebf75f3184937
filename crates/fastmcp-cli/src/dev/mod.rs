//! `fastmcp dev TARGET`: a web inspector for any MCP server, served from this binary on
//! 127.0.0.1. The page (embedded: `page.html`, `page.js`, `page.css`) talks to the JSON API
//! below; calls' progress, logs, list changes and the server's questions (elicitation,
//! sampling) reach it over one server-sent-events stream. Every request needs the session's
//! random token (in the URL the CLI prints, then a cookie), a loopback `Host` and no foreign
//! `Origin`.

// Sampling is deprecated (SEP-2577), but servers still ask for it: the page answers.
#![allow(deprecated)]

mod api;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fastmcp::client::{ElicitationResponse, LogMessage};
use fastmcp::types::{CreateMessageRequestParams, CreateMessageResult, ServerNotification};
use fastmcp::{Client, ClientBuilder};
use serde_json::{Value, json};
use tokio::sync::{RwLock, broadcast, oneshot};

use crate::Failure;
use crate::connect::Connect;

const PAGE_HTML: &str = include_str!("page.html");
const PAGE_JS: &str = include_str!("page.js");
const PAGE_CSS: &str = include_str!("page.css");
const COOKIE: &str = "fastmcp_dev_token";

/// `fastmcp dev`'s options.
pub struct DevOptions {
    pub host: String,
    pub port: u16,
    pub open: bool,
}

/// What the page's requests share.
pub(crate) struct Dev {
    token: String,
    /// `host:port` as the browser may name it (`Host`, and `Origin` without the scheme):
    /// the address served, and `localhost:port` for 127.0.0.1.
    authorities: Vec<String>,
    target: String,
    connect: Connect,
    client: RwLock<Option<Client>>,
    /// Events for the page (JSON): progress, results, logs, questions, list changes.
    events: broadcast::Sender<String>,
    next_id: AtomicU64,
    calls: std::sync::Mutex<HashMap<u64, tokio::task::AbortHandle>>,
    questions: std::sync::Mutex<HashMap<u64, Answer>>,
    /// The 2026-07-28 `subscriptions/listen` stream of the current connection.
    listener: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
}

/// Where the page's answer to a server's question goes.
enum Answer {
    Elicitation(oneshot::Sender<ElicitationResponse>),
    Sampling(oneshot::Sender<Result<CreateMessageResult, String>>),
}

type Shared = Arc<Dev>;

impl Dev {
    fn send(&self, event: Value) {
        let _ = self.events.send(event.to_string());
    }

    fn next(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    async fn client(&self) -> Result<Client, String> {
        self.client
            .read()
            .await
            .clone()
            .ok_or_else(|| "not connected to the server (restart it)".to_owned())
    }

    /// Connects (again) to the target, the page's handlers in place of the terminal's.
    async fn reconnect(self: &Arc<Self>) -> Result<(), String> {
        if let Some(old) = self.client.write().await.take() {
            let _ = old.close().await;
        }
        let dev = Arc::downgrade(self);
        let client = self
            .connect
            .client_with(&self.target, move |builder| handlers(builder, dev))
            .await
            .map_err(|failure| failure.message)?;
        self.listen(&client);
        *self.client.write().await = Some(client);
        self.send(json!({"type": "connected"}));
        Ok(())
    }

    /// On 2026-07-28, where list changes come only on a `subscriptions/listen` stream, opens
    /// one (a legacy session sends them to the message handler anyway).
    fn listen(self: &Arc<Self>, client: &Client) {
        if let Ok(mut listener) = self.listener.lock()
            && let Some(previous) = listener.take()
        {
            previous.abort();
        }
        if !client.is_stateless() {
            return;
        }
        let (client, dev) = (client.clone(), Arc::downgrade(self));
        let task = tokio::spawn(async move {
            let filter = fastmcp::types::SubscriptionFilter::builder()
                .tools_list_changed()
                .prompts_list_changed()
                .resources_list_changed()
                .build();
            let Ok(mut subscription) = client.listen(filter).await else {
                return;
            };
            while let Ok(Some(notification)) = subscription.next().await {
                let Some(dev) = dev.upgrade() else { return };
                dev.notified(&notification);
            }
        });
        if let Ok(mut listener) = self.listener.lock() {
            *listener = Some(task.abort_handle());
        }
    }

    /// A notification for the page (list changes also as their own event).
    fn notified(&self, notification: &ServerNotification) {
        let value = serde_json::to_value(notification).unwrap_or(Value::Null);
        let method = value["method"].as_str().unwrap_or_default().to_owned();
        if method.ends_with("/list_changed") {
            self.send(json!({"type": "list_changed", "method": method}));
        }
        self.send(json!({"type": "notification", "method": method, "params": value["params"]}));
    }
}

/// The client's handlers: questions and notifications go to the page.
fn handlers(builder: ClientBuilder, dev: std::sync::Weak<Dev>) -> ClientBuilder {
    let (asks, samples, logs, notes) = (dev.clone(), dev.clone(), dev.clone(), dev);
    builder
        .elicitation_handler(move |request| {
            let dev = asks.upgrade();
            async move {
                match dev {
                    Some(dev) => api::ask_elicitation(&dev, request).await,
                    None => ElicitationResponse::Cancel,
                }
            }
        })
        .sampling_handler(move |params: CreateMessageRequestParams| {
            let dev = samples.upgrade();
            async move {
                match dev {
                    Some(dev) => api::ask_sampling(&dev, params).await,
                    None => Err("the inspector has closed".to_owned()),
                }
            }
        })
        .log_handler(move |message: LogMessage| {
            if let Some(dev) = logs.upgrade() {
                dev.send(
                    json!({"type": "log", "level": message.level.as_str(), "logger": message.logger,
                    "data": message.data}),
                );
            }
            async {}
        })
        .message_handler(move |notification: ServerNotification| {
            if let Some(dev) = notes.upgrade() {
                dev.notified(&notification);
            }
            async {}
        })
}

/// Serves the inspector for `target` until Ctrl-C.
pub async fn dev(connect: Connect, target: String, options: DevOptions) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port))
        .await
        .map_err(|error| {
            Failure::connection(format!(
                "cannot listen on {}:{}: {error}",
                options.host, options.port
            ))
        })?;
    let local = listener.local_addr().map_err(Failure::connection)?;
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|error| Failure::connection(format!("no random source for the token: {error}")))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        local.ip().to_string()
    };
    let authority = format!("{host}:{}", local.port());
    let (events, _) = broadcast::channel(1024);
    let dev = Arc::new(Dev {
        token: token.clone(),
        authorities: vec![
            authority.clone(),
            authority.replacen("127.0.0.1", "localhost", 1),
        ],
        target,
        connect,
        client: RwLock::default(),
        events,
        next_id: AtomicU64::new(1),
        calls: std::sync::Mutex::default(),
        questions: std::sync::Mutex::default(),
        listener: std::sync::Mutex::default(),
    });
    dev.reconnect().await.map_err(Failure::connection)?;
    let url = format!("http://{authority}/?token={token}");
    crate::render::out!("{url}");
    eprintln!(
        "fastmcp dev: the inspector of {} is at the URL above (Ctrl-C stops it)",
        dev.target
    );
    if options.open {
        crate::login::open_browser(&url);
    }
    let app = api::routes()
        .route("/", axum::routing::get(page))
        .route(
            "/page.js",
            axum::routing::get(|| asset(PAGE_JS, "text/javascript")),
        )
        .route(
            "/page.css",
            axum::routing::get(|| asset(PAGE_CSS, "text/css")),
        )
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&dev),
            guard,
        ))
        .with_state(Arc::clone(&dev));
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .map_err(Failure::connection)?;
    if let Some(client) = dev.client.write().await.take() {
        let _ = client.close().await;
    }
    Ok(())
}

/// The page; the token moves from the URL into a cookie for the requests that follow.
async fn page(State(dev): State<Shared>) -> Response {
    let cookie = format!("{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/", dev.token);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        PAGE_HTML,
    )
        .into_response()
}

async fn asset(body: &'static str, kind: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// Refuses a request without the token (query, cookie or `x-fastmcp-token`), with a `Host`
/// other than the address served (DNS rebinding), or from another page's `Origin`.
async fn guard(State(dev): State<Shared>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host_ok = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| dev.authorities.iter().any(|allowed| allowed == host));
    let origin_ok = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .is_none_or(|origin| {
            origin
                .strip_prefix("http://")
                .is_some_and(|rest| dev.authorities.iter().any(|allowed| allowed == rest))
        });
    let query_token = request.uri().query().and_then(|query| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .map(str::to_owned)
    });
    let token_ok = [query_token, header_token(headers), cookie_token(headers)]
        .into_iter()
        .flatten()
        .any(|given| given == dev.token);
    if !(host_ok && origin_ok && token_ok) {
        return (
            StatusCode::FORBIDDEN,
            "forbidden: open the URL fastmcp dev printed (it carries the session's token)",
        )
            .into_response();
    }
    next.run(request).await
}

fn header_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-fastmcp-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .find_map(|cookie| {
            cookie
                .trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(str::to_owned)
        })
}
