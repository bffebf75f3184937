//! [`ToolTransform`]: one tool a server offers, reshaped as `Tool::from_tool` would reshape it
//! — for tools you do not hold (a mounted server's, later a proxy's).

use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData,
    PaginatedRequestParams, ServerResult,
};

use crate::middleware::{CallTool, Hook, ListTools, Middleware, MiddlewareContext, Next};
use crate::tools::tool_transform::Mapping;
use crate::tools::{Tool, ToolFuture};

/// Reshapes the offered tool `name` with the same builder as [`Tool::from_tool`]: the closure
/// gets the tool (as listed) and returns its transform. Its arguments are checked under their
/// new names and mapped back before the call goes on; the old name is no longer offered (unless
/// the new one is the same). A transform function (`transform_fn`) is for tools you hold:
/// here it is not run.
///
/// ```
/// use fastmcp::tools::ArgTransform;
/// use fastmcp::transforms::ToolTransform;
/// use fastmcp::Tool;
/// use serde_json::json;
///
/// let add_ten = ToolTransform::new("qs_add", |add| {
///     Tool::from_tool(add)
///         .name("add_ten")
///         .arg("b", ArgTransform::new().hide().default(json!(10)))
/// });
/// let server = fastmcp::FastMCP::new("demo").transform(add_ten);
/// # drop(server);
/// ```
pub struct ToolTransform {
    target: String,
    make: Box<dyn Fn(Tool) -> crate::tools::ToolTransform + Send + Sync>,
    /// The plan for the tool as last listed, and the server's change count then.
    plan: Mutex<Option<(u64, Arc<Plan>)>>,
}

impl std::fmt::Debug for ToolTransform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolTransform")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// What the transform made of the listed tool.
struct Plan {
    definition: rmcp::model::Tool,
    mapping: Arc<Mapping>,
}

impl ToolTransform {
    /// Reshapes the tool called `name` (as this server offers it) with `make`.
    pub fn new(
        name: impl Into<String>,
        make: impl Fn(Tool) -> crate::tools::ToolTransform + Send + Sync + 'static,
    ) -> Self {
        Self {
            target: name.into(),
            make: Box::new(make),
            plan: Mutex::default(),
        }
    }

    /// The plan for `listed` (the target's definition), kept until the server changes.
    fn plan_for(&self, listed: &rmcp::model::Tool, changes: u64) -> Option<Arc<Plan>> {
        // The handler is never called: the transformed call goes on through the chain.
        let unused = |_, _| -> ToolFuture {
            Box::pin(std::future::ready(Ok(CallToolResult::success(Vec::new()))))
        };
        let parent = Tool::from_definition(listed.clone(), Arc::new(unused));
        match (self.make)(parent).definition() {
            Ok((definition, mapping)) => {
                let plan = Arc::new(Plan {
                    definition,
                    mapping,
                });
                *self.plan.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((changes, Arc::clone(&plan)));
                Some(plan)
            }
            Err(error) => {
                tracing::error!(tool = %self.target, %error, "tool transform refused; tool left as is");
                None
            }
        }
    }

    /// The current plan: kept, or made from a fresh listing.
    async fn plan<M: crate::middleware::Method>(
        &self,
        next: &Next<'_, M>,
        changes: u64,
    ) -> Result<Option<Arc<Plan>>, ErrorData> {
        let kept = self
            .plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some((_, plan)) = kept.filter(|(when, _)| *when == changes) {
            return Ok(Some(plan));
        }
        let mut cursor: Option<String> = None;
        loop {
            let page = cursor.map(|c| PaginatedRequestParams::default().with_cursor(Some(c)));
            let request = {
                use crate::middleware::Typed as _;
                crate::middleware::ListTools::request(page)
            };
            let ServerResult::ListToolsResult(list) = next.run_request(request).await? else {
                return Ok(None);
            };
            if let Some(listed) = list.tools.iter().find(|tool| tool.name == self.target) {
                return Ok(self.plan_for(listed, changes));
            }
            match list.next_cursor {
                Some(more) => cursor = Some(more),
                None => return Ok(None),
            }
        }
    }
}

impl Middleware for ToolTransform {
    fn on_list_tools<'a>(
        &'a self,
        request: Option<PaginatedRequestParams>,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, ListTools>,
    ) -> Hook<'a, ListTools> {
        let changes = cx.server().changes();
        Hook::new(async move {
            let mut list = next.run(request).await?;
            for tool in &mut list.tools {
                if tool.name == self.target
                    && let Some(plan) = self.plan_for(tool, changes)
                {
                    *tool = plan.definition.clone();
                }
            }
            Ok(list)
        })
    }

    fn on_call_tool<'a>(
        &'a self,
        mut request: CallToolRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        let changes = cx.server().changes();
        Hook::new(async move {
            let Some(plan) = self.plan(&next, changes).await? else {
                return next.run(request).await;
            };
            let new_name = plan.definition.name.clone();
            if request.name == new_name {
                let arguments = request.arguments.take().unwrap_or_default();
                match plan.mapping.forward(arguments) {
                    Ok(arguments) => request.arguments = Some(arguments),
                    Err(error) => {
                        let text = error.message().to_owned();
                        return Ok(CallToolResponse::Complete(CallToolResult::error(vec![
                            ContentBlock::text(text),
                        ])));
                    }
                }
                request.name = self.target.clone().into();
                return next.run(request).await;
            }
            if request.name == self.target {
                // Offered under its new name only.
                return Err(ErrorData::invalid_params(
                    format!("Unknown tool: '{}'", request.name),
                    None,
                ));
            }
            next.run(request).await
        })
    }
}
