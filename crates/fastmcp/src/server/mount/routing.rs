//! Requests and lists across mounts: which mounted server a request is for (renamed back to the
//! child's names), and the children's lists under the parent's names.

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{ClientRequest, ErrorData, PaginatedRequestParams, Reference, ServerResult};
use rmcp::service::RequestContext;

use super::Mount;
use crate::middleware::{self as method, Typed as _};
use crate::server::FastMCP;
use crate::server::session::Session;

impl Session {
    /// Whether this server has the component `request` is for itself (a proxy passes on what
    /// it does not have).
    #[cfg(feature = "client")]
    pub(in crate::server) fn serves_locally(&self, request: &ClientRequest) -> bool {
        let components = self.server.components();
        match request {
            ClientRequest::CallToolRequest(call) => {
                components.tool(&call.params.name, None).is_some()
            }
            ClientRequest::GetPromptRequest(get) => {
                components.prompt(&get.params.name, None).is_some()
            }
            ClientRequest::ReadResourceRequest(read) => components.serves_uri(&read.params.uri),
            other => crate::server::tasks::task_id(other)
                .is_some_and(|task| self.server.tasks().get_task(task).is_ok()),
        }
    }

    /// The mounted server a request is for, and the request renamed for it; `None` when
    /// this server serves it itself (or nobody does: then it answers "unknown").
    pub(in crate::server) fn route(
        &self,
        request: &ClientRequest,
    ) -> Option<(Session, ClientRequest)> {
        let mounts = self.server.mounts();
        if mounts.is_empty() {
            return None;
        }
        let server = &self.server;
        let mut request = request.clone();
        // This server's own components win; then the latest mount.
        let found = match &mut request {
            ClientRequest::CallToolRequest(call) => {
                if server.components().tool(&call.params.name, None).is_some() {
                    return None;
                }
                mounts.iter().find_map(|mount| {
                    let name = mount.child_tool_name(&call.params.name)?;
                    mount.child.provides_tool(&name).then(|| {
                        call.params.name = name.into();
                        mount
                    })
                })
            }
            ClientRequest::GetPromptRequest(get) => {
                if server.components().prompt(&get.params.name, None).is_some() {
                    return None;
                }
                route_name(&mounts, &mut get.params.name)
            }
            ClientRequest::ReadResourceRequest(read) => {
                route_uri(server, &mounts, &mut read.params.uri)
            }
            ClientRequest::SubscribeRequest(sub) => route_uri(server, &mounts, &mut sub.params.uri),
            ClientRequest::UnsubscribeRequest(sub) => {
                route_uri(server, &mounts, &mut sub.params.uri)
            }
            // A task runs where its tool ran (task ids are unique, not renamed).
            ClientRequest::GetTaskRequest(_)
            | ClientRequest::UpdateTaskRequest(_)
            | ClientRequest::CancelTaskRequest(_) => {
                route_task(server, &mounts, crate::server::tasks::task_id(&request)?)
            }
            ClientRequest::CompleteRequest(complete) => match &mut complete.params.r#ref {
                Reference::Prompt(prompt) => {
                    if server.components().prompt(&prompt.name, None).is_some() {
                        return None;
                    }
                    route_name(&mounts, &mut prompt.name)
                }
                Reference::Resource(resource) => {
                    if server.components().template(&resource.uri).is_some() {
                        return None;
                    }
                    mounts.iter().find_map(|mount| {
                        let uri = mount.child_uri(&resource.uri)?;
                        mount.child.provides_template(&uri).then(|| {
                            resource.uri = uri;
                            mount
                        })
                    })
                }
                _ => None,
            },
            _ => None,
        }?;
        let child = Session::new(found.child.clone(), Arc::clone(&self.state));
        Some((child, request))
    }

    /// The lists of every mounted server (each through its own middleware), renamed.
    pub(in crate::server) async fn mounted_lists(
        &self,
        kind: ListOf,
        context: &RequestContext<RoleServer>,
    ) -> Result<Vec<ServerResult>, ErrorData> {
        let mut lists = Vec::new();
        for mount in self.server.mounts().iter() {
            let child = Session::new(mount.child.clone(), Arc::clone(&self.state));
            let mut cursor = None;
            loop {
                let request = kind.request(cursor.take());
                let answer = match Box::pin(child.dispatch(request, context.clone())).await {
                    Ok(answer) => answer,
                    // One unreachable upstream does not hide the others' components.
                    Err(error) if mount.child.is_proxy() => {
                        tracing::warn!(server = %mount.child.name(), error = %error.message,
                            "a proxied server failed to list its components");
                        break;
                    }
                    Err(error) => return Err(error),
                };
                let (answer, next) = rename_list(mount, answer);
                lists.push(answer);
                match next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        Ok(lists)
    }
}

fn route_task<'m>(server: &FastMCP, mounts: &'m [Mount], task_id: &str) -> Option<&'m Mount> {
    if server.tasks().get_task(task_id).is_ok() {
        return None;
    }
    mounts.iter().find(|mount| mount.child.runs_task(task_id))
}

fn route_name<'m>(mounts: &'m [Mount], name: &mut String) -> Option<&'m Mount> {
    mounts.iter().find_map(|mount| {
        let local = mount.unprefixed(name)?.to_owned();
        mount.child.provides_prompt(&local).then(|| {
            *name = local;
            mount
        })
    })
}

fn route_uri<'m>(server: &FastMCP, mounts: &'m [Mount], uri: &mut String) -> Option<&'m Mount> {
    if server.components().serves_uri(uri) {
        return None;
    }
    mounts.iter().find_map(|mount| {
        let local = mount.child_uri(uri)?;
        mount.child.provides_resource(&local).then(|| {
            *uri = local;
            mount
        })
    })
}

/// Which list a mounted server is asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ListOf {
    Tools,
    Resources,
    ResourceTemplates,
    Prompts,
}

impl ListOf {
    /// The lists a `list_changed` of `kind` is about.
    #[cfg(feature = "client")]
    pub(crate) fn of_kind(kind: crate::server::notify::ListKind) -> &'static [ListOf] {
        use crate::server::notify::ListKind;
        match kind {
            ListKind::Tools => &[ListOf::Tools],
            ListKind::Prompts => &[ListOf::Prompts],
            ListKind::Resources => &[ListOf::Resources, ListOf::ResourceTemplates],
        }
    }

    fn request(self, cursor: Option<String>) -> ClientRequest {
        let params =
            cursor.map(|cursor| PaginatedRequestParams::default().with_cursor(Some(cursor)));
        match self {
            ListOf::Tools => method::ListTools::request(params),
            ListOf::Resources => method::ListResources::request(params),
            ListOf::ResourceTemplates => method::ListResourceTemplates::request(params),
            ListOf::Prompts => method::ListPrompts::request(params),
        }
    }
}

/// A mounted server's list page under the parent's names, and its next cursor.
fn rename_list(mount: &Mount, answer: ServerResult) -> (ServerResult, Option<String>) {
    match answer {
        ServerResult::ListToolsResult(mut list) => {
            for tool in &mut list.tools {
                tool.name = mount.tool_name(&tool.name).into();
            }
            let next = list.next_cursor.take();
            (ServerResult::ListToolsResult(list), next)
        }
        ServerResult::ListPromptsResult(mut list) => {
            for prompt in &mut list.prompts {
                prompt.name = mount.prefixed(&prompt.name);
            }
            let next = list.next_cursor.take();
            (ServerResult::ListPromptsResult(list), next)
        }
        ServerResult::ListResourcesResult(mut list) => {
            for resource in &mut list.resources {
                resource.uri = mount.uri(&resource.uri);
            }
            let next = list.next_cursor.take();
            (ServerResult::ListResourcesResult(list), next)
        }
        ServerResult::ListResourceTemplatesResult(mut list) => {
            for template in &mut list.resource_templates {
                template.uri_template = mount.uri(&template.uri_template);
            }
            let next = list.next_cursor.take();
            (ServerResult::ListResourceTemplatesResult(list), next)
        }
        other => (other, None),
    }
}
