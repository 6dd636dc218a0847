//! What one run of a check returns: pass or fail, a reason, and details.

use std::borrow::Cow;
use std::fmt;

use crate::redact;

/// The result of one run of a check, as the check itself states it.
///
/// Return it from a `#[health_check]` function to attach details that the deep
/// endpoint shows (pool sizes, latencies, hit rates):
///
/// ```
/// use health_core::CheckOutcome;
///
/// let outcome = CheckOutcome::pass()
///     .with_detail("pool_size", 10u32)
///     .with_detail("pool_available", 7u32);
/// assert!(outcome.is_pass());
/// assert_eq!(outcome.details().get("pool_size"), Some(&10u32.into()));
///
/// let outcome = CheckOutcome::fail("replica lag 42s above 30s");
/// assert_eq!(outcome.message(), Some("replica lag 42s above 30s"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    verdict: Verdict,
    message: Option<String>,
    details: Details,
}

/// How one run of a check ended, as far as the check itself could say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The check passed.
    Pass,
    /// The check reported a failure (an `Err`, `false`, or [`CheckOutcome::fail`]).
    Fail,
    /// The check panicked; the runtime caught it.
    Panicked,
}

impl CheckOutcome {
    /// A passing outcome.
    pub fn pass() -> CheckOutcome {
        CheckOutcome {
            verdict: Verdict::Pass,
            message: None,
            details: Details::default(),
        }
    }

    /// A failing outcome; `message` says why (shown on the deep endpoint only,
    /// with credentials redacted).
    pub fn fail(message: impl fmt::Display) -> CheckOutcome {
        CheckOutcome {
            verdict: Verdict::Fail,
            message: Some(message.to_string()),
            details: Details::default(),
        }
    }

    /// The outcome of a check that panicked with `message`.
    pub(crate) fn panicked(message: String) -> CheckOutcome {
        CheckOutcome {
            verdict: Verdict::Panicked,
            message: Some(message),
            details: Details::default(),
        }
    }

    /// Adds a detail shown on the deep endpoint (replacing one with the same key).
    pub fn with_detail(mut self, key: impl Into<Cow<'static, str>>, value: impl Into<DetailValue>) -> Self {
        self.details.insert(key, value);
        self
    }

    /// How the run ended.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Whether the check passed.
    pub fn is_pass(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// Why the check failed, if it said so.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The details attached to the outcome.
    pub fn details(&self) -> &Details {
        &self.details
    }

    pub(crate) fn into_parts(self) -> (Verdict, Option<String>, Details) {
        (self.verdict, self.message, self.details)
    }
}

/// A value attached to an outcome as a detail.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailValue {
    /// A signed integer.
    Int(i64),
    /// An unsigned integer (sizes, counts).
    UInt(u64),
    /// A floating-point number (rates, milliseconds).
    Float(f64),
    /// A flag.
    Bool(bool),
    /// Text (a server version, a state name).
    Text(String),
}

macro_rules! detail_from {
    ($variant:ident as $target:ty: $($t:ty),*) => {$(
        impl From<$t> for DetailValue {
            fn from(value: $t) -> Self {
                DetailValue::$variant(value as $target)
            }
        }
    )*};
}
detail_from!(Int as i64: i8, i16, i32, i64, isize);
detail_from!(UInt as u64: u8, u16, u32, u64, usize);
detail_from!(Float as f64: f32, f64);

impl From<bool> for DetailValue {
    fn from(value: bool) -> Self {
        DetailValue::Bool(value)
    }
}

impl From<&str> for DetailValue {
    fn from(value: &str) -> Self {
        DetailValue::Text(value.to_owned())
    }
}

impl From<String> for DetailValue {
    fn from(value: String) -> Self {
        DetailValue::Text(value)
    }
}

/// Named details of an outcome, in insertion order; serialized as a JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details(Vec<(Cow<'static, str>, DetailValue)>);

impl Details {
    /// No details.
    pub const fn new() -> Details {
        Details(Vec::new())
    }

    /// Sets `key` to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: impl Into<Cow<'static, str>>, value: impl Into<DetailValue>) {
        let (key, value) = (key.into(), value.into());
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&DetailValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether there are no details.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The details in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &DetailValue)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The details as a result keeps them: keys redacted, every value of a
    /// secret key masked whatever its type (a numeric PIN is a secret too),
    /// text values redacted and bounded.
    pub(crate) fn redacted(&self) -> Details {
        let mut kept = Details::new();
        for (key, value) in self.iter() {
            let value = if redact::is_secret_key(key) {
                DetailValue::Text(redact::MASK.to_owned())
            } else {
                match value {
                    DetailValue::Text(text) => DetailValue::Text(redact::bounded(text)),
                    other => other.clone(),
                }
            };
            kept.insert(redact::redact(key).into_owned(), value);
        }
        kept
    }
}

/// A plain error for checks that compute their verdict themselves.
///
/// ```
/// use health_core::CheckError;
///
/// fn heartbeat(age_ms: u64) -> Result<(), CheckError> {
///     if age_ms > 500 {
///         return Err(CheckError::new(format!("last heartbeat {age_ms} ms ago")));
///     }
///     Ok(())
/// }
/// assert_eq!(heartbeat(900).unwrap_err().to_string(), "last heartbeat 900 ms ago");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError(String);

impl CheckError {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> CheckError {
        CheckError(message.into())
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckError {}

impl From<String> for CheckError {
    fn from(message: String) -> Self {
        CheckError(message)
    }
}

impl From<&str> for CheckError {
    fn from(message: &str) -> Self {
        CheckError(message.to_owned())
    }
}

/// What a health check function may return: `Result<T, E: Display>`, `bool`
/// or [`CheckOutcome`].
///
/// `Ok` passes and the error's text is the reason; `true` passes.
///
/// Not implemented by hand: it is the bound the expansion of
/// `#[health_check]` puts on the function's return type.
///
/// ```
/// use health_core::__private::IntoCheckOutcome;
/// use health_core::CheckOutcome;
///
/// assert!(Ok::<u8, String>(1).into_check_outcome().is_pass());
/// let failed = Err::<(), _>("connection refused").into_check_outcome();
/// assert_eq!(failed.message(), Some("connection refused"));
/// assert!(!false.into_check_outcome().is_pass());
/// ```
#[diagnostic::on_unimplemented(
    message = "a health check must return `Result<T, E: Display>`, `bool` or `CheckOutcome`, not `{Self}`",
    label = "this return type cannot report a failure",
    note = "return `Result<(), E>` with the error that explains the failure, `bool`, or `health_core::CheckOutcome` to attach details"
)]
pub trait IntoCheckOutcome {
    /// Converts the return value into an outcome.
    fn into_check_outcome(self) -> CheckOutcome;
}

impl IntoCheckOutcome for CheckOutcome {
    fn into_check_outcome(self) -> CheckOutcome {
        self
    }
}

impl IntoCheckOutcome for bool {
    fn into_check_outcome(self) -> CheckOutcome {
        if self {
            CheckOutcome::pass()
        } else {
            CheckOutcome::fail("the check returned false")
        }
    }
}

impl<T, E: fmt::Display> IntoCheckOutcome for Result<T, E> {
    fn into_check_outcome(self) -> CheckOutcome {
        match self {
            Ok(_) => CheckOutcome::pass(),
            Err(error) => CheckOutcome::fail(error),
        }
    }
}
