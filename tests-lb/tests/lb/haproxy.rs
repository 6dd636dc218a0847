//! HAProxy with the documented configuration, and what its stats socket
//! says about each server over time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::process::Command;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::docs;
use crate::process::{check_config, installed, Process};

/// How often the stats socket is read.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// The documented server names, in the doc's order.
pub const SERVERS: [&str; 2] = ["app1", "app2"];

/// A server's line of `show stat`.
#[derive(Debug, Clone, Default)]
pub struct ServerStat {
    /// `UP`, `UP 1/3` (failing, still in rotation), `DOWN`, `DOWN 1/2`
    /// (passing, not yet back)...
    pub status: String,
    /// Requests sent to the server so far (`stot`).
    pub requests: u64,
    /// Connection errors (`econ`), refused connections among them.
    pub connect_errors: u64,
    /// Retried connections (`wretr`).
    pub retries: u64,
}

impl ServerStat {
    /// Whether HAProxy sends it new requests.
    pub fn in_rotation(&self) -> bool {
        self.status.starts_with("UP")
    }
}

/// What the stats socket said at one moment.
struct Sample {
    at: Instant,
    servers: HashMap<String, ServerStat>,
}

/// A running HAProxy, its stats sampled every [`SAMPLE_EVERY`].
pub struct Haproxy {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The configuration it runs.
    pub config: String,
    samples: Arc<Mutex<Vec<Sample>>>,
    sampler: AbortHandle,
    _process: Process,
}

impl Haproxy {
    /// Checks the documented configuration for `servers` with `haproxy -c`,
    /// starts HAProxy with it in the foreground, and waits until both
    /// servers are in rotation.
    pub async fn start(dir: &Path, servers: [SocketAddr; 2]) -> Haproxy {
        let local = docs::Local::new(dir, servers);
        let (file, config) = checked_config(&local, dir).await;

        let mut command = Command::new(installed("haproxy"));
        command.arg("-db").arg("-f").arg(&file).stdout(Stdio::null());
        let process = Process::spawn("haproxy", command, &dir.join("haproxy.log"));
        let socket = local.stats_socket;
        let samples = Arc::new(Mutex::new(Vec::new()));
        let sampler = tokio::spawn(sample(socket, Arc::clone(&samples))).abort_handle();
        let haproxy = Haproxy {
            addr: local.listen,
            config,
            samples,
            sampler,
            _process: process,
        };
        for server in SERVERS {
            haproxy
                .wait_until(server, "in rotation", Duration::from_secs(30), ServerStat::in_rotation)
                .await;
        }
        haproxy
    }

    /// Waits until `server`'s stats satisfy `condition` in a sample taken
    /// after this call; returns that sample's time.
    pub async fn wait_until(
        &self,
        server: &str,
        what: &str,
        within: Duration,
        condition: impl Fn(&ServerStat) -> bool,
    ) -> Instant {
        let asked = Instant::now();
        loop {
            let found = self
                .samples
                .lock()
                .unwrap()
                .iter()
                .rev()
                .take_while(|sample| sample.at >= asked)
                .filter(|sample| sample.servers.get(server).is_some_and(&condition))
                .last()
                .map(|sample| sample.at);
            if let Some(at) = found {
                return at;
            }
            assert!(
                asked.elapsed() < within,
                "HAProxy's {server} is not {what} after {within:?}: {:?}",
                self.latest(server)
            );
            tokio::time::sleep(SAMPLE_EVERY).await;
        }
    }

    /// The latest stats of `server`.
    pub fn latest(&self, server: &str) -> ServerStat {
        let samples = self.samples.lock().unwrap();
        let latest = samples.last().and_then(|sample| sample.servers.get(server));
        latest.cloned().unwrap_or_default()
    }

    /// Whether `server`'s stats satisfy `condition` in every sample of
    /// `from..until`.
    pub fn always(&self, server: &str, from: Instant, until: Instant, condition: impl Fn(&ServerStat) -> bool) -> bool {
        let samples = self.samples.lock().unwrap();
        samples
            .iter()
            .filter(|sample| (from..until).contains(&sample.at))
            .all(|sample| sample.servers.get(server).is_some_and(&condition))
    }

    /// The first sample time in `from..until` at which `server` had
    /// received every request it ever got before `until`: the moment
    /// traffic stopped reaching it (to within [`SAMPLE_EVERY`]).
    pub fn traffic_stopped(&self, server: &str, from: Instant, until: Instant) -> Option<Instant> {
        let samples = self.samples.lock().unwrap();
        let window: Vec<(Instant, u64)> = samples
            .iter()
            .filter(|sample| (from..until).contains(&sample.at))
            .filter_map(|sample| Some((sample.at, sample.servers.get(server)?.requests)))
            .collect();
        let (_, total) = *window.last()?;
        window
            .iter()
            .find(|(_, requests)| *requests == total)
            .map(|(at, _)| *at)
    }
}

/// Writes the documented configuration for `local` to `dir/haproxy.cfg`
/// and checks it with `haproxy -c`; returns the file and its text.
pub async fn checked_config(local: &docs::Local, dir: &Path) -> (PathBuf, String) {
    let config = local.haproxy();
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, &config).expect("write haproxy.cfg");
    check_config(
        "haproxy",
        Command::new(installed("haproxy")).arg("-c").arg("-f").arg(&file),
    )
    .await;
    (file, config)
}

/// The drain the doc's rule asks for with the documented `inter` and
/// `fall`, as run (scaled by [`docs::TIME_SCALE`]).
pub fn documented_drain() -> Duration {
    let config = docs::Local::new(Path::new("/nowhere"), [SocketAddr::from(([127, 0, 0, 1], 1)); 2]).haproxy();
    docs::drain_rule(docs::duration(&config, "inter"), docs::count(&config, "fall"))
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        self.sampler.abort();
    }
}

/// Reads `show stat` every [`SAMPLE_EVERY`] into `samples`.
async fn sample(socket: PathBuf, samples: Arc<Mutex<Vec<Sample>>>) {
    let mut ticks = tokio::time::interval(SAMPLE_EVERY);
    loop {
        ticks.tick().await;
        // Not listening yet (start-up): try again at the next tick.
        if let Ok(csv) = show_stat(&socket).await {
            let at = Instant::now();
            samples.lock().unwrap().push(Sample {
                at,
                servers: parse_stat(&csv),
            });
        }
    }
}

/// One `show stat` on the stats socket (HAProxy answers and closes).
async fn show_stat(socket: &Path) -> std::io::Result<String> {
    let mut stream = UnixStream::connect(socket).await?;
    stream.write_all(b"show stat\n").await?;
    let mut csv = String::new();
    stream.read_to_string(&mut csv).await?;
    Ok(csv)
}

/// The servers of backend `app` in `show stat`'s CSV (first line: `# pxname,svname,...`).
fn parse_stat(csv: &str) -> HashMap<String, ServerStat> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .and_then(|line| line.strip_prefix("# "))
        .map(|line| line.split(',').collect())
        .unwrap_or_default();
    let column = |name: &str| header.iter().position(|field| *field == name);
    let (Some(proxy), Some(server), Some(status), Some(stot), Some(econ), Some(wretr)) = (
        column("pxname"),
        column("svname"),
        column("status"),
        column("stot"),
        column("econ"),
        column("wretr"),
    ) else {
        return HashMap::new();
    };
    let number = |fields: &[&str], at: usize| fields.get(at).and_then(|v| v.parse().ok()).unwrap_or(0);
    lines
        .map(|line| line.split(',').collect::<Vec<_>>())
        .filter(|fields| fields.get(proxy) == Some(&"app") && SERVERS.contains(fields.get(server).unwrap_or(&"")))
        .map(|fields| {
            let stat = ServerStat {
                status: fields[status].to_owned(),
                requests: number(&fields, stot),
                connect_errors: number(&fields, econ),
                retries: number(&fields, wretr),
            };
            (fields[server].to_owned(), stat)
        })
        .collect()
}
