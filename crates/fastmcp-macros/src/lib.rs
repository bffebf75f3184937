//! Procedural macros for FastMCP for Rust: `#[tool]`, `#[prompt]`, `#[resource]`. Use them
//! through the `fastmcp` crate, which documents them with examples.

use proc_macro::TokenStream;

mod options;
mod params;
mod prompt;
mod resource;
mod tool;

/// Turns a function into an MCP tool. See `fastmcp::tool`.
///
/// The function becomes a unit struct of the same name that registers with
/// `FastMCP::tool(name)`; the function itself stays callable as `name::call(...)`.
///
/// Options: `name = "…"`, `title = "…"`, `description = "…"` (default: the doc comment),
/// `tags = ["a", "b"]`, `scopes = ["admin"]` (a token must grant them when the server checks
/// tokens), `annotations(read_only = true, destructive = false,
/// idempotent = true, open_world = false, title = "…")`, `timeout = <Duration>`,
/// `task = TaskSupport::Optional` (or `Required`: calls run as tasks, see `fastmcp::tools::TaskSupport`),
/// `meta = <serde_json::Value>`, `version = "…"`, `enabled = <bool>`.
///
/// Arguments may be borrowed (`&str`, `&[T]`, `&T`): they are deserialized as `String`,
/// `Vec<T>` or `T` and lent to the function.
///
/// Parameters may carry `#[arg(description = "…", default = <expr>)]` (or a bare
/// `#[arg(default)]` for `Default::default()`). A parameter whose type is `fastmcp::Context`
/// or `&Context` (under any name or path: it is told by its type, through the `Param` trait)
/// receives the request context and is left out of the input schema. Unknown options are
/// compile errors that list the known ones.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    tool::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Turns a function into an MCP prompt. See `fastmcp::prompt`.
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    prompt::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Turns a function into an MCP resource, or a resource template when the URI has
/// `{variables}`. See `fastmcp::resource`.
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    resource::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
