//! Prompts with typed arguments, their errors, and completion.

use super::*;

everywhere!(
    prompts_render_with_typed_arguments,
    prompt_errors_are_protocol_errors,
    completions_come_from_completers_and_enums,
);

async fn prompts_render_with_typed_arguments(era: Era, via: Via) {
    let client = connect(era, via).await;
    let prompts = client.list_prompts().await.unwrap();
    let greet = &prompts[0];
    assert_eq!(
        (greet.name.as_str(), greet.title.as_deref()),
        ("greet", Some("Greeting"))
    );
    let arguments: Vec<(String, Option<bool>, Option<String>)> = greet
        .arguments
        .iter()
        .flatten()
        .map(|a| (a.name.clone(), a.required, a.description.clone()))
        .collect();
    assert_eq!(
        arguments,
        [
            (
                "name".to_owned(),
                Some(true),
                Some("Who to greet".to_owned())
            ),
            (
                "times".to_owned(),
                Some(false),
                Some("How many times".to_owned())
            ),
        ]
    );

    let result = client
        .get_prompt("greet", json!({"name": "Ada", "times": "2"}))
        .await
        .unwrap();
    assert_eq!(
        result.description.as_deref(),
        Some("Greet `name` in a `style`.")
    );
    assert_eq!(
        result.messages,
        vec![Message::user("Hello, Ada! Hello, Ada!")]
    );

    let review = client
        .get_prompt("review", json!({"file": "main.rs"}))
        .await
        .unwrap();
    assert_eq!(review.messages.len(), 3);
    assert_eq!(
        review.messages[0],
        Message::user_resource("files://main.rs", "text/plain", "fn main() {}")
    );
    assert!(review.messages[1].content.as_image().is_some());
    assert_eq!(review.messages[2].role, Role::Assistant);
}

async fn prompt_errors_are_protocol_errors(era: Era, via: Via) {
    let client = connect(era, via).await;
    let cases = [
        (
            "greet",
            json!({}),
            "Missing required argument 'name' for prompt 'greet'",
        ),
        (
            "greet",
            json!({"name": "A", "times": "many"}),
            r#"Invalid arguments for prompt 'greet': argument 'times': "many" is not a valid integer or null"#,
        ),
        ("nope", json!({}), "Unknown prompt: 'nope'"),
    ];
    for (name, arguments, message) in cases {
        match client.get_prompt(name, arguments).await {
            Err(Error::Protocol(error)) => {
                assert_eq!((error.code.0, error.message.as_ref()), (-32602, message))
            }
            other => panic!("expected an error for {name}, got {other:?}"),
        }
    }
}

async fn completions_come_from_completers_and_enums(era: Era, via: Via) {
    let client = connect(era, via).await;
    let files = client
        .complete(
            Reference::for_resource("files://{path*}"),
            "path",
            "src/",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(files.values, ["src/main.rs", "src/lib.rs"]);
    assert_eq!((files.total, files.has_more), (Some(2), Some(false)));
    let colors = client
        .complete(Reference::for_resource("colors://{name}"), "name", "g", &[])
        .await
        .unwrap();
    assert_eq!(colors.values, ["green"]);
    let nothing = client
        .complete(
            Reference::for_prompt("greet"),
            "name",
            "A",
            &[("times", "2")],
        )
        .await
        .unwrap();
    assert!(nothing.values.is_empty());
    match client
        .complete(Reference::for_prompt("nope"), "x", "", &[])
        .await
    {
        Err(Error::Protocol(error)) => assert_eq!(error.code.0, -32602),
        other => panic!("{other:?}"),
    }
}
