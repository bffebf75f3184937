//! [`ResponseCaching`]: answers kept for a while and served again.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rmcp::model::{ClientRequest, ServerResult};
use serde_json::Value;

use super::rate_limiting::ClientKey;
use super::{AnyRequest, Hook, Middleware, MiddlewareContext, Next};

/// Whose requests share cached answers.
#[derive(Clone, Default)]
pub enum CachePartition {
    /// Each session its own (the default: answers may depend on who asks). On 2026-07-28 a
    /// session is a connection, and over HTTP every request is its own: use [`Self::Shared`]
    /// or [`Self::By`] (an identity) there.
    #[default]
    Session,
    /// One cache for every client.
    Shared,
    /// One cache per key the function gives (an identity, a tenant); requests it gives no
    /// key for share one.
    By(ClientKey),
}

impl std::fmt::Debug for CachePartition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Session => "Session",
            Self::Shared => "Shared",
            Self::By(_) => "By(..)",
        })
    }
}

/// Keeps answers to the four lists, `resources/read` and `prompts/get` (and, opted in,
/// `tools/call`) and serves them again while fresh. Entries are partitioned
/// ([`CachePartition`], per session by default), live for the TTL of their kind or less when the
/// answer's own cache hint (`ttlMs`) says so (`ttlMs: 0` is never kept), are forgotten when the
/// server's lists or resources change (`list_changed`, `resources/updated`), and are bounded in
/// count and in size. Tool errors, input rounds and tasks are never kept.
///
/// ```
/// use std::time::Duration;
/// use fastmcp::middleware::ResponseCaching;
/// let caching = ResponseCaching::new()
///     .tool_ttl(Duration::from_secs(60))
///     .tools(["forecast"]);
/// let server = fastmcp::FastMCP::new("weather").middleware(caching);
/// # drop(server);
/// ```
#[derive(Debug)]
pub struct ResponseCaching {
    list_ttl: Option<Duration>,
    read_ttl: Option<Duration>,
    prompt_ttl: Option<Duration>,
    tool_ttl: Option<Duration>,
    tools: Option<HashSet<String>>,
    partition: CachePartition,
    max_entries: usize,
    max_entry_bytes: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug)]
struct Entry {
    result: ServerResult,
    expires: Instant,
    /// The server's change count when the answer was kept.
    changes: u64,
}

impl Default for ResponseCaching {
    fn default() -> Self {
        let five_minutes = Some(Duration::from_secs(300));
        Self {
            list_ttl: five_minutes,
            read_ttl: five_minutes,
            prompt_ttl: five_minutes,
            tool_ttl: None,
            tools: None,
            partition: CachePartition::Session,
            max_entries: 1_000,
            max_entry_bytes: 1024 * 1024,
            entries: Mutex::default(),
        }
    }
}

impl ResponseCaching {
    /// Lists, reads and prompts kept five minutes; tool calls not kept.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long list answers are kept (`None`: not kept).
    pub fn list_ttl(mut self, ttl: impl Into<Option<Duration>>) -> Self {
        self.list_ttl = ttl.into();
        self
    }

    /// How long `resources/read` answers are kept (`None`: not kept).
    pub fn read_ttl(mut self, ttl: impl Into<Option<Duration>>) -> Self {
        self.read_ttl = ttl.into();
        self
    }

    /// How long `prompts/get` answers are kept (`None`: not kept).
    pub fn prompt_ttl(mut self, ttl: impl Into<Option<Duration>>) -> Self {
        self.prompt_ttl = ttl.into();
        self
    }

    /// How long successful tool results are kept (default: not kept; tools often act).
    pub fn tool_ttl(mut self, ttl: impl Into<Option<Duration>>) -> Self {
        self.tool_ttl = ttl.into();
        self
    }

    /// Keeps only these tools' results (default: every tool's, once a tool TTL is set).
    pub fn tools<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tools = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Whose requests share answers (default: each session its own).
    pub fn partition(mut self, partition: CachePartition) -> Self {
        self.partition = partition;
        self
    }

    /// The most answers kept (default 1,000).
    pub fn max_entries(mut self, entries: usize) -> Self {
        self.max_entries = entries;
        self
    }

    /// The largest answer kept, serialized (default 1 MiB).
    pub fn max_entry_bytes(mut self, bytes: usize) -> Self {
        self.max_entry_bytes = bytes;
        self
    }

    /// How long answers to `request` are kept, if they are.
    fn ttl_for(&self, request: &ClientRequest) -> Option<Duration> {
        match request {
            ClientRequest::ListToolsRequest(_)
            | ClientRequest::ListResourcesRequest(_)
            | ClientRequest::ListResourceTemplatesRequest(_)
            | ClientRequest::ListPromptsRequest(_) => self.list_ttl,
            ClientRequest::ReadResourceRequest(_) => self.read_ttl,
            ClientRequest::GetPromptRequest(_) => self.prompt_ttl,
            ClientRequest::CallToolRequest(call) => self.tool_ttl.filter(|_| {
                self.tools
                    .as_ref()
                    .is_none_or(|tools| tools.contains(call.params.name.as_ref()))
            }),
            _ => None,
        }
    }

    /// The entry's key: its partition, and the request without its `_meta` (progress tokens
    /// and protocol metadata differ per request, not the answer).
    fn key(&self, request: &ClientRequest, cx: &MiddlewareContext<'_>) -> Option<String> {
        let partition = match &self.partition {
            CachePartition::Session => cx.session_id().to_owned(),
            CachePartition::Shared => String::new(),
            CachePartition::By(key) => key(cx).unwrap_or_default(),
        };
        let mut value = serde_json::to_value(request).ok()?;
        if let Some(params) = value.get_mut("params").and_then(Value::as_object_mut) {
            params.remove("_meta");
        }
        Some(format!("{partition}\u{0}{value}"))
    }

    fn get(&self, key: &str, changes: u64) -> Option<ServerResult> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fresh = entries
            .get(key)
            .is_some_and(|entry| entry.changes == changes && entry.expires > Instant::now());
        if fresh {
            return entries.get(key).map(|entry| entry.result.clone());
        }
        entries.remove(key);
        None
    }

    fn put(&self, key: String, result: &ServerResult, ttl: Duration, changes: u64) {
        if !keepable(result) {
            return;
        }
        let Ok(serialized) = serde_json::to_value(result) else {
            return;
        };
        // The answer's own hint wins when it is shorter; `ttlMs: 0` means not at all.
        let ttl = match serialized.get("ttlMs").and_then(Value::as_u64) {
            Some(0) => return,
            Some(hint) => ttl.min(Duration::from_millis(hint)),
            None => ttl,
        };
        if serialized.to_string().len() > self.max_entry_bytes || self.max_entries == 0 {
            return;
        }
        let now = Instant::now();
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= self.max_entries && !entries.contains_key(&key) {
            entries.retain(|_, entry| entry.expires > now && entry.changes == changes);
            if entries.len() >= self.max_entries {
                let oldest = entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.expires)
                    .map(|(key, _)| key.clone());
                if let Some(oldest) = oldest {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(
            key,
            Entry {
                result: result.clone(),
                expires: now + ttl,
                changes,
            },
        );
    }
}

/// Complete answers only: no tool errors, input rounds or tasks.
fn keepable(result: &ServerResult) -> bool {
    match result {
        ServerResult::CallToolResult(result) => result.is_error != Some(true),
        ServerResult::ListToolsResult(_)
        | ServerResult::ListResourcesResult(_)
        | ServerResult::ListResourceTemplatesResult(_)
        | ServerResult::ListPromptsResult(_)
        | ServerResult::ReadResourceResult(_)
        | ServerResult::GetPromptResult(_) => true,
        _ => false,
    }
}

impl Middleware for ResponseCaching {
    fn on_request<'a>(
        &'a self,
        request: ClientRequest,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, AnyRequest>,
    ) -> Hook<'a, AnyRequest> {
        let Some(ttl) = self.ttl_for(&request) else {
            return next.pass(request);
        };
        let Some(key) = self.key(&request, cx) else {
            return next.pass(request);
        };
        let changes = cx.server().changes();
        if let Some(cached) = self.get(&key, changes) {
            return Hook::ok(cached);
        }
        Hook::new(async move {
            let result = next.run(request).await?;
            self.put(key, &result, ttl, changes);
            Ok(result)
        })
    }
}
