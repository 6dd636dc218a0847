//! Where the real servers are: environment variables with defaults for the
//! services of the development machine and CI.

use std::net::SocketAddr;
use std::time::Duration;

/// A server the tests need, found through an environment variable.
pub struct Server {
    /// What it is, for messages.
    pub name: &'static str,
    /// The variable that overrides the default.
    pub env: &'static str,
    /// A URL (or `host:port` for MQTT) used when the variable is unset.
    pub default: &'static str,
}

pub const POSTGRES: Server = Server::new(
    "PostgreSQL",
    "HEALTH_TEST_POSTGRES_URL",
    "postgres://postgres@127.0.0.1:5432/test",
);
pub const MYSQL: Server = Server::new(
    "MySQL/MariaDB",
    "HEALTH_TEST_MYSQL_URL",
    "mysql://root@127.0.0.1:3306/test",
);
pub const REDIS: Server = Server::new("Redis", "HEALTH_TEST_REDIS_URL", "redis://127.0.0.1:6379");
pub const AMQP: Server = Server::new(
    "RabbitMQ",
    "HEALTH_TEST_AMQP_URL",
    "amqp://guest:guest@127.0.0.1:5672/%2f",
);
pub const NATS: Server = Server::new("NATS", "HEALTH_TEST_NATS_URL", "nats://127.0.0.1:4222");
pub const MQTT: Server = Server::new("MQTT broker (Mosquitto)", "HEALTH_TEST_MQTT_ADDR", "127.0.0.1:1883");

impl Server {
    const fn new(name: &'static str, env: &'static str, default: &'static str) -> Server {
        Server { name, env, default }
    }

    /// The configured URL (or address).
    pub fn url(&self) -> String {
        std::env::var(self.env).unwrap_or_else(|_| self.default.to_owned())
    }

    /// The server's address, after making sure something listens there.
    /// Panics with instructions when the server is absent.
    pub async fn addr(&self) -> SocketAddr {
        let url = self.url();
        let host_port = &url[host_port_range(&url)];
        let absent = |why: String| -> ! {
            panic!(
                "{name} is not reachable at {host_port} ({why}).\n\
                 These tests need a real {name} server and never skip. Start one there \
                 (`bash scripts/services.sh up` does), or point {env} at one (now: {url:?}; default: {default:?}).",
                name = self.name,
                env = self.env,
                default = self.default,
            )
        };
        let addr = match tokio::net::lookup_host(host_port).await {
            Ok(mut addrs) => addrs.next().unwrap_or_else(|| absent("no address".into())),
            Err(e) => absent(format!("cannot resolve: {e}")),
        };
        match tokio::time::timeout(Duration::from_secs(3), tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => addr,
            Ok(Err(e)) => absent(e.to_string()),
            Err(_) => absent("no answer to a TCP connect within 3 s".into()),
        }
    }

    /// The configured URL with its host and port replaced by `addr` (user,
    /// password, path and query kept): how a client is pointed at a proxy.
    pub fn url_via(&self, addr: SocketAddr) -> String {
        let url = self.url();
        let range = host_port_range(&url);
        format!("{}{addr}{}", &url[..range.start], &url[range.end..])
    }
}

/// Where `host:port` sits in a URL (`scheme://[userinfo@]host:port/...`) or
/// in a bare `host:port`.
fn host_port_range(url: &str) -> std::ops::Range<usize> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    let host_start = url[start..end].rfind('@').map_or(start, |i| start + i + 1);
    host_start..end
}

#[test]
fn urls_are_pointed_at_another_address() {
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let via = |url: &'static str| Server::new("x", "HEALTH_TEST_UNSET_FOR_THIS_TEST", url).url_via(addr);
    assert_eq!(via("postgres://u:p@db:5432/test"), "postgres://u:p@127.0.0.1:9/test");
    assert_eq!(
        via("amqp://guest:guest@mq:5672/%2f"),
        "amqp://guest:guest@127.0.0.1:9/%2f"
    );
    assert_eq!(via("redis://cache:6379"), "redis://127.0.0.1:9");
    assert_eq!(via("broker:1883"), "127.0.0.1:9");
}
