//! `Watch`: the status now, then every change, pushed from the registry's
//! transitions (no polling); `NOT_SERVING` once shutdown begins, and the end
//! of the stream once the drain delay is over.

use std::pin::Pin;

use futures_util::stream::{self, BoxStream, StreamExt};
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Sleep;
use tonic::Status;

use super::proto::{HealthCheckResponse, ServingStatus};
use super::target::{response, Target};
use super::HealthGrpc;
use crate::report::transition::{Missed, Transition, Transitions};

/// The stream a `Watch` call answers with.
pub type WatchStream = BoxStream<'static, Result<HealthCheckResponse, Status>>;

/// One `Watch` call in progress.
struct Watching {
    grpc: HealthGrpc,
    /// `None` for a service the registry does not know.
    target: Option<Target>,
    changes: Transitions,
    /// The status last sent.
    sent: Option<ServingStatus>,
    /// The status to send first.
    first: Option<ServingStatus>,
    /// Once shutdown began: the end of the drain, when the stream ends.
    drained: Option<Pin<Box<Sleep>>>,
    /// This stream's place under `GrpcLimits::max_watch_streams`.
    _permit: OwnedSemaphorePermit,
}

/// What woke a watcher.
enum Woken {
    Changed(Option<Result<Transition, Missed>>),
    ShutdownBegun,
}

/// Starts watching `target` (`None`: a name the caller may not see),
/// holding `permit` while the stream lives.
pub(super) async fn watch(grpc: HealthGrpc, target: Option<Target>, permit: OwnedSemaphorePermit) -> WatchStream {
    // Subscribed before the first status is read: no change can fall between.
    let changes = grpc.health.subscribe();
    let first = match &target {
        Some(target) => grpc.status_of(target).await,
        None => ServingStatus::ServiceUnknown,
    };
    let watching = Watching {
        grpc,
        target,
        changes,
        sent: None,
        first: Some(first),
        drained: None,
        _permit: permit,
    };
    stream::unfold(watching, |mut watching| async move {
        let next = watching.next().await?;
        Some((Ok(response(next)), watching))
    })
    .boxed()
}

impl Watching {
    /// The next status to send; `None` ends the stream.
    async fn next(&mut self) -> Option<ServingStatus> {
        if let Some(first) = self.first.take() {
            self.sent = Some(first);
            return Some(first);
        }
        loop {
            if let Some(drained) = &mut self.drained {
                drained.await;
                return None;
            }
            let woken = tokio::select! {
                change = self.changes.recv() => Woken::Changed(change),
                () = self.grpc.health.shutdown_begun() => Woken::ShutdownBegun,
            };
            let status = match woken {
                Woken::ShutdownBegun => {
                    self.drained = Some(Box::pin(tokio::time::sleep(self.grpc.drain_delay)));
                    match self.target {
                        Some(_) => ServingStatus::NotServing,
                        None => continue,
                    }
                }
                // The registry is gone.
                Woken::Changed(None) => return None,
                // Fell behind: look at the status itself.
                Woken::Changed(Some(Err(_missed))) => match &self.target {
                    Some(target) => self.grpc.status_of(target).await,
                    None => continue,
                },
                Woken::Changed(Some(Ok(transition))) => {
                    match self
                        .target
                        .as_ref()
                        .and_then(|t| HealthGrpc::status_after(t, &transition))
                    {
                        Some(status) => status,
                        None => continue,
                    }
                }
            };
            if self.sent != Some(status) {
                self.sent = Some(status);
                return Some(status);
            }
        }
    }
}
