//! Benchmark: users listed per second through Graph paging for 100,000 users (scale:1:100000), and
//! the memory the 100-tenant scale scenario takes. Run: `cargo bench -p emulator --bench paging`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use emulator::scenario::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use emulator::{Clock, Emulator, Scenario};
use serde_json::Value;

/// Resident memory of this process in MiB (Linux).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn serve(scenario: Scenario) -> (String, String) {
    let tenant = scenario.tenants[0].id.clone();
    let emulator = Emulator::new(scenario, Clock::real()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));
    (base, tenant)
}

async fn app_token(http: &reqwest::Client, base: &str, tenant: &str) -> String {
    let body: Value = http
        .post(format!("{base}/{tenant}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::main]
async fn main() {
    let http = reqwest::Client::new();
    let before = rss_mib();
    let started = Instant::now();
    let (base, tenant) = serve(Scenario::scale(1, 100_000)).await;
    let loaded = started.elapsed();
    let token = app_token(&http, &base, &tenant).await;

    let started = Instant::now();
    let mut url = format!("{base}/v1.0/users?$select=id,displayName,userPrincipalName,userType,creationType,mail&$top=999");
    let (mut users, mut requests) = (0usize, 0usize);
    loop {
        let page: Value = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        requests += 1;
        users += page["value"].as_array().unwrap().len();
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    let elapsed = started.elapsed();
    assert!(users >= 100_000);
    println!("scale:1:100000 loaded in {:.2} s", loaded.as_secs_f64());
    println!(
        "paged {users} users in {requests} requests in {:.2} s: {:.0} users/s",
        elapsed.as_secs_f64(),
        users as f64 / elapsed.as_secs_f64()
    );
    let after_users = rss_mib();
    println!("RSS: {before:.1} MiB before, {after_users:.1} MiB with 100,000 users loaded");

    let started = Instant::now();
    let _scale = serve(Scenario::scale(100, 300)).await;
    println!(
        "scale:100:300 (100 tenants in one MTO) loaded in {:.2} s; RSS now {:.1} MiB (+{:.1} MiB)",
        started.elapsed().as_secs_f64(),
        rss_mib(),
        rss_mib() - after_users
    );
}
