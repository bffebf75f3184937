//! `#[tool]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::options::{ToolOptions, apply_values, parse};
use crate::params::{Kind, arguments, classify_all, value_type, wrap};

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options: ToolOptions = parse(attr)?;
    let mut function: ItemFn = syn::parse2(item)?;
    let params = classify_all(&mut function, Kind::Tool)?;
    let tool_name = options.common.name(&function.sig.ident);

    let mut builder = options.common.apply(
        quote!(::fastmcp::tools::Tool::builder(#tool_name)),
        &function.attrs,
    );
    builder = apply_values(
        builder,
        &[
            ("timeout", &options.timeout),
            ("task", &options.task),
            ("task_start", &options.task_start),
        ],
    );
    if let Some(annotations) = &options.annotations {
        let annotations = annotations.build();
        builder = quote!(#builder.annotations(#annotations));
    }

    let args = arguments(&params);
    let definition = &args.definition;
    let parse = args.parse(Kind::Tool, quote!(#tool_name), quote!(__arguments));
    let call = args.call(&function, quote!(__parsed?));
    let (value_ty, returns_result) = value_type(&function.sig.output);
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
        use ::fastmcp::__private::tools::{ExplicitKind as _, StructuredKind as _};
        let (__output_schema, __wrap) =
            (&&::fastmcp::__private::tools::Probe::<#value_ty>::new()).kind().output_schema();
        #builder
            .input_schema_for::<__FastmcpArgs>()
            .output_schema_object(__output_schema)
            .raw_handler(move |__arguments: ::fastmcp::types::JsonObject, __ctx: ::fastmcp::Context| -> ::fastmcp::tools::ToolFuture {
                let __parsed = #parse;
                ::std::boxed::Box::pin(async move {
                    #call
                    #unwrap_result
                    #[allow(unused_imports)]
                    use ::fastmcp::__private::tools::{ExplicitKind as _, StructuredKind as _};
                    (&&::fastmcp::__private::tools::Probe::<#value_ty>::new()).kind().convert(__value, __wrap)
                })
            })
    };
    Ok(wrap(&function, quote!(::fastmcp::tools::Tool), body))
}
