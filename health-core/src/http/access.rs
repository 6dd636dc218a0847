//! Who may read `/health/deep`: nobody by default, a bearer token holder,
//! or anyone reaching an admin listener bound to loopback.

use http::header::AUTHORIZATION;
use http::HeaderMap;

use crate::token::BearerToken;

/// How a request for the deep endpoint is answered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DeepDecision {
    /// 404, exactly like an unknown path.
    Hidden,
    /// 401 with `WWW-Authenticate: Bearer`.
    Unauthorized,
    /// The diagnostics.
    Granted,
}

/// Decides: a configured token is always required; without one, only an
/// admin listener (bound to loopback) serves the deep endpoint.
pub(crate) fn decide(token: Option<&BearerToken>, admin_listener: bool, headers: &HeaderMap) -> DeepDecision {
    match (token, admin_listener) {
        (Some(token), _) if token.authorizes(headers.get(AUTHORIZATION).map(|v| v.as_bytes())) => DeepDecision::Granted,
        (Some(_), _) => DeepDecision::Unauthorized,
        (None, true) => DeepDecision::Granted,
        (None, false) => DeepDecision::Hidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value.parse().unwrap());
        headers
    }

    const SECRET: &str = "0123456789abcdef-secret";

    #[test]
    fn the_deep_endpoint_is_hidden_unless_a_token_or_an_admin_listener_opens_it() {
        let token = BearerToken::new(SECRET).unwrap();
        let right = auth(&format!("Bearer {SECRET}"));
        assert_eq!(decide(None, false, &right), DeepDecision::Hidden);
        assert_eq!(decide(None, true, &HeaderMap::new()), DeepDecision::Granted);
        assert_eq!(
            decide(Some(&token), false, &HeaderMap::new()),
            DeepDecision::Unauthorized
        );
        assert_eq!(
            decide(Some(&token), true, &auth("Bearer wrong")),
            DeepDecision::Unauthorized
        );
        assert_eq!(decide(Some(&token), false, &right), DeepDecision::Granted);
    }
}
