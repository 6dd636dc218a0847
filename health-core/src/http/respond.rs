//! One request, one answer: routing, methods, content negotiation and deep
//! access, independent of the server that carries them.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{GetAll, HeaderValue, ACCEPT, HOST};
use http::request::Parts;
use http::{HeaderMap, Method, Response, StatusCode};
use http_body_util::Full;

use super::access::{decide, DeepDecision};
use super::bodies::{render, status_code};
use super::health_json as ietf;
use super::html;
use super::reply::{self, Lines, Reply};
use super::HealthHttp;
use crate::health::Answer;
use crate::model::probe::Probe;

/// The endpoint a path names.
pub(super) enum Endpoint {
    Probe(Probe),
    Deep,
    Metrics,
}

/// What a request needs once its head is read.
pub(super) enum Routed {
    /// The answer, worked out without waiting.
    Now(Reply),
    /// A probe whose kept answer no longer holds: its checks run first.
    Probe(Probe, Format),
    /// The deep report, with the recent past or without.
    Deep { format: Format, history: bool },
}

/// The body format the client asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Json,
    HealthJson,
    Html,
}

impl HealthHttp {
    /// Answers a request: the probe's status (200/503) and body, 404 for
    /// unknown paths, 405 for methods other than GET and HEAD, 401/404 for
    /// the deep endpoint and metrics without access (404 whatever the
    /// method), 421 with no body on an admin listener for a `Host` that is
    /// not a loopback name with its port. Only the request head is read.
    pub async fn respond(&self, request: &Parts) -> Response<Full<Bytes>> {
        self.answer(request).await.into_response()
    }

    /// [`HealthHttp::respond`] before the answer takes `http` types, for
    /// adapters whose framework has types of its own.
    pub(crate) async fn answer(&self, request: &Parts) -> Reply {
        match self.route(request) {
            Routed::Now(reply) => reply,
            later => self.finish(later).await,
        }
    }

    /// Everything an answer needs that does not wait: the answer itself, or
    /// what is left to do.
    pub(super) fn route(&self, request: &Parts) -> Routed {
        self.route_to(self.endpoint(request.uri.path()), request)
    }

    /// The endpoint an adapter that shares its listener with an application
    /// answers at `path` itself (the paths the axum and actix-web adapters
    /// mount); other paths are the application's.
    #[cfg(feature = "tower")]
    pub(super) fn claimed(&self, path: &str) -> Option<Endpoint> {
        let endpoint = self.endpoint(path)?;
        (matches!(endpoint, Endpoint::Probe(_)) || self.deep_open()).then_some(endpoint)
    }

    /// [`HealthHttp::route`] of a request whose path names `endpoint`.
    pub(super) fn route_to(&self, endpoint: Option<Endpoint>, request: &Parts) -> Routed {
        if let Some(port) = self.admin_port {
            if !loopback_authority(request, port) {
                // Not a name this listener answers to (DNS rebinding, a
                // proxy): no answer at all, not even the probes.
                return Routed::Now(Reply::new(StatusCode::MISDIRECTED_REQUEST, &reply::EMPTY, Bytes::new()));
            }
        }
        let Some(endpoint) = endpoint else {
            return Routed::Now(not_found());
        };
        // The deep report and the metrics share one door; closed, their
        // paths answer every method exactly as an unknown path does.
        let access = match endpoint {
            Endpoint::Probe(_) => DeepDecision::Granted,
            Endpoint::Deep | Endpoint::Metrics => {
                decide(self.deep_token.as_ref(), self.admin_port.is_some(), &request.headers)
            }
        };
        if access == DeepDecision::Hidden {
            return Routed::Now(not_found());
        }
        if request.method != Method::GET && request.method != Method::HEAD {
            return Routed::Now(error(
                StatusCode::METHOD_NOT_ALLOWED,
                &reply::NOT_ALLOWED,
                "method not allowed",
            ));
        }
        if access == DeepDecision::Unauthorized {
            return Routed::Now(error(StatusCode::UNAUTHORIZED, &reply::UNAUTHORIZED, "unauthorized"));
        }
        let format = negotiate(&request.headers, &endpoint);
        match endpoint {
            Endpoint::Probe(probe) => match self.health.kept_answer(probe) {
                Some(answer) => Routed::Now(self.probe_body(probe, format, answer)),
                None => Routed::Probe(probe, format),
            },
            Endpoint::Deep => Routed::Deep {
                format,
                history: format == Format::Html || wants_history(request),
            },
            Endpoint::Metrics => {
                let text = self.metrics.as_ref().map(|render| render()).unwrap_or_default();
                Routed::Now(Reply::new(StatusCode::OK, &reply::PROMETHEUS_TEXT, text))
            }
        }
    }

    /// The request headers [`HealthHttp::answer`] reads with this
    /// configuration: an adapter that has to copy a request's head into
    /// `http` types copies these alone. `Accept` always; `Authorization`
    /// when a token opens the deep endpoint; `Host` on an admin listener.
    #[cfg(feature = "actix")]
    pub(crate) fn read_headers(&self) -> impl Iterator<Item = http::HeaderName> {
        let authorization = self.deep_token.is_some().then_some(http::header::AUTHORIZATION);
        let host = self.admin_port.is_some().then_some(HOST);
        [ACCEPT].into_iter().chain(authorization).chain(host)
    }

    /// What [`HealthHttp::route`] left to do: a probe whose checks run
    /// first, or the deep report.
    pub(super) async fn finish(&self, routed: Routed) -> Reply {
        match routed {
            Routed::Now(reply) => reply,
            Routed::Probe(probe, format) => self.probe_body(probe, format, self.health.answer(probe).await),
            Routed::Deep { format, history } => {
                let report = match history {
                    true => self.health.deep_with_history().await,
                    false => self.health.deep().await,
                };
                let status = status_code(report.status().http_status());
                match format {
                    Format::Json => body(status, format, render(&report)),
                    Format::HealthJson => body(status, format, render(&ietf::deep_body(&report))),
                    Format::Html => Reply::new(status, &*reply::PAGE, html::page(&report, self.page_refresh)),
                }
            }
        }
    }

    /// `probe`'s answer in `format`, from the bodies rendered once per
    /// answer.
    fn probe_body(&self, probe: Probe, format: Format, answer: Arc<Answer>) -> Reply {
        let bodies = self.rendered.of(probe, answer);
        match format {
            Format::HealthJson => body(bodies.status, format, bodies.health_json.clone()),
            Format::Json | Format::Html => body(bodies.status, Format::Json, bodies.json.clone()),
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

/// The quality the `Accept` header values give `media_type` (exactly, not
/// through a wildcard), if they name it.
fn quality(accept: &GetAll<'_, HeaderValue>, media_type: &str) -> Option<f32> {
    accept
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let named = parts.next().unwrap_or_default();
            let q = parts
                .find_map(|param| param.strip_prefix("q="))
                .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
            named.eq_ignore_ascii_case(media_type).then_some(q)
        })
        .reduce(f32::max)
}

/// `application/health+json` when the client accepts it; for the deep
/// endpoint, HTML when the client asks for `text/html` over JSON (a
/// browser); else plain JSON. The headers are looked up once, and a request
/// without `Accept` (most probes) reads nothing more.
fn negotiate(headers: &HeaderMap, endpoint: &Endpoint) -> Format {
    let accept = headers.get_all(ACCEPT);
    if accept.iter().next().is_none() {
        return Format::Json;
    }
    if quality(&accept, ietf::CONTENT_TYPE).is_some_and(|q| q > 0.0) {
        return Format::HealthJson;
    }
    if matches!(endpoint, Endpoint::Deep) {
        let html = quality(&accept, "text/html").unwrap_or(0.0);
        let json = quality(&accept, "application/json").unwrap_or(0.0);
        if html > 0.0 && html >= json {
            return Format::Html;
        }
    }
    Format::Json
}

/// Whether the query asks for the deep report's history (`?history=1`).
fn wants_history(request: &Parts) -> bool {
    request.uri.query().is_some_and(|query| {
        query
            .split('&')
            .any(|pair| matches!(pair, "history" | "history=1" | "history=true"))
    })
}

/// A rendered body in the negotiated format, or a 500 if it could not be rendered.
fn body(status: StatusCode, format: Format, rendered: Result<Bytes, String>) -> Reply {
    let lines: Lines = match format {
        Format::HealthJson => &reply::HEALTH_JSON,
        Format::Json | Format::Html => &reply::JSON,
    };
    match rendered {
        Ok(bytes) => Reply::new(status, lines, bytes),
        Err(why) => error(StatusCode::INTERNAL_SERVER_ERROR, &reply::JSON, &why),
    }
}

/// What an unknown path gets, and every path that is not open to the
/// request (a hidden deep endpoint, closed metrics), whatever the method.
fn not_found() -> Reply {
    error(StatusCode::NOT_FOUND, &reply::JSON, "not found")
}

/// Whether the request names this admin listener by a loopback name and its
/// port (`localhost`, `127.0.0.1` or `[::1]`): the authority of an
/// absolute-form target, else the one `Host` header. A page on another
/// origin that reaches the port through DNS rebinding sends its own name.
fn loopback_authority(request: &Parts, port: u16) -> bool {
    let mut hosts = request.headers.get_all(HOST).iter();
    let authority = match request.uri.authority() {
        Some(authority) => authority.as_str(),
        None => match (hosts.next().map(HeaderValue::to_str), hosts.next()) {
            (Some(Ok(host)), None) => host,
            _ => return false,
        },
    };
    let Some((name, given_port)) = authority.rsplit_once(':') else {
        return false;
    };
    let loopback = name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "[::1]";
    loopback && given_port.bytes().all(|b| b.is_ascii_digit()) && given_port.parse::<u16>() == Ok(port)
}

/// `{"error":"<message>"}` with `status` and `lines`.
fn error(status: StatusCode, lines: Lines, message: &str) -> Reply {
    let bytes = serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default();
    Reply::new(status, lines, bytes)
}
