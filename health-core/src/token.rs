//! Bearer tokens: who may read what only the deep report shows, over HTTP
//! (`/health/deep`) and gRPC (deep-only checks), checked in one place.
//!
//! A configured token is validated once, when it is given: at least
//! [`BearerToken::MIN_LEN`] bytes, no whitespace around it (a secret file's
//! trailing newline would make a token that never matches) and no control
//! character anywhere. Several tokens may be accepted at once, so a token
//! can be rotated without a moment where neither the old nor the new one
//! works.

use std::fmt;
use std::sync::Arc;

use sha2::{Digest, Sha256};

/// The bearer token(s) accepted for deep diagnostics. Only their SHA-256
/// digests are kept; a request's token is compared digest to digest, with
/// every accepted token and in constant time, so neither a token's bytes,
/// its length, nor which token matched leak through timing.
///
/// ```
/// use health_core::token::BearerToken;
///
/// // Rotating: both the old and the new token work until the old one is dropped.
/// let tokens = BearerToken::any_of(["old-0123456789abcdef", "new-0123456789abcdef"])?;
/// assert!(tokens.authorizes_value(b"Bearer new-0123456789abcdef"));
/// assert!(tokens.authorizes_value(b"Bearer old-0123456789abcdef"));
///
/// // A token read from a file with its trailing newline is refused, saying why.
/// let refused = BearerToken::new("0123456789abcdef\n").unwrap_err();
/// assert!(refused.to_string().contains("whitespace"));
/// # Ok::<(), health_core::token::InvalidToken>(())
/// ```
#[derive(Clone)]
pub struct BearerToken {
    digests: Arc<[[u8; 32]]>,
}

impl BearerToken {
    /// The shortest token accepted: a guessable token protects nothing.
    pub const MIN_LEN: usize = 16;

    /// One accepted token; see [`InvalidToken`] for what is refused.
    pub fn new(token: &str) -> Result<BearerToken, InvalidToken> {
        BearerToken::any_of([token])
    }

    /// Several accepted tokens (for rotation: the old and the new one), each
    /// validated like [`BearerToken::new`]; refuses an empty list.
    pub fn any_of<T: AsRef<str>>(tokens: impl IntoIterator<Item = T>) -> Result<BearerToken, InvalidToken> {
        let digests = tokens
            .into_iter()
            .enumerate()
            .map(|(index, token)| validate(index, token.as_ref()).map(|token| Sha256::digest(token).into()))
            .collect::<Result<Arc<[[u8; 32]]>, _>>()?;
        if digests.is_empty() {
            return Err(InvalidToken::NoToken);
        }
        Ok(BearerToken { digests })
    }

    /// Whether an `Authorization` header value (HTTP header or gRPC
    /// metadata) is `Bearer <an accepted token>`; the scheme is
    /// case-insensitive, whitespace around the credentials is ignored.
    pub fn authorizes_value(&self, authorization: &[u8]) -> bool {
        let Some(presented) = bearer(authorization) else {
            return false;
        };
        let presented: [u8; 32] = Sha256::digest(presented).into();
        // Every digest is compared, whichever matches: no early exit.
        let matched = self.digests.iter().fold(0u8, |matched, digest| {
            let difference = presented.iter().zip(digest).fold(0u8, |acc, (a, b)| acc | (a ^ b));
            matched | u8::from(std::hint::black_box(difference) == 0)
        });
        matched == 1
    }

    /// Whether `authorization` (absent when the request carried none)
    /// names an accepted token.
    pub(crate) fn authorizes(&self, authorization: Option<&[u8]>) -> bool {
        authorization.is_some_and(|value| self.authorizes_value(value))
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BearerToken(*** x{})", self.digests.len())
    }
}

/// `token` (the `index`th given), if it may be configured.
fn validate(index: usize, token: &str) -> Result<&str, InvalidToken> {
    if token.len() < BearerToken::MIN_LEN {
        return Err(InvalidToken::TooShort {
            index,
            len: token.len(),
        });
    }
    if token.trim() != token {
        return Err(InvalidToken::SurroundingWhitespace { index });
    }
    if let Some(at) = token.find(char::is_control) {
        return Err(InvalidToken::ControlCharacter { index, at });
    }
    Ok(token)
}

/// The credentials of `Bearer <credentials>` (scheme case-insensitive).
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(7)?;
    scheme.eq_ignore_ascii_case(b"bearer ").then(|| rest.trim_ascii())
}

/// Why a configured token was refused. `index` is the token's place in the
/// list given (0 for [`BearerToken::new`]); the token itself is never
/// repeated in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidToken {
    /// Shorter than [`BearerToken::MIN_LEN`] bytes.
    TooShort {
        /// The token's place in the list.
        index: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// Whitespace before or after it (a trailing newline from a secret file,
    /// say): clients never send it, so the token could never match.
    SurroundingWhitespace {
        /// The token's place in the list.
        index: usize,
    },
    /// A control character inside it.
    ControlCharacter {
        /// The token's place in the list.
        index: usize,
        /// The byte offset of the character.
        at: usize,
    },
    /// An empty list: nobody could ever be authorized.
    NoToken,
}

impl fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidToken::TooShort { index, len } => write!(
                f,
                "bearer token #{index} has {len} bytes; use at least {} random bytes (e.g. `openssl rand -hex 32`)",
                BearerToken::MIN_LEN
            ),
            InvalidToken::SurroundingWhitespace { index } => write!(
                f,
                "bearer token #{index} has whitespace around it (a trailing newline from a secret file?); \
                 clients never send it, so trim the token where it is read"
            ),
            InvalidToken::ControlCharacter { index, at } => {
                write!(f, "bearer token #{index} has a control character at byte {at}")
            }
            InvalidToken::NoToken => f.write_str("no bearer token given: pass at least one"),
        }
    }
}

impl std::error::Error for InvalidToken {}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef-secret";
    const NEXT: &str = "fedcba9876543210-next";

    #[test]
    fn only_an_accepted_token_is_accepted() {
        let token = BearerToken::new(SECRET).unwrap();
        assert!(token.authorizes_value(format!("Bearer {SECRET}").as_bytes()));
        assert!(token.authorizes_value(format!("bearer   {SECRET} ").as_bytes()));
        assert!(!token.authorizes_value(format!("Bearer {SECRET}x").as_bytes()));
        assert!(!token.authorizes_value(format!("Basic {SECRET}").as_bytes()));
        assert!(!token.authorizes_value(b"Bearer "));
        assert!(!token.authorizes(None));
    }

    #[test]
    fn two_tokens_are_both_accepted_and_nothing_else() {
        let tokens = BearerToken::any_of([SECRET, NEXT]).unwrap();
        assert!(tokens.authorizes_value(format!("Bearer {SECRET}").as_bytes()));
        assert!(tokens.authorizes_value(format!("Bearer {NEXT}").as_bytes()));
        assert!(!tokens.authorizes_value(format!("Bearer {SECRET}{NEXT}").as_bytes()));
        assert_eq!(format!("{tokens:?}"), "BearerToken(*** x2)");
    }

    #[test]
    fn tokens_that_could_never_match_or_are_guessable_are_refused_saying_why() {
        assert_eq!(
            BearerToken::new("hunter2").unwrap_err(),
            InvalidToken::TooShort { index: 0, len: 7 }
        );
        for padded in [format!("{SECRET}\n"), format!(" {SECRET}"), format!("{SECRET}\t")] {
            let refused = BearerToken::new(&padded).unwrap_err();
            assert_eq!(refused, InvalidToken::SurroundingWhitespace { index: 0 });
            assert!(refused.to_string().contains("trailing newline"), "{refused}");
        }
        let refused = BearerToken::any_of([SECRET, "0123456789\u{7}abcdef"]).unwrap_err();
        assert_eq!(refused, InvalidToken::ControlCharacter { index: 1, at: 10 });
        assert!(refused.to_string().contains("#1"), "{refused}");
        assert!(!refused.to_string().contains("0123456789"), "never repeats the token");
        assert_eq!(
            BearerToken::any_of(Vec::<String>::new()).unwrap_err(),
            InvalidToken::NoToken
        );
    }
}
