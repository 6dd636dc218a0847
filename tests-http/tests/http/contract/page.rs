//! The status page: `/health/deep` asked for with `Accept: text/html` is a
//! self-contained HTML page under the same access rules as the JSON report,
//! with a Content-Security-Policy that lets nothing run, and every text
//! escaped. JSON clients keep getting JSON; `?history=1` adds the runs.

use health_core::prelude::*;
use hyper::{Method, StatusCode};

use super::serve;
use crate::adapters::Adapter;
use crate::client::{send, Reply};

const TOKEN: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
/// What a browser sends when it opens a page.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

struct Paged;

#[health_check(critical)]
async fn primary_db(_state: &Paged) -> Result<(), String> {
    Err(r#"database "<script>document.title='pwned'</script>" does not exist (password=hunter2)"#.into())
}

#[health_check(timeout = "100ms")]
async fn search(_state: &Paged) -> CheckOutcome {
    CheckOutcome::pass().with_detail("shards", 3u32)
}

fn browser(bearer: Option<&str>) -> Vec<(&'static str, String)> {
    let mut headers = vec![("accept", BROWSER.to_owned())];
    if let Some(token) = bearer {
        headers.push(("authorization", format!("Bearer {token}")));
    }
    headers
}

async fn open(addr: std::net::SocketAddr, path: &str, bearer: Option<&str>) -> Reply {
    let headers = browser(bearer);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    send(addr, Method::GET, path, &headers).await
}

pub async fn a_browser_gets_the_page_with_a_strict_policy_and_escaped_text<A: Adapter>() {
    let health = Health::builder(Paged).version("2.0.1").build().unwrap();
    let addr = serve::<A>(health.http().deep_token(TOKEN).unwrap()).await;
    let page = open(addr, "/health/deep", Some(TOKEN)).await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "not ready: same status as the JSON"
    );
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    let policy = page.header("content-security-policy");
    assert!(policy.starts_with("default-src 'none'; style-src 'sha256-"), "{policy}");
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("cache-control"), "no-store");

    let html = &page.body;
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("✖ not_ready") && html.contains("2.0.1"),
        "status with a symbol, version"
    );
    assert!(html.contains("<code>primary_db</code>") && html.contains("<code>search</code>"));
    assert!(
        html.contains("✖ fail (error)") && html.contains("✔ pass"),
        "states in words and symbols"
    );
    assert!(html.contains("shards=3"));
    assert!(html.contains("<svg class=\"spark\""), "a sparkline per check");
    assert!(
        html.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "error text escaped"
    );
    assert!(!html.contains("<script"), "no script element at all");
    assert!(!html.contains("hunter2"), "redacted");
    assert!(html.contains("<meta http-equiv=\"refresh\" content=\"10\">"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing loaded from anywhere"
    );
}

pub async fn the_page_follows_the_same_access_rules_and_leaks_nothing<A: Adapter>() {
    let health = Health::builder(Paged).build().unwrap();
    let hidden = serve::<A>(health.http()).await;
    let page = open(hidden, "/health/deep", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("primary_db"));

    let guarded = serve::<A>(health.http().deep_token(TOKEN).unwrap()).await;
    for bearer in [None, Some("0f1e2d3c4b5a69788796a5b4c3d2e1f1")] {
        let page = open(guarded, "/health/deep", bearer).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(!page.body.contains("primary_db") && !page.body.contains("<html"));
    }
}

pub async fn json_clients_keep_json_and_can_ask_for_the_history<A: Adapter>() {
    let health = Health::builder(Paged).build().unwrap();
    let addr = serve::<A>(health.http().deep_token(TOKEN).unwrap().page_refresh(None)).await;
    let bearer = format!("Bearer {TOKEN}");
    for accept in ["application/json", "*/*", "application/json, text/html;q=0.5"] {
        let reply = send(
            addr,
            Method::GET,
            "/health/deep",
            &[("authorization", &bearer), ("accept", accept)],
        )
        .await;
        assert_eq!(reply.header("content-type"), "application/json", "{accept}");
        assert!(reply.json().get("history").is_none(), "history only when asked");
    }
    let reply = send(
        addr,
        Method::GET,
        "/health/deep?history=1",
        &[("authorization", &bearer)],
    )
    .await;
    let history = &reply.json()["history"];
    let runs = history["runs"]["primary_db"].as_array().unwrap();
    assert!(!runs.is_empty());
    assert_eq!(runs[0]["status"], "fail");
    assert_eq!(runs[0]["reason"], "error");
    assert!(runs[0]["latency_ms"].is_number() && runs[0]["at"].is_string());
    let transitions = history["transitions"].as_array().unwrap();
    assert!(
        transitions
            .iter()
            .any(|t| t["check"] == "primary_db" && t["to"] == "fail"),
        "{transitions:?}"
    );
    // Probes ignore text/html: public bodies stay JSON.
    let ready = send(addr, Method::GET, "/health/ready", &[("accept", BROWSER)]).await;
    assert_eq!(ready.header("content-type"), "application/json");
    let page = open(addr, "/health/deep", Some(TOKEN)).await;
    assert!(!page.body.contains("http-equiv=\"refresh\""), "refresh turned off");
}
