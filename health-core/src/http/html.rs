//! The status page: the deep report as a self-contained HTML page for
//! people (`/health/deep` asked for with `Accept: text/html`).
//!
//! No script, no external font, image or style sheet: one inline style
//! sheet (allowed by its hash in the Content-Security-Policy), inline SVG
//! sparklines, and a meta refresh. Every text from a check (names, error
//! text, details) is HTML-escaped by the template engine (maud), and a
//! state is never told by colour alone: each has a symbol and a word.

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use base64::prelude::{Engine as _, BASE64_STANDARD};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

use crate::model::outcome::DetailValue;
use crate::model::probe::Probe;
use crate::model::result::CheckResult;
use crate::model::status::Status;
use crate::report::deep::DeepReport;
use crate::report::history::{History, Run};
use crate::report::json::{millis, rfc3339};
use crate::report::transition::{CheckState, Transition};

/// The page's only style sheet, inline.
const STYLE: &str = "
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#fafafa;color:#1a1a1a}
header{padding:16px 24px;border-bottom:4px solid #888}
header.ok{background:#e6f4ea;border-color:#1e7e34}
header.warn{background:#fff4e0;border-color:#b86e00}
header.bad{background:#fde8e8;border-color:#b3261e}
h1{margin:0;font-size:24px}
h2{font-size:16px;margin:24px 24px 8px}
.facts{margin:4px 0 0;color:#444}
.facts span{margin-right:16px}
table{border-collapse:collapse;margin:0 24px;background:#fff}
th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0;font-weight:600}
.pass{color:#1e7e34}.fail{color:#b3261e}.pending{color:#6b6b6b}
code{font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
td.error{min-width:16em;max-width:28em}
th code,ul.details code,.nowrap{white-space:nowrap;word-break:normal}
ul.details{margin:0;padding-left:16px}
ol.timeline{margin:0 24px;padding-left:20px}
p.none{margin:0 24px;color:#444}
footer{margin:24px;color:#666;font-size:12px}
svg .line{fill:none;stroke:#3367d6;stroke-width:1.5}
svg .deadline{stroke:#b3261e;stroke-dasharray:3 2;stroke-width:1}
svg .failed{fill:#b3261e}
";

/// The `Content-Security-Policy` of the page: nothing may load or run but
/// its own style sheet.
pub(crate) fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = BASE64_STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'"
        )
    })
}

/// The page for `report` (taken with its history), refreshing itself every
/// `refresh` when given.
pub(crate) fn page(report: &DeepReport, refresh: Option<Duration>) -> String {
    let status = report.status();
    let empty = History::default();
    let history = report.history().unwrap_or(&empty);
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                @if let Some(every) = refresh {
                    meta http-equiv="refresh" content=(every.as_secs().max(1));
                }
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Health: " (status) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header class=(tone(status)) {
                    h1 { (symbol(status)) " " (status) }
                    p class="facts" {
                        @if let Some(version) = report.version() { span { "version " strong { (version) } } }
                        span { "up " strong { (humantime::format_duration(Duration::from_secs(report.uptime().as_secs()))) } }
                        @if let Some(rss) = report.rss_bytes() { span { "memory " strong { (format!("{:.1} MiB", rss as f64 / 1048576.0)) } } }
                        span { "as of " (rfc3339(SystemTime::now())) }
                    }
                }
                h2 { "Checks" }
                table {
                    thead { tr {
                        th { "check" } th { "probes" } th { "critical" } th { "state" } th { "since" }
                        th { "latency" } th { "recent runs" } th { "last success" } th { "failures in a row" }
                        th { "error" } th { "details" }
                    } }
                    tbody {
                        @for check in report.checks() {
                            (row(check, history))
                        }
                    }
                }
                h2 { "Recent transitions" }
                @if history.transitions().is_empty() {
                    p class="none" { "none yet" }
                } @else {
                    ol class="timeline" reversed {
                        @for transition in history.transitions().iter().rev() {
                            li { (timeline_entry(transition)) }
                        }
                    }
                }
                footer {
                    "Served by health-core. "
                    @if let Some(every) = refresh { "Refreshes every " (every.as_secs().max(1)) " s. " }
                    "The same report as JSON: ask for application/json, add ?history=1 for the runs."
                }
            }
        }
    };
    markup.into_string()
}

/// One row of the checks table.
fn row(check: &CheckResult, history: &History) -> Markup {
    let state = match check.reason() {
        None => html! { span class="pass" { "✔ pass" } },
        Some(reason @ crate::model::result::Reason::Pending) => html! { span class="pending" { "… " (reason) } },
        Some(reason) => html! { span class="fail" { "✖ fail (" (reason) ")" } },
    };
    let runs = history.runs(check.name()).unwrap_or_default();
    let deadline = history
        .checks()
        .find(|(name, ..)| *name == check.name())
        .map(|(_, deadline, _)| deadline);
    html! {
        tr {
            th scope="row" { code { (check.name()) } }
            td { (check.probes().iter().map(Probe::as_str).collect::<Vec<_>>().join(", ")) }
            td { @if check.is_critical() { "yes" } @else { "no" } }
            td class="nowrap" { (state) }
            td class="nowrap" { (ago(check.since())) }
            td class="nowrap" { (check.latency().map(|l| format!("{} ms", millis(l))).unwrap_or_else(|| "–".into())) }
            td { (sparkline(runs, deadline)) }
            td class="nowrap" { (ago(check.last_success())) }
            td { (check.consecutive_failures()) }
            td class="error" { @if let Some(error) = check.error() { code { (error) } } }
            td {
                @if !check.details().is_empty() {
                    ul class="details" {
                        @for (key, value) in check.details().iter() {
                            li { code { (key) "=" (detail(value)) } }
                        }
                    }
                }
            }
        }
    }
}

/// An inline SVG of the latency of `runs` (oldest left), failed runs marked
/// and the deadline drawn as a dashed line; its `<title>` says it in words.
fn sparkline(runs: &[Run], deadline: Option<Duration>) -> Markup {
    const WIDTH: f64 = 240.0;
    const HEIGHT: f64 = 32.0;
    if runs.is_empty() {
        return html! { "no run yet" };
    }
    let slowest = runs.iter().map(Run::latency).max().unwrap_or_default();
    let top = deadline.unwrap_or(slowest).max(slowest).as_secs_f64().max(1e-6);
    let step = WIDTH / (crate::report::history::RUNS_KEPT as f64 - 1.0);
    let point = |i: usize, run: &Run| {
        let x = i as f64 * step;
        let y = HEIGHT - 2.0 - (run.latency().as_secs_f64() / top) * (HEIGHT - 4.0);
        (x, y)
    };
    let mut line = String::new();
    for (i, run) in runs.iter().enumerate() {
        let (x, y) = point(i, run);
        let _ = write!(line, "{x:.1},{y:.1} ");
    }
    let failed = runs.iter().filter(|r| !r.passed()).count();
    let label = format!(
        "latency of the last {} runs, slowest {} ms, {failed} failed{}",
        runs.len(),
        millis(slowest),
        deadline
            .map(|d| format!(", deadline {} ms", millis(d)))
            .unwrap_or_default()
    );
    let deadline_y = deadline.map(|d| HEIGHT - 2.0 - (d.as_secs_f64() / top) * (HEIGHT - 4.0));
    html! {
        svg class="spark" width=(WIDTH) height=(HEIGHT) viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(label) {
            title { (label) }
            @if let Some(y) = deadline_y {
                line class="deadline" x1="0" x2=(WIDTH) y1=(format!("{y:.1}")) y2=(format!("{y:.1}")) {}
            }
            polyline class="line" points=(line.trim_end()) {}
            @for (i, run) in runs.iter().enumerate() {
                @if !run.passed() {
                    @let (x, y) = point(i, run);
                    rect class="failed" x=(format!("{:.1}", x - 1.5)) y=(format!("{:.1}", y - 1.5)) width="3" height="3" {
                        title { (format!("failed: {}, {} ms", run.reason().map_or("error", |r| r.as_str()), millis(run.latency()))) }
                    }
                }
            }
        }
    }
}

/// One line of the transitions timeline.
fn timeline_entry(transition: &Transition) -> Markup {
    match transition {
        Transition::Check(change) => {
            let class = match change.to {
                CheckState::Passing => "pass",
                CheckState::Failing => "fail",
                CheckState::Pending => "pending",
            };
            html! {
                (rfc3339(change.at)) " check " code { (change.check()) } ": " (change.from) " → "
                span class=(class) { (state_symbol(change.to)) " " (change.to) }
                @if let Some(reason) = change.reason { " (" (reason) ")" }
            }
        }
        Transition::Probe(change) => html! {
            (rfc3339(change.at)) " " (change.probe) ": " (change.from) " → "
            span class=(status_class(change.to)) { (symbol(change.to)) " " (change.to) }
        },
    }
}

/// The header's colour class.
fn tone(status: Status) -> &'static str {
    match status {
        Status::Degraded | Status::Starting | Status::ShuttingDown => "warn",
        status if status.is_healthy() => "ok",
        _ => "bad",
    }
}

fn status_class(status: Status) -> &'static str {
    match tone(status) {
        "ok" => "pass",
        "warn" => "pending",
        _ => "fail",
    }
}

/// A symbol for a probe's answer, so colour is never the only cue.
fn symbol(status: Status) -> &'static str {
    match status {
        Status::Alive | Status::Ready | Status::Started => "✔",
        Status::Degraded => "▲",
        Status::NotReady | Status::Dead => "✖",
        Status::Starting => "…",
        Status::ShuttingDown => "⏻",
    }
}

fn state_symbol(state: CheckState) -> &'static str {
    match state {
        CheckState::Passing => "✔",
        CheckState::Failing => "✖",
        CheckState::Pending => "…",
    }
}

/// "12 s ago (2026-11-26T09:41:07.512Z)", or a dash.
fn ago(at: Option<SystemTime>) -> Markup {
    match at {
        None => html! { "–" },
        Some(at) => {
            let age = SystemTime::now().duration_since(at).unwrap_or_default();
            let age = humantime::format_duration(Duration::from_secs(age.as_secs()));
            html! { span title=(rfc3339(at)) { (age) " ago" } }
        }
    }
}

fn detail(value: &DetailValue) -> String {
    match value {
        DetailValue::Int(v) => v.to_string(),
        DetailValue::UInt(v) => v.to_string(),
        DetailValue::Float(v) => v.to_string(),
        DetailValue::Bool(v) => v.to_string(),
        DetailValue::Text(v) => v.clone(),
    }
}
