//! What a service name of the protocol refers to (a probe or a check), what
//! a caller may see of it, and its serving status now or after a change:
//! what `Check`, `List` and `Watch` all answer from.

use tonic::metadata::MetadataMap;

use super::generated::HealthCheckResponse;
use super::{HealthGrpc, ServingStatus};
use crate::model::probe::{Probe, Probes};
use crate::report::transition::{CheckState, Transition};

/// What a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Visibility {
    /// What unauthenticated HTTP shows: the probes and the checks in them.
    Public,
    /// Everything, deep-only checks included (a deep token was presented).
    Deep,
}

/// What a service name of the protocol refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// A probe (`""` is readiness).
    Probe(Probe),
    /// A check, by name.
    Check(String),
}

impl HealthGrpc {
    /// What the caller whose metadata this is may see: deep-only checks
    /// need `authorization: Bearer <token>` with a configured token.
    pub(super) fn visibility(&self, metadata: &MetadataMap) -> Visibility {
        let authorization = metadata.get("authorization").map(|value| value.as_bytes());
        match &self.deep_tokens {
            Some(tokens) if tokens.authorizes(authorization) => Visibility::Deep,
            _ => Visibility::Public,
        }
    }

    /// The checks `visibility` shows, by name.
    pub(super) fn visible_checks(&self, visibility: Visibility) -> impl Iterator<Item = &str> {
        self.health
            .checks()
            .filter(move |spec| visibility == Visibility::Deep || spec.probes != Probes::NONE)
            .map(|spec| spec.name.as_ref())
    }

    /// What `service` names for a caller with `visibility`, if anything:
    /// the probes first, then the checks it may see.
    pub(super) fn target(&self, service: &str, visibility: Visibility) -> Option<Target> {
        match service {
            "" => Some(Target::Probe(Probe::Readiness)),
            name => match Probe::ALL.into_iter().find(|probe| probe.as_str() == name) {
                Some(probe) => Some(Target::Probe(probe)),
                None => self
                    .visible_checks(visibility)
                    .any(|check| check == name)
                    .then(|| Target::Check(name.to_owned())),
            },
        }
    }

    /// The status of `target` now (a probe or a check is refreshed first in
    /// on-demand mode, as an HTTP probe would be).
    pub(super) async fn status_of(&self, target: &Target) -> ServingStatus {
        if self.health.is_shutting_down() {
            return ServingStatus::NotServing;
        }
        let healthy = match target {
            Target::Probe(probe) => self.health.answer(*probe).await.report.status().is_healthy(),
            Target::Check(name) => self
                .health
                .check_result(name)
                .await
                .is_some_and(|result| result.passed()),
        };
        ServingStatus::from_healthy(healthy)
    }

    /// The status of `target` after `transition`, when it changes it.
    pub(super) fn status_after(target: &Target, transition: &Transition) -> Option<ServingStatus> {
        match (target, transition) {
            (Target::Probe(probe), Transition::Probe(change)) if change.probe == *probe => {
                Some(ServingStatus::from_healthy(change.to.is_healthy()))
            }
            (Target::Check(name), Transition::Check(change)) if change.check() == name => {
                Some(ServingStatus::from_healthy(change.to == CheckState::Passing))
            }
            _ => None,
        }
    }
}

/// A response carrying `status`.
pub(super) fn response(status: ServingStatus) -> HealthCheckResponse {
    HealthCheckResponse { status: status.into() }
}
