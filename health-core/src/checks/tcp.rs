//! Plain TCP connect (feature `tcp`).
//!
//! Resolves the target and opens a TCP connection, then closes it. This
//! proves that something accepts connections on the port, no more: a server
//! that accepts and then hangs passes, and one that accepts and resets at
//! once passes unless the reset lands before the connect completes. Prefer a protocol-level
//! check (the other modules) where one exists.
//!
//! Details: `latency_ms` (resolve + connect), `peer` (the address connected to).
//!
//! ```
//! use health_core::checks::tcp::{self, TcpCheck};
//! use health_core::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let target = listener.local_addr()?.to_string();
//! assert!(tcp::connect(&target).await.is_pass());
//!
//! let health = Health::builder(())
//!     .check(TcpCheck::new("ldap", target).critical())
//!     .build()?;
//! assert_eq!(health.readiness().await.status(), Status::Ready);
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;

use tokio::net::TcpStream;

use crate::checks::{builtin_check, timed, with_latency};
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// Connects to `target` (`host:port`; each resolved address in turn until
/// one accepts), then closes the connection.
pub async fn connect(target: &str) -> CheckOutcome {
    let (connected, latency) = timed(connect_any(target)).await;
    let outcome = match connected {
        Ok(peer) => CheckOutcome::pass().with_detail("peer", peer.to_string()),
        Err(e) => CheckOutcome::fail(format_args!("tcp connect to {target}: {e}")),
    };
    with_latency(outcome, latency)
}

/// The first address of `target` that accepts a connection. Nothing is done
/// on the connection after it is established: what the server does next is
/// not this check's business.
async fn connect_any(target: &str) -> io::Result<SocketAddr> {
    let mut last_error = None;
    for addr in tokio::net::lookup_host(target).await? {
        match TcpStream::connect(addr).await {
            Ok(_) => return Ok(addr),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address resolved")))
}

/// A [`Check`](crate::Check) connecting to `host:port` (see [`connect`]);
/// a non-critical readiness check with a 1 s deadline unless adjusted.
#[derive(Debug, Clone)]
pub struct TcpCheck {
    spec: CheckSpec,
    target: String,
}

impl TcpCheck {
    /// A check called `name` connecting to `target` (`host:port`, resolved
    /// on every run).
    pub fn new(name: impl Into<Cow<'static, str>>, target: impl Into<String>) -> TcpCheck {
        TcpCheck {
            spec: CheckSpec::with_name(name.into()),
            target: target.into(),
        }
    }
}

builtin_check!(TcpCheck, |this| connect(&this.target));

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::{Check, Probe, Probes};

    use super::TcpCheck;

    #[test]
    fn builder_methods_adjust_the_spec() {
        let check = TcpCheck::new("port", "127.0.0.1:1")
            .critical()
            .timeout(Duration::from_millis(250))
            .interval(Duration::from_secs(5))
            .probes(Probes::READINESS.with(Probe::Startup))
            .failure_threshold(3)
            .success_threshold(2);
        let spec = Check::<()>::spec(&check);
        assert_eq!(spec.name, "port");
        assert!(spec.critical && spec.in_probe(Probe::Startup));
        assert_eq!(
            (spec.timeout, spec.interval),
            (Duration::from_millis(250), Duration::from_secs(5))
        );
        assert_eq!((spec.failure_threshold, spec.success_threshold), (3, 2));
    }

    #[tokio::test]
    async fn a_closed_port_fails_with_the_os_error() {
        // Bind then drop: the port is closed (nothing listens) for a moment.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let outcome = super::connect(&format!("127.0.0.1:{port}")).await;
        assert!(!outcome.is_pass());
        assert!(outcome.message().unwrap().contains("refused"), "{outcome:?}");
    }
}
