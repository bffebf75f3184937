//! Parsing a server's messages quickly (the client side; feature `client`).

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use rmcp::model::{
    CallToolResult, JsonRpcResponse, JsonRpcVersion2_0, RequestId, ServerJsonRpcMessage,
    ServerResult,
};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// Parses one server message, going straight to `CallToolResult` for a response that can
/// only be one.
pub(crate) fn server_message(bytes: &[u8]) -> serde_json::Result<ServerJsonRpcMessage> {
    if let Some(message) = call_tool_response(bytes).or_else(|| progress_notification(bytes)) {
        return Ok(message);
    }
    serde_json::from_slice(bytes)
}

/// A progress notification, parsed as one (rmcp's untagged parse buffers the whole message
/// and tries each kind in turn: most of the cost of a progress flood); `None` when unsure.
fn progress_notification(bytes: &[u8]) -> Option<ServerJsonRpcMessage> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Envelope<'a> {
        #[allow(dead_code)]
        jsonrpc: JsonRpcVersion2_0,
        #[serde(borrow)]
        method: Cow<'a, str>,
        params: rmcp::model::ProgressNotificationParam,
    }
    static PROGRESS: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new(b"notifications/progress"));
    PROGRESS.find(bytes)?;
    let envelope = serde_json::from_slice::<Envelope>(bytes).ok()?;
    if envelope.method != "notifications/progress" {
        return None;
    }
    let notification = rmcp::model::ProgressNotification::new(envelope.params);
    Some(ServerJsonRpcMessage::Notification(
        rmcp::model::JsonRpcNotification {
            jsonrpc: JsonRpcVersion2_0,
            notification: rmcp::model::ServerNotification::ProgressNotification(notification),
        },
    ))
}

/// Keys that one of the results rmcp's `ServerResult` tries before `CallToolResult` requires
/// (discover, initialize, completion, prompt, the lists, resource contents, subscriptions
/// through `_meta`, skills, elicitation, and tasks, whose fields are flattened). A result
/// with none of them fails every earlier variant, so if it parses as a `CallToolResult`, that
/// is what rmcp's parse gives too.
const EARLIER_RESULT_KEYS: &[&str] = &[
    "supportedVersions",
    "protocolVersion",
    "completion",
    "messages",
    "prompts",
    "resources",
    "resourceTemplates",
    "contents",
    "_meta",
    "tools",
    "skills",
    "skill",
    "action",
    "taskId",
    "status",
    "task",
];

/// A response whose result is a `CallToolResult`, parsed as one; `None` when unsure.
fn call_tool_response(bytes: &[u8]) -> Option<ServerJsonRpcMessage> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Envelope<'a> {
        #[allow(dead_code)]
        jsonrpc: JsonRpcVersion2_0,
        id: RequestId,
        #[serde(borrow)]
        result: &'a RawValue,
    }
    // Most server messages that are not responses are notifications (progress, logs): a scan
    // for `"result"` turns them away before any parsing.
    static RESULT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"result\""));
    RESULT.find(bytes)?;
    let envelope = serde_json::from_slice::<Envelope>(bytes).ok()?;
    let result = envelope.result.get();
    let keys =
        serde_json::from_str::<std::collections::HashMap<Cow<str>, IgnoredAny>>(result).ok()?;
    if keys
        .keys()
        .any(|key| EARLIER_RESULT_KEYS.contains(&key.as_ref()))
    {
        return None;
    }
    let result = serde_json::from_str::<CallToolResult>(result).ok()?;
    Some(ServerJsonRpcMessage::Response(JsonRpcResponse {
        jsonrpc: JsonRpcVersion2_0,
        id: envelope.id,
        result: ServerResult::CallToolResult(result),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Progress notifications parsed by the shortcut read as rmcp reads them.
    #[test]
    fn progress_parsed_directly_agrees_with_rmcp() {
        for body in [
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/progress",
                "params": {"progressToken": 1, "progress": 2, "total": 10, "message": "a\"b"}}),
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/progress",
                "params": {"progressToken": "t", "progress": 0.5, "_meta": {"k": 1}}}),
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/message",
                "params": {"level": "info", "data": "notifications/progress"}}),
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/progress",
                "params": {"progress": 1}}),
        ] {
            let bytes = serde_json::to_vec(&body).unwrap();
            let ours = server_message(&bytes).map(|m| serde_json::to_value(m).unwrap());
            let theirs = serde_json::from_slice::<ServerJsonRpcMessage>(&bytes)
                .map(|m| serde_json::to_value(m).unwrap());
            assert_eq!(ours.ok(), theirs.ok(), "{body}");
        }
    }

    /// Answers to `tools/call` parse as rmcp parses them, whichever way they go.
    #[test]
    fn call_tool_results_parse_as_rmcp_parses_them() {
        let answers = [
            serde_json::json!({"content": [{"type": "text", "text": "3"}],
                "structuredContent": {"result": 3}}),
            serde_json::json!({"content": [], "isError": true}),
            serde_json::json!({"structuredContent": null}),
            serde_json::json!({"resultType": "complete", "content": []}),
            serde_json::json!({"isError": false, "extra": {"messages": 1}}),
            // Not a CallToolResult, or not surely one: rmcp's parse decides.
            serde_json::json!({}),
            serde_json::json!({"_meta": {"a": 1}, "content": []}),
            serde_json::json!({"content": [], "taskId": "t", "status": "working",
                "createdAt": "2026-01-01T00:00:00Z", "lastUpdatedAt": "2026-01-01T00:00:00Z"}),
            serde_json::json!({"resultType": "input_required", "inputRequests": {}}),
            serde_json::json!({"action": "accept", "content": {"x": 1}}),
            serde_json::json!({"tools": [], "content": []}),
            serde_json::json!({"content": "not a list"}),
        ];
        for (i, answer) in answers.into_iter().enumerate() {
            let line = serde_json::json!({"jsonrpc": "2.0", "id": 7, "result": answer});
            let bytes = serde_json::to_vec(&line).unwrap();
            let shortcut = call_tool_response(&bytes).is_some();
            assert_eq!(shortcut, i < 5, "shortcut taken for {answer}?");
            let ours = server_message(&bytes).map(|m| serde_json::to_value(m).unwrap());
            let theirs = serde_json::from_slice::<ServerJsonRpcMessage>(&bytes)
                .map(|m| serde_json::to_value(m).unwrap());
            assert_eq!(ours.ok(), theirs.ok(), "{answer}");
        }
        for not_a_response in [
            serde_json::json!({"jsonrpc": "2.0", "id": 7, "result": {"content": []}, "error": {}}),
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/progress",
                "params": {"progressToken": 1, "progress": 1}}),
        ] {
            let bytes = serde_json::to_vec(&not_a_response).unwrap();
            assert!(call_tool_response(&bytes).is_none(), "{not_a_response}");
        }
    }

    /// A result carrying any key of an earlier variant goes the slow way.
    #[test]
    fn the_shortcut_declines_when_the_result_has_an_earlier_variants_key() {
        for key in EARLIER_RESULT_KEYS {
            let line = serde_json::json!({"jsonrpc": "2.0", "id": 1,
                "result": {"content": [], *key: "x"}});
            let bytes = serde_json::to_vec(&line).unwrap();
            assert!(call_tool_response(&bytes).is_none(), "{key}");
        }
    }
}
