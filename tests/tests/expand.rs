//! What users see with `cargo expand`, reviewed like code: the expansions in
//! `expand/*.expanded.rs` must stay short, named and commented.
//!
//! Needs `cargo-expand` (`.ci/run` installs it). After changing an expansion
//! on purpose: `MACROTEST=overwrite cargo test -p tests --test expand`.

#[test]
fn expansions() {
    macrotest::expand_without_refresh("expand/*.rs");
}
