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

mod routing;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use super::FastMCP;
pub(crate) use routing::ListOf;

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

    /// What the child calls `uri`, if it is under this mount.
    pub(crate) fn child_uri(&self, uri: &str) -> Option<String> {
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
        self.is_proxy()
            || self.components().serves_uri(uri)
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
