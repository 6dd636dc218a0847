//! Each probe's public bodies (JSON and `application/health+json`),
//! rendered once per answer of the registry and shared by every request
//! that answer serves: a probe is a load and a reference-counted clone.

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use http::StatusCode;

use super::health_json;
use crate::health::Answer;
use crate::model::probe::Probe;

/// One answer's bodies.
#[derive(Debug)]
pub(super) struct Bodies {
    /// The answer they were rendered from.
    answer: Arc<Answer>,
    pub status: StatusCode,
    pub json: Result<Bytes, String>,
    pub health_json: Result<Bytes, String>,
}

/// The latest bodies of each probe.
#[derive(Debug, Default)]
pub(super) struct Rendered {
    latest: [ArcSwapOption<Bodies>; 3],
}

impl Rendered {
    /// The bodies of `answer` to `probe`, rendered now if they are not yet.
    pub fn of(&self, probe: Probe, answer: Arc<Answer>) -> Arc<Bodies> {
        let latest = &self.latest[probe.index()];
        if let Some(bodies) = latest.load_full().filter(|bodies| Arc::ptr_eq(&bodies.answer, &answer)) {
            return bodies;
        }
        let report = &answer.report;
        let bodies = Arc::new(Bodies {
            status: status_code(report.http_status()),
            json: render(report),
            health_json: render(&health_json::probe_body(report)),
            answer,
        });
        latest.store(Some(Arc::clone(&bodies)));
        bodies
    }
}

/// `value` as JSON, or why it cannot be (for a 500).
pub(super) fn render(value: &impl serde::Serialize) -> Result<Bytes, String> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| format!("cannot serialize the report: {e}"))
}

/// The HTTP status of a report's answer.
pub(super) fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}
