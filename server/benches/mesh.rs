//! Benchmark: a mesh snapshot of the 100-tenant scale scenario with 50 ms injected latency on every
//! Graph call — the dashboard's way (concurrent tenants, `$batch`) against a plain sequential client
//! (one call at a time, no batching). Prints snapshot time and Graph requests of each.
//! Run: `cargo bench -p server --bench mesh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::app_token;
use emulator::{Clock, Emulator, Scenario};
use graph::client::{AccessToken, GraphClient};
use serde_json::json;
use tenant_mesh_server::mesh::{MeshService, Source};

const TENANTS: usize = 100;
const LATENCY_MS: u64 = 50;

async fn measure(label: &str, service: MeshService, sources: &[Source]) -> Duration {
    let started = Instant::now();
    let mesh = service.snapshot(sources, 0, true).await;
    let elapsed = started.elapsed();
    let active = mesh.active().count();
    let unread = mesh.nodes.iter().filter(|n| !n.side_known).count();
    println!(
        "{label:<34} {:>8.2} s  {:>5} Graph requests  ({active} active tenants, {unread} unread, {} findings)",
        elapsed.as_secs_f64(),
        service.requests.total(),
        app::mesh::health::findings(&mesh).len()
    );
    elapsed
}

#[tokio::main]
async fn main() {
    let scenario = Scenario::scale(TENANTS, 20);
    let ids: Vec<String> = scenario.tenants.iter().map(|t| t.id.clone()).collect();
    let emulator = Emulator::new(scenario, Clock::real())
        .unwrap()
        .with_controls();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));

    let http = reqwest::Client::new();
    let mut sources = Vec::new();
    for id in &ids {
        sources.push(Source {
            tenant_id: id.clone(),
            account: "app".into(),
            token: Some(AccessToken::new(app_token(&http, &base, id).await)),
        });
    }
    let response = http
        .post(format!("{base}/_emulator/faults"))
        .json(&json!({"pathPrefix": "/v1.0/", "kind": "latency", "millis": LATENCY_MS}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    println!(
        "mesh snapshot: {TENANTS} tenants in one MTO, {LATENCY_MS} ms latency on every Graph call"
    );

    let client = || GraphClient::new(http.clone(), &base);
    let fast = measure(
        "dashboard (concurrent, $batch)",
        MeshService::new(client(), HashMap::new()),
        &sources,
    )
    .await;
    let slow = measure(
        "plain sequential client",
        MeshService::sequential(client(), HashMap::new()),
        &sources,
    )
    .await;
    println!(
        "dashboard time is {:.1} % of the sequential time (target: at most 10 %)",
        100.0 * fast.as_secs_f64() / slow.as_secs_f64()
    );
}
