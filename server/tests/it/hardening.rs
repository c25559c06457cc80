//! Hardening on real sockets: the tenant allowlist (`allowed_tenants`) at `/auth/login` and, the
//! check that counts, at `/auth/callback`; the `form-action` and `Strict-Transport-Security`
//! headers; directory roles read again when tokens are refreshed; `/demo/reset` in the audit log.
//!
//! The dashboards here are started with settings of their own (the shared harness takes the
//! defaults), each with a cookie-keeping client whose cookies can be read, so that a test can expire
//! a sign-in's access token in the session store: the dashboard's clock is the real one, so
//! "an hour later" is made by moving the stored expiry, not the time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use emulator::scenario::roles::HELPDESK_ADMINISTRATOR;
use emulator::scenario::{CONTOSO, FABRIKAM};
use emulator::{Clock, Emulator, Scenario};
use reqwest::cookie::CookieStore as _;
use serde_json::{json, Value};
use tenant_mesh_server::{router, AppState, Backend, Settings};
use tower_sessions::session::Id;
use tower_sessions::SessionStore;

const CONTOSO_ADMIN: &str = "admin@contoso.onmicrosoft.com";
const FABRIKAM_ADMIN: &str = "admin@fabrikam.onmicrosoft.com";
const COOKIE: &str = "tenant_mesh_session";
const HSTS: &str = "max-age=31536000; includeSubDomains";

struct Site {
    dashboard: String,
    emulator: String,
    world: emulator::EmulatorState,
    sessions: Arc<dyn SessionStore>,
    _dir: Option<tempfile::TempDir>,
}

/// The emulator (demo scenario, controls on) on an ephemeral port.
async fn emulator() -> (String, emulator::EmulatorState) {
    let emulator = Emulator::new(Scenario::demo(), Clock::real())
        .unwrap()
        .with_controls();
    let world = emulator.state().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));
    (base, world)
}

/// A dashboard against the emulator at `emulator_base`, its database in `dir`, with the demo
/// tenants on the sign-in page and the emulator's reset control; `adjust` changes its settings.
async fn dashboard(
    emulator_base: &str,
    dir: &Path,
    adjust: impl FnOnce(&mut Settings),
) -> (String, Arc<dyn SessionStore>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings {
        addr,
        site_root: dir.to_owned(),
        database_url: tenant_mesh_server::store::sqlite_url(&dir.join("db.sqlite")),
        ..Settings::default()
    };
    adjust(&mut settings);
    let mut backend = Backend::emulator(emulator_base);
    backend.tenant_choices = Scenario::demo()
        .tenants
        .iter()
        .map(|t| app::api::session::TenantChoice {
            tenant_id: t.id.clone(),
            display_name: t.display_name.clone(),
            domain: t.default_domain().to_owned(),
        })
        .collect();
    backend.demo_controls = Some(format!("{emulator_base}/_emulator"));
    let state = AppState::new(settings, backend).await.unwrap();
    let sessions: Arc<dyn SessionStore> = Arc::new(state.sessions.clone());
    let app = router::build(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), sessions)
}

async fn start_with_settings(adjust: impl FnOnce(&mut Settings)) -> Site {
    let (emulator, world) = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (dashboard, sessions) = dashboard(&emulator, dir.path(), adjust).await;
    Site {
        dashboard,
        emulator,
        world,
        sessions,
        _dir: Some(dir),
    }
}

/// A browser: keeps cookies (readable through the jar), follows no redirects.
struct Browser {
    client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
}

fn browser() -> Browser {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::clone(&jar))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Browser { client, jar }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// `GET /auth/login` for `tenant`.
async fn login(base: &str, b: &Browser, tenant: &str, upn: &str) -> reqwest::Response {
    b.client
        .get(format!("{base}/auth/login"))
        .query(&[("tenant", tenant), ("login_hint", upn), ("next", "/")])
        .send()
        .await
        .unwrap()
}

/// Starts a sign-in at `base` and lets the emulator answer at once (prompt=none); the callback URL.
async fn callback_url(base: &str, b: &Browser, tenant: &str, upn: &str) -> String {
    let started = login(base, b, tenant, upn).await;
    assert!(started.status().is_redirection(), "{}", started.status());
    let authorize = b
        .client
        .get(format!("{}&prompt=none", location(&started)))
        .send()
        .await
        .unwrap();
    assert_eq!(authorize.status(), 302);
    let callback = location(&authorize);
    assert!(
        callback.starts_with(&format!("{base}/auth/callback?")),
        "{callback}"
    );
    callback
}

async fn sign_in(site: &Site, b: &Browser, tenant: &str, upn: &str) {
    let callback = callback_url(&site.dashboard, b, tenant, upn).await;
    let done = b.client.get(&callback).send().await.unwrap();
    assert_eq!(location(&done), "/", "signed in and sent on");
}

async fn call(base: &str, b: &Browser, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = b
        .client
        .post(format!("{base}/api/{endpoint}"))
        .header("origin", base)
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The session's sign-ins as the header shows them.
async fn signed_in(base: &str, b: &Browser) -> Vec<Value> {
    let (status, body) = call(base, b, "session/signed-in", &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn roles_in(base: &str, b: &Browser, tenant: &str) -> Vec<String> {
    signed_in(base, b)
        .await
        .iter()
        .find(|s| s["tenant_id"] == tenant)
        .map(|s| serde_json::from_value(s["roles"].clone()).unwrap())
        .unwrap_or_else(|| panic!("not signed in to {tenant}"))
}

/// The HTML of the sign-in page a refusal redirected to.
async fn followed(base: &str, b: &Browser, redirect: &reqwest::Response) -> String {
    let target = location(redirect);
    assert!(target.starts_with("/signin?"), "{target}");
    b.client
        .get(format!("{base}{target}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Moves the access token of the session's sign-in to `tenant` past its expiry, as an hour would.
async fn expire_access_token(site: &Site, b: &Browser) {
    let cookies = b
        .jar
        .cookies(&site.dashboard.parse().unwrap())
        .expect("the browser holds a session cookie");
    let id = cookies
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|pair| pair.strip_prefix(&format!("{COOKIE}=")))
        .expect("the session cookie")
        .to_owned();
    let id = Id::from_str(&id).unwrap();
    let mut record = site.sessions.load(&id).await.unwrap().expect("the session");
    let sign_ins = record
        .data
        .get_mut("tenant_mesh.sign_ins")
        .expect("sign-ins in the session");
    let mut expired = 0;
    for sign_in in sign_ins.as_object_mut().unwrap().values_mut() {
        sign_in["tokens"]["expires_at"] = json!(0);
        expired += 1;
    }
    assert!(expired > 0);
    site.sessions.save(&record).await.unwrap();
}

/// The directory-role reads the emulator answered (or faulted): `(status, fault)`.
fn role_reads(site: &Site) -> Vec<(u16, Option<&'static str>)> {
    site.world
        .0
        .requests
        .entries()
        .into_iter()
        .filter(|e| e.url.starts_with("/v1.0/me/transitiveMemberOf"))
        .map(|e| (e.status, e.fault))
        .collect()
}

fn set_roles(site: &Site, tenant: &str, upn: &str, roles: &[&str]) {
    let mut world = site.world.world();
    let account = world
        .scenario
        .tenants
        .iter_mut()
        .find(|t| t.id == tenant)
        .unwrap()
        .accounts
        .iter_mut()
        .find(|a| a.upn == upn)
        .unwrap();
    account.role_ids = roles.iter().map(|r| (*r).to_owned()).collect();
}

// ── the tenant allowlist ─────────────────────────────────────────────────────────────────────

const NOT_ALLOWED: &str =
    "is not allowed: this Tenant Mesh serves only the tenants its administrator listed";

#[tokio::test]
async fn an_allowlist_of_contoso_refuses_fabrikam_at_login_and_admits_contoso() {
    let site = start_with_settings(|s| s.allowed_tenants = vec![CONTOSO.to_owned()]).await;
    let b = browser();

    // By domain and by id: refused before anything is sent to the sign-in service.
    for asked in ["fabrikam.onmicrosoft.com", FABRIKAM] {
        let refused = login(&site.dashboard, &b, asked, FABRIKAM_ADMIN).await;
        assert_eq!(refused.status(), 303, "{asked}");
        assert!(
            location(&refused).contains("error=tenant-not-allowed"),
            "{}",
            location(&refused)
        );
        let html = followed(&site.dashboard, &b, &refused).await;
        assert!(html.contains(NOT_ALLOWED), "{asked}: our own sentence");
        assert!(html.contains(asked), "names the tenant asked for");
    }
    assert!(signed_in(&site.dashboard, &b).await.is_empty());

    // Contoso, by domain (the list names its id): admitted.
    sign_in(&site, &b, "contoso.onmicrosoft.com", CONTOSO_ADMIN).await;
    let sessions = signed_in(&site.dashboard, &b).await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["tenant_id"], CONTOSO);
}

#[tokio::test]
async fn a_listed_domain_admits_the_tenant_it_belongs_to_whatever_the_login_asked() {
    let site =
        start_with_settings(|s| s.allowed_tenants = vec!["contoso.onmicrosoft.com".into()]).await;
    let b = browser();
    // The domain is resolved to Contoso's id: a sign-in asked by id is admitted.
    sign_in(&site, &b, CONTOSO, CONTOSO_ADMIN).await;
    assert_eq!(roles_in(&site.dashboard, &b, CONTOSO).await.len(), 1);
    // Another tenant's domain is not Contoso's.
    let refused = login(
        &site.dashboard,
        &b,
        "woodgrovebank.onmicrosoft.com",
        "admin@woodgrovebank.onmicrosoft.com",
    )
    .await;
    assert!(location(&refused).contains("error=tenant-not-allowed"));
}

/// The check that counts is at the callback, on the tenant the ID token proves: a sign-in begun
/// while Fabrikam was allowed (here: at a dashboard of the same deployment that allowed every
/// tenant, sharing the session database, as during a rolling change of the settings) is refused
/// when it comes back, and nothing is stored in the session.
#[tokio::test]
async fn the_callback_refuses_a_tenant_left_out_and_stores_no_sign_in() {
    let (emulator_base, _world) = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (open, _) = dashboard(&emulator_base, dir.path(), |_| {}).await;
    let (strict, _) = dashboard(&emulator_base, dir.path(), |s| {
        s.allowed_tenants = vec![CONTOSO.to_owned()];
        // The same public address, so that the redirect URI of the sign-in is the same.
        s.public_url = Some(open.clone());
    })
    .await;
    let b = browser();
    let callback = callback_url(&open, &b, "fabrikam.onmicrosoft.com", FABRIKAM_ADMIN).await;
    let at_strict = callback.replacen(&open, &strict, 1);
    let refused = b.client.get(&at_strict).send().await.unwrap();
    assert_eq!(refused.status(), 303);
    assert!(
        location(&refused).contains("error=tenant-not-allowed"),
        "{}",
        location(&refused)
    );
    let html = followed(&strict, &b, &refused).await;
    assert!(html.contains(NOT_ALLOWED));
    assert!(signed_in(&strict, &b).await.is_empty(), "nothing stored");
    assert!(signed_in(&open, &b).await.is_empty(), "nothing stored");
}

// ── headers ──────────────────────────────────────────────────────────────────────────────────

async fn get(url: &str) -> reqwest::Response {
    reqwest::Client::new().get(url).send().await.unwrap()
}

async fn server_function_answer(base: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/api/session/choices"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn forms_may_go_only_to_the_dashboard_and_the_sign_in_service_and_plain_http_has_no_hsts() {
    let site = start_with_settings(|_| {}).await;
    for path in ["/", "/signin", "/nothing/here"] {
        let page = get(&format!("{}{path}", site.dashboard)).await;
        let csp = header(&page, "content-security-policy").unwrap();
        assert!(
            csp.contains(&format!("form-action 'self' {};", site.emulator)),
            "{path}: {csp}"
        );
        assert_eq!(header(&page, "strict-transport-security"), None, "{path}");
    }
    let answer = server_function_answer(&site.dashboard).await;
    assert_eq!(answer.status(), 200);
    let csp = header(&answer, "content-security-policy").unwrap();
    assert!(csp.contains("form-action 'self';"), "{csp}");
    assert_eq!(header(&answer, "strict-transport-security"), None);

    // The sign-in form still leads to the sign-in service: /auth/login redirects there.
    let b = browser();
    let started = login(
        &site.dashboard,
        &b,
        "contoso.onmicrosoft.com",
        CONTOSO_ADMIN,
    )
    .await;
    assert!(location(&started).starts_with(&format!("{}/", site.emulator)));
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_address_is_https_and_in_entra_mode() {
    for https in [true, false] {
        let site = start_with_settings(|s| {
            if https {
                s.public_url = Some("https://mesh.contoso.com".into());
            } else {
                s.mode = tenant_mesh_server::Mode::Entra;
                s.allowed_tenants = vec![CONTOSO.to_owned()];
                // Entra mode has no key made for it: 32 bytes, base64.
                s.token_key = Some(tenant_mesh_server::secret::Secret::new(
                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                ));
            }
        })
        .await;
        let page = get(&format!("{}/", site.dashboard)).await;
        assert_eq!(page.status(), 200);
        assert_eq!(
            header(&page, "strict-transport-security").as_deref(),
            Some(HSTS)
        );
        let csp = header(&page, "content-security-policy").unwrap();
        assert!(
            csp.contains("form-action 'self' http://127.0.0.1:"),
            "{csp}"
        );
        let answer = server_function_answer(&site.dashboard).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(
            header(&answer, "strict-transport-security").as_deref(),
            Some(HSTS)
        );
    }
}

// ── roles read again at refresh ──────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_token_refresh_reads_the_roles_again_and_a_role_taken_away_stops_writes() {
    let site = start_with_settings(|_| {}).await;
    let b = browser();
    sign_in(&site, &b, CONTOSO, CONTOSO_ADMIN).await;
    assert_eq!(
        roles_in(&site.dashboard, &b, CONTOSO).await,
        ["Global Administrator"]
    );

    // In Contoso, the admin becomes a Helpdesk Administrator. Until the tokens are refreshed, the
    // sign-in keeps the roles it was made with.
    set_roles(&site, CONTOSO, CONTOSO_ADMIN, &[HELPDESK_ADMINISTRATOR]);
    assert_eq!(
        roles_in(&site.dashboard, &b, CONTOSO).await,
        ["Global Administrator"]
    );

    // An hour later the access token has expired: the next write refreshes it, reads the roles
    // again and is refused by the dashboard itself.
    expire_access_token(&site, &b).await;
    let (status, body) = call(
        &site.dashboard,
        &b,
        "joins/update",
        &[
            ("tenant", CONTOSO),
            ("name", "Contoso Group renamed"),
            ("description", ""),
        ],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(role_reads(&site), [(200, None)], "read from Graph once");
    assert_eq!(
        roles_in(&site.dashboard, &b, CONTOSO).await,
        ["Helpdesk Administrator"],
        "the new roles are stored with the sign-in"
    );
    // Reading is still allowed to a Helpdesk Administrator.
    let (status, body) = call(&site.dashboard, &b, "joins/view", &[]).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn roles_that_cannot_be_read_at_a_refresh_stay_as_they_were() {
    let site = start_with_settings(|_| {}).await;
    let b = browser();
    sign_in(&site, &b, CONTOSO, CONTOSO_ADMIN).await;
    set_roles(&site, CONTOSO, CONTOSO_ADMIN, &[HELPDESK_ADMINISTRATOR]);
    let added = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", site.emulator))
        .json(&json!({"pathPrefix": "/v1.0/me/", "kind": "malformed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 204);
    expire_access_token(&site, &b).await;
    let (status, body) = call(&site.dashboard, &b, "joins/view", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        !role_reads(&site).is_empty() && role_reads(&site).iter().all(|(_, f)| f.is_some()),
        "the tokens were refreshed and the roles could not be read: {:?}",
        role_reads(&site)
    );
    assert_eq!(
        roles_in(&site.dashboard, &b, CONTOSO).await,
        ["Global Administrator"],
        "kept, with a warning in the log"
    );
}

// ── /demo/reset in the audit log ─────────────────────────────────────────────────────────────

async fn reset(site: &Site, b: &Browser, origin: &str) -> reqwest::Response {
    b.client
        .post(format!("{}/demo/reset", site.dashboard))
        .header("origin", origin)
        .send()
        .await
        .unwrap()
}

async fn resets(site: &Site, b: &Browser) -> Vec<Value> {
    let (status, body) = call(&site.dashboard, b, "audit/entries", &[]).await;
    assert_eq!(status, 200, "{body}");
    let entries: Vec<Value> = serde_json::from_str(&body).unwrap();
    entries
        .into_iter()
        .filter(|e| e["action"] == "reset-demo")
        .collect()
}

#[tokio::test]
async fn demo_resets_are_audited_with_who_asked() {
    let site = start_with_settings(|_| {}).await;
    let admin = browser();
    sign_in(&site, &admin, CONTOSO, CONTOSO_ADMIN).await;

    let done = reset(&site, &admin, &site.dashboard).await;
    assert_eq!(done.status(), 204);
    let entries = resets(&site, &admin).await;
    assert_eq!(
        entries.len(),
        1,
        "one entry per tenant, Contoso's is visible here"
    );
    assert_eq!(entries[0]["tenant"], CONTOSO);
    assert_eq!(entries[0]["actor_upn"], CONTOSO_ADMIN);
    assert_eq!(entries[0]["outcome"], "success");

    // Without signing in (as the browser tests do): recorded as such.
    let anonymous = browser();
    assert_eq!(
        reset(&site, &anonymous, &site.dashboard).await.status(),
        204
    );
    let entries = resets(&site, &admin).await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["actor_name"], "Not signed in");
    assert_eq!(entries[0]["outcome"], "success");

    // Refused from another origin: nothing changed, nothing recorded.
    let refused = reset(&site, &anonymous, "http://evil.example").await;
    assert_eq!(refused.status(), 403);
    assert_eq!(resets(&site, &admin).await.len(), 2);

    // A Fabrikam admin sees the resets in Fabrikam's log too.
    let fabrikam = browser();
    sign_in(&site, &fabrikam, FABRIKAM, FABRIKAM_ADMIN).await;
    let entries = resets(&site, &fabrikam).await;
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e["tenant"] == FABRIKAM));
}
