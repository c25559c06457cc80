//! Benchmark: one app-only monitor run over the 100-tenant scale scenario with 50 ms injected
//! latency on every Graph call — tokens through `azure_identity` (client secret) from the emulator
//! over HTTPS, every tenant read with `$batch` a bounded number at a time, findings followed in
//! SQLite. Prints the wall time and the Graph requests of a first run (tokens asked) and a second
//! one (tokens cached). Targets: at most 3 s and 250 requests.
//! Run: `cargo bench -p server --bench monitor`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use emulator::{Clock, Emulator, Scenario};
use serde_json::json;
use tenant_mesh_server::alerts::{AlertRetry, Alerts};
use tenant_mesh_server::metrics::Metrics;
use tenant_mesh_server::monitor::Monitor;
use tenant_mesh_server::Settings;

const TENANTS: usize = 100;
const LATENCY_MS: u64 = 50;

async fn run(label: &str, monitor: &Monitor) {
    let started = Instant::now();
    let run = monitor.run_once(0).await.unwrap();
    let elapsed = started.elapsed();
    let problems = run.tenants.iter().filter(|t| t.problem.is_some()).count();
    let mesh = monitor.latest_mesh().unwrap();
    println!(
        "{label:<28} {:>6.2} s  {:>4} Graph requests  ({} tenants, {problems} with a problem, {} active, {} findings)",
        elapsed.as_secs_f64(),
        run.requests,
        run.tenants.len(),
        mesh.active().count(),
        app::mesh::health::findings(&mesh).len(),
    );
}

#[tokio::main]
async fn main() {
    let scenario = Scenario::scale(TENANTS, 20);
    let ids: Vec<String> = scenario.tenants.iter().map(|t| t.id.clone()).collect();
    let emulator = Emulator::new(scenario.clone(), Clock::real())
        .unwrap()
        .with_controls();
    let backend = tenant_mesh_server::backend::serve_emulator(emulator, &scenario)
        .await
        .unwrap();
    let http_base = backend.graph_base_url.clone();
    let mut settings = Settings::default();
    settings.monitor.tenants = ids;
    // Mesh reads only: the scheduled snapshot is measured by the snapshot bench.
    settings.monitor.snapshot_secs = 0;
    let dir = tempfile::tempdir().unwrap();
    let url = tenant_mesh_server::store::sqlite_url(&dir.path().join("db.sqlite"));
    let pool = tenant_mesh_server::store::open(&url, true).await.unwrap();
    let metrics = Arc::new(Metrics::new());
    let alerts = Arc::new(Alerts::new(
        Vec::new(),
        &pool,
        Arc::clone(&metrics),
        reqwest::Client::new(),
        AlertRetry::default(),
    ));
    let monitor = Monitor::from_settings(&settings, &backend, pool, alerts, metrics).unwrap();

    let response = reqwest::Client::new()
        .post(format!("{http_base}/_emulator/faults"))
        .json(&json!({"pathPrefix": "/v1.0/", "kind": "latency", "millis": LATENCY_MS}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    println!(
        "monitor run: {TENANTS} tenants in one MTO, {LATENCY_MS} ms latency on every Graph call, over HTTPS"
    );
    run("first run (tokens asked)", &monitor).await;
    run("second run (tokens cached)", &monitor).await;
    println!("targets: at most 3 s and 250 Graph requests");
}
