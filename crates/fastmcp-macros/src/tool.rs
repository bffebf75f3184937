//! `#[tool]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ItemFn, LitStr};

use crate::options::Options;
use crate::params::{arguments, classify_all, doc_text, value_type, wrap};

const OPTIONS: &[&str] = &[
    "name",
    "title",
    "description",
    "tags",
    "annotations",
    "timeout",
    "task",
    "task_start",
    "meta",
    "version",
    "enabled",
];
const ANNOTATIONS: &[&str] = &[
    "read_only",
    "destructive",
    "idempotent",
    "open_world",
    "title",
];

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options = Options::parse(attr, OPTIONS, "tool")?;
    let mut function: ItemFn = syn::parse2(item)?;
    let params = classify_all(&mut function, "tool")?;
    let ident = function.sig.ident.clone();
    let tool_name = options
        .string("name")?
        .unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));

    let mut builder = quote!(::fastmcp::tools::Tool::builder(#tool_name));
    let description = options
        .string("description")?
        .map(|d| d.value())
        .or_else(|| doc_text(&function.attrs));
    if let Some(description) = description {
        builder = quote!(#builder.description(#description));
    }
    if let Some(title) = options.string("title")? {
        builder = quote!(#builder.title(#title));
    }
    for key in [
        "tags",
        "timeout",
        "task",
        "task_start",
        "meta",
        "version",
        "enabled",
    ] {
        if let Some(value) = options.expr(key) {
            let method = syn::Ident::new(key, value.span());
            builder = quote!(#builder.#method(#value));
        }
    }
    if let Some(hints) = options.list("annotations") {
        let mut annotations = quote!(::fastmcp::types::ToolAnnotations::new());
        for hint in hints {
            let Some(name) = hint.path.get_ident() else {
                return Err(syn::Error::new(
                    hint.path.span(),
                    "expected an annotation name",
                ));
            };
            let value = &hint.value;
            annotations = match name.to_string().as_str() {
                "title" => quote!({
                    let mut a = #annotations;
                    a.title = ::std::option::Option::Some(::std::string::String::from(#value));
                    a
                }),
                other if ANNOTATIONS.contains(&other) => quote!(#annotations.#name(#value)),
                other => {
                    return Err(syn::Error::new(
                        name.span(),
                        format!(
                            "unknown annotation `{other}`; expected one of: {}",
                            ANNOTATIONS.join(", ")
                        ),
                    ));
                }
            };
        }
        builder = quote!(#builder.annotations(#annotations));
    }

    let args = arguments(&params);
    let definition = &args.definition;
    let bindings = &args.bindings;
    let call_args = &args.call_args;
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

    let body = quote! {

                #definition

                #[allow(unused_imports)]
                use ::fastmcp::tools::__macro::{ExplicitKind as _, StructuredKind as _};
                let (__output_schema, __wrap) =
                    (&&::fastmcp::tools::__macro::Probe::<#value_ty>::new()).kind().output_schema();
                #builder
                    .input_schema_for::<__FastmcpArgs>()
                    .output_schema_object(__output_schema)
                    .raw_handler(move |__arguments: ::fastmcp::types::JsonObject, __ctx: ::fastmcp::Context| -> ::fastmcp::tools::ToolFuture {
                        let _ = &__ctx;
                        let __parsed = ::fastmcp::utilities::args::parse_arguments::<__FastmcpArgs>(#tool_name, __arguments);
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
    };
    Ok(wrap(&function, quote!(::fastmcp::tools::Tool), body))
}
