//! Removal of credentials from error text before anyone can read it.
//!
//! Drivers like to echo connection strings, environment and headers in their
//! errors. Every error text a check produces goes through [`redact`] once,
//! when the result is recorded, so no endpoint, log line or report can show
//! a password.

use std::borrow::Cow;
use std::ops::Range;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// Parts of key names whose values are secrets, compared case-insensitively
/// with `-` read as `_` (`X-Api-Key` contains `api_key`).
const SECRET_KEY_PARTS: [&str; 12] = [
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "credential",
    "auth",
];

/// Authorization schemes kept in front of a masked credential.
const AUTH_SCHEMES: [&str; 10] = [
    "bearer",
    "basic",
    "digest",
    "token",
    "negotiate",
    "ntlm",
    "apikey",
    "hoba",
    "mutual",
    "aws4-hmac-sha256",
];

/// Masks credentials in `text`, case-insensitively, in every shape drivers
/// and HTTP clients print them:
///
/// | shape | example | redacted |
/// |---|---|---|
/// | URL userinfo | `postgres://app:s3cret@db/app` | `postgres://app:***@db/app` |
/// | environment variable | `PGPASSWORD=hunter2` | `PGPASSWORD=***` |
/// | query string | `?sslmode=require&sslpassword=hunter2` | `?sslmode=require&sslpassword=***` |
/// | DSN pairs | `host=db password='x y' port=5432` | `host=db password=*** port=5432` |
/// | `key: value`, JSON | `"api_key": "k"`, `secret_key:\thunter2` | `"api_key": ***`, `secret_key:\t***` |
/// | header | `Authorization: Bearer hunter2` | `Authorization: Bearer ***` |
///
/// A key is secret when its name contains `password`, `passwd`, `pwd`,
/// `passphrase`, `secret`, `token`, `api_key`/`apikey`, `access_key`,
/// `private_key`, `credential` or `auth` (so `PGPASSWORD`, `sslpassword`,
/// `X-Auth-Token`, `db_password` all are), followed by `=` or `:` with any
/// whitespace around it. A value ends at whitespace, `&`, `;`, `,` or a
/// closing bracket, or at its closing quote when quoted; an `Authorization`
/// header's credentials run to the end of the line. Text without such keys
/// is returned unchanged, without copying.
///
/// ```
/// use health_core::redact::redact;
///
/// assert_eq!(
///     redact("error connecting to postgres://app:s3cret@db:5432/app"),
///     "error connecting to postgres://app:***@db:5432/app"
/// );
/// assert_eq!(redact("host=db user=app password='x y' port=5432"), "host=db user=app password=*** port=5432");
/// assert_eq!(redact("PGPASSWORD=hunter2 psql"), "PGPASSWORD=*** psql");
/// assert_eq!(redact("sent Authorization: Bearer eyJhbGciOi.x.y"), "sent Authorization: Bearer ***");
/// assert_eq!(redact("the password was wrong"), "the password was wrong");
/// ```
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut secrets = url_passwords(text);
    secrets.extend(secret_values(text));
    if secrets.is_empty() {
        return Cow::Borrowed(text);
    }
    secrets.sort_by_key(|range| range.start);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for secret in secrets {
        if secret.end <= copied {
            continue; // inside a secret already masked
        }
        out.push_str(&text[copied..secret.start.max(copied)]);
        out.push_str(MASK);
        copied = secret.end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The password of every `scheme://user:password@host`.
fn url_passwords(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut search_from = 0;
    while let Some(offset) = text[search_from..].find("://") {
        let authority_start = search_from + offset + 3;
        search_from = authority_start;
        // The authority ends at the first '/', '?', '#' or whitespace; the
        // userinfo ends at its last '@'.
        let rest = &text[authority_start..];
        let authority_len = rest
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        let Some(at) = authority.rfind('@') else { continue };
        let Some(colon) = authority[..at].find(':') else {
            continue;
        };
        if colon + 1 < at {
            found.push(authority_start + colon + 1..authority_start + at);
        }
        search_from = authority_start + at;
    }
    found
}

/// The value of every secret key: `key=value`, `key: value`, `"key": "value"`.
fn secret_values(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        if !is_key_byte(bytes[pos]) || (pos > 0 && is_key_byte(bytes[pos - 1])) {
            pos += 1;
            continue;
        }
        let key_end = pos + bytes[pos..].iter().take_while(|b| is_key_byte(**b)).count();
        let key = &text[pos..key_end];
        pos = key_end;
        if !is_secret_key(key) {
            continue;
        }
        let Some(value_start) = after_separator(text, key_end) else {
            continue;
        };
        let authorization = key.to_ascii_lowercase().contains("authorization");
        if let Some(value) = value_range(text, value_start, authorization) {
            pos = value.end;
            found.push(value);
        }
    }
    found
}

/// Characters of a key name.
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Whether a key's name marks its value secret.
fn is_secret_key(key: &str) -> bool {
    let normalized = key.to_ascii_lowercase().replace('-', "_");
    SECRET_KEY_PARTS.iter().any(|part| normalized.contains(part))
}

/// Where the value starts after a key ending at `key_end`: past a closing
/// quote of a quoted key, whitespace, `=` or `:`, and whitespace; `None`
/// when no separator follows.
fn after_separator(text: &str, key_end: usize) -> Option<usize> {
    let rest = &text[key_end..];
    let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(['=', ':'])?;
    if rest.starts_with("//") {
        return None; // `auth://host`: a URL, not a pair
    }
    Some(text.len() - rest.trim_start().len())
}

/// The secret part of a value starting at `start`: a quoted string, an
/// authorization header's credentials (after a known scheme), or a token.
fn value_range(text: &str, start: usize, authorization: bool) -> Option<Range<usize>> {
    let value = &text[start..];
    let first = value.chars().next()?;
    if matches!(first, '"' | '\'') {
        let end = value[1..].find(first).map_or(text.len(), |close| start + 1 + close + 1);
        return Some(start..end);
    }
    let scheme_len = value.find(char::is_whitespace).filter(|len| {
        let scheme = value[..*len].to_ascii_lowercase();
        AUTH_SCHEMES.contains(&scheme.as_str())
    });
    let credentials_start = match scheme_len {
        Some(len) => start + len + (value[len..].len() - value[len..].trim_start().len()),
        None => start,
    };
    let credentials = &text[credentials_start..];
    let len = if authorization {
        credentials.find(['\n', '\r']).unwrap_or(credentials.len())
    } else {
        credentials
            .find(|c: char| c.is_whitespace() || matches!(c, '&' | ';' | ',' | ')' | '}' | ']' | '"' | '\''))
            .unwrap_or(credentials.len())
    };
    let credentials = credentials[..len].trim_end();
    (!credentials.is_empty()).then(|| credentials_start..credentials_start + credentials.len())
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
    fn the_shapes_found_leaking_are_masked() {
        assert_eq!(redact("PGPASSWORD=hunter2"), "PGPASSWORD=***");
        assert_eq!(
            redact("postgres://u:p@h/db?sslpassword=hunter2"),
            "postgres://u:***@h/db?sslpassword=***"
        );
        assert_eq!(redact("secret_key=hunter2"), "secret_key=***");
        assert_eq!(redact("password\t=\thunter2"), "password\t=\t***");
        assert_eq!(redact("Authorization: Bearer hunter2"), "Authorization: Bearer ***");
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
        assert_eq!(redact("X-Api-Key: k1"), "X-Api-Key: ***");
        assert_eq!(redact("auth_token = abc def"), "auth_token = *** def");
        assert_eq!(
            redact("Proxy-Authorization: Digest username=\"u\", response=\"r\"\nnext line"),
            "Proxy-Authorization: Digest ***\nnext line"
        );
        assert_eq!(redact("the password was wrong"), "the password was wrong");
        assert_eq!(redact("passwordless login"), "passwordless login");
        assert_eq!(redact("oauth://provider/x"), "oauth://provider/x");
    }

    #[test]
    fn text_without_secrets_is_not_copied() {
        assert!(matches!(redact("plain error"), std::borrow::Cow::Borrowed(_)));
    }
}
