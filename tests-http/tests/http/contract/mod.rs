//! The HTTP contract (`docs/design.md`, "HTTP contract"), written once and
//! run against every adapter of `adapters.rs` over real sockets with a real
//! HTTP client: every row of the table, both body formats, HEAD, 405, 404,
//! malformed requests, the deep endpoint's access rules and redaction, the
//! status page, `/metrics`, and the drain on shutdown.
//!
//! Each case is an `async fn case<A: Adapter>()`; `contract_suite!` makes a
//! test module per adapter (`contract::actix::readiness_rows`, ...) with a
//! test per case.

pub mod deep;
mod drain;
mod page;
mod probes;

use std::net::SocketAddr;
use std::time::Duration;

use health_core::http::HealthHttp;

use crate::adapters::{adapters, Adapter};

/// How long servers drain unless a case says otherwise.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `http` with `A` in the background, without signal handlers where
/// the adapter lets `http` turn them off (cases shut down programmatically),
/// and returns where it listens.
pub async fn serve<A: Adapter>(http: HealthHttp) -> SocketAddr {
    A::serve(http.handle_signals(false), DRAIN).await.addr
}

/// A test module per adapter (`name => Type` of `adapters!`), a test per
/// case: the one list of cases.
macro_rules! contract_suite {
    ($($name:ident => $adapter:ident),* $(,)?) => {
        $(
            mod $name {
                contract_suite!(@cases $adapter;
                    probes::liveness_rows,
                    probes::readiness_rows,
                    probes::startup_rows_and_starting_readiness,
                    probes::health_json_on_request,
                    probes::head_is_get_without_a_body,
                    probes::other_methods_are_405,
                    probes::unknown_paths_are_404_and_run_nothing,
                    probes::malformed_requests_get_400_and_the_server_carries_on,
                    probes::paths_are_configurable,
                    probes::metrics_are_served_only_with_an_exporter_behind_the_deep_door,
                    deep::without_a_token_it_is_hidden_like_an_unknown_path,
                    deep::with_a_token_only_the_right_bearer_gets_in,
                    deep::the_deep_report_in_health_json,
                    page::a_browser_gets_the_page_with_a_strict_policy_and_escaped_text,
                    page::the_page_follows_the_same_access_rules_and_leaks_nothing,
                    page::json_clients_keep_json_and_can_ask_for_the_history,
                    drain::readiness_flips_first_then_the_listener_drains_and_stops,
                    drain::liveness_stays_200_during_the_drain,
                    drain::new_connections_are_answered_for_the_whole_drain_delay,
                );
            }
        )*
    };
    (@cases $adapter:ident; $($file:ident::$case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                crate::contract::$file::$case::<crate::adapters::$adapter>().await;
            }
        )*
    };
}

adapters!(contract_suite);
