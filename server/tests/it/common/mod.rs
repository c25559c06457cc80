//! Shared by the dashboard's integration tests: the dashboard and an emulator (with controls) on
//! ephemeral ports, a cookie-keeping client with redirects off, and sign-in the way a browser does it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use emulator::{Clock, Emulator, Scenario};
use tenant_mesh_server::{router, AppState, Backend, Settings};

pub struct Harness {
    pub dashboard: String,
    pub emulator: String,
    pub clock: Clock,
    /// The emulator's state, for tests that shape its data.
    pub world: emulator::EmulatorState,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// A harness around a dashboard and an emulator a test started itself (e.g. with the monitor
    /// over HTTPS); `dir` holds the dashboard's files and is removed with the harness.
    pub fn from_parts(
        dashboard: String,
        emulator: String,
        clock: Clock,
        world: emulator::EmulatorState,
        dir: tempfile::TempDir,
    ) -> Self {
        Self {
            dashboard,
            emulator,
            clock,
            world,
            _dir: dir,
        }
    }
}

pub async fn start_with(scenario: Scenario, clock: Clock) -> Harness {
    start_configured(scenario, clock, |_| {}).await
}

/// As [`start_with`], with the dashboard's settings adjusted by `configure`.
pub async fn start_configured(
    scenario: Scenario,
    clock: Clock,
    configure: impl FnOnce(&mut Settings),
) -> Harness {
    let emulator = Emulator::new(scenario, clock.clone())
        .unwrap()
        .with_controls();
    let world = emulator.state().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let emulator_base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));

    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings {
        addr,
        site_root: dir.path().to_owned(),
        database_url: tenant_mesh_server::store::sqlite_url(&dir.path().join("db.sqlite")),
        ..Settings::default()
    };
    configure(&mut settings);
    let mut backend = Backend::emulator(&emulator_base);
    backend.tenant_choices = emulator::scenario::Scenario::demo()
        .tenants
        .iter()
        .map(|t| app::api::session::TenantChoice {
            tenant_id: t.id.clone(),
            display_name: t.display_name.clone(),
            domain: t.default_domain().to_owned(),
        })
        .collect();
    let state = AppState::new(settings, backend).await.unwrap();
    let app = router::build(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Harness {
        dashboard: format!("http://{addr}"),
        emulator: emulator_base,
        clock,
        world,
        _dir: dir,
    }
}

pub async fn start() -> Harness {
    start_with(Scenario::demo(), Clock::real()).await
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Starts a sign-in and lets the emulator answer at once (prompt=none); returns the callback URL.
pub async fn callback_url(
    h: &Harness,
    client: &reqwest::Client,
    tenant: &str,
    upn: &str,
    next: &str,
) -> String {
    callback_url_at(&h.dashboard, client, tenant, upn, next).await
}

/// As [`callback_url`], for the dashboard at `dashboard`.
pub async fn callback_url_at(
    dashboard: &str,
    client: &reqwest::Client,
    tenant: &str,
    upn: &str,
    next: &str,
) -> String {
    let login = client
        .get(format!("{dashboard}/auth/login"))
        .query(&[("tenant", tenant), ("login_hint", upn), ("next", next)])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_redirection(), "{}", login.status());
    let authorize = client
        .get(format!("{}&prompt=none", location(&login)))
        .send()
        .await
        .unwrap();
    assert_eq!(authorize.status(), 302);
    let callback = location(&authorize);
    assert!(
        callback.starts_with(&format!("{dashboard}/auth/callback?")),
        "{callback}"
    );
    callback
}

/// Signs `client` in to `tenant` as `upn`.
pub async fn sign_in(h: &Harness, client: &reqwest::Client, tenant: &str, upn: &str) {
    sign_in_at(&h.dashboard, client, tenant, upn).await;
}

/// Signs `client` in to `tenant` as `upn` at the dashboard at `dashboard`.
pub async fn sign_in_at(dashboard: &str, client: &reqwest::Client, tenant: &str, upn: &str) {
    let callback = callback_url_at(dashboard, client, tenant, upn, "/").await;
    let done = client.get(&callback).send().await.unwrap();
    assert!(done.status().is_redirection(), "{}", done.status());
}

/// The server-rendered HTML of `path`.
pub async fn page(h: &Harness, client: &reqwest::Client, path: &str) -> String {
    client
        .get(format!("{}{path}", h.dashboard))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Calls a server function as the page's form does (same origin); returns status and body.
pub async fn call(
    h: &Harness,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    call_at(&h.dashboard, client, endpoint, form).await
}

/// As [`call`], for the dashboard at `dashboard`.
pub async fn call_at(
    dashboard: &str,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let response = client
        .post(format!("{dashboard}/api/{endpoint}"))
        .header("origin", dashboard)
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The audit entries the session may read, newest first.
pub async fn audit(h: &Harness, client: &reqwest::Client) -> Vec<serde_json::Value> {
    let (status, body) = call(h, client, "audit/entries", &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Calls a server function that must refuse with `expected` (401 not signed in, 403 forbidden, 400
/// bad input, 404 unknown, 502 Graph refused); returns the error body.
pub async fn refused(
    h: &Harness,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
    expected: u16,
) -> String {
    let (status, body) = call(h, client, endpoint, form).await;
    assert_eq!(status, expected, "{endpoint}: {body}");
    body
}

/// The item of a JSON array whose `key` equals `value`.
pub fn find_by<'a>(list: &'a serde_json::Value, key: &str, value: &str) -> &'a serde_json::Value {
    list.as_array()
        .expect("an array")
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no item with {key} {value} in {list}"))
}

/// `/joins`' data: with `refresh`, read now ("Refresh now"); without, from the session's snapshot
/// of the last few seconds, as the page asks every few seconds.
pub async fn joins_view(h: &Harness, client: &reqwest::Client, refresh: bool) -> serde_json::Value {
    let refresh = refresh.to_string();
    let (status, body) = call(h, client, "joins/view", &[("refresh", &refresh)]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// One tenant's card in `/joins`' data.
pub fn joins_card<'a>(view: &'a serde_json::Value, tenant: &str) -> &'a serde_json::Value {
    view["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant_id"] == tenant)
        .unwrap()
}

/// Graph requests the emulator has answered since its log was last cleared.
pub fn graph_requests(h: &Harness) -> usize {
    h.world.0.requests.entries().len()
}

/// Adds a fault rule to the harness's emulator (`/_emulator/faults`, e.g.
/// `{"pathPrefix": "/v1.0/users", "tenant": …, "kind": "unavailable"}`).
pub async fn inject_fault(h: &Harness, rule: serde_json::Value) {
    let added = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", h.emulator))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 204, "fault rule {rule} refused");
}

/// The PostgreSQL server the tests may use (`TENANTMESH_TEST_POSTGRES_URL`, a superuser on a
/// throwaway cluster: `scripts/lib/postgres.sh` starts one). Missing: in CI (`CI` set) a panic, so
/// that the PostgreSQL half of the storage tests never goes silently untested; elsewhere a notice
/// and `None` (the test checks SQLite only).
pub fn postgres_url() -> Option<String> {
    match std::env::var("TENANTMESH_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ if in_ci() => panic!(
            "TENANTMESH_TEST_POSTGRES_URL is not set, and CI is: the PostgreSQL tests must run in \
             CI (scripts/test.sh starts a throwaway server with scripts/lib/postgres.sh and exports \
             it)"
        ),
        _ => {
            eprintln!(
                "note: TENANTMESH_TEST_POSTGRES_URL is not set; the PostgreSQL half of this test is \
                 skipped (set it to a superuser URL of a throwaway server, e.g. \
                 postgres://postgres@127.0.0.1:55432/postgres)"
            );
            None
        }
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| {
        let value = value.trim().to_ascii_lowercase();
        !value.is_empty() && value != "false" && value != "0"
    })
}

/// A new, empty database (`tm_<uuid>`) on the [`postgres_url`] server, so that tests never see
/// each other's rows; answers its URL. Panics without a server (ask [`postgres_url`] first).
pub async fn fresh_postgres_database() -> String {
    use sqlx::Connection as _;

    let server = postgres_url().expect("TENANTMESH_TEST_POSTGRES_URL");
    let name = format!("tm_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|err| panic!("cannot connect to TENANTMESH_TEST_POSTGRES_URL: {err}"));
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    database_url(&server, &name, None)
}

/// `server` (a PostgreSQL URL) naming the database `name`, and, when given, another user and
/// password.
pub fn database_url(server: &str, name: &str, user: Option<(&str, &str)>) -> String {
    let mut url = url::Url::parse(server).unwrap();
    url.set_path(&format!("/{name}"));
    if let Some((user, password)) = user {
        url.set_username(user).unwrap();
        url.set_password(Some(password)).unwrap();
    }
    url.to_string()
}
