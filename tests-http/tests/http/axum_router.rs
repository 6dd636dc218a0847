//! What only the axum router has: it merges into an app whatever the app's
//! state type (the contract itself is in `contract/`, run on axum too).

use axum::routing::get as route_get;
use axum::Router;
use health_core::prelude::*;

use crate::client::get;
use crate::Dependency;

#[derive(Default)]
struct App {
    db: Dependency,
}

#[health_check(critical)]
async fn app_db(state: &App) -> Result<(), String> {
    state.db.call()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_merges_into_an_app_with_its_own_state() {
    #[derive(Clone)]
    struct Greeting(&'static str);

    let health = Health::builder(App::default()).build().unwrap();
    let app = Router::new()
        .route(
            "/hello",
            route_get(|axum::extract::State(g): axum::extract::State<Greeting>| async move { g.0 }),
        )
        .merge(health.http().router())
        .with_state(Greeting("hi"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    assert_eq!(get(addr, "/hello").await.body, "hi");
    assert_eq!(get(addr, "/health/ready").await.json()["status"], "ready");
    assert_eq!(health.state().db.calls(), 1);
}
