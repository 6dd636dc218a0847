//! What a conformance run saw: one row per step, a table that prints well,
//! and the assertion that fails a test with that table.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use health_core::{CheckResult, Status};

use crate::fault_proxy::Fault;
use crate::steps::{Declared, Expect, Step};

/// The outcome of [`Conformance::run`](crate::Conformance::run): what the
/// check reported under each step, against what was expected.
///
/// `Display` prints it as a table (Markdown, aligned for a terminal):
///
/// ```text
/// conformance of check `echo`: deadline 200ms, interval 100ms, margin 250ms; proxy 127.0.0.1:41487 in front of 127.0.0.1:46649
///
/// | step                | expected                   | observed                      |  elapsed | verdict |
/// |---------------------|----------------------------|-------------------------------|---------:|---------|
/// | pass-through        | pass within 5s             | pass (200 ready)              |   0.6 ms | ok      |
/// | latency 20ms        | pass                       | pass (200 ready)              |  42.5 ms | ok      |
/// | latency 20ms lifted | pass within 350ms          | pass (200 ready)              |   0.0 ms | ok      |
/// | refuse              | fail: error within 450ms   | fail: error (503 not_ready)   |   0.3 ms | ok      |
/// | refuse lifted       | pass within 350ms          | pass (200 ready)              | 113.2 ms | ok      |
/// | blackhole           | fail: timeout within 450ms | fail: timeout (503 not_ready) | 201.1 ms | ok      |
/// ...
/// honest: 13 of 13 steps as expected
/// ```
#[derive(Debug, Clone)]
pub struct ConformanceReport {
    pub(crate) check: String,
    pub(crate) proxy: SocketAddr,
    pub(crate) upstream: SocketAddr,
    pub(crate) timeout: Duration,
    pub(crate) interval: Duration,
    pub(crate) margin: Duration,
    pub(crate) rows: Vec<Row>,
    pub(crate) declared: Vec<Declared>,
}

impl ConformanceReport {
    /// The check's own name.
    pub fn check(&self) -> &str {
        &self.check
    }

    /// The deadline the check ran under.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The freshness interval the check ran with.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The slack on every time bound.
    pub fn margin(&self) -> Duration {
        self.margin
    }

    /// Every row, in the order the steps ran.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The row of `step` under its fault, with the check critical.
    pub fn row(&self, step: Step) -> Option<&Row> {
        self.rows.iter().find(|r| r.step == step && !r.lifted && r.critical)
    }

    /// Whether every row is as expected.
    pub fn is_honest(&self) -> bool {
        self.rows.iter().all(Row::is_ok)
    }

    /// Fails the test, showing the table, unless every row is as expected.
    #[track_caller]
    pub fn assert_honest(&self) -> &ConformanceReport {
        assert!(
            self.is_honest(),
            "the check `{}` is not honest under every fault:\n\n{self}",
            self.check
        );
        self
    }
}

/// One step of a conformance run: what was expected, what a readiness probe
/// reported, and how long it took.
#[derive(Debug, Clone)]
pub struct Row {
    pub(crate) step: Step,
    pub(crate) fault: Fault,
    pub(crate) lifted: bool,
    pub(crate) critical: bool,
    pub(crate) expect: Expect,
    pub(crate) declared: bool,
    pub(crate) bound: Option<Duration>,
    pub(crate) result: CheckResult,
    pub(crate) status: Status,
    pub(crate) elapsed: Duration,
    pub(crate) problem: Option<String>,
}

impl Row {
    /// The step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The fault the proxy injected for the step (on a lifted row, the
    /// fault that was lifted).
    pub fn fault(&self) -> Fault {
        self.fault
    }

    /// Whether this row is the step's fault being lifted (the check must
    /// pass again).
    pub fn is_lifted(&self) -> bool {
        self.lifted
    }

    /// Whether the check was registered critical (readiness `not_ready` on
    /// failure) or not (`degraded`).
    pub fn is_critical(&self) -> bool {
        self.critical
    }

    /// What was expected.
    pub fn expected(&self) -> Expect {
        self.expect
    }

    /// Whether the expectation was declared by the test rather than the
    /// kit's default.
    pub fn is_declared(&self) -> bool {
        self.declared
    }

    /// The time `elapsed` was judged against, if any.
    pub fn bound(&self) -> Option<Duration> {
        self.bound
    }

    /// The check's result on the probe that decided the row.
    pub fn result(&self) -> &CheckResult {
        &self.result
    }

    /// What readiness answered on that probe.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Under a fault expected to fail at once (or to pass): how long the
    /// deciding probe took. Otherwise: how long from injecting or lifting the
    /// fault until the deciding probe answered.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// What is wrong, if anything.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Whether the row is as expected.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }

    /// The step as the table names it.
    fn label(&self) -> String {
        let lifted = if self.lifted { " lifted" } else { "" };
        let critical = if self.critical { "" } else { " (not critical)" };
        format!("{}{lifted}{critical}", self.fault)
    }

    fn expected_text(&self) -> String {
        let within = |text: String| match self.bound {
            Some(bound) => format!("{text} within {bound:?}"),
            None => text,
        };
        let text = match self.expect {
            Expect::Pass => within("pass".into()),
            Expect::Fail(reason) | Expect::FailWithin(reason, _) => within(format!("fail: {reason}")),
            Expect::PassOrFail(reason) => within(format!("pass or fail: {reason}")),
        };
        if self.declared {
            format!("{text} (declared)")
        } else {
            text
        }
    }

    fn observed_text(&self) -> String {
        let status = self.status;
        match self.result.reason() {
            None => format!("pass ({} {status})", status.http_status()),
            Some(reason) => format!("fail: {reason} ({} {status})", status.http_status()),
        }
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "conformance of check `{}`: deadline {:?}, interval {:?}, margin {:?}; proxy {} in front of {}",
            self.check, self.timeout, self.interval, self.margin, self.proxy, self.upstream
        )?;
        writeln!(f)?;
        let header = ["step", "expected", "observed", "elapsed", "verdict"];
        let cells: Vec<[String; 5]> = self
            .rows
            .iter()
            .map(|row| {
                [
                    row.label(),
                    row.expected_text(),
                    row.observed_text(),
                    millis(row.elapsed),
                    row.problem.clone().unwrap_or_else(|| "ok".into()),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: [&str; 5]| {
            write!(f, "|")?;
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                // The elapsed column is right-aligned.
                if i == 3 {
                    write!(f, " {cell:>width$} |")?;
                } else {
                    write!(f, " {cell:<width$} |")?;
                }
            }
            writeln!(f)
        };
        line(f, header)?;
        let rule = widths.map(|w| "-".repeat(w));
        write!(f, "|")?;
        for (i, dashes) in rule.iter().enumerate() {
            let end = if i == 3 { ":" } else { "-" };
            write!(f, "-{dashes}{end}|")?;
        }
        writeln!(f)?;
        for row in &cells {
            line(f, [&row[0], &row[1], &row[2], &row[3], &row[4]])?;
        }
        if !self.declared.is_empty() {
            writeln!(f, "\ndeclared by the test:")?;
        }
        for declared in &self.declared {
            writeln!(f, "- {}: {}", declared.step, declared.why)?;
        }
        let wrong = self.rows.iter().filter(|r| !r.is_ok()).count();
        if wrong == 0 {
            write!(
                f,
                "\nhonest: {} of {} steps as expected",
                self.rows.len(),
                self.rows.len()
            )
        } else {
            write!(f, "\nNOT honest: {wrong} of {} steps not as expected", self.rows.len())
        }
    }
}

/// `1.2 ms`.
fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
