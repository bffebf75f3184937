//! [`SessionState`]: what lives as long as one client session — its id, log level,
//! subscriptions, stored values and visibility rules — and, with replicas, the same shared
//! through a store (`server/replicated.rs`).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock, PoisonError};

use rmcp::{Peer, RoleServer};
use serde_json::Value;

use super::replicated::{Change, Replicated};
use crate::logging::LogLevel;

/// State that lives as long as one client connection (session).
#[derive(Debug)]
pub(crate) struct SessionState {
    /// What the session's id is made from.
    secret: &'static super::secret::Secret,
    /// An id for the session, made when first asked for.
    id: OnceLock<String>,
    /// The minimum level set by `logging/setLevel`; `None` sends every level.
    log_level: Mutex<Option<LogLevel>>,
    /// The connection, once a request has been seen on it.
    peer: OnceLock<Peer<RoleServer>>,
    /// URIs the client subscribed to with `resources/subscribe`.
    subscriptions: Mutex<BTreeSet<String>>,
    /// Values tools stored with `Context::set_state`.
    values: Mutex<HashMap<String, Value>>,
    /// Counts this session among the server's live ones until dropped.
    live: OnceLock<super::lifespan::LiveSession>,
    /// List changes and resource updates on their way to a legacy session, in order.
    notices: OnceLock<super::notify::NoticeQueue>,
    /// Enable/disable rules of this session only, after the server's.
    visibility: Mutex<Vec<(super::Filter, bool)>>,
    /// This session's connections to the servers of the proxies it reached (closed with it).
    #[cfg(feature = "client")]
    pub(crate) upstreams: crate::proxy::SessionUpstreams,
    /// With replicas: the session's record in the shared store, which this copy follows.
    replicated: OnceLock<Replicated>,
}

impl SessionState {
    pub(crate) fn new(secret: &'static super::secret::Secret) -> Self {
        Self {
            secret,
            id: OnceLock::new(),
            log_level: Mutex::default(),
            peer: OnceLock::new(),
            subscriptions: Mutex::default(),
            values: Mutex::default(),
            live: OnceLock::new(),
            notices: OnceLock::new(),
            visibility: Mutex::default(),
            #[cfg(feature = "client")]
            upstreams: Default::default(),
            replicated: OnceLock::new(),
        }
    }

    /// The server's visibility rules followed by this session's own.
    pub(crate) fn visibility<'a>(
        &self,
        server: &'a super::registry::Visibility,
    ) -> std::borrow::Cow<'a, super::registry::Visibility> {
        let own = self
            .visibility
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if own.is_empty() {
            return std::borrow::Cow::Borrowed(server);
        }
        let mut combined = server.clone();
        for (filter, enabled) in own.iter() {
            combined.push(filter.clone(), *enabled);
        }
        std::borrow::Cow::Owned(combined)
    }

    pub(crate) fn set_visibility(&self, rule: Option<(super::Filter, bool)>) {
        let mut own = self
            .visibility
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match rule {
            Some(rule) => own.push(rule),
            None => own.clear(),
        }
        if let Some(replicated) = self.replicated.get() {
            replicated.save(Change::Visibility(own.clone()));
        }
    }

    pub(crate) fn track(&self, live: super::lifespan::LiveSession) {
        let _ = self.live.set(live);
    }

    pub(crate) fn id(&self) -> &str {
        self.id.get_or_init(|| self.secret.new_id())
    }

    /// Makes this the copy of session `id` that replicas share through `share` (on its
    /// `initialize`, replayed on every replica that takes the session over): the session's id
    /// becomes `id` on every replica, and what it stores is shared.
    #[cfg(feature = "http-server")]
    pub(crate) fn replicate(
        &self,
        id: &str,
        share: std::sync::Arc<dyn super::replicated::SessionShare>,
    ) {
        let _ = self.id.set(id.to_owned());
        let _ = self
            .replicated
            .set(Replicated::start(self.id().to_owned(), share));
    }

    /// Whether replicas share this session (its subscriptions live in the store).
    pub(crate) fn is_replicated(&self) -> bool {
        self.replicated.get().is_some()
    }

    /// With replicas: catches up with the session's record (what requests on other replicas
    /// changed) before a request is served.
    pub(crate) async fn catch_up(&self) {
        let Some(replicated) = self.replicated.get() else {
            return;
        };
        let Some(extras) = replicated.load().await else {
            return;
        };
        *self
            .log_level
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = extras.log_level;
        *self.values.lock().unwrap_or_else(PoisonError::into_inner) = extras.values;
        *self
            .visibility
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = extras.visibility;
    }

    /// With replicas: waits until what this request changed is in the store, so the client's
    /// next request finds it on any replica.
    pub(crate) async fn flush(&self) {
        if let Some(replicated) = self.replicated.get() {
            replicated.flush().await;
        }
    }

    /// Drops the session's shared record (it ended).
    #[cfg(feature = "http-server")]
    pub(crate) async fn forget(&self) {
        if let Some(replicated) = self.replicated.get() {
            replicated.forget().await;
        }
    }

    pub(crate) fn remember_peer(&self, peer: &Peer<RoleServer>) {
        if self.peer.get().is_none() {
            let _ = self.peer.set(peer.clone());
        }
    }

    /// The connection, if this session began with `initialize` (the legacy era, where the
    /// server may send notifications at any time).
    pub(crate) fn legacy_peer(&self) -> Option<Peer<RoleServer>> {
        self.peer
            .get()
            .filter(|peer| peer.peer_info().is_some())
            .cloned()
    }

    /// The queue of notifications to a legacy session (started on first use); `None` for a
    /// session that has no connection to notify.
    pub(crate) fn notice_queue(
        &self,
        runtime: &tokio::runtime::Handle,
    ) -> Option<&super::notify::NoticeQueue> {
        if let Some(queue) = self.notices.get() {
            return Some(queue);
        }
        let peer = self.legacy_peer()?;
        Some(self.notices.get_or_init(|| {
            super::notify::NoticeQueue::start(runtime, move |notification| {
                let peer = peer.clone();
                async move { peer.send_notification(notification).await.is_ok() }
            })
        }))
    }

    pub(crate) fn subscribe(&self, uri: String) {
        if let Some(replicated) = self.replicated.get() {
            return replicated.save(Change::Subscribe(uri));
        }
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(uri);
    }

    pub(crate) fn unsubscribe(&self, uri: &str) {
        if let Some(replicated) = self.replicated.get() {
            return replicated.save(Change::Unsubscribe(uri.to_owned()));
        }
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(uri);
    }

    pub(crate) fn set_value(&self, key: String, value: Value) {
        if let Some(replicated) = self.replicated.get() {
            replicated.save(Change::Value(key.clone(), value.clone()));
        }
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, value);
    }

    pub(crate) fn value(&self, key: &str) -> Option<Value> {
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(uri)
    }

    pub(crate) fn set_log_level(&self, level: LogLevel) {
        if let Some(replicated) = self.replicated.get() {
            replicated.save(Change::LogLevel(level));
        }
        *self
            .log_level
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(level);
    }

    pub(crate) fn sends(&self, level: LogLevel) -> bool {
        self.log_level
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none_or(|minimum| level >= minimum)
    }
}
