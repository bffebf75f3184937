//! The baseline for the benchmarks: the quickstart's two tools on rmcp alone (a hand-written
//! `ServerHandler`, rmcp's own transports), so the figures compare like with like.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, ServiceExt as _};
use serde_json::{Value, json};

struct Plain {
    tools: Vec<Tool>,
}

fn schema(value: Value) -> Arc<rmcp::model::JsonObject> {
    Arc::new(value.as_object().cloned().unwrap_or_default())
}

fn int(arguments: &rmcp::model::JsonObject, key: &str) -> Result<i64, ErrorData> {
    arguments
        .get(key)
        .and_then(Value::as_i64)
        .ok_or_else(|| ErrorData::invalid_params(format!("{key} must be an integer"), None))
}

impl ServerHandler for Plain {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = request.arguments.unwrap_or_default();
        let result = match request.name.as_ref() {
            "add" => {
                let sum = int(&arguments, "a")? + int(&arguments, "b")?;
                let mut result = CallToolResult::success(vec![ContentBlock::text(sum.to_string())]);
                result.structured_content = Some(json!({"result": sum}));
                result
            }
            "long_task" => {
                let steps = int(&arguments, "steps")?;
                let token = context.meta.get_progress_token();
                for i in 1..=steps {
                    if let Some(token) = &token {
                        let mut param = ProgressNotificationParam::new(token.clone(), i as f64);
                        param.total = Some(steps as f64);
                        param.message = Some(format!("step {i} of {steps}"));
                        let _ = context.peer.notify_progress(param).await;
                    }
                }
                let text = format!("done after {steps} steps");
                let mut result = CallToolResult::success(vec![ContentBlock::text(text.clone())]);
                result.structured_content = Some(json!({"result": text}));
                result
            }
            other => {
                return Err(ErrorData::invalid_params(
                    format!("unknown tool {other}"),
                    None,
                ));
            }
        };
        Ok(result.into())
    }
}

fn plain() -> Plain {
    let object = json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]});
    let long = json!({"type": "object", "properties": {"steps": {"type": "integer"}, "delay_ms": {"type": "integer"}}, "required": ["steps"]});
    Plain {
        tools: vec![
            Tool::new("add", "Add two integers.", schema(object)),
            Tool::new("long_task", "Report progress.", schema(long)),
        ],
    }
}

/// Serves over stdio until the client goes away.
pub async fn serve() -> anyhow::Result<()> {
    let running = plain().serve(rmcp::transport::stdio()).await?;
    running.waiting().await?;
    Ok(())
}

/// Serves rmcp's Streamable HTTP service at `/mcp` on `listener`, with sessions or stateless
/// (JSON responses), `TCP_NODELAY` on every connection.
pub async fn serve_http(listener: tokio::net::TcpListener, stateless: bool) -> anyhow::Result<()> {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(!stateless)
        .with_json_response(stateless);
    let service = StreamableHttpService::new(
        || Ok(plain()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let app = axum::Router::new().route_service("/mcp", service);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper_util::service::TowerToHyperService::new(app);
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}
