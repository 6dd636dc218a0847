//! What a conformance run is made of: its steps, what a check is expected
//! to report under each, and a test's declaration that replaces the default.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use health_core::Reason;

/// The steps of a conformance run, in the order they run.
///
/// Every fault step is followed by the fault being lifted, after which the
/// check must pass again; [`Conformance::declare`](crate::Conformance::declare)
/// changes what a fault step expects, never what the lifting expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Pass-through, before any fault: the check passes.
    Up,
    /// A latency well within the deadline (the smaller of 30 ms and a tenth
    /// of the deadline, per direction): the check still passes.
    Latency,
    /// The server is gone ([`Fault::Refuse`](crate::Fault::Refuse)): fails
    /// with reason `error`.
    Refuse,
    /// Connections are reset ([`Fault::Reset`](crate::Fault::Reset)): fails
    /// with reason `error`.
    Reset,
    /// The server accepts and goes silent
    /// ([`Fault::Blackhole`](crate::Fault::Blackhole)): fails with reason
    /// `timeout`.
    Blackhole,
    /// Latency beyond the deadline (the deadline plus the margin, per
    /// direction): fails with reason `timeout`.
    Slow,
}

impl Step {
    /// The fault steps whose expected outcome a check may declare, in order.
    pub const FAULTS: [Step; 5] = [Step::Latency, Step::Refuse, Step::Reset, Step::Blackhole, Step::Slow];

    /// What the kit expects of a check that does a round trip to its
    /// dependency on every run.
    pub const fn default_expectation(self) -> Expect {
        match self {
            Step::Up | Step::Latency => Expect::Pass,
            Step::Refuse | Step::Reset => Expect::Fail(Reason::Error),
            Step::Blackhole | Step::Slow => Expect::Fail(Reason::Timeout),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Up => "pass-through",
            Step::Latency => "latency",
            Step::Refuse => "refuse",
            Step::Reset => "reset",
            Step::Blackhole => "blackhole",
            Step::Slow => "latency beyond the deadline",
        })
    }
}

/// What a check is expected to report under one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The check passes (readiness `ready`).
    Pass,
    /// The first probe after the fault fails with this reason, with an error
    /// text, within the deadline plus the margin (readiness `not_ready`).
    Fail(Reason),
    /// Probes fail with this reason at the latest this long after the fault
    /// (a check that judges what a background task observed, such as an
    /// MQTT event loop's keep-alive).
    FailWithin(Reason, Duration),
    /// Within the deadline plus the margin, the check passes or fails with
    /// this reason; nothing else (a race the check does not control, such as
    /// a TCP connect under an immediate reset).
    PassOrFail(Reason),
}

/// A check's declared expectation for one step, and why.
#[derive(Debug, Clone)]
pub(crate) struct Declared {
    pub step: Step,
    pub expect: Expect,
    pub why: Cow<'static, str>,
}
