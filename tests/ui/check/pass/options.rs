//! Every option, in any order, lands in the check's descriptor.

use std::time::Duration;

use health_core::prelude::*;
use health_core::__private::CheckFn;
use health_core::Probes;

/// A dependency call: whether the working directory can be read.
fn reachable() -> bool {
    std::env::current_dir().is_ok()
}

/// [`reachable`] as a `Result`.
fn reached() -> Result<(), String> {
    std::env::current_dir().map(|_| ()).map_err(|e| e.to_string())
}

#[health_check(
    interval = "5s",
    failure_threshold = 3,
    success_threshold = 2,
    name = "primary-db.v2",
    timeout = "1m",
    critical,
    readiness,
    liveness
)]
async fn everything() -> Result<(), String> {
    crate::reached()
}

#[health_check(startup, timeout = "59s 999ms")]
async fn slow_warmup() -> bool {
    crate::reachable()
}

#[health_check(timeout = "250ms", interval = "1500us")]
async fn sub_second() -> bool {
    crate::reachable()
}

fn main() {
    assert_eq!(
        *<everything as CheckFn<()>>::CHECK.spec(),
        CheckSpec::new("primary-db.v2")
            .critical()
            .probes(Probes::READINESS.union(Probes::LIVENESS))
            .timeout(Duration::from_secs(60))
            .interval(Duration::from_secs(5))
            .failure_threshold(3)
            .success_threshold(2)
    );
    assert_eq!(<sub_second as CheckFn<()>>::CHECK.spec().timeout, Duration::from_millis(250));
    assert_eq!(<sub_second as CheckFn<()>>::CHECK.spec().interval, Duration::from_micros(1500));
    assert_eq!(<slow_warmup as CheckFn<()>>::CHECK.spec().probes, Probes::STARTUP);
}
