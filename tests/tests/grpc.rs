//! The gRPC health service over real HTTP/2, asked by tonic-health's own
//! client (a client we did not write): `Check` of the server, of a probe, of
//! a check and of an unknown name; `Watch` pushed on every change and told
//! of shutdown, never holding the server's shutdown up; `List`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use health_core::grpc::proto::{HealthListRequest, HealthListResponse};
use health_core::prelude::*;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use tonic_prost::ProstCodec;

#[derive(Default)]
struct Grpcd {
    db_down: AtomicBool,
    cache_down: AtomicBool,
}

#[health_check(critical, interval = "50ms", timeout = "100ms")]
async fn primary_db(state: &Grpcd) -> Result<(), String> {
    match state.db_down.load(Ordering::SeqCst) {
        true => Err("connection refused".into()),
        false => Ok(()),
    }
}

#[health_check(interval = "50ms", timeout = "100ms")]
async fn cache(state: &Grpcd) -> Result<(), String> {
    match state.cache_down.load(Ordering::SeqCst) {
        true => Err("connection refused".into()),
        false => Ok(()),
    }
}

const DRAIN: Duration = Duration::from_millis(300);

/// A background-mode registry served over gRPC on a free port.
async fn serve() -> (
    Health<Grpcd>,
    SocketAddr,
    tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
) {
    let health = Health::builder(Grpcd::default()).background().build().unwrap();
    // The first results: both checks pass, so readiness turns `ready` (told
    // by a transition; subscribed before looking, so none is missed).
    let mut changes = health.subscribe();
    let first_results = async {
        while health.readiness().await.status() != Status::Ready {
            // A change, or news of missed ones: look again either way.
            let _ = changes.recv().await.expect("the registry lives");
        }
    };
    tokio::time::timeout(Duration::from_secs(5), first_results)
        .await
        .expect("both checks passed");
    let server = health
        .grpc()
        .drain_delay(DRAIN)
        .bind(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = server.local_addr();
    let running = tokio::spawn(server.run());
    (health, addr, running)
}

async fn client(addr: SocketAddr) -> HealthClient<Channel> {
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    HealthClient::new(channel)
}

async fn check(client: &mut HealthClient<Channel>, service: &str) -> Result<ServingStatus, tonic::Code> {
    client
        .check(HealthCheckRequest {
            service: service.into(),
        })
        .await
        .map(|answer| answer.into_inner().status())
        .map_err(|status| status.code())
}

/// Polls `Check(service)` until it answers `expected`.
async fn eventually(client: &mut HealthClient<Channel>, service: &str, expected: ServingStatus) {
    let started = Instant::now();
    loop {
        let status = check(client, service).await;
        if status == Ok(expected) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{service:?} still {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_answers_for_the_server_the_probes_and_each_check() {
    let (health, addr, _running) = serve().await;
    let mut client = client(addr).await;
    for service in ["", "readiness", "liveness", "startup", "primary_db", "cache"] {
        assert_eq!(
            check(&mut client, service).await,
            Ok(ServingStatus::Serving),
            "{service:?}"
        );
    }
    assert_eq!(check(&mut client, "no_such_check").await, Err(tonic::Code::NotFound));

    // A non-critical check down: degraded, still serving as a whole.
    health.state().cache_down.store(true, Ordering::SeqCst);
    eventually(&mut client, "cache", ServingStatus::NotServing).await;
    assert_eq!(
        check(&mut client, "").await,
        Ok(ServingStatus::Serving),
        "degraded serves"
    );
    // A critical one down: not ready, not serving.
    health.state().db_down.store(true, Ordering::SeqCst);
    eventually(&mut client, "", ServingStatus::NotServing).await;
    assert_eq!(check(&mut client, "readiness").await, Ok(ServingStatus::NotServing));
    assert_eq!(
        check(&mut client, "liveness").await,
        Ok(ServingStatus::Serving),
        "no restart for a dependency"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_is_pushed_changes_and_shutdown_and_ends_without_holding_it_up() {
    let (health, addr, running) = serve().await;
    let mut client = client(addr).await;
    let mut server = client
        .watch(HealthCheckRequest { service: String::new() })
        .await
        .unwrap()
        .into_inner();
    let mut db = client
        .watch(HealthCheckRequest {
            service: "primary_db".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut unknown = client
        .watch(HealthCheckRequest {
            service: "no_such_check".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let next = |status: Option<tonic_health::pb::HealthCheckResponse>| status.map(|s| s.status());
    assert_eq!(next(server.message().await.unwrap()), Some(ServingStatus::Serving));
    assert_eq!(next(db.message().await.unwrap()), Some(ServingStatus::Serving));
    assert_eq!(
        next(unknown.message().await.unwrap()),
        Some(ServingStatus::ServiceUnknown)
    );

    health.state().db_down.store(true, Ordering::SeqCst);
    assert_eq!(next(db.message().await.unwrap()), Some(ServingStatus::NotServing));
    assert_eq!(next(server.message().await.unwrap()), Some(ServingStatus::NotServing));
    health.state().db_down.store(false, Ordering::SeqCst);
    assert_eq!(next(db.message().await.unwrap()), Some(ServingStatus::Serving));
    assert_eq!(next(server.message().await.unwrap()), Some(ServingStatus::Serving));

    let mut liveness = client
        .watch(HealthCheckRequest {
            service: "liveness".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next(liveness.message().await.unwrap()), Some(ServingStatus::Serving));
    let shutdown = Instant::now();
    health.begin_shutdown();
    // Every service turns NOT_SERVING at once.
    for stream in [&mut server, &mut db, &mut liveness] {
        assert_eq!(next(stream.message().await.unwrap()), Some(ServingStatus::NotServing));
    }
    // The streams end when the drain is over, and the server stops then,
    // with the unknown service's stream still open until that moment.
    assert_eq!(next(server.message().await.unwrap()), None, "the stream ends");
    assert!(unknown.message().await.map(next).unwrap_or(None).is_none());
    tokio::time::timeout(DRAIN + Duration::from_secs(2), running)
        .await
        .expect("open Watch streams never hold shutdown up")
        .unwrap()
        .unwrap();
    let stopped = shutdown.elapsed();
    assert!(stopped >= DRAIN, "drained first: {stopped:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_names_every_service_with_its_status() {
    let (health, addr, _running) = serve().await;
    health.state().cache_down.store(true, Ordering::SeqCst);
    let mut client = client(addr).await;
    eventually(&mut client, "cache", ServingStatus::NotServing).await;
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let listed: HealthListResponse = grpc
        .unary(
            tonic::Request::new(HealthListRequest {}),
            PathAndQuery::from_static("/grpc.health.v1.Health/List"),
            ProstCodec::default(),
        )
        .await
        .unwrap()
        .into_inner();
    let mut statuses: Vec<(String, i32)> = listed.statuses.into_iter().map(|(k, v)| (k, v.status)).collect();
    statuses.sort();
    let serving = ServingStatus::Serving as i32;
    let not_serving = ServingStatus::NotServing as i32;
    assert_eq!(
        statuses,
        [
            (String::new(), serving),
            ("cache".into(), not_serving),
            ("liveness".into(), serving),
            ("primary_db".into(), serving),
            ("readiness".into(), serving),
            ("startup".into(), serving),
        ]
    );
}
