//! Child processes of a run: found on the machine, started in their own
//! process group, and killed with that group when dropped (nginx's workers
//! included).

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use rustix::process::{kill_process, kill_process_group, Pid, Signal};
use tokio::process::{Child, Command};

/// A running child process.
pub struct Process {
    name: String,
    child: Child,
    pid: Pid,
}

impl Process {
    /// Starts `command` in a process group of its own, its stdin closed and
    /// its stderr appended to `log`.
    pub fn spawn(name: impl Into<String>, mut command: Command, log: &Path) -> Process {
        let name = name.into();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", log.display()));
        command
            .process_group(0)
            .kill_on_drop(true)
            .stdin(Stdio::null())
            .stderr(log);
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let pid = child
            .id()
            .and_then(|id| Pid::from_raw(id as i32))
            .expect("a running child has a pid");
        Process { name, child, pid }
    }

    /// The child, for its pipes.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Sends SIGTERM, as an orchestrator stopping the instance does.
    pub fn terminate(&self) {
        kill_process(self.pid, Signal::TERM).unwrap_or_else(|e| panic!("cannot SIGTERM {}: {e}", self.name));
    }

    /// Waits for the process to exit.
    pub async fn exited(&mut self, within: Duration) -> ExitStatus {
        tokio::time::timeout(within, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("{} still runs after {within:?}", self.name))
            .unwrap_or_else(|e| panic!("cannot wait for {}: {e}", self.name))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Only while the leader runs: once it is reaped, its pid (and so the
        // group's id) may belong to someone else. tokio kills and reaps the
        // child itself (`kill_on_drop`).
        if let Ok(None) = self.child.try_wait() {
            let _ = kill_process_group(self.pid, Signal::KILL);
        }
    }
}

/// Where `name` is installed: on `PATH`, or in the `sbin` directories a
/// non-root `PATH` lacks (Debian puts nginx in `/usr/sbin`). Panics naming
/// the binary and how to install it when it is missing.
pub fn installed(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` is not installed: these tests run the real {name} and never skip. \
                 `bash scripts/test.sh` installs it (Debian: apt-get install -y {name})."
            )
        })
}

/// Runs a configuration checker to completion; panics with its output
/// unless it succeeds.
pub async fn check_config(what: &str, command: &mut Command) {
    let output = command
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run the {what} checker: {e}"));
    assert!(
        output.status.success(),
        "{what} rejects the configuration from docs/load-balancers.md ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A free port on `127.0.0.1` for a load balancer to listen on (the port is
/// released before the load balancer binds it; nothing else of this run
/// asks for one in between).
pub fn free_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
}

/// Waits until something accepts connections on `addr`.
pub async fn wait_for_port(addr: std::net::SocketAddr, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} does not listen on {addr} after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
