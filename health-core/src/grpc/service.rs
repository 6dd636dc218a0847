//! `Check`, `List` and `Watch`, answered from the registry, showing each
//! caller what HTTP would show it.

use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status};

use super::generated::health_server::Health as HealthService;
use super::generated::{HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse};
use super::watch::{watch, WatchStream};
use super::{HealthGrpc, ServingStatus};
use crate::probe::{Probe, Probes};
use crate::transition::{CheckState, Transition};

/// The most services `List` answers with, as the protocol sets it.
const LIST_LIMIT: usize = 100;

/// The most characters of an unknown service name repeated in `NOT_FOUND`.
const ECHOED_NAME_CHARS: usize = 64;

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
    fn visible_checks(&self, visibility: Visibility) -> impl Iterator<Item = &str> {
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
            Target::Probe(probe) => self.health.probe(*probe).await.status().is_healthy(),
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

/// `NOT_FOUND` for `service`, repeating at most its first
/// [`ECHOED_NAME_CHARS`] characters.
fn not_found(service: &str) -> Status {
    let shown: String = service.chars().take(ECHOED_NAME_CHARS).collect();
    let more = if shown.len() < service.len() { "..." } else { "" };
    Status::not_found(format!("no health service named {shown:?}{more}"))
}

#[tonic::async_trait]
impl HealthService for HealthGrpc {
    async fn check(&self, request: Request<HealthCheckRequest>) -> Result<Response<HealthCheckResponse>, Status> {
        let visibility = self.visibility(request.metadata());
        let service = request.into_inner().service;
        let target = self.target(&service, visibility).ok_or_else(|| not_found(&service))?;
        Ok(Response::new(response(self.status_of(&target).await)))
    }

    async fn list(&self, request: Request<HealthListRequest>) -> Result<Response<HealthListResponse>, Status> {
        let visibility = self.visibility(request.metadata());
        let targets = ["", "liveness", "readiness", "startup"]
            .into_iter()
            .chain(self.visible_checks(visibility))
            .filter_map(|name| Some((name.to_owned(), self.target(name, visibility)?)))
            .collect::<Vec<_>>();
        if targets.len() > LIST_LIMIT {
            return Err(Status::resource_exhausted(format!(
                "{} health services, more than the protocol's {LIST_LIMIT}",
                targets.len()
            )));
        }
        let mut statuses = std::collections::HashMap::with_capacity(targets.len());
        for (name, target) in targets {
            statuses.insert(name, response(self.status_of(&target).await));
        }
        Ok(Response::new(HealthListResponse { statuses }))
    }

    type WatchStream = WatchStream;

    async fn watch(&self, request: Request<HealthCheckRequest>) -> Result<Response<WatchStream>, Status> {
        let visibility = self.visibility(request.metadata());
        let Ok(permit) = std::sync::Arc::clone(&self.watch_permits).try_acquire_owned() else {
            return Err(Status::resource_exhausted(format!(
                "{} Watch streams open already, the most this server holds",
                self.limits.max_watch_streams
            )));
        };
        let target = self.target(&request.into_inner().service, visibility);
        Ok(Response::new(watch(self.clone(), target, permit).await))
    }
}
