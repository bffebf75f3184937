//! [`Call`]: one request of a session served in its POST's own task, and its [`Answer`].

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use rmcp::model::{
    ClientRequest, GetExtensions as _, GetMeta as _, JsonRpcRequest, RequestId,
    ServerJsonRpcMessage,
};
use rmcp::service::{RequestContext, Service as _};
use rmcp::transport::common::server_side_http::ServerSseMessage;
use tokio::sync::mpsc;

use super::live::{Attached, Live, Log, Route};
use super::{Events, STREAM_CAPACITY, receiver_stream};
use crate::server::outbound::ResponseStream;

/// A request's answer: all of it (the handler finished without talking first), or the
/// priming event and the rest as it comes.
pub(crate) enum Answer {
    Now(Vec<ServerSseMessage>),
    Streaming(Option<ServerSseMessage>, mpsc::Receiver<ServerSseMessage>),
}

impl Answer {
    pub(crate) fn into_stream(self) -> Events {
        match self {
            Answer::Now(events) => Box::pin(futures::stream::iter(events)),
            Answer::Streaming(priming, rest) => {
                Box::pin(futures::stream::iter(priming).chain(receiver_stream(rest)))
            }
        }
    }
}

/// One request being served in its POST's task.
pub(crate) struct Call {
    id: RequestId,
    work: futures::future::BoxFuture<'static, ServerJsonRpcMessage>,
    messages: mpsc::Receiver<ServerJsonRpcMessage>,
}

impl Call {
    pub(crate) fn start(
        live: &Arc<Live>,
        attached: &Attached,
        request: JsonRpcRequest<ClientRequest>,
    ) -> Self {
        let JsonRpcRequest {
            id, mut request, ..
        } = request;
        let (sender, messages) = mpsc::channel(STREAM_CAPACITY);
        let cancel = live.ended.child_token();
        let mut context = RequestContext::new(id.clone(), attached.peer.clone());
        context.ct = cancel.clone();
        std::mem::swap(&mut context.meta, request.get_meta_mut());
        std::mem::swap(&mut context.extensions, request.extensions_mut());
        context.extensions.insert(ResponseStream(sender.clone()));
        live.route(
            id.clone(),
            Route {
                messages: sender,
                cancel,
            },
        );
        let session = attached.session.clone();
        let answer_to = id.clone();
        let work = Box::pin(async move {
            match session.handle_request(request, context).await {
                Ok(result) => ServerJsonRpcMessage::response(result, answer_to),
                Err(error) => ServerJsonRpcMessage::error(error, Some(answer_to)),
            }
        });
        Self { id, work, messages }
    }

    /// Runs the handler here until it answers or says something first. An answer is sent in
    /// one piece; otherwise the handler goes on in its own task, which keeps running (and
    /// storing its events) if the client goes away.
    pub(crate) async fn answer(mut self, live: Arc<Live>, retry: Option<Duration>) -> Answer {
        let log = live.log();
        // The priming event is stored while the handler runs, and the events of an answer in
        // one piece are stored without waiting for it: a store's round trips overlap (Redis
        // pipelines them on one connection). Each event's store is started after the
        // priming's, so the priming comes first in the stream.
        let mut priming = Box::pin(log.priming(retry));
        let mut primed = None;
        let first = loop {
            tokio::select! {
                biased;
                event = priming.as_mut(), if primed.is_none() => primed = Some(event),
                last = &mut self.work => break Ok(last),
                Some(first) = self.messages.recv() => break Err(first),
            }
        };
        let priming = async {
            match primed {
                Some(event) => event,
                None => priming.await,
            }
        };
        match first {
            Ok(last) => {
                live.unroute(&self.id);
                let mut messages = Vec::new();
                while let Ok(message) = self.messages.try_recv() {
                    messages.push(message);
                }
                messages.push(last);
                let rest = futures::future::join_all(messages.into_iter().map(|m| log.record(m)));
                let (priming, rest) = tokio::join!(priming, rest);
                Answer::Now(priming.into_iter().chain(rest).collect())
            }
            Err(first) => {
                let priming = priming.await;
                let (sender, receiver) = mpsc::channel(STREAM_CAPACITY);
                tokio::spawn(self.finish(live, log, first, sender));
                Answer::Streaming(priming, receiver)
            }
        }
    }

    /// Forwards what the handler sends, then its answer, and ends the stream.
    async fn finish(
        mut self,
        live: Arc<Live>,
        log: Log,
        first: ServerJsonRpcMessage,
        out: mpsc::Sender<ServerSseMessage>,
    ) {
        let forward = |message| {
            let (log, out) = (&log, &out);
            async move {
                let event = log.record(message).await;
                // A client that went away resumes from the store, if any.
                let _ = out.send(event).await;
            }
        };
        forward(first).await;
        loop {
            tokio::select! {
                biased;
                last = &mut self.work => {
                    live.unroute(&self.id);
                    while let Ok(message) = self.messages.try_recv() {
                        forward(message).await;
                    }
                    forward(last).await;
                    return;
                }
                Some(message) = self.messages.recv() => forward(message).await,
            }
        }
    }
}
