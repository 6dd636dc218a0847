//! Running checks: the two ways a check reaches the runtime ([`check`]),
//! their compile-time registration ([`registration`]), submitted before
//! `main` ([`submit`]), and one run under its deadline with panics caught
//! ([`execute`]).

pub(crate) mod check;
pub(crate) mod execute;
pub(crate) mod registration;
pub(crate) mod submit;
