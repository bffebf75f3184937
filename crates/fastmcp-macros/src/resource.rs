//! `#[resource("uri")]`: a fixed resource, or a template when the URI has `{variables}`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ItemFn, LitStr};

use crate::options::{ResourceOptions, apply_values, parse_with_uri};
use crate::params::{Kind, arguments, classify_all, unwrap_request_error, value_type, wrap};

/// The `{variables}` of a URI template, read by the parser the runtime uses; a malformed
/// template is a compile error here rather than a registration panic later.
fn template_variables(uri: &LitStr) -> syn::Result<Vec<String>> {
    let parts = fastmcp_uri_template::parse(&uri.value())
        .map_err(|problem| syn::Error::new(uri.span(), problem))?;
    Ok(fastmcp_uri_template::variables(&parts)
        .into_iter()
        .map(str::to_owned)
        .collect())
}

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let (uri, options): (_, ResourceOptions) = parse_with_uri(attr)?;
    let Some(uri) = uri else {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[resource] needs the URI first: #[resource(\"scheme://path/{id}\")]",
        ));
    };
    let mut function: ItemFn = syn::parse2(item)?;
    let params = classify_all(&mut function, Kind::Resource)?;
    let is_template = uri.value().contains('{');
    let variables = template_variables(&uri)?;
    let missing: Vec<&str> = variables
        .iter()
        .filter(|variable| !params.iter().any(|param| param.name() == **variable))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(syn::Error::new(
            function.sig.inputs.span(),
            format!(
                "every URI variable of a resource template must be a parameter of its function; missing: {}",
                missing.join(", ")
            ),
        ));
    }
    // The other parameters must be supplied by the server, which only a Context is.
    let injected: Vec<TokenStream> = params
        .iter()
        .filter(|param| !variables.contains(&param.name()))
        .map(|param| param.assert_injected())
        .collect();
    if let (false, Some(value)) = (is_template, &options.allow_path_traversal) {
        return Err(syn::Error::new(
            value.0.span(),
            "`allow_path_traversal` applies to templates only",
        ));
    }

    let name = options.common.name(&function.sig.ident);
    let target = if is_template {
        quote!(::fastmcp::resources::ResourceTemplate)
    } else {
        quote!(::fastmcp::resources::Resource)
    };
    let mut builder = options
        .common
        .apply(quote!(#target::builder(#uri).name(#name)), &function.attrs);
    if let Some(mime_type) = &options.mime_type {
        builder = quote!(#builder.mime_type(#mime_type));
    }
    builder = apply_values(
        builder,
        &[
            ("annotations", &options.annotations),
            ("cache_hint", &options.cache_hint),
            ("allow_path_traversal", &options.allow_path_traversal),
        ],
    );

    let args = arguments(&params);
    let definition = &args.definition;
    let parse = args.parse(Kind::Resource, quote!(&__uri), quote!(__request.params));
    let call = args.call(&function, quote!(__parsed?));
    let (_, returns_result) = value_type(&function.sig.output);
    let unwrap_result = unwrap_request_error(returns_result);
    let schema = is_template.then(|| quote!(.params_schema_for::<__FastmcpArgs>()));

    let body = quote! {
        #(#injected)*
        #definition

        #builder
            #schema
            .raw_handler(move |__request: ::fastmcp::resources::ResourceRequest, __ctx: ::fastmcp::Context| -> ::fastmcp::resources::ResourceFuture {
                let __uri = __request.uri;
                let __parsed = #parse
                    .map_err(|error| ::fastmcp::RequestError::invalid_params(error.message()));
                ::std::boxed::Box::pin(async move {
                    #call
                    #unwrap_result
                    #[allow(unused_imports)]
                    use ::fastmcp::__private::resources::{ExplicitKind as _, JsonKind as _};
                    (&&::fastmcp::__private::resources::Probe::of(&__value)).kind().convert(__value, &__uri)
                })
            })
    };
    Ok(wrap(&function, target, body))
}
