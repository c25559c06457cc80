//! Benchmark: a configuration snapshot (the drift page's and the monitor's schedule's) of the
//! 100-tenant scale scenario with 50 ms injected latency on every Graph call, read as the monitor's
//! scheduled snapshot reads it: app-only tokens through `azure_identity` (client secret) from the
//! emulator over HTTPS, then every tenant's configuration with `$batch` (16 tenants at a time).
//! Takes the snapshot three times — the first with a fresh credential (tokens asked), then with
//! tokens cached — and prints wall time, Graph requests (a `$batch` counts as one), the size of the
//! JSON export and the tenants and objects held; then the same at 0 ms latency for comparison.
//! Run: `cargo bench -p server --bench snapshot`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use app::drift::snapshot::Snapshot;
use app::drift::Origin;
use emulator::{Clock, Emulator, Scenario};
use graph::client::GraphClient;
use graph::TenantId;
use serde_json::json;
use tenant_mesh_server::backend::Backend;
use tenant_mesh_server::drift::reader::{read_all, TenantSource};
use tenant_mesh_server::mesh::reader::RequestCounter;
use tenant_mesh_server::monitor::credential::AppCredential;
use tenant_mesh_server::Settings;

const TENANTS: usize = 100;
const LATENCY_MS: u64 = 50;
const RUNS: usize = 3;
/// A run that takes longer than this is a hang, not a measurement.
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// Unread parts shown when some tenant could not be read in full.
const UNREAD_SHOWN: usize = 5;

/// One snapshot's numbers.
struct Measured {
    tokens: Duration,
    total: Duration,
    requests: u64,
    bytes: usize,
    tenants: usize,
    objects: usize,
}

/// One snapshot of `tenants` (id, name) as the monitor's schedule takes it: a token per tenant
/// from `credential` (asked, or cached by `azure_identity`), then `read_all`.
async fn snapshot_once(
    graph: &GraphClient,
    credential: &AppCredential,
    tenants: &[(String, String)],
) -> (Snapshot, Measured) {
    let started = Instant::now();
    let mut sources = Vec::with_capacity(tenants.len());
    for (id, name) in tenants {
        let tenant: TenantId = id
            .parse()
            .expect("the scale scenario's tenant ids are UUIDs");
        let token = credential
            .token(&tenant)
            .await
            .expect("the emulator gives the demo app a token for every scale tenant");
        sources.push(TenantSource {
            tenant_id: id.clone(),
            name: name.clone(),
            token,
            read_by: "monitor (app-only)".to_owned(),
        });
    }
    let tokens = started.elapsed();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let mut snapshot = Snapshot::new(
        app::mesh::time::iso(now),
        "monitor (app-only)".to_owned(),
        Origin::Schedule,
    );
    let requests = RequestCounter::default();
    read_all(graph, &sources, &requests, &mut snapshot).await;
    let total = started.elapsed();
    let bytes = snapshot.to_json().len();
    let measured = Measured {
        tokens,
        total,
        requests: requests.total(),
        bytes,
        tenants: snapshot.tenants.len(),
        objects: snapshot.objects(),
    };
    (snapshot, measured)
}

/// What the snapshot holds per tenant, by kind (to see whether the scenario has much to read).
fn describe_contents(snapshot: &Snapshot) {
    let tenants = snapshot.tenants.len().max(1) as f64;
    let mut kinds = [0usize; 8];
    for t in snapshot.tenants.values() {
        kinds[0] += usize::from(t.organization.is_some());
        kinds[1] += t.members.as_ref().map_or(0, |m| m.len());
        kinds[2] += usize::from(t.partner_template.is_some())
            + usize::from(t.identity_sync_template.is_some());
        kinds[3] += t.partners.as_ref().map_or(0, |p| p.len());
        kinds[4] += t.identity_sync.as_ref().map_or(0, |p| p.len());
        if let Some(configs) = &t.sync_configurations {
            kinds[5] += configs.len();
            kinds[6] += configs
                .values()
                .map(|c| c.jobs.as_ref().map_or(0, |j| j.len()))
                .sum::<usize>();
            kinds[7] += configs
                .values()
                .map(|c| c.assignments.as_ref().map_or(0, |a| a.len()))
                .sum::<usize>();
        }
    }
    let per = |n: usize| n as f64 / tenants;
    println!(
        "  per tenant: {:.1} objects — organization {:.1}, members {:.1}, templates {:.1}, partners {:.1}, \
         identity sync policies {:.1}, sync configurations {:.1} (jobs {:.1}, not counted as objects), assignments {:.1}",
        per(snapshot.objects()),
        per(kinds[0]),
        per(kinds[1]),
        per(kinds[2]),
        per(kinds[3]),
        per(kinds[4]),
        per(kinds[5]),
        per(kinds[6]),
        per(kinds[7]),
    );
    // Where the export's bytes go (each part as pretty JSON, as in the export).
    let bytes = |value: Option<serde_json::Value>| {
        value
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .map_or(0, |text| text.len())
    };
    let mut parts = [0usize; 3];
    for t in snapshot.tenants.values() {
        parts[0] += bytes(
            t.members
                .as_ref()
                .and_then(|m| serde_json::to_value(m).ok()),
        );
        parts[1] += bytes(
            t.partners
                .as_ref()
                .and_then(|p| serde_json::to_value(p).ok()),
        ) + bytes(
            t.identity_sync
                .as_ref()
                .and_then(|p| serde_json::to_value(p).ok()),
        );
        parts[2] += bytes(
            t.sync_configurations
                .as_ref()
                .and_then(|c| serde_json::to_value(c).ok()),
        );
    }
    let kb = |n: usize| n as f64 / tenants / 1024.0;
    println!(
        "  export per tenant: {:.1} KB — members {:.1} KB, partners and identity sync {:.1} KB, \
         sync configurations with job mappings {:.1} KB",
        snapshot.to_json().len() as f64 / tenants / 1024.0,
        kb(parts[0]),
        kb(parts[1]),
        kb(parts[2]),
    );
    if kinds[5] == 0 && kinds[3] <= snapshot.tenants.len() {
        println!(
            "  note: the scale scenario's tenants have few configurations (no cross-tenant sync \
             configurations, {:.1} partner configurations each): the snapshot is mostly the MTO's \
             member list, read once per tenant",
            per(kinds[3])
        );
    }
}

/// Tenants with unread parts (should be none); the first few parts when there are some.
fn report_unread(snapshot: &Snapshot) {
    let with_unread = snapshot
        .tenants
        .values()
        .filter(|t| !t.unread.is_empty())
        .count();
    println!("  tenants with unread parts: {with_unread}");
    let unread = snapshot.unread();
    for part in unread.iter().take(UNREAD_SHOWN) {
        println!("    unread: {part}");
    }
    if unread.len() > UNREAD_SHOWN {
        println!("    … and {} more", unread.len() - UNREAD_SHOWN);
    }
}

/// Sets the latency injected on every Graph call (0: none).
async fn set_latency(http: &reqwest::Client, base: &str, millis: u64) {
    let cleared = http
        .delete(format!("{base}/_emulator/faults"))
        .send()
        .await
        .expect("the emulator's control API answers");
    assert!(
        cleared.status().is_success(),
        "clearing faults: {}",
        cleared.status()
    );
    if millis > 0 {
        let response = http
            .post(format!("{base}/_emulator/faults"))
            .json(&json!({"pathPrefix": "/v1.0/", "kind": "latency", "millis": millis}))
            .send()
            .await
            .expect("the emulator's control API answers");
        assert_eq!(response.status(), 204, "adding the latency fault");
    }
}

/// Three snapshots at `latency_ms`, the first with a fresh credential (tokens asked).
async fn measure(
    settings: &Settings,
    backend: &Backend,
    graph: &GraphClient,
    tenants: &[(String, String)],
    latency_ms: u64,
) {
    let http = reqwest::Client::new();
    set_latency(&http, &backend.graph_base_url, latency_ms).await;
    println!("\n{latency_ms} ms latency on every Graph call:");
    let credential =
        AppCredential::from_settings(settings, backend).expect("the demo app's client secret");
    let mut results = Vec::with_capacity(RUNS);
    for run in 1..=RUNS {
        let (snapshot, m) =
            tokio::time::timeout(RUN_LIMIT, snapshot_once(graph, &credential, tenants))
                .await
                .expect("a snapshot run stays within the time limit");
        let label = if run == 1 {
            "cold, tokens asked"
        } else {
            "warm, tokens cached"
        };
        println!(
            "snapshot: {} tenants, {} objects, {:.1} KB, {} requests, {} ms  (run {run}, {label}: tokens {} ms, {:.2} requests per tenant)",
            m.tenants,
            m.objects,
            m.bytes as f64 / 1024.0,
            m.requests,
            m.total.as_millis(),
            m.tokens.as_millis(),
            m.requests as f64 / m.tenants.max(1) as f64,
        );
        if run == 1 {
            describe_contents(&snapshot);
            report_unread(&snapshot);
        } else if !snapshot.unread().is_empty() {
            report_unread(&snapshot);
        }
        results.push(m);
    }
    let cold = &results[0];
    let warm = &results[1..];
    let warm_ms =
        warm.iter().map(|m| m.total.as_secs_f64()).sum::<f64>() * 1000.0 / warm.len() as f64;
    let warm_requests = warm.iter().map(|m| m.requests).max().unwrap_or(0);
    println!(
        "summary at {latency_ms} ms: cold {} ms (of which tokens {} ms), warm {warm_ms:.0} ms on average; \
         {warm_requests} Graph requests per snapshot for {} tenants; export {:.1} KB",
        cold.total.as_millis(),
        cold.tokens.as_millis(),
        cold.tenants,
        cold.bytes as f64 / 1024.0,
    );
}

#[tokio::main]
async fn main() {
    let scenario = Scenario::scale(TENANTS, 20);
    let tenants: Vec<(String, String)> = scenario
        .tenants
        .iter()
        .map(|t| (t.id.clone(), t.display_name.clone()))
        .collect();
    let emulator = Emulator::new(scenario.clone(), Clock::real())
        .expect("the scale scenario loads")
        .with_controls();
    let backend = tenant_mesh_server::backend::serve_emulator(emulator, &scenario)
        .await
        .expect("the emulator starts");
    let mut settings = Settings::default();
    settings.monitor.tenants = tenants.iter().map(|(id, _)| id.clone()).collect();
    // The monitor's Graph client: its HTTP client (trusting the emulator's CA) and Graph URL.
    let http = tenant_mesh_server::backend::monitor_http_client(&settings, &backend)
        .expect("the monitor's HTTP client");
    let graph = GraphClient::new(http, &backend.monitor_graph_base_url);
    println!(
        "configuration snapshot: {TENANTS} tenants in one MTO, app-only (client secret) over HTTPS, {RUNS} runs per latency"
    );
    measure(&settings, &backend, &graph, &tenants, LATENCY_MS).await;
    measure(&settings, &backend, &graph, &tenants, 0).await;
}
