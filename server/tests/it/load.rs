//! Pages under concurrent load on real sockets: the session's mesh snapshot is read from Graph once
//! however many views ask for it at once, an expired one is served at once while one reading in
//! the background replaces it, `/joins` is served from it and still shows a transition finishing,
//! and pages render while other dashboards of the same process are being built.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emulator::scenario::{CONTOSO, FABRIKAM, NORTHWIND, WOODGROVE};
use emulator::{Clock, Scenario};
use futures_util::future::join_all;
use serde_json::{json, Value};
use tenant_mesh_server::mesh::service::MAX_AGE_SECS;
use tenant_mesh_server::{router, AppState, Backend, Settings};

use crate::common::{
    browser, call, graph_requests, inject_fault, joins_card, joins_view, sign_in, start_configured,
    Harness,
};

const VIEWS: usize = 50;

/// A dashboard without the monitor (its app-only readings would be counted with the pages').
async fn harness(clock: Clock) -> Harness {
    start_configured(Scenario::demo(), clock, |settings| {
        settings.monitor.enabled = Some(false);
    })
    .await
}

/// A browser signed in to Contoso, Fabrikam and Woodgrove Bank as their admins.
async fn signed_in(h: &Harness) -> reqwest::Client {
    let client = browser();
    sign_in(h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    sign_in(h, &client, WOODGROVE, "admin@woodgrovebank.onmicrosoft.com").await;
    client
}

/// Every later request to the emulator answers after `millis`.
async fn slow_graph(h: &Harness, millis: u64) {
    inject_fault(
        h,
        json!({"kind": "latency", "millis": millis, "pathPrefix": "/"}),
    )
    .await;
}

/// The mesh page's data, as the page asks for it (from the snapshot) or with "Refresh now".
async fn overview(h: &Harness, client: &reqwest::Client, refresh: bool) -> Value {
    let refresh = refresh.to_string();
    let (status, body) = call(h, client, "mesh/overview", &[("refresh", &refresh)]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// `VIEWS` server-rendered `/` at once; each must be the mesh page.
async fn views_of_the_mesh(h: &Harness, client: &reqwest::Client) {
    let pages = join_all((0..VIEWS).map(|_| async {
        let response = client
            .get(format!("{}/", h.dashboard))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }))
    .await;
    for (status, html) in pages {
        assert_eq!(status, 200);
        assert!(html.contains("Contoso Group"), "the mesh page: {html}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_first_views_of_a_session_read_graph_once() {
    // The same sign-ins on two dashboards: one view on the first, fifty at once on the second.
    let (one, fifty) = (harness(Clock::real()).await, harness(Clock::real()).await);
    let (a, b) = (signed_in(&one).await, signed_in(&fifty).await);
    one.world.0.requests.clear();
    fifty.world.0.requests.clear();

    let html = a
        .get(format!("{}/", one.dashboard))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Contoso Group"));
    let one_view = graph_requests(&one);
    assert!(one_view > 0);

    slow_graph(&fifty, 200).await;
    views_of_the_mesh(&fifty, &b).await;
    assert_eq!(
        graph_requests(&fifty),
        one_view,
        "{VIEWS} views at once read what one view reads"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn views_of_an_expired_snapshot_are_served_at_once_while_one_reading_replaces_it() {
    let h = harness(Clock::real()).await;
    let client = signed_in(&h).await;
    let first = overview(&h, &client, false).await;
    // One reading's requests, partners' names already known.
    h.world.0.requests.clear();
    let read = overview(&h, &client, true).await;
    let one_reading = graph_requests(&h);
    let old = read["taken_at"].as_i64().unwrap();
    assert!(old >= first["taken_at"].as_i64().unwrap());

    tokio::time::sleep(Duration::from_millis(MAX_AGE_SECS as u64 * 1000 + 500)).await;
    // Slower than the views: a view that waited for the reading would show its time.
    slow_graph(&h, 2_000).await;
    h.world.0.requests.clear();
    let seen: Vec<i64> = join_all((0..VIEWS).map(|_| overview(&h, &client, false)))
        .await
        .iter()
        .map(|view| view["taken_at"].as_i64().unwrap())
        .collect();
    assert!(seen.iter().all(|at| *at == old), "served at once: {seen:?}");

    let mut newer = old;
    for _ in 0..300 {
        newer = overview(&h, &client, false).await["taken_at"]
            .as_i64()
            .unwrap();
        if newer != old {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(newer > old, "the reading in the background replaced it");
    assert_eq!(
        graph_requests(&h),
        one_reading,
        "one reading for all of them"
    );
}

/// A pending tenant's admin approves, and the page (as it asks every few seconds, without
/// "Refresh now") shows the join finishing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_joins_page_shows_a_join_finishing_from_its_snapshot() {
    let h = harness(Clock::manual(time::OffsetDateTime::now_utc())).await;
    let northwind = browser();
    sign_in(
        &h,
        &northwind,
        NORTHWIND,
        "admin@northwindtraders.onmicrosoft.com",
    )
    .await;
    let joins = |refresh: bool| {
        let northwind = northwind.clone();
        let h = &h;
        async move { joins_card(&joins_view(h, &northwind, refresh).await, NORTHWIND).clone() }
    };
    let (status, body) = call(
        &h,
        &northwind,
        "joins/approve",
        &[("tenant", NORTHWIND), ("owner", CONTOSO)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // The write made the next view read again.
    let running = joins(false).await;
    assert_ne!(running["state"], "active", "{running}");
    assert!(
        ["notStarted", "running"].contains(&running["request"]["status"].as_str().unwrap()),
        "{running}"
    );

    h.clock.advance(30);
    // Within the snapshot's few seconds the page shows it as it was read…
    assert_ne!(joins(false).await["state"], "active");
    // …then the join as it finished, without anyone asking for a refresh.
    let mut state = Value::Null;
    for _ in 0..200 {
        state = joins(false).await["state"].clone();
        if state == "active" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, "active");
}

/// With several dashboards in one process, generating a dashboard's routes used to set a flag
/// global to the process that keeps every Leptos resource from loading (`SuppressResourceLoad`):
/// a page another dashboard rendered at that moment waited for the 60 s request timeout. The
/// routes are now generated once per process. Here one dashboard renders pages from many tasks
/// while more dashboards are built, and every page must come back in seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_render_while_other_dashboards_are_built_in_the_same_process() {
    let h = harness(Clock::real()).await;
    let client = signed_in(&h).await;
    let extra = {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings {
            site_root: dir.path().to_owned(),
            database_url: tenant_mesh_server::store::sqlite_url(&dir.path().join("db.sqlite")),
            ..Settings::default()
        };
        settings.monitor.enabled = Some(false);
        let state = AppState::new(settings, Backend::emulator(&h.emulator))
            .await
            .unwrap();
        (state, dir)
    };
    let builder = tokio::spawn(async move {
        let (state, _dir) = extra;
        for _ in 0..100 {
            drop(router::build(state.clone()));
            tokio::task::yield_now().await;
        }
    });
    let users = format!("/users?tenant={CONTOSO}");
    let pages = ["/", "/sync", "/joins", "/audit", users.as_str()];
    let renders = (0..16).map(|task| {
        let client = client.clone();
        let (dashboard, page) = (h.dashboard.clone(), pages[task % pages.len()].to_owned());
        async move {
            for _ in 0..8 {
                let response = tokio::time::timeout(
                    Duration::from_secs(20),
                    client.get(format!("{dashboard}{page}")).send(),
                )
                .await
                .unwrap_or_else(|_| panic!("{page} stalled"))
                .unwrap();
                assert_eq!(response.status(), 200, "{page}");
                tokio::time::timeout(Duration::from_secs(20), response.text())
                    .await
                    .unwrap_or_else(|_| panic!("{page} stalled mid-body"))
                    .unwrap();
            }
        }
    });
    join_all(renders).await;
    builder.await.unwrap();
}
