//! Removal of credentials from text before anyone can read it.
//!
//! Drivers echo connection strings, configs, environment and headers in
//! their errors, and Rust's own `Debug` output prints every field. Every
//! error text and every detail a check produces goes through [`redact`]
//! once, when the result is recorded, so no endpoint, status page, log line
//! or report can show a password; [`install_panic_hook`] does the same for
//! the message the panic hook prints before the runtime catches a check's
//! panic.
//!
//! The design is fail-safe: once a secret key or a secret-shaped token is
//! seen, everything up to the end of its value, field or line (as the
//! syntax says) is masked. A few harmless characters too many are masked
//! rather than one character of a secret shown.
//!
//! # The rules, each with what is shown
//!
//! | family | input | shown |
//! |---|---|---|
//! | URL userinfo (a password may hold `/ ? # @` or spaces: masked to the last `@` of the line) | `postgres://app:s3/cr#t@db/app` | `postgres://app:***@db/app` |
//! | a token as a URL's user name (16 characters or more) | `https://0123456789abcdef0123@git.example/x` | `https://***@git.example/x` |
//! | a percent-encoded URL inside a query | `?next=redis%3A%2F%2Fu%3As3cret%40cache` | `?next=redis%3A%2F%2Fu%3A***%40cache` |
//! | `key=value`, `key: value`, `key => value`, `key(value)`, `%3D` | `PGPASSWORD=hunter2`, `:password => 'x'` | `PGPASSWORD=***`, `:password => '***'` |
//! | quoted values, with escapes and `, & ) ;` inside | `{"password": "a\"b, c"}` | `{"password": "***"}` |
//! | Rust `Debug`: `Some(..)`, tuple variants, serde_json `Value`, JSON in a `Debug` string | `password: Some("x")`, `Password("x")`, `"token": String("x")`, `{\"password\": \"x\"}` | `password: Some("***")`, `Password("***")`, `"token": String("***")`, `{\"password\": \"***\"}` |
//! | connection strings: ODBC `{..}`, values with spaces | `Pwd={a;b};`, `Password=my secret;Server=db` | `Pwd={***};`, `Password=***;Server=db` |
//! | labels with spaces (up to three words before `:`) | `AWS Secret Access Key: wJalr/K7MDENG` | `AWS Secret Access Key: ***` |
//! | headers: `Authorization`, `Cookie` run to the end of the line, a known scheme is kept | `Authorization: Bearer abc.def` | `Authorization: Bearer ***` |
//! | XML elements | `<password>x</password>` | `<password>***</password>` |
//! | PEM private key blocks | `-----BEGIN PRIVATE KEY-----MIIE…-----END PRIVATE KEY-----` | `-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----` |
//! | JWTs, and tokens with a vendor prefix (AWS `AKIA…`, GitHub `ghp_…`/`github_pat_…`, GitLab `glpat-…`, Slack `xox?-…`, Stripe `sk_live_…`, Google `AIza…`, npm `npm_…`) | `key AKIAIOSFODNN7EXAMPLE` | `key ***` |
//! | a bare `Basic` credential (base64 of `user:password`), a bare `Bearer`/`Token` credential (letters and digits, or 32 characters) | `sent Basic dXNlcjpzM2NyZXQ=` | `sent Basic ***` |
//! | command lines | `mysql -pS3cret`, `--password S3cret`, `redis-cli -a S3cret`, `sshpass -p S3cret`, `curl -u me:S3cret` | `mysql -p***`, `--password ***`, `redis-cli -a ***`, `sshpass -p ***`, `curl -u me:***` |
//!
//! A key is secret when its name (any case, `-`, `_`, `.` or camelCase
//! between words) contains `password`, `passwd`, `passphrase`, `secret`,
//! `token`, `credential`, `auth`, `cookie`, `session`, `signature`, or one of
//! `api key`, `access key`, `private key`, `account key`, `subscription key`,
//! `client key`, `master key`, `signing key`, `encryption key`; or when one
//! of its `_`/`-`/`.` separated words is `pass`, `pwd`, `pw`, `sig`, `jwt`,
//! `sas` or `psk` (`DB_PASS`, `X-Amz-Signature`, `SharedAccessKey`,
//! `x-api-key`). An unquoted value ends at a line break, `;`, `&`, `,`,
//! `"`, `'`, `)`, `]`, `}`, `<` or `%26`, or before whitespace that is
//! followed by the next `key=` or `key:`; so `PGPASSWORD=x psql -h db` shows
//! as `PGPASSWORD=***`.
//!
//! # What is not covered
//!
//! A secret with no key, no known prefix and no known syntax around it (a
//! bare random string in prose) cannot be told from other text and is shown.
//! An unquoted value that itself contains `;`, `,` or ` next=` is masked only
//! up to there. Binary or non-UTF-8 payloads never reach this function (error
//! text is a `String`).
//!
//! # Cost
//!
//! Every rule is a [`regex`] search, whose time is linear in the text, plus a
//! hand-written scan of each value that never looks back; the whole pass is
//! linear in the input (BENCHMARKS.md measures it from 1 KiB to 1 MiB of
//! adversarial text). It runs once per recorded result, never on a probe.

mod keyed;
mod shapes;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::ops::Range;

pub use keyed::is_secret_key;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// The most bytes of error text (or of one text detail) a result keeps;
/// longer text is cut at a character boundary and marked as truncated, so a
/// check that returns a huge body cannot grow memory, the deep report or the
/// status page.
pub const MAX_TEXT_LEN: usize = 4096;

/// Masks every credential in `text` (see the [module docs](self) for the
/// rules). Text without one is returned unchanged, without copying.
///
/// ```
/// use health_core::redact::redact;
///
/// assert_eq!(
///     redact("error connecting to postgres://app:s3cret@db:5432/app"),
///     "error connecting to postgres://app:***@db:5432/app"
/// );
/// assert_eq!(redact("host=db user=app password='x y' port=5432"), "host=db user=app password='***' port=5432");
/// assert_eq!(redact(r#"PgConnectOptions { password: Some("s3cret"), port: 5432 }"#),
///            r#"PgConnectOptions { password: Some("***"), port: 5432 }"#);
/// assert_eq!(redact("sent Authorization: Bearer eyJhbGciOi.x.y"), "sent Authorization: Bearer ***");
/// assert_eq!(redact("the password was wrong"), "the password was wrong");
/// ```
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut secrets = keyed::secret_values(text);
    shapes::collect(text, &mut secrets);
    if secrets.is_empty() {
        return Cow::Borrowed(text);
    }
    secrets.sort_unstable_by_key(|range| range.start);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut masking: Option<Range<usize>> = None;
    for secret in secrets {
        match &mut masking {
            // Overlapping or touching secrets are masked as one.
            Some(current) if secret.start <= current.end => current.end = current.end.max(secret.end),
            _ => {
                if let Some(done) = masking.replace(secret) {
                    out.push_str(&text[copied..done.start]);
                    out.push_str(MASK);
                    copied = done.end;
                }
            }
        }
    }
    if let Some(done) = masking {
        out.push_str(&text[copied..done.start]);
        out.push_str(MASK);
        copied = done.end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// [`redact`], then cut to [`MAX_TEXT_LEN`] bytes with a note of the
/// original length: what a recorded result keeps of a check's text.
///
/// ```
/// use health_core::redact::{bounded, MAX_TEXT_LEN};
///
/// let body = format!("token={}\n{}", "x".repeat(10), "y".repeat(1 << 20));
/// let kept = bounded(&body);
/// assert!(kept.starts_with("token=***"));
/// assert!(kept.len() < MAX_TEXT_LEN + 64);
/// assert!(kept.ends_with("[truncated: 1048593 bytes in all]"));
/// ```
pub fn bounded(text: &str) -> String {
    let redacted = redact(text);
    if redacted.len() <= MAX_TEXT_LEN {
        return redacted.into_owned();
    }
    let mut cut = MAX_TEXT_LEN;
    while !redacted.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… [truncated: {} bytes in all]", &redacted[..cut], text.len())
}

/// Replaces the panic hook with one that prints what the default hook
/// prints (thread, location, message, and a backtrace when
/// `RUST_BACKTRACE` asks for one), with the message redacted.
///
/// The runtime catches a check's panic and records its message redacted,
/// but the process's panic hook runs first, at the panic, and the default
/// hook writes the raw message to standard error. A service whose checks
/// may panic with a connection string in the message calls this once at
/// start. (To print nothing at all for panics, install a hook of your own
/// with [`std::panic::set_hook`].)
///
/// ```
/// health_core::redact::install_panic_hook();
/// ```
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("Box<dyn Any>");
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("<unnamed>");
        let location = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()));
        let backtrace = std::backtrace::Backtrace::capture();
        let backtrace = match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => format!("\nstack backtrace:\n{backtrace}"),
            _ => String::new(),
        };
        eprintln!("\nthread '{name}' panicked{location}:\n{}{backtrace}", redact(message));
    }));
}

/// Adds `range` to `found` when it is not empty.
fn push(found: &mut Vec<Range<usize>>, range: Range<usize>) {
    if range.start < range.end {
        found.push(range);
    }
}
