//! Compile errors are part of the product: each misuse of the macros is
//! pinned with its message and span (`ui/fail/*.stderr`), and every accepted
//! shape compiles and runs (`ui/pass`).
//!
//! After changing a message on purpose: `TRYBUILD=overwrite cargo test -p tests --test ui`,
//! then review the `.stderr` diffs like code.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
