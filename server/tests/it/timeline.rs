//! The audit timeline end to end on real sockets: an admin's change made through the dashboard
//! shows as the dashboard's own audit entry and as the directory audit event Graph (the emulator)
//! recorded for it; the exports download them; reading again adds nothing; a role that may not
//! read directory audits gets the note instead of events; the app-only monitor's readings are
//! shown to any reader of the organization. Storage on both backends (SQLite, PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use emulator::scenario::{CONTOSO, FABRIKAM};
use emulator::{Clock, Emulator, Scenario};
use serde_json::Value;
use tenant_mesh_server::directory_audits::{DirectoryAudits, ReadBy};
use tenant_mesh_server::monitor::Monitor;
use tenant_mesh_server::store::{self, StoreBackend};
use tenant_mesh_server::{router, AppState, Settings};

use crate::common::{
    browser, call, fresh_postgres_database, page, postgres_url, sign_in, start_configured, Harness,
};

const TEMPLATE_CATEGORY: &str = "MultiTenantOrgPartnerConfigurationTemplate";
const NEEDS: &str = "Your role in Fabrikam cannot see the directory audit events (needs Reports \
                     Reader, Security Reader, Global Reader, Security Administrator or Global \
                     Administrator).";

async fn harness() -> Harness {
    start_configured(
        Scenario::demo(),
        Clock::manual(time::OffsetDateTime::now_utc()),
        |settings| settings.monitor.enabled = Some(false),
    )
    .await
}

/// The timeline's server function with `form` as its filter.
async fn timeline(h: &Harness, client: &reqwest::Client, form: &[(&str, &str)]) -> Value {
    let (status, body) = call(h, client, "audit/timeline", form).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn rows_of<'a>(view: &'a Value, source: &str) -> Vec<&'a Value> {
    view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["source"] == source)
        .collect()
}

/// Fabrikam's Security Administrator saves Fabrikam's MTO templates through the dashboard.
async fn save_templates(h: &Harness, client: &reqwest::Client) {
    let (status, body) = call(
        h,
        client,
        "sync/templates/save",
        &[
            ("tenant", FABRIKAM),
            ("partner_level", "newPartners"),
            ("redeem_inbound", "on"),
            ("redeem_outbound", "on"),
            ("trust_mfa", "on"),
            ("trust_compliant_device", "unset"),
            ("trust_hybrid_joined_device", "off"),
            ("sync_level", "newPartners,existingPartners"),
            ("inbound_sync", "on"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_change_shows_from_both_logs_is_exported_and_kept_once() {
    let h = harness().await;
    let admin = browser();
    sign_in(&h, &admin, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    save_templates(&h, &admin).await;
    let recorded = h.world.world().directory_audits.of(FABRIKAM).len();
    assert!(recorded >= 1, "the emulator recorded the change");

    let view = timeline(&h, &admin, &[]).await;
    assert_eq!(view["notes"], serde_json::json!([]), "{view}");
    assert_eq!(view["problems"], serde_json::json!([]), "{view}");
    let ours = rows_of(&view, "tenant-mesh");
    let saved = ours
        .iter()
        .find(|r| r["activity"] == "Save the MTO templates")
        .unwrap_or_else(|| panic!("the dashboard's entry: {view}"));
    assert_eq!(saved["tenant"], FABRIKAM);
    assert_eq!(saved["tenant_name"], "Fabrikam");
    assert_eq!(saved["result"], "success");
    assert_eq!(saved["category"], TEMPLATE_CATEGORY);
    assert_eq!(saved["initiated_by"], "admin@fabrikam.onmicrosoft.com");
    let graphs = rows_of(&view, "directory");
    assert_eq!(graphs.len(), recorded, "every event Graph has: {view}");
    let event = graphs
        .iter()
        .find(|r| r["category"] == TEMPLATE_CATEGORY)
        .unwrap_or_else(|| panic!("Graph's event: {view}"));
    assert_eq!(event["tenant"], FABRIKAM);
    assert_eq!(event["initiated_by"], "admin@fabrikam.onmicrosoft.com");
    assert_eq!(event["result"], "success");
    assert_eq!(event["kept"], false);
    assert!(event["targets"]
        .as_str()
        .unwrap()
        .contains("multiTenantOrganizationPartnerConfiguration"));
    assert!(view["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t[0] == FABRIKAM && t[1] == "Fabrikam"));

    // Read again: nothing twice.
    let again = timeline(&h, &admin, &[]).await;
    assert_eq!(rows_of(&again, "directory").len(), recorded, "{again}");
    assert_eq!(again["matching"], view["matching"]);

    // Filters: the source, the category (both sources), the text.
    let only_graph = timeline(&h, &admin, &[("filter[source]", "directory")]).await;
    assert!(rows_of(&only_graph, "tenant-mesh").is_empty());
    assert_eq!(rows_of(&only_graph, "directory").len(), recorded);
    let category = timeline(&h, &admin, &[("filter[category]", TEMPLATE_CATEGORY)]).await;
    assert!(!rows_of(&category, "tenant-mesh").is_empty());
    assert!(rows_of(&category, "directory")
        .iter()
        .all(|r| r["category"] == TEMPLATE_CATEGORY));
    let nothing = timeline(&h, &admin, &[("filter[q]", "no such change")]).await;
    assert_eq!(nothing["matching"], 0);
    let (status, body) = call(
        &h,
        &admin,
        "audit/timeline",
        &[("filter[from]", "1.9.2026")],
    )
    .await;
    assert_eq!(status, 400, "{body}");

    // The page, without JavaScript: rows from both logs, the retention, the exports.
    let html = page(&h, &admin, "/audit/timeline").await;
    for text in [
        "Graph directory audit in Fabrikam",
        "Save the MTO templates",
        "30 days",
        "/audit/timeline.csv",
        "/audit/timeline.json",
        "<form method=\"get\" action=\"/audit/timeline\"",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    let filtered = page(&h, &admin, "/audit/timeline?source=directory&tenant=").await;
    assert!(!filtered.contains("Save the MTO templates"), "{filtered}");
    assert!(filtered.contains("Graph directory audit in Fabrikam"));
    let audit = page(&h, &admin, "/audit").await;
    assert!(audit.contains("href=\"/audit/timeline\""), "{audit}");

    // The exports: the same rows, CSV and JSON.
    let csv = admin
        .get(format!("{}/audit/timeline.csv", h.dashboard))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("time,tenant_id,tenant,source,category,activity"));
    assert_eq!(lines.len(), 1 + view["matching"].as_u64().unwrap() as usize);
    assert!(csv.contains("\"Graph directory audit in Fabrikam\""));
    assert!(csv.contains("\"Tenant Mesh audit log\""));
    let json: Value = admin
        .get(format!(
            "{}/audit/timeline.json?source=directory",
            h.dashboard
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let exported = json["rows"].as_array().unwrap();
    assert_eq!(exported.len(), recorded);
    assert!(exported.iter().all(|r| r["source"] == "directory"));
    assert!(exported[0]["time"].as_str().unwrap().ends_with('Z'));
    let bad = admin
        .get(format!("{}/audit/timeline.csv?source=graph", h.dashboard))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let anonymous = browser()
        .get(format!("{}/audit/timeline.json", h.dashboard))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // Fabrikam's Hybrid Identity Administrator reads Fabrikam but not its directory audits: the
    // note naming the roles that may, the dashboard's entries, no directory events.
    let ops = browser();
    sign_in(&h, &ops, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let seen = timeline(&h, &ops, &[]).await;
    assert_eq!(seen["notes"], serde_json::json!([NEEDS]), "{seen}");
    assert!(rows_of(&seen, "directory").is_empty(), "{seen}");
    assert!(!rows_of(&seen, "tenant-mesh").is_empty(), "{seen}");
    let html = page(&h, &ops, "/audit/timeline").await;
    assert!(
        html.contains("cannot see the directory audit events (needs Reports Reader"),
        "{html}"
    );
    assert!(
        !html.contains("Graph directory audit in Fabrikam</td>"),
        "{html}"
    );
}

/// A dashboard whose monitor reads the demo emulator over HTTPS, runs started by the test.
struct Monitored {
    harness: Harness,
    monitor: Arc<Monitor>,
}

async fn start_with_monitor() -> Monitored {
    let scenario = Scenario::demo();
    let clock = Clock::real();
    let emulator = Emulator::new(scenario.clone(), clock.clone())
        .unwrap()
        .with_controls();
    let world = emulator.state().clone();
    let backend = tenant_mesh_server::backend::serve_emulator(emulator, &scenario)
        .await
        .unwrap();
    let emulator_base = backend.login_base_url.clone();
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings {
        addr,
        site_root: dir.path().to_owned(),
        database_url: store::sqlite_url(&dir.path().join("db.sqlite")),
        ..Settings::default()
    };
    settings.monitor.enabled = Some(true);
    let state = AppState::new(settings, backend).await.unwrap();
    let monitor = Arc::clone(&state.monitor);
    let app = router::build(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Monitored {
        harness: Harness::from_parts(format!("http://{addr}"), emulator_base, clock, world, dir),
        monitor,
    }
}

#[tokio::test]
async fn the_monitors_readings_are_shown_to_any_reader_of_the_organization() {
    let m = start_with_monitor().await;
    let h = &m.harness;
    let admin = browser();
    sign_in(h, &admin, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    save_templates(h, &admin).await;
    let recorded = h.world.world().directory_audits.of(FABRIKAM).len();

    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let first = m.monitor.run_once(now).await.unwrap();
    assert!(
        first.tenants.iter().all(|t| t.problem.is_none()),
        "{first:?}"
    );
    let second = m.monitor.run_once(now + 60).await.unwrap();
    assert!(
        second.tenants.iter().all(|t| t.problem.is_none()),
        "{second:?}"
    );

    // Contoso's helpdesk may read no directory audits anywhere, but reads the organization:
    // Fabrikam's events as the monitor read them, once each, and the note for Contoso.
    let helpdesk = browser();
    sign_in(h, &helpdesk, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let view = timeline(h, &helpdesk, &[("filter[tenant]", FABRIKAM)]).await;
    let graphs = rows_of(&view, "directory");
    assert_eq!(graphs.len(), recorded, "{view}");
    assert!(graphs.iter().any(|r| r["category"] == TEMPLATE_CATEGORY));
    let notes = view["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{view}");
    assert!(notes[0]
        .as_str()
        .unwrap()
        .starts_with("Your role in Contoso cannot see the directory audit events"));
    assert!(
        rows_of(&view, "tenant-mesh").is_empty(),
        "the dashboard's entries of tenants the helpdesk does not read stay hidden: {view}"
    );
}

#[tokio::test]
async fn kept_events_are_stored_once_on_both_backends() {
    let mut urls = vec![(StoreBackend::Sqlite, None)];
    let dir = tempfile::tempdir().unwrap();
    if postgres_url().is_some() {
        urls.push((
            StoreBackend::Postgres,
            Some(fresh_postgres_database().await),
        ));
    }
    for (backend, url) in urls {
        let url = url.unwrap_or_else(|| store::sqlite_url(&dir.path().join("db.sqlite")));
        let store = store::open(&url, true).await.unwrap();
        assert_eq!(store.backend(), backend);
        let audits = DirectoryAudits::new(&store);
        let event = |id: &str, at: &str| {
            serde_json::from_value::<graph::directory::DirectoryAudit>(serde_json::json!({
                "id": id, "category": "MultiTenantOrgTenant", "correlationId": null,
                "result": "success", "activityDisplayName": "Add MultiTenantOrg tenant",
                "activityDateTime": at, "loggedByService": "Core Directory",
                "initiatedBy": {"user": {"id": "u", "displayName": "A", "userPrincipalName": "a@contoso.com"}},
                "targetResources": [{"id": "t", "displayName": null, "type": "Directory"}]
            }))
            .unwrap()
        };
        // Old enough that Graph no longer has it, and one from today.
        let old = event("old", "2020-01-01T00:00:00Z");
        let new = event(
            "new",
            &app::mesh::time::iso(time::OffsetDateTime::now_utc().unix_timestamp()),
        );
        let added = audits
            .keep(CONTOSO, &[old.clone(), new.clone()], ReadBy::Monitor, 1)
            .await
            .unwrap();
        assert_eq!(added, 2, "{backend}");
        let again = audits
            .keep(CONTOSO, &[old, new], ReadBy::Delegated, 2)
            .await
            .unwrap();
        assert_eq!(again, 0, "{backend}: ON CONFLICT DO NOTHING");
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM directory_audits")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(count, 2, "{backend}");
        assert_eq!(
            audits.monitored_tenants().await.unwrap(),
            [CONTOSO],
            "{backend}"
        );
        let (events, truncated) = audits
            .query(
                &[CONTOSO.to_owned()],
                &app::api::timeline::TimelineFilter::default(),
                &[],
            )
            .await
            .unwrap();
        assert!(!truncated);
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["new", "old"], "{backend}");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let rows: Vec<_> = events
            .iter()
            .map(|e| app::api::timeline::directory_row(e, "Contoso", now))
            .collect();
        assert!(!rows[0].kept, "{backend}");
        assert!(
            rows[1].kept,
            "{backend}: older than Graph keeps it, kept by Tenant Mesh"
        );
        assert_eq!(rows[1].initiated_by, "a@contoso.com");
        assert_eq!(rows[1].targets, "Directory: t");
    }
}
