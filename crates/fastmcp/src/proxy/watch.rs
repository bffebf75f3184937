//! Resource updates across eras. A legacy session subscribes with `resources/subscribe`; a
//! 2026-07-28 client names the resources it follows in `subscriptions/listen`. The proxy asks
//! the upstream in the upstream's own terms: a legacy upstream session is sent
//! `resources/subscribe`, a 2026-07-28 upstream connection opens a listen for the URIs.
#![allow(deprecated)] // rmcp marks resources/subscribe deprecated (SEP-2577).

use std::sync::{Arc, PoisonError};

use rmcp::model::{
    ResourceUpdatedNotification, ResourceUpdatedNotificationParam, ServerNotification,
    SubscriptionFilter,
};
use rmcp::service::SubscriptionSink;
use tokio_util::task::AbortOnDropHandle;

use futures::future::BoxFuture;

use super::upstream::{Downstream, Upstream};
use super::{Proxy, Upstreams};
use crate::error::Error;
use crate::server::FastMCP;

impl Upstream {
    /// Has the upstream tell this connection when any of `uris` changes, until
    /// [`unwatch`](Self::unwatch) or the connection goes.
    pub(crate) async fn watch(&self, uris: Vec<String>) -> Result<(), Error> {
        if !self.client.is_stateless() {
            for uri in &uris {
                self.client.subscribe_resource(uri).await?;
            }
            return Ok(());
        }
        let mut filter = SubscriptionFilter::builder();
        for uri in &uris {
            filter = filter.resource_subscription(uri.as_str());
        }
        let mut updates = self.client.listen(filter.build()).await?;
        let sink = Arc::downgrade(&self.sink);
        let forward = tokio::spawn(async move {
            while let Ok(Some(notification)) = updates.next().await {
                let Some(sink) = sink.upgrade() else { return };
                sink.notify(notification);
            }
        });
        self.sink
            .watches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(uris, AbortOnDropHandle::new(forward));
        Ok(())
    }

    /// Stops watching `uri` (watched alone by [`watch`](Self::watch)).
    pub(crate) async fn unwatch(&self, uri: &str) -> Result<(), Error> {
        if !self.client.is_stateless() {
            return self.client.unsubscribe_resource(uri).await;
        }
        self.sink
            .watches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&vec![uri.to_owned()]);
        Ok(())
    }
}

/// What a `subscriptions/listen` has watched upstream, kept for as long as it lasts.
pub(crate) struct ListenWatch {
    _upstreams: Vec<Upstream>,
}

/// For a `subscriptions/listen` on `server` naming resources: each proxy among `server` and
/// the servers mounted in it watches, on a connection of its own, the resources that are its
/// own (under the names it knows them by) and hands their updates to the listen streams.
/// Once the watches are in place `listener` hears once of each watched resource: the listen
/// was acknowledged before the upstreams were asked, and a change in between would go unheard.
pub(crate) async fn watch_for_listener(
    server: &FastMCP,
    listener: &SubscriptionSink,
) -> ListenWatch {
    let uris = listener
        .accepted()
        .resource_subscriptions
        .clone()
        .unwrap_or_default();
    let mut watch = Watching::default();
    if !uris.is_empty() {
        let named = uris.into_iter().map(|uri| (uri.clone(), uri)).collect();
        watch.watch_in(server, named).await;
    }
    watch.covered.sort();
    watch.covered.dedup();
    for uri in watch.covered {
        let updated = ResourceUpdatedNotification::new(ResourceUpdatedNotificationParam::new(uri));
        let _ = listener
            .send(ServerNotification::ResourceUpdatedNotification(updated))
            .await;
    }
    ListenWatch {
        _upstreams: watch.upstreams,
    }
}

#[derive(Default)]
struct Watching {
    upstreams: Vec<Upstream>,
    /// The listener's URIs some proxy watches.
    covered: Vec<String>,
}

impl Watching {
    /// Watches `uris` (each as the listener names it, and as `server` does) through `server`
    /// if it is a proxy, and through its mounts under the names they know.
    fn watch_in<'a>(
        &'a mut self,
        server: &'a FastMCP,
        uris: Vec<(String, String)>,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Some(proxy) = server.proxied() {
                let here = uris.iter().map(|(_, here)| here.clone()).collect();
                if let Some(upstream) = proxy.watch_upstream(here).await {
                    self.upstreams.push(upstream);
                    self.covered
                        .extend(uris.iter().map(|(theirs, _)| theirs.clone()));
                }
            }
            for mount in server.mounts() {
                let child: Vec<(String, String)> = uris
                    .iter()
                    .filter_map(|(theirs, here)| Some((theirs.clone(), mount.child_uri(here)?)))
                    .collect();
                if !child.is_empty() {
                    self.watch_in(&mount.child, child).await;
                }
            }
        })
    }
}

impl Proxy {
    /// A connection of the proxy's own on which the upstream tells it when any of `uris`
    /// changes, its updates going to the server's listen streams (drop it to stop). `None`
    /// when the upstream cannot be asked (logged).
    async fn watch_upstream(&self, uris: Vec<String>) -> Option<Upstream> {
        if let Upstreams::Fixed(client) = &self.upstreams
            && !client.is_stateless()
        {
            // A given legacy client's notifications go to its own handlers, not the proxy's.
            return None;
        }
        let watched = async {
            let upstream = self.connect(Downstream::Listeners, None, true).await?;
            upstream.watch(uris).await?;
            Ok::<_, Error>(upstream)
        };
        match watched.await {
            Ok(upstream) => Some(upstream),
            Err(error) => {
                tracing::warn!(upstream = %self.label, %error, "resources not watched upstream");
                None
            }
        }
    }
}
