//! Redaction of credentials in error text, as a property: a random secret
//! embedded in each shape drivers and clients print (environment variable,
//! query string, DSN pair, `key: value`, `Authorization` header, URL
//! userinfo), with random keys, case, whitespace and surrounding text, never
//! survives `redact`; text without secrets comes back unchanged.

use health_core::redact::redact;
use proptest::prelude::*;

/// Parts of secret key names the redaction must recognise.
const NEEDLES: [&str; 11] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "credential",
    "auth",
];

/// `s` with each ASCII letter's case chosen by `mask`'s bits.
fn with_case(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

/// A key containing a needle, with a random prefix and suffix (`PGPASSWORD`,
/// `x_api_key9`, `Db-Token`) and random case.
fn secret_key() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&NEEDLES[..]),
        "([a-z]{1,4}[_-]?)?",
        "([_-]?[a-z0-9]{1,4})?",
        any::<u64>(),
    )
        .prop_map(|(needle, prefix, suffix, case)| with_case(&format!("{prefix}{needle}{suffix}"), case))
}

/// A secret: 8 to 24 characters, none that ends a value or opens a quote.
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~+/=!@#$%^*-]{8,24}"
}

/// Horizontal whitespace around a separator: none, spaces, tabs.
fn space() -> impl Strategy<Value = String> {
    "[ \t]{0,3}"
}

/// Surrounding prose, ending in a space so it never runs into what follows.
fn prose() -> impl Strategy<Value = String> {
    "([A-Za-z,.!()]{1,12} ){0,4}"
}

/// A secret embedded in one of the shapes, with the text around it.
fn embedded() -> impl Strategy<Value = (String, String)> {
    let env = (secret_key(), space(), space(), secret())
        .prop_map(|(key, a, b, secret)| (format!("{key}{a}={b}{secret}"), secret));
    let colon =
        (secret_key(), space(), secret()).prop_map(|(key, a, secret)| (format!("\"{key}\":{a}\"{secret}\""), secret));
    let query = (secret_key(), "[a-z]{1,6}", "[A-Za-z0-9._~-]{8,24}").prop_map(|(key, other, secret)| {
        (
            format!("https://api.example/v1?{other}=1&{key}={secret}&page=2"),
            secret,
        )
    });
    let dsn = (secret_key(), space(), "[A-Za-z0-9 ._!@#$%^*+=-]{8,24}")
        .prop_map(|(key, a, secret)| (format!("host=db port=5432 {key}{a}='{secret}' sslmode=require"), secret));
    let header = (
        prop::sample::select(&["Bearer", "Basic", "Token", "Digest", "ApiKey"][..]),
        any::<u64>(),
        "[A-Za-z0-9._~+/=-]{8,40}",
    )
        .prop_map(|(scheme, case, secret)| {
            (
                format!("{}: {scheme} {secret}", with_case("authorization", case)),
                secret,
            )
        });
    let userinfo = ("[a-z]{3,8}", "[A-Za-z0-9._~!$&'()*+,;=-]{8,24}")
        .prop_map(|(user, secret)| (format!("postgres://{user}:{secret}@db.internal:5432/app"), secret));
    let shape = prop_oneof![env, colon, query, dsn, header, userinfo];
    (prose(), shape, prose())
        .prop_map(|(before, (shaped, secret), after)| (format!("{before}{shaped}\n{after}"), secret))
}

/// Words of ordinary error text, none a secret key.
fn ordinary_text() -> impl Strategy<Value = String> {
    let word = prop::sample::select(
        &[
            "connection",
            "refused",
            "host",
            "port",
            "db",
            "timed",
            "out",
            "error",
            "user",
            "app",
            "server",
            "closed",
            "10.0.0.7",
            "5432",
            "read",
            "tcp",
            "pool",
            "exhausted",
            "https://example.com/a",
            "status",
            "503",
            "name",
            "invalid",
            "login",
            "failed",
        ][..],
    );
    let separator = prop::sample::select(&[" ", ": ", "=", ", ", "; ", " = ", "\t"][..]);
    prop::collection::vec((word, separator), 1..12)
        .prop_map(|words| words.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_secret_in_any_shape_never_survives((text, secret) in embedded()) {
        // The secret must be what hides it, not the prose around it.
        prop_assume!(text.matches(secret.as_str()).count() == 1);
        let redacted = redact(&text);
        prop_assert!(!redacted.contains(secret.as_str()), "{secret:?} survives in {redacted:?}");
        prop_assert!(redacted.contains("***"));
    }

    #[test]
    fn text_without_secrets_is_unchanged(text in ordinary_text()) {
        let lower = text.to_lowercase();
        prop_assume!(NEEDLES.iter().all(|needle| !lower.contains(needle)));
        prop_assert_eq!(redact(&text), text.as_str());
    }
}
