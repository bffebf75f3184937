//! Composition: servers mounted into a server under a namespace.
//!
//! A mounted server stays live: its components, their changes (and `list_changed`), its
//! middleware and lifespan hooks are the parent's. A request for a mounted component passes
//! the parent's middleware, is renamed back to the child's name, and is dispatched to the
//! child (through the child's middleware) with the same request context — so progress,
//! logging and elicitation inside a child's tool reach the client.
//!
//! Names as FastMCP 4: tools and prompts `{namespace}_{name}`; resources and templates
//! `{scheme}://{namespace}/{rest}` (a URI without `://`, such as `urn:…`, is left as is).
#![allow(deprecated)] // rmcp marks resources/subscribe deprecated (SEP-2577).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use rmcp::RoleServer;
use rmcp::model::{ClientRequest, ErrorData, PaginatedRequestParams, Reference, ServerResult};
use rmcp::service::RequestContext;

use super::FastMCP;
use super::session::Session;
use crate::middleware::{self as method, Typed as _};

/// How a server is mounted: its namespace and tool renames.
///
/// ```
/// use fastmcp::server::MountOptions;
/// let options = MountOptions::namespace("weather").rename_tool("get_forecast", "forecast");
/// # drop(options);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MountOptions {
    namespace: Option<String>,
    tool_names: HashMap<String, String>,
}

impl MountOptions {
    /// Mounted under `namespace` (an empty one keeps the child's names).
    pub fn namespace(namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        Self {
            namespace: (!namespace.is_empty()).then_some(namespace),
            tool_names: HashMap::new(),
        }
    }

    /// Mounted with the child's own names.
    pub fn no_namespace() -> Self {
        Self::default()
    }

    /// Calls the child's tool `name` `new_name` (before the namespace is added).
    pub fn rename_tool(mut self, name: impl Into<String>, new_name: impl Into<String>) -> Self {
        self.tool_names.insert(name.into(), new_name.into());
        self
    }
}

/// One mounted server.
#[derive(Debug, Clone)]
pub(crate) struct Mount {
    pub(crate) child: FastMCP,
    options: MountOptions,
}

impl Mount {
    /// The names the child offers, as the parent offers them (see `FastMCP::offered`).
    fn offered(&self) -> Vec<String> {
        self.child
            .offered()
            .into_iter()
            .map(|name| match name.split_once(':') {
                Some(("tool", tool)) => format!("tool:{}", self.tool_name(tool)),
                Some(("prompt", prompt)) => format!("prompt:{}", self.prefixed(prompt)),
                Some((kind, uri)) => format!("{kind}:{}", self.uri(uri)),
                None => name,
            })
            .collect()
    }

    /// The parent's name for the child's tool `name`.
    fn tool_name(&self, name: &str) -> String {
        let name = self
            .options
            .tool_names
            .get(name)
            .map_or(name, String::as_str);
        self.prefixed(name)
    }

    /// The child's name for the parent's tool `name`, if it is one of this mount's.
    fn child_tool_name(&self, name: &str) -> Option<String> {
        let local = self.unprefixed(name)?;
        let renamed = self
            .options
            .tool_names
            .iter()
            .find(|(_, new)| new.as_str() == local);
        match renamed {
            Some((original, _)) => Some(original.clone()),
            // A renamed tool is not reachable under its old name.
            None if self.options.tool_names.contains_key(local) => None,
            None => Some(local.to_owned()),
        }
    }

    fn prefixed(&self, name: &str) -> String {
        match &self.options.namespace {
            Some(namespace) => format!("{namespace}_{name}"),
            None => name.to_owned(),
        }
    }

    fn unprefixed<'n>(&self, name: &'n str) -> Option<&'n str> {
        match &self.options.namespace {
            Some(namespace) => name.strip_prefix(namespace.as_str())?.strip_prefix('_'),
            None => Some(name),
        }
    }

    fn uri(&self, uri: &str) -> String {
        match &self.options.namespace {
            Some(namespace) => prefixed_uri(uri, namespace),
            None => uri.to_owned(),
        }
    }

    fn child_uri(&self, uri: &str) -> Option<String> {
        match &self.options.namespace {
            Some(namespace) => unprefixed_uri(uri, namespace),
            None => Some(uri.to_owned()),
        }
    }
}

/// `scheme://rest` → `scheme://namespace/rest`; a URI without `://` stays as it is.
pub(crate) fn prefixed_uri(uri: &str, namespace: &str) -> String {
    match uri.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{namespace}/{rest}"),
        None => uri.to_owned(),
    }
}

/// `scheme://namespace/rest` → `scheme://rest`; `None` for a URI outside the namespace.
pub(crate) fn unprefixed_uri(uri: &str, namespace: &str) -> Option<String> {
    match uri.split_once("://") {
        Some((scheme, rest)) => {
            let rest = rest.strip_prefix(namespace)?.strip_prefix('/')?;
            Some(format!("{scheme}://{rest}"))
        }
        None => Some(uri.to_owned()),
    }
}

impl FastMCP {
    /// Mounts `child` under `namespace`, live: its tools and prompts appear as
    /// `{namespace}_{name}`, its resources and templates as `{scheme}://{namespace}/{rest}`;
    /// later changes to `child` show through (clients hear `list_changed`); its middleware
    /// runs inside this server's, and its startup and shutdown hooks with this server's.
    /// An empty namespace keeps the child's names. This server's own components win a name
    /// clash; between mounts the duplicate policy decides ([`FastMCP::on_duplicate`]): an
    /// error at mount time (the default), or the first mount kept (`Warn`, `Ignore`), or the
    /// latest (`Replace`).
    ///
    /// ```
    /// use fastmcp::{tool, FastMCP};
    ///
    /// /// Add two numbers.
    /// #[tool]
    /// fn add(a: i64, b: i64) -> i64 {
    ///     a + b
    /// }
    ///
    /// let math = FastMCP::new("math").tool(add);
    /// let server = FastMCP::new("main").mount(math, "math"); // offers `math_add`
    /// # drop(server);
    /// ```
    pub fn mount(self, child: FastMCP, namespace: &str) -> Self {
        self.mount_with(child, MountOptions::namespace(namespace))
    }

    /// Mounts `child` with `options` (a namespace, tool renames); see [`FastMCP::mount`].
    ///
    /// # Panics
    /// If `child` is this server or mounts it (a loop), or if the child offers a name this
    /// server already offers and the duplicate policy is
    /// [`DuplicatePolicy::Error`](super::DuplicatePolicy) (the default), like
    /// [`FastMCP::tool`]: mount under a namespace, rename, or choose another policy.
    pub fn mount_with(self, child: FastMCP, options: MountOptions) -> Self {
        assert!(
            !child.contains(&self),
            "mounting server '{}' into '{}' would make a loop: it is that server, or mounts it",
            child.name(),
            self.name()
        );
        let mount = Mount { child, options };
        self.check_clashes(&mount);
        mount
            .child
            .add_parent(&self, mount.options.namespace.clone());
        self.mounts_mut().push(mount);
        self.notify_all_lists_changed();
        self
    }

    /// Whether `other` is this server (a clone of it) or mounted in it, at any depth.
    fn contains(&self, other: &FastMCP) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
            || self
                .mounts()
                .iter()
                .any(|mount| mount.child.contains(other))
    }

    /// What the duplicate policy says of names the new mount shares with this server: an
    /// error (a panic, as for a duplicate tool), a warning, or nothing. Which one is served
    /// follows the policy too (see [`FastMCP::mounts`]).
    fn check_clashes(&self, mount: &Mount) {
        let ours = self.offered();
        let clashes: Vec<String> = mount
            .offered()
            .into_iter()
            .filter(|name| ours.contains(name))
            .collect();
        if clashes.is_empty() {
            return;
        }
        let listed = clashes
            .iter()
            .map(|clash| match clash.split_once(':') {
                Some((kind, name)) => format!("{kind} '{name}'"),
                None => clash.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let server = &self.config.name;
        match self.config.on_duplicate {
            super::DuplicatePolicy::Error => panic!(
                "mounting server '{}' on '{server}': {listed} already offered; mount it under \
                 a namespace, rename, or set another duplicate policy",
                mount.child.name()
            ),
            super::DuplicatePolicy::Warn => {
                tracing::warn!(%server, "{listed} offered twice; keeping the first");
            }
            super::DuplicatePolicy::Ignore | super::DuplicatePolicy::Replace => {}
        }
    }

    /// Every name this server offers (its own and its mounts'), by kind: `tool:add`,
    /// `prompt:greet`, `resource:mem://x`, `template:mem://{id}`.
    fn offered(&self) -> Vec<String> {
        let mut names = Vec::new();
        {
            let components = self.components();
            let visibility = &components.visibility;
            let keys = |kind: &'static str, keys: Vec<String>| {
                keys.into_iter().map(move |key| format!("{kind}:{key}"))
            };
            let tools = components.tools.visible(visibility);
            names.extend(keys(
                "tool",
                tools.iter().map(|t| t.name().to_owned()).collect(),
            ));
            let prompts = components.prompts.visible(visibility);
            names.extend(keys(
                "prompt",
                prompts.iter().map(|p| p.name().to_owned()).collect(),
            ));
            let resources = components.resources.visible(visibility);
            names.extend(keys(
                "resource",
                resources.iter().map(|r| r.uri().to_owned()).collect(),
            ));
            let templates = components.templates.visible(visibility);
            names.extend(keys(
                "template",
                templates
                    .iter()
                    .map(|t| t.uri_template().to_owned())
                    .collect(),
            ));
        }
        for mount in self.mounts() {
            names.extend(mount.offered());
        }
        names
    }

    /// Copies `child`'s components as they are now, under `namespace` (names as
    /// [`FastMCP::mount`]); later changes to `child` do not show, and its middleware,
    /// transforms and lifespan hooks are not taken.
    pub fn import_server(self, child: &FastMCP, namespace: &str) -> Self {
        let snapshot = child.snapshot();
        self.mounts_mut().push(Mount {
            child: snapshot,
            options: MountOptions::namespace(namespace),
        });
        self.notify_all_lists_changed();
        self
    }

    pub(crate) fn has_mounts(&self) -> bool {
        !self
            .shared
            .mounts
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// The mounted servers, the one whose component wins a name clash first: the latest
    /// mount under [`DuplicatePolicy::Replace`](super::DuplicatePolicy), else the first.
    pub(crate) fn mounts(&self) -> Vec<Mount> {
        let mut mounts = self
            .shared
            .mounts
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if self.config.on_duplicate == super::DuplicatePolicy::Replace {
            mounts.reverse();
        }
        mounts
    }

    fn mounts_mut(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Mount>> {
        self.shared
            .mounts
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether this server, or a server mounted in it, has a tool called `name`.
    fn provides_tool(&self, name: &str) -> bool {
        self.is_proxy()
            || self.components().tool(name, None).is_some()
            || self.mounts().iter().any(|mount| {
                mount
                    .child_tool_name(name)
                    .is_some_and(|name| mount.child.provides_tool(&name))
            })
    }

    fn provides_prompt(&self, name: &str) -> bool {
        self.is_proxy()
            || self.components().prompt(name, None).is_some()
            || self.mounts().iter().any(|mount| {
                mount
                    .unprefixed(name)
                    .is_some_and(|name| mount.child.provides_prompt(name))
            })
    }

    fn provides_resource(&self, uri: &str) -> bool {
        let local = self.is_proxy() || {
            let components = self.components();
            components.resource(uri, None).is_some()
                || components
                    .templates
                    .visible(&components.visibility)
                    .iter()
                    .any(|template| template.match_uri(uri).is_some())
        };
        local
            || self.mounts().iter().any(|mount| {
                mount
                    .child_uri(uri)
                    .is_some_and(|uri| mount.child.provides_resource(&uri))
            })
    }

    fn provides_template(&self, uri_template: &str) -> bool {
        self.is_proxy()
            || self.components().template(uri_template).is_some()
            || self.mounts().iter().any(|mount| {
                mount
                    .child_uri(uri_template)
                    .is_some_and(|uri| mount.child.provides_template(&uri))
            })
    }

    /// A copy of this server with its components as they are now, and no middleware,
    /// transforms or lifespan hooks.
    fn snapshot(&self) -> FastMCP {
        let copy = FastMCP {
            config: Arc::new(super::Config {
                middleware: Vec::new(),
                transforms: 0,
                startup: Vec::new(),
                shutdown: Vec::new(),
                ..(*self.config).clone()
            }),
            shared: Arc::default(),
        };
        *copy.components_mut() = self.components().clone();
        *copy.mounts_mut() = self
            .mounts()
            .into_iter()
            .map(|mount| Mount {
                child: mount.child.snapshot(),
                options: mount.options,
            })
            .collect();
        copy
    }
}

impl Session {
    /// Whether this server has the component `request` is for itself (a proxy passes on what
    /// it does not have).
    #[cfg(feature = "client")]
    pub(super) fn serves_locally(&self, request: &ClientRequest) -> bool {
        let components = self.server.components();
        match request {
            ClientRequest::CallToolRequest(call) => {
                components.tool(&call.params.name, None).is_some()
            }
            ClientRequest::GetPromptRequest(get) => {
                components.prompt(&get.params.name, None).is_some()
            }
            ClientRequest::ReadResourceRequest(read) => {
                components.resource(&read.params.uri, None).is_some()
                    || components
                        .templates
                        .visible(&components.visibility)
                        .iter()
                        .any(|template| template.match_uri(&read.params.uri).is_some())
            }
            other => super::tasks::task_id(other)
                .is_some_and(|task| self.server.tasks().get_task(task).is_ok()),
        }
    }

    /// The mounted server a request is for, and the request renamed for it; `None` when
    /// this server serves it itself (or nobody does: then it answers "unknown").
    pub(super) fn route(&self, request: &ClientRequest) -> Option<(Session, ClientRequest)> {
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
                route_task(server, &mounts, super::tasks::task_id(&request)?)
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
    pub(super) async fn mounted_lists(
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
    {
        let components = server.components();
        let local = components.resource(uri, None).is_some()
            || components
                .templates
                .visible(&components.visibility)
                .iter()
                .any(|template| template.match_uri(uri).is_some());
        if local {
            return None;
        }
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
    pub(crate) fn of_kind(kind: super::notify::ListKind) -> &'static [ListOf] {
        use super::notify::ListKind;
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
