//! The documented configurations, as the tests run them, pass the load
//! balancers' own checkers.

use std::net::SocketAddr;

use regex::Regex;

use crate::{docs, haproxy, nginx, Scratch};

/// Two instances nobody listens on: the checkers do not connect.
const SERVERS: [SocketAddr; 2] = [
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 1),
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 2),
];

#[tokio::test]
async fn haproxy_accepts_the_documented_configuration() {
    let scratch = Scratch::new();
    let local = docs::Local::new(scratch.path(), SERVERS);
    let (_, config) = haproxy::checked_config(&local, scratch.path()).await;
    assert_substituted(&config, &local);
}

#[tokio::test]
async fn nginx_accepts_the_documented_configuration() {
    let scratch = Scratch::new();
    let local = docs::Local::new(scratch.path(), SERVERS);
    let (_, config) = nginx::checked_config(&local, scratch.path()).await;
    assert_substituted(&config, &local);
}

#[test]
fn the_haproxy_block_states_the_drain_rule_for_its_own_settings() {
    let block = docs::block("haproxy.cfg");
    let (inter, fall) = (docs::duration(block, "inter"), docs::count(block, "fall"));
    let comment = Regex::new(r"drain delay >= (\d+) s x \((\d+) \+ 1\) = (\d+) s").unwrap();
    let stated = comment
        .captures(block)
        .unwrap_or_else(|| panic!("no `# drain delay >= I s x (F + 1) = D s` comment in\n{block}"));
    let number = |group: usize| stated[group].parse::<u64>().unwrap();
    assert_eq!(
        (number(1), number(2), number(3)),
        (
            inter.as_secs(),
            u64::from(fall),
            docs::drain_rule(inter, fall).as_secs()
        ),
        "the comment's figures are not the block's inter and fall"
    );
}

/// No documented address is left; the instances and the listening address
/// took their place.
fn assert_substituted(config: &str, local: &docs::Local) {
    assert!(!config.contains("10.0.0."), "{config}");
    for addr in SERVERS.iter().chain([&local.listen]) {
        assert!(config.contains(&addr.to_string()), "{addr} in\n{config}");
    }
}
