//! `Check`, `List` and `Watch`, answered from the registry.

use tonic::{Request, Response, Status};

use super::generated::health_server::Health as HealthService;
use super::generated::{HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse};
use super::watch::{watch, WatchStream};
use super::{HealthGrpc, ServingStatus};
use crate::probe::Probe;
use crate::transition::{CheckState, Transition};

/// The most services `List` answers with, as the protocol sets it.
const LIST_LIMIT: usize = 100;

/// What a service name of the protocol refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// A probe (`""` is readiness).
    Probe(Probe),
    /// A check, by name.
    Check(String),
}

impl<S: Send + Sync + 'static> HealthGrpc<S> {
    /// What `service` names, if anything: the probes first, then the checks.
    pub(super) fn target(&self, service: &str) -> Option<Target> {
        match service {
            "" => Some(Target::Probe(Probe::Readiness)),
            name => match Probe::ALL.into_iter().find(|probe| probe.as_str() == name) {
                Some(probe) => Some(Target::Probe(probe)),
                None => self
                    .health
                    .checks()
                    .any(|spec| spec.name == name)
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

#[tonic::async_trait]
impl<S: Send + Sync + 'static> HealthService for HealthGrpc<S> {
    async fn check(&self, request: Request<HealthCheckRequest>) -> Result<Response<HealthCheckResponse>, Status> {
        let service = request.into_inner().service;
        let target = self
            .target(&service)
            .ok_or_else(|| Status::not_found(format!("no health service named {service:?}")))?;
        Ok(Response::new(response(self.status_of(&target).await)))
    }

    async fn list(&self, _request: Request<HealthListRequest>) -> Result<Response<HealthListResponse>, Status> {
        let names = ["", "liveness", "readiness", "startup"]
            .into_iter()
            .map(str::to_owned)
            .chain(self.health.checks().map(|spec| spec.name.to_string()))
            .collect::<Vec<_>>();
        if names.len() > LIST_LIMIT {
            return Err(Status::resource_exhausted(format!(
                "{} health services, more than the protocol's {LIST_LIMIT}",
                names.len()
            )));
        }
        let mut statuses = std::collections::HashMap::with_capacity(names.len());
        for name in names {
            if let Some(target) = self.target(&name) {
                let status = self.status_of(&target).await;
                statuses.insert(name, response(status));
            }
        }
        Ok(Response::new(HealthListResponse { statuses }))
    }

    type WatchStream = WatchStream;

    async fn watch(&self, request: Request<HealthCheckRequest>) -> Result<Response<WatchStream>, Status> {
        let service = request.into_inner().service;
        Ok(Response::new(watch(self.clone(), service).await))
    }
}
