//! `list`, `call` (tools, resources, prompts) and `inspect`.

use fastmcp::client::{CallEvent, ProgressEvent};
use futures::StreamExt as _;
use serde_json::Value;

use crate::cli::{InspectFormat, Reach};
use crate::connect::{Connect, seconds};
use crate::{EXIT_TOOL_ERROR, Failure, args, render, report};

pub(crate) async fn inspect(
    connect: &Connect,
    target: &str,
    format: Option<InspectFormat>,
    output: Option<&std::path::Path>,
) -> Result<(), Failure> {
    let client = connect.client(target).await?;
    let capabilities = client.server_capabilities().unwrap_or_default();
    let tools = client.list_tools().await.map_err(Failure::connection)?;
    // Lists the server does not offer are empty, not errors.
    let resources = match capabilities.resources.is_some() {
        true => client.list_resources().await.map_err(Failure::connection)?,
        false => Vec::new(),
    };
    let templates = match capabilities.resources.is_some() {
        true => client
            .list_resource_templates()
            .await
            .map_err(Failure::connection)?,
        false => Vec::new(),
    };
    let prompts = match capabilities.prompts.is_some() {
        true => client.list_prompts().await.map_err(Failure::connection)?,
        false => Vec::new(),
    };
    let info = client.server_info();
    let version = client.protocol_version().map(|v| v.to_string());
    let instructions = client.instructions();
    let _ = client.close().await;
    let inspection = render::Inspection {
        info: info.as_ref(),
        protocol_version: version.as_deref(),
        instructions: instructions.as_deref(),
        capabilities: &capabilities,
        tools: &tools,
        resources: &resources,
        templates: &templates,
        prompts: &prompts,
    };
    let report = match format {
        None => {
            render::print_inspection(&inspection);
            return Ok(());
        }
        Some(InspectFormat::Mcp) => serde_json::json!({
            "serverInfo": info,
            "protocolVersion": version,
            "instructions": instructions,
            "capabilities": capabilities,
            "tools": tools,
            "resources": resources,
            "resourceTemplates": templates,
            "prompts": prompts,
        }),
        Some(InspectFormat::Fastmcp) => report::fastmcp_report(&inspection),
    };
    let text = serde_json::to_string_pretty(&report).map_err(Failure::connection)?;
    match output {
        Some(path) => std::fs::write(path, text + "\n").map_err(|error| {
            Failure::connection(format!("cannot write {}: {error}", path.display()))
        }),
        None => {
            render::out!("{text}");
            Ok(())
        }
    }
}

/// What `fastmcp list` shows.
pub(crate) struct Listing {
    pub(crate) json: bool,
    pub(crate) resources: bool,
    pub(crate) prompts: bool,
    pub(crate) input_schema: bool,
    pub(crate) output_schema: bool,
}

pub(crate) async fn list(connect: &Connect, target: &str, what: Listing) -> Result<(), Failure> {
    let client = connect.client(target).await?;
    let tools = client.list_tools().await.map_err(Failure::connection)?;
    let (resources, templates) = match what.resources {
        true => (
            client.list_resources().await.map_err(Failure::connection)?,
            client
                .list_resource_templates()
                .await
                .map_err(Failure::connection)?,
        ),
        false => (Vec::new(), Vec::new()),
    };
    let prompts = match what.prompts {
        true => client.list_prompts().await.map_err(Failure::connection)?,
        false => Vec::new(),
    };
    let _ = client.close().await;
    if what.json {
        let mut lists = serde_json::Map::new();
        lists.insert("tools".into(), to_json(&tools)?);
        if what.resources {
            lists.insert("resources".into(), to_json(&resources)?);
            lists.insert("resourceTemplates".into(), to_json(&templates)?);
        }
        if what.prompts {
            lists.insert("prompts".into(), to_json(&prompts)?);
        }
        // The tools alone stay an array, as before the other lists could be asked for.
        let shown = match what.resources || what.prompts {
            true => Value::Object(lists),
            false => lists.remove("tools").unwrap_or_default(),
        };
        let text = serde_json::to_string_pretty(&shown).map_err(Failure::connection)?;
        render::out!("{text}");
        return Ok(());
    }
    render::print_tools(&tools, what.input_schema, what.output_schema);
    if what.resources {
        render::print_resources(&resources, &templates);
    }
    if what.prompts {
        render::print_prompts(&prompts);
    }
    Ok(())
}

pub(crate) fn to_json(value: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(Failure::connection)
}

/// `fastmcp call TARGET URI`: a resource's contents; text printed, binary saved to `output`
/// or summarized.
pub(crate) async fn read(
    connect: &Connect,
    target: &str,
    uri: &str,
    output: Option<&std::path::Path>,
    json: bool,
) -> Result<(), Failure> {
    let client = connect.client(target).await?;
    let contents = client.read_resource(uri).await;
    let _ = client.close().await;
    let contents = contents.map_err(|error| Failure {
        status: EXIT_TOOL_ERROR,
        message: format!("reading {uri} failed: {error}"),
    })?;
    if json {
        let text = serde_json::to_string_pretty(&serde_json::json!({ "contents": contents }))
            .map_err(Failure::connection)?;
        render::out!("{text}");
        return Ok(());
    }
    render::print_contents(&contents, output).map_err(Failure::connection)
}

/// `fastmcp call TARGET NAME --prompt`: the prompt's messages.
pub(crate) async fn get_prompt(
    connect: &Connect,
    target: &str,
    name: &str,
    pairs: &[String],
    json_args: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let arguments = args::prompt_arguments(json_args, pairs).map_err(Failure::connection)?;
    let client = connect.client(target).await?;
    let result = client.get_prompt(name, Value::Object(arguments)).await;
    let _ = client.close().await;
    let result = result.map_err(|error| Failure {
        status: EXIT_TOOL_ERROR,
        message: format!("prompt '{name}' failed: {error}"),
    })?;
    if json {
        let text = serde_json::to_string_pretty(&result).map_err(Failure::connection)?;
        render::out!("{text}");
    } else {
        render::print_prompt(&result);
    }
    Ok(())
}

/// `call`'s words: TARGET NAME [KEY=VALUE…], or NAME [KEY=VALUE…] after `--command`.
pub(crate) fn call_words(
    reach: &Reach,
    words: Vec<String>,
) -> Result<(String, String, Vec<String>), Failure> {
    let mut words = words.into_iter();
    let target = match &reach.command_line {
        Some(command) => Some(command.clone()),
        None => words.next(),
    };
    match (target, words.next()) {
        (Some(target), Some(name)) => Ok((target, name, words.collect())),
        _ => Err(Failure::connection(
            "give the server, then the tool (or resource URI, or prompt) to call",
        )),
    }
}

/// A tool call's arguments and output options.
pub(crate) struct CallArgs<'a> {
    pub(crate) pairs: &'a [String],
    pub(crate) json_args: Option<&'a str>,
    pub(crate) json: bool,
    pub(crate) timeout: Option<f64>,
}

pub(crate) async fn call(
    connect: &Connect,
    target: &str,
    tool: &str,
    CallArgs {
        pairs,
        json_args,
        json,
        timeout,
    }: CallArgs<'_>,
) -> Result<(), Failure> {
    let client = connect.client(target).await?;
    let tools = client.list_tools().await.map_err(Failure::connection)?;
    let Some(definition) = tools.iter().find(|t| t.name == tool) else {
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        return Err(Failure::connection(format!(
            "the server has no tool named '{tool}'; it has: {}",
            if names.is_empty() {
                "no tools".to_owned()
            } else {
                names.join(", ")
            }
        )));
    };
    let arguments = args::build_arguments(&definition.input_schema, json_args, pairs)
        .map_err(Failure::connection)?;

    let mut request = client
        .call_tool(tool, Value::Object(arguments))
        .raise_on_error(false);
    if let Some(seconds_given) = timeout {
        request = request.timeout(seconds("--timeout", seconds_given)?);
    }
    let mut bar = render::Progress::new(!json, connect.bar.clone());
    let mut events = std::pin::pin!(request.stream());
    let result = loop {
        match events.next().await {
            Some(CallEvent::Progress(event)) => {
                if json {
                    eprintln!("{}", progress_json(&event));
                } else {
                    bar.update(&event);
                }
            }
            Some(CallEvent::Result(result)) => break result,
            None => {
                break Err(fastmcp::Error::ConnectionClosed {
                    message: "no result".into(),
                    source: None,
                });
            }
        }
    };
    bar.finish();
    let result = result.map_err(Failure::connection)?;
    let _ = client.close().await;
    if json {
        let text = serde_json::to_string_pretty(result.raw()).map_err(Failure::connection)?;
        render::out!("{text}");
    } else if !result.is_error() {
        render::print_result(&result);
    }
    if result.is_error() {
        return Err(Failure {
            status: EXIT_TOOL_ERROR,
            message: format!("tool '{tool}' returned an error: {}", result.text()),
        });
    }
    Ok(())
}

pub(crate) fn progress_json(event: &ProgressEvent) -> Value {
    serde_json::json!({
        "progress": event.progress,
        "total": event.total,
        "message": event.message,
    })
}
