//! Function signatures: every parameter becomes a field of one generated arguments struct,
//! typed through `fastmcp::__private::Param`, so whether a parameter is a `Context` (supplied
//! by the server) or an argument (sent by the client) is decided by its type, not its name.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, FnArg, GenericArgument, Ident, ItemFn, Lit, LitStr, Meta, Pat,
    PathArguments, ReturnType, Token, Type,
};

/// The component kind a macro builds; it names the kind in errors.
#[derive(Clone, Copy)]
pub enum Kind {
    Tool,
    Prompt,
    Resource,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tool => "tool",
            Kind::Prompt => "prompt",
            Kind::Resource => "resource",
        }
    }
}

/// One parameter of the function.
pub struct Param {
    /// The field and binding name.
    pub ident: Ident,
    /// The type that implements `Param`: the parameter's own, or the owned form of a borrowed
    /// one (`String` for `&str`, `Vec<T>` for `&[T]`, `T` for `&T`).
    pub owned: Type,
    /// The function takes a reference: it is lent the value.
    borrowed: bool,
    /// Written `_`: only a `Context` may be.
    unnamed: bool,
    description: Option<LitStr>,
    default: Option<Option<Expr>>,
}

impl Param {
    /// The field's type in the arguments struct.
    fn stored(&self) -> TokenStream {
        let owned = &self.owned;
        quote_spanned!(owned.span()=> <#owned as ::fastmcp::__private::Param>::Stored)
    }

    /// The expression passed to the function for this parameter.
    fn call_arg(&self) -> TokenStream {
        let (ident, owned) = (&self.ident, &self.owned);
        if self.borrowed {
            quote!(<#owned as ::fastmcp::__private::Param>::lend(&#ident, &__ctx))
        } else {
            quote!(<#owned as ::fastmcp::__private::Param>::take(#ident, &__ctx))
        }
    }

    /// A compile-time check that the server supplies this parameter (it is a `Context`), with
    /// the error at the parameter's type.
    pub fn assert_injected(&self) -> TokenStream {
        self.assert_is("Injected")
    }

    /// `owned: fastmcp::__private::{bound}`, checked at compile time, the error at the type.
    fn assert_is(&self, bound: &str) -> TokenStream {
        let owned = &self.owned;
        let bound = Ident::new(bound, owned.span());
        quote_spanned! {owned.span()=>
            {
                fn __fastmcp_check<T: ::fastmcp::__private::#bound>() {}
                __fastmcp_check::<#owned>();
            }
        }
    }

    /// The name clients see.
    pub fn name(&self) -> String {
        self.ident.to_string().trim_start_matches("r#").to_owned()
    }
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

fn is_option(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|seg| seg.ident == "Option")
}

/// Reads every parameter, removing `#[arg(...)]` attributes from the function.
pub fn classify_all(function: &mut ItemFn, kind: Kind) -> syn::Result<Vec<Param>> {
    if !function.sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            function.sig.generics.span(),
            format!("#[{}] functions cannot be generic", kind.name()),
        ));
    }
    function
        .sig
        .inputs
        .iter_mut()
        .enumerate()
        .map(|(index, arg)| classify(arg, index, kind))
        .collect()
}

/// The `description` and `default` of `#[arg(...)]`, removed from `attrs`.
type ArgOptions = (Option<LitStr>, Option<Option<Expr>>);

fn arg_options(attrs: &mut Vec<Attribute>) -> syn::Result<ArgOptions> {
    let mut description = None;
    let mut default = None;
    let mut kept = Vec::new();
    for attr in attrs.drain(..) {
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
    *attrs = kept;
    Ok((description, default))
}

fn classify(arg: &mut FnArg, index: usize, kind: Kind) -> syn::Result<Param> {
    let FnArg::Typed(typed) = arg else {
        return Err(syn::Error::new(
            arg.span(),
            format!("#[{}] functions cannot take `self`", kind.name()),
        ));
    };
    let (description, default) = arg_options(&mut typed.attrs)?;
    let ident = match typed.pat.as_ref() {
        Pat::Ident(pat) => pat.ident.clone(),
        Pat::Wild(_) => format_ident!("__fastmcp_unnamed_{}", index),
        other => {
            return Err(syn::Error::new(
                other.span(),
                "parameters must be plain names",
            ));
        }
    };
    let (owned, borrowed) = match typed.ty.as_ref() {
        Type::Reference(reference) if reference.mutability.is_some() => {
            return Err(syn::Error::new(
                typed.ty.span(),
                "parameters cannot be `&mut`; take the value (or `&T`) instead",
            ));
        }
        Type::Reference(reference) => (owned(&reference.elem), true),
        other => (other.clone(), false),
    };
    let unnamed = matches!(typed.pat.as_ref(), Pat::Wild(_));
    Ok(Param {
        ident,
        owned,
        borrowed,
        unnamed,
        description,
        default,
    })
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
    bindings: Vec<Ident>,
    /// The call's argument list, in parameter order.
    call_args: Vec<TokenStream>,
}

pub fn arguments(params: &[Param]) -> Arguments {
    let mut fields = Vec::new();
    let mut default_fns = Vec::new();
    let mut checks = Vec::new();
    for param in params {
        let Param {
            ident,
            owned,
            borrowed,
            unnamed,
            description,
            default,
        } = param;
        if *unnamed {
            checks.push(param.assert_is("Unnamed"));
        }
        let stored = param.stored();
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
                    fn #fn_name() -> #stored { #value }
                });
                quote!(#[serde(default = #fn_name_str)])
            }
            Some(None) => quote!(#[serde(default)]),
            None if is_option(owned) => quote!(#[serde(default)]),
            None => quote!(),
        };
        fields.push(quote! { #doc #serde_default #ident: #stored });
    }
    let definition = quote! {
        #(#checks)*
        #(#default_fns)*

        #[derive(::fastmcp::__private::serde::Deserialize, ::fastmcp::__private::schemars::JsonSchema)]
        #[serde(crate = "::fastmcp::__private::serde", deny_unknown_fields)]
        #[schemars(crate = "::fastmcp::__private::schemars")]
        #[allow(non_snake_case)]
        struct __FastmcpArgs { #(#fields,)* }
    };
    Arguments {
        definition,
        bindings: params.iter().map(|param| param.ident.clone()).collect(),
        call_args: params.iter().map(Param::call_arg).collect(),
    }
}

impl Arguments {
    /// Parsing `source` (a JSON object) into the arguments struct; errors name the `kind` and
    /// the component's `name`.
    pub fn parse(&self, kind: Kind, name: TokenStream, source: TokenStream) -> TokenStream {
        let kind = kind.name();
        quote!(::fastmcp::utilities::args::parse_arguments_for::<__FastmcpArgs>(#kind, #name, #source))
    }

    /// `let __FastmcpArgs { a, b } = parsed; let __value = f::call(…)[.await];`
    pub fn call(&self, function: &ItemFn, parsed: TokenStream) -> TokenStream {
        let bindings = &self.bindings;
        let call_args = &self.call_args;
        let ident = &function.sig.ident;
        let await_call = function.sig.asyncness.map(|_| quote!(.await));
        quote! {
            #[allow(unused_variables)]
            let __FastmcpArgs { #(#bindings,)* } = #parsed;
            let __value = #ident::call(#(#call_args),*) #await_call;
        }
    }
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
/// `fastmcp::__private::request_error`.
pub fn unwrap_request_error(returns_result: bool) -> Option<TokenStream> {
    returns_result.then(|| {
        quote! {
            let __value = match __value {
                ::std::result::Result::Ok(value) => value,
                ::std::result::Result::Err(error) => {
                    #[allow(unused_imports)]
                    use ::fastmcp::__private::request_error::{KeepKind as _, WrapKind as _};
                    return ::std::result::Result::Err(
                        (&&::fastmcp::__private::request_error::Probe::of(&error)).kind().convert(error),
                    );
                }
            };
        }
    })
}
