//! `Check`, `List` and `Watch`, answered from the registry, showing each
//! caller what HTTP would show it.

use tonic::{Request, Response, Status};

use super::generated::health_server::Health as HealthService;
use super::generated::{HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse};
use super::target::response;
use super::watch::{watch, WatchStream};
use super::HealthGrpc;

/// The most services `List` answers with, as the protocol sets it.
const LIST_LIMIT: usize = 100;

/// The most characters of an unknown service name repeated in `NOT_FOUND`.
const ECHOED_NAME_CHARS: usize = 64;

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
