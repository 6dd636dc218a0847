//! A report with more fields than one join tuple holds (16) nests tuples.

use health_core::prelude::*;

/// A dependency call: whether the working directory can be read.
fn reachable() -> bool {
    std::env::current_dir().is_ok()
}

macro_rules! report_of {
    ($($name:ident),*) => {
        $(
            #[health_check]
            async fn $name() -> bool {
                crate::reachable()
            }
        )*

        #[derive(HealthReport)]
        struct Large {
            $($name: CheckResult,)*
        }
    };
}

report_of!(c00, c01, c02, c03, c04, c05, c06, c07, c08, c09, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19);

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let report = Large::collect(&()).await;
    assert_eq!(report.status(), Status::Ready);
    let names: Vec<_> = report.results().map(|r| r.name().to_owned()).collect();
    assert_eq!(names.len(), 20);
    assert_eq!(names.first().map(String::as_str), Some("c00"));
    assert_eq!(names.last().map(String::as_str), Some("c19"));
    assert!(report.c17.passed());
}
