//! The rules a health check's declaration follows, stated once: the
//! `#[health_check]` macro enforces them at compile time, `health-core`
//! enforces them at run time for checks added as values.

#![no_std]
#![warn(missing_docs)]

use core::time::Duration;

/// The longest deadline a check may have: orchestrators give up on a probe
/// long before.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// What a check's name may be, as errors say it.
pub const NAME_RULE: &str =
    "1 to 64 characters of A-Z, a-z, 0-9, `_`, `-` or `.` (names are JSON keys and metric labels)";

/// Whether `name` can name a check ([`NAME_RULE`]): safe as a JSON key, a
/// metric label and an IETF `component` name.
///
/// ```
/// assert!(health_rules::is_valid_name("primary_db"));
/// assert!(!health_rules::is_valid_name("primary db"));
/// assert!(!health_rules::is_valid_name(""));
/// ```
pub const fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > 64 {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
            return false;
        }
        i += 1;
    }
    true
}
