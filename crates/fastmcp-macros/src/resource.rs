//! `#[resource("uri")]`: a fixed resource, or a template when the URI has `{variables}`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ItemFn, LitStr};

use crate::options::Options;
use crate::params::{
    argument_names, arguments, classify_all, doc_text, unwrap_request_error, value_type, wrap,
};

const OPTIONS: &[&str] = &[
    "name",
    "title",
    "description",
    "mime_type",
    "tags",
    "meta",
    "version",
    "enabled",
    "annotations",
    "allow_path_traversal",
    "cache_hint",
];

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
    let options = Options::parse(attr, OPTIONS, "resource")?;
    let Some(uri) = options.positional.clone() else {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[resource] needs the URI first: #[resource(\"scheme://path/{id}\")]",
        ));
    };
    let mut function: ItemFn = syn::parse2(item)?;
    let params = classify_all(&mut function, "resource")?;
    let ident = function.sig.ident.clone();
    let is_template = uri.value().contains('{');

    let mut variables = template_variables(&uri)?;
    let mut names = argument_names(&params);
    variables.sort();
    names.sort();
    if variables != names {
        let message = if is_template {
            format!(
                "the parameters of a resource template function must be its URI variables ({}), plus an optional Context; found ({})",
                variables.join(", "),
                names.join(", ")
            )
        } else {
            "a fixed resource's function takes no arguments (only an optional Context); add {variables} to the URI to make a template".to_owned()
        };
        return Err(syn::Error::new(function.sig.inputs.span(), message));
    }

    let name = options
        .string("name")?
        .unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));
    let mut builder = if is_template {
        quote!(::fastmcp::resources::ResourceTemplate::builder(#uri).name(#name))
    } else {
        quote!(::fastmcp::resources::Resource::builder(#uri).name(#name))
    };
    let description = options
        .string("description")?
        .map(|d| d.value())
        .or_else(|| doc_text(&function.attrs));
    if let Some(description) = description {
        builder = quote!(#builder.description(#description));
    }
    for key in ["title", "mime_type"] {
        if let Some(value) = options.string(key)? {
            let method = syn::Ident::new(key, value.span());
            builder = quote!(#builder.#method(#value));
        }
    }
    let mut allowed: Vec<&str> = vec![
        "tags",
        "meta",
        "version",
        "enabled",
        "annotations",
        "cache_hint",
    ];
    if is_template {
        allowed.push("allow_path_traversal");
    } else if let Some(value) = options.expr("allow_path_traversal") {
        return Err(syn::Error::new(
            value.span(),
            "`allow_path_traversal` applies to templates only",
        ));
    }
    for key in allowed {
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
    let schema = is_template.then(|| quote!(.params_schema_for::<__FastmcpArgs>()));
    let target = if is_template {
        quote!(::fastmcp::resources::ResourceTemplate)
    } else {
        quote!(::fastmcp::resources::Resource)
    };

    let body = quote! {

                #definition

                #builder
                    #schema
                    .with_handler(move |__request: ::fastmcp::resources::ResourceRequest, __ctx: ::fastmcp::Context| -> ::fastmcp::resources::ResourceFuture {
                        let _ = &__ctx;
                        let __uri = __request.uri;
                        let __parsed = ::fastmcp::utilities::args::parse_arguments::<__FastmcpArgs>(&__uri, __request.params)
                            .map_err(|error| ::fastmcp::RequestError::invalid_params(
                                error.message().replacen("for tool", "for resource", 1),
                            ));
                        ::std::boxed::Box::pin(async move {
                            #[allow(unused_variables)]
                            let __FastmcpArgs { #(#bindings,)* } = __parsed?;
                            let __value = #ident::call(#(#call_args),*) #await_call;
                            #unwrap_result
                            #[allow(unused_imports)]
                            use ::fastmcp::resources::__macro::{ExplicitKind as _, JsonKind as _};
                            (&&::fastmcp::resources::__macro::Probe::of(&__value)).kind().convert(__value, &__uri)
                        })
                    })
    };
    Ok(wrap(&function, target, body))
}
