//! The status page looked at in a real browser: the demo with one check
//! failing (its database name carries a `<script>`), one degraded (no
//! Redis) and the others passing, loaded in headless Chromium from the
//! admin listener. Asserts on the DOM Chromium rendered, on the console
//! (nothing logged, no policy violation), and takes a screenshot.
//!
//! `UPDATE_SCREENSHOT=1 cargo test -p examples --test status_page` also
//! writes the README's `docs/status-page.png` (after letting the demo run
//! long enough to draw some history).
//!
//! Needs Debian's `chromium` (`scripts/test.sh` installs it when missing)
//! and the local PostgreSQL.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use support::*;

/// What the script in the database name would do if it ran.
const INJECTED: &str = "<script>document.title='pwned'</script>";

/// Debian's Chromium; fails loudly when it is missing.
fn chromium() -> PathBuf {
    let path = PathBuf::from("/usr/bin/chromium");
    assert!(
        path.is_file(),
        "/usr/bin/chromium not found: install the Debian package chromium (`bash scripts/test.sh` does)"
    );
    path
}

/// Runs headless Chromium on `url` with `args`, with console messages
/// logged to stderr; a fresh profile, no network but loopback.
fn headless(url: &str, args: &[&str]) -> Output {
    let profile = TempDir::new();
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The console messages and policy violations Chromium logged.
fn console_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| {
            line.contains("CONSOLE") || line.contains("Content Security Policy") || line.contains("Refused to")
        })
        .map(str::to_owned)
        .collect()
}

/// `text` percent-encoded for a URL path segment.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn the_console_check_sees_console_errors() {
    // The detector the page test relies on, shown to work: a page that logs.
    let output = headless("data:text/html,<script>console.error('seen')</script>", &["--dump-dom"]);
    assert!(
        console_lines(&output).iter().any(|line| line.contains("seen")),
        "Chromium's console is not visible on stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn the_page_renders_in_chromium_escaped_with_no_console_errors() {
    let default = "postgres://postgres@127.0.0.1:5432/test";
    let (postgres, _) = required_server("PostgreSQL", "HEALTH_TEST_POSTGRES_URL", default).await;
    // A database that does not exist, named with a script: PostgreSQL's
    // error echoes the name, so the check's error text carries it.
    let url = format!("{}/{}", postgres.rsplit_once('/').unwrap().0, percent_encoded(INJECTED));
    let demo = Demo::start(&[("DATABASE_URL", &url), ("WARMUP_SECS", "1")]).await;
    let failing = demo
        .wait_for("/health/ready", GENEROUS, |r| {
            r.json()["status"] == "not_ready" && r.json()["degraded"]["cache"]["status"] == "fail"
        })
        .await;
    assert_eq!(failing.status, 503);
    let deep = get(demo.admin_port, "/health/deep", &[]).await.json();
    assert!(deep["checks"]["primary_db"]["error"]
        .as_str()
        .unwrap()
        .contains(INJECTED));
    assert_eq!(deep["checks"]["event_loop"]["status"], "pass");
    let update = std::env::var_os("UPDATE_SCREENSHOT").is_some();
    if update {
        // Some history for the sparklines and the timeline.
        tokio::time::sleep(Duration::from_secs(30)).await;
    }

    let page_url = format!("http://127.0.0.1:{}/health/deep", demo.admin_port);
    let rendered = tokio::task::spawn_blocking({
        let page_url = page_url.clone();
        move || headless(&page_url, &["--dump-dom"])
    })
    .await
    .unwrap();
    let dom = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        dom.contains("<title>Health: not_ready</title>"),
        "the script did not run: {dom}"
    );
    assert!(!dom.contains("pwned</title>"));
    assert!(dom.contains("✖ not_ready"));
    for check in ["primary_db", "cache", "event_loop", "catalog_warmed"] {
        assert!(dom.contains(&format!("<code>{check}</code>")), "{check} missing");
    }
    assert!(dom.contains("✖ fail (error)") && dom.contains("✔ pass"));
    assert!(
        dom.matches("<svg class=\"spark\"").count() >= 4,
        "a sparkline per check"
    );
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "shown as text"
    );
    assert!(!dom.contains("<script"), "no script element in the rendered DOM");
    assert!(dom.contains("Recent transitions") && dom.contains("→"));
    let console = console_lines(&rendered);
    assert!(console.is_empty(), "console errors or policy violations: {console:#?}");

    let shot = std::env::temp_dir().join(format!("status-page-{}.png", std::process::id()));
    let screenshot = format!("--screenshot={}", shot.display());
    let shooting = tokio::task::spawn_blocking(move || headless(&page_url, &[&screenshot, "--window-size=1280,720"]));
    shooting.await.unwrap();
    let png = std::fs::read(&shot).expect("a screenshot");
    let _ = std::fs::remove_file(&shot);
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    if update {
        let readme_image = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/status-page.png");
        std::fs::write(&readme_image, &png).unwrap();
        println!("wrote {}", readme_image.display());
    }
}
