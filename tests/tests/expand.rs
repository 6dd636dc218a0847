//! What users see with `cargo expand`, reviewed like code: the expansions in
//! `expand/*.expanded.rs` must stay short, named and commented.
//!
//! Needs `cargo-expand` (`.ci/run` installs it). `expand_without_refresh`
//! never writes a snapshot (not even with `MACROTEST=overwrite`): after
//! changing an expansion on purpose, delete the `.expanded.rs` files, run
//! once with `macrotest::expand` in its place, and review the diff.

#[test]
fn expansions() {
    macrotest::expand_without_refresh("expand/*.rs");
}
