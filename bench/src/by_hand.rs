//! Serving without a health library, as the static baselines, the
//! hand-written handlers, the `health` peer and the control listener do: a
//! minimal hyper 1.x server that answers synchronously, and checks folded
//! by hand into the readiness body of the HTTP contract.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response as AxumResponse};
use axum::Json;
use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::request::Parts;
use http::Response;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;

/// `(name, critical, passed)` of each check folded into the readiness body
/// of the HTTP contract: 503 `not_ready` if a critical check failed, else 200
/// `degraded` or `ready`.
fn fold(checks: impl IntoIterator<Item = (&'static str, bool, bool)>) -> (StatusCode, Value) {
    let entry = |passed: bool| {
        if passed {
            json!({"status": "pass"})
        } else {
            json!({"status": "fail", "reason": "error"})
        }
    };
    let (mut critical, mut degraded) = (Map::new(), Map::new());
    for (name, is_critical, passed) in checks {
        let group = if is_critical { &mut critical } else { &mut degraded };
        group.insert(name.to_owned(), entry(passed));
    }
    let failing = |group: &Map<String, Value>| group.values().any(|v| v["status"] != "pass");
    let (code, status) = if failing(&critical) {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    } else if failing(&degraded) {
        (StatusCode::OK, "degraded")
    } else {
        (StatusCode::OK, "ready")
    };
    (
        code,
        json!({"status": status, "critical": critical, "degraded": degraded}),
    )
}

/// [`fold`] as an axum response (for the hand-written axum handlers).
pub(crate) fn fold_to_axum(checks: [(&'static str, bool, bool); 3]) -> AxumResponse {
    let (code, body) = fold(checks);
    (code, Json(body)).into_response()
}

/// [`fold`] as a hyper response (for handlers on [`serve_fn`]).
pub(crate) fn fold_to_hyper(checks: impl IntoIterator<Item = (&'static str, bool, bool)>) -> Response<Full<Bytes>> {
    let (code, body) = fold(checks);
    fixed(code, "application/json", body.to_string().into())
}

/// A response with a fixed body.
pub(crate) fn fixed(status: http::StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A minimal hyper 1.x HTTP/1.1 server: every request is answered by
/// `answer(head)`, synchronously; with `header_read_timeout`, hyper times
/// the reading of each request head on a tokio timer.
pub async fn serve_fn<F>(listener: TcpListener, header_read_timeout: Option<Duration>, answer: F) -> io::Result<()>
where
    F: Fn(&Parts) -> Response<Full<Bytes>> + Send + Sync + 'static,
{
    let answer = Arc::new(answer);
    loop {
        let (stream, _peer) = listener.accept().await?;
        let answer = Arc::clone(&answer);
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<Incoming>| {
                let response = answer(&request.into_parts().0);
                async move { Ok::<_, Infallible>(response) }
            });
            let mut builder = http1::Builder::new();
            if let Some(timeout) = header_read_timeout {
                builder.timer(TokioTimer::new()).header_read_timeout(timeout);
            }
            // A client that goes away mid-request is not the server's failure.
            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
