//! Honest health checks for Rust services.
//!
//! Declare checks by annotating async functions, let the runtime run them
//! concurrently under deadlines (panics caught, results cached and shared
//! between concurrent probes), and answer the liveness, readiness and
//! startup probes of orchestrators and load balancers with the rules of
//! the design document (`docs/design.md`): a critical failure makes the instance `not_ready` (503), any
//! other failure `degraded` (200), and liveness never depends on a
//! dependency.
//!
//! # Quickstart
//!
//! ```
//! use health_core::prelude::*;
//!
//! struct AppState {
//!     db_url: String,
//! }
//!
//! /// Critical: without its database the service cannot answer anything.
//! #[health_check(critical, timeout = "2s")]
//! async fn primary_db(state: &AppState) -> Result<(), std::io::Error> {
//!     let _ = &state.db_url; // e.g. `SELECT 1` on the pool
//!     Ok(())
//! }
//!
//! /// Not critical: without the cache the service is slower (`degraded`).
//! #[health_check(timeout = "500ms", interval = "5s")]
//! async fn cache(_state: &AppState) -> Result<(), String> {
//!     Err("connection refused".into())
//! }
//!
//! /// Belongs to liveness: catches a stalled runtime, not a dependency (it
//! /// answers only if the runtime schedules it again within its deadline).
//! #[health_check(liveness, timeout = "100ms")]
//! async fn event_loop() -> bool {
//!     tokio::task::yield_now().await;
//!     true
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // Every check above is registered for `AppState`: nothing to list.
//! let health = Health::builder(AppState { db_url: "postgres://db/app".into() })
//!     .build()
//!     .expect("valid checks");
//!
//! let ready = health.readiness().await;
//! assert_eq!(ready.status(), Status::Degraded);
//! assert_eq!(ready.http_status(), 200);
//! assert_eq!(
//!     serde_json::to_string(&ready).unwrap(),
//!     r#"{"status":"degraded","critical":{"primary_db":{"status":"pass"}},"degraded":{"cache":{"status":"fail","reason":"error"}}}"#
//! );
//! assert_eq!(health.liveness().await.status(), Status::Alive);
//!
//! health.begin_shutdown();
//! assert_eq!(health.readiness().await.status(), Status::ShuttingDown);
//! # }
//! ```
//!
//! # Pieces
//!
//! - [`health_check`](macro@health_check) declares a check;
//!   [`HealthReport`](derive@HealthReport) derives a typed report over checks.
//! - [`Health`] is the registry: probes, start-up gate, shutdown, caching and
//!   background mode. Checks can also be added at run time ([`Check`]).
//! - [`ProbeReport`] and [`DeepReport`] are the answers; their `Serialize`
//!   impls write the bodies of the HTTP contract (`docs/design.md`).

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, missing_debug_implementations)]

pub mod checks;
#[cfg(feature = "grpc")]
pub mod grpc;
mod health;
#[cfg(any(feature = "server", feature = "grpc"))]
mod held;
#[cfg(feature = "http")]
pub mod http;
pub mod kubernetes;
#[cfg(feature = "metrics")]
pub mod metrics;
mod model;
pub mod redact;
mod report;
mod run;
#[cfg(any(feature = "http", feature = "grpc"))]
mod shutdown;
#[cfg(any(feature = "http", feature = "grpc"))]
pub mod token;

pub use health::{BuildError, Health, HealthBuilder, Mode, Registry};
pub use model::outcome::{CheckError, CheckOutcome, DetailValue, Details, Verdict};
pub use model::probe::{Probe, Probes};
pub use model::result::{CheckResult, PublicCheck, Reason};
pub use model::spec::{CheckSpec, SpecError};
pub use model::status::Status;
pub use report::deep::DeepReport;
pub use report::derived::HealthReport;
pub use report::history;
pub use report::probe::ProbeReport;
pub use report::transition::{CheckState, CheckTransition, Missed, ProbeTransition, Transition, Transitions};
pub use run::check::{BoxFuture, Check};

/// `#[health_check(...)]`: declares an async function as a health check.
///
/// Options (each at most once, in any order): `critical`; `liveness`,
/// `readiness`, `startup` (default `readiness`); `timeout = "2s"` (default
/// `1s`, at most one minute); `name = "..."`; `interval = "5s"` (default
/// `1s`); `failure_threshold = N`, `success_threshold = N` (default 1);
/// `blocking` (a synchronous `fn`, run on the blocking pool).
///
/// The function takes no argument or one `&State`, and returns
/// `Result<T, E: Display>`, `bool` or [`CheckOutcome`]. It stays callable as
/// written; next to it the attribute generates a type of the same name (in
/// the type namespace) that registers the check for [`Health::builder`] and
/// that reports name in their fields.
///
/// ```
/// use health_core::prelude::*;
///
/// #[health_check(critical, timeout = "250ms", failure_threshold = 3)]
/// async fn broker() -> Result<(), std::io::Error> {
///     tokio::net::TcpStream::connect("127.0.0.1:5672").await.map(|_| ())
/// }
///
/// #[health_check(startup, blocking, timeout = "5s")]
/// fn models_loaded() -> bool {
///     std::path::Path::new("/").exists()
/// }
/// ```
#[cfg(feature = "macros")]
pub use health_macros::health_check;

/// `#[derive(HealthReport)]`: a typed report over named checks; see
/// [`HealthReport`](trait@HealthReport) for an example.
///
/// Each field is a [`CheckResult`] named after a `#[health_check]` function
/// (or pointing at one with `#[health(check = path::to::function)]`); the
/// state comes from `#[health(state = Type)]` (default `()`).
#[cfg(feature = "macros")]
pub use health_macros::HealthReport;

/// Everything a service needs to declare checks, build a registry and answer
/// probes.
pub mod prelude {
    #[cfg(feature = "macros")]
    pub use crate::health_check;
    pub use crate::{
        Check, CheckError, CheckOutcome, CheckResult, CheckSpec, Health, HealthReport, Probe, Reason, Status,
    };
}

/// What the macros' expansions refer to. Not a public API: no stability
/// promise, may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::model::outcome::{CheckOutcome, IntoCheckOutcome};
    pub use crate::model::probe::Probes;
    pub use crate::model::result::CheckResult;
    pub use crate::model::spec::CheckSpec;
    pub use crate::report::derived::{assert_distinct_name, collect, CheckName, CheckSource, HealthReport};
    pub use crate::report::json::serialize_report;
    pub use crate::run::check::{check_ref, CheckDef, CheckFn, CheckRef};
    pub use crate::run::execute::{run_async, run_blocking, BlockingSlot, BlockingState};
    pub use crate::run::submit::{submit_stateful, submit_stateless};
    pub use core::time::Duration;
    pub use serde;
}
