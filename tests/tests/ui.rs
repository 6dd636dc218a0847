//! Compile errors are part of the product: each misuse of the macros is
//! pinned with its message and span (`ui/{check,report}/fail/*.stderr`), and
//! every accepted shape compiles and runs (`ui/{check,report}/pass`).
//!
//! rustc's own part of a message can change between releases, so the
//! `.stderr` files are pinned to the toolchain they were written on (the one
//! CI uses, [`PINNED`]). On another toolchain the exact comparison is
//! skipped with that reason shown; to move the pin, regenerate with
//! `TRYBUILD=overwrite cargo test -p tests --test ui` on the new toolchain,
//! review the `.stderr` diffs like code, and update the version in the
//! attributes below.
//!
//! The guarantee itself does not depend on the toolchain:
//! [`every_fail_case_fails_first_with_our_message`] runs on every rustc and
//! checks that each case fails to compile and that its first error is our
//! own message (our wording does not change with rustc), so a toolchain
//! mismatch loses only the rendering.

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

/// Cases whose first error is rustc's own by design (a name that does not
/// resolve, a const generic where a type was expected, a body rustc cannot
/// parse): only its error code, if any, is compared.
const RUSTC_OWNS_THE_FIRST_ERROR: [&str; 4] = [
    "ui/check/fail/body_syn_cannot_parse.rs",
    "ui/report/fail/check_not_a_path.rs",
    "ui/report/fail/field_near_miss.rs",
    "ui/report/fail/field_names_no_check.rs",
];

/// The first `error…: message` line of a `.stderr` snapshot, as (code, message).
fn first_error(stderr: &str) -> (Option<String>, String) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .expect("a snapshot starts with an error");
    let (head, message) = line.split_once(": ").expect("`error: message`");
    let code = head
        .strip_prefix("error[")
        .and_then(|c| c.strip_suffix(']'))
        .map(str::to_owned);
    (code, message.to_owned())
}

#[test]
fn every_fail_case_fails_first_with_our_message() {
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("the workspace");
    let mut cases: Vec<_> = ["ui/check/fail", "ui/report/fail"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(manifest_dir.join(dir)).expect("the ui cases"))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 60, "the ui cases are found: {cases:?}");

    // One throwaway project with a binary per case, checked in one cargo run.
    let project = workspace.join("target/tests/ui-any-toolchain");
    std::fs::create_dir_all(&project).unwrap();
    let mut manifest = format!(
        "[package]\nname = \"ui-any-toolchain\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\n\
         health-core = {{ path = {:?}, features = [\"axum\", \"server\", \"metrics\", \"grpc\"] }}\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\nserde_json = \"1\"\n",
        workspace.join("health-core")
    );
    for (index, case) in cases.iter().enumerate() {
        manifest.push_str(&format!("\n[[bin]]\nname = \"case{index}\"\npath = {case:?}\n"));
    }
    std::fs::write(project.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .current_dir(&project)
        .args(["check", "--bins", "--keep-going", "--quiet", "--message-format=json"])
        .env("CARGO_TARGET_DIR", workspace.join("target/tests/trybuild"))
        .output()
        .expect("run cargo check");
    let stdout = String::from_utf8_lossy(&output.stdout);

    // The first error of each binary.
    let mut first: std::collections::HashMap<String, (Option<String>, String)> = Default::default();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-message" || message["message"]["level"] != "error" {
            continue;
        }
        let target = message["target"]["name"].as_str().unwrap_or_default().to_owned();
        let code = message["message"]["code"]["code"].as_str().map(str::to_owned);
        let text = message["message"]["message"].as_str().unwrap_or_default().to_owned();
        first.entry(target).or_insert((code, text));
    }

    let mut wrong = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let relative = case.strip_prefix(manifest_dir).unwrap().to_string_lossy().into_owned();
        let snapshot = std::fs::read_to_string(case.with_extension("stderr")).expect("a .stderr snapshot");
        let (expected_code, expected) = first_error(&snapshot);
        let Some((code, actual)) = first.get(&format!("case{index}")) else {
            wrong.push(format!("{relative}: compiled without error"));
            continue;
        };
        let matches = if RUSTC_OWNS_THE_FIRST_ERROR.contains(&relative.as_str()) {
            *code == expected_code
        } else {
            // rustc prefixes a const panic with its own words.
            let ours = expected.strip_prefix("evaluation panicked: ").unwrap_or(&expected);
            actual.contains(ours)
        };
        if !matches {
            wrong.push(format!(
                "{relative}: expected {expected_code:?} {expected:?}, got {code:?} {actual:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} ui cases fail differently:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}
