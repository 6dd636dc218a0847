//! Generates the `HealthReport` and `Serialize` impls of a report.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::ast::Report;

/// The expansion of a valid report.
pub fn expand(report: &Report) -> TokenStream {
    let ident = &report.ident;
    let state = match &report.state {
        Some(state) => quote!(#state),
        None => quote!(()),
    };
    let fields: Vec<_> = report.fields.iter().map(|f| &f.ident).collect();
    // Each lookup is spanned at its field, so "not a check" errors point there.
    let lookups = report.fields.iter().map(|field| {
        let check = &field.check;
        quote_spanned!(field.ident.span()=> source.result::<#check>())
    });
    quote! {
        impl ::health_core::__private::HealthReport for #ident {
            type State = #state;

            async fn collect_from(source: &impl ::health_core::__private::CheckSource<#state>) -> Self {
                let [#(#fields),*] = ::health_core::__private::join_results([#(#lookups),*]).await;
                Self { #(#fields),* }
            }

            fn results(&self) -> impl ::core::iter::Iterator<Item = &::health_core::__private::CheckResult> {
                [#(&self.#fields),*].into_iter()
            }
        }

        impl ::health_core::__private::serde::Serialize for #ident {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: ::health_core::__private::serde::Serializer,
            {
                ::health_core::__private::serialize_report(self, serializer)
            }
        }
    }
}
