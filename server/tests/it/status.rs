//! The `/status` board end to end: who may read it (any sign-in with a read role in a tenant of the
//! organization, helpdesk included, without signing in to the others), what it says when the
//! monitor is off, and that the delegated mesh is unchanged where the monitor has read nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::common::{browser, page, sign_in, start_configured, Harness};
use emulator::scenario::{CONTOSO, FABRIKAM, WOODGROVE};
use emulator::{Clock, Emulator, Scenario};
use serde_json::Value;
use tenant_mesh_server::monitor::Monitor;
use tenant_mesh_server::{router, AppState, Settings};

/// The dashboard with the monitor switched off explicitly (whatever the mode's default is).
async fn start_without_monitor() -> Harness {
    start_configured(Scenario::demo(), Clock::real(), |settings| {
        settings.monitor.enabled = Some(false);
    })
    .await
}

/// Calls the board's server function; returns status and body.
async fn board(h: &Harness, client: &reqwest::Client) -> (u16, String) {
    let response = client
        .post(format!("{}/api/status/board", h.dashboard))
        .header("accept", "application/json")
        .form(&Vec::<(String, String)>::new())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_helpdesk_signed_in_to_contoso_only_reads_the_board() {
    let h = start_without_monitor().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;

    let (status, body) = board(&h, &client).await;
    assert_eq!(status, 200, "{body}");
    let board: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(board["enabled"], false);
    assert!(board["now"].as_i64().unwrap() > 0);
    assert_eq!(board["open"], serde_json::json!([]));

    let html = page(&h, &client, "/status").await;
    assert!(html.contains("The monitor is off"), "{html}");
    assert!(html.contains("[monitor]"), "{html}");
    assert!(
        !html.contains("<form method=\"post\" action=\"/api"),
        "read-only: {html}"
    );
}

#[tokio::test]
async fn without_a_sign_in_the_board_is_refused_and_the_page_offers_sign_in() {
    let h = start_without_monitor().await;
    let client = browser();

    let (status, body) = board(&h, &client).await;
    assert_eq!(status, 401, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert!(error.get("NotSignedIn").is_some(), "{body}");

    let html = page(&h, &client, "/status").await;
    assert!(
        html.contains("Sign in to at least one tenant of your multitenant organization"),
        "{html}"
    );
    assert!(html.contains("the status board"), "{html}");
}

#[tokio::test]
async fn with_the_monitor_off_a_tenant_nobody_signed_in_to_stays_unknown() {
    let h = start_without_monitor().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let response = client
        .post(format!("{}/api/mesh/overview", h.dashboard))
        .form(&[("refresh", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let overview: Value = response.json().await.unwrap();
    let woodgrove = crate::common::find_by(&overview["nodes"], "tenant_id", WOODGROVE);
    assert_eq!(woodgrove["read"], "NotSignedIn");
    assert_eq!(woodgrove["side_known"], false);
    let html = page(&h, &client, "/").await;
    assert!(!html.contains("Read by the monitor"), "{html}");
}

/// A dashboard whose monitor reads the demo emulator over HTTPS (its generated CA trusted), as in
/// demo mode; the test starts runs itself. Returns the dashboard's address and its monitor.
struct Monitored {
    dashboard: String,
    monitor: Arc<Monitor>,
    /// The emulator's state, for changes behind the dashboard's back.
    world: emulator::EmulatorState,
    _dir: tempfile::TempDir,
}

async fn start_with_monitor() -> Monitored {
    let scenario = Scenario::demo();
    let emulator = Emulator::new(scenario.clone(), Clock::real())
        .unwrap()
        .with_controls();
    let world = emulator.state().clone();
    let backend = tenant_mesh_server::backend::serve_emulator(emulator, &scenario)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings {
        addr,
        site_root: dir.path().to_owned(),
        database_url: tenant_mesh_server::store::sqlite_url(&dir.path().join("db.sqlite")),
        ..Settings::default()
    };
    settings.monitor.enabled = Some(true);
    let state = AppState::new(settings, backend).await.unwrap();
    let monitor = Arc::clone(&state.monitor);
    let app = router::build(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Monitored {
        dashboard: format!("http://{addr}"),
        monitor,
        world,
        _dir: dir,
    }
}

async fn html(dashboard: &str, client: &reqwest::Client, path: &str) -> String {
    let response = client
        .get(format!("{dashboard}{path}"))
        .send()
        .await
        .unwrap();
    response.text().await.unwrap()
}

#[tokio::test]
async fn after_a_run_the_helpdesk_of_contoso_sees_woodgroves_quarantine_and_the_monitors_reading() {
    let m = start_with_monitor().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let run = m.monitor.run_once(now).await.unwrap();
    assert!(run.tenants.iter().all(|t| t.problem.is_none()), "{run:?}");

    let client = browser();
    crate::common::sign_in_at(
        &m.dashboard,
        &client,
        CONTOSO,
        "helpdesk@contoso.onmicrosoft.com",
    )
    .await;

    // The board: the run, and the quarantine of a pair the helpdesk is signed in to neither side of.
    let response = client
        .post(format!("{}/api/status/board", m.dashboard))
        .header("accept", "application/json")
        .form(&Vec::<(String, String)>::new())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let board: Value = response.json().await.unwrap();
    assert_eq!(board["enabled"], true);
    assert_eq!(board["last_run"]["started_at"], now);
    let quarantine = format!("sync-quarantined:{WOODGROVE}:{FABRIKAM}");
    let open: Vec<&str> = board["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert!(open.contains(&quarantine.as_str()), "{open:?}");
    let page = html(&m.dashboard, &client, "/status").await;
    assert!(
        page.contains("Sync Woodgrove Bank → Fabrikam is quarantined"),
        "{page}"
    );
    assert!(page.contains("Open for "), "{page}");
    assert!(page.contains("Last run"), "{page}");

    // The delegated mesh: Woodgrove as the monitor read it, with its time, not "sign in".
    let response = client
        .post(format!("{}/api/mesh/overview", m.dashboard))
        .form(&[("refresh", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let overview: Value = response.json().await.unwrap();
    let woodgrove = crate::common::find_by(&overview["nodes"], "tenant_id", WOODGROVE);
    assert_eq!(woodgrove["read"], "ReadByMonitor");
    assert_eq!(woodgrove["side_known"], true);
    assert_eq!(woodgrove["read_at"], now);
    let contoso = crate::common::find_by(&overview["nodes"], "tenant_id", CONTOSO);
    assert_eq!(
        contoso["read"], "Fresh",
        "the signed-in tenant keeps its own reading"
    );
    let mesh = html(&m.dashboard, &client, "/").await;
    assert!(mesh.contains("Read by the monitor"), "{mesh}");
    assert!(mesh.contains("(app-only)"), "{mesh}");
}

/// The open findings' keys on the board, as the admin of Contoso sees it.
async fn open_findings(m: &Monitored, client: &reqwest::Client) -> Vec<Value> {
    let response = client
        .post(format!("{}/api/status/board", m.dashboard))
        .header("accept", "application/json")
        .form(&Vec::<(String, String)>::new())
        .send()
        .await
        .unwrap();
    let board: Value = response.json().await.unwrap();
    board["open"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_monitor_snapshots_on_its_schedule_and_drift_from_the_baseline_is_a_finding() {
    let m = start_with_monitor().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    m.monitor.run_once(now).await.unwrap();
    let client = browser();
    crate::common::sign_in_at(
        &m.dashboard,
        &client,
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
    )
    .await;
    // The first run took a snapshot of every tenant, app-only.
    let (status, body) = crate::common::call_at(&m.dashboard, &client, "drift/view", &[]).await;
    assert_eq!(status, 200, "{body}");
    let view: Value = serde_json::from_str(&body).unwrap();
    let scheduled = view["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["origin"] == "schedule")
        .unwrap_or_else(|| panic!("{view:#}"))
        .clone();
    assert_eq!(scheduled["taken_by"], "monitor (app-only)");
    assert!(scheduled["tenants"].as_u64().unwrap() >= 4, "{scheduled}");
    let id = scheduled["id"].as_i64().unwrap().to_string();
    let (status, body) = crate::common::call_at(
        &m.dashboard,
        &client,
        "drift/baseline",
        &[("snapshot", &id)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Behind the dashboard's back: Fabrikam no longer allows inbound user sync from Contoso.
    {
        let mut world = m.world.world();
        let policy = world
            .policies
            .get_mut(FABRIKAM)
            .unwrap()
            .identity_sync
            .get_mut(CONTOSO)
            .unwrap();
        policy.user_sync_inbound = Some(graph::policies::UserSyncInbound {
            is_sync_allowed: Some(false),
        });
    }
    // Within the snapshot interval no new snapshot is read; after it, the drift is a finding.
    m.monitor.run_once(now + 60).await.unwrap();
    let drift = format!("config-drift:{FABRIKAM}:");
    assert!(!open_findings(&m, &client)
        .await
        .iter()
        .any(|f| f["key"] == drift.as_str()));
    m.monitor.run_once(now + 3_600).await.unwrap();
    let open = open_findings(&m, &client).await;
    let finding = open
        .iter()
        .find(|f| f["key"] == drift.as_str())
        .unwrap_or_else(|| panic!("{open:#?}"));
    let text = finding.to_string();
    assert!(text.contains("userSyncInbound"), "{text}");
    assert!(text.contains("/drift"), "{text}");
    // The mesh shows it with its own findings.
    let (status, body) = crate::common::call_at(
        &m.dashboard,
        &client,
        "mesh/overview",
        &[("refresh", "false")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let overview: Value = serde_json::from_str(&body).unwrap();
    assert!(
        overview["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "config-drift" && f["tenants"][0] == FABRIKAM),
        "{overview:#}"
    );
}
