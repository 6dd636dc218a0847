//! The bodies on the wire, in one place: the JSON of the probes, reports and
//! deep endpoint ([`json`]), and the `application/health+json` format
//! ([`health_json`], feature `http`), and the status page for people
//! ([`html`], feature `http`). Changing a body means changing this module
//! only.

#[cfg(feature = "http")]
pub(crate) mod health_json;
#[cfg(feature = "http")]
pub(crate) mod html;
mod json;

pub use json::serialize_report;
pub(crate) use json::{millis, verdict};
