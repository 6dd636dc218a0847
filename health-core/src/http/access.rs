//! Who may read `/health/deep`: nobody by default, a bearer token holder,
//! or anyone reaching an admin listener bound to loopback.

use std::fmt;

use http::header::AUTHORIZATION;
use http::HeaderMap;
use sha2::{Digest, Sha256};

/// A bearer token for the deep endpoint. Only its SHA-256 digest is kept,
/// and requests are compared digest to digest in constant time, so neither
/// the token's bytes nor its length leak through timing.
#[derive(Clone)]
pub struct BearerToken {
    digest: [u8; 32],
}

impl BearerToken {
    /// The shortest token accepted: a guessable token protects nothing.
    pub const MIN_LEN: usize = 16;

    /// A token, refused when shorter than [`BearerToken::MIN_LEN`] bytes.
    pub fn new(token: &str) -> Result<BearerToken, TokenTooShort> {
        if token.len() < BearerToken::MIN_LEN {
            return Err(TokenTooShort(token.len()));
        }
        Ok(BearerToken {
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }

    /// Whether `headers` carry `Authorization: Bearer <this token>`.
    pub(crate) fn authorizes(&self, headers: &HeaderMap) -> bool {
        let Some(presented) = headers.get(AUTHORIZATION).and_then(|v| bearer(v.as_bytes())) else {
            return false;
        };
        let presented: [u8; 32] = Sha256::digest(presented).into();
        let difference = presented
            .iter()
            .zip(&self.digest)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(***)")
    }
}

/// The credentials of `Bearer <credentials>` (scheme case-insensitive).
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(7)?;
    scheme.eq_ignore_ascii_case(b"bearer ").then(|| rest.trim_ascii())
}

/// The deep endpoint's token was too short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenTooShort(usize);

impl fmt::Display for TokenTooShort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the deep endpoint's bearer token has {} bytes; use at least {} random bytes (e.g. `openssl rand -hex 32`)",
            self.0,
            BearerToken::MIN_LEN
        )
    }
}

impl std::error::Error for TokenTooShort {}

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
        (Some(token), _) if token.authorizes(headers) => DeepDecision::Granted,
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
    fn only_the_exact_token_is_accepted() {
        let token = BearerToken::new(SECRET).unwrap();
        assert!(token.authorizes(&auth(&format!("Bearer {SECRET}"))));
        assert!(token.authorizes(&auth(&format!("bearer   {SECRET} "))));
        assert!(!token.authorizes(&auth(&format!("Bearer {SECRET}x"))));
        assert!(!token.authorizes(&auth(&format!("Basic {SECRET}"))));
        assert!(!token.authorizes(&auth("Bearer ")));
        assert!(!token.authorizes(&HeaderMap::new()));
    }

    #[test]
    fn short_tokens_are_refused() {
        assert_eq!(BearerToken::new("hunter2").unwrap_err(), TokenTooShort(7));
        assert_eq!(format!("{:?}", BearerToken::new(SECRET).unwrap()), "BearerToken(***)");
    }

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
