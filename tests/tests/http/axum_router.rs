//! The probes merged into an axum application.

use axum::routing::get as route_get;
use axum::Router;
use health_core::prelude::*;
use hyper::{Method, StatusCode};
use serde_json::json;

use super::client::{get, send};
use super::Dependency;

#[derive(Default)]
struct App {
    db: Dependency,
}

#[health_check(critical)]
async fn app_db(state: &App) -> Result<(), String> {
    state.db.call()
}

async fn serve_app(app: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
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
    let addr = serve_app(app).await;

    assert_eq!(get(addr, "/hello").await.body, "hi");
    assert_eq!(get(addr, "/health/ready").await.json()["status"], "ready");
    health.state().db.set_down(true);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let not_ready = get(addr, "/health/ready").await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        not_ready.json()["critical"]["app_db"],
        json!({"status": "fail", "reason": "error"})
    );
    assert_eq!(get(addr, "/health/live").await.json(), json!({"status": "alive"}));

    let head = send(addr, Method::HEAD, "/health/live", &[]).await;
    assert_eq!((head.status, head.body.as_str()), (StatusCode::OK, ""));
    assert_eq!(
        send(addr, Method::POST, "/health/live", &[]).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        get(addr, "/health/deep").await.status,
        StatusCode::NOT_FOUND,
        "no token: hidden"
    );
    assert_eq!(get(addr, "/nothing").await.status, StatusCode::NOT_FOUND);
}
