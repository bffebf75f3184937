//! `#[prompt]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ItemFn, LitStr};

use crate::options::Options;
use crate::params::{arguments, classify_all, doc_text, unwrap_request_error, value_type, wrap};

const OPTIONS: &[&str] = &[
    "name",
    "title",
    "description",
    "tags",
    "meta",
    "version",
    "enabled",
];

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options = Options::parse(attr, OPTIONS, "prompt")?;
    let mut function: ItemFn = syn::parse2(item)?;
    let params = classify_all(&mut function, "prompt")?;
    let ident = function.sig.ident.clone();
    let prompt_name = options
        .string("name")?
        .unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));

    let mut builder = quote!(::fastmcp::prompts::Prompt::builder(#prompt_name));
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
    for key in ["tags", "meta", "version", "enabled"] {
        if let Some(value) = options.expr(key) {
            let method = syn::Ident::new(key, value.span());
            builder = quote!(#builder.#method(#value));
        }
    }

    let args = arguments(&params);
    let definition = &args.definition;
    let bindings = &args.bindings;
    let call_args = &args.call_args;
    let (_, returns_result) = value_type(&function.sig.output);
    let await_call = function.sig.asyncness.map(|_| quote!(.await));
    let unwrap_result = unwrap_request_error(returns_result);

    let body = quote! {

                #definition

                #builder
                    .arguments_schema_for::<__FastmcpArgs>()
                    .with_handler(move |__arguments: ::fastmcp::types::JsonObject, __ctx: ::fastmcp::Context| -> ::fastmcp::prompts::PromptFuture {
                        let _ = &__ctx;
                        let __parsed = ::fastmcp::utilities::args::parse_arguments::<__FastmcpArgs>(#prompt_name, __arguments)
                            .map_err(|error| ::fastmcp::RequestError::invalid_params(
                                error.message().replacen("for tool", "for prompt", 1),
                            ));
                        ::std::boxed::Box::pin(async move {
                            #[allow(unused_variables)]
                            let __FastmcpArgs { #(#bindings,)* } = __parsed?;
                            let __value = #ident::call(#(#call_args),*) #await_call;
                            #unwrap_result
                            ::std::result::Result::Ok(::fastmcp::prompts::IntoPromptResult::into_prompt_result(__value))
                        })
                    })
    };
    Ok(wrap(&function, quote!(::fastmcp::prompts::Prompt), body))
}
