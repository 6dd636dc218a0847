//! One request, one answer: routing, methods, content negotiation and deep
//! access, independent of the server that carries them.

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, ALLOW, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderMap, Method, Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;

use super::access::{decide, DeepDecision};
use super::HealthHttp;
use crate::wire::health_json as ietf;
use crate::Probe;

/// The media type of the Prometheus text exposition format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The endpoint a path names.
enum Endpoint {
    Probe(Probe),
    Deep,
    Metrics,
}

/// The body format the client asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    HealthJson,
}

impl<S: Send + Sync + 'static> HealthHttp<S> {
    /// Answers a request: the probe's status (200/503) and body, 404 for
    /// unknown paths, 405 for methods other than GET and HEAD, 401/404 for
    /// the deep endpoint without access. Only the request head is read.
    pub async fn respond(&self, request: &Parts) -> Response<Full<Bytes>> {
        let Some(endpoint) = self.endpoint(request.uri.path()) else {
            return error(StatusCode::NOT_FOUND, "not found");
        };
        if request.method != Method::GET && request.method != Method::HEAD {
            let mut response = error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let format = negotiate(&request.headers);
        match endpoint {
            Endpoint::Probe(probe) => {
                let report = self.health.probe(probe).await;
                let status = report.http_status();
                match format {
                    Format::Json => body(status, format, &report),
                    Format::HealthJson => body(status, format, &ietf::probe_body(&report)),
                }
            }
            Endpoint::Deep => match decide(self.deep_token.as_ref(), self.admin_listener, &request.headers) {
                DeepDecision::Hidden => error(StatusCode::NOT_FOUND, "not found"),
                DeepDecision::Unauthorized => {
                    let mut response = error(StatusCode::UNAUTHORIZED, "unauthorized");
                    response
                        .headers_mut()
                        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                    response
                }
                DeepDecision::Granted => {
                    let report = self.health.deep().await;
                    let status = report.status().http_status();
                    match format {
                        Format::Json => body(status, format, &report),
                        Format::HealthJson => body(status, format, &ietf::deep_body(&report)),
                    }
                }
            },
            Endpoint::Metrics => {
                let text = self.metrics.as_ref().map(|render| render()).unwrap_or_default();
                response(StatusCode::OK, PROMETHEUS_TEXT, text.into_bytes())
            }
        }
    }

    fn endpoint(&self, path: &str) -> Option<Endpoint> {
        let paths = &*self.paths;
        match path {
            p if p == paths.live => Some(Endpoint::Probe(Probe::Liveness)),
            p if p == paths.ready => Some(Endpoint::Probe(Probe::Readiness)),
            p if p == paths.startup => Some(Endpoint::Probe(Probe::Startup)),
            p if p == paths.deep => Some(Endpoint::Deep),
            p if p == paths.metrics && self.metrics.is_some() => Some(Endpoint::Metrics),
            _ => None,
        }
    }
}

/// `application/health+json` when the client accepts it (with a non-zero
/// quality), else plain JSON.
fn negotiate(headers: &HeaderMap) -> Format {
    let wants_health_json = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media_type = parts.next().unwrap_or_default();
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            media_type.eq_ignore_ascii_case(ietf::CONTENT_TYPE) && !refused
        });
    if wants_health_json {
        Format::HealthJson
    } else {
        Format::Json
    }
}

/// `value` as JSON in the negotiated format, or a 500 if it cannot be serialized.
fn body(status: u16, format: Format, value: &impl Serialize) -> Response<Full<Bytes>> {
    let content_type = match format {
        Format::Json => "application/json",
        Format::HealthJson => ietf::CONTENT_TYPE,
    };
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            response(status, content_type, bytes)
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot serialize the report: {e}"),
        ),
    }
}

/// `{"error":"<message>"}` with `status`.
fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let bytes = serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default();
    response(status, "application/json", bytes)
}

/// A response that no cache keeps.
fn response(status: StatusCode, content_type: &'static str, bytes: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
