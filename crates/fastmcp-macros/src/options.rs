//! Parsing `#[tool(...)]`, `#[prompt(...)]` and `#[resource("uri", ...)]` options.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, MetaNameValue, Token};

/// `key = value` options, `name(...)` lists, and at most one leading string literal.
#[derive(Default)]
pub struct Options {
    pub positional: Option<LitStr>,
    values: Vec<(String, Expr)>,
    lists: Vec<(String, Vec<MetaNameValue>)>,
}

impl Options {
    /// Parses and checks every key against `allowed` (list forms such as `annotations(...)`
    /// are allowed by the same names).
    pub fn parse(attr: TokenStream, allowed: &[&str], macro_name: &str) -> syn::Result<Self> {
        let mut tokens = attr.into_iter().peekable();
        let mut options = Options::default();
        if let Some(proc_macro2::TokenTree::Literal(literal)) = tokens.peek() {
            let literal =
                syn::parse2::<LitStr>(proc_macro2::TokenTree::Literal(literal.clone()).into())?;
            options.positional = Some(literal);
            tokens.next();
            if let Some(proc_macro2::TokenTree::Punct(comma)) = tokens.peek()
                && comma.as_char() == ','
            {
                tokens.next();
            }
        }
        options.parse_metas(tokens.collect(), allowed, macro_name)
    }

    fn parse_metas(
        mut self,
        tokens: TokenStream,
        allowed: &[&str],
        macro_name: &str,
    ) -> syn::Result<Self> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens)?;
        for meta in metas {
            let key = meta
                .path()
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(syn::Error::new(
                    meta.path().span(),
                    format!(
                        "unknown #[{macro_name}] option `{key}`; expected one of: {}",
                        allowed.join(", ")
                    ),
                ));
            }
            match meta {
                Meta::NameValue(nv) => self.values.push((key, nv.value)),
                Meta::List(list) => {
                    let entries = list.parse_args_with(
                        Punctuated::<MetaNameValue, Token![,]>::parse_terminated,
                    )?;
                    self.lists.push((key, entries.into_iter().collect()));
                }
                Meta::Path(path) => {
                    return Err(syn::Error::new(
                        path.span(),
                        format!("`{key}` needs a value: `{key} = …`"),
                    ));
                }
            }
        }
        Ok(self)
    }

    pub fn expr(&self, key: &str) -> Option<&Expr> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn string(&self, key: &str) -> syn::Result<Option<LitStr>> {
        match self.expr(key) {
            None => Ok(None),
            Some(Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            })) => Ok(Some(s.clone())),
            Some(other) => Err(syn::Error::new(
                other.span(),
                format!("`{key}` must be a string literal"),
            )),
        }
    }

    pub fn list(&self, key: &str) -> Option<&[MetaNameValue]> {
        self.lists
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }
}
