//! The load-balancer settings of `docs/load-balancers.md`, run for real:
//! HAProxy and nginx with the configurations taken from the doc
//! ([`docs`]), in front of two instances of the demo service, under a
//! steady stream of requests ([`load`]).
//!
//! - [`configs`]: the documented configurations pass `haproxy -c` and
//!   `nginx -t`.
//! - [`rolling`]: a rolling restart behind HAProxy loses no request with
//!   the documented drain, and loses some without it.
//! - [`readiness`]: HAProxy takes an instance whose critical dependency is
//!   blackholed out of rotation, and keeps a `degraded` one in.
//! - [`passive`]: open-source nginx fails a stopped instance over to the
//!   other one.
//!
//! Each scenario prints its figures (`--nocapture`) and writes them to
//! `target/tmp/tests-lb/{scenario}.md`.

mod demo;
mod docs;
mod figures;
mod haproxy;
mod load;
mod nginx;
mod process;

mod configs;
mod passive;
mod readiness;
mod rolling;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// A scenario's temporary directory (configurations, sockets, logs, SQLite
/// files): removed afterwards, kept when the test fails so its logs can be
/// read.
struct Scratch(Option<tempfile::TempDir>);

impl Scratch {
    /// A new directory, readable by nginx's unprivileged worker.
    fn new() -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix("tests-lb-")
            .tempdir()
            .expect("a temporary directory");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        Scratch(Some(dir))
    }

    /// Its path.
    fn path(&self) -> &Path {
        self.0.as_ref().expect("the directory").path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(dir) = self.0.take() {
                eprintln!("logs of the failed run kept in {}", dir.keep().display());
            }
        }
    }
}
