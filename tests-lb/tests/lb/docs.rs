//! The configurations under test, taken from `docs/load-balancers.md`.
//!
//! The doc marks each block the tests run with an HTML comment on the line
//! before it, `<!-- tests-lb: NAME -->`; [`block`] finds it. [`Local`] then
//! rewrites the documented production values for a run on loopback, with
//! these rules (each must apply, so a doc edit that defeats one fails the
//! tests instead of running something else than the doc says):
//!
//! | in the doc | in the run |
//! |---|---|
//! | `10.0.0.11:8080`, `10.0.0.12:8080` | the two demo instances |
//! | `bind :80` (HAProxy), `listen 80` (nginx) | a free port on `127.0.0.1` |
//! | `/run/haproxy/admin.sock` | a socket in the run's temporary directory |
//! | `inter 5s` (HAProxy) | divided by [`TIME_SCALE`]: `inter 500ms` |
//! | `fail_timeout=10s` (nginx) | divided by [`TIME_SCALE`]: `fail_timeout=1s` |
//!
//! Everything else (thresholds, timeouts, retries) runs as documented.
//! Deadlines of the demo's checks are not scaled, so `timeout check` is not
//! either.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::{Captures, Regex};

/// `docs/load-balancers.md`, compiled in: the tests rebuild when it changes.
const DOC: &str = include_str!("../../../docs/load-balancers.md");

/// The documented check intervals are divided by this in the runs.
pub const TIME_SCALE: u32 = 10;

/// The fenced code block marked `<!-- tests-lb: {name} -->` in the doc.
pub fn block(name: &str) -> &'static str {
    let marked = Regex::new(&format!(
        r"(?s)<!-- tests-lb: {} -->\n```[\w-]*\n(.*?\n)```",
        regex::escape(name)
    ))
    .expect("a valid pattern");
    let blocks: Vec<_> = marked.captures_iter(DOC).collect();
    match blocks.as_slice() {
        [block] => block.get(1).expect("the block's group").as_str(),
        [] => panic!("docs/load-balancers.md has no code block after `<!-- tests-lb: {name} -->`"),
        _ => panic!(
            "docs/load-balancers.md marks {} blocks `tests-lb: {name}`",
            blocks.len()
        ),
    }
}

/// What a run puts in place of the documented addresses and paths.
pub struct Local {
    /// Where the load balancer listens.
    pub listen: SocketAddr,
    /// The two demo instances, in the doc's order.
    pub servers: [SocketAddr; 2],
    /// HAProxy's stats socket.
    pub stats_socket: PathBuf,
}

impl Local {
    /// A free port to listen on, `servers`, and paths in `dir`.
    pub fn new(dir: &Path, servers: [SocketAddr; 2]) -> Local {
        Local {
            listen: crate::process::free_port(),
            servers,
            stats_socket: dir.join("admin.sock"),
        }
    }

    /// The HAProxy configuration of the doc, for this run.
    pub fn haproxy(&self) -> String {
        let socket = self.stats_socket.display().to_string();
        let mut config = self.servers_in(block("haproxy.cfg"));
        config = rewrite(&config, r"/run/haproxy/admin\.sock", |_| socket.clone());
        config = rewrite(&config, r"\bbind :80\b", |_| format!("bind {}", self.listen));
        rewrite(&config, r"\binter (\d+)s\b", |found| {
            format!("inter {}ms", seconds(found).as_millis())
        })
    }

    /// The nginx configuration of the doc (an `http` context), for this run.
    pub fn nginx(&self) -> String {
        let mut config = self.servers_in(block("nginx.conf"));
        config = rewrite(&config, r"\blisten 80;", |_| format!("listen {};", self.listen));
        rewrite(&config, r"\bfail_timeout=(\d+)s\b", |found| {
            let scaled = seconds(found);
            assert!(
                scaled.subsec_nanos() == 0,
                "nginx takes whole seconds in fail_timeout; {scaled:?} is not"
            );
            format!("fail_timeout={}s", scaled.as_secs())
        })
    }

    fn servers_in(&self, config: &str) -> String {
        let config = rewrite(config, r"\b10\.0\.0\.11:8080\b", |_| self.servers[0].to_string());
        rewrite(&config, r"\b10\.0\.0\.12:8080\b", |_| self.servers[1].to_string())
    }
}

/// Replaces every match of `pattern` in `text`; panics when there is none.
fn rewrite(text: &str, pattern: &str, replace: impl Fn(&Captures) -> String) -> String {
    let regex = Regex::new(pattern).expect("a valid pattern");
    assert!(
        regex.is_match(text),
        "docs/load-balancers.md changed: nothing matches `{pattern}` in\n{text}\n\
         Update the rules in tests-lb/tests/lb/docs.rs (and the doc's section on tests)."
    );
    regex.replace_all(text, |found: &Captures| replace(found)).into_owned()
}

/// The documented seconds in the first group, divided by [`TIME_SCALE`].
fn seconds(found: &Captures) -> Duration {
    let documented: u64 = found[1].parse().expect("digits");
    Duration::from_secs(documented) / TIME_SCALE
}

/// The doc's rule ("Matching timings"): drain delay ≥ interval × (unhealthy
/// threshold + 1).
pub fn drain_rule(interval: Duration, unhealthy_threshold: u32) -> Duration {
    interval * (unhealthy_threshold + 1)
}

/// The value after `name` (`fall 3`, `max_fails=2`, `inter 500ms`) in a
/// configuration; panics unless it is there, with one value.
pub fn setting(config: &str, name: &str) -> String {
    let regex = Regex::new(&format!(r"\b{}[ =](\w+)", regex::escape(name))).expect("a valid pattern");
    let mut values: Vec<&str> = regex
        .captures_iter(config)
        .map(|found| found.get(1).unwrap().as_str())
        .collect();
    values.dedup();
    match values.as_slice() {
        [value] => (*value).to_owned(),
        _ => panic!("expected one value of `{name}` in the configuration, found {values:?}:\n{config}"),
    }
}

/// A count setting (`fall`, `max_fails`).
pub fn count(config: &str, name: &str) -> u32 {
    let value = setting(config, name);
    value
        .parse()
        .unwrap_or_else(|_| panic!("`{name} {value}` is not a count"))
}

/// A time setting in milliseconds or seconds (`inter 500ms`, `fail_timeout=1s`).
pub fn duration(config: &str, name: &str) -> Duration {
    let value = setting(config, name);
    let number = |digits: &str| digits.parse::<u64>().ok();
    match (value.strip_suffix("ms"), value.strip_suffix('s')) {
        (Some(ms), _) => number(ms).map(Duration::from_millis),
        (None, Some(s)) => number(s).map(Duration::from_secs),
        _ => None,
    }
    .unwrap_or_else(|| panic!("`{name} {value}` is not a time in ms or s"))
}
