//! Notifications, which differ by era: list changes, resource updates, their order.

use super::*;

#[tokio::test]
async fn legacy_clients_hear_list_changes_and_resource_updates() {
    let heard: Arc<Mutex<Vec<String>>> = Arc::default();
    let (sender, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    let record = Arc::clone(&heard);
    let server = server();
    let client = Client::builder()
        .era(Era::Legacy)
        .message_handler(move |notification: ServerNotification| {
            let record = Arc::clone(&record);
            let sender = sender.clone();
            async move {
                let name = match notification {
                    ServerNotification::ToolListChangedNotification(_) => "tools".to_owned(),
                    ServerNotification::ResourceUpdatedNotification(n) => {
                        format!("updated {}", n.params.uri)
                    }
                    other => format!("{other:?}"),
                };
                record.lock().unwrap().push(name);
                let _ = sender.send(());
            }
        })
        .connect(&server)
        .await
        .unwrap();
    client.subscribe_resource("mem://hello").await.unwrap();
    server
        .add_tool(
            Tool::builder("late")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("x")) }),
        )
        .unwrap();
    arrived.recv().await.unwrap();
    server.notify_resource_updated("mem://hello");
    server.notify_resource_updated("mem://not-subscribed");
    arrived.recv().await.unwrap();
    client.unsubscribe_resource("mem://hello").await.unwrap();
    server.notify_resource_updated("mem://hello");
    // A round trip after the last notification: anything still in flight would have landed.
    client.ping().await.unwrap();
    assert_eq!(*heard.lock().unwrap(), ["tools", "updated mem://hello"]);
}

#[tokio::test]
async fn stateless_clients_hear_changes_on_their_listen_stream() {
    let server = server();
    let client = connect_to(&server, Era::Stateless).await;
    let filter = SubscriptionFilter::builder()
        .tools_list_changed()
        .resource_subscription("mem://hello")
        .build();
    let mut subscription = client.listen(filter).await.unwrap();
    server
        .add_tool(
            Tool::builder("late")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("x")) }),
        )
        .unwrap();
    match subscription.next().await.unwrap() {
        Some(ServerNotification::ToolListChangedNotification(_)) => {}
        other => panic!("expected tools/list_changed, got {other:?}"),
    }
    server.notify_resource_updated("mem://hello");
    match subscription.next().await.unwrap() {
        Some(ServerNotification::ResourceUpdatedNotification(n)) => {
            assert_eq!(n.params.uri, "mem://hello")
        }
        other => panic!("expected resources/updated, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_handler_hears_notifications_in_the_order_sent() {
    let (sender, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    let server = server();
    let client = Client::builder()
        .era(Era::Legacy)
        .message_handler(move |notification: ServerNotification| {
            let sender = sender.clone();
            async move {
                // A turn at the scheduler: handlers run in tasks of their own per
                // notification would let later ones overtake this one.
                tokio::task::yield_now().await;
                if let ServerNotification::ResourceUpdatedNotification(n) = notification {
                    let _ = sender.send(n.params.uri);
                }
            }
        })
        .connect(&server)
        .await
        .unwrap();
    let uris: Vec<String> = (0..100).map(|i| format!("mem://r{i}")).collect();
    for uri in &uris {
        client.subscribe_resource(uri).await.unwrap();
    }
    for uri in &uris {
        server.notify_resource_updated(uri);
    }
    let mut heard = Vec::new();
    while heard.len() < uris.len() {
        let uri = tokio::time::timeout(std::time::Duration::from_secs(30), arrived.recv())
            .await
            .expect("every update reaches the handler")
            .unwrap();
        heard.push(uri);
    }
    assert_eq!(heard, uris);
}
