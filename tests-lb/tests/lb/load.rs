//! An open-loop load generator: a steady stream of requests at a fixed
//! rate, each on its own task, so a request that hangs never slows the
//! stream down (as with many independent users). HTTP/1.1 keep-alive
//! connections are pooled by hyper's client.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

/// One request every this long.
const PERIOD: Duration = Duration::from_millis(10);

/// A request that has not answered after this long counts as timed out.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the load sends, in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `GET /orders`.
    ListOrders,
    /// `POST /orders` with a JSON order (not idempotent: a load balancer
    /// must not send it twice).
    CreateOrder,
}

impl Call {
    fn request(self, host: SocketAddr) -> Request<Full<Bytes>> {
        let builder = Request::builder().uri(format!("http://{host}/orders"));
        match self {
            Call::ListOrders => builder.method(Method::GET).body(Full::default()),
            Call::CreateOrder => builder
                .method(Method::POST)
                .header("content-type", "application/json")
                .body(Full::from(r#"{"item":"tea","quantity":2}"#)),
        }
        .expect("a valid request")
    }
}

/// How one request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An HTTP status.
    Status(u16),
    /// A transport error (refused, reset, closed before the answer).
    Transport(String),
    /// No answer within [`CLIENT_TIMEOUT`].
    TimedOut,
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Status(status) => write!(f, "{status}"),
            Answer::Transport(_) => f.write_str("transport error"),
            Answer::TimedOut => write!(f, "no answer in {CLIENT_TIMEOUT:?}"),
        }
    }
}

/// One request of the run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What was sent.
    pub call: Call,
    /// When it was sent.
    pub sent: Instant,
    /// How long until it ended.
    pub latency: Duration,
    /// How it ended.
    pub answer: Answer,
}

impl Outcome {
    /// Anything but a 2xx answer.
    pub fn failed(&self) -> bool {
        !matches!(self.answer, Answer::Status(200..=299))
    }
}

/// A running load.
pub struct Load {
    stop: watch::Sender<bool>,
    sender: tokio::task::JoinHandle<Vec<Outcome>>,
}

impl Load {
    /// Starts sending `calls` in turn to `target`, one every [`PERIOD`].
    pub fn start(target: SocketAddr, calls: &[Call]) -> Load {
        let calls = calls.to_vec();
        let client = client();
        let (stop, mut stopped) = watch::channel(false);
        let sender = tokio::spawn(async move {
            let outcomes = Arc::new(Mutex::new(Vec::new()));
            let mut requests = JoinSet::new();
            let mut ticks = tokio::time::interval(PERIOD);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            for call in calls.iter().copied().cycle() {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = stopped.changed() => break,
                }
                let (client, outcomes) = (client.clone(), Arc::clone(&outcomes));
                requests.spawn(async move {
                    let outcome = send(&client, call, target).await;
                    outcomes.lock().unwrap().push(outcome);
                });
                // Reap finished requests as we go.
                while requests.try_join_next().is_some() {}
            }
            requests.join_all().await;
            let mut outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
            outcomes.sort_by_key(|outcome| outcome.sent);
            outcomes
        });
        Load { stop, sender }
    }

    /// Stops sending, waits for the requests in flight, and returns every
    /// outcome in the order sent.
    pub async fn stop(self) -> Outcomes {
        let _ = self.stop.send(true);
        Outcomes(self.sender.await.expect("the load task"))
    }
}

/// A pooling HTTP/1.1 client.
fn client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

/// `GET http://{addr}{path}`: the status and the body.
pub async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let uri = format!("http://{addr}{path}").parse().expect("a valid URI");
    let response = client()
        .get(uri)
        .await
        .unwrap_or_else(|e| panic!("GET {path} on {addr}: {e}"));
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.expect("the body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Sends one request and reads its answer to the end.
async fn send(client: &Client<HttpConnector, Full<Bytes>>, call: Call, target: SocketAddr) -> Outcome {
    let sent = Instant::now();
    let exchange = async {
        let response = client.request(call.request(target)).await?;
        let status = response.status().as_u16();
        response.into_body().collect().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(status)
    };
    let answer = match tokio::time::timeout(CLIENT_TIMEOUT, exchange).await {
        Ok(Ok(status)) => Answer::Status(status),
        Ok(Err(error)) => Answer::Transport(error.to_string()),
        Err(_) => Answer::TimedOut,
    };
    Outcome {
        call,
        sent,
        latency: sent.elapsed(),
        answer,
    }
}

/// Every request of a run, in the order sent.
pub struct Outcomes(pub Vec<Outcome>);

impl Outcomes {
    /// The failed requests.
    pub fn failed(&self) -> impl Iterator<Item = &Outcome> {
        self.0.iter().filter(|outcome| outcome.failed())
    }

    /// The requests of one kind.
    pub fn of(&self, call: Call) -> Outcomes {
        Outcomes(self.0.iter().filter(|o| o.call == call).cloned().collect())
    }

    /// The requests sent in `from..until`.
    pub fn sent_between(&self, from: Instant, until: Instant) -> Outcomes {
        Outcomes(
            self.0
                .iter()
                .filter(|o| (from..until).contains(&o.sent))
                .cloned()
                .collect(),
        )
    }

    /// How many were sent.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The failures counted by kind, e.g. `503 × 140, transport error × 1`
    /// (`none` without failures).
    pub fn failures(&self) -> String {
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for outcome in self.failed() {
            let kind = outcome.answer.to_string();
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((kind, 1)),
            }
        }
        if kinds.is_empty() {
            return "none".to_owned();
        }
        let kinds: Vec<String> = kinds.iter().map(|(kind, n)| format!("{kind} × {n}")).collect();
        kinds.join(", ")
    }

    /// The slowest request.
    pub fn slowest(&self) -> Duration {
        self.0.iter().map(|o| o.latency).max().unwrap_or_default()
    }
}
