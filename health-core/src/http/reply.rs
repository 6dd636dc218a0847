//! An answer before it takes a framework's types: a status, a body and
//! header lines that are all fixed text, written once as statics. The
//! `http` adapters turn it into a `Response`; actix-web builds its own
//! response from it without parsing a header again.

use std::sync::LazyLock;

use bytes::Bytes;
use http::header::{
    HeaderName, HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    WWW_AUTHENTICATE, X_CONTENT_TYPE_OPTIONS,
};
use http::{Response, StatusCode};
use http_body_util::Full;

use super::health_json as ietf;
use super::html;

/// The header lines of one kind of answer.
pub(crate) type Lines = &'static [(HeaderName, HeaderValue)];

/// A status, header lines and a body.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) lines: Lines,
    pub(crate) body: Bytes,
}

impl Reply {
    pub(crate) fn new(status: StatusCode, lines: Lines, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            lines,
            body: body.into(),
        }
    }

    /// The answer as an `http` response.
    pub(crate) fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        for (name, value) in self.lines {
            headers.insert(name, value.clone());
        }
        response
    }
}

/// `Cache-Control: no-store`: no answer of ours may be kept by a cache.
const NO_STORE: (HeaderName, HeaderValue) = (CACHE_CONTROL, HeaderValue::from_static("no-store"));

/// `Content-Type: media_type`.
const fn content_type(media_type: &'static str) -> (HeaderName, HeaderValue) {
    (CONTENT_TYPE, HeaderValue::from_static(media_type))
}

/// `Content-Type: application/json`.
const JSON_TYPE: (HeaderName, HeaderValue) = content_type("application/json");

/// A JSON body.
pub(crate) static JSON: [(HeaderName, HeaderValue); 2] = [JSON_TYPE, NO_STORE];

/// An `application/health+json` body.
pub(crate) static HEALTH_JSON: [(HeaderName, HeaderValue); 2] = [content_type(ietf::CONTENT_TYPE), NO_STORE];

/// The Prometheus text exposition format.
pub(crate) static PROMETHEUS_TEXT: [(HeaderName, HeaderValue); 2] =
    [content_type("text/plain; version=0.0.4; charset=utf-8"), NO_STORE];

/// No body: only [`NO_STORE`].
pub(crate) static EMPTY: [(HeaderName, HeaderValue); 1] = [NO_STORE];

/// A JSON error for a method other than GET and HEAD.
pub(crate) static NOT_ALLOWED: [(HeaderName, HeaderValue); 3] =
    [JSON_TYPE, NO_STORE, (ALLOW, HeaderValue::from_static("GET, HEAD"))];

/// A JSON error for a request without the bearer token.
pub(crate) static UNAUTHORIZED: [(HeaderName, HeaderValue); 3] = [
    JSON_TYPE,
    NO_STORE,
    (WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")),
];

/// The status page: nothing may load or run but its own style sheet.
pub(crate) static PAGE: LazyLock<[(HeaderName, HeaderValue); 5]> = LazyLock::new(|| {
    [
        content_type("text/html; charset=utf-8"),
        NO_STORE,
        (
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(html::content_security_policy()),
        ),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
    ]
});

/// Every set of header lines above, for tests that must see each.
#[cfg(all(test, feature = "actix"))]
pub(crate) fn every_set() -> [Lines; 7] {
    [
        &JSON,
        &HEALTH_JSON,
        &PROMETHEUS_TEXT,
        &EMPTY,
        &NOT_ALLOWED,
        &UNAUTHORIZED,
        &*PAGE,
    ]
}
