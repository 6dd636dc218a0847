//! Secrets recognised by their shape rather than a key: URLs, PEM blocks,
//! tokens with a known prefix, bare `Basic`/`Bearer` credentials, command
//! lines and XML elements.

use std::ops::Range;
use std::sync::LazyLock;

use base64::Engine as _;
use regex::{Captures, Regex};

use super::{keyed, push};

/// One shape: a pattern and where its secret is. The secret is the last
/// capture group that took part in the match, or the whole match when the
/// pattern has none; `keep` may turn a candidate down.
struct Shape {
    pattern: Regex,
    keep: fn(&Captures<'_>) -> bool,
}

impl Shape {
    fn new(pattern: &str) -> Shape {
        Shape::with_check(pattern, |_| true)
    }

    fn with_check(pattern: &str, keep: fn(&Captures<'_>) -> bool) -> Shape {
        Shape {
            pattern: Regex::new(pattern).expect("the redaction patterns are valid"),
            keep,
        }
    }
}

static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| {
    vec![
        // URL userinfo: the password runs to the last `@` before the line
        // or the next URL ends (it may hold `/ ? # @` and spaces);
        // `host:8080/…` is a port.
        Shape::new(concat!(
            r"(?i)[a-z][a-z0-9+.-]*://[^\s:/?#@]*:",
            r"(\d+|(?:[^\d\n\r:]|\d+(?:[^\d\n\r/?#\s@:]|:[^/\n\r])|:[^/\n\r])(?:[^\n\r:]|:[^/\n\r]|:/[^/\n\r])*)@",
        )),
        // A token as the user name: `https://ghp_…@host`.
        Shape::new(r"(?i)[a-z][a-z0-9+.-]*://([^\s:/?#@]{16,})@"),
        // A percent-encoded URL inside a query string.
        Shape::new(r"(?i)%3A%2F%2F[^\s&%:/?#@]*%3A([^\s&]*)%40"),
        // PEM private keys, to the END line or the end of the text.
        Shape::new(
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----((?s:.)*?)(?:-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|\z)",
        ),
        // JWTs and tokens with a vendor's prefix.
        Shape::new(concat!(
            r"(?-u:\b)(?:eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
            r"|(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}",
            r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|glpat-[A-Za-z0-9_-]{20,}",
            r"|xox[abposr]-[A-Za-z0-9-]{10,}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}",
            r"|AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36})",
        )),
        // A bare credential after an authorization scheme.
        Shape::with_check(
            r"(?i)(?-u:\b)(basic|bearer|token)[ \t]+([A-Za-z0-9._~+/-]{8,}=*)",
            bare_credential,
        ),
        // Command lines: `-pSECRET`, `--password SECRET`, `-a SECRET`,
        // `sshpass -p SECRET`, `curl -u user:SECRET`; a `--flag` is secret
        // by the same rule as a key.
        Shape::new(&format!(
            concat!(
                r#"(?i)(?:^|[\s"'])(?:-p([^\s"'-][^\s"']*)"#,
                r#"|--(?:{key})[ \t]+([^\s"'-][^\s"']*)"#,
                r#"|-a[ \t]+([^\s"'-][^\s"']*)|sshpass[ \t]+-p[ \t]*([^\s"']+)"#,
                r#"|(?:-u|--user)[ \t]+[^\s:"']*:([^\s"']+))"#,
            ),
            key = keyed::key_pattern()
        )),
        // XML elements named like a secret key.
        Shape::new(&format!(r"(?i)<(?:{})(?:\s[^<>]*)?>([^<]*)", keyed::key_pattern())),
    ]
});

/// Adds the secret of every shape found in `text` to `found`.
pub(super) fn collect(text: &str, found: &mut Vec<Range<usize>>) {
    for shape in SHAPES.iter() {
        for captures in shape.pattern.captures_iter(text) {
            if !(shape.keep)(&captures) {
                continue;
            }
            let secret = captures
                .iter()
                .skip(1)
                .flatten()
                .last()
                .or_else(|| captures.get(0))
                .expect("group 0 always matches");
            push(found, secret.range());
        }
    }
}

/// Whether a scheme's credentials look like one: `Basic` base64 of
/// `user:password`; `Bearer`/`Token` with letters and digits, or of 32
/// characters (so that `Bearer authentication failed` stays readable).
fn bare_credential(captures: &Captures<'_>) -> bool {
    let credentials = &captures[2];
    if captures[1].eq_ignore_ascii_case("basic") {
        return base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .is_ok_and(|decoded| decoded.contains(&b':'));
    }
    credentials.len() >= 32
        || (credentials.bytes().any(|b| b.is_ascii_digit()) && credentials.bytes().any(|b| b.is_ascii_alphabetic()))
}
