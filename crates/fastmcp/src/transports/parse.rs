//! Parsing messages quickly.
//!
//! rmcp's message types are untagged unions: serde buffers the message, then tries each kind
//! of message and each kind of request or result in turn, building (and formatting) an error
//! for every miss. For the messages that make up most traffic — a client's requests, and the
//! answers to `tools/call` — a little looking first lets us parse straight into the right
//! type, giving the same value at a fraction of the cost. Anything else, including anything
//! malformed, goes through rmcp's own parse, so values and errors stay exactly rmcp's.

use crate::protocol::{
    COMPLETION_COMPLETE, PROMPTS_GET, PROMPTS_LIST, RESOURCE_TEMPLATES_LIST, RESOURCES_LIST,
    RESOURCES_READ, TOOLS_CALL, TOOLS_LIST,
};
use rmcp::model::{ClientJsonRpcMessage, ClientRequest, JsonRpcRequest};

#[cfg(feature = "client")]
mod from_server;
#[cfg(feature = "client")]
pub(crate) use from_server::server_message;

/// Parses one client message, going straight to the request type for common methods.
pub(crate) fn client_message(bytes: &[u8]) -> serde_json::Result<ClientJsonRpcMessage> {
    #[derive(serde::Deserialize)]
    struct Method<'a> {
        #[serde(borrow)]
        method: Option<std::borrow::Cow<'a, str>>,
    }
    let method = serde_json::from_slice::<Method>(bytes)
        .ok()
        .and_then(|m| m.method);
    let request = match method.as_deref() {
        Some(TOOLS_CALL) => as_request(bytes, ClientRequest::CallToolRequest),
        Some(TOOLS_LIST) => as_request(bytes, ClientRequest::ListToolsRequest),
        Some(PROMPTS_GET) => as_request(bytes, ClientRequest::GetPromptRequest),
        Some(PROMPTS_LIST) => as_request(bytes, ClientRequest::ListPromptsRequest),
        Some(RESOURCES_READ) => as_request(bytes, ClientRequest::ReadResourceRequest),
        Some(RESOURCES_LIST) => as_request(bytes, ClientRequest::ListResourcesRequest),
        Some(RESOURCE_TEMPLATES_LIST) => {
            as_request(bytes, ClientRequest::ListResourceTemplatesRequest)
        }
        Some(COMPLETION_COMPLETE) => as_request(bytes, ClientRequest::CompleteRequest),
        Some("ping") => as_request(bytes, ClientRequest::PingRequest),
        _ => None,
    };
    match request {
        Some(request) => Ok(ClientJsonRpcMessage::Request(request)),
        None => serde_json::from_slice(bytes),
    }
}

/// `bytes` as a request of type `R`, wrapped as the `ClientRequest` variant `wrap`.
fn as_request<R: serde::de::DeserializeOwned>(
    bytes: &[u8],
    wrap: fn(R) -> ClientRequest,
) -> Option<JsonRpcRequest<ClientRequest>> {
    let request = serde_json::from_slice::<JsonRpcRequest<R>>(bytes).ok()?;
    Some(JsonRpcRequest::new(request.id, wrap(request.request)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut parse gives what rmcp's own parse gives, malformed params included.
    #[test]
    fn parsing_by_method_agrees_with_rmcp() {
        let meta = serde_json::json!({"progressToken": 3,
            "io.modelcontextprotocol/protocolVersion": "2026-07-28"});
        for body in [
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "add", "arguments": {"a": 1}, "_meta": meta}}),
            serde_json::json!({"jsonrpc": "2.0", "id": "x", "method": "tools/call",
                "params": {"arguments": {"a": 1}}}),
            serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
            serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "prompts/get",
                "params": {"name": "p", "arguments": {"x": "1"}, "_meta": meta}}),
            serde_json::json!({"jsonrpc": "2.0", "id": 4, "method": "resources/read",
                "params": {"uri": "test://a"}}),
            serde_json::json!({"jsonrpc": "2.0", "id": 5, "method": "ping"}),
            serde_json::json!({"jsonrpc": "2.0", "id": 6, "method": "ping", "params": {"_meta": meta}}),
            serde_json::json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list",
                "params": {"cursor": "abc"}}),
            serde_json::json!({"jsonrpc": "2.0", "method": "tools/call"}),
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            serde_json::json!({"jsonrpc": "2.0", "id": 8, "result": {}}),
        ] {
            let bytes = serde_json::to_vec(&body).unwrap();
            let ours = client_message(&bytes).map(|m| serde_json::to_value(m).unwrap());
            let theirs = serde_json::from_slice::<ClientJsonRpcMessage>(&bytes)
                .map(|m| serde_json::to_value(m).unwrap());
            assert_eq!(ours.ok(), theirs.ok(), "{body}");
        }
    }
}
