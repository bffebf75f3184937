//! `Context::sample`: asking the client's model to generate text.
#![allow(deprecated)]

use rmcp::model::{
    CreateMessageRequest, CreateMessageRequestParams, CreateMessageResult, InputRequest,
    SamplingMessage,
};

use super::Context;
use crate::error::Error;

/// A sampling request: messages, and how to generate the reply.
///
/// ```
/// use fastmcp::server::SampleRequest;
/// let request = SampleRequest::new("Summarize this text")
///     .system_prompt("You are terse.")
///     .max_tokens(200)
///     .temperature(0.2);
/// # let _ = request;
/// ```
#[derive(Debug, Clone)]
pub struct SampleRequest {
    params: CreateMessageRequestParams,
}

impl SampleRequest {
    /// One user message.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self::from_messages(vec![SamplingMessage::user_text(prompt)])
    }

    /// A conversation.
    pub fn from_messages(messages: Vec<SamplingMessage>) -> Self {
        Self {
            params: CreateMessageRequestParams::new(messages, 512),
        }
    }

    /// The system prompt.
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.params.system_prompt = Some(prompt.into());
        self
    }

    /// The most tokens to generate (default 512).
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.params.max_tokens = max_tokens;
        self
    }

    /// Sampling temperature.
    pub fn temperature(mut self, temperature: f32) -> Self {
        self.params.temperature = Some(temperature);
        self
    }
}

impl From<&str> for SampleRequest {
    fn from(prompt: &str) -> Self {
        Self::new(prompt)
    }
}

impl From<String> for SampleRequest {
    fn from(prompt: String) -> Self {
        Self::new(prompt)
    }
}

/// The model's reply.
#[derive(Debug, Clone)]
pub struct SampleResult {
    /// The reply's text (text blocks joined).
    pub text: String,
    /// The model that produced it.
    pub model: String,
    /// Why generation stopped, if the client said.
    pub stop_reason: Option<String>,
    /// The full protocol result.
    pub raw: CreateMessageResult,
}

impl Context {
    /// Asks the client's model for a reply (`sampling/createMessage`).
    pub async fn sample(&self, request: impl Into<SampleRequest>) -> Result<SampleResult, Error> {
        let request = CreateMessageRequest::new(request.into().params);
        let answer = self.ask(InputRequest::CreateMessage(request)).await?;
        let raw: CreateMessageResult = serde_json::from_value(answer).map_err(|error| {
            Error::data_from(format!("malformed sampling result: {error}"), error)
        })?;
        let text = raw
            .message
            .content
            .iter()
            .filter_map(|block| block.as_text().map(|text| text.text.clone()))
            .collect::<Vec<_>>()
            .join("");
        Ok(SampleResult {
            text,
            model: raw.model.clone(),
            stop_reason: raw.stop_reason.clone(),
            raw,
        })
    }

    /// The client's roots: the directories or repositories it lets the server work in.
    pub async fn list_roots(&self) -> Result<Vec<crate::types::Root>, Error> {
        let request = rmcp::model::ListRootsRequest::default();
        let answer = self.ask(InputRequest::ListRoots(request)).await?;
        let result: rmcp::model::ListRootsResult = serde_json::from_value(answer)
            .map_err(|error| Error::data_from(format!("malformed roots result: {error}"), error))?;
        Ok(result.roots)
    }
}
