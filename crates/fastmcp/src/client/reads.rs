//! `resources/read` and `prompts/get` from the client.

use std::collections::BTreeMap;

use rmcp::model::{
    ClientRequest, GetPromptRequest, GetPromptRequestParams, GetPromptResult, InputResponses,
    JsonObject, ReadResourceRequest, ReadResourceRequestParams, ResourceContents, ServerResult,
};
use serde_json::Value;

use super::call::unexpected;
use super::request::{Pending, RequestKind};
use crate::error::Error;

/// A configured `resources/read`: `.await` it, or [`stream`](Pending::stream) it.
pub type ReadResource = Pending<ReadResourceKind>;

/// A configured `prompts/get`: `.await` it, or [`stream`](Pending::stream) it.
pub type GetPrompt = Pending<GetPromptKind>;

/// The `resources/read` request kind.
#[derive(Debug, Clone)]
pub struct ReadResourceKind {
    uri: String,
}

impl ReadResourceKind {
    pub(super) fn new(uri: String) -> Self {
        Self { uri }
    }
}

impl RequestKind for ReadResourceKind {
    type Output = Vec<ResourceContents>;

    fn request(&self, responses: Option<InputResponses>, state: Option<String>) -> ClientRequest {
        let mut params = ReadResourceRequestParams::new(self.uri.clone());
        params.input_responses = responses;
        params.request_state = state;
        ClientRequest::ReadResourceRequest(ReadResourceRequest::new(params))
    }

    fn finish(&self, result: ServerResult) -> Result<Vec<ResourceContents>, Error> {
        match result {
            ServerResult::ReadResourceResult(result) => Ok(result.contents),
            other => Err(unexpected("ReadResourceResult", &other)),
        }
    }
}

/// The `prompts/get` request kind.
#[derive(Debug, Clone)]
pub struct GetPromptKind {
    name: String,
    arguments: BTreeMap<String, String>,
}

impl GetPromptKind {
    /// `arguments` may be any JSON object; non-string values are sent as their JSON text,
    /// since prompt arguments are strings on the wire.
    pub(super) fn new(name: String, arguments: Value) -> Self {
        let arguments = match arguments {
            Value::Object(object) => object
                .into_iter()
                .map(|(key, value)| match value {
                    Value::String(text) => (key, text),
                    other => (key, other.to_string()),
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        Self { name, arguments }
    }
}

impl RequestKind for GetPromptKind {
    type Output = GetPromptResult;

    fn request(&self, responses: Option<InputResponses>, state: Option<String>) -> ClientRequest {
        let mut params = GetPromptRequestParams::new(self.name.clone());
        let arguments: JsonObject = self
            .arguments
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        params.arguments = (!arguments.is_empty()).then_some(arguments);
        params.input_responses = responses;
        params.request_state = state;
        ClientRequest::GetPromptRequest(GetPromptRequest::new(params))
    }

    fn finish(&self, result: ServerResult) -> Result<GetPromptResult, Error> {
        match result {
            ServerResult::GetPromptResult(result) => Ok(result),
            other => Err(unexpected("GetPromptResult", &other)),
        }
    }
}
