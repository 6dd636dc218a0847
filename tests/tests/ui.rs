//! Compile errors are part of the product: each misuse of the macros is
//! pinned with its message and span (`ui/{check,report}/fail/*.stderr`), and
//! every accepted shape compiles and runs (`ui/{check,report}/pass`).
//!
//! rustc's own part of a message can change between releases, so the
//! `.stderr` files are pinned to the toolchain they were written on (the one
//! CI uses, [`PINNED`]). On another toolchain these tests are skipped with
//! that reason shown, never silently compared against other wording; to
//! move the pin, regenerate with `TRYBUILD=overwrite cargo test -p tests --test ui`
//! on the new toolchain, review the `.stderr` diffs like code, and update
//! the version in the attributes below.

/// The rustc release the `.stderr` files were written on.
const PINNED: &str = "1.95";

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "ui .stderr files are pinned to rustc 1.95 (see tests/tests/ui.rs)"
)]
fn check_errors() {
    trybuild::TestCases::new().compile_fail("ui/check/fail/*.rs");
}

#[test]
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "ui .stderr files are pinned to rustc 1.95 (see tests/tests/ui.rs)"
)]
fn report_errors() {
    trybuild::TestCases::new().compile_fail("ui/report/fail/*.rs");
}

#[test]
fn accepted_shapes_compile_and_run() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/check/pass/*.rs");
    cases.pass("ui/report/pass/*.rs");
}

#[test]
fn the_pin_names_the_toolchain_in_use_or_the_tests_above_say_they_skip() {
    let version = rustc_version();
    let pinned = version.starts_with(&format!("rustc {PINNED}."));
    if !pinned {
        eprintln!("ui errors not compared: {version} is not the pinned rustc {PINNED}");
    }
    assert_eq!(pinned, rustversion::cfg!(stable(1.95)), "{version}");
}

fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .expect("run rustc");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
