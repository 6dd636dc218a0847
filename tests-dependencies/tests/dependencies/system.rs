//! Disk space and process memory: `checks::disk`, `checks::memory`, through
//! a registry (readiness follows their criticality).

use health_core::checks::disk::DiskSpaceCheck;
use health_core::checks::memory::MemoryCheck;
use health_core::{Health, Reason, Status};

#[tokio::test]
async fn thresholds_decide_readiness() {
    let health = Health::builder(())
        .check(DiskSpaceCheck::new("disk", "/").min_free_bytes(1))
        .check(MemoryCheck::new("memory", u64::MAX).critical())
        .build()
        .unwrap();
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::Ready, "{ready:?}");
    let disk = ready.check("disk").unwrap();
    assert!(disk.details().get("free_bytes").is_some() && disk.details().get("free_percent").is_some());
    assert!(ready.check("memory").unwrap().details().get("rss_bytes").is_some());

    // A disk limit nothing meets degrades; a memory limit nothing meets is critical.
    let health = Health::builder(())
        .check(DiskSpaceCheck::new("disk", "/").min_free_percent(100.5))
        .build()
        .unwrap();
    assert_eq!(health.readiness().await.status(), Status::Degraded);
    let health = Health::builder(())
        .check(MemoryCheck::new("memory", 1).critical())
        .build()
        .unwrap();
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::NotReady);
    assert_eq!(ready.check("memory").unwrap().reason(), Some(Reason::Error));
}
