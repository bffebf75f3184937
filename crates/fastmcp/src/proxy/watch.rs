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

use super::upstream::{Downstream, Upstream};
use super::{Proxy, Upstreams};
use crate::error::Error;

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

impl Proxy {
    /// For a downstream `subscriptions/listen` naming resources: a connection of its own that
    /// watches them upstream and hands their updates to the server's listeners; kept for as
    /// long as the listen lasts (drop it to stop). Once it watches, `listener` is told each
    /// resource was updated (it may have been while the proxy was asking). `None` when nothing is to be watched or
    /// the upstream cannot be asked (a failure is logged: the listen still hears the rest).
    pub(crate) async fn watch_for_listener(&self, listener: &SubscriptionSink) -> Option<Upstream> {
        let uris = listener.accepted().resource_subscriptions.clone()?;
        if uris.is_empty() {
            return None;
        }
        if let Upstreams::Fixed(client) = &self.upstreams
            && !client.is_stateless()
        {
            // A given legacy client's notifications go to its own handlers, not the proxy's.
            return None;
        }
        let watched = async {
            let upstream = self.connect(Downstream::Listeners, None, true).await?;
            upstream.watch(uris.clone()).await?;
            Ok::<_, Error>(upstream)
        };
        match watched.await {
            Ok(upstream) => {
                // The listen was acknowledged before the upstream was asked: a change in
                // between would go unheard, so the listener hears of each resource once now.
                for uri in uris {
                    let updated = ResourceUpdatedNotification::new(
                        ResourceUpdatedNotificationParam::new(uri),
                    );
                    let notification = ServerNotification::ResourceUpdatedNotification(updated);
                    let _ = listener.send(notification).await;
                }
                Some(upstream)
            }
            Err(error) => {
                tracing::warn!(upstream = %self.label, %error, "resources not watched upstream");
                None
            }
        }
    }
}
