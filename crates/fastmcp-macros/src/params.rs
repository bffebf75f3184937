//! Function signatures: which parameters are the request context and which become arguments,
//! and the arguments struct generated from them.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, FnArg, GenericArgument, ItemFn, Lit, LitStr, Meta, Pat,
    PathArguments, ReturnType, Token, Type,
};

/// One parameter, classified.
pub enum Param {
    /// `Context` (by value) or `&Context`.
    Context { by_ref: bool },
    /// An argument: a field of the generated arguments struct.
    Argument(Box<Argument>),
}

pub struct Argument {
    pub ident: syn::Ident,
    /// The field's type: the parameter's, or the owned form of a borrowed one.
    pub ty: Type,
    /// The function takes a reference (`&str`, `&[T]`, `&T`): it is lent the field.
    borrowed: bool,
    description: Option<LitStr>,
    default: Option<Option<Expr>>,
}

/// The doc comment, with the one leading space rustdoc adds removed from each line.
pub fn doc_text(attrs: &[Attribute]) -> Option<String> {
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

/// Classifies every parameter, removing `#[arg(...)]` attributes from the function.
pub fn classify_all(function: &mut ItemFn, macro_name: &str) -> syn::Result<Vec<Param>> {
    if !function.sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            function.sig.generics.span(),
            format!("#[{macro_name}] functions cannot be generic"),
        ));
    }
    function
        .sig
        .inputs
        .iter_mut()
        .map(|arg| classify(arg, macro_name))
        .collect()
}

fn classify(arg: &mut FnArg, macro_name: &str) -> syn::Result<Param> {
    let FnArg::Typed(typed) = arg else {
        return Err(syn::Error::new(
            arg.span(),
            format!("#[{macro_name}] functions cannot take `self`"),
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
            "parameters must be plain names",
        ));
    };
    let (ty, borrowed) = match typed.ty.as_ref() {
        Type::Reference(reference) if reference.mutability.is_some() => {
            return Err(syn::Error::new(
                typed.ty.span(),
                "arguments cannot be `&mut`; take the value (or `&T`) instead",
            ));
        }
        Type::Reference(reference) => (owned(&reference.elem), true),
        other => (other.clone(), false),
    };
    Ok(Param::Argument(Box::new(Argument {
        ident: pat.ident.clone(),
        ty,
        borrowed,
        description,
        default,
    })))
}

/// What a borrowed argument is deserialized into: `String` for `str`, `Vec<T>` for `[T]`,
/// `T` itself otherwise.
fn owned(elem: &Type) -> Type {
    match elem {
        Type::Path(path) if path.qself.is_none() && path.path.is_ident("str") => {
            syn::parse_quote!(::std::string::String)
        }
        Type::Slice(slice) => {
            let item = &slice.elem;
            syn::parse_quote!(::std::vec::Vec<#item>)
        }
        other => other.clone(),
    }
}

/// The type whose value the function produces (`T` of `Result<T, E>`, else the return type),
/// and whether it returns a `Result`.
pub fn value_type(output: &ReturnType) -> (Type, bool) {
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

/// The generated arguments struct `__FastmcpArgs` and how to call the function with it.
pub struct Arguments {
    /// The struct (and its default-value functions).
    pub definition: TokenStream,
    /// `let __FastmcpArgs { a, b } = …;` field names.
    pub bindings: Vec<syn::Ident>,
    /// The call's argument list, in parameter order (`a`, `__ctx.clone()`, `b`).
    pub call_args: Vec<TokenStream>,
}

pub fn arguments(params: &[Param]) -> Arguments {
    let mut fields = Vec::new();
    let mut default_fns = Vec::new();
    let mut bindings = Vec::new();
    let mut call_args = Vec::new();
    for param in params {
        match param {
            Param::Context { by_ref: true } => call_args.push(quote!(&__ctx)),
            Param::Context { by_ref: false } => {
                call_args.push(quote!(::std::clone::Clone::clone(&__ctx)))
            }
            Param::Argument(argument) => {
                let Argument {
                    ident,
                    ty,
                    borrowed,
                    description,
                    default,
                } = argument.as_ref();
                let doc = description.as_ref().map(|d| quote!(#[doc = #d]));
                let serde_default = match default {
                    Some(Some(expr)) => {
                        let fn_name = format_ident!("__fastmcp_default_{}", ident);
                        let fn_name_str = LitStr::new(&fn_name.to_string(), Span::call_site());
                        // A borrowed argument's default may be written borrowed too (`"x"`).
                        let value = if *borrowed {
                            quote!(::std::convert::Into::into(#expr))
                        } else {
                            quote!(#expr)
                        };
                        default_fns.push(quote! {
                            #[allow(non_snake_case)]
                            fn #fn_name() -> #ty { #value }
                        });
                        quote!(#[serde(default = #fn_name_str)])
                    }
                    Some(None) => quote!(#[serde(default)]),
                    None if is_option(ty) => quote!(#[serde(default)]),
                    None => quote!(),
                };
                fields.push(quote! { #doc #serde_default #ident: #ty });
                bindings.push(ident.clone());
                call_args.push(if *borrowed {
                    quote!(&#ident)
                } else {
                    quote!(#ident)
                });
            }
        }
    }
    let definition = quote! {
        #(#default_fns)*

        #[derive(::fastmcp::__private::serde::Deserialize, ::fastmcp::__private::schemars::JsonSchema)]
        #[serde(crate = "::fastmcp::__private::serde", deny_unknown_fields)]
        #[schemars(crate = "::fastmcp::__private::schemars")]
        #[allow(non_snake_case)]
        struct __FastmcpArgs { #(#fields,)* }
    };
    Arguments {
        definition,
        bindings,
        call_args,
    }
}

/// The names of the argument parameters.
pub fn argument_names(params: &[Param]) -> Vec<String> {
    params
        .iter()
        .filter_map(|param| match param {
            Param::Argument(argument) => Some(
                argument
                    .ident
                    .to_string()
                    .trim_start_matches("r#")
                    .to_owned(),
            ),
            Param::Context { .. } => None,
        })
        .collect()
}

/// Replaces the function with a zero-argument function of the same name returning the
/// component (`add()` is the `Tool`; registering takes `add` itself), and keeps the original
/// callable as `add::call(…)` (for unit tests) through a field-less braced struct of the same
/// name. A braced struct lives only in the type namespace and a function only in the value
/// namespace, so both keep the name, a local variable may still shadow it, and everything
/// works inside a function body too.
pub fn wrap(function: &ItemFn, target: TokenStream, body: TokenStream) -> TokenStream {
    let ident = &function.sig.ident;
    let vis = &function.vis;
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
    let inputs = &function.sig.inputs;
    let output = &function.sig.output;
    let asyncness = &function.sig.asyncness;
    let unsafety = &function.sig.unsafety;
    let block = &function.block;
    let call_doc = format!(
        "The function behind [`{ident}()`](fn@{ident}), callable directly (for example in unit tests)."
    );
    quote! {
        #(#docs)*
        #vis fn #ident() -> #target {
            #body
        }

        #[doc = #call_doc]
        #[allow(non_camel_case_types)]
        #vis struct #ident {}

        impl #ident {
            #[doc = #call_doc]
            #(#other_attrs)*
            #vis #unsafety #asyncness fn call(#inputs) #output #block
        }
    }
}

/// `Err(e)` of a `Result`-returning function, converted to the component's error type by
/// `probe_path` (`…::__request_error`).
pub fn unwrap_request_error(returns_result: bool) -> Option<TokenStream> {
    returns_result.then(|| {
        quote! {
            let __value = match __value {
                ::std::result::Result::Ok(value) => value,
                ::std::result::Result::Err(error) => {
                    #[allow(unused_imports)]
                    use ::fastmcp::error::__request_error::{KeepKind as _, WrapKind as _};
                    return ::std::result::Result::Err(
                        (&&::fastmcp::error::__request_error::Probe::of(&error)).kind().convert(error),
                    );
                }
            };
        }
    })
}
