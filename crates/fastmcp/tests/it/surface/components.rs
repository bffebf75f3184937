//! Lists across components: pagination, visibility rules, versions.

use super::*;

in_both_eras!(
    lists_paginate_with_opaque_cursors,
    visibility_rules_hide_and_restore_components,
    the_highest_version_wins_unless_one_is_asked_for,
);

async fn lists_paginate_with_opaque_cursors(era: Era) {
    let server = FastMCP::new("pages").page_size(2);
    for i in 0..5 {
        let tool = Tool::builder(format!("t{i}"))
            .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("x")) });
        server.add_tool(tool).unwrap();
    }
    let client = connect_to(&server, era).await;
    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into())
        .collect();
    assert_eq!(names, ["t0", "t1", "t2", "t3", "t4"]);
}

async fn visibility_rules_hide_and_restore_components(era: Era) {
    let server = FastMCP::new("visible")
        .tool(
            Tool::builder("public")
                .tags(["public"])
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("p")) }),
        )
        .tool(
            Tool::builder("admin")
                .tags(["admin"])
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("a")) }),
        )
        .tool(
            Tool::builder("beta")
                .enabled(false)
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("b")) }),
        );
    let client = connect_to(&server, era).await;
    let names = |tools: Vec<fastmcp::types::Tool>| {
        tools
            .into_iter()
            .map(|t| t.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(client.list_tools().await.unwrap()),
        ["public", "admin"]
    );

    server.disable(Filter::tag("admin"));
    assert_eq!(names(client.list_tools().await.unwrap()), ["public"]);
    match client.call_tool("admin", Value::Null).await {
        Err(Error::Protocol(error)) => assert_eq!(error.code.0, -32602),
        other => panic!("a disabled tool must not be callable: {other:?}"),
    }
    server.enable(Filter::name("beta"));
    assert_eq!(
        names(client.list_tools().await.unwrap()),
        ["public", "beta"]
    );
    server.enable_only(Filter::tag("public"));
    assert_eq!(names(client.list_tools().await.unwrap()), ["public"]);
}

async fn the_highest_version_wins_unless_one_is_asked_for(era: Era) {
    let server = FastMCP::new("versions")
        .tool(
            Tool::builder("calc")
                .version("1.0")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("v1")) }),
        )
        .tool(
            Tool::builder("calc")
                .version("1.10")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("v1.10")) }),
        )
        .tool(
            Tool::builder("calc")
                .version("1.9")
                .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("v1.9")) }),
        );
    let client = connect_to(&server, era).await;
    assert_eq!(client.list_tools().await.unwrap().len(), 1);
    assert_eq!(
        client.call_tool("calc", Value::Null).await.unwrap().text(),
        "v1.10"
    );
    assert_eq!(
        client
            .call_tool("calc", Value::Null)
            .version("1.0")
            .await
            .unwrap()
            .text(),
        "v1"
    );
    server.disable(Filter::version("calc", "1.10"));
    assert_eq!(
        client.call_tool("calc", Value::Null).await.unwrap().text(),
        "v1.9"
    );
    let duplicate = server.add_tool(
        Tool::builder("calc")
            .version("1.0")
            .handler(|_, _ctx: Context| async { Ok::<_, String>(ToolResult::text("dup")) }),
    );
    assert_eq!(
        duplicate.unwrap_err().to_string(),
        "a tool named 'calc' (version 1.0) is already registered on server 'versions'; rename one of them"
    );
}
