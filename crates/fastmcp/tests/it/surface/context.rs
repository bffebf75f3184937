//! The Context's requests to the client (elicitation, sampling, roots), session state, and a sealed requestState that must not be tampered with.

use super::*;

everywhere!(
    elicitation_is_typed_with_accept_decline_cancel,
    sampling_and_roots_reach_the_client,
    session_state_persists_across_calls,
);

async fn elicitation_is_typed_with_accept_decline_cancel(era: Era, via: Via) {
    let client = connect(era, via).await;
    assert_eq!(
        client.call_tool("book", Value::Null).await.unwrap().text(),
        "booked 4 on friday"
    );

    // A client without an elicitation handler: legacy tools see an error; on 2026-07-28 the
    // request fails with -32021 (missing required client capability).
    let bare = Client::builder()
        .era(era)
        .connect(surface_target(via))
        .await
        .unwrap();
    let outcome = bare
        .call_tool("book", Value::Null)
        .raise_on_error(false)
        .await;
    match era {
        Era::Stateless => match outcome {
            Err(Error::Protocol(error)) => assert_eq!(error.code.0, -32021),
            other => panic!("expected -32021, got {other:?}"),
        },
        _ => {
            let result = outcome.unwrap();
            assert!(result.is_error());
            assert_eq!(
                result.text(),
                "not supported: the client does not support elicitation"
            );
        }
    }
}

async fn sampling_and_roots_reach_the_client(era: Era, via: Via) {
    let client = connect(era, via).await;
    let result = client
        .call_tool("think", json!({"question": "why?"}))
        .await
        .unwrap();
    assert_eq!(
        result.data::<String>().unwrap(),
        "model says why? (be brief) | 2 roots"
    );
}

async fn session_state_persists_across_calls(era: Era, via: Via) {
    let client = connect(era, via).await;
    let first: u32 = client
        .call_tool("counter", Value::Null)
        .await
        .unwrap()
        .data()
        .unwrap();
    let second: u32 = client
        .call_tool("counter", Value::Null)
        .await
        .unwrap()
        .data()
        .unwrap();
    assert_eq!((first, second), (1, 2));
}

#[tokio::test]
async fn tampered_request_state_is_refused() {
    use fastmcp::types::{CallToolRequestParams, ClientRequest, InputResponses, ServerResult};
    // Drive the rounds by hand with rmcp's raw client API to alter the state between them.
    let server = server();
    let (server_side, client_side) = fastmcp::transports::memory();
    tokio::spawn(async move { server.serve(server_side).await });
    let lifecycle = rmcp::ClientLifecycleMode::Discover {
        preferred_versions: vec![fastmcp::types::ProtocolVersion::V_2026_07_28],
    };
    let info = fastmcp::types::ClientInfo::new(
        serde_json::from_value(json!({"elicitation": {}})).unwrap(),
        fastmcp::types::Implementation::new("raw", "0"),
    );
    let raw = rmcp::ClientServiceExt::serve_with_lifecycle(info, client_side, lifecycle)
        .await
        .unwrap();
    let first = raw
        .call_tool_once(CallToolRequestParams::new("book"))
        .await
        .unwrap();
    let fastmcp::types::CallToolResponse::InputRequired(required) = first else {
        panic!("expected an input round, got {first:?}");
    };
    let key = required.input_requests.unwrap().into_keys().next().unwrap();
    let mut answers = InputResponses::new();
    answers.insert(
        key,
        json!({"action": "accept", "content": {"guests": 2, "date": "monday"}}),
    );
    let state = required.request_state.unwrap();
    let tampered = format!("{state}x");
    let retry = CallToolRequestParams::new("book")
        .with_input_responses(answers.clone())
        .with_request_state(tampered);
    match raw
        .peer()
        .send_request(ClientRequest::CallToolRequest(
            fastmcp::types::CallToolRequest::new(retry),
        ))
        .await
    {
        Err(rmcp::ServiceError::McpError(error)) => {
            assert_eq!(error.code.0, -32602);
            assert!(
                error.message.starts_with("Invalid requestState"),
                "{}",
                error.message
            );
        }
        other => panic!("a tampered state must be refused, got {other:?}"),
    }
    // The untampered state works, and the state is bound to the call it came from.
    let honest = CallToolRequestParams::new("book")
        .with_input_responses(answers)
        .with_request_state(state.clone());
    match raw
        .peer()
        .send_request(ClientRequest::CallToolRequest(
            fastmcp::types::CallToolRequest::new(honest),
        ))
        .await
    {
        Ok(ServerResult::CallToolResult(result)) => {
            assert_eq!(
                result.content[0].as_text().unwrap().text,
                "booked 2 on monday"
            );
        }
        other => panic!("{other:?}"),
    }
    let transplanted = CallToolRequestParams::new("counter").with_request_state(state);
    assert!(
        raw.peer()
            .send_request(ClientRequest::CallToolRequest(
                fastmcp::types::CallToolRequest::new(transplanted)
            ))
            .await
            .is_err()
    );
}
