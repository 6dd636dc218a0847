//! The model: what a check is ([`spec`]), the probes it answers
//! ([`probe`]), what one run of it says ([`outcome`]), what the runtime
//! keeps of its runs ([`result`]), and the status a probe folds them into
//! ([`status`]). Plain data and rules, with nothing running.

pub(crate) mod outcome;
pub(crate) mod probe;
pub(crate) mod result;
pub(crate) mod spec;
pub(crate) mod status;
