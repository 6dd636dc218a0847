//! Prove your own check honest: a check the service writes itself (an HTTP
//! call with `reqwest` to a dependency), run through the conformance kit.
//!
//! The kit builds the check once, with its client pointed at a fault proxy
//! in front of the real dependency, and shows that it fails within its
//! deadline when the dependency refuses, resets, goes silent or slows down,
//! and passes again, with the same client, when it comes back.
//!
//! Run it with `cargo run -p examples --example prove_your_check`; it prints
//! the table and exits non-zero if the check is not honest.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use health_core::{BoxFuture, Check, CheckOutcome, CheckSpec};
use health_testkit::Conformance;

/// The check under test, as a service would write it: `GET /status` on the
/// pricing API through the service's own HTTP client (connection pool kept
/// between runs), passing on a 2xx answer.
struct PricingApi {
    client: reqwest::Client,
    url: String,
}

impl PricingApi {
    /// The check for the pricing API at `addr`.
    fn new(addr: SocketAddr) -> PricingApi {
        PricingApi {
            client: reqwest::Client::new(),
            url: format!("http://{addr}/status"),
        }
    }
}

impl<S: Sync> Check<S> for PricingApi {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("pricing_api")
            .critical()
            .timeout(Duration::from_millis(500))
            .interval(Duration::from_millis(250))
    }

    fn run<'a>(&'a self, _state: &'a S) -> BoxFuture<'a, CheckOutcome> {
        Box::pin(async move {
            let started = Instant::now();
            let answer = self.client.get(&self.url).send().await;
            match answer.and_then(reqwest::Response::error_for_status) {
                Ok(answer) => CheckOutcome::pass()
                    .with_detail("status", answer.status().as_u16())
                    .with_detail("latency_ms", started.elapsed().as_secs_f64() * 1000.0),
                Err(e) => CheckOutcome::fail(format_args!("pricing API: {e}")),
            }
        })
    }
}

/// The dependency: a throwaway pricing API on loopback.
async fn pricing_api() -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new().route("/status", get(|| async { "ok" }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

#[tokio::main]
pub async fn main() -> std::io::Result<()> {
    let upstream = pricing_api().await?;
    let report = Conformance::new(upstream).run(async |addr| PricingApi::new(addr)).await;
    println!("{report}");
    report.assert_honest();
    Ok(())
}
