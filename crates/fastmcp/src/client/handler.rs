//! The client's side of the protocol: what it tells the server it can do, and the handlers
//! that answer the server's requests (sampling, elicitation, roots) and notifications (logs).
#![allow(deprecated)] // rmcp marks logging, sampling and roots deprecated (SEP-2577).

use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::model::{
    ClientCapabilities, ClientInfo, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationCapability, ErrorData,
    FormElicitationCapability, Implementation, InputRequest, ListRootsResult, ProtocolVersion,
    Root, RootsCapabilities, ServerNotification, UrlElicitationCapability,
};
use rmcp::service::RequestContext;
use rmcp::{ClientHandler, RoleClient};
use serde_json::Value;

use crate::logging::LogLevel;

/// A server's request for input from the user (`elicitation/create`).
#[derive(Debug, Clone, PartialEq)]
pub struct ElicitationRequest {
    /// What to ask the user.
    pub message: String,
    /// Form or URL mode.
    pub mode: ElicitationMode,
}

/// How the server wants the input collected.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ElicitationMode {
    /// Fill in a form described by this JSON Schema (flat object of primitives).
    Form {
        /// The `requestedSchema`.
        schema: Value,
    },
    /// Send the user to a URL (for sensitive input the client must not see).
    Url {
        /// Where to send the user.
        url: String,
        /// The server's id for this elicitation.
        elicitation_id: String,
    },
}

/// The user's answer to an [`ElicitationRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum ElicitationResponse {
    /// The user submitted this content (a JSON object matching the schema; `Null` in URL mode).
    Accept(Value),
    /// The user said no.
    Decline,
    /// The user dismissed the request.
    Cancel,
}

/// A log message from the server (`notifications/message`).
#[derive(Debug, Clone, PartialEq)]
pub struct LogMessage {
    /// Its severity.
    pub level: LogLevel,
    /// The logger name, if the server gave one.
    pub logger: Option<String>,
    /// The message (a string, or any JSON).
    pub data: Value,
}

pub(crate) type Handler<In, Out> = Arc<dyn Fn(In) -> BoxFuture<'static, Out> + Send + Sync>;

/// The handlers a [`Client`](super::Client) answers the server with.
#[derive(Clone, Default)]
pub(crate) struct Handlers {
    pub(crate) sampling:
        Option<Handler<CreateMessageRequestParams, Result<CreateMessageResult, String>>>,
    pub(crate) elicitation: Option<Handler<ElicitationRequest, ElicitationResponse>>,
    pub(crate) roots: Option<Handler<(), Vec<Root>>>,
    pub(crate) log: Option<Handler<LogMessage, ()>>,
    pub(crate) message: Option<Handler<ServerNotification, ()>>,
    /// Answers every input request (sampling, elicitation, roots) as it came, in place of the
    /// typed handlers: a proxy passing them on to its own client.
    pub(crate) forward: Option<Handler<InputRequest, Result<Value, ErrorData>>>,
}

pub(crate) fn handler<In, Out, F, Fut>(f: F) -> Handler<In, Out>
where
    F: Fn(In) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Out> + Send + 'static,
{
    Arc::new(move |input| Box::pin(f(input)))
}

/// The rmcp client handler behind [`Client`](super::Client).
#[derive(Clone)]
pub(crate) struct ClientSession {
    pub(crate) name: String,
    pub(crate) handlers: Handlers,
    /// Declare the tasks extension.
    pub(crate) tasks: bool,
    /// Capabilities to declare instead of those the handlers imply (a proxy declares what its
    /// own client declared).
    pub(crate) capabilities: Option<ClientCapabilities>,
}

impl ClientSession {
    pub(crate) fn capabilities(&self) -> ClientCapabilities {
        if let Some(capabilities) = &self.capabilities {
            return capabilities.clone();
        }
        // A forwarding handler answers every kind of input request.
        let forwards = self.handlers.forward.is_some();
        let mut capabilities = ClientCapabilities::default();
        if self.handlers.sampling.is_some() || forwards {
            capabilities.sampling = Some(Default::default());
        }
        if self.handlers.elicitation.is_some() || forwards {
            capabilities.elicitation = Some(
                ElicitationCapability::new()
                    .with_form(FormElicitationCapability::new())
                    .with_url(UrlElicitationCapability::new()),
            );
        }
        if self.handlers.roots.is_some() || forwards {
            let mut roots = RootsCapabilities::default();
            // Only the client's own roots handler goes with a way to say they changed.
            roots.list_changed = self.handlers.roots.is_some().then_some(true);
            capabilities.roots = Some(roots);
        }
        if self.tasks {
            capabilities = super::tasks::with_tasks(capabilities);
        }
        capabilities
    }

    /// Answers each of `questions` with the handlers, keyed as asked.
    pub(crate) async fn fulfil_all(
        &self,
        questions: impl IntoIterator<Item = (String, rmcp::model::InputRequest)>,
    ) -> Result<rmcp::model::InputResponses, ErrorData> {
        let mut answers = rmcp::model::InputResponses::new();
        for (key, question) in questions {
            answers.insert(key, self.fulfil(question).await?);
        }
        Ok(answers)
    }

    async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, ErrorData> {
        let Some(sampling) = &self.handlers.sampling else {
            return Err(ErrorData::new(
                rmcp::model::ErrorCode::METHOD_NOT_FOUND,
                "this client has no sampling handler",
                None,
            ));
        };
        sampling(params)
            .await
            .map_err(|message| ErrorData::internal_error(message, None))
    }

    async fn elicit(&self, params: ElicitRequestParams) -> Result<ElicitResult, ErrorData> {
        let Some(elicitation) = &self.handlers.elicitation else {
            return Err(ErrorData::new(
                rmcp::model::ErrorCode::METHOD_NOT_FOUND,
                "this client has no elicitation handler",
                None,
            ));
        };
        let request = match params {
            ElicitRequestParams::FormElicitationParams {
                message,
                requested_schema,
                ..
            } => ElicitationRequest {
                message,
                mode: ElicitationMode::Form {
                    schema: serde_json::to_value(requested_schema).unwrap_or(Value::Null),
                },
            },
            ElicitRequestParams::UrlElicitationParams {
                message,
                url,
                elicitation_id,
                ..
            } => ElicitationRequest {
                message,
                mode: ElicitationMode::Url {
                    url,
                    elicitation_id,
                },
            },
            other => {
                return Err(ErrorData::invalid_params(
                    format!("unsupported elicitation: {other:?}"),
                    None,
                ));
            }
        };
        let schema = match &request.mode {
            ElicitationMode::Form { schema } => Some(schema.clone()),
            ElicitationMode::Url { .. } => None,
        };
        Ok(match elicitation(request).await {
            ElicitationResponse::Accept(mut content) => {
                if let Some(schema) = &schema {
                    apply_defaults(schema, &mut content);
                }
                let result = ElicitResult::new(ElicitationAction::Accept);
                if content.is_null() {
                    result
                } else {
                    result.with_content(content)
                }
            }
            ElicitationResponse::Decline => ElicitResult::new(ElicitationAction::Decline),
            ElicitationResponse::Cancel => ElicitResult::new(ElicitationAction::Cancel),
        })
    }

    async fn roots(&self) -> Result<ListRootsResult, ErrorData> {
        let Some(roots) = &self.handlers.roots else {
            return Err(ErrorData::new(
                rmcp::model::ErrorCode::METHOD_NOT_FOUND,
                "this client has no roots",
                None,
            ));
        };
        Ok(ListRootsResult::new(roots(()).await))
    }

    /// Answers one input request of a 2026-07-28 `InputRequiredResult` round.
    pub(crate) async fn fulfil(&self, request: InputRequest) -> Result<Value, ErrorData> {
        if let Some(forward) = &self.handlers.forward {
            return forward(request).await;
        }
        let value = match request {
            InputRequest::CreateMessage(request) => {
                serde_json::to_value(self.sample(request.params).await?)
            }
            InputRequest::Elicitation(request) => {
                serde_json::to_value(self.elicit(request.params).await?)
            }
            InputRequest::ListRoots(_) => serde_json::to_value(self.roots().await?),
            other => {
                return Err(ErrorData::invalid_params(
                    format!("unsupported input request: {other:?}"),
                    None,
                ));
            }
        };
        value.map_err(|error| ErrorData::internal_error(error.to_string(), None))
    }
}

impl ClientHandler for ClientSession {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::new(
            self.capabilities(),
            Implementation::new(&self.name, env!("CARGO_PKG_VERSION")),
        )
        .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        if self.handlers.forward.is_some() {
            let request =
                InputRequest::CreateMessage(rmcp::model::CreateMessageRequest::new(params));
            return from_answer(self.fulfil(request).await?);
        }
        self.sample(params).await
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if self.handlers.forward.is_some() {
            let request = InputRequest::Elicitation(rmcp::model::ElicitRequest::new(request));
            return from_answer(self.fulfil(request).await?);
        }
        self.elicit(request).await
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        if self.handlers.forward.is_some() {
            let request = InputRequest::ListRoots(rmcp::model::ListRootsRequest::default());
            return from_answer(self.fulfil(request).await?);
        }
        self.roots().await
    }
}

/// A forwarded answer read back as the result type rmcp expects.
fn from_answer<T: serde::de::DeserializeOwned>(answer: Value) -> Result<T, ErrorData> {
    serde_json::from_value(answer).map_err(|error| {
        ErrorData::internal_error(format!("the client's answer is malformed: {error}"), None)
    })
}

/// The default log handler: maps a server log message onto a `tracing` event
/// (target `fastmcp::client::log`) at the matching level.
pub fn log_server_message(message: &LogMessage) {
    let text = match &message.data {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let logger = message.logger.as_deref().unwrap_or("server");
    match message.level {
        LogLevel::Debug => tracing::debug!(target: "fastmcp::client::log", logger, "{text}"),
        LogLevel::Info | LogLevel::Notice => {
            tracing::info!(target: "fastmcp::client::log", logger, "{text}")
        }
        LogLevel::Warning => tracing::warn!(target: "fastmcp::client::log", logger, "{text}"),
        level => tracing::error!(target: "fastmcp::client::log", logger, %level, "{text}"),
    }
}

/// Fills the fields the user left out with the schema's defaults (SEP-1034), so a server
/// always receives a value where it offered one.
fn apply_defaults(schema: &Value, content: &mut Value) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    if content.is_null() {
        *content = Value::Object(Default::default());
    }
    let Some(fields) = content.as_object_mut() else {
        return;
    };
    for (name, property) in properties {
        if let Some(default) = property.get("default")
            && !fields.contains_key(name)
        {
            fields.insert(name.clone(), default.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::apply_defaults;

    #[test]
    fn omitted_fields_get_their_defaults_and_given_ones_stay() {
        let schema = json!({"type": "object", "properties": {
            "name": {"type": "string", "default": "John"},
            "age": {"type": "integer", "default": 30},
            "note": {"type": "string"}}});
        let mut content = json!({"age": 41});
        apply_defaults(&schema, &mut content);
        assert_eq!(content, json!({"name": "John", "age": 41}));
    }
}
