//! `GET /metrics`: the Prometheus text exposition of what the monitor, Graph and the alerts did,
//! kept with the `prometheus-client` crate (the Prometheus project's Rust client; see its docs on
//! docs.rs: `Registry`, `Family`, `encoding::prometheus_text`).
//!
//! The endpoint needs no session, like any scrape target: it tells rule names and counts, never
//! tenant names, ids or URLs, but it should still be reachable from the internal network only
//! (README, "Alerts and metrics").

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::AppState;

/// The content type of the Prometheus text format 0.0.4 (what
/// `prometheus_client::encoding::prometheus_text::encode` writes).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Run durations, in seconds: a quick demo run to a slow 100-tenant run.
const RUN_BUCKETS: [f64; 11] = [
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FindingLabels {
    rule: String,
    severity: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GraphLabels {
    caller: String,
    /// `2xx`, `4xx`…, or `none` when no answer came.
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AlertLabels {
    kind: String,
    /// `sent` or `failed`.
    outcome: String,
}

/// Counters and gauges, updated where things happen.
pub struct Metrics {
    registry: Registry,
    findings_open: Family<FindingLabels, Gauge>,
    /// The finding label sets set so far, so those a run no longer sees drop to 0.
    findings_seen: Mutex<HashSet<FindingLabels>>,
    run_duration: Histogram,
    runs: Counter,
    run_requests: Gauge,
    graph_requests: Family<GraphLabels, Counter>,
    alerts: Family<AlertLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn new() -> Self {
        let findings_open = Family::<FindingLabels, Gauge>::default();
        let run_duration = Histogram::new(RUN_BUCKETS);
        let runs = Counter::default();
        let run_requests = Gauge::default();
        let graph_requests = Family::<GraphLabels, Counter>::default();
        let alerts = Family::<AlertLabels, Counter>::default();
        // Counters are registered without `_total`: the encoder adds it.
        let mut registry = Registry::with_prefix("tenant_mesh");
        registry.register(
            "findings_open",
            "Open health findings after the latest monitor run, by rule and severity",
            findings_open.clone(),
        );
        registry.register(
            "monitor_run_duration_seconds",
            "Wall time of monitor runs",
            run_duration.clone(),
        );
        registry.register("monitor_runs", "Monitor runs that ended", runs.clone());
        registry.register(
            "monitor_last_run_graph_requests",
            "HTTP requests the latest monitor run sent to Graph (a $batch is one)",
            run_requests.clone(),
        );
        registry.register(
            "graph_requests",
            "Graph HTTP answers by status class (none: no answer) and caller (monitor or delegated)",
            graph_requests.clone(),
        );
        registry.register(
            "alert_deliveries",
            "Alert deliveries that ended, by target kind and outcome (sent or failed)",
            alerts.clone(),
        );
        Self {
            registry,
            findings_open,
            findings_seen: Mutex::new(HashSet::new()),
            run_duration,
            runs,
            run_requests,
            graph_requests,
            alerts,
        }
    }

    /// One monitor run ended.
    pub fn record_run(&self, duration_secs: f64, requests: u64) {
        self.run_duration.observe(duration_secs);
        self.runs.inc();
        self.run_requests
            .set(i64::try_from(requests).unwrap_or(i64::MAX));
    }

    /// The open findings after a run, as `(rule, severity, count)`; rules and severities seen
    /// before and absent now drop to 0 (a series that vanished would look like a gap, not a fix).
    pub fn set_findings(&self, open: &[(String, String, u64)]) {
        let mut seen = self
            .findings_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for labels in seen.iter() {
            self.findings_open.get_or_create(labels).set(0);
        }
        for (rule, severity, count) in open {
            let labels = FindingLabels {
                rule: rule.clone(),
                severity: severity.clone(),
            };
            self.findings_open
                .get_or_create(&labels)
                .set(i64::try_from(*count).unwrap_or(i64::MAX));
            seen.insert(labels);
        }
    }

    /// One Graph answer (or `None` for no answer), by who asked (`monitor` or `delegated`).
    pub fn graph_response(&self, caller: &str, status: Option<u16>) {
        let labels = GraphLabels {
            caller: caller.to_owned(),
            status: status_class(status).to_owned(),
        };
        self.graph_requests.get_or_create(&labels).inc();
    }

    /// An observer for a `graph::client::GraphClient` that counts its answers as `caller`'s.
    pub fn graph_observer(
        self: &Arc<Self>,
        caller: &'static str,
    ) -> graph::client::ResponseObserver {
        let metrics = Arc::clone(self);
        graph::client::ResponseObserver::new(move |status| metrics.graph_response(caller, status))
    }

    /// A target of this kind is configured: its series exist from the start, at 0 (a series that
    /// appears only at the first failure cannot be alerted on by `rate()` or `increase()`).
    pub fn alert_target(&self, target_kind: &str) {
        for outcome in ["sent", "failed"] {
            let labels = AlertLabels {
                kind: target_kind.to_owned(),
                outcome: outcome.to_owned(),
            };
            drop(self.alerts.get_or_create(&labels));
        }
    }

    /// One alert delivery that ended, sent or failed.
    pub fn alert(&self, target_kind: &str, sent: bool) {
        let labels = AlertLabels {
            kind: target_kind.to_owned(),
            outcome: if sent { "sent" } else { "failed" }.to_owned(),
        };
        self.alerts.get_or_create(&labels).inc();
    }

    /// The text exposition (Prometheus text format 0.0.4).
    pub fn render(&self) -> String {
        let mut text = String::new();
        if let Err(error) =
            prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
        {
            tracing::error!(%error, "the metrics could not be encoded");
        }
        text
    }
}

/// `2xx`, `3xx`, `4xx`, `5xx` (`1xx` never reaches a client), or `none`.
fn status_class(status: Option<u16>) -> &'static str {
    match status {
        None => "none",
        Some(100..=199) => "1xx",
        Some(200..=299) => "2xx",
        Some(300..=399) => "3xx",
        Some(400..=499) => "4xx",
        Some(_) => "5xx",
    }
}

/// `GET /metrics`: no session needed (keep it internal: README).
pub async fn serve(State(state): State<AppState>) -> Response {
    (
        [(http::header::CONTENT_TYPE, CONTENT_TYPE)],
        state.metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_counted_by_class() {
        assert_eq!(status_class(Some(200)), "2xx");
        assert_eq!(status_class(Some(429)), "4xx");
        assert_eq!(status_class(Some(503)), "5xx");
        assert_eq!(status_class(None), "none");
    }

    #[test]
    fn the_exposition_names_every_metric() {
        let metrics = Arc::new(Metrics::new());
        metrics.record_run(1.5, 12);
        metrics.set_findings(&[("sync-quarantined".into(), "error".into(), 2)]);
        metrics.set_findings(&[]);
        metrics.graph_response("monitor", Some(429));
        metrics.alert("teams", true);
        let text = metrics.render();
        for line in [
            "tenant_mesh_findings_open{rule=\"sync-quarantined\",severity=\"error\"} 0",
            "tenant_mesh_monitor_run_duration_seconds_count 1",
            "tenant_mesh_monitor_runs_total 1",
            "tenant_mesh_monitor_last_run_graph_requests 12",
            "tenant_mesh_graph_requests_total{caller=\"monitor\",status=\"4xx\"} 1",
            "tenant_mesh_alert_deliveries_total{kind=\"teams\",outcome=\"sent\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
