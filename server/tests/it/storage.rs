//! The dashboard's database on both backends: every check runs against a fresh SQLite file and a
//! fresh PostgreSQL database (`TENANTMESH_TEST_POSTGRES_URL`; see `common::postgres_url`), through
//! the same code the server uses — migrations, sealed sessions, the audit log and its steps, join
//! decisions, the monitor's history, alert deliveries — and a restricted PostgreSQL role with the
//! grants of `server/migrations/postgres/grants.sql`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use app::api::audit::{AuditAction, AuditFilter};
use app::api::data::status::{MonitorRun, TrackedFinding};
use app::mesh::health::{Finding, Severity};
use graph::client::{AccessToken, GraphClient};
use graph::{Method, Request};
use serde_json::{json, Value};
use tenant_mesh_server::alerts::{AlertRetry, Alerts, EventKind, FindingEvent};
use tenant_mesh_server::audit::{Actor, Attempt, AuditLog, Outcome, Status, WriteError};
use tenant_mesh_server::auth::store::{SealedStore, SessionKeys, BASE_KEY};
use tenant_mesh_server::joins::Joins;
use tenant_mesh_server::metrics::Metrics;
use tenant_mesh_server::monitor::history::{History, RUNS_KEPT};
use tenant_mesh_server::secret::Secret;
use tenant_mesh_server::settings::{AlertKind, AlertTarget};
use tenant_mesh_server::store::{self, Store, StoreBackend};
use tower_sessions::session::{Id, Record};
use tower_sessions::{ExpiredDeletion, SessionStore};

use crate::common::{database_url, fresh_postgres_database, postgres_url};

/// A fresh database of one backend: its URL (and the folder of a SQLite file, removed at the end).
struct Database {
    url: String,
    backend: StoreBackend,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite database, and a fresh PostgreSQL database when a server is configured.
async fn databases() -> Vec<Database> {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![Database {
        url: store::sqlite_url(&dir.path().join("db.sqlite")),
        backend: StoreBackend::Sqlite,
        _dir: Some(dir),
    }];
    if postgres_url().is_some() {
        all.push(Database {
            url: fresh_postgres_database().await,
            backend: StoreBackend::Postgres,
            _dir: None,
        });
    }
    all
}

/// Each backend's store, its schema brought up to date.
async fn stores() -> Vec<(Store, Database)> {
    let mut all = Vec::new();
    for database in databases().await {
        let store = store::open(&database.url, true).await.unwrap();
        assert_eq!(store.backend(), database.backend);
        all.push((store, database));
    }
    all
}

#[tokio::test]
async fn migrations_apply_twice_and_every_table_is_there() {
    for database in databases().await {
        let backend = database.backend;
        let first = store::connect(&database.url).await.unwrap();
        let applied = first.migrate().await.unwrap();
        assert_eq!(
            applied,
            store::migrations(backend),
            "{backend}: every one, in order"
        );
        assert!(
            applied.iter().any(|m| m.description == "leases"),
            "{backend}: {applied:?}"
        );
        assert!(first.migrate().await.unwrap().is_empty(), "{backend}");
        // Opening again, with and without migrating, finds the schema up to date.
        store::open(&database.url, true).await.unwrap();
        let again = store::open(&database.url, false).await.unwrap();
        again.ping().await.unwrap();
        for table in [
            "audit_log",
            "audit_steps",
            "join_decisions",
            "sealed_sessions",
            "monitor_findings",
            "monitor_runs",
            "alert_deliveries",
            "alert_attempts",
            "leases",
            "directory_audits",
            "snapshots",
            "drift_baselines",
        ] {
            let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(again.pool())
                .await
                .unwrap_or_else(|err| panic!("{backend}: {table}: {err}"));
            assert_eq!(count, 0, "{backend}: {table}");
        }
        // The lease table takes a holder and an expiry in milliseconds (beyond 32 bits).
        sqlx::query("INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)")
            .bind("monitor")
            .bind("replica-a")
            .bind(1_700_000_000_000_i64)
            .execute(again.pool())
            .await
            .unwrap();
        let expires: i64 = sqlx::query_scalar("SELECT expires_at FROM leases WHERE name = $1")
            .bind("monitor")
            .fetch_one(again.pool())
            .await
            .unwrap();
        assert_eq!(expires, 1_700_000_000_000, "{backend}");
    }
}

fn content(pairs: &[(&str, Value)]) -> HashMap<String, Value> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), value.clone()))
        .collect()
}

fn without_base(record: &Record) -> HashMap<String, Value> {
    let mut data = record.data.clone();
    data.remove(BASE_KEY);
    data
}

fn in_an_hour() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

#[tokio::test]
async fn sessions_save_load_compare_and_set_and_expire() {
    for (store, database) in stores().await {
        let backend = database.backend;
        let sessions = SealedStore::new(&store, SessionKeys::new(&SessionKeys::random_key(), &[]));

        // Created, then loaded as created.
        let mut record = Record {
            id: Id::default(),
            data: content(&[("a", json!(1)), ("b", json!({"t1": "x"}))]),
            expiry_date: in_an_hour(),
        };
        sessions.create(&mut record).await.unwrap();
        let id = record.id;
        let loaded = sessions.load(&id).await.unwrap().unwrap();
        assert_eq!(without_base(&loaded), without_base(&record), "{backend}");
        let sealed: Vec<u8> = sqlx::query_scalar("SELECT data FROM sealed_sessions WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(!sealed.is_empty() && !String::from_utf8_lossy(&sealed).contains("t1"));

        // Two requests load it; one removes `a`, the other (saving last) adds `c`: both land.
        let mut first = sessions.load(&id).await.unwrap().unwrap();
        let mut second = sessions.load(&id).await.unwrap().unwrap();
        first.data.remove("a");
        sessions.save(&first).await.unwrap();
        second.data.insert("c".into(), json!(3));
        sessions.save(&second).await.unwrap();
        let merged = sessions.load(&id).await.unwrap().unwrap();
        assert_eq!(
            without_base(&merged),
            content(&[("b", json!({"t1": "x"})), ("c", json!(3))]),
            "{backend}"
        );
        let version: i64 = sqlx::query_scalar("SELECT version FROM sealed_sessions WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(version, 3, "{backend}: one more at each write");

        // Eight saves at once, each from the same loaded version, all land.
        let loaded: Vec<Record> = {
            let mut all = Vec::new();
            for _ in 0..8 {
                all.push(sessions.load(&id).await.unwrap().unwrap());
            }
            all
        };
        let tasks: Vec<_> = loaded
            .into_iter()
            .enumerate()
            .map(|(n, mut record)| {
                let sessions = sessions.clone();
                tokio::spawn(async move {
                    record.data.insert(format!("k{n}"), json!(n));
                    sessions.save(&record).await.unwrap();
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let all = without_base(&sessions.load(&id).await.unwrap().unwrap());
        assert_eq!(all.len(), 10, "{backend}: {:?}", all.keys());

        // A stale save after a delete does not bring the session back.
        let stale = sessions.load(&id).await.unwrap().unwrap();
        sessions.delete(&id).await.unwrap();
        sessions.save(&stale).await.unwrap();
        assert!(sessions.load(&id).await.unwrap().is_none(), "{backend}");

        // A save of a record never stored (no base) inserts it.
        let fresh = Record {
            id: Id::default(),
            data: content(&[("n", json!(1))]),
            expiry_date: in_an_hour(),
        };
        sessions.save(&fresh).await.unwrap();
        assert!(sessions.load(&fresh.id).await.unwrap().is_some());

        // Expired rows are not loaded, then purged.
        let mut expired = Record {
            id: Id::default(),
            data: HashMap::new(),
            expiry_date: in_an_hour(),
        };
        sessions.create(&mut expired).await.unwrap();
        sqlx::query("UPDATE sealed_sessions SET expiry_date = $1 WHERE id = $2")
            .bind(time::OffsetDateTime::now_utc().unix_timestamp() - 60)
            .bind(expired.id.to_string())
            .execute(store.pool())
            .await
            .unwrap();
        assert!(sessions.load(&expired.id).await.unwrap().is_none());
        sessions.delete_expired().await.unwrap();
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sealed_sessions")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(ids, vec![fresh.id.to_string()], "{backend}");
    }
}

fn attempt(tenant: &str, upn: &str, action: AuditAction) -> Attempt {
    Attempt {
        actor: Actor {
            name: "Megan Bowen".into(),
            upn: upn.into(),
            object_id: "oid".into(),
            tenant_id: tenant.into(),
        },
        tenant_id: tenant.into(),
        action,
        inputs: json!({"tenant": tenant}),
    }
}

/// A Graph stand-in: every call succeeds with `{}`, except under `/fail`, refused with a 400.
async fn graph_stand_in() -> GraphClient {
    let app = axum::Router::new().fallback(|uri: axum::http::Uri| async move {
        if uri.path().contains("/fail") {
            (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"code": "Request_BadRequest", "message": "no"}})),
            )
        } else {
            (axum::http::StatusCode::OK, axum::Json(json!({})))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    GraphClient::new(reqwest::Client::new(), &format!("http://{addr}"))
}

fn request(method: Method, path: &str) -> Request {
    Request {
        method,
        path: path.into(),
        body: Some(json!({"x": 1})),
        headers: Vec::new(),
    }
}

/// Writes through the audit log: a write of two calls (the second refused), a refused write, a
/// failed one and one without an outcome, in two tenants.
async fn write_audit_entries(log: &AuditLog, graph: &GraphClient) {
    let written = log
        .record(
            attempt("t1", "admin@contoso.onmicrosoft.com", AuditAction::ApplyFix),
            100,
            vec!["first".into(), "second".into()],
            graph,
            &AccessToken::new("token"),
            |steps| async move {
                steps
                    .run_request("first", &request(Method::Patch, "/ok"))
                    .await?;
                steps
                    .run_request("second", &request(Method::Post, "/fail"))
                    .await?;
                Ok::<_, WriteError>(())
            },
        )
        .await
        .unwrap();
    assert!(written.result.is_err());
    log.refused(
        &attempt(
            "t1",
            "reader@contoso.onmicrosoft.com",
            AuditAction::AddTenant,
        ),
        "not an admin",
        200,
    )
    .await
    .unwrap();
    let failed = attempt(
        "t2",
        "admin@fabrikam.onmicrosoft.com",
        AuditAction::ApproveJoin,
    );
    let ticket = log.begin(&failed, 300).await.unwrap();
    log.finish(
        &ticket,
        &failed,
        &Outcome {
            status: Status::Failure,
            error_code: Some("Request_BadRequest".into()),
            error_message: Some("Tenant is already being added".into()),
            request_id: Some("rid".into()),
        },
        301,
    )
    .await
    .unwrap();
    log.begin(
        &attempt(
            "t2",
            "50%_off@fabrikam.onmicrosoft.com",
            AuditAction::AddTenant,
        ),
        400,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_audit_log_is_written_read_back_and_filtered() {
    let graph = graph_stand_in().await;
    for (store, database) in stores().await {
        let backend = database.backend;
        let log = AuditLog::new(&store);
        // A row an earlier version wrote under the old name of "apply-fix".
        sqlx::query(
            "INSERT INTO audit_log (correlation, phase, at, actor_name, actor_upn, actor_oid, \
             actor_tenant, tenant, action, inputs) \
             VALUES ('old', 'attempt', 50, 'a', 'u', 'o', 't1', 't1', 'sync.fix', '{}')",
        )
        .execute(store.pool())
        .await
        .unwrap();
        write_audit_entries(&log, &graph).await;

        let both = ["t1".to_owned(), "t2".to_owned()];
        let query = |filter: AuditFilter, visible: &'static [&'static str]| {
            let log = log.clone();
            async move {
                let visible: Vec<String> = visible.iter().map(|t| (*t).to_owned()).collect();
                log.query(&filter, &visible).await.unwrap()
            }
        };
        let all = log.query(&AuditFilter::default(), &both).await.unwrap();
        let shown: Vec<(i64, &str, &str)> = all
            .iter()
            .map(|e| (e.at, e.action.as_str(), e.outcome.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (400, "add-tenant", "unknown"),
                (300, "approve-join", "failure"),
                (200, "add-tenant", "refused"),
                (100, "apply-fix", "partial"),
                (50, "apply-fix", "unknown"),
            ],
            "{backend}: newest first (in the order written)"
        );
        let partial = &all[3];
        let steps: Vec<(&str, &str, &str, &str)> = partial
            .steps
            .iter()
            .map(|s| {
                (
                    s.label.as_str(),
                    s.method.as_str(),
                    s.path.as_str(),
                    s.outcome.as_str(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [
                ("first", "PATCH", "/ok", "success"),
                ("second", "POST", "/fail", "failure")
            ],
            "{backend}"
        );
        assert_eq!(all[1].request_id.as_deref(), Some("rid"));
        assert_eq!(all[1].finished, Some(301));

        // Only the viewer's tenants.
        assert_eq!(query(AuditFilter::default(), &["t2"]).await.len(), 2);
        assert!(query(AuditFilter::default(), &[]).await.is_empty());
        let by_tenant = AuditFilter {
            tenant: Some("t1".into()),
            ..AuditFilter::default()
        };
        assert_eq!(query(by_tenant, &["t1", "t2"]).await.len(), 3, "{backend}");
        // The action filter, also under an earlier name; an unknown action matches nothing.
        let fixes = AuditFilter {
            action: Some("apply-fix".into()),
            ..AuditFilter::default()
        };
        assert_eq!(query(fixes, &["t1", "t2"]).await.len(), 2, "{backend}");
        let adds = AuditFilter {
            action: Some("add-tenant".into()),
            ..AuditFilter::default()
        };
        assert_eq!(query(adds, &["t1", "t2"]).await.len(), 2, "{backend}");
        let unknown = AuditFilter {
            action: Some("drop-table".into()),
            ..AuditFilter::default()
        };
        assert!(query(unknown, &["t1", "t2"]).await.is_empty(), "{backend}");
        // The actor: part of the UPN or name, any case; LIKE's wildcards are taken literally.
        let actor = |text: &str| AuditFilter {
            actor: Some(text.into()),
            ..AuditFilter::default()
        };
        assert_eq!(query(actor("ADMIN@"), &["t1", "t2"]).await.len(), 2);
        assert_eq!(query(actor("megan"), &["t1", "t2"]).await.len(), 4);
        assert_eq!(query(actor("50%_"), &["t1", "t2"]).await.len(), 1);
        assert!(
            query(actor("%"), &["t1", "t2"]).await.len() == 1,
            "{backend}"
        );
        assert!(
            query(actor("_"), &["t1", "t2"]).await.len() == 1,
            "{backend}"
        );
        // The outcome (none recorded: unknown) and the time range, inclusive.
        let unknown_outcome = AuditFilter {
            outcome: Some("unknown".into()),
            ..AuditFilter::default()
        };
        assert_eq!(query(unknown_outcome, &["t1", "t2"]).await.len(), 2);
        let range = AuditFilter {
            from: Some(100),
            to: Some(300),
            ..AuditFilter::default()
        };
        assert_eq!(query(range, &["t1", "t2"]).await.len(), 3, "{backend}");
        let everything = AuditFilter {
            tenant: Some("t1".into()),
            actor: Some("contoso".into()),
            action: Some("apply-fix".into()),
            outcome: Some("partial".into()),
            from: Some(100),
            to: Some(100),
        };
        let one = query(everything, &["t1", "t2"]).await;
        assert_eq!(one.len(), 1, "{backend}");
        assert_eq!(one[0].steps.len(), 2);
    }
}

#[tokio::test]
async fn the_audit_log_and_its_steps_refuse_updates_and_deletes() {
    let graph = graph_stand_in().await;
    for (store, database) in stores().await {
        let backend = database.backend;
        let log = AuditLog::new(&store);
        write_audit_entries(&log, &graph).await;
        for statement in [
            "UPDATE audit_log SET action = 'x'",
            "DELETE FROM audit_log",
            "UPDATE audit_steps SET label = 'x'",
            "DELETE FROM audit_steps",
            "DELETE FROM audit_steps WHERE step = 0",
        ] {
            let err = sqlx::query(statement)
                .execute(store.pool())
                .await
                .expect_err(statement);
            assert!(
                err.to_string().contains("the audit log is append-only"),
                "{backend}: {statement}: {err}"
            );
        }
        if backend == StoreBackend::Postgres {
            for statement in ["TRUNCATE audit_log CASCADE", "TRUNCATE audit_steps"] {
                let err = sqlx::query(statement)
                    .execute(store.pool())
                    .await
                    .expect_err(statement);
                assert!(
                    err.to_string().contains("append-only"),
                    "{statement}: {err}"
                );
            }
        }
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(rows, 7, "{backend}: nothing changed");
        let steps: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_steps")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(steps, 4, "{backend}");
    }
}

async fn decide(store: &Store, tenant: &str, owner: &str, decision: &str, at: i64) {
    sqlx::query(
        "INSERT INTO join_decisions (tenant, owner_tenant, decision, decided_by, at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(owner)
    .bind(decision)
    .bind("admin@x")
    .bind(at)
    .execute(store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn the_newest_join_decision_per_tenant_counts() {
    let graph = GraphClient::new(reqwest::Client::new(), "http://127.0.0.1:9");
    for (store, database) in stores().await {
        let backend = database.backend;
        let joins = Joins::new(graph.clone(), &store);
        assert!(joins.declines().await.unwrap().is_empty());
        // a: declined, then approved (no decline); b: approved, then declined; c: declined twice.
        decide(&store, "a", "o", "declined", 1).await;
        decide(&store, "b", "o", "approved", 2).await;
        decide(&store, "a", "o", "approved", 3).await;
        decide(&store, "c", "o", "declined", 4).await;
        decide(&store, "b", "o2", "declined", 5).await;
        decide(&store, "c", "o3", "declined", 6).await;
        let mut declines: Vec<(String, String, i64)> = joins
            .declines()
            .await
            .unwrap()
            .into_iter()
            .map(|d| (d.tenant_id, d.owner_tenant_id, d.at))
            .collect();
        declines.sort();
        assert_eq!(
            declines,
            [("b".into(), "o2".into(), 5), ("c".into(), "o3".into(), 6)],
            "{backend}"
        );
    }
}

fn finding(rule: &str, severity: Severity, tenants: &[&str]) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        tenants: tenants.iter().map(|t| (*t).to_owned()).collect(),
        title: format!("{rule} title"),
        explanation: String::new(),
        fix: String::new(),
        link: "/".into(),
    }
}

#[tokio::test]
async fn monitor_findings_open_escalate_and_clear() {
    for (store, database) in stores().await {
        let backend = database.backend;
        let history = History::new(&store);
        let none = HashSet::new();
        let warning = finding("sync-blocked-by-policy", Severity::Warning, &["a", "b"]);
        let error = finding("sync-blocked-by-policy", Severity::Error, &["a", "b"]);
        let other = finding("single-owner", Severity::Warning, &["o"]);

        let first = history
            .apply(&[warning.clone(), other.clone()], &none, 100)
            .await
            .unwrap();
        assert_eq!(first.events.len(), 2, "{backend}");
        let worse = history
            .apply(&[error.clone(), other.clone()], &none, 200)
            .await
            .unwrap();
        assert_eq!(worse.events.len(), 1);
        assert_eq!(worse.events[0].kind, EventKind::Escalated);
        let open = history.open().await.unwrap();
        assert_eq!(open.len(), 2, "{backend}");
        assert_eq!(open[0].finding.severity, Severity::Error, "worst first");
        assert_eq!((open[0].opened_at, open[0].escalated_at), (100, Some(200)));
        // `o` unread: its finding stays open; the other clears.
        let unread = HashSet::from(["o".to_owned()]);
        let gone = history.apply(&[], &unread, 300).await.unwrap();
        assert_eq!(gone.events.len(), 1);
        assert_eq!(gone.events[0].kind, EventKind::Cleared);
        assert_eq!(history.open().await.unwrap().len(), 1, "{backend}");
        let cleared = history.cleared_since(250).await.unwrap();
        assert_eq!(cleared.len(), 1);
        assert_eq!(cleared[0].cleared_at, Some(300));
        // Back again: a new occurrence (the unique index holds for open ones only).
        let back = history.apply(&[warning, other], &none, 400).await.unwrap();
        assert_eq!(back.events.len(), 1);
        assert_eq!(back.events[0].kind, EventKind::Opened);
        assert_eq!(back.events[0].finding.opened_at, 400);

        for started_at in 0..(RUNS_KEPT + 3) {
            let run = MonitorRun {
                started_at,
                duration_ms: 1,
                requests: 2,
                tenants: Vec::new(),
            };
            history.record_run(&run).await.unwrap();
        }
        assert_eq!(history.runs_stored().await.unwrap(), RUNS_KEPT, "{backend}");
        assert_eq!(
            history.last_run().await.unwrap().unwrap().started_at,
            RUNS_KEPT + 2
        );
    }
}

fn event() -> FindingEvent {
    FindingEvent {
        kind: EventKind::Opened,
        finding: TrackedFinding {
            key: "sync-quarantined:a:b".into(),
            finding: finding("sync-quarantined", Severity::Error, &["a", "b"]),
            opened_at: 1_700_000_000,
            last_seen_at: 1_700_000_000,
            escalated_at: None,
            cleared_at: None,
        },
    }
}

/// A webhook answering 500 to its first call, then 200; answers its URL and the calls' count.
async fn flaky_webhook() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let app = axum::Router::new().fallback(move || {
        let calls = Arc::clone(&counted);
        async move {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                axum::http::StatusCode::INTERNAL_SERVER_ERROR
            } else {
                axum::http::StatusCode::OK
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), calls)
}

fn alerts(store: &Store, url: &str) -> Alerts {
    Alerts::new(
        vec![AlertTarget {
            name: "ops".into(),
            kind: AlertKind::Webhook,
            url: Secret::new(url),
            min_severity: None,
        }],
        store,
        Arc::new(Metrics::new()),
        tenant_mesh_server::alerts::http_client().unwrap(),
        AlertRetry {
            max_attempts: 3,
            first_wait: Duration::from_millis(10),
            max_wait: Duration::from_millis(50),
        },
    )
}

#[tokio::test]
async fn an_alert_is_claimed_once_and_its_attempts_upserted() {
    for (store, database) in stores().await {
        let backend = database.backend;
        let (url, calls) = flaky_webhook().await;
        let alerts = alerts(&store, &url);
        alerts.notify(&[event()]).await;
        // The same event again (another run, or another replica): already claimed, not sent again.
        alerts.notify(&[event()]).await;
        alerts.settled().await;
        assert_eq!(
            calls.load(std::sync::atomic::Ordering::SeqCst),
            2,
            "{backend}"
        );
        let recent = alerts.recent(10).await;
        assert_eq!(recent.len(), 1, "{backend}");
        assert_eq!(
            (recent[0].outcome.as_str(), recent[0].attempts),
            ("sent", 2)
        );
        let attempts: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT attempt, status FROM alert_attempts ORDER BY attempt")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(attempts, [(1, Some(500)), (2, Some(200))], "{backend}");

        // A delivery a restart interrupted after recording attempt 1 but before counting it: its
        // resumption records attempt 1 again, replacing the row (an upsert), then goes on.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO alert_deliveries (target, target_kind, finding_key, event, occurrence, \
             payload, created_at, at, outcome) \
             VALUES ('ops', 'webhook', 'k', 'opened', '1', '{}', 1, 1, 'retrying') RETURNING id",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO alert_attempts (delivery_id, attempt, at, status, error) \
             VALUES ($1, 1, 1, NULL, 'interrupted')",
        )
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
        let (url, _) = flaky_webhook().await;
        let resumed = self::alerts(&store, &url);
        resumed.resume().await;
        resumed.settled().await;
        let attempts: Vec<(i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT attempt, status, error FROM alert_attempts WHERE delivery_id = $1 \
             ORDER BY attempt",
        )
        .bind(id)
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(attempts.len(), 2, "{backend}: {attempts:?}");
        assert_eq!(attempts[0].1, Some(500), "{backend}: attempt 1 replaced");
        assert_ne!(attempts[0].2.as_deref(), Some("interrupted"));
        assert_eq!(attempts[1].1, Some(200));
        let outcome: String =
            sqlx::query_scalar("SELECT outcome FROM alert_deliveries WHERE id = $1")
                .bind(id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(outcome, "sent", "{backend}");
    }
}

/// `grants.sql` for `role` (its psql variable substituted).
fn grants_for(role: &str) -> String {
    include_str!("../../migrations/postgres/grants.sql")
        .replace(":\"role\"", &format!("\"{role}\""))
}

#[tokio::test]
async fn a_restricted_role_writes_but_cannot_rewrite_the_audit_log() {
    use sqlx::Connection as _;

    let Some(server) = postgres_url() else {
        return;
    };
    // The owner (here the superuser) brings the schema up to date, as `tenant-mesh --migrate`.
    let database = fresh_postgres_database().await;
    let owner = store::connect(&database).await.unwrap();
    assert_eq!(
        owner.migrate().await.unwrap(),
        store::migrations(StoreBackend::Postgres)
    );
    let role = format!("tm_app_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&database).await.unwrap();
    sqlx::raw_sql(&format!("CREATE ROLE {role} LOGIN PASSWORD 'app-password'"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::raw_sql(&grants_for(&role))
        .execute(&mut admin)
        .await
        .unwrap();
    let parsed = url::Url::parse(&database).unwrap();
    let name = parsed.path().trim_start_matches('/');
    let app_url = database_url(&server, name, Some((&role, "app-password")));

    // The server starts as that role with database_migrate = false.
    let dir = tempfile::tempdir().unwrap();
    let settings = tenant_mesh_server::Settings {
        database_url: app_url.clone(),
        database_migrate: false,
        token_key: Some(Secret::new("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")),
        site_root: dir.path().to_owned(),
        ..tenant_mesh_server::Settings::default()
    };
    let state = tenant_mesh_server::AppState::new(
        settings,
        tenant_mesh_server::Backend::emulator("http://127.0.0.1:9"),
    )
    .await
    .unwrap();
    state.store.ping().await.unwrap();
    let app = state.store.clone();
    let current: String = sqlx::query_scalar("SELECT CAST(current_user AS TEXT)")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(current, role);

    // Every kind of write the dashboard makes.
    let mut record = Record {
        id: Id::default(),
        data: content(&[("a", json!(1))]),
        expiry_date: in_an_hour(),
    };
    state.sessions.create(&mut record).await.unwrap();
    let mut loaded = state.sessions.load(&record.id).await.unwrap().unwrap();
    loaded.data.insert("b".into(), json!(2));
    state.sessions.save(&loaded).await.unwrap();
    state.sessions.delete_expired().await.unwrap();
    state.sessions.delete(&record.id).await.unwrap();

    let graph = graph_stand_in().await;
    write_audit_entries(&state.joins.audit, &graph).await;
    let entries = state
        .joins
        .audit
        .query(&AuditFilter::default(), &["t1".into(), "t2".into()])
        .await
        .unwrap();
    assert_eq!(entries.len(), 4);
    decide(&app, "a", "o", "declined", 1).await;
    assert_eq!(state.joins.declines().await.unwrap().len(), 1);

    let history = History::new(&app);
    let none = HashSet::new();
    let warning = finding("single-owner", Severity::Warning, &["o"]);
    history.apply(&[warning], &none, 100).await.unwrap();
    history.apply(&[], &none, 200).await.unwrap();
    for started_at in 0..(RUNS_KEPT + 1) {
        let run = MonitorRun {
            started_at,
            duration_ms: 1,
            requests: 1,
            tenants: Vec::new(),
        };
        history.record_run(&run).await.unwrap();
    }
    assert_eq!(history.runs_stored().await.unwrap(), RUNS_KEPT);

    let (url, _) = flaky_webhook().await;
    let alerts = alerts(&app, &url);
    alerts.notify(&[event()]).await;
    alerts.settled().await;
    assert_eq!(alerts.recent(5).await[0].outcome, "sent");

    for statement in [
        "INSERT INTO leases (name, holder, expires_at) VALUES ('monitor', 'a', 1) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
        "UPDATE leases SET expires_at = 2 WHERE name = 'monitor'",
        "DELETE FROM leases WHERE name = 'monitor'",
    ] {
        sqlx::query(statement)
            .execute(app.pool())
            .await
            .unwrap_or_else(|err| panic!("{statement}: {err}"));
    }

    // The directory audit events kept from Graph: appended, a re-read adding nothing.
    let kept = tenant_mesh_server::directory_audits::DirectoryAudits::new(&app);
    let directory_event: graph::directory::DirectoryAudit = serde_json::from_value(json!({
        "id": "e1", "category": "MultiTenantOrg", "correlationId": null, "result": "success",
        "activityDisplayName": "Update a MultiTenantOrg", "activityDateTime": "2026-09-01T00:00:00Z",
        "loggedByService": "Core Directory", "initiatedBy": {}
    }))
    .unwrap();
    let directory_events = [directory_event];
    assert_eq!(
        kept.keep(
            "t1",
            &directory_events,
            tenant_mesh_server::directory_audits::ReadBy::Monitor,
            1
        )
        .await
        .unwrap(),
        1
    );
    assert_eq!(
        kept.keep(
            "t1",
            &directory_events,
            tenant_mesh_server::directory_audits::ReadBy::Delegated,
            2
        )
        .await
        .unwrap(),
        0
    );

    // Configuration snapshots and the baseline: appended by this role.
    let snapshots = tenant_mesh_server::drift::store::Snapshots::new(&app);
    let kept_snapshot = snapshots
        .keep(
            &app::drift::snapshot::Snapshot::new(
                "2026-09-01T00:00:00Z".into(),
                "monitor (app-only)".into(),
                app::drift::Origin::Schedule,
            ),
            app::drift::Origin::Schedule,
            1,
        )
        .await
        .unwrap();
    snapshots
        .accept(kept_snapshot.id, "someone", 2)
        .await
        .unwrap();

    // The snapshots, the baseline, the audit log and the kept directory events: neither rewritten
    // nor emptied by this role.
    for statement in [
        "UPDATE snapshots SET body = 'x'",
        "DELETE FROM drift_baselines",
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE audit_steps SET label = 'x'",
        "DELETE FROM audit_steps",
        "UPDATE directory_audits SET activity = 'x'",
        "DELETE FROM directory_audits",
    ] {
        let err = sqlx::query(statement)
            .execute(app.pool())
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("permission denied"),
            "{statement}: {err}"
        );
    }
    // Nor the schema.
    let err = sqlx::query("DROP TABLE audit_log")
        .execute(app.pool())
        .await
        .expect_err("DROP TABLE");
    assert!(err.to_string().contains("must be owner"), "{err}");
    admin.close().await.unwrap();
}

#[tokio::test]
async fn a_schema_behind_is_refused_without_migrate_and_brought_up_to_date_by_migrate() {
    for database in databases().await {
        let backend = database.backend;
        let err = store::open(&database.url, false).await.unwrap_err();
        assert!(err.to_string().contains("--migrate"), "{backend}: {err}");
        // What `tenant-mesh --migrate` does.
        let settings = tenant_mesh_server::Settings {
            database_url: database.url.clone(),
            ..tenant_mesh_server::Settings::default()
        };
        let applied = tenant_mesh_server::migrate(&settings).await.unwrap();
        assert_eq!(applied, store::migrations(backend), "{backend}");
        assert!(tenant_mesh_server::migrate(&settings)
            .await
            .unwrap()
            .is_empty());
        store::open(&database.url, false).await.unwrap();
    }
}

#[tokio::test]
async fn a_lost_postgres_database_fails_fast() {
    use sqlx::Connection as _;

    let Some(server) = postgres_url() else {
        return;
    };
    let database = fresh_postgres_database().await;
    let store = store::open(&database, true).await.unwrap();
    store.ping().await.unwrap();
    let name = url::Url::parse(&database).unwrap().path()[1..].to_owned();
    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
    sqlx::raw_sql(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let started = std::time::Instant::now();
    let err = store.ping().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(8), "{err}");
    let sessions = SealedStore::new(&store, SessionKeys::new(&SessionKeys::random_key(), &[]));
    assert!(sessions.load(&Id::default()).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[tokio::test]
async fn snapshots_are_kept_listed_exported_byte_for_byte_and_the_newest_baseline_counts() {
    use app::drift::snapshot::{Snapshot, TenantConfig};
    use app::drift::Origin;
    use tenant_mesh_server::drift::store::Snapshots;
    for (store, database) in stores().await {
        let backend = database.backend;
        let snapshots = Snapshots::new(&store);
        assert!(snapshots.list().await.unwrap().is_empty(), "{backend}");
        assert!(snapshots.baseline().await.unwrap().is_none(), "{backend}");
        let mut first = Snapshot::new(
            "2026-09-01T00:00:00Z".into(),
            "Alex (alex@contoso.com)".into(),
            Origin::OnDemand,
        );
        first.tenants.insert(
            "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11".into(),
            TenantConfig {
                display_name: "Contoso".into(),
                read_by: "delegated: alex@contoso.com".into(),
                unread: vec!["sync configurations (the role may not read it)".into()],
                ..TenantConfig::default()
            },
        );
        let a = snapshots.keep(&first, Origin::OnDemand, 100).await.unwrap();
        let b = snapshots.keep(&first, Origin::Import, 200).await.unwrap();
        assert!(b.id > a.id, "{backend}");
        let listed = snapshots.list().await.unwrap();
        assert_eq!(listed.len(), 2, "{backend}");
        assert_eq!(listed[0].id, b.id, "{backend}: newest first");
        assert_eq!(listed[0].origin, Origin::Import, "{backend}");
        assert_eq!(listed[1].tenants, 1, "{backend}");
        assert_eq!(
            listed[1].unread,
            vec!["Contoso: sync configurations (the role may not read it)".to_owned()],
            "{backend}"
        );
        let export = snapshots.export(a.id).await.unwrap().unwrap();
        assert_eq!(
            export,
            first.to_json(),
            "{backend}: the stored text is the export"
        );
        assert_eq!(
            Snapshot::from_json(&export).unwrap().to_json(),
            export,
            "{backend}: an export read back writes the same bytes"
        );
        assert!(
            snapshots.export(b.id + 100).await.unwrap().is_none(),
            "{backend}"
        );
        assert_eq!(
            snapshots.newest(Origin::OnDemand).await.unwrap(),
            Some(first.clone()),
            "{backend}"
        );
        assert!(
            snapshots.newest(Origin::Schedule).await.unwrap().is_none(),
            "{backend}"
        );
        snapshots.accept(a.id, "Alex", 300).await.unwrap();
        snapshots.accept(b.id, "Sam", 400).await.unwrap();
        let (_, baseline) = snapshots.baseline().await.unwrap().unwrap();
        assert_eq!(
            baseline.snapshot.id, b.id,
            "{backend}: the newest acceptance counts"
        );
        assert_eq!(baseline.accepted_by, "Sam", "{backend}");
    }
}
