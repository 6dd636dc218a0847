//! Process memory (feature `system`): fails when the resident set size
//! exceeds a limit, e.g. to stop routing traffic to an instance about to be
//! killed by its memory limit.
//!
//! Details: `rss_bytes`, `max_rss_bytes`.
//!
//! ```
//! use health_core::checks::memory::{self, MemoryCheck};
//! use health_core::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! if cfg!(target_os = "linux") {
//!     assert!(memory::check(u64::MAX).is_pass());
//!     assert!(!memory::check(1).is_pass());
//! }
//! let health = Health::builder(())
//!     .check(MemoryCheck::new("memory", 2 << 30)) // 2 GiB
//!     .build()
//!     .unwrap();
//! # let _ = health.readiness().await;
//! # }
//! ```

use std::borrow::Cow;

use crate::checks::builtin_check;
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// Passes while the process's resident set size is at most `max_rss_bytes`;
/// fails where the platform does not tell the RSS.
pub fn check(max_rss_bytes: u64) -> CheckOutcome {
    let Some(rss) = crate::report::process::rss_bytes() else {
        return CheckOutcome::fail("memory: the platform does not report the resident set size");
    };
    let outcome = if rss <= max_rss_bytes {
        CheckOutcome::pass()
    } else {
        CheckOutcome::fail(format_args!(
            "memory: resident set {rss} bytes above the limit of {max_rss_bytes} bytes"
        ))
    };
    outcome
        .with_detail("rss_bytes", rss)
        .with_detail("max_rss_bytes", max_rss_bytes)
}

/// A [`Check`](crate::Check) on the process's memory (see [`check`]); a
/// non-critical readiness check with a 1 s deadline unless adjusted.
#[derive(Debug, Clone)]
pub struct MemoryCheck {
    spec: CheckSpec,
    max_rss_bytes: u64,
}

impl MemoryCheck {
    /// A check called `name` failing above `max_rss_bytes` of resident memory.
    pub fn new(name: impl Into<Cow<'static, str>>, max_rss_bytes: u64) -> MemoryCheck {
        MemoryCheck {
            spec: CheckSpec::with_name(name.into()),
            max_rss_bytes,
        }
    }
}

builtin_check!(MemoryCheck, |this| std::future::ready(check(this.max_rss_bytes)));
