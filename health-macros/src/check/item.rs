//! The annotated function, parsed only as far as the macro needs: its
//! attributes, visibility and signature. The body stays raw tokens: parsing
//! it would cost compile time, and a body syn cannot parse must not turn
//! into a wrong error (tokio's and tracing's `MaybeItemFn` do the same). The
//! function itself is re-emitted as the tokens that came in.

use proc_macro2::{Delimiter, Group};
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
