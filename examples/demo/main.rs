//! The demo service: an axum app with real routes and honest health.
//!
//! ```text
//! cargo run -p examples --bin demo                      # SQLite created on the fly, no Redis
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//! REDIS_URL=redis://127.0.0.1:6379 cargo run -p examples --bin demo
//! cargo run -p examples --bin demo -- --print-k8s-probes [--grpc]
//! ```
//!
//! The checks run in background mode (each on its own schedule; probes only
//! read), and their metrics are served on the admin listener's `/metrics`.
//!
//! Environment: `PORT` (8080), `ADMIN_PORT` (8372, loopback only, serves
//! `/health/deep` and `/metrics`), `GRPC_PORT` (50051, the
//! `grpc.health.v1.Health` service), `HEALTH_TOKEN` (also serve the deep endpoint on `PORT`,
//! and the checks in no probe over gRPC, to this bearer token), `DATABASE_URL` (default: a SQLite file in the
//! temporary directory), `REDIS_URL` (default: none, so readiness is 200
//! `degraded`), `WARMUP_SECS` (3, how long the catalog loads),
//! `DRAIN_SECS` (5, how long listeners keep answering after SIGTERM).
//! Both durations take fractions of a second (`DRAIN_SECS=1.5`), so a
//! drain can match a load balancer's `interval × threshold` exactly.

mod checks;
mod db;
mod metrics;
mod routes;

use std::future::IntoFuture;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use health_core::http::HealthHttp;
use health_core::kubernetes::KubernetesProbes;
use health_core::redact::redact;
use health_core::Health;

use checks::{AppState, Cache, Catalog, Heartbeat};
use db::Db;

/// The demo's settings, from the environment.
struct Config {
    port: u16,
    admin_port: u16,
    grpc_port: u16,
    health_token: Option<String>,
    database_url: String,
    redis_url: Option<String>,
    warmup: Duration,
    drain: Duration,
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let number = |name: &str, default: u64| -> Result<u64, String> {
            var(name).map_or(Ok(default), |v| {
                v.parse().map_err(|_| format!("{name}={v:?} is not a number"))
            })
        };
        let port = |name: &str, default: u16| -> Result<u16, String> {
            u16::try_from(number(name, u64::from(default))?).map_err(|_| format!("{name} is not a port"))
        };
        let seconds = |name: &str, default: u64| -> Result<Duration, String> {
            var(name).map_or(Ok(Duration::from_secs(default)), |v| {
                v.parse()
                    .ok()
                    .and_then(|s| Duration::try_from_secs_f64(s).ok())
                    .ok_or_else(|| format!("{name}={v:?} is not a number of seconds"))
            })
        };
        let default_db = std::env::temp_dir().join("health-core-demo.sqlite3");
        Ok(Config {
            port: port("PORT", 8080)?,
            admin_port: port("ADMIN_PORT", 8372)?,
            grpc_port: port("GRPC_PORT", 50051)?,
            health_token: var("HEALTH_TOKEN"),
            database_url: var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}", default_db.display())),
            redis_url: var("REDIS_URL"),
            warmup: seconds("WARMUP_SECS", 3)?,
            drain: seconds("DRAIN_SECS", 5)?,
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // A check's panic message is printed by the panic hook before the
    // runtime catches it: print it with credentials masked.
    health_core::redact::install_panic_hook();
    let print_k8s_probes = std::env::args().any(|arg| arg == "--print-k8s-probes");
    // Printing the probes is a one-shot command: its stderr carries only
    // warnings about the probes, not the checks' first runs.
    if !print_k8s_probes {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
            )
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    match run(print_k8s_probes).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(print_k8s_probes: bool) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    let state = Arc::new(AppState {
        db: Db::connect_lazy(&config.database_url).map_err(|e| format!("DATABASE_URL: {e}"))?,
        cache: config
            .redis_url
            .as_deref()
            .map(Cache::new)
            .transpose()
            .map_err(|e| format!("REDIS_URL: {e}"))?,
        catalog: Catalog::new(),
        heartbeat: Heartbeat::new(),
    });
    // The exporter first: the registry registers its metrics when built.
    let metrics = metrics::install()?;
    let health = Health::builder_shared(Arc::clone(&state))
        .version(env!("CARGO_PKG_VERSION"))
        .background()
        .build()?;

    if print_k8s_probes {
        let mut probes = KubernetesProbes::new(&health);
        if std::env::args().any(|arg| arg == "--grpc") {
            probes = probes.grpc(config.grpc_port);
        }
        let probes = probes
            .port(config.port)
            .drain_delay(config.drain)
            .expected_startup(config.warmup + Duration::from_secs(30));
        print!("{}", probes.to_yaml());
        for warning in probes.warnings() {
            eprintln!("warning: {warning}");
        }
        return Ok(());
    }

    migrate_in_background(Arc::clone(&state));
    Heartbeat::start(Arc::clone(&state));
    Catalog::load_in_background(Arc::clone(&state), config.warmup);

    let mut public_health = health.http().drain_delay(config.drain);
    if let Some(token) = &config.health_token {
        public_health = public_health.deep_token(token)?;
    }
    let app = routes::router()
        .merge(public_health.router())
        .with_state(health.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, config.port))).await?;
    let port = listener.local_addr()?.port();
    let admin = health
        .http()
        .metrics(move || metrics.render())
        .drain_delay(config.drain)
        .bind_admin(SocketAddr::from((Ipv4Addr::LOCALHOST, config.admin_port)))
        .await?;
    let admin_port = admin.local_addr().port();
    let mut grpc = health.grpc().drain_delay(config.drain);
    if let Some(token) = &config.health_token {
        // The same door as HTTP's deep endpoint: checks in no probe answer
        // over gRPC only to this token.
        grpc = grpc.deep_tokens(health_core::token::BearerToken::new(token)?);
    }
    let grpc = grpc
        .bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, config.grpc_port)))
        .await?;
    let grpc_port = grpc.local_addr().port();

    println!(
        "demo: serving on http://127.0.0.1:{port} (database: {}, cache: {})",
        state.db.kind(),
        if state.cache.is_some() {
            "redis"
        } else {
            "none, set REDIS_URL"
        }
    );
    println!("demo: admin on http://127.0.0.1:{admin_port} (loopback only)");
    println!("demo: grpc health on 127.0.0.1:{grpc_port} (grpc.health.v1.Health)");
    println!("  curl -i http://127.0.0.1:{port}/health/live");
    println!("  curl -i http://127.0.0.1:{port}/health/ready");
    println!("  curl -i http://127.0.0.1:{port}/health/startup");
    println!("  curl -i -H 'Accept: application/health+json' http://127.0.0.1:{port}/health/ready");
    println!("  curl -s http://127.0.0.1:{admin_port}/health/deep");
    println!("  curl -s http://127.0.0.1:{admin_port}/metrics");
    println!("  curl -s http://127.0.0.1:{port}/orders -H 'content-type: application/json' -d '{{\"item\":\"tea\",\"quantity\":2}}'");
    println!("  curl -s http://127.0.0.1:{port}/status");

    let public = axum::serve(listener, app).with_graceful_shutdown(health.shutdown_signal(config.drain));
    // axum's `serve` times out no request head: bound its shutdown to the
    // drain plus the grace the library's listeners give (README, axum).
    let public = async {
        tokio::select! {
            served = public.into_future() => served,
            () = async {
                health.shutdown_begun().await;
                tokio::time::sleep(config.drain + HealthHttp::DEFAULT_SHUTDOWN_GRACE).await;
            } => Ok(()),
        }
    };
    let (public, admin, grpc) = tokio::join!(public, admin.run(), grpc.run());
    public?;
    admin?;
    grpc?;
    println!("demo: stopped");
    Ok(())
}

/// Creates the table once the database answers; until then readiness says
/// `not_ready` and the order routes answer 503.
fn migrate_in_background(state: Arc<AppState>) {
    tokio::spawn(async move {
        while let Err(e) = state.db.migrate().await {
            tracing::warn!("cannot migrate the database yet: {}", redact(&e.to_string()));
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
}
