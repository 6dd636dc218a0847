//! The annotated function, parsed only as far as the macro needs: its
//! attributes, visibility and signature. The body stays raw tokens,
//! re-emitted untouched: parsing it would cost compile time, and a body syn
//! cannot parse must not turn into a wrong error (tokio's and tracing's
//! `MaybeItemFn` do the same).

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::{ToTokens, TokenStreamExt};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility};

/// A function whose body is kept as written.
pub struct CheckItem {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    body: Group,
}

impl Parse for CheckItem {
    fn parse(input: ParseStream) -> syn::Result<CheckItem> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected the function's body"));
        }
        Ok(CheckItem { attrs, vis, sig, body })
    }
}

impl CheckItem {
    /// The body, as written.
    pub fn body(&self) -> &Group {
        &self.body
    }
}

impl ToTokens for CheckItem {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append_all(&self.attrs);
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.body.to_tokens(tokens);
    }
}
