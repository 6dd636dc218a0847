//! A check that panics with a connection string in its message: the
//! runtime records the message redacted, and the process's panic hook,
//! which prints before the runtime catches the panic, prints it raw unless
//! the service installs `redact::install_panic_hook`. Each case re-runs
//! this test binary as a child, so the hook and standard error are its own.

use std::process::Command;

use health_core::prelude::*;

const SECRET: &str = "hunter2-s3cret";

#[health_check(timeout = "1s")]
async fn panics_with_a_dsn() -> Result<(), String> {
    panic!("cannot connect to postgres://app:{SECRET}@db.internal/app")
}

/// In the child: runs the panicking check once (after installing the
/// redacting hook when `HOOK` is set) and prints the recorded error.
fn child() {
    if std::env::var_os("REDACTING_HOOK").is_some() {
        health_core::redact::install_panic_hook();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let health = Health::builder(()).build().expect("a valid registry");
        let deep = health.deep().await;
        let result = deep
            .checks()
            .iter()
            .find(|c| c.name() == "panics_with_a_dsn")
            .expect("registered");
        println!("recorded: {}", result.error().unwrap_or_default());
    });
}

/// Runs this test as a child, with or without the redacting hook, and
/// returns its standard output and error.
fn run_child(redacting_hook: bool) -> (String, String) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["the_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("PANIC_HOOK_CHILD", "1");
    if redacting_hook {
        command.env("REDACTING_HOOK", "1");
    }
    let output = command.output().expect("run the child");
    assert!(output.status.success(), "the child failed: {output:?}");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_child() {
    if std::env::var_os("PANIC_HOOK_CHILD").is_some() {
        child();
    }
}

#[test]
fn the_default_hook_prints_the_raw_message_and_the_result_is_redacted() {
    let (stdout, stderr) = run_child(false);
    assert!(
        stdout.contains("recorded: panicked: cannot connect to postgres://app:***@db.internal/app"),
        "{stdout}"
    );
    assert!(!stdout.contains(SECRET), "{stdout}");
    // Why the helper exists: the default hook prints what the panic said.
    assert!(stderr.contains(SECRET), "{stderr}");
}

#[test]
fn the_redacting_hook_prints_the_message_redacted() {
    let (stdout, stderr) = run_child(true);
    assert!(!stdout.contains(SECRET), "{stdout}");
    assert!(stderr.contains("panicked at"), "{stderr}");
    assert!(stderr.contains("postgres://app:***@db.internal/app"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
}
