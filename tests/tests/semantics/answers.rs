//! What an adapter serves is worked out once per change and shared by the
//! requests in between (`docs/design.md`, "Architecture"): it must always
//! be what the registry answers now. Random sequences of changes (the
//! dependency failing, a run hanging, the clock moving, start-up and
//! shutdown), in both modes; after each, every probe's served status and
//! body are those of the registry's own answer at that instant.

use std::future::pending;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use health_core::http::HealthHttp;
use health_core::prelude::*;
use proptest::prelude::*;
use tokio::time::Instant;

use crate::Dependency;

#[derive(Default)]
struct Answered {
    db: Dependency,
    cache: Dependency,
    hang: AtomicBool,
    booted: AtomicBool,
}

#[health_check(critical, timeout = "500ms", interval = "2s")]
async fn db(state: &Answered) -> Result<(), String> {
    if state.hang.load(Ordering::SeqCst) {
        pending::<()>().await;
    }
    state.db.call()
}

#[health_check(liveness, readiness, timeout = "300ms", interval = "700ms", failure_threshold = 2)]
async fn cache(state: &Answered) -> Result<(), String> {
    state.cache.call()
}

#[health_check(startup, timeout = "1s", interval = "1s")]
async fn booted(state: &Answered) -> bool {
    state.booted.load(Ordering::SeqCst)
}

/// One change to the world.
#[derive(Debug, Clone)]
enum Step {
    /// The clock moves on by this many milliseconds (runs due meanwhile run).
    Advance(u64),
    DbDown(bool),
    CacheDown(bool),
    Hang(bool),
    Boot,
    MarkStarted,
    BeginShutdown,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => prop_oneof![Just(0u64), Just(1), Just(299), Just(300), Just(499), Just(500), Just(700), Just(1999), Just(2000), Just(2001), Just(2500), 0..5000u64].prop_map(Step::Advance),
        2 => any::<bool>().prop_map(Step::DbDown),
        2 => any::<bool>().prop_map(Step::CacheDown),
        1 => any::<bool>().prop_map(Step::Hang),
        1 => Just(Step::Boot),
        1 => Just(Step::MarkStarted),
        1 => Just(Step::BeginShutdown),
    ]
}

/// Status and body as served over HTTP with `accept`.
async fn served(http: &HealthHttp, probe: Probe, accept: &str) -> (u16, String) {
    let request = http::Request::get(probe.default_path())
        .header("accept", accept)
        .body(())
        .unwrap();
    let response = http.respond(&request.into_parts().0).await;
    let status = response.status().as_u16();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// The JSON answer served for `probe`, held to the registry's own answer
/// at the same instant, and to what is served again in that instant (in
/// either format: one shared answer). On demand, a probe may wait on a
/// hanging run; results may then come due meanwhile, so only an answer
/// served without the clock moving is held to the others.
async fn served_is_answered(http: &HealthHttp, health: &Health<Answered>, probe: Probe) -> (u16, String) {
    let asked = Instant::now();
    let json = served(http, probe, "application/json").await;
    if Instant::now() != asked {
        return json;
    }
    let answered = health.probe(probe).await;
    let answered = (answered.http_status(), serde_json::to_string(&answered).unwrap());
    assert_eq!(json, answered, "{probe:?}: served vs the registry's answer");
    let health_json = served(http, probe, "application/health+json").await;
    assert_eq!(
        health_json.0, json.0,
        "{probe:?}: health+json status: {}",
        health_json.1
    );
    assert_eq!(
        served(http, probe, "application/json").await,
        json,
        "{probe:?}: served again"
    );
    json
}

/// Runs `steps` against a fresh registry on a paused clock, holding the
/// served answers to the registry's after each.
fn holds(background: bool, withhold: bool, steps: &[Step]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut builder = Health::builder(Answered::default());
        if background {
            builder = builder.background();
        }
        if withhold {
            builder = builder.withhold_startup();
        }
        let health = builder.build().unwrap();
        let http = health.http();
        for step in steps {
            match step {
                Step::Advance(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
                Step::DbDown(down) => health.state().db.set_down(*down),
                Step::CacheDown(down) => health.state().cache.set_down(*down),
                Step::Hang(hang) => health.state().hang.store(*hang, Ordering::SeqCst),
                Step::Boot => health.state().booted.store(true, Ordering::SeqCst),
                Step::MarkStarted => health.mark_started(),
                Step::BeginShutdown => health.begin_shutdown(),
            }
            // Let the scheduler's timers fire and its runs finish.
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            for probe in Probe::ALL {
                served_is_answered(&http, &health, probe).await;
            }
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn served_answers_are_the_registrys_on_demand(steps in prop::collection::vec(step(), 1..24), withhold: bool) {
        holds(false, withhold, &steps);
    }

    #[test]
    fn served_answers_are_the_registrys_in_background(steps in prop::collection::vec(step(), 1..24), withhold: bool) {
        holds(true, withhold, &steps);
    }
}

/// The cases that matter most, spelled out: a failure shows on the very
/// next probe after the run that saw it, and a result past its interval
/// is run again by the next probe (on demand), though the answers in
/// between were shared.
#[tokio::test(start_paused = true)]
async fn a_shared_answer_never_outlives_what_it_was_worked_out_from() {
    let health = Health::builder(Answered::default()).build().unwrap();
    let http = health.http();
    let ready = || served_is_answered(&http, &health, Probe::Readiness);
    health.state().booted.store(true, Ordering::SeqCst);
    assert_eq!(ready().await.0, 200);
    let calls = health.state().db.calls();
    for _ in 0..100 {
        assert_eq!(ready().await.0, 200);
    }
    assert_eq!(health.state().db.calls(), calls, "within the interval: no run");

    health.state().db.set_down(true);
    tokio::time::sleep(Duration::from_millis(1999)).await;
    assert_eq!(ready().await.0, 200, "the db result is 1.999 s old: still fresh");
    tokio::time::sleep(Duration::from_millis(1)).await;
    let (status, body) = ready().await;
    assert_eq!(status, 503, "2 s: run again, failing: {body}");
    assert_eq!(health.state().db.calls(), calls + 1);
}
