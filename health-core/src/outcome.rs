//! What one run of a check returns: pass or fail, a reason, and details.

use std::borrow::Cow;
use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

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
    passed: bool,
    panicked: bool,
    message: Option<String>,
    details: Details,
}

impl CheckOutcome {
    /// A passing outcome.
    pub fn pass() -> CheckOutcome {
        CheckOutcome {
            passed: true,
            panicked: false,
            message: None,
            details: Details::default(),
        }
    }

    /// A failing outcome; `message` says why (shown on the deep endpoint only,
    /// with credentials redacted).
    pub fn fail(message: impl fmt::Display) -> CheckOutcome {
        CheckOutcome {
            passed: false,
            panicked: false,
            message: Some(message.to_string()),
            details: Details::default(),
        }
    }

    /// The outcome of a check that panicked with `message`.
    pub(crate) fn panicked(message: String) -> CheckOutcome {
        CheckOutcome {
            panicked: true,
            ..CheckOutcome::fail(message)
        }
    }

    /// Adds a detail shown on the deep endpoint (replacing one with the same key).
    pub fn with_detail(mut self, key: impl Into<Cow<'static, str>>, value: impl Into<DetailValue>) -> Self {
        self.details.insert(key, value);
        self
    }

    /// Whether the check passed.
    pub fn is_pass(&self) -> bool {
        self.passed
    }

    /// Whether the check panicked (the runtime caught it).
    pub fn is_panic(&self) -> bool {
        self.panicked
    }

    /// Why the check failed, if it said so.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The details attached to the outcome.
    pub fn details(&self) -> &Details {
        &self.details
    }

    pub(crate) fn into_parts(self) -> (bool, bool, Option<String>, Details) {
        (self.passed, self.panicked, self.message, self.details)
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

impl Serialize for DetailValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DetailValue::Int(v) => serializer.serialize_i64(*v),
            DetailValue::UInt(v) => serializer.serialize_u64(*v),
            DetailValue::Float(v) => serializer.serialize_f64(*v),
            DetailValue::Bool(v) => serializer.serialize_bool(*v),
            DetailValue::Text(v) => serializer.serialize_str(v),
        }
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
}

impl Serialize for Details {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
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
/// ```
/// use health_core::{CheckOutcome, IntoCheckOutcome};
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
