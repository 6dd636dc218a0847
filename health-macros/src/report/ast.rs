//! The model of a report: its state type and, per field, the check it shows.

use std::collections::HashMap;

use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Path, Type};

use crate::errors::Errors;
use crate::suggest::closest;

/// A `#[derive(HealthReport)]` struct, as far as it could be validated.
pub struct Report {
    pub ident: Ident,
    /// From `#[health(state = Type)]`; `()` when absent.
    pub state: Option<Type>,
    pub fields: Vec<ReportField>,
}

/// A field and the check whose result it holds.
pub struct ReportField {
    pub ident: Ident,
    /// The field's name, or the path of `#[health(check = path)]`.
    pub check: Path,
    /// That path as written ([`path_text`]).
    pub check_text: String,
}

const STRUCT_ONLY: &str =
    "`HealthReport` is derived for a struct with named fields, one `CheckResult` per check: `struct Readiness { primary_db: CheckResult }`";

impl Report {
    /// Validates the input, recording every mistake in `errors`.
    pub fn from_input(input: &DeriveInput, errors: &mut Errors) -> Report {
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) if named.named.is_empty() => {
                    errors.spanned(
                        &data.fields,
                        "this report has no fields: add one `CheckResult` field per check",
                    );
                    None
                }
                Fields::Named(named) => Some(&named.named),
                other => {
                    errors.at(other_span(other, &input.ident), STRUCT_ONLY);
                    None
                }
            },
            Data::Enum(data) => {
                errors.spanned(data.enum_token, format!("{STRUCT_ONLY}, not an enum"));
                None
            }
            Data::Union(data) => {
                errors.spanned(data.union_token, format!("{STRUCT_ONLY}, not a union"));
                None
            }
        };
        if !input.generics.params.is_empty() {
            errors.spanned(
                &input.generics,
                "generic reports are not supported: a report names concrete checks of one state type",
            );
        }
        let state = container_state(input, errors);
        let mut report_fields: Vec<ReportField> = Vec::new();
        let mut by_text: HashMap<String, usize> = HashMap::new();
        for field in fields.into_iter().flatten() {
            let Some(ident) = field.ident.clone() else { continue };
            if !is_check_result(&field.ty) {
                errors.spanned(
                    &field.ty,
                    "a report field holds the result of a check: give it the type `CheckResult`",
                );
            }
            let check = field_check(&field.attrs, errors).unwrap_or_else(|| Path::from(ident.clone()));
            let check_text = path_text(&check);
            if let Some(&earlier) = by_text.get(&check_text) {
                errors.spanned(
                    &ident,
                    format!(
                        "the check `{check_text}` is already in this report (field `{}`): each check appears once",
                        report_fields[earlier].ident
                    ),
                );
            } else {
                by_text.insert(check_text.clone(), report_fields.len());
            }
            report_fields.push(ReportField {
                ident,
                check,
                check_text,
            });
        }
        Report {
            ident: input.ident.clone(),
            state,
            fields: report_fields,
        }
    }
}

/// Where to point for a tuple or unit struct.
fn other_span(fields: &Fields, ident: &Ident) -> proc_macro2::Span {
    match fields {
        Fields::Unit => ident.span(),
        other => other.span(),
    }
}

/// `#[health(state = Type)]` on the struct.
fn container_state(input: &DeriveInput, errors: &mut Errors) -> Option<Type> {
    let mut state: Option<Type> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("health")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("state") {
                let ty: Type = meta.value()?.parse()?;
                if state.is_some() {
                    return Err(meta.error("duplicate `state`: a report has one state type"));
                }
                state = Some(ty);
                Ok(())
            } else {
                Err(unknown_key(&meta.path, &["state"], "#[health(state = AppState)]"))
            }
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    state
}

/// `#[health(check = path)]` on a field.
fn field_check(attrs: &[syn::Attribute], errors: &mut Errors) -> Option<Path> {
    let mut check: Option<Path> = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("health")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("check") {
                let path: Path = meta.value()?.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected the path of a `#[health_check]` function: `check = crate::search::ping`",
                    )
                })?;
                if check.is_some() {
                    return Err(meta.error("duplicate `check`: a field shows one check"));
                }
                check = Some(path);
                Ok(())
            } else {
                Err(unknown_key(
                    &meta.path,
                    &["check"],
                    "#[health(check = path::to::function)]",
                ))
            }
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    check
}

/// The error for an unknown key in `#[health(...)]`.
fn unknown_key(path: &Path, keys: &[&str], example: &str) -> syn::Error {
    let written = path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_else(|| quote::quote!(#path).to_string());
    let message = match closest(&written, keys) {
        Some(close) => format!("unknown key `{written}`; did you mean `{close}`? (`{example}`)"),
        None => format!("unknown key `{written}`; expected `{example}`"),
    };
    syn::Error::new_spanned(path, message)
}

/// Whether `ty` names `CheckResult` (any path ending in it).
fn is_check_result(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "CheckResult" && s.arguments.is_empty()))
}

/// A path as written, without spaces (`crate::search::ping`): two fields
/// with the same text name the same check.
fn path_text(path: &Path) -> String {
    if path.segments.iter().any(|segment| !segment.arguments.is_none()) {
        return quote::quote!(#path).to_string().replace(' ', "");
    }
    let mut text = String::new();
    for (index, segment) in path.segments.iter().enumerate() {
        if index > 0 || path.leading_colon.is_some() {
            text.push_str("::");
        }
        text.push_str(&segment.ident.to_string());
    }
    text
}
