//! `fastmcp inspect --format fastmcp`: Python FastMCP's report shape, built from what a server
//! lists over MCP (so for any server, not only FastMCP ones). Fields the protocol does not
//! carry (a template's parameter schema, a server's `generation`) are `null`; tags come from
//! `_meta.fastmcp.tags`, where FastMCP servers (ours and Python's) put them.

use serde_json::{Value, json};

use crate::render::Inspection;

/// The report: `server`, `environment`, `tools`, `prompts`, `resources`, `templates`.
pub fn fastmcp_report(inspection: &Inspection<'_>) -> Value {
    let info = inspection.info;
    json!({
        "server": {
            "name": info.map(|info| info.name.clone()),
            "instructions": inspection.instructions,
            "version": info.map(|info| info.version.clone()),
            "website_url": info.and_then(|info| info.website_url.clone()),
            "icons": info.and_then(|info| info.icons.clone()),
            "generation": Value::Null,
            "capabilities": inspection.capabilities,
        },
        "environment": {
            "fastmcp": format!("fastmcp-rs {}", env!("CARGO_PKG_VERSION")),
            "mcp": inspection.protocol_version,
        },
        "tools": inspection.tools.iter().map(|tool| json!({
            "key": format!("tool:{}@", tool.name),
            "name": tool.name,
            "description": tool.description,
            "input_schema": tool.input_schema,
            "output_schema": tool.output_schema,
            "annotations": tool.annotations,
            "tags": tags(tool.meta.as_ref()),
            "title": tool.title,
            "icons": tool.icons,
            "meta": tool.meta,
        })).collect::<Vec<_>>(),
        "prompts": inspection.prompts.iter().map(|prompt| json!({
            "key": format!("prompt:{}@", prompt.name),
            "name": prompt.name,
            "description": prompt.description,
            "arguments": prompt.arguments,
            "tags": tags(prompt.meta.as_ref()),
            "title": prompt.title,
            "icons": prompt.icons,
            "meta": prompt.meta,
        })).collect::<Vec<_>>(),
        "resources": inspection.resources.iter().map(|resource| json!({
            "key": format!("resource:{}@", resource.uri),
            "uri": resource.uri,
            "name": resource.name,
            "description": resource.description,
            "mime_type": resource.mime_type,
            "annotations": resource.annotations,
            "tags": tags(resource.meta.as_ref()),
            "title": resource.title,
            "icons": resource.icons,
            "meta": resource.meta,
        })).collect::<Vec<_>>(),
        "templates": inspection.templates.iter().map(|template| json!({
            "key": format!("template:{}@", template.uri_template),
            "uri_template": template.uri_template,
            "name": template.name,
            "description": template.description,
            "mime_type": template.mime_type,
            "parameters": Value::Null,
            "annotations": template.annotations,
            "tags": tags(template.meta.as_ref()),
            "title": template.title,
            "icons": template.icons,
            "meta": template.meta,
        })).collect::<Vec<_>>(),
    })
}

/// `_meta.fastmcp.tags`, if the component has them.
fn tags(meta: Option<&impl serde::Serialize>) -> Value {
    let meta = meta.and_then(|meta| serde_json::to_value(meta).ok());
    meta.and_then(|meta| meta.get("fastmcp")?.get("tags").cloned())
        .unwrap_or(Value::Null)
}
