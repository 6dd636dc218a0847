//! SQLite through sqlx: `checks::sqlite` (no server, no network: the faults
//! are the database file's). The conformance kit cuts a TCP path, and SQLite
//! has none, so this check is proven against a database it cannot open
//! instead of through the kit.

use health_core::checks::sqlite::SqlitePoolCheck;
use health_core::{Health, Reason, Status};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

#[tokio::test]
async fn sqlite_passes_on_a_database_file_and_fails_without_its_directory() {
    let dir = std::env::temp_dir().join(format!("health-core-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.join("app.db"))
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new().max_connections(2).connect_lazy_with(options);
    let health = Health::builder(())
        .check(SqlitePoolCheck::new("sqlite", pool.clone()).critical())
        .build()
        .unwrap();
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::Ready, "{ready:?}");
    let result = ready.check("sqlite").unwrap();
    assert!(result.details().get("server_version").is_some(), "{result:?}");
    assert_eq!(result.details().get("pool_max"), Some(&2usize.into()));

    // A database whose directory is gone cannot be opened.
    let missing = SqliteConnectOptions::new().filename(dir.join("gone").join("app.db"));
    let broken = SqlitePoolOptions::new().connect_lazy_with(missing);
    let health = Health::builder(())
        .check(SqlitePoolCheck::new("sqlite", broken).critical())
        .build()
        .unwrap();
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::NotReady);
    let result = ready.check("sqlite").unwrap();
    assert_eq!(result.reason(), Some(Reason::Error));
    assert!(result.error().unwrap().starts_with("sqlite: "), "{result:?}");

    pool.close().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
