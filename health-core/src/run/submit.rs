//! Submitting registrations before `main`: each `#[health_check]` places a
//! constructor that the platform's loader calls at start-up (`.init_array`
//! on ELF unix targets, `__mod_init_func` on Apple's, `.CRT$XCU` on
//! Windows), which adds its [`Registration`] to one process-wide list.
//!
//! This is what the `inventory` crate does. It is written here so that the
//! registration a check expands to carries the hygiene of the user's own
//! code: rustc then keeps its type checking cached across edits elsewhere in
//! the file, where the tokens of another crate's `macro_rules!` are checked
//! again after every edit above them.

use std::any::{Any, TypeId};
use std::sync::{Mutex, PoisonError};

use crate::run::check::CheckFn;
use crate::run::registration::Registration;

// The targets whose sections `#[health_check]` places constructors in
// (health-macros, `constructor_sections`).
#[cfg(not(any(all(unix, not(target_os = "aix")), windows)))]
compile_error!(
    "health-core registers `#[health_check]` functions with a constructor run before `main`, \
     which this target has no section for"
);

/// Every registration submitted so far, in submission order.
static SUBMITTED: Mutex<Vec<Registration>> = Mutex::new(Vec::new());

/// Adds `registration` to the process-wide list.
fn submit(registration: Registration) {
    SUBMITTED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(registration);
}

/// The constructor of check `C` taking `&S`, which `#[health_check]` places
/// where the loader calls it before `main`: submits its registration.
pub extern "C" fn submit_stateful<S: Any + Send + Sync, C: CheckFn<S>>() {
    submit(Registration::stateful::<S, C>());
}

/// The constructor of check `C` taking nothing.
pub extern "C" fn submit_stateless<C: CheckFn<()>>() {
    submit(Registration::stateless::<C>());
}

/// The registrations whose checks run on state `S`: those taking `&S`, and
/// those taking nothing.
pub(crate) fn registrations_for<S: Any>() -> Vec<Registration> {
    let wanted = TypeId::of::<S>();
    let submitted = SUBMITTED.lock().unwrap_or_else(PoisonError::into_inner);
    submitted
        .iter()
        .copied()
        .filter(|registration| registration.runs_on(wanted))
        .collect()
}
