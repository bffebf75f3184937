//! [`ResourcesAsTools`] and [`PromptsAsTools`]: for clients that only speak tools.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientRequest, ContentBlock,
    ErrorData, GetPromptRequest, GetPromptRequestParams, JsonObject, PaginatedRequestParams,
    ReadResourceRequest, ReadResourceRequestParams, RequestOptionalParam, ResourceContents,
    ServerResult, Tool,
};
use serde_json::{Value, json};

use crate::middleware::{CallTool, Hook, ListTools, Middleware, MiddlewareContext, Next};

/// Adds two tools: `list_resources` (the server's resources and resource templates, as JSON)
/// and `read_resource` (`uri` → the contents: text as text, binary as an embedded resource).
///
/// ```
/// use fastmcp::transforms::ResourcesAsTools;
/// let server = fastmcp::FastMCP::new("docs").transform(ResourcesAsTools::new());
/// # drop(server);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ResourcesAsTools {
    _private: (),
}

impl ResourcesAsTools {
    /// The two tools, under their usual names.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Adds two tools: `list_prompts` (the server's prompts and their arguments, as JSON) and
/// `get_prompt` (`name`, `arguments` → the rendered messages, as JSON).
///
/// ```
/// use fastmcp::transforms::PromptsAsTools;
/// let server = fastmcp::FastMCP::new("prompts").transform(PromptsAsTools::new());
/// # drop(server);
/// ```
#[derive(Debug, Clone, Default)]
pub struct PromptsAsTools {
    _private: (),
}

impl PromptsAsTools {
    /// The two tools, under their usual names.
    pub fn new() -> Self {
        Self::default()
    }
}

fn tool(name: &'static str, description: &'static str, schema: Value) -> Tool {
    let schema = match schema {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    Tool::new(name, description, Arc::new(schema))
}

/// The tools list from the rest of the chain, with `extra` added.
fn with_tools<'a>(
    request: Option<PaginatedRequestParams>,
    next: Next<'a, ListTools>,
    extra: fn() -> [Tool; 2],
) -> Hook<'a, ListTools> {
    let first_page = request.as_ref().and_then(|r| r.cursor.as_ref()).is_none();
    next.map(request, move |mut list| {
        // Added once, to the first page.
        if first_page {
            list.tools.extend(extra());
        }
        list
    })
}

fn resource_tools() -> [Tool; 2] {
    [
        tool(
            "list_resources",
            "List the resources and resource templates this server offers.",
            json!({"type": "object", "properties": {}}),
        ),
        tool(
            "read_resource",
            "Read the resource at a URI.",
            json!({"type": "object",
                   "properties": {"uri": {"type": "string", "description": "The resource's URI"}},
                   "required": ["uri"]}),
        ),
    ]
}

fn prompt_tools() -> [Tool; 2] {
    [
        tool(
            "list_prompts",
            "List the prompts this server offers, with their arguments.",
            json!({"type": "object", "properties": {}}),
        ),
        tool(
            "get_prompt",
            "Render a prompt with arguments.",
            json!({"type": "object",
                   "properties": {
                       "name": {"type": "string", "description": "The prompt's name"},
                       "arguments": {"type": "object", "description": "The prompt's arguments",
                                     "additionalProperties": {"type": "string"}}},
                   "required": ["name"]}),
        ),
    ]
}

fn paged<M: Default>(cursor: Option<String>) -> RequestOptionalParam<M, PaginatedRequestParams> {
    crate::middleware::paged(cursor.map(|c| PaginatedRequestParams::default().with_cursor(Some(c))))
}

/// Every page of one list, through the rest of the chain, as JSON values.
async fn all_pages<M: crate::middleware::Method>(
    next: &Next<'_, M>,
    request: fn(Option<String>) -> ClientRequest,
    items: fn(ServerResult) -> (Vec<Value>, Option<String>),
) -> Result<Vec<Value>, ErrorData> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next_cursor) = items(next.run_request(request(cursor)).await?);
        all.extend(page);
        match next_cursor {
            Some(more) => cursor = Some(more),
            None => return Ok(all),
        }
    }
}

fn json_result(value: Value) -> CallToolResponse {
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    if value.is_object() {
        result.structured_content = Some(value);
    }
    CallToolResponse::Complete(result)
}

fn string_argument(request: &CallToolRequestParams, name: &str) -> Result<String, ErrorData> {
    request
        .arguments
        .as_ref()
        .and_then(|arguments| arguments.get(name))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            ErrorData::invalid_params(
                format!(
                    "Invalid arguments for tool '{}': missing '{name}'",
                    request.name
                ),
                None,
            )
        })
}

fn to_values<T: serde::Serialize>(items: Vec<T>) -> Vec<Value> {
    items
        .into_iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .collect()
}

impl Middleware for ResourcesAsTools {
    fn on_list_tools<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListTools>,
    ) -> Hook<'a, ListTools> {
        with_tools(request, next, resource_tools)
    }

    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        match request.name.as_ref() {
            "list_resources" => Hook::new(async move {
                let resources = all_pages(
                    &next,
                    |cursor| ClientRequest::ListResourcesRequest(paged(cursor)),
                    |result| match result {
                        ServerResult::ListResourcesResult(list) => {
                            (to_values(list.resources), list.next_cursor)
                        }
                        _ => (Vec::new(), None),
                    },
                )
                .await?;
                let templates = all_pages(
                    &next,
                    |cursor| ClientRequest::ListResourceTemplatesRequest(paged(cursor)),
                    |result| match result {
                        ServerResult::ListResourceTemplatesResult(list) => {
                            (to_values(list.resource_templates), list.next_cursor)
                        }
                        _ => (Vec::new(), None),
                    },
                )
                .await?;
                Ok(json_result(
                    json!({"resources": resources, "resourceTemplates": templates}),
                ))
            }),
            "read_resource" => {
                let uri = match string_argument(&request, "uri") {
                    Ok(uri) => uri,
                    Err(error) => return Hook::error(error),
                };
                Hook::new(async move {
                    let read = ClientRequest::ReadResourceRequest(ReadResourceRequest::new(
                        ReadResourceRequestParams::new(uri),
                    ));
                    let contents = match next.run_request(read).await? {
                        ServerResult::ReadResourceResult(result) => result.contents,
                        _ => Vec::new(),
                    };
                    let blocks = contents
                        .into_iter()
                        .map(|contents| match contents {
                            ResourceContents::TextResourceContents { text, .. } => {
                                ContentBlock::text(text)
                            }
                            other => ContentBlock::resource(other),
                        })
                        .collect();
                    Ok(CallToolResponse::Complete(CallToolResult::success(blocks)))
                })
            }
            _ => next.pass(request),
        }
    }
}

impl Middleware for PromptsAsTools {
    fn on_list_tools<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListTools>,
    ) -> Hook<'a, ListTools> {
        with_tools(request, next, prompt_tools)
    }

    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        _cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        match request.name.as_ref() {
            "list_prompts" => Hook::new(async move {
                let prompts = all_pages(
                    &next,
                    |cursor| ClientRequest::ListPromptsRequest(paged(cursor)),
                    |result| match result {
                        ServerResult::ListPromptsResult(list) => {
                            (to_values(list.prompts), list.next_cursor)
                        }
                        _ => (Vec::new(), None),
                    },
                )
                .await?;
                Ok(json_result(json!({"prompts": prompts})))
            }),
            "get_prompt" => {
                let name = match string_argument(&request, "name") {
                    Ok(name) => name,
                    Err(error) => return Hook::error(error),
                };
                let arguments = request
                    .arguments
                    .as_ref()
                    .and_then(|arguments| arguments.get("arguments"))
                    .and_then(Value::as_object)
                    .cloned();
                Hook::new(async move {
                    let mut params = GetPromptRequestParams::new(name);
                    params.arguments = arguments;
                    let get = ClientRequest::GetPromptRequest(GetPromptRequest::new(params));
                    let rendered = match next.run_request(get).await? {
                        ServerResult::GetPromptResult(result) => {
                            serde_json::to_value(result).unwrap_or_default()
                        }
                        _ => Value::Null,
                    };
                    Ok(json_result(rendered))
                })
            }
            _ => next.pass(request),
        }
    }
}
