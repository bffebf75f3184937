//! The options of `#[tool(...)]`, `#[prompt(...)]` and `#[resource("uri", ...)]`, as typed
//! structs parsed by darling: an unknown or misspelt option is an error naming the ones that
//! exist.

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Expr, Ident, Lit, LitStr};

use crate::params::doc_text;

/// An option's value, passed to the builder method of the same name exactly as written
/// (darling's own `Expr` would parse a string literal's contents as code).
pub struct Value(pub Expr);

impl FromMeta for Value {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        Ok(Value(expr.clone()))
    }
}

/// Options every component kind has.
#[derive(FromMeta, Default)]
#[darling(default)]
pub struct Common {
    name: Option<LitStr>,
    title: Option<LitStr>,
    description: Option<LitStr>,
    tags: Option<Value>,
    scopes: Option<Value>,
    meta: Option<Value>,
    version: Option<Value>,
    enabled: Option<Value>,
}

impl Common {
    /// The component's name: the `name` option, else the function's.
    pub fn name(&self, function: &Ident) -> LitStr {
        self.name
            .clone()
            .unwrap_or_else(|| LitStr::new(&function.to_string(), function.span()))
    }

    /// `builder` with the description (the option, else the doc comment), title, tags, meta,
    /// version and enabled applied.
    pub fn apply(&self, mut builder: TokenStream, attrs: &[Attribute]) -> TokenStream {
        let description = self
            .description
            .as_ref()
            .map(LitStr::value)
            .or_else(|| doc_text(attrs));
        if let Some(description) = description {
            builder = quote!(#builder.description(#description));
        }
        if let Some(title) = &self.title {
            builder = quote!(#builder.title(#title));
        }
        let values = [
            ("tags", &self.tags),
            ("scopes", &self.scopes),
            ("meta", &self.meta),
            ("version", &self.version),
            ("enabled", &self.enabled),
        ];
        apply_values(builder, &values)
    }
}

/// `builder.key(value)` for each option that is set.
pub fn apply_values(mut builder: TokenStream, values: &[(&str, &Option<Value>)]) -> TokenStream {
    for (key, value) in values {
        if let Some(Value(value)) = value {
            let method = Ident::new(key, proc_macro2::Span::call_site());
            builder = quote!(#builder.#method(#value));
        }
    }
    builder
}

/// `#[tool(...)]`.
#[derive(FromMeta, Default)]
#[darling(default)]
pub struct ToolOptions {
    #[darling(flatten)]
    pub common: Common,
    pub annotations: Option<Annotations>,
    pub timeout: Option<Value>,
    pub task: Option<Value>,
    pub task_start: Option<Value>,
}

/// `#[tool(annotations(...))]`: the MCP tool annotations.
#[derive(FromMeta, Default)]
#[darling(default)]
pub struct Annotations {
    read_only: Option<Value>,
    destructive: Option<Value>,
    idempotent: Option<Value>,
    open_world: Option<Value>,
    title: Option<Value>,
}

impl Annotations {
    /// A `ToolAnnotations` value with the hints that are set.
    pub fn build(&self) -> TokenStream {
        let hints = apply_values(
            quote!(::fastmcp::types::ToolAnnotations::new()),
            &[
                ("read_only", &self.read_only),
                ("destructive", &self.destructive),
                ("idempotent", &self.idempotent),
                ("open_world", &self.open_world),
            ],
        );
        match &self.title {
            Some(Value(title)) => quote!({
                let mut annotations = #hints;
                annotations.title = ::std::option::Option::Some(::std::string::String::from(#title));
                annotations
            }),
            None => hints,
        }
    }
}

/// `#[prompt(...)]`.
#[derive(FromMeta, Default)]
#[darling(default)]
pub struct PromptOptions {
    #[darling(flatten)]
    pub common: Common,
}

/// `#[resource("uri", ...)]`, after the URI.
#[derive(FromMeta, Default)]
#[darling(default)]
pub struct ResourceOptions {
    #[darling(flatten)]
    pub common: Common,
    pub mime_type: Option<LitStr>,
    pub annotations: Option<Value>,
    pub cache_hint: Option<Value>,
    pub allow_path_traversal: Option<Value>,
}

/// Parses an attribute's options.
pub fn parse<T: FromMeta>(attr: TokenStream) -> syn::Result<T> {
    let items = NestedMeta::parse_meta_list(attr)?;
    Ok(T::from_list(&items)?)
}

/// Parses `"uri", options…`: the leading string literal, if any, and the options after it.
pub fn parse_with_uri<T: FromMeta>(attr: TokenStream) -> syn::Result<(Option<LitStr>, T)> {
    let mut items = NestedMeta::parse_meta_list(attr)?;
    let uri = match items.first() {
        Some(NestedMeta::Lit(Lit::Str(uri))) => Some(uri.clone()),
        _ => None,
    };
    if uri.is_some() {
        items.remove(0);
    }
    Ok((uri, T::from_list(&items)?))
}
