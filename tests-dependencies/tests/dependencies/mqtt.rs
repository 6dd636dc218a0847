//! MQTT through rumqttc: `checks::mqtt`, fed by the application's event loop.

use std::time::Duration;

use health_core::checks::mqtt::{MqttCheck, MqttMonitor};
use health_core::Reason;
use health_testkit::{Expect, Step};
use rumqttc::{AsyncClient, MqttOptions};

use crate::matrix::{self, Profile};
use crate::servers::MQTT;

const KEEP_ALIVE: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rumqttc_fault_matrix() {
    // The check reads what the event loop observed, so it answers at once:
    // refused and reset connections are errors the event loop reports; a
    // silent broker is noticed by the event loop's keep-alive ping (two
    // periods), as an error; latency below the keep-alive is not seen.
    let declared = [
        (
            Step::Blackhole,
            Expect::FailWithin(Reason::Error, KEEP_ALIVE * 2 + Duration::from_secs(1)),
            "the event loop notices a silent broker when its keep-alive ping goes unanswered",
        ),
        (
            Step::Slow,
            Expect::Pass,
            "the check sends nothing; latency below the keep-alive period is not seen",
        ),
    ];
    let profile = Profile {
        declared: &declared,
        round_trip: false,
        details: &["state", "connects", "keep_alive_s", "last_packet_ms_ago"],
    };
    matrix::run(&MQTT, profile, async |addr| {
        let client_id = format!("health-core-test-{}", std::process::id());
        let mut options = MqttOptions::new(client_id, addr.ip().to_string(), addr.port());
        options.set_keep_alive(KEEP_ALIVE);
        let monitor = MqttMonitor::new(&options);
        let (client, mut eventloop) = AsyncClient::new(options, 10);
        let observer = monitor.clone();
        // The application's event-loop task.
        tokio::spawn(async move {
            let _client = client; // the loop ends when every client is gone
            loop {
                let polled = eventloop.poll().await;
                observer.observe(&polled);
                if polled.is_err() {
                    // rumqttc reconnects on the next poll; don't spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        });
        MqttCheck::new("mqtt", monitor)
    })
    .await;
}
