//! The app-only monitor against the emulator served over HTTPS (its own CA), with client
//! credentials through `azure_identity`: findings followed from run to run (a quarantine opens one,
//! one alert reaches a webhook, the fix clears it), tenants that throttle, fail or get no token
//! named in the run without stopping the others, and a wrong credential reported on the board.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::api::data::status::{MonitorRun, StatusBoard, TenantRun};
use app::mesh::model::ReadStatus;
use emulator::{Clock, Emulator, EmulatorState, Scenario};
use graph::client::{AccessToken, GraphClient};
use graph::policies::{IdentitySyncWrite, UserSyncInbound};
use graph::TenantId;
use serde_json::{json, Value};
use tenant_mesh_server::alerts::{AlertRetry, Alerts};
use tenant_mesh_server::backend::monitor_http_client;
use tenant_mesh_server::metrics::Metrics;
use tenant_mesh_server::monitor::credential::{AppCredential, CredentialError};
use tenant_mesh_server::monitor::{Monitor, MonitorParts, TokenSource};
use tenant_mesh_server::secret::Secret;
use tenant_mesh_server::settings::{AlertKind, AlertTarget, CredentialSettings};
use tenant_mesh_server::{Backend, Settings};

struct World {
    backend: Backend,
    clock: Clock,
    state: EmulatorState,
    /// The emulator's plain-http address (controls).
    http_base: String,
}

fn demo_id(domain: &str) -> String {
    Scenario::demo().tenant(domain).unwrap().id.clone()
}

fn contoso() -> String {
    demo_id("contoso.onmicrosoft.com")
}

fn fabrikam() -> String {
    demo_id("fabrikam.onmicrosoft.com")
}

fn woodgrove() -> String {
    demo_id("woodgrovebank.onmicrosoft.com")
}

fn northwind() -> String {
    demo_id("northwindtraders.onmicrosoft.com")
}

/// One emulator (demo scenario, a clock the test moves, controls on) over http and https; the
/// backend sends the monitor to https and trusts the emulator's CA, and offers the demo tenants.
async fn world() -> World {
    let clock = Clock::manual(time::OffsetDateTime::now_utc());
    let scenario = Scenario::demo();
    let emulator = Emulator::new(scenario.clone(), clock.clone())
        .unwrap()
        .with_controls();
    let state = emulator.state().clone();
    let backend = tenant_mesh_server::backend::serve_emulator(emulator, &scenario)
        .await
        .unwrap();
    let http_base = backend.graph_base_url.clone();
    World {
        backend,
        clock,
        state,
        http_base,
    }
}

/// A local webhook receiver: every JSON body it gets.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let kept = Arc::clone(&kept);
            async move {
                kept.lock().unwrap().push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

struct Monitored {
    monitor: Monitor,
    metrics: Arc<Metrics>,
    _dir: tempfile::TempDir,
}

async fn alerts_and_pool(
    settings: &Settings,
) -> (
    Arc<Alerts>,
    Arc<Metrics>,
    tenant_mesh_server::store::Store,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let url = tenant_mesh_server::store::sqlite_url(&dir.path().join("db.sqlite"));
    let pool = tenant_mesh_server::store::open(&url, true).await.unwrap();
    let metrics = Arc::new(Metrics::new());
    let retry = AlertRetry {
        max_attempts: 2,
        first_wait: Duration::from_millis(50),
        max_wait: Duration::from_secs(1),
    };
    let alerts = Arc::new(Alerts::new(
        settings.alerts.clone(),
        &pool,
        Arc::clone(&metrics),
        reqwest::Client::new(),
        retry,
    ));
    (alerts, metrics, pool, dir)
}

/// The monitor as the server builds it from `settings` (credential from `[monitor.credential]`).
async fn monitor(settings: &Settings, backend: &Backend) -> Monitored {
    let (alerts, metrics, pool, dir) = alerts_and_pool(settings).await;
    let monitor =
        Monitor::from_settings(settings, backend, pool, alerts, Arc::clone(&metrics)).unwrap();
    Monitored {
        monitor,
        metrics,
        _dir: dir,
    }
}

/// The monitor with its tokens from `credential`.
async fn monitor_with(
    settings: &Settings,
    backend: &Backend,
    credential: Arc<dyn TokenSource>,
) -> Monitored {
    let (alerts, metrics, pool, dir) = alerts_and_pool(settings).await;
    let graph = GraphClient::new(
        monitor_http_client(settings, backend).unwrap(),
        &backend.monitor_graph_base_url,
    );
    let parts = MonitorParts::from_settings(
        settings,
        backend,
        credential,
        graph,
        pool,
        alerts,
        Arc::clone(&metrics),
    );
    Monitored {
        monitor: Monitor::new(parts),
        metrics,
        _dir: dir,
    }
}

fn tenant<'a>(run: &'a MonitorRun, id: &str) -> &'a TenantRun {
    run.tenants
        .iter()
        .find(|t| t.tenant_id == id)
        .unwrap_or_else(|| panic!("{id} not in the run: {run:?}"))
}

fn open_keys(board: &StatusBoard) -> Vec<String> {
    board.open.iter().map(|t| t.key.clone()).collect()
}

/// A delegated Graph token of `upn` in the demo tenant `domain` (what the emulator's token endpoint
/// gives after sign-in).
fn admin_token(w: &World, domain: &str, upn: &str) -> AccessToken {
    let scenario = Scenario::demo();
    let tenant = scenario.tenant(domain).unwrap();
    let account = tenant.accounts.iter().find(|a| a.upn == upn).unwrap();
    AccessToken::new(emulator::entra::mint::delegated_access_token(
        &w.state,
        tenant,
        account,
        emulator::scenario::DEMO_CLIENT_ID,
        "https://graph.microsoft.com/.default",
    ))
}

fn graph_of(w: &World) -> GraphClient {
    GraphClient::new(reqwest::Client::new(), &w.http_base)
}

/// Fabrikam's Security Administrator sets whether Fabrikam lets Contoso's users be synchronized in.
async fn fabrikam_allows_sync_from_contoso(w: &World, allowed: bool) {
    let token = admin_token(
        w,
        "fabrikam.onmicrosoft.com",
        "admin@fabrikam.onmicrosoft.com",
    );
    let body = IdentitySyncWrite {
        user_sync_inbound: UserSyncInbound {
            is_sync_allowed: Some(allowed),
        },
        group_sync_inbound: None,
    };
    let contoso: TenantId = contoso().parse().unwrap();
    graph_of(w)
        .run(
            &token,
            &graph::ops::policies::update_identity_sync(&contoso, &body),
        )
        .await
        .unwrap();
}

/// Contoso's Global Administrator restarts the sync job to Fabrikam, clearing its quarantine (its
/// first cycle follows 20 seconds later).
async fn contoso_restarts_its_sync_to_fabrikam(w: &World) {
    let token = admin_token(
        w,
        "contoso.onmicrosoft.com",
        "admin@contoso.onmicrosoft.com",
    );
    let graph = graph_of(w);
    let configurations = graph
        .run(&token, &graph::ops::sync::sync_configurations())
        .await
        .unwrap()
        .value
        .value;
    let to_fabrikam = configurations
        .iter()
        .find(|sp| {
            sp.display_name
                .as_deref()
                .unwrap_or_default()
                .contains(&fabrikam())
        })
        .unwrap();
    let jobs = graph
        .run(&token, &graph::ops::sync::jobs(&to_fabrikam.id))
        .await
        .unwrap()
        .value
        .value;
    graph
        .run(
            &token,
            &graph::ops::sync::restart_job(&to_fabrikam.id, &jobs[0].id, "QuarantineState"),
        )
        .await
        .unwrap();
}

async fn fault(w: &World, rule: Value) {
    let added = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", w.http_base))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 204, "fault rule {rule} refused");
}

/// Waits (bounded) until `received` holds `n` bodies.
async fn deliveries(received: &Arc<Mutex<Vec<Value>>>, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        if received.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    received.lock().unwrap().clone()
}

#[tokio::test]
async fn a_quarantine_between_two_runs_opens_a_finding_alerts_once_and_the_fix_clears_it() {
    let w = world().await;
    let (hook, received) = receiver().await;
    let settings = Settings {
        alerts: vec![AlertTarget {
            name: "ops hook".into(),
            kind: AlertKind::Webhook,
            url: Secret::new(hook),
            min_severity: None,
        }],
        ..Settings::default()
    };
    let m = monitor(&settings, &w.backend).await;
    let quarantine = format!("sync-quarantined:{}:{}", contoso(), fabrikam());

    let first = m.monitor.run_once(w.clock.unix()).await.unwrap();
    assert_eq!(first.tenants.len(), 5, "every demo tenant: {first:?}");
    for run in &first.tenants {
        assert_eq!(run.problem, None, "{run:?}");
    }
    assert!(first.requests > 0);
    let board = m.monitor.board(w.clock.unix()).await;
    let woodgrove_quarantine = format!("sync-quarantined:{}:{}", woodgrove(), fabrikam());
    assert!(
        open_keys(&board).contains(&woodgrove_quarantine),
        "{:?}",
        open_keys(&board)
    );
    assert!(!open_keys(&board).contains(&quarantine));
    let opened_first = deliveries(&received, 1).await.len();
    assert!(opened_first >= 1, "the demo's own findings were sent");

    // Fabrikam stops allowing Contoso's users in; the next sync cycle (the demo's jobs last ran ten
    // minutes before start) quarantines the job.
    fabrikam_allows_sync_from_contoso(&w, false).await;
    w.clock.advance(31 * 60);
    let second_at = w.clock.unix();
    m.monitor.run_once(second_at).await.unwrap();
    let board = m.monitor.board(second_at).await;
    let tracked = board
        .open
        .iter()
        .find(|t| t.key == quarantine)
        .unwrap_or_else(|| panic!("no quarantine finding: {:?}", open_keys(&board)));
    assert_eq!(tracked.opened_at, second_at);
    assert_eq!(tracked.finding.tenants, [contoso(), fabrikam()]);
    assert_eq!(
        board.open[0].finding.severity,
        app::mesh::health::Severity::Error
    );
    let sent = deliveries(&received, opened_first + 1).await;
    let about = |event: &str| {
        sent.iter()
            .filter(|b| b["event"] == event && b["finding"]["key"] == quarantine.as_str())
            .count()
    };
    assert_eq!(about("opened"), 1, "{sent:?}");

    // A run that sees it again sends nothing more and keeps its age.
    w.clock.advance(60);
    m.monitor.run_once(w.clock.unix()).await.unwrap();
    let board = m.monitor.board(w.clock.unix()).await;
    let again = board.open.iter().find(|t| t.key == quarantine).unwrap();
    assert_eq!(again.opened_at, second_at);
    assert_eq!(again.last_seen_at, w.clock.unix());

    // The fix and a restart, then a cycle that passes: the finding clears, once. (Within the
    // hour: the app tokens, kept by real time, expire by the emulator's clock.)
    fabrikam_allows_sync_from_contoso(&w, true).await;
    contoso_restarts_its_sync_to_fabrikam(&w).await;
    w.clock.advance(60);
    let cleared_at = w.clock.unix();
    m.monitor.run_once(cleared_at).await.unwrap();
    let board = m.monitor.board(cleared_at).await;
    assert!(
        !open_keys(&board).contains(&quarantine),
        "{:#?}",
        board.open.iter().find(|t| t.key == quarantine)
    );
    let cleared = board.cleared.iter().find(|t| t.key == quarantine).unwrap();
    assert_eq!(cleared.cleared_at, Some(cleared_at));
    assert_eq!(cleared.duration(cleared_at), cleared_at - second_at);
    let sent = deliveries(&received, sent.len() + 1).await;
    let cleared_sent = sent
        .iter()
        .filter(|b| b["event"] == "cleared" && b["finding"]["key"] == quarantine.as_str())
        .count();
    assert_eq!(cleared_sent, 1, "{sent:?}");
    assert!(board.alerts.iter().any(|a| a.finding_key == quarantine));
    assert!(board.overview.is_some());
    assert_eq!(board.last_run.as_ref().unwrap().started_at, cleared_at);
    assert!(m.metrics.render().contains("findings_open"));
}

#[tokio::test]
async fn a_throttled_tenant_and_a_failing_one_do_not_stop_the_others() {
    let w = world().await;
    let m = monitor(&Settings::default(), &w.backend).await;
    fault(
        &w,
        json!({"pathPrefix": "/v1.0/", "kind": "throttle", "retryAfter": 1, "tenant": woodgrove()}),
    )
    .await;
    fault(
        &w,
        json!({"pathPrefix": "/v1.0/", "kind": "unavailable", "tenant": northwind()}),
    )
    .await;
    let run = m.monitor.run_once(w.clock.unix()).await.unwrap();
    let woodgrove_run = tenant(&run, &woodgrove());
    assert_eq!(woodgrove_run.name, "Woodgrove Bank");
    let throttled = woodgrove_run.problem.as_deref().unwrap();
    assert!(
        throttled.contains("429") || throttled.to_lowercase().contains("throttl"),
        "{throttled}"
    );
    let failing = tenant(&run, &northwind()).problem.as_deref().unwrap();
    assert!(
        failing.contains("503") || failing.contains("navailable"),
        "{failing}"
    );
    for read in [contoso(), fabrikam()] {
        assert_eq!(tenant(&run, &read).problem, None, "{run:?}");
    }
    let mesh = m.monitor.latest_mesh().unwrap();
    assert_eq!(mesh.node(&contoso()).unwrap().read, ReadStatus::Fresh);
    assert!(matches!(
        mesh.node(&woodgrove()).unwrap().read,
        ReadStatus::Failed { .. }
    ));
    // Contoso's and Fabrikam's sides are known: their two-way sync is healthy.
    let board = m.monitor.board(w.clock.unix()).await;
    let pairs = &board.overview.unwrap().pairs;
    assert!(pairs
        .iter()
        .any(|p| [&p.source, &p.target] == [&contoso(), &fabrikam()]
            || [&p.source, &p.target] == [&fabrikam(), &contoso()]));
}

/// The app credential, refusing the tenants named in `refused` as Entra refuses an expired secret.
struct Refusing {
    inner: AppCredential,
    refused: Mutex<HashSet<String>>,
}

#[async_trait::async_trait]
impl TokenSource for Refusing {
    async fn token(&self, tenant: &TenantId) -> Result<AccessToken, CredentialError> {
        if self.refused.lock().unwrap().contains(tenant.as_str()) {
            return Err(CredentialError(
                "AADSTS7000222: The provided client secret keys for app '…' are expired.".into(),
            ));
        }
        self.inner.token(tenant).await
    }
}

#[tokio::test]
async fn a_tenant_whose_token_stops_coming_keeps_its_last_reading_and_says_why() {
    let w = world().await;
    let settings = Settings::default();
    let credential = Arc::new(Refusing {
        inner: AppCredential::from_settings(&settings, &w.backend).unwrap(),
        refused: Mutex::new(HashSet::new()),
    });
    let m = monitor_with(&settings, &w.backend, credential.clone()).await;
    let first_at = w.clock.unix();
    m.monitor.run_once(first_at).await.unwrap();
    let before = m.monitor.board(first_at).await.open;
    let reading = m.monitor.latest_reading(&woodgrove()).unwrap();
    assert_eq!(reading.status, ReadStatus::Fresh);
    assert_eq!(reading.read_at, Some(first_at));
    assert!(reading.view.unwrap().sync.is_some());

    credential.refused.lock().unwrap().insert(woodgrove());
    w.clock.advance(300);
    let run = m.monitor.run_once(w.clock.unix()).await.unwrap();
    let problem = tenant(&run, &woodgrove()).problem.clone().unwrap();
    assert!(problem.contains("AADSTS7000222"), "{problem}");
    assert_eq!(tenant(&run, &contoso()).problem, None);
    let reading = m.monitor.latest_reading(&woodgrove()).unwrap();
    assert!(
        matches!(&reading.status, ReadStatus::Stale { reason } if reason.contains("AADSTS7000222")),
        "{:?}",
        reading.status
    );
    assert_eq!(
        reading.read_at,
        Some(first_at),
        "the last reading, with its time"
    );
    // Woodgrove's findings stay open: nothing says they cleared.
    let board = m.monitor.board(w.clock.unix()).await;
    let keys = |list: &[app::api::data::status::TrackedFinding]| {
        list.iter()
            .filter(|t| t.finding.tenants.contains(&woodgrove()))
            .map(|t| t.key.clone())
            .collect::<Vec<_>>()
    };
    assert!(!keys(&before).is_empty());
    assert_eq!(keys(&board.open), keys(&before));
    assert!(board.cleared.is_empty(), "{:?}", board.cleared);
}

#[tokio::test]
async fn a_wrong_credential_is_reported_on_the_board_not_crashed_on() {
    let w = world().await;
    let mut settings = Settings::default();
    settings.monitor.credential = CredentialSettings::ClientSecret {
        client_id: None,
        client_secret: Some(Secret::new("a-stale-secret")),
    };
    let m = monitor(&settings, &w.backend).await;
    let run = m.monitor.run_once(w.clock.unix()).await.unwrap();
    assert_eq!(run.tenants.len(), 5);
    for tenant in &run.tenants {
        let problem = tenant.problem.as_deref().unwrap_or_default();
        assert!(problem.contains("AADSTS"), "{tenant:?}");
        assert!(!problem.contains("a-stale-secret"), "{problem}");
    }
    let board = m.monitor.board(w.clock.unix()).await;
    assert!(board.enabled);
    assert_eq!(board.last_run.unwrap().tenants.len(), 5);
    assert!(board.open.is_empty());
    assert!(m.monitor.latest_reading(&contoso()).is_none());
}

#[tokio::test]
async fn tenants_named_by_domain_are_looked_up_and_a_bad_name_is_reported() {
    let w = world().await;
    let backend = Backend {
        tenant_choices: Vec::new(),
        ..w.backend.clone()
    };
    let mut settings = Settings::default();
    settings.monitor.tenants = vec![
        fabrikam(),
        "contoso.onmicrosoft.com".into(),
        "not a tenant!".into(),
    ];
    let m = monitor(&settings, &backend).await;
    let run = m.monitor.run_once(w.clock.unix()).await.unwrap();
    assert_eq!(run.tenants.len(), 3, "{run:?}");
    assert_eq!(tenant(&run, &fabrikam()).problem, None);
    let contoso_run = tenant(&run, &contoso());
    assert_eq!(contoso_run.problem, None);
    assert_eq!(contoso_run.name, "Contoso");
    assert!(tenant(&run, "not a tenant!").problem.is_some());
}

#[tokio::test]
async fn a_disabled_monitor_has_an_empty_board() {
    let monitor = Monitor::disabled();
    assert!(!monitor.enabled());
    let board = monitor.board(1_800_000_000).await;
    assert!(!board.enabled);
    assert!(board.last_run.is_none() && board.overview.is_none() && board.open.is_empty());
    assert!(monitor.latest_reading("x").is_none());
}
