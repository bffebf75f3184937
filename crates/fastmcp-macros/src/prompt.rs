//! `#[prompt]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::options::{PromptOptions, parse};
use crate::params::{Kind, arguments, classify_all, unwrap_request_error, value_type, wrap};

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options: PromptOptions = parse(attr)?;
    let mut function: ItemFn = syn::parse2(item)?;
    let params = classify_all(&mut function, Kind::Prompt)?;
    let prompt_name = options.common.name(&function.sig.ident);
    let builder = options.common.apply(
        quote!(::fastmcp::prompts::Prompt::builder(#prompt_name)),
        &function.attrs,
    );

    let args = arguments(&params);
    let definition = &args.definition;
    let parse = args.parse(Kind::Prompt, quote!(#prompt_name), quote!(__arguments));
    let call = args.call(&function, quote!(__parsed?));
    let (_, returns_result) = value_type(&function.sig.output);
    let unwrap_result = unwrap_request_error(returns_result);

    let body = quote! {
        #definition

        #builder
            .arguments_schema_for::<__FastmcpArgs>()
            .raw_handler(move |__arguments: ::fastmcp::types::JsonObject, __ctx: ::fastmcp::Context| -> ::fastmcp::prompts::PromptFuture {
                let __parsed = #parse
                    .map_err(|error| ::fastmcp::RequestError::invalid_params(error.message()));
                ::std::boxed::Box::pin(async move {
                    #call
                    #unwrap_result
                    ::std::result::Result::Ok(::fastmcp::prompts::IntoPromptResult::into_prompt_result(__value))
                })
            })
    };
    Ok(wrap(&function, quote!(::fastmcp::prompts::Prompt), body))
}
