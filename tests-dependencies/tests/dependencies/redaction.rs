//! Redaction against what the real drivers print: each driver is made to
//! fail against the local server with a wrong password in its connection
//! string, and its error (and config, where the error does not name it) is
//! formatted with `Display` and `Debug`. The password must be in the raw
//! text where the driver prints it (so the test cannot pass trivially) and
//! never in the redacted text.

use std::fmt::{Debug, Display};
use std::time::Duration;

use health_core::redact::redact;

use crate::servers::{AMQP, MQTT, MYSQL, NATS, POSTGRES, REDIS};

/// The wrong password every driver is given.
const PASSWORD: &str = "Wr0ngS3cretPassw0rd";

/// What a driver printed: `(what, text)` pairs.
#[derive(Default)]
struct Printed(Vec<(&'static str, String)>);

impl Printed {
    /// Records `value` as `Display` and `Debug`.
    fn both(mut self, what: &'static str, value: &(impl Display + Debug)) -> Printed {
        self.0.push((what, value.to_string()));
        self.0.push((what, format!("{value:?}")));
        self
    }

    /// Records `value` as `Debug` (configs have no `Display`).
    fn debug(mut self, what: &'static str, value: &impl Debug) -> Printed {
        self.0.push((what, format!("{value:?}")));
        self
    }

    /// Asserts that `driver` printed the password somewhere, and that no
    /// redacted text shows it (see [`Printed::assert_never_printed`] for
    /// drivers that keep it out of everything they print).
    #[track_caller]
    fn assert_redacted(self, driver: &str) {
        for (what, text) in &self.0 {
            eprintln!("{driver} {what}: {text}\n  redacted: {}", redact(text));
        }
        assert!(
            self.0.iter().any(|(_, text)| text.contains(PASSWORD)),
            "{driver} printed no password, so this test proves nothing: {:?}",
            self.0
        );
        self.assert_no_leak_after_redaction(driver);
    }

    /// For a driver that prints no password in its errors or its config
    /// (it masks or drops it): asserts exactly that, so a release that
    /// starts printing it moves this driver to [`Printed::assert_redacted`].
    #[track_caller]
    fn assert_never_printed(self, driver: &str) {
        for (what, text) in &self.0 {
            eprintln!("{driver} {what}: {text}");
            assert!(
                !text.contains(PASSWORD),
                "{driver} now prints the password in its {what}: use assert_redacted"
            );
        }
        self.assert_no_leak_after_redaction(driver);
    }

    #[track_caller]
    fn assert_no_leak_after_redaction(&self, driver: &str) {
        for (what, text) in &self.0 {
            let redacted = redact(text);
            assert!(
                !redacted.contains(PASSWORD),
                "{driver}'s {what} leaks after redaction: {redacted}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_postgres_texts_are_redacted() {
    let addr = POSTGRES.addr().await;
    // Trust authentication accepts any password, so the database is wrong too.
    let url = format!("postgres://postgres:{PASSWORD}@{addr}/no_such_database_for_redaction");
    let options: sqlx::postgres::PgConnectOptions = url.parse().expect("a valid URL");
    let error = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(5))
        .connect(&url)
        .await
        .expect_err("the database does not exist");
    Printed::default()
        .both("error", &error)
        .debug("options", &options)
        .assert_redacted("sqlx-postgres");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_mysql_texts_are_redacted() {
    let addr = MYSQL.addr().await;
    let url = format!("mysql://root:{PASSWORD}@{addr}/test");
    let options: sqlx::mysql::MySqlConnectOptions = url.parse().expect("a valid URL");
    let error = sqlx::mysql::MySqlPoolOptions::new()
        .acquire_timeout(Duration::from_secs(5))
        .connect(&url)
        .await
        .expect_err("root has no password");
    Printed::default()
        .both("error", &error)
        .debug("options", &options)
        .assert_redacted("sqlx-mysql");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadpool_postgres_texts_are_redacted() {
    let addr = POSTGRES.addr().await;
    let mut config = deadpool_postgres::Config::new();
    config.url = Some(format!(
        "postgres://postgres:{PASSWORD}@{addr}/no_such_database_for_redaction"
    ));
    let pool = config
        .create_pool(
            Some(deadpool_postgres::Runtime::Tokio1),
            deadpool_postgres::tokio_postgres::NoTls,
        )
        .expect("a valid config");
    let error = pool.get().await.expect_err("the database does not exist");
    Printed::default()
        .both("error", &error)
        .debug("config", &config)
        .assert_redacted("deadpool-postgres");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_texts_are_redacted() {
    let addr = REDIS.addr().await;
    let client = redis::Client::open(format!("redis://:{PASSWORD}@{addr}/0")).expect("a valid URL");
    let error = client
        .get_multiplexed_async_connection()
        .await
        .expect_err("the server has no password");
    Printed::default()
        .both("error", &error)
        .debug("client", &client)
        .assert_never_printed("redis");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lapin_texts_are_redacted() {
    let addr = AMQP.addr().await;
    let uri = format!("amqp://guest:{PASSWORD}@{addr}/%2f");
    let error = lapin::Connection::connect(&uri, lapin::ConnectionProperties::default())
        .await
        .expect_err("guest's password is guest");
    let parsed: lapin::uri::AMQPUri = uri.parse().expect("a valid URI");
    Printed::default()
        .both("error", &error)
        .debug("uri", &parsed)
        .assert_redacted("lapin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_nats_texts_are_redacted() {
    let addr = NATS.addr().await;
    // A server without authentication answers any credentials; a wrong
    // port makes the connect fail with the URL in hand.
    let closed = closed_port();
    let url = format!("nats://app:{PASSWORD}@127.0.0.1:{closed}");
    let error = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(2))
        .connect(url.as_str())
        .await
        .expect_err("nothing listens there");
    let options = async_nats::ConnectOptions::with_user_and_password("app".into(), PASSWORD.into());
    let server: async_nats::ServerAddr = format!("nats://app:{PASSWORD}@{addr}").parse().expect("a valid URL");
    Printed::default()
        .both("error", &error)
        .debug("options", &options)
        .debug("server address", &server)
        .assert_redacted("async-nats");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rumqttc_texts_are_redacted() {
    let addr = MQTT.addr().await;
    let mut options = rumqttc::MqttOptions::new("redaction", addr.ip().to_string(), addr.port());
    options.set_credentials("app", PASSWORD);
    options.set_keep_alive(Duration::from_secs(5));
    Printed::default().debug("options", &options).assert_redacted("rumqttc");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_texts_are_redacted() {
    let closed = closed_port();
    let url = format!("http://app:{PASSWORD}@127.0.0.1:{closed}/health");
    let error = reqwest::Client::new()
        .get(&url)
        .send()
        .await
        .expect_err("nothing listens there");
    let request = reqwest::Client::new().get(&url).build().expect("a valid request");
    let parsed = reqwest::Url::parse(&url).expect("a valid URL");
    Printed::default()
        .both("error", &error)
        .debug("request", &request)
        .both("url", &parsed)
        .assert_redacted("reqwest");
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("its address").port()
}
