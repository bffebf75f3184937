//! Registering, removing, enabling and looking up a server's components.

use std::sync::{PoisonError, RwLockReadGuard, RwLockWriteGuard};

use super::FastMCP;
use super::notify::ListKind;
use super::registry::{Filter, Registry, Visibility};
use crate::error::Error;
use crate::prompts::{IntoPrompt, Prompt};
use crate::resources::{IntoResource, Resource, ResourceTemplate, template::IntoResourceTemplate};
use crate::tools::{IntoTool, Tool};
use crate::utilities::component::Component;

/// All of a server's components and the rules deciding which are visible.
#[derive(Debug, Default, Clone)]
pub(crate) struct Components {
    pub(crate) tools: Registry<Tool>,
    pub(crate) resources: Registry<Resource>,
    pub(crate) templates: Registry<ResourceTemplate>,
    pub(crate) prompts: Registry<Prompt>,
    pub(crate) visibility: Visibility,
}

impl Components {
    pub(crate) fn tool(&self, name: &str, version: Option<&str>) -> Option<Tool> {
        self.tools.get(name, version, &self.visibility)
    }

    pub(crate) fn prompt(&self, name: &str, version: Option<&str>) -> Option<Prompt> {
        self.prompts.get(name, version, &self.visibility)
    }

    pub(crate) fn resource(&self, uri: &str, version: Option<&str>) -> Option<Resource> {
        self.resources.get(uri, version, &self.visibility)
    }

    pub(crate) fn template(&self, uri_template: &str) -> Option<ResourceTemplate> {
        self.templates.get(uri_template, None, &self.visibility)
    }

    /// Whether `uri` is a visible resource here, or matches a visible template.
    pub(crate) fn serves_uri(&self, uri: &str) -> bool {
        self.resource(uri, None).is_some()
            || self
                .templates
                .visible(&self.visibility)
                .iter()
                .any(|template| template.match_uri(uri).is_some())
    }
}

/// Builder-style registration panics on a duplicate, like an overlapping route in axum.
fn or_panic(result: Result<(), Error>) {
    if let Err(error) = result {
        panic!("{error}");
    }
}

impl FastMCP {
    pub(crate) fn components(&self) -> RwLockReadGuard<'_, Components> {
        self.shared
            .components
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn components_mut(&self) -> RwLockWriteGuard<'_, Components> {
        self.shared
            .components
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn register<T: Component>(
        &self,
        item: T,
        registry: impl FnOnce(&mut Components) -> &mut Registry<T>,
        kind: ListKind,
    ) -> Result<(), Error> {
        let changed = {
            let mut components = self.components_mut();
            registry(&mut components).add(item, self.config.on_duplicate, &self.config.name)?
        };
        if changed {
            self.notify_list_changed(kind);
        }
        Ok(())
    }

    fn unregister<T: Component>(
        &self,
        key: &str,
        registry: impl FnOnce(&mut Components) -> &mut Registry<T>,
        kind: ListKind,
    ) -> bool {
        let removed = registry(&mut self.components_mut()).remove(key, None);
        if removed {
            self.notify_list_changed(kind);
        }
        removed
    }

    /// Adds a tool, builder style.
    ///
    /// # Panics
    /// If the name (and version) is already registered and the duplicate policy is `Error`
    /// (a programming error, like an overlapping route in axum). Use
    /// [`add_tool`](Self::add_tool) to handle it instead.
    pub fn tool(self, tool: impl IntoTool) -> Self {
        or_panic(self.add_tool(tool));
        self
    }

    /// Adds a tool (connected clients are told the list changed).
    pub fn add_tool(&self, tool: impl IntoTool) -> Result<(), Error> {
        self.register(tool.into_tool(), |c| &mut c.tools, ListKind::Tools)
    }

    /// Removes every version of the tool `name`; returns whether it existed.
    pub fn remove_tool(&self, name: &str) -> bool {
        self.unregister(name, |c: &mut Components| &mut c.tools, ListKind::Tools)
    }

    /// Every registered tool (all versions, enabled or not), in registration order.
    pub fn tools(&self) -> Vec<Tool> {
        self.components().tools.all().to_vec()
    }

    /// Adds a resource, builder style; panics like [`tool`](Self::tool).
    pub fn resource(self, resource: impl IntoResource) -> Self {
        or_panic(self.add_resource(resource));
        self
    }

    /// Adds a resource.
    pub fn add_resource(&self, resource: impl IntoResource) -> Result<(), Error> {
        self.register(
            resource.into_resource(),
            |c| &mut c.resources,
            ListKind::Resources,
        )
    }

    /// Removes the resource at `uri`; returns whether it existed.
    pub fn remove_resource(&self, uri: &str) -> bool {
        self.unregister(
            uri,
            |c: &mut Components| &mut c.resources,
            ListKind::Resources,
        )
    }

    /// Every registered resource, in registration order.
    pub fn resources(&self) -> Vec<Resource> {
        self.components().resources.all().to_vec()
    }

    /// Every registered resource template, in registration order.
    pub fn resource_templates(&self) -> Vec<ResourceTemplate> {
        self.components().templates.all().to_vec()
    }

    /// Adds a resource template, builder style; panics like [`tool`](Self::tool), and on a
    /// malformed URI template.
    pub fn resource_template(self, template: impl IntoResourceTemplate) -> Self {
        or_panic(self.add_resource_template(template));
        self
    }

    /// Adds a resource template; fails on a duplicate or a malformed URI template.
    pub fn add_resource_template(&self, template: impl IntoResourceTemplate) -> Result<(), Error> {
        let template = template.into_resource_template();
        if let Some(problem) = template.problem() {
            return Err(Error::Registration(problem.to_owned()));
        }
        self.register(template, |c| &mut c.templates, ListKind::Resources)
    }

    /// Removes the template written `uri_template`; returns whether it existed.
    pub fn remove_resource_template(&self, uri_template: &str) -> bool {
        self.unregister(
            uri_template,
            |c: &mut Components| &mut c.templates,
            ListKind::Resources,
        )
    }

    /// Adds a prompt, builder style; panics like [`tool`](Self::tool).
    pub fn prompt(self, prompt: impl IntoPrompt) -> Self {
        or_panic(self.add_prompt(prompt));
        self
    }

    /// Adds a prompt.
    pub fn add_prompt(&self, prompt: impl IntoPrompt) -> Result<(), Error> {
        self.register(prompt.into_prompt(), |c| &mut c.prompts, ListKind::Prompts)
    }

    /// Removes every version of the prompt `name`; returns whether it existed.
    pub fn remove_prompt(&self, name: &str) -> bool {
        self.unregister(name, |c: &mut Components| &mut c.prompts, ListKind::Prompts)
    }

    /// Every registered prompt (all versions, enabled or not), in registration order.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.components().prompts.all().to_vec()
    }

    /// Enables the components `filter` selects (overriding earlier rules and their own
    /// `enabled` flag). Connected clients are told the lists changed.
    ///
    /// ```
    /// use fastmcp::{FastMCP, Filter};
    /// let server = FastMCP::new("demo");
    /// server.disable(Filter::tag("admin"));
    /// server.enable(Filter::name("status"));
    /// ```
    pub fn enable(&self, filter: Filter) {
        self.set_visibility(filter, true);
    }

    /// Disables the components `filter` selects: hidden from lists, and not callable.
    pub fn disable(&self, filter: Filter) {
        self.set_visibility(filter, false);
    }

    /// Disables everything except what `filter` selects.
    pub fn enable_only(&self, filter: Filter) {
        {
            let mut components = self.components_mut();
            components.visibility.push(Filter::All, false);
            components.visibility.push(filter, true);
        }
        self.notify_all_lists_changed();
    }

    fn set_visibility(&self, filter: Filter, enabled: bool) {
        self.components_mut().visibility.push(filter, enabled);
        self.notify_all_lists_changed();
    }

    /// Reads `uri` as a client would: the fixed resource at that URI, else the first template
    /// matching it.
    pub(crate) async fn read_resource_as(
        &self,
        uri: &str,
        ctx: crate::server::Context,
    ) -> Result<Vec<crate::types::ResourceContents>, crate::error::RequestError> {
        Ok(self.read_resource_with_hint(uri, ctx).await?.0)
    }

    /// Reads `uri`, with the cache hint of the resource or template that answered.
    pub(crate) async fn read_resource_with_hint(
        &self,
        uri: &str,
        ctx: crate::server::Context,
    ) -> Result<
        (
            Vec<crate::types::ResourceContents>,
            Option<crate::utilities::CacheHint>,
        ),
        crate::error::RequestError,
    > {
        let (resource, templates) = {
            let components = self.components();
            let visibility = ctx.session_state().visibility(&components.visibility);
            match components.resources.get(uri, None, &visibility) {
                Some(resource) => (Some(resource), Vec::new()),
                None => (None, components.templates.visible(&visibility)),
            }
        };
        // Matched outside the lock: a long URI must not hold up registration.
        let template = templates
            .into_iter()
            .find_map(|template| template.match_uri(uri).map(|vars| (template, vars)));
        let granted = ctx.granted_scopes();
        match (resource, template) {
            (Some(resource), _) => {
                super::scopes::check("resource", uri, resource.component_meta(), granted)?;
                Ok((resource.read(ctx).await?, resource.cache_hint()))
            }
            (None, Some((template, variables))) => {
                super::scopes::check("resource", uri, template.component_meta(), granted)?;
                Ok((
                    template.read(uri, variables, ctx).await?,
                    template.cache_hint(),
                ))
            }
            (None, None) => Err(crate::types::ErrorData::resource_not_found(
                format!("Resource not found: {uri}"),
                Some(serde_json::json!({ "uri": uri })),
            )
            .into()),
        }
    }

    /// The scopes this server's own component named by a `method` request for `name` (a tool
    /// or prompt name, a resource URI) requires; empty if none or not found here.
    #[cfg(feature = "server-auth")]
    pub(crate) fn scopes_needed(&self, method: &str, name: &str) -> Vec<String> {
        let scopes = |meta: &crate::utilities::ComponentMeta| meta.scopes.iter().cloned().collect();
        let templates = {
            let components = self.components();
            let found = match method {
                crate::protocol::TOOLS_CALL => components
                    .tool(name, None)
                    .map(|t| scopes(t.component_meta())),
                crate::protocol::PROMPTS_GET => components
                    .prompt(name, None)
                    .map(|p| scopes(p.component_meta())),
                crate::protocol::RESOURCES_READ => components
                    .resource(name, None)
                    .map(|r| scopes(r.component_meta())),
                _ => return Vec::new(),
            };
            if let Some(found) = found {
                return found;
            }
            if method != crate::protocol::RESOURCES_READ {
                return Vec::new();
            }
            let visibility = &components.visibility;
            let mut scoped = components.templates.visible(visibility);
            scoped.retain(|t| !t.component_meta().scopes.is_empty());
            scoped
        };
        // Matched outside the lock, as reads are.
        templates
            .iter()
            .find(|template| template.match_uri(name).is_some())
            .map(|template| scopes(template.component_meta()))
            .unwrap_or_default()
    }

    pub(super) fn notify_all_lists_changed(&self) {
        for kind in [ListKind::Tools, ListKind::Resources, ListKind::Prompts] {
            self.notify_list_changed(kind);
        }
    }
}
