//! Compile-time registration gathers every check of a state type; checks
//! can be added at run time; names must be unique.

use std::time::Duration;

use health_core::prelude::*;
use health_core::{BoxFuture, BuildError, Probes};

struct Shop;
struct Warehouse;

#[health_check(critical)]
async fn orders(_state: &Shop) -> bool {
    true
}

#[health_check(liveness, startup, name = "shop.heartbeat", timeout = "100ms", interval = "10s")]
async fn heartbeat(_state: &Shop) -> bool {
    true
}

#[health_check]
async fn stock(_state: &Warehouse) -> bool {
    true
}

#[health_check(name = "orders")]
async fn orders_again(_state: &Warehouse) -> bool {
    true
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
    assert_eq!(error, BuildError::DuplicateName("stock".into()));
    assert!(error.to_string().contains("name = "), "{error}");
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
        CheckSpec::new("has space"),
        CheckSpec::new("zero").timeout(Duration::ZERO),
        CheckSpec::new("never").failure_threshold(0),
        CheckSpec::new("restarts").critical().probes(Probes::LIVENESS),
    ];
    for spec in cases {
        let name = spec.name.clone();
        let built = Health::builder(Warehouse).check(Bad(spec)).build();
        assert!(matches!(built, Err(BuildError::InvalidCheck(_))), "{name} accepted");
    }
}
