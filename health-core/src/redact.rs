//! Removal of credentials from error text before anyone can read it.
//!
//! Drivers like to echo connection strings in their errors. Every error text
//! a check produces goes through [`redact`] once, when the result is recorded,
//! so no endpoint, log line or report can show a password.

use std::borrow::Cow;

/// Keys whose values are secrets in `key=value` / `key: value` text.
const SECRET_KEYS: [&str; 8] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "access_key",
];

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// Masks credentials in `text`: the password of URLs (`postgres://user:secret@h`
/// becomes `postgres://user:***@h`) and values of secret-looking keys
/// (`password=hunter2` becomes `password=***`, also `pwd`, `secret`, `token`,
/// `api_key`, ..., with `=` or `:`, quoted or not).
///
/// ```
/// use health_core::redact::redact;
///
/// assert_eq!(
///     redact("error connecting to postgres://app:s3cret@db:5432/app"),
///     "error connecting to postgres://app:***@db:5432/app"
/// );
/// assert_eq!(redact("host=db user=app password='x y' port=5432"), "host=db user=app password=*** port=5432");
/// assert_eq!(redact("nothing to hide"), "nothing to hide");
/// ```
pub fn redact(text: &str) -> Cow<'_, str> {
    let urls = redact_url_passwords(text);
    match redact_secret_pairs(&urls) {
        Cow::Borrowed(_) => urls,
        Cow::Owned(owned) => Cow::Owned(owned),
    }
}

/// Masks `password` in every `scheme://user:password@host`.
fn redact_url_passwords(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find("://") {
        let authority_start = search_from + found + 3;
        search_from = authority_start;
        // The authority ends at the first '/', '?', '#' or whitespace; the
        // userinfo ends at its last '@'.
        let rest = &text[authority_start..];
        let authority_len = rest
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        let Some(at) = authority.rfind('@') else { continue };
        let Some(colon) = authority[..at].find(':') else {
            continue;
        };
        let password_start = authority_start + colon + 1;
        let password_end = authority_start + at;
        if password_start == password_end {
            continue;
        }
        out.push_str(&text[copied..password_start]);
        out.push_str(MASK);
        copied = password_end;
        search_from = password_end;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Masks the value of every `secret_key=value` or `secret_key: value`.
fn redact_secret_pairs(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while pos < text.len() {
        let Some(key_end) = SECRET_KEYS
            .iter()
            .filter(|key| lower[pos..].starts_with(*key) && is_word_start(&lower, pos))
            .map(|key| pos + key.len())
            .max()
        else {
            pos += lower[pos..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let Some(value_start) = value_start(text, key_end) else {
            pos = key_end;
            continue;
        };
        let value_end = value_end(text, value_start);
        if value_end > value_start {
            out.push_str(&text[copied..value_start]);
            out.push_str(MASK);
            copied = value_end;
        }
        pos = value_end.max(key_end);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether a key may start at `pos` (not in the middle of a longer word).
fn is_word_start(lower: &str, pos: usize) -> bool {
    lower[..pos]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// Where the value after a key starts: after `=`, `:` and spaces, or `None`
/// when the key is not followed by a separator.
fn value_start(text: &str, key_end: usize) -> Option<usize> {
    let after = &text[key_end..];
    let trimmed = after.trim_start_matches(['"', '\'']);
    let trimmed = trimmed.trim_start_matches(' ');
    let sep = trimmed.chars().next().filter(|c| *c == '=' || *c == ':')?;
    let value = trimmed[sep.len_utf8()..].trim_start_matches(' ');
    Some(text.len() - value.len())
}

/// Where a value starting at `start` ends: at its closing quote if quoted,
/// else at whitespace, `;`, `,`, `&` or a closing bracket.
fn value_end(text: &str, start: usize) -> usize {
    let value = &text[start..];
    match value.chars().next() {
        Some(quote @ ('"' | '\'')) => value[1..].find(quote).map_or(text.len(), |close| start + 1 + close + 1),
        _ => {
            start
                + value
                    .find(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '&' | ')' | '}' | ']'))
                    .unwrap_or(value.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn url_passwords_are_masked_and_users_kept() {
        assert_eq!(
            redact("redis://:hunter2@cache:6379/0 and amqp://guest:guest@mq:5672/%2f"),
            "redis://:***@cache:6379/0 and amqp://guest:***@mq:5672/%2f"
        );
        assert_eq!(redact("postgres://user@db/app"), "postgres://user@db/app");
        assert_eq!(redact("see https://example.com/a:b@c"), "see https://example.com/a:b@c");
        assert_eq!(redact("mysql://u:p%40ss@db"), "mysql://u:***@db");
    }

    #[test]
    fn secret_pairs_are_masked_whatever_the_case_and_quoting() {
        assert_eq!(redact("PASSWORD=abc;Host=x"), "PASSWORD=***;Host=x");
        assert_eq!(
            redact(r#"{"password": "a b", "user": "u"}"#),
            r#"{"password": ***, "user": "u"}"#
        );
        assert_eq!(redact("db_password=abc"), "db_password=***");
        assert_eq!(redact("token: t0k3n, next"), "token: ***, next");
        assert_eq!(redact("api_key=k&x=1"), "api_key=***&x=1");
        assert_eq!(redact("the password was wrong"), "the password was wrong");
        assert_eq!(redact("passwordless login"), "passwordless login");
    }

    #[test]
    fn text_without_secrets_is_not_copied() {
        assert!(matches!(redact("plain error"), std::borrow::Cow::Borrowed(_)));
    }
}
