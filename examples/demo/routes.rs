//! The demo's own routes: a couple of real endpoints on the database, and
//! a status page from the derived report.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use health_core::redact::redact;
use health_core::{Health, HealthReport};

use crate::checks::{AppState, Readiness};
use crate::db::NewOrder;

/// What the routes share: the registry (and through it, the state).
pub type Shared = Health<AppState>;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/orders", get(list_orders).post(create_order))
        .route("/status", get(status))
}

async fn index() -> &'static str {
    "health-core demo: GET/POST /orders, GET /status, GET /health/{live,ready,startup}\n"
}

async fn list_orders(State(health): State<Shared>) -> Response {
    match health.state().db.orders().await {
        Ok(orders) => Json(orders).into_response(),
        Err(e) => unavailable(e),
    }
}

async fn create_order(State(health): State<Shared>, Json(order): Json<NewOrder>) -> Response {
    match health.state().db.insert(order).await {
        Ok(order) => (StatusCode::CREATED, Json(order)).into_response(),
        Err(e) => unavailable(e),
    }
}

/// The derived report, from the registry's cache: no extra dependency call.
async fn status(State(health): State<Shared>) -> Response {
    let report: Readiness = health.report().await;
    let code = StatusCode::from_u16(report.status().http_status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    (code, Json(report)).into_response()
}

/// A request the database could not serve: 503, and the details in the log
/// only (they may name hosts), credentials redacted.
fn unavailable(error: sqlx::Error) -> Response {
    tracing::warn!("database error: {}", redact(&error.to_string()));
    (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
}
