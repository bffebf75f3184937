//! Server-side progress for one request: ordering, coalescing, and the end-of-request flush.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    ProgressNotification, ProgressNotificationParam, ProgressToken, ServerNotification,
};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::outbound::Outbound;

/// Sends the progress of one request, under the contract in MISSION.md §1:
/// values must strictly increase (others are dropped with a debug log); with an interval set,
/// bursts are coalesced so at most one notification leaves per interval, and the newest held
/// value is always sent before the result; after [`finish`](Self::finish) nothing is sent.
pub(crate) struct ProgressReporter {
    token: ProgressToken,
    outbound: Outbound,
    interval: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    last: Option<f64>,
    /// The newest value not yet sent (coalescing only).
    held: Option<ProgressNotificationParam>,
    last_sent: Option<Instant>,
    timer_armed: bool,
    finished: bool,
}

impl ProgressReporter {
    pub(crate) fn new(
        token: ProgressToken,
        outbound: Outbound,
        interval: Option<Duration>,
    ) -> Arc<Self> {
        Arc::new(Self {
            token,
            outbound,
            interval,
            state: Mutex::new(State::default()),
        })
    }

    pub(crate) fn token(&self) -> &ProgressToken {
        &self.token
    }

    pub(crate) async fn report(
        self: &Arc<Self>,
        progress: f64,
        total: Option<f64>,
        message: Option<&str>,
    ) {
        // The lock is held across the send so concurrent reporters cannot reorder values.
        let mut state = self.state.lock().await;
        if state.finished {
            tracing::debug!(
                progress,
                "dropping progress reported after the request finished"
            );
            return;
        }
        if !progress.is_finite() || state.last.is_some_and(|last| progress <= last) {
            tracing::debug!(progress, last = ?state.last, "dropping progress that does not increase");
            return;
        }
        state.last = Some(progress);
        let mut param = ProgressNotificationParam::new(self.token.clone(), progress);
        param.total = total.filter(|t| t.is_finite());
        param.message = message.map(str::to_owned);
        let Some(interval) = self.interval else {
            self.send(param).await;
            return;
        };
        let now = Instant::now();
        let due = state.last_sent.is_none_or(|sent| now >= sent + interval);
        if due && !state.timer_armed {
            state.held = None;
            state.last_sent = Some(now);
            self.send(param).await;
            return;
        }
        state.held = Some(param);
        if !state.timer_armed {
            state.timer_armed = true;
            let deadline = state.last_sent.map_or(now, |sent| sent + interval);
            let this = Arc::clone(self);
            tokio::spawn(async move {
                tokio::time::sleep_until(deadline).await;
                this.send_held().await;
            });
        }
    }

    async fn send_held(&self) {
        let mut state = self.state.lock().await;
        state.timer_armed = false;
        if state.finished {
            return;
        }
        if let Some(param) = state.held.take() {
            state.last_sent = Some(Instant::now());
            self.send(param).await;
        }
    }

    /// Sends the newest held value, then closes: call before the result is sent.
    pub(crate) async fn finish(&self) {
        let mut state = self.state.lock().await;
        if state.finished {
            return;
        }
        state.finished = true;
        if let Some(param) = state.held.take() {
            self.send(param).await;
        }
    }

    async fn send(&self, param: ProgressNotificationParam) {
        let notification =
            ServerNotification::ProgressNotification(ProgressNotification::new(param));
        if !self.outbound.notify(notification).await {
            tracing::debug!("progress not sent: the connection is closed");
        }
    }
}
