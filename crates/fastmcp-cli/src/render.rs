//! Human-readable output: tool lists, results, and the live progress bar.

use std::time::Duration;

use fastmcp::client::{ProgressEvent, ToolCallResult};
use fastmcp::types::{
    ContentBlock, GetPromptResult, Prompt, Resource, ResourceContents, ResourceTemplate, Tool,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

/// Bar resolution: progress is drawn in thousandths of the total.
const BAR_UNITS: u64 = 1000;

/// `println!` for the program's output: a reader that went away (`fastmcp list … | head`)
/// ends the program quietly instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::render::emit(&format!($($arg)*))
    };
}
pub(crate) use out;

/// Writes `text` and a newline to stdout (see [`out!`]).
pub fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write the output: {error}");
        std::process::exit(2);
    }
}

/// Prints one line per tool: `name(arg: type, …)` and its description's first line; with
/// `input`/`output`, its schemas below, indented.
pub fn print_tools(tools: &[Tool], input: bool, output: bool) {
    if tools.is_empty() {
        out!("(no tools)");
    }
    for tool in tools {
        out!("{}({})", tool.name, signature(tool));
        if let Some(description) = tool.description.as_deref().and_then(|d| d.lines().next()) {
            out!("    {description}");
        }
        if input {
            out!(
                "    input schema:\n{}",
                indented(&Value::Object((*tool.input_schema).clone()))
            );
        }
        if let (true, Some(schema)) = (output, &tool.output_schema) {
            out!(
                "    output schema:\n{}",
                indented(&Value::Object((**schema).clone()))
            );
        }
    }
}

/// `value` as pretty JSON, every line indented by eight spaces.
fn indented(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.lines()
        .map(|line| format!("        {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints the resources (`uri  name: description`) and the templates.
pub fn print_resources(resources: &[Resource], templates: &[ResourceTemplate]) {
    let resources = resources
        .iter()
        .map(|r| (r.uri.as_str(), r.name.as_str(), r.description.as_deref()));
    print_section("resources:", resources);
    let templates = templates.iter().map(|t| {
        (
            t.uri_template.as_str(),
            t.name.as_str(),
            t.description.as_deref(),
        )
    });
    print_section("resource templates:", templates);
}

/// A heading, then `  uri  name: description's first line` per entry (`(none)` for none).
fn print_section<'a>(
    heading: &str,
    entries: impl Iterator<Item = (&'a str, &'a str, Option<&'a str>)>,
) {
    out!("{heading}");
    let mut any = false;
    for (uri, name, description) in entries {
        any = true;
        let about = description.and_then(|d| d.lines().next());
        out!(
            "  {uri}  {name}{}",
            about.map(|d| format!(": {d}")).unwrap_or_default()
        );
    }
    if !any {
        out!("  (none)");
    }
}

/// Prints the prompts: `name(argument, optional?)` and their description.
pub fn print_prompts(prompts: &[Prompt]) {
    out!("prompts:");
    if prompts.is_empty() {
        out!("  (none)");
    }
    for prompt in prompts {
        let arguments: Vec<String> = prompt
            .arguments
            .iter()
            .flatten()
            .map(|argument| match argument.required {
                Some(true) => argument.name.clone(),
                _ => format!("{}?", argument.name),
            })
            .collect();
        out!("  {}({})", prompt.name, arguments.join(", "));
        if let Some(description) = prompt.description.as_deref().and_then(|d| d.lines().next()) {
            out!("      {description}");
        }
    }
}

/// Prints a resource's contents: text as is; binary saved to `output`, or summarized.
pub fn print_contents(
    contents: &[ResourceContents],
    output: Option<&std::path::Path>,
) -> Result<(), String> {
    for content in contents {
        match content {
            ResourceContents::TextResourceContents { text, .. } => out!("{text}"),
            ResourceContents::BlobResourceContents {
                uri,
                blob,
                mime_type,
                ..
            } => {
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(blob)
                    .map_err(|error| format!("{uri}: the server sent invalid base64: {error}"))?;
                let kind = mime_type.as_deref().unwrap_or("unknown type");
                match output {
                    Some(path) => {
                        std::fs::write(path, &bytes)
                            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
                        eprintln!(
                            "saved {} bytes ({kind}) of {uri} to {}",
                            bytes.len(),
                            path.display()
                        );
                    }
                    None => out!(
                        "[{uri}: {} bytes of {kind}; --output FILE saves them]",
                        bytes.len()
                    ),
                }
            }
            _ => out!("[unsupported contents]"),
        }
    }
    Ok(())
}

/// Prints a prompt's messages: `role: text` (other content summarized).
pub fn print_prompt(result: &GetPromptResult) {
    if let Some(description) = &result.description {
        out!("# {description}");
    }
    for message in &result.messages {
        let role = serde_json::to_value(&message.role)
            .ok()
            .and_then(|role| role.as_str().map(str::to_owned))
            .unwrap_or_default();
        let text = match serde_json::to_value(&message.content) {
            Ok(content) if content["type"] == "text" => {
                content["text"].as_str().unwrap_or_default().to_owned()
            }
            Ok(content) => format!("[{} content]", content["type"].as_str().unwrap_or("other")),
            Err(_) => "[content]".to_owned(),
        };
        out!("{role}: {text}");
    }
}

fn signature(tool: &Tool) -> String {
    let required: Vec<&str> = tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object)
    else {
        return String::new();
    };
    properties
        .iter()
        .map(|(name, schema)| {
            let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
            let optional = if required.contains(&name.as_str()) {
                ""
            } else {
                "?"
            };
            format!("{name}{optional}: {kind}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prints a tool result: text as is, other content as a one-line summary.
pub fn print_result(result: &ToolCallResult) {
    for block in result.content() {
        match block {
            ContentBlock::Text(text) => out!("{}", text.text),
            ContentBlock::Image(image) => out!(
                "[image: {}, {} base64 chars]",
                image.mime_type,
                image.data.len()
            ),
            ContentBlock::Audio(audio) => out!(
                "[audio: {}, {} base64 chars]",
                audio.mime_type,
                audio.data.len()
            ),
            ContentBlock::ResourceLink(link) => out!("[resource link: {}]", link.uri),
            ContentBlock::Resource(embedded) => match &embedded.resource {
                ResourceContents::TextResourceContents { uri, text, .. } => {
                    out!("[resource {uri}]\n{text}")
                }
                ResourceContents::BlobResourceContents { uri, blob, .. } => {
                    out!("[resource {uri}: {} base64 chars]", blob.len());
                }
                _ => out!("[resource]"),
            },
            _ => out!("[unsupported content]"),
        }
    }
    if result.content().is_empty()
        && let Some(structured) = result.structured_content()
    {
        out!("{structured}");
    }
}

/// A live progress bar on stderr: a bar when the total is known, a spinner otherwise.
/// The bar of the call in progress, shared with what must hide it for a while (a form).
pub type SharedBar = std::sync::Arc<std::sync::Mutex<Option<ProgressBar>>>;

pub struct Progress {
    enabled: bool,
    bar: Option<ProgressBar>,
    shared: SharedBar,
}

impl Progress {
    pub fn new(enabled: bool, shared: SharedBar) -> Self {
        Self {
            enabled,
            bar: None,
            shared,
        }
    }

    /// Makes the bar (once) and shares it.
    fn bar(&mut self, make: fn() -> ProgressBar) -> &ProgressBar {
        let shared = &self.shared;
        self.bar.get_or_insert_with(|| {
            let bar = make();
            if let Ok(mut slot) = shared.lock() {
                *slot = Some(bar.clone());
            }
            bar
        })
    }

    pub fn update(&mut self, event: &ProgressEvent) {
        if !self.enabled {
            return;
        }
        let message = event.message.clone().unwrap_or_default();
        match event.total.filter(|total| *total > 0.0) {
            Some(total) => {
                let bar = self.bar(new_bar);
                if bar.length().is_none() {
                    bar.set_length(BAR_UNITS);
                    bar.set_style(bar_style());
                }
                let fraction = (event.progress / total).clamp(0.0, 1.0);
                bar.set_position((fraction * BAR_UNITS as f64) as u64);
                bar.set_prefix(format!("{}/{}", event.progress, total));
                bar.set_message(message);
            }
            None => {
                let bar = self.bar(new_spinner);
                bar.set_prefix(format!("{}", event.progress));
                bar.set_message(message);
            }
        }
    }

    pub fn finish(&mut self) {
        if let Ok(mut slot) = self.shared.lock() {
            *slot = None;
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// A spinner on stderr (drawn only on a terminal) with `message` and the seconds waited.
pub fn waiting(message: &str) -> ProgressBar {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(message.to_owned());
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}

fn new_bar() -> ProgressBar {
    let bar = ProgressBar::new(BAR_UNITS);
    bar.set_style(bar_style());
    bar
}

fn new_spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("[{bar:40.cyan/blue}] {percent:>3}% {prefix} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// What `fastmcp inspect` shows.
pub struct Inspection<'a> {
    pub info: Option<&'a fastmcp::types::Implementation>,
    pub protocol_version: Option<&'a str>,
    pub instructions: Option<&'a str>,
    pub capabilities: &'a fastmcp::types::ServerCapabilities,
    pub tools: &'a [Tool],
    pub resources: &'a [Resource],
    pub templates: &'a [ResourceTemplate],
    pub prompts: &'a [Prompt],
}

/// A readable summary of a server: who, which era, what it can do, how many of each, and each.
pub fn print_inspection(report: &Inspection<'_>) {
    match report.info {
        Some(info) => out!("server: {} {}", info.name, info.version),
        None => out!("server: (unnamed)"),
    }
    let version = report.protocol_version.unwrap_or("unknown");
    let era = match version {
        "2026-07-28" => "stateless (2026-07-28)",
        _ => "sessions (initialize)",
    };
    out!("protocol: {version}, {era}");
    let capabilities = serde_json::to_value(report.capabilities).unwrap_or_default();
    let names: Vec<&str> = capabilities
        .as_object()
        .map(|object| object.keys().map(String::as_str).collect())
        .unwrap_or_default();
    out!(
        "capabilities: {}",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    );
    if let Some(instructions) = report.instructions {
        out!(
            "instructions: {}",
            instructions.lines().next().unwrap_or_default()
        );
    }
    out!(
        "{} tools, {} resources, {} resource templates, {} prompts",
        report.tools.len(),
        report.resources.len(),
        report.templates.len(),
        report.prompts.len()
    );
    out!("");
    out!("tools:");
    print_tools(report.tools, false, false);
    print_resources(report.resources, report.templates);
    print_prompts(report.prompts);
}
