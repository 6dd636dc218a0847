//! Running checks: the two ways a check reaches the runtime ([`check`]),
//! their compile-time registration ([`registration`]), one run under its
//! deadline with panics caught ([`execute`]), and a derived report's
//! checks awaited side by side ([`join`]).

pub(crate) mod check;
pub(crate) mod execute;
pub(crate) mod join;
pub(crate) mod registration;
