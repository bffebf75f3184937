//! Procedural macros for FastMCP for Rust. Use them through the `fastmcp` crate
//! (`fastmcp::tool`), which documents them with examples.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, FnArg, GenericArgument, ItemFn, Lit, LitStr, Meta, Pat,
    PathArguments, ReturnType, Token, Type,
};

/// Turns a function into an MCP tool. See the `fastmcp` crate's documentation of `tool`.
///
/// The function becomes a unit struct of the same name that registers with
/// `FastMCP::tool(name)`; the function itself stays callable as `name::call(...)`.
///
/// Options: `name = "…"`, `title = "…"`, `description = "…"` (default: the doc comment),
/// `tags = ["a", "b"]`, `annotations(read_only = true, destructive = false,
/// idempotent = true, open_world = false)`, `timeout = <Duration expression>`,
/// `meta = <serde_json::Value expression>`.
///
/// Parameters may carry `#[arg(description = "…", default = <expr>)]` (or a bare
/// `#[arg(default)]` for `Default::default()`). A parameter of type `Context` or `&Context`
/// receives the request context and is left out of the input schema.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    match expand(attr.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

#[derive(Default)]
struct ToolOptions {
    name: Option<LitStr>,
    title: Option<LitStr>,
    description: Option<LitStr>,
    tags: Option<Expr>,
    annotations: Vec<(syn::Ident, Expr)>,
    timeout: Option<Expr>,
    meta: Option<Expr>,
}

fn parse_options(attr: TokenStream2) -> syn::Result<ToolOptions> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(attr)?;
    let mut options = ToolOptions::default();
    for meta in metas {
        match &meta {
            Meta::NameValue(nv) => {
                let key = nv
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                match key.as_str() {
                    "name" => options.name = Some(lit_str(&nv.value)?),
                    "title" => options.title = Some(lit_str(&nv.value)?),
                    "description" => options.description = Some(lit_str(&nv.value)?),
                    "tags" => options.tags = Some(nv.value.clone()),
                    "timeout" => options.timeout = Some(nv.value.clone()),
                    "meta" => options.meta = Some(nv.value.clone()),
                    _ => return Err(syn::Error::new(nv.path.span(), unknown_option(&key))),
                }
            }
            Meta::List(list) if list.path.is_ident("annotations") => {
                let hints = list.parse_args_with(
                    Punctuated::<syn::MetaNameValue, Token![,]>::parse_terminated,
                )?;
                for hint in hints {
                    let Some(ident) = hint.path.get_ident().cloned() else {
                        return Err(syn::Error::new(
                            hint.path.span(),
                            "expected an annotation name",
                        ));
                    };
                    match ident.to_string().as_str() {
                        "read_only" | "destructive" | "idempotent" | "open_world" | "title" => {
                            options.annotations.push((ident, hint.value));
                        }
                        other => {
                            return Err(syn::Error::new(
                                ident.span(),
                                format!(
                                    "unknown annotation `{other}`; expected read_only, destructive, idempotent, open_world or title"
                                ),
                            ));
                        }
                    }
                }
            }
            other => {
                let key = other
                    .path()
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                return Err(syn::Error::new(other.span(), unknown_option(&key)));
            }
        }
    }
    Ok(options)
}

fn unknown_option(key: &str) -> String {
    format!(
        "unknown #[tool] option `{key}`; expected name, title, description, tags, annotations(...), timeout or meta"
    )
}

fn lit_str(expr: &Expr) -> syn::Result<LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.clone()),
        other => Err(syn::Error::new(other.span(), "expected a string literal")),
    }
}

/// One function parameter, classified.
enum Param {
    /// `Context` (by value) or `&Context`.
    Context { by_ref: bool },
    /// A tool argument: a field of the generated arguments struct.
    Argument(Box<Argument>),
}

struct Argument {
    ident: syn::Ident,
    ty: Type,
    description: Option<LitStr>,
    default: Option<Option<Expr>>,
}

fn doc_text(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) => path.path.segments.last(),
        _ => None,
    }
}

fn is_context(ty: &Type) -> Option<bool> {
    match ty {
        Type::Reference(reference) => is_context(&reference.elem)
            .filter(|by_ref| !by_ref)
            .map(|_| true),
        other => last_segment(other)
            .filter(|seg| seg.ident == "Context")
            .map(|_| false),
    }
}

fn is_option(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|seg| seg.ident == "Option")
}

fn classify(arg: &mut FnArg) -> syn::Result<Param> {
    let FnArg::Typed(typed) = arg else {
        return Err(syn::Error::new(
            arg.span(),
            "#[tool] functions cannot take `self`",
        ));
    };
    let mut description = None;
    let mut default = None;
    let mut kept = Vec::new();
    for attr in typed.attrs.drain(..) {
        if !attr.path().is_ident("arg") {
            kept.push(attr);
            continue;
        }
        attr.parse_nested_meta(|nested| {
            if nested.path.is_ident("description") {
                description = Some(nested.value()?.parse::<LitStr>()?);
            } else if nested.path.is_ident("default") {
                default = Some(if nested.input.peek(Token![=]) {
                    Some(nested.value()?.parse::<Expr>()?)
                } else {
                    None
                });
            } else {
                return Err(nested.error("expected `description = \"…\"` or `default = <expr>`"));
            }
            Ok(())
        })?;
    }
    typed.attrs = kept;
    if let Some(by_ref) = is_context(&typed.ty) {
        return Ok(Param::Context { by_ref });
    }
    let Pat::Ident(pat) = typed.pat.as_ref() else {
        return Err(syn::Error::new(
            typed.pat.span(),
            "tool parameters must be plain names",
        ));
    };
    if matches!(typed.ty.as_ref(), Type::Reference(_)) {
        return Err(syn::Error::new(
            typed.ty.span(),
            "tool arguments must be owned types (for example `String` instead of `&str`)",
        ));
    }
    Ok(Param::Argument(Box::new(Argument {
        ident: pat.ident.clone(),
        ty: (*typed.ty).clone(),
        description,
        default,
    })))
}

/// The type whose value the tool produces: `T` of `Result<T, E>`, else the return type.
fn value_type(output: &ReturnType) -> (Type, bool) {
    let ReturnType::Type(_, ty) = output else {
        return (syn::parse_quote!(()), false);
    };
    if let Some(seg) = last_segment(ty)
        && seg.ident == "Result"
        && let PathArguments::AngleBracketed(args) = &seg.arguments
        && let Some(GenericArgument::Type(inner)) = args.args.first()
    {
        return (inner.clone(), true);
    }
    ((**ty).clone(), false)
}

fn expand(attr: TokenStream2, item: TokenStream2) -> syn::Result<TokenStream2> {
    let options = parse_options(attr)?;
    let mut function: ItemFn = syn::parse2(item)?;
    if !function.sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            function.sig.generics.span(),
            "#[tool] functions cannot be generic",
        ));
    }
    let params = function
        .sig
        .inputs
        .iter_mut()
        .map(classify)
        .collect::<syn::Result<Vec<_>>>()?;

    let ident = function.sig.ident.clone();
    let vis = function.vis.clone();
    let tool_name = options
        .name
        .clone()
        .unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));
    let description = options
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| doc_text(&function.attrs));
    let docs: Vec<&Attribute> = function
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let other_attrs: Vec<&Attribute> = function
        .attrs
        .iter()
        .filter(|a| !a.path().is_ident("doc"))
        .collect();

    let mut fields = Vec::new();
    let mut default_fns = Vec::new();
    let mut bindings = Vec::new();
    let mut call_args = Vec::new();
    for param in &params {
        match param {
            Param::Context { by_ref: true } => call_args.push(quote!(&__ctx)),
            Param::Context { by_ref: false } => {
                call_args.push(quote!(::std::clone::Clone::clone(&__ctx)))
            }
            Param::Argument(argument) => {
                let Argument {
                    ident,
                    ty,
                    description,
                    default,
                } = argument.as_ref();
                let doc = description.as_ref().map(|d| quote!(#[doc = #d]));
                let serde_default = match default {
                    Some(Some(expr)) => {
                        let fn_name = format_ident!("__fastmcp_default_{}", ident);
                        let fn_name_str = LitStr::new(&fn_name.to_string(), Span::call_site());
                        default_fns.push(quote! {
                            #[allow(non_snake_case)]
                            fn #fn_name() -> #ty { #expr }
                        });
                        quote!(#[serde(default = #fn_name_str)])
                    }
                    Some(None) => quote!(#[serde(default)]),
                    None if is_option(ty) => quote!(#[serde(default)]),
                    None => quote!(),
                };
                fields.push(quote! { #doc #serde_default #ident: #ty });
                bindings.push(quote!(#ident));
                call_args.push(quote!(#ident));
            }
        }
    }

    let (value_ty, returns_result) = value_type(&function.sig.output);
    let await_call = function.sig.asyncness.map(|_| quote!(.await));
    let unwrap_result = returns_result.then(|| {
        quote! {
            let __value = match __value {
                ::std::result::Result::Ok(value) => value,
                ::std::result::Result::Err(error) => {
                    return ::std::result::Result::Err(::fastmcp::error::IntoToolError::into_tool_error(error));
                }
            };
        }
    });

    let mut builder = quote!(::fastmcp::tools::Tool::builder(#tool_name));
    if let Some(description) = description {
        builder = quote!(#builder.description(#description));
    }
    if let Some(title) = &options.title {
        builder = quote!(#builder.title(#title));
    }
    if let Some(tags) = &options.tags {
        builder = quote!(#builder.tags(#tags));
    }
    if !options.annotations.is_empty() {
        let mut annotations = quote!(::fastmcp::types::ToolAnnotations::new());
        for (hint, value) in &options.annotations {
            annotations = if hint == "title" {
                quote!({ let mut a = #annotations; a.title = ::std::option::Option::Some(::std::string::String::from(#value)); a })
            } else {
                quote!(#annotations.#hint(#value))
            };
        }
        builder = quote!(#builder.annotations(#annotations));
    }
    if let Some(timeout) = &options.timeout {
        builder = quote!(#builder.timeout(#timeout));
    }
    if let Some(meta) = &options.meta {
        builder = quote!(#builder.meta(#meta));
    }

    let inputs = &function.sig.inputs;
    let output = &function.sig.output;
    let asyncness = &function.sig.asyncness;
    let unsafety = &function.sig.unsafety;
    let block = &function.block;

    Ok(quote! {
        #(#docs)*
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #ident;

        impl #ident {
            /// The function behind this tool, callable directly (for example in unit tests).
            #(#other_attrs)*
            #vis #unsafety #asyncness fn call(#inputs) #output #block
        }

        impl ::fastmcp::tools::IntoTool for #ident {
            fn into_tool(self) -> ::fastmcp::tools::Tool {
                #(#default_fns)*

                #[derive(::fastmcp::__private::serde::Deserialize, ::fastmcp::__private::schemars::JsonSchema)]
                #[serde(crate = "::fastmcp::__private::serde", deny_unknown_fields)]
                #[schemars(crate = "::fastmcp::__private::schemars")]
                struct __FastmcpArgs { #(#fields,)* }

                #[allow(unused_imports)]
                use ::fastmcp::tools::__macro::{ExplicitKind as _, StructuredKind as _};
                let (__output_schema, __wrap) =
                    (&&::fastmcp::tools::__macro::Probe::<#value_ty>::new()).kind().output_schema();
                #builder
                    .input_schema_for::<__FastmcpArgs>()
                    .output_schema_object(__output_schema)
                    .raw_handler(move |__arguments: ::fastmcp::types::JsonObject, __ctx: ::fastmcp::Context| -> ::fastmcp::tools::ToolFuture {
                        let _ = &__ctx;
                        let __parsed = ::fastmcp::tools::args::parse_arguments::<__FastmcpArgs>(#tool_name, __arguments);
                        ::std::boxed::Box::pin(async move {
                            #[allow(unused_variables)]
                            let __FastmcpArgs { #(#bindings,)* } = __parsed?;
                            let __value = #ident::call(#(#call_args),*) #await_call;
                            #unwrap_result
                            #[allow(unused_imports)]
                            use ::fastmcp::tools::__macro::{ExplicitKind as _, StructuredKind as _};
                            (&&::fastmcp::tools::__macro::Probe::<#value_ty>::new()).kind().convert(__value, __wrap)
                        })
                    })
            }
        }
    })
}
