//! Compile-time registration gathers every check of a state type; checks
//! can be added at run time; names must be unique.

use std::time::Duration;

use health_core::prelude::*;
use health_core::{BoxFuture, BuildError, Probes, SpecError};

struct Shop;
struct Warehouse;
struct Depot;

#[health_check(critical)]
async fn orders(_state: &Shop) -> bool {
    tests::reachable()
}

#[health_check(liveness, startup, name = "shop.heartbeat", timeout = "100ms", interval = "10s")]
async fn heartbeat(_state: &Shop) -> bool {
    tests::reachable()
}

#[health_check]
async fn stock(_state: &Warehouse) -> bool {
    tests::reachable()
}

#[health_check(name = "orders")]
async fn orders_again(_state: &Warehouse) -> bool {
    tests::reachable()
}

#[health_check]
async fn db(_state: &Depot) -> bool {
    tests::reachable()
}

mod replica {
    use super::*;

    #[health_check(name = "db")]
    pub async fn primary(_state: &Depot) -> bool {
        tests::reachable()
    }
}

#[test]
fn a_registry_gathers_the_checks_of_its_state_type_only() {
    let health = Health::builder(Shop).build().unwrap();
    let specs: Vec<_> = health.checks().cloned().collect();
    assert_eq!(
        specs,
        vec![
            CheckSpec::new("orders").critical(),
            CheckSpec::new("shop.heartbeat")
                .probes(Probes::LIVENESS.union(Probes::STARTUP))
                .timeout(Duration::from_millis(100))
                .interval(Duration::from_secs(10)),
        ]
    );
}

/// A check added at run time.
struct Search;

impl Check<Warehouse> for Search {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("search").critical()
    }

    fn run<'a>(&'a self, _state: &'a Warehouse) -> BoxFuture<'a, CheckOutcome> {
        Box::pin(async { CheckOutcome::fail("index missing").with_detail("shards", 0u32) })
    }
}

#[tokio::test(start_paused = true)]
async fn run_time_checks_join_the_annotated_ones() {
    let health = Health::builder(Warehouse).check(Search).build().unwrap();
    let names: Vec<_> = health.checks().map(|c| c.name.to_string()).collect();
    assert_eq!(names, ["orders", "search", "stock"]);
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::NotReady);
    let search = ready.check("search").unwrap();
    assert_eq!(search.error(), Some("index missing"));
    assert_eq!(search.details().get("shards"), Some(&0u32.into()));
}

#[test]
fn duplicate_names_are_refused_with_a_fix() {
    struct AlsoOrders;
    impl Check<Warehouse> for AlsoOrders {
        fn spec(&self) -> CheckSpec {
            CheckSpec::new("stock")
        }
        fn run<'a>(&'a self, _state: &'a Warehouse) -> BoxFuture<'a, CheckOutcome> {
            Box::pin(async { CheckOutcome::pass() })
        }
    }
    let error = Health::builder(Warehouse).check(AlsoOrders).build().unwrap_err();
    let BuildError::DuplicateName { name, first, second } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(name, "stock");
    assert_eq!(first, "`#[health_check] fn semantics::registry::stock`");
    assert_eq!(
        second,
        "`semantics::registry::duplicate_names_are_refused_with_a_fix::AlsoOrders` (added with `.check()`)"
    );
    assert!(error.to_string().contains("name = "), "{error}");
}

#[test]
fn two_annotated_checks_with_one_name_are_refused_naming_both_functions() {
    let error = Health::builder(Depot).build().unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("two health checks are named `db`: `#[health_check] fn semantics::registry::")
            && message.contains("fn semantics::registry::db`")
            && message.contains("fn semantics::registry::replica::primary`"),
        "{message}"
    );
    // The way out the message names works.
    assert!(Health::builder(Depot)
        .without("db")
        .build()
        .unwrap()
        .checks()
        .next()
        .is_none());
}

#[test]
fn invalid_run_time_specs_are_refused() {
    struct Bad(CheckSpec);
    impl Check<Warehouse> for Bad {
        fn spec(&self) -> CheckSpec {
            self.0.clone()
        }
        fn run<'a>(&'a self, _state: &'a Warehouse) -> BoxFuture<'a, CheckOutcome> {
            Box::pin(async { CheckOutcome::pass() })
        }
    }
    let cases = [
        (CheckSpec::new("has space"), "InvalidName"),
        (CheckSpec::new(""), "InvalidName"),
        (CheckSpec::new("zero").timeout(Duration::ZERO), "ZeroDuration"),
        (CheckSpec::new("zero").interval(Duration::ZERO), "ZeroDuration"),
        (CheckSpec::new("forever").timeout(Duration::MAX), "TimeoutTooLong"),
        (
            CheckSpec::new("long").timeout(Duration::from_secs(61)),
            "TimeoutTooLong",
        ),
        (CheckSpec::new("never").failure_threshold(0), "ZeroThreshold"),
        (CheckSpec::new("never").success_threshold(0), "ZeroThreshold"),
        (
            CheckSpec::new("restarts").critical().probes(Probes::LIVENESS),
            "CriticalOutsideReadiness",
        ),
    ];
    for (spec, rule) in cases {
        let name = spec.name.clone();
        let error = Health::builder(Warehouse).check(Bad(spec)).build().unwrap_err();
        let BuildError::InvalidCheck { check, error } = &error else {
            panic!("{name}: {error:?}")
        };
        assert!(check.ends_with("::Bad` (added with `.check()`)"), "{check}");
        assert!(
            format!("{error:?}").starts_with(rule),
            "{name}: {error:?} is not {rule}"
        );
    }
    let at_the_limit = CheckSpec::new("slow")
        .timeout(CheckSpec::MAX_TIMEOUT)
        .interval(Duration::MAX);
    assert!(Health::builder(Warehouse).check(Bad(at_the_limit)).build().is_ok());
    assert_eq!(
        CheckSpec::new("x").timeout(Duration::MAX).validate(),
        Err(SpecError::TimeoutTooLong {
            name: "x".into(),
            timeout: Duration::MAX
        })
    );
}
