//! Every place text leaves a check shows it redacted: the deep report (as
//! JSON and through the HTTP deep endpoint, JSON and the HTML status page),
//! the result's accessors, details (by key and by value), and the warn log
//! line of the failing transition. A binary of its own: it installs a global
//! `tracing` subscriber (see transition_logs.rs for why).

use std::sync::{Arc, Mutex};

use axum::http::Request;
use health_core::prelude::*;
use health_core::CheckOutcome;
use http_body_util::BodyExt;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

const SECRET: &str = "hunter2-s3cret-Pa55";
const TOKEN: &str = "a-deep-token-of-32-characters-xx";

#[health_check(critical)]
async fn leaky_db() -> CheckOutcome {
    CheckOutcome::fail(format!(
        "cannot connect with PgConnectOptions {{ host: \"db\", password: Some(\"{SECRET}\") }} to postgres://app:{SECRET}@db/app"
    ))
    .with_detail("dsn", format!("host=db password={SECRET}"))
    .with_detail("api_token", SECRET)
}

/// Every field of every event, formatted.
#[derive(Clone, Default)]
struct Logged(Arc<Mutex<Vec<String>>>);

impl<S: Subscriber> Layer<S> for Logged {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        struct Fields(String);
        impl Visit for Fields {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
}

/// The body of `path` on the HTTP handler, with the deep token.
async fn body(http: &health_core::http::HealthHttp, path: &str, accept: &str) -> String {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("accept", accept)
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let response = http.respond(&request).await;
    assert_eq!(
        response.status(),
        503,
        "the deep endpoint answers with the failing check"
    );
    String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

#[tokio::test]
async fn no_surface_shows_the_secret() {
    let logged = Logged::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(logged.clone())).unwrap();
    let health = Health::builder(()).build().unwrap();

    let deep = health.deep().await;
    let result = deep
        .checks()
        .iter()
        .find(|c| c.name() == "leaky_db")
        .expect("registered");
    let error = result.error().expect("the check failed");
    assert!(error.contains("postgres://app:***@db/app"), "{error}");
    assert!(error.contains("password: Some(\"***\")"), "{error}");
    let details = format!("{:?}", result.details());
    assert!(details.contains("password=***"), "{details}");

    let http = health.http().deep_token(TOKEN).unwrap();
    let surfaces = [
        ("deep report JSON", serde_json::to_string(&deep).unwrap()),
        ("result", format!("{result:?}")),
        ("HTTP deep JSON", body(&http, "/health/deep", "application/json").await),
        ("status page", body(&http, "/health/deep", "text/html").await),
        ("log lines", logged.0.lock().unwrap().join("\n")),
    ];
    for (surface, text) in &surfaces {
        assert!(text.contains("***"), "{surface} shows the masked text: {text}");
        assert!(!text.contains(SECRET), "{surface} leaks the secret: {text}");
    }
    assert!(
        surfaces[4].1.contains("health check failing"),
        "the failing transition was logged: {}",
        surfaces[4].1
    );
}
