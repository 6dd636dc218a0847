//! Redaction of credentials as a property: a random secret, drawn from
//! alphabets that include the delimiters (`/ ? # @ : ; , & ) " \` and
//! spaces) wherever the shape's syntax allows them, embedded in every family
//! of `health_core::redact` (URLs, key/value pairs in every syntax, Rust
//! `Debug`, connection strings, labels, headers, XML, PEM, vendor tokens,
//! bare credentials, command lines), with random keys, case, whitespace and
//! surrounding text, never survives `redact`; text without secrets comes
//! back unchanged.

use base64::Engine as _;
use health_core::redact::redact;
use proptest::prelude::*;

/// Secret key names and parts the redaction must recognise (parts take a
/// random prefix and suffix).
const NEEDLES: [&str; 20] = [
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "api_key",
    "apikey",
    "accessKey",
    "private-key",
    "credential",
    "auth",
    "cookie",
    "session",
    "signature",
    "AccountKey",
    "SharedAccessKey",
    "subscription_key",
    "client_secret",
    "x-api-key",
    "refresh_token",
];

/// Keys that are secret only as a whole part of the name.
const PARTS: [&str; 5] = ["pass", "pwd", "pw", "sig", "jwt"];

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

/// A secret key: a needle with a random prefix and suffix, or a part with a
/// separated prefix or suffix (`PGPASSWORD`, `x_api_key9`, `DB_PASS`), in
/// random case.
fn secret_key() -> impl Strategy<Value = String> {
    let needle = (
        prop::sample::select(&NEEDLES[..]),
        "([a-z]{1,4}[_-]?)?",
        "([_-]?[a-z0-9]{1,4})?",
    )
        .prop_map(|(needle, prefix, suffix)| format!("{prefix}{needle}{suffix}"));
    let part = (
        prop::sample::select(&PARTS[..]),
        "([a-z]{1,4}[_.-])?",
        "([_.-][a-z0-9]{1,4})?",
    )
        .prop_map(|(part, prefix, suffix)| format!("{prefix}{part}{suffix}"));
    (prop_oneof![needle, part], any::<u64>()).prop_map(|(key, case)| with_case(&key, case))
}

/// A secret that may hold every delimiter and spaces (quoted shapes).
fn wild_secret() -> impl Strategy<Value = String> {
    r#"[A-Za-z0-9][A-Za-z0-9/?#@:;,&)(" \\'=.{}<>*-]{7,23}"#
}

/// A secret for unquoted values: no character that ends one.
fn bare_secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~+/=!@#$%^*:?-]{8,24}"
}

/// Horizontal whitespace around a separator: none, spaces, tabs.
fn space() -> impl Strategy<Value = String> {
    "[ \t]{0,3}"
}

/// Surrounding prose, ending in a space so it never runs into what follows.
fn prose() -> impl Strategy<Value = String> {
    "([A-Za-z,.!()]{1,12} ){0,4}"
}

/// `s` as the inside of a double-quoted string with backslash escapes.
fn escaped(s: &str, quote: char) -> String {
    s.replace('\\', "\\\\").replace(quote, &format!("\\{quote}"))
}

/// A secret in a key/value syntax: `(text, secret as it appears in text)`.
fn keyed() -> impl Strategy<Value = (String, String)> {
    let env = (secret_key(), space(), space(), bare_secret())
        .prop_map(|(key, a, b, secret)| (format!("{key}{a}={b}{secret}"), secret));
    let json = (secret_key(), space(), wild_secret()).prop_map(|(key, a, secret)| {
        let inner = escaped(&secret, '"');
        (format!("{{\"{key}\":{a}\"{inner}\", \"user\": \"app\"}}"), inner)
    });
    let debug = (
        secret_key(),
        prop::sample::select(&["Some(", "String(", "Secret(", ""][..]),
        wild_secret(),
    )
        .prop_map(|(key, wrapper, secret)| {
            let inner = escaped(&secret, '"');
            let close = if wrapper.is_empty() { "" } else { ")" };
            (
                format!("Options {{ host: \"db\", {key}: {wrapper}\"{inner}\"{close}, port: 5432 }}"),
                inner,
            )
        });
    let tuple = ("[A-Z][a-z]{0,3}", wild_secret()).prop_map(|(prefix, secret)| {
        let inner = escaped(&secret, '"');
        (format!("Auth({prefix}Password(\"{inner}\"))"), inner)
    });
    let json_in_debug = (secret_key(), "[A-Za-z0-9/?#@:;,&) ]{8,24}")
        .prop_map(|(key, secret)| (format!("Error(\"{{\\\"{key}\\\": \\\"{secret}\\\"}}\")"), secret));
    let query = (secret_key(), "[a-z]{1,6}", "[A-Za-z0-9._~%-]{8,24}").prop_map(|(key, other, secret)| {
        (
            format!("https://api.example/v1?{other}=1&{key}={secret}&page=2"),
            secret,
        )
    });
    let dsn = (secret_key(), space(), wild_secret()).prop_map(|(key, a, secret)| {
        let inner = escaped(&secret, '\'');
        (format!("host=db port=5432 {key}{a}='{inner}' sslmode=require"), inner)
    });
    let arrow = (secret_key(), wild_secret()).prop_map(|(key, secret)| {
        let inner = escaped(&secret, '"');
        (format!("{{:{key} => \"{inner}\", :host => \"db\"}}"), inner)
    });
    let odbc = (secret_key(), "[A-Za-z0-9/?#@:;,&)( =.-]{8,24}")
        .prop_map(|(key, secret)| (format!("Driver={{PG}};{key}={{{secret}}};Uid=app"), secret));
    let connection_string = (secret_key(), "[A-Za-z0-9/?#@!.+=-]{4,12}", "[A-Za-z0-9/?#@!.+=-]{4,12}")
        .prop_map(|(key, a, b)| (format!("Server=db;{key}={a} {b};Database=app"), format!("{a} {b}")));
    let label = (
        prop::sample::select(&["Secret Access Key", "API Key", "Client Secret", "Session Token"][..]),
        "[A-Za-z0-9/+!.-]{4,12}( [A-Za-z0-9/+!.-]{4,12}){0,2}",
    )
        .prop_map(|(label, secret)| (format!("AWS {label}: {secret}\nnext"), secret));
    let header = (
        prop::sample::select(&["Bearer", "Basic", "Token", "Digest", "ApiKey"][..]),
        prop::sample::select(&["authorization", "proxy-authorization", "cookie"][..]),
        any::<u64>(),
        r#"[A-Za-z0-9._~+/=,;"&)( -]{8,40}"#,
    )
        .prop_map(|(scheme, name, case, secret)| {
            let secret = secret.trim().to_owned();
            (
                format!("{}: {scheme} {secret}\r\nHost: x", with_case(name, case)),
                secret,
            )
        });
    let xml = (secret_key(), r#"[A-Za-z0-9/?#@:;,&)( "=.-]{8,24}"#)
        .prop_map(|(key, secret)| (format!("<user>app</user><{key}>{secret}</{key}>"), secret));
    let encoded = (secret_key(), "[A-Za-z0-9]{8,24}")
        .prop_map(|(key, secret)| (format!("?q={key}%3D{secret}%26next%3D1"), secret));
    prop_oneof![
        env,
        json,
        debug,
        tuple,
        json_in_debug,
        query,
        dsn,
        arrow,
        odbc,
        connection_string,
        label,
        header,
        xml,
        encoded
    ]
}

/// A secret recognised without a key: URLs, PEM, vendor tokens, bare
/// credentials and command lines.
fn keyless() -> impl Strategy<Value = (String, String)> {
    let userinfo = ("[a-z]{3,8}", "[A-Za-z][A-Za-z0-9/?#@;,&)( '\"=.!*-]{7,23}").prop_map(|(user, secret)| {
        (
            format!("postgres://{user}:{secret}@db.internal:5432/app?sslmode=disable"),
            secret,
        )
    });
    let user_token = "[A-Za-z0-9_]{16,40}".prop_map(|token| (format!("https://{token}@git.example/o/r.git"), token));
    let nested = ("[a-z]{3,8}", "[A-Za-z0-9]{8,24}").prop_map(|(user, secret)| {
        (
            format!("GET /go?next=postgres%3A%2F%2F{user}%3A{secret}%40db%2Fapp&x=1"),
            secret,
        )
    });
    let pem = "[A-Za-z0-9+/=\n]{16,64}".prop_map(|body| {
        (
            format!("-----BEGIN EC PRIVATE KEY-----\nMII{body}\n-----END EC PRIVATE KEY-----"),
            format!("MII{body}"),
        )
    });
    let vendor = (
        prop::sample::select(&["ghp_", "gho_", "github_pat_", "glpat-", "xoxb-", "sk_live_", "npm_"][..]),
        "[A-Za-z0-9]{36,40}",
    )
        .prop_map(|(prefix, body)| {
            let token = format!("{prefix}{body}");
            (token.clone(), token)
        });
    let aws = "[A-Z0-9]{16}".prop_map(|body| (format!("AKIA{body}"), format!("AKIA{body}")));
    let google = "[A-Za-z0-9_-]{35}".prop_map(|body| (format!("AIza{body}"), format!("AIza{body}")));
    let jwt = ("[A-Za-z0-9_-]{8,30}", "[A-Za-z0-9_-]{8,30}", "[A-Za-z0-9_-]{8,40}").prop_map(|(h, p, s)| {
        let token = format!("eyJ{h}.eyJ{p}.{s}");
        (token.clone(), token)
    });
    let basic = ("[a-z]{3,8}", "[A-Za-z0-9!@#]{8,20}").prop_map(|(user, secret)| {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"));
        (format!("upstream sent Basic {encoded} back"), encoded)
    });
    let command = (
        prop::sample::select(
            &[
                "mysql -uroot -p",
                "pg_dump --password ",
                "redis-cli -a ",
                "sshpass -p ",
                "curl -u me:",
            ][..],
        ),
        "[A-Za-z0-9!@#%^*+=/.]{8,24}",
    )
        .prop_map(|(command, secret)| (format!("{command}{secret} --host db"), secret));
    prop_oneof![userinfo, user_token, nested, pem, vendor, aws, google, jwt, basic, command]
}

/// A secret in any family, with prose around it.
fn embedded() -> impl Strategy<Value = (String, String)> {
    (prose(), prop_oneof![keyed(), keyless()], prose())
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
            "http://db:5432/app?x=1",
            "status",
            "503",
            "name",
            "invalid",
            "login",
            "failed",
            "(using",
            "YES)",
            "\"app\"",
            "a@b.example",
        ][..],
    );
    let separator = prop::sample::select(&[" ", ": ", "=", ", ", "; ", " = ", "\t", "&", "/", "?"][..]);
    prop::collection::vec((word, separator), 1..12)
        .prop_map(|words| words.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn a_secret_in_any_family_never_survives((text, secret) in embedded()) {
        // The secret must be what hides it, not the prose around it.
        prop_assume!(text.matches(secret.as_str()).count() == 1);
        let redacted = redact(&text);
        prop_assert!(!redacted.contains(secret.as_str()), "{secret:?} survives in {redacted:?}");
        prop_assert!(redacted.contains("***"));
    }

    #[test]
    fn text_without_secrets_is_unchanged(text in ordinary_text()) {
        prop_assert_eq!(redact(&text), text.as_str());
    }
}
