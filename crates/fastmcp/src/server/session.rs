//! [`Session`]: one connection's request dispatcher (rmcp's `ServerHandler`).
#![allow(deprecated)] // MCP logging types are marked deprecated in rmcp (SEP-2577).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, ContentBlock,
    CustomRequest, CustomResult, ErrorCode, ErrorData, GetPromptRequestParams,
    InitializeRequestParams, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ServerCapabilities, ServerConfig, SetLevelRequestParams, SubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler};

use super::FastMCP;
use super::context::{Context, SessionState};
use crate::tools::Tool;

/// One client connection to a [`FastMCP`] server: dispatches its requests to the server's
/// components and holds per-connection state (such as the log level the client asked for).
///
/// Implements rmcp's [`ServerHandler`], so it runs under any rmcp transport.
#[derive(Clone, Debug)]
pub struct Session {
    server: FastMCP,
    state: Arc<SessionState>,
}

impl Session {
    pub(crate) fn new(server: FastMCP) -> Self {
        Self {
            server,
            state: Arc::default(),
        }
    }
}

/// JSON-RPC code for a request the client cancelled (used by several SDKs).
const REQUEST_CANCELLED: ErrorCode = ErrorCode(-32800);

impl ServerHandler for Session {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_logging()
            .enable_tools()
            .enable_tool_list_changed()
            .build();
        let mut info = ServerConfig::new(capabilities).with_server_info(self.server.server_info());
        info.protocol_version = rmcp::model::ProtocolVersion::LATEST_WITH_INITIALIZE;
        if let Some(instructions) = self.server.instructions_text() {
            info = info.with_instructions(instructions);
        }
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self
            .server
            .tools()
            .iter()
            .map(|tool| tool.definition().clone())
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        self.server
            .find_tool(name)
            .map(|tool| tool.definition().clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(tool) = self.server.find_tool(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: '{}'", request.name),
                None,
            ));
        };
        let ctx = Context::new(
            &context,
            Arc::clone(&self.state),
            self.server.progress_interval_setting(),
        );
        let arguments = request.arguments.unwrap_or_default();
        let outcome = tokio::select! {
            biased;
            () = context.ct.cancelled() => None,
            result = run_tool(&tool, arguments, ctx.clone()) => Some(result),
        };
        // Flush held progress before the result goes out; nothing is sent after it.
        ctx.finish().await;
        match outcome {
            Some(result) => Ok(result.into()),
            None => Err(ErrorData::new(REQUEST_CANCELLED, "Request cancelled", None)),
        }
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        Err(unknown_or_malformed(&request))
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.state.set_log_level(request.level.into());
        Ok(())
    }
}

/// Runs the tool with its timeout; errors, timeouts and panics become `isError` results.
async fn run_tool(tool: &Tool, arguments: rmcp::model::JsonObject, ctx: Context) -> CallToolResult {
    let call = AssertUnwindSafe(tool.handler().call(arguments, ctx)).catch_unwind();
    let outcome = match tool.timeout() {
        Some(limit) => match tokio::time::timeout(limit, call).await {
            Ok(outcome) => outcome,
            Err(_) => {
                return error_result(format!("Tool '{}' timed out after {limit:?}", tool.name()));
            }
        },
        None => call.await,
    };
    match outcome {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => error_result(error.message().to_owned()),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            tracing::error!(tool = tool.name(), %reason, "tool panicked");
            error_result(format!(
                "Tool '{}' failed unexpectedly: {reason}",
                tool.name()
            ))
        }
    }
}

/// The error for a request rmcp could not parse as a known method: either the method is
/// unknown (`-32601`), or it is known and its params are malformed (`-32602`, saying why).
fn unknown_or_malformed(request: &CustomRequest) -> ErrorData {
    let detail = match request.method.as_str() {
        "tools/call" => params_error::<CallToolRequestParams>(request),
        "initialize" => params_error::<InitializeRequestParams>(request),
        "logging/setLevel" => params_error::<SetLevelRequestParams>(request),
        "resources/read" => params_error::<ReadResourceRequestParams>(request),
        "resources/subscribe" | "resources/unsubscribe" => {
            params_error::<SubscribeRequestParams>(request)
        }
        "prompts/get" => params_error::<GetPromptRequestParams>(request),
        "completion/complete" => params_error::<CompleteRequestParams>(request),
        "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list" => {
            params_error::<PaginatedRequestParams>(request)
        }
        "ping" | "server/discover" => "unexpected params".to_owned(),
        method => {
            return ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("Method not found: {method}"),
                None,
            );
        }
    };
    ErrorData::invalid_params(
        format!("Invalid params for '{}': {detail}", request.method),
        None,
    )
}

fn params_error<T: serde::de::DeserializeOwned>(request: &CustomRequest) -> String {
    match &request.params {
        None => "params are required".to_owned(),
        Some(params) => match serde_json::from_value::<T>(params.clone()) {
            Err(error) => error.to_string(),
            Ok(_) => "params do not match the method's schema".to_owned(),
        },
    }
}

fn error_result(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}
