//! Benchmark: one `/diagnose` diagnosis per cause of the demo (Fabrikam's named people for
//! Contoso, Woodgrove Bank → Fabrikam quarantined, Contoso → Woodgrove Bank without a
//! configuration), read the way the page reads it (five rounds of concurrent Graph reads) with
//! app-only tokens (which every part may read), against the demo emulator with 50 ms injected
//! latency on every Graph call, then without. Prints, per diagnosis, the Graph requests made and
//! the time, and the verdict's cause; the target is at most 30 requests.
//! Run: `cargo bench -p server --bench diagnose`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use app::diagnose::engine;
use app::diagnose::evidence::Tenant;
use common::app_token;
use emulator::demo_people::PEOPLE;
use emulator::scenario::{CONTOSO, FABRIKAM, WOODGROVE};
use emulator::{Clock, Emulator, Scenario};
use graph::client::{AccessToken, GraphClient};
use tenant_mesh_server::diagnose::{Reader, Side, Subject, MAX_REQUESTS};

const LATENCY_MS: u64 = 50;
const TARGET_REQUESTS: u64 = 30;

async fn side(http: &reqwest::Client, base: &str, id: &str, name: &str) -> Side {
    Side {
        tenant: Tenant {
            id: id.to_owned(),
            name: name.to_owned(),
        },
        token: Ok(AccessToken::new(app_token(http, base, id).await)),
    }
}

/// The people to diagnose: (label, source, user, target).
fn cases(emulator: &Emulator) -> Vec<(String, &'static str, String, &'static str)> {
    let world = emulator.state().world();
    let first = |tenant: &str| {
        world.users[tenant]
            .iter()
            .find(|u| u.user_principal_name.starts_with("adele.vance@"))
            .map(|u| u.id.clone())
            .unwrap()
    };
    let mut all: Vec<(String, &str, String, &str)> = PEOPLE
        .iter()
        .map(|p| {
            (
                format!("{} ({})", p.display_name, p.cause),
                FABRIKAM,
                p.id(),
                CONTOSO,
            )
        })
        .collect();
    all.push((
        "Adele Vance of Woodgrove Bank (quarantined job)".into(),
        WOODGROVE,
        first(WOODGROVE),
        FABRIKAM,
    ));
    all.push((
        "Adele Vance of Contoso (no configuration to Woodgrove Bank)".into(),
        CONTOSO,
        first(CONTOSO),
        WOODGROVE,
    ));
    all
}

async fn run(base: &str, emulator: &Emulator, label: &str) {
    let http = reqwest::Client::new();
    let graph = GraphClient::new(http.clone(), base);
    let names = [
        (CONTOSO, "Contoso"),
        (FABRIKAM, "Fabrikam"),
        (WOODGROVE, "Woodgrove Bank"),
    ];
    let mut sides = Vec::new();
    for (id, name) in names {
        sides.push((id, side(&http, base, id, name).await));
    }
    let side_of = |id: &str| {
        sides
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, s)| s.clone())
            .unwrap()
    };
    println!("{label}:");
    let (mut most, mut slowest) = (0, 0.0_f64);
    for (case, source, user, target) in cases(emulator) {
        let subject = Subject {
            source: side_of(source),
            target: side_of(target),
            user: user.parse().unwrap(),
            viewer: None,
        };
        let reader = Reader::new(&graph);
        let started = Instant::now();
        let evidence = reader
            .gather(&subject, emulator.state().clock().unix())
            .await;
        let (verdict, _) = engine::diagnose(&evidence);
        let seconds = started.elapsed().as_secs_f64();
        most = most.max(reader.requests());
        slowest = slowest.max(seconds);
        println!(
            "  {case:<66} {:>2} requests, {:>6.0} ms, cause {}",
            reader.requests(),
            seconds * 1000.0,
            verdict.cause.as_deref().unwrap_or("none")
        );
    }
    println!(
        "  at most {most} requests (bound {MAX_REQUESTS}, target {TARGET_REQUESTS}: {}), slowest {:.0} ms",
        if most <= TARGET_REQUESTS { "met" } else { "MISSED" },
        slowest * 1000.0
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let emulator = Emulator::new(Scenario::demo(), Clock::real())
            .unwrap()
            .with_controls();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = emulator.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
        run(&base, &emulator, "demo scenario, no added latency").await;
        let added = reqwest::Client::new()
            .post(format!("{base}/_emulator/faults"))
            .json(&serde_json::json!({
                "pathPrefix": "/v1.0/", "kind": "latency", "millis": LATENCY_MS
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 204);
        run(
            &base,
            &emulator,
            &format!("demo scenario, {LATENCY_MS} ms added to every Graph call"),
        )
        .await;
    });
}
