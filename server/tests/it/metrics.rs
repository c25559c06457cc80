//! `GET /metrics`: the Prometheus text exposition, without a session, counting the Graph answers
//! the delegated pages got.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{browser, page, sign_in, start_configured};
use emulator::scenario::CONTOSO;
use emulator::{Clock, Scenario};
use tenant_mesh_server::secret::Secret;
use tenant_mesh_server::settings::{AlertKind, AlertTarget};

#[tokio::test]
async fn metrics_answer_without_a_session_with_every_metric_after_some_activity() {
    let h = start_configured(Scenario::demo(), Clock::real(), |settings| {
        settings.alerts = vec![AlertTarget {
            name: "ops".into(),
            kind: AlertKind::Teams,
            url: Secret::new("http://127.0.0.1:9/hooks/secret"),
            min_severity: None,
        }];
    })
    .await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    // The mesh page reads Graph with the person's token.
    page(&h, &client, "/").await;

    let response = reqwest::get(format!("{}/metrics", h.dashboard))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    // `tenant_mesh_findings_open` has series once a monitor run has ended (tests/it/monitor.rs).
    for name in [
        "# TYPE tenant_mesh_monitor_run_duration_seconds histogram",
        "# TYPE tenant_mesh_monitor_runs_total counter",
        "# TYPE tenant_mesh_graph_requests_total counter",
        "tenant_mesh_alert_deliveries_total{kind=\"teams\",outcome=\"sent\"} 0",
        "tenant_mesh_alert_deliveries_total{kind=\"teams\",outcome=\"failed\"} 0",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
    let delegated = text
        .lines()
        .find(|line| {
            line.starts_with(
                "tenant_mesh_graph_requests_total{caller=\"delegated\",status=\"2xx\"}",
            )
        })
        .unwrap_or_else(|| panic!("no delegated Graph answers counted in\n{text}"));
    let count: f64 = delegated.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 1.0, "{delegated}");
}
