//! One named test per family of the module docs' table, and the cases
//! found leaking before.

use super::{bounded, is_secret_key, redact, MAX_TEXT_LEN};
use crate::model::outcome::{DetailValue, Details};

/// Asserts `input` redacts to `shown`.
#[track_caller]
fn shows(input: &str, shown: &str) {
    assert_eq!(redact(input), shown, "input: {input:?}");
}

#[test]
fn url_userinfo_passwords_are_masked_and_users_kept() {
    shows(
        "redis://:hunter2@cache:6379/0 and amqp://guest:guest@mq:5672/%2f",
        "redis://:***@cache:6379/0 and amqp://guest:***@mq:5672/%2f",
    );
    shows("postgres://user@db/app", "postgres://user@db/app");
    shows("see https://example.com/a:b@c", "see https://example.com/a:b@c");
    shows("mysql://u:p%40ss@db", "mysql://u:***@db");
    shows("http://db:5432/app?x=1 mail a@b", "http://db:5432/app?x=1 mail a@b");
}

#[test]
fn url_passwords_with_delimiters_and_spaces_are_masked() {
    shows("postgres://app:s3/cr?t#x@db/app", "postgres://app:***@db/app");
    shows("postgres://app:two words@db/app", "postgres://app:***@db/app");
    shows("mysql://root:p@ss@127.0.0.1/test", "mysql://root:***@127.0.0.1/test");
    shows("postgres://u:1234@db/app", "postgres://u:***@db/app");
}

#[test]
fn a_token_used_as_the_url_user_is_masked() {
    shows(
        "git fetch https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.example/o/r",
        "git fetch https://***@github.example/o/r",
    );
    shows(
        "https://0123456789abcdef0123@git.example/x",
        "https://***@git.example/x",
    );
}

#[test]
fn percent_encoded_urls_in_a_query_are_masked() {
    shows(
        "GET /login?next=postgres%3A%2F%2Fapp%3As3cret%40db%2Fapp&x=1",
        "GET /login?next=postgres%3A%2F%2Fapp%3A***%40db%2Fapp&x=1",
    );
    shows("?q=password%3Dhunter2%26next%3D1", "?q=password%3D***%26next%3D1");
}

#[test]
fn environment_variables_are_masked() {
    shows("PGPASSWORD=hunter2", "PGPASSWORD=***");
    shows("PGPASSWORD=hunter2 psql -h db", "PGPASSWORD=***");
    shows("DB_PASS=hunter2 APP=x", "DB_PASS=*** APP=x");
    shows("password\t=\thunter2", "password\t=\t***");
}

#[test]
fn query_strings_and_dsn_pairs_are_masked() {
    shows(
        "postgres://u:p@h/db?sslpassword=hunter2",
        "postgres://u:***@h/db?sslpassword=***",
    );
    shows(
        "?sslmode=require&sslpassword=hunter2",
        "?sslmode=require&sslpassword=***",
    );
    shows(
        "host=db user=app password='x y' port=5432",
        "host=db user=app password='***' port=5432",
    );
    shows("host=db password=abc port=5432", "host=db password=*** port=5432");
    shows("api_key=k&x=1", "api_key=***&x=1");
    shows(
        "https://s3.example/o?X-Amz-Signature=abc123&X-Amz-Date=1",
        "https://s3.example/o?X-Amz-Signature=***&X-Amz-Date=1",
    );
    shows(
        "https://b.blob.example/c?sv=2020&sig=abc%2Bdef&se=1",
        "https://b.blob.example/c?sv=2020&sig=***&se=1",
    );
}

#[test]
fn key_value_and_json_are_masked_whatever_the_case_and_quoting() {
    shows("PASSWORD=abc;Host=x", "PASSWORD=***;Host=x");
    shows(
        r#"{"password": "a b", "user": "u"}"#,
        r#"{"password": "***", "user": "u"}"#,
    );
    shows("token: t0k3n, next", "token: ***, next");
    shows("X-Api-Key: k1", "X-Api-Key: ***");
    shows("secret_key:\thunter2", "secret_key:\t***");
    shows("the password was wrong", "the password was wrong");
    shows("passwordless login", "passwordless login");
    shows("oauth://provider/x", "oauth://provider/x");
    shows("auth::login failed", "auth::login failed");
}

#[test]
fn rust_debug_output_is_masked() {
    shows(
        r#"PgConnectOptions { host: "db", port: 5432, username: "app", password: Some("s3cret"), database: None }"#,
        r#"PgConnectOptions { host: "db", port: 5432, username: "app", password: Some("***"), database: None }"#,
    );
    shows(
        r#"Url { scheme: "postgres", username: "app", password: Some("s3cret"), host: Some(Domain("db")) }"#,
        r#"Url { scheme: "postgres", username: "app", password: Some("***"), host: Some(Domain("db")) }"#,
    );
    shows(r#"Auth(Password("s3cret"))"#, r#"Auth(Password("***"))"#);
    shows(
        r#"Object {"password": String("s3cret"), "user": String("app")}"#,
        r#"Object {"password": String("***"), "user": String("app")}"#,
    );
    shows(
        r#"Error("{\"password\": \"s3cret\", \"user\": \"app\"}")"#,
        r#"Error("{\"password\": \"***\", \"user\": \"app\"}")"#,
    );
}

#[test]
fn values_that_carry_nothing_are_kept_and_structs_are_masked_whole() {
    shows("(using password: YES)", "(using password: YES)");
    shows(
        "clean_session: true, password: None, token: null}",
        "clean_session: true, password: None, token: null}",
    );
    shows("password: None-of-your-business", "password: ***");
    shows("auth_mechanism: None }", "auth_mechanism: None }");
    shows("password: NO way", "password: ***");
    shows(
        r#"credentials: Some(Login { username: "app", password: "x" }), next: 1"#,
        r#"credentials: Some(Login {***}), next: 1"#,
    );
}

#[test]
fn quoted_values_keep_their_delimiters_inside() {
    shows(r#""password": "a\"b, c""#, r#""password": "***""#);
    shows(r#"password='a,b&c)d;e' next=1"#, r#"password='***' next=1"#);
    shows(r#"token="never closed, to the end"#, r#"token="***"#);
}

#[test]
fn arrows_of_ruby_php_and_perl_dumps_are_masked() {
    shows(
        r#"{:password => "s3cret", :host => "db"}"#,
        r#"{:password => "***", :host => "db"}"#,
    );
    shows(r#"array('password' => 's3cret')"#, r#"array('password' => '***')"#);
}

#[test]
fn connection_strings_are_masked() {
    shows(
        "Driver={PG};Server=db;Pwd={a;b}};c};Uid=app",
        "Driver={PG};Server=db;Pwd={***};Uid=app",
    );
    shows(
        "Server=db;Password=my secret;Database=app",
        "Server=db;Password=***;Database=app",
    );
    shows(
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc+def==;EndpointSuffix=x",
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=x",
    );
    shows(
        "Endpoint=sb://ns.example/;SharedAccessKeyName=root;SharedAccessKey=abc=",
        "Endpoint=sb://ns.example/;SharedAccessKeyName=***;SharedAccessKey=***",
    );
}

#[test]
fn key_names_beyond_the_old_list_are_masked() {
    for key in [
        "DB_PASS",
        "pw",
        "privateKey",
        "accessKey",
        "AccountKey",
        "SharedAccessKey",
        "sig",
        "signature",
        "cookie",
        "session",
        "jwt",
        "x-api-key",
        "Ocp-Apim-Subscription-Key",
        "client_secret",
        "refresh_token",
    ] {
        shows(&format!("{key}=v4lue"), &format!("{key}=***"));
        assert!(is_secret_key(key), "{key}");
    }
    for key in ["passed", "design", "pool_size", "host", "user", "bypass"] {
        shows(&format!("{key}=v4lue"), &format!("{key}=v4lue"));
        assert!(!is_secret_key(key), "{key}");
    }
}

#[test]
fn labels_with_spaces_are_masked() {
    shows(
        "AWS Secret Access Key: wJalr/K7MDENG bPxRfiCY",
        "AWS Secret Access Key: ***",
    );
    shows("API Key: abc123\nnext", "API Key: ***\nnext");
}

#[test]
fn headers_are_masked_to_the_end_of_the_line() {
    shows("Authorization: Bearer hunter2", "Authorization: Bearer ***");
    shows(
        "Proxy-Authorization: Digest username=\"u\", response=\"r\"\nnext line",
        "Proxy-Authorization: Digest ***\nnext line",
    );
    shows("Cookie: sid=abc; theme=dark\nHost: x", "Cookie: ***\nHost: x");
    shows("authorization: hunter2 with spaces", "authorization: ***");
}

#[test]
fn xml_elements_are_masked() {
    shows(
        "<user>app</user><password>s3cret</password>",
        "<user>app</user><password>***</password>",
    );
    shows(r#"<ApiKey type="x">abc</ApiKey>"#, r#"<ApiKey type="x">***</ApiKey>"#);
}

#[test]
fn pem_private_keys_are_masked() {
    shows(
        "key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK==\n-----END RSA PRIVATE KEY-----\nok",
        "key: -----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----\nok",
    );
    shows(
        "-----BEGIN PRIVATE KEY-----\nMIIEv cut here",
        "-----BEGIN PRIVATE KEY-----***",
    );
}

#[test]
fn tokens_with_a_known_shape_are_masked_without_a_key() {
    for token in [
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "github_pat_11ABCDEFG0123456789_abcdefghij",
        "glpat-0123456789abcdefghij",
        "xoxb-1234567890-abcdefghij",
        "sk_live_0123456789abcdef",
        "AIzaSyA0123456789abcdefghijklmnopqrstuv",
        "npm_0123456789abcdefghijABCDEFGHIJ012345",
    ] {
        shows(&format!("sent {token} to the server"), "sent *** to the server");
    }
}

#[test]
fn bare_basic_and_bearer_credentials_are_masked() {
    shows("sent Basic dXNlcjpzM2NyZXQ= upstream", "sent Basic *** upstream");
    shows("with bearer abc.def-123 rejected", "with bearer *** rejected");
    shows("Basic authentication failed", "Basic authentication failed");
    shows("Bearer authentication required", "Bearer authentication required");
}

#[test]
fn command_lines_are_masked() {
    shows("mysql -uroot -pS3cret -h db", "mysql -uroot -p*** -h db");
    shows("pg_dump --password S3cret app", "pg_dump --password *** app");
    shows("tool --password=S3cret", "tool --password=***");
    shows("redis-cli -a S3cret ping", "redis-cli -a *** ping");
    shows("sshpass -p S3cret ssh host", "sshpass -p *** ssh host");
    shows("curl -u me:S3cret https://x", "curl -u me:*** https://x");
}

#[test]
fn text_without_secrets_is_not_copied() {
    assert!(matches!(redact("plain error"), std::borrow::Cow::Borrowed(_)));
    shows(
        "error returned from database: password authentication failed for user \"app\"",
        "error returned from database: password authentication failed for user \"app\"",
    );
}

#[test]
fn long_text_is_bounded_after_redaction() {
    let long = format!(
        "password={}\n{}",
        "s".repeat(MAX_TEXT_LEN * 2),
        "x ".repeat(MAX_TEXT_LEN)
    );
    let kept = bounded(&long);
    assert!(kept.starts_with("password=***"));
    assert!(!kept.contains("sss"));
    assert!(kept.len() <= MAX_TEXT_LEN + 64, "{}", kept.len());
    assert!(kept.ends_with(&format!("[truncated: {} bytes in all]", long.len())));
    let cut_in_a_char = "é".repeat(MAX_TEXT_LEN);
    assert!(bounded(&cut_in_a_char).contains("[truncated"));
    assert_eq!(bounded("short"), "short");
}

#[test]
fn details_are_redacted_by_key_and_by_value() {
    let mut raw = Details::new();
    raw.insert("password", "hunter2");
    raw.insert("pin_secret", 1234u32);
    raw.insert("dsn", "postgres://app:s3cret@db/app");
    raw.insert("pool_size", 10u32);
    let kept = raw.redacted();
    assert_eq!(kept.get("password"), Some(&DetailValue::Text("***".into())));
    assert_eq!(kept.get("pin_secret"), Some(&DetailValue::Text("***".into())));
    assert_eq!(
        kept.get("dsn"),
        Some(&DetailValue::Text("postgres://app:***@db/app".into()))
    );
    assert_eq!(kept.get("pool_size"), Some(&DetailValue::UInt(10)));
}

#[test]
fn every_example_of_the_readme_table_shows_as_it_says() {
    let rows = [
        ("postgres://app:s3/cr#t@db/app", "postgres://app:***@db/app"),
        (
            "https://0123456789abcdef0123@git.example/x",
            "https://***@git.example/x",
        ),
        (
            "?next=redis%3A%2F%2Fu%3As3cret%40cache",
            "?next=redis%3A%2F%2Fu%3A***%40cache",
        ),
        ("PGPASSWORD=hunter2", "PGPASSWORD=***"),
        ("?sig=abc&x=1", "?sig=***&x=1"),
        ("password='x y'", "password='***'"),
        (r#""api_key": "a\"b, c""#, r#""api_key": "***""#),
        (":password => 'x'", ":password => '***'"),
        (r#"password: Some("x")"#, r#"password: Some("***")"#),
        (r#"Password("x")"#, r#"Password("***")"#),
        ("Pwd={a;b};", "Pwd={***};"),
        ("Password=my secret;Server=db", "Password=***;Server=db"),
        ("AWS Secret Access Key: wJalr/K7MDENG", "AWS Secret Access Key: ***"),
        ("Authorization: Bearer hunter2", "Authorization: Bearer ***"),
        ("Cookie: sid=1; a=2", "Cookie: ***"),
        ("<password>x</password>", "<password>***</password>"),
        (
            "-----BEGIN PRIVATE KEY-----MIIE-----END PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----",
        ),
        ("AKIAIOSFODNN7EXAMPLE", "***"),
        ("sent Basic dXNlcjpzM2NyZXQ=", "sent Basic ***"),
        ("mysql -pS3cret", "mysql -p***"),
        ("--password S3cret", "--password ***"),
        ("redis-cli -a S3cret", "redis-cli -a ***"),
        ("sshpass -p S3cret", "sshpass -p ***"),
        ("curl -u me:S3cret", "curl -u me:***"),
    ];
    for (input, shown) in rows {
        shows(input, shown);
    }
}

#[test]
fn a_value_that_starts_like_a_url_path_is_masked() {
    shows("password=//==#a!^\n", "password=***\n");
}

#[test]
fn a_value_that_runs_over_another_secret_key_does_not_hide_it() {
    // Found by the redaction proptest: `pW(` reads as `key(value)`, and its
    // unquoted value ran over the hash's `:password =>`.
    let text = "pW(( {:password => \"A&,0a\\\",\\\\\", :host => \"db\"}\n";
    let redacted = redact(text);
    assert!(!redacted.contains("A&,0a"), "{redacted}");
    assert!(redacted.contains(":host => \"db\""), "{redacted}");
    shows("pw(a Password(\"hunter2\"))", "pw(***\"***\"))");
}
