//! Resources and templates: fixed, templated, unknown, and read from disk.

use super::*;

everywhere!(
    fixed_resources_read_as_text_and_binary,
    templates_match_convert_and_reject_traversal,
    unknown_resources_get_the_era_error_code,
);

in_both_eras!(file_and_directory_resources_read_from_disk,);

async fn fixed_resources_read_as_text_and_binary(era: Era, via: Via) {
    let client = connect(era, via).await;
    let resources = client.list_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["mem://hello", "mem://bytes", "weather://today"]);
    assert_eq!(resources[0].size, Some(11));
    assert_eq!(resources[2].name, "today");
    assert_eq!(
        resources[2].description.as_deref(),
        Some("Weather for a city (a fixed resource made by the macro).")
    );

    let hello = client.read_resource("mem://hello").await.unwrap();
    assert_eq!(
        hello,
        vec![ResourceContents::text("hello world", "mem://hello")]
    );
    let bytes = client.read_resource("mem://bytes").await.unwrap();
    match &bytes[0] {
        ResourceContents::BlobResourceContents {
            blob,
            mime_type,
            uri,
            ..
        } => {
            assert_eq!(
                (blob.as_str(), mime_type.as_deref(), uri.as_str()),
                ("AJ+Slg==", Some("application/octet-stream"), "mem://bytes")
            );
        }
        other => panic!("expected a blob, got {other:?}"),
    }
    assert_eq!(
        text_of(&client.read_resource("weather://today").await.unwrap()),
        "sunny"
    );
}

async fn templates_match_convert_and_reject_traversal(era: Era, via: Via) {
    let client = connect(era, via).await;
    let templates = client.list_resource_templates().await.unwrap();
    let written: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(
        written,
        [
            "weather://{city}/day/{day}",
            "colors://{name}",
            "files://{path*}"
        ]
    );

    let contents = client
        .read_resource("weather://New%20York/day/3")
        .await
        .unwrap();
    assert_eq!(text_of(&contents), r#"{"city":"New York","day":3}"#);
    match &contents[0] {
        ResourceContents::TextResourceContents { mime_type, uri, .. } => {
            assert_eq!(
                (mime_type.as_deref(), uri.as_str()),
                (Some("application/json"), "weather://New%20York/day/3")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        text_of(&client.read_resource("files://src/main.rs").await.unwrap()),
        r#"file "src/main.rs""#
    );

    match client.read_resource("weather://Paris/day/abc").await {
        Err(Error::Protocol(error)) => {
            assert_eq!(error.code.0, -32602);
            assert_eq!(
                error.message,
                r#"Invalid weather://Paris/day/abc: argument 'day': "abc" is not a valid integer"#
            );
        }
        other => panic!("expected invalid params, got {other:?}"),
    }
    for attack in [
        "files://../etc/passwd",
        "files://%2Fetc%2Fpasswd",
        "files://a%00b",
    ] {
        match client.read_resource(attack).await {
            Err(Error::Protocol(error)) => {
                assert_eq!(error.code.0, -32602, "{attack}");
                assert!(
                    error.message.starts_with("Invalid value for 'path'"),
                    "{attack}: {}",
                    error.message
                );
            }
            other => panic!("{attack} should be refused, got {other:?}"),
        }
    }
    // The server keeps serving.
    assert_eq!(
        text_of(&client.read_resource("mem://hello").await.unwrap()),
        "hello world"
    );
}

async fn unknown_resources_get_the_era_error_code(era: Era, via: Via) {
    let client = connect(era, via).await;
    match client.read_resource("mem://missing").await {
        Err(Error::Protocol(error)) => {
            let expected = if era == Era::Stateless {
                -32602
            } else {
                -32002
            };
            assert_eq!(error.code.0, expected);
            assert_eq!(error.message, "Resource not found: mem://missing");
        }
        other => panic!("expected resource not found, got {other:?}"),
    }
}

async fn file_and_directory_resources_read_from_disk(era: Era) {
    let dir = std::env::temp_dir().join(format!("fastmcp-surface-{}-{era:?}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("notes.md"), "# notes").unwrap();
    std::fs::write(dir.join("sub/data.bin"), [1u8, 2, 3]).unwrap();
    let server = FastMCP::new("disk")
        .resource(Resource::file("disk://notes", dir.join("notes.md")))
        .resource(Resource::file("disk://data", dir.join("sub/data.bin")))
        .resource(Resource::directory("disk://all", &dir))
        .resource(Resource::file("disk://gone", dir.join("missing.txt")));
    let client = connect_to(&server, era).await;
    let notes = client.read_resource("disk://notes").await.unwrap();
    assert_eq!(
        notes,
        vec![ResourceContents::text("# notes", "disk://notes").with_mime_type("text/markdown")]
    );
    assert_eq!(
        text_of(&client.read_resource("disk://data").await.unwrap()),
        "blob:AQID"
    );
    assert_eq!(
        text_of(&client.read_resource("disk://all").await.unwrap()),
        r#"["notes.md","sub/data.bin"]"#
    );
    assert!(matches!(
        client.read_resource("disk://gone").await,
        Err(Error::Protocol(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
