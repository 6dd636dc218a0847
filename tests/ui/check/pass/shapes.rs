//! Every function shape `#[health_check]` accepts, each still callable as written.

use health_core::prelude::*;

/// A dependency call: whether the working directory can be read.
fn reachable() -> bool {
    std::env::current_dir().is_ok()
}

/// [`reachable`] as a `Result`.
fn reached() -> Result<(), String> {
    std::env::current_dir().map(|_| ()).map_err(|e| e.to_string())
}

#[derive(Clone)]
pub struct AppState {
    ok: bool,
}

#[health_check]
async fn no_argument() -> Result<(), String> {
    crate::reached()
}

#[health_check]
async fn with_state(state: &AppState) -> Result<(), std::io::Error> {
    match state.ok {
        true => Ok(()),
        false => Err(std::io::Error::other("down")),
    }
}

#[health_check]
async fn ok_value_is_ignored(_state: &AppState) -> Result<u64, String> {
    crate::reached().map(|()| 42)
}

#[health_check]
async fn returns_bool(state: &AppState) -> bool {
    state.ok
}

#[health_check]
async fn returns_outcome(_state: &AppState) -> CheckOutcome {
    CheckOutcome::pass().with_detail("pool_size", 10u32)
}

#[health_check]
async fn returns_check_error() -> Result<(), CheckError> {
    Err(CheckError::new("lag"))
}

#[health_check(blocking)]
fn blocking_without_state() -> std::io::Result<()> {
    std::fs::metadata(".").map(|_| ())
}

#[health_check(blocking)]
fn blocking_with_state(state: &AppState) -> bool {
    state.ok
}

#[health_check]
pub async fn public_check(_state: &AppState) -> bool {
    crate::reachable()
}

#[health_check]
async fn with_pattern_argument(AppState { ok }: &AppState) -> bool {
    *ok
}

#[health_check]
async fn r#async() -> bool {
    crate::reachable()
}

mod nested {
    #[health_core::health_check]
    pub(crate) async fn in_a_module(_state: &super::AppState) -> bool {
        crate::reachable()
    }
}

#[cfg(any())]
#[health_check]
async fn compiled_out(_state: &AppState) -> bool {
    crate::reachable()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let state = AppState { ok: true };
    assert!(no_argument().await.is_ok());
    assert!(with_state(&state).await.is_ok());
    assert_eq!(ok_value_is_ignored(&state).await, Ok(42));
    assert!(returns_bool(&state).await);
    assert!(returns_outcome(&state).await.is_pass());
    assert!(returns_check_error().await.is_err());
    assert!(blocking_without_state().is_ok());
    assert!(blocking_with_state(&state));
    assert!(public_check(&state).await);
    assert!(with_pattern_argument(&state).await);
    assert!(r#async().await);
    assert!(nested::in_a_module(&state).await);

    let health = Health::builder(state).build().unwrap();
    let names: Vec<_> = health.checks().map(|c| c.name.to_string()).collect();
    assert_eq!(
        names,
        [
            "async",
            "blocking_with_state",
            "blocking_without_state",
            "in_a_module",
            "no_argument",
            "ok_value_is_ignored",
            "public_check",
            "returns_bool",
            "returns_check_error",
            "returns_outcome",
            "with_pattern_argument",
            "with_state",
        ]
    );
    assert_eq!(health.readiness().await.status(), Status::Degraded);
}
