//! The sign-in flow end to end on real sockets: dashboard + emulator on ephemeral ports, a
//! cookie-keeping client with redirects off, so every 30x of the flow is seen and checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emulator::{Clock, Emulator, Scenario};
use tenant_mesh_server::{router, AppState, Backend, Settings};

struct Harness {
    dashboard: String,
    _dir: tempfile::TempDir,
}

async fn start() -> Harness {
    let emulator = Emulator::new(Scenario::demo(), Clock::real()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let emulator_base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));

    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let settings = Settings {
        addr,
        site_root: dir.path().to_owned(),
        database_url: tenant_mesh_server::store::sqlite_url(&dir.path().join("db.sqlite")),
        ..Settings::default()
    };
    let state = AppState::new(settings, Backend::emulator(&emulator_base))
        .await
        .unwrap();
    let app = router::build(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Harness {
        dashboard: format!("http://{addr}"),
        _dir: dir,
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Starts a sign-in and lets the emulator answer at once (prompt=none); returns the callback URL.
async fn callback_url(
    h: &Harness,
    client: &reqwest::Client,
    tenant: &str,
    upn: &str,
    next: &str,
) -> String {
    let login = client
        .get(format!("{}/auth/login", h.dashboard))
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
        callback.starts_with(&format!("{}/auth/callback?", h.dashboard)),
        "{callback}"
    );
    callback
}

async fn home(h: &Harness, client: &reqwest::Client) -> String {
    client
        .get(format!("{}/", h.dashboard))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_in_to_two_tenants_keeps_both_with_their_roles() {
    let h = start().await;
    let client = browser();
    for (tenant, upn) in [
        ("contoso.onmicrosoft.com", "admin@contoso.onmicrosoft.com"),
        ("fabrikam.onmicrosoft.com", "admin@fabrikam.onmicrosoft.com"),
    ] {
        let callback = callback_url(&h, &client, tenant, upn, "/joins").await;
        let done = client.get(&callback).send().await.unwrap();
        assert!(done.status().is_redirection());
        assert_eq!(location(&done), "/joins");
    }
    let html = home(&h, &client).await;
    assert!(html.contains("admin@contoso.onmicrosoft.com"));
    assert!(html.contains("Global Administrator"));
    assert!(html.contains("admin@fabrikam.onmicrosoft.com"));
    assert!(html.contains("Security Administrator"));
    assert!(!html.contains("eyJ"), "no token in the page");
}

#[tokio::test]
async fn a_wrong_state_is_refused_and_changes_nothing() {
    let h = start().await;
    let client = browser();
    let callback = callback_url(
        &h,
        &client,
        "contoso.onmicrosoft.com",
        "admin@contoso.onmicrosoft.com",
        "/",
    )
    .await;
    let mut url = url::Url::parse(&callback).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "state" {
                (k, "forged".into())
            } else {
                (k, v)
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let refused = client.get(url.as_str()).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("cannot be completed"));
    assert!(home(&h, &client)
        .await
        .contains("Not signed in to any tenant"));
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let h = start().await;
    let client = browser();
    let callback = callback_url(
        &h,
        &client,
        "contoso.onmicrosoft.com",
        "admin@contoso.onmicrosoft.com",
        "/",
    )
    .await;
    assert!(client
        .get(&callback)
        .send()
        .await
        .unwrap()
        .status()
        .is_redirection());
    let replay = client.get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), 400);
    // Another browser replaying it has no pending sign-in at all.
    let other = browser().get(&callback).send().await.unwrap();
    assert_eq!(other.status(), 400);
}

#[tokio::test]
async fn next_is_followed_only_to_local_paths() {
    let h = start().await;
    let client = browser();
    let callback = callback_url(
        &h,
        &client,
        "contoso.onmicrosoft.com",
        "admin@contoso.onmicrosoft.com",
        "https://evil.example/steal",
    )
    .await;
    let done = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&done), "/");
    let callback = callback_url(
        &h,
        &client,
        "fabrikam.onmicrosoft.com",
        "admin@fabrikam.onmicrosoft.com",
        "//evil.example",
    )
    .await;
    assert_eq!(location(&client.get(&callback).send().await.unwrap()), "/");
}

/// The HTML a person sees at `path`.
async fn sign_in_page(client: &reqwest::Client, base: &str, path: &str) -> String {
    let response = client.get(format!("{base}{path}")).send().await.unwrap();
    response.text().await.unwrap()
}

#[tokio::test]
async fn malformed_and_unknown_tenants_go_back_to_the_sign_in_page_with_a_reason() {
    let h = start().await;
    let client = browser();
    let bad = client
        .get(format!(
            "{}/auth/login?tenant=not%20a%20tenant",
            h.dashboard
        ))
        .send()
        .await
        .unwrap();
    assert!(bad.status().is_redirection());
    assert!(location(&bad).starts_with("/signin?"));
    let shown = sign_in_page(&client, &h.dashboard, &location(&bad)).await;
    assert!(shown.contains("is neither a tenant id"), "{shown}");
    let unknown = client
        .get(format!("{}/auth/login?tenant=nobody.example", h.dashboard))
        .send()
        .await
        .unwrap();
    let shown = sign_in_page(&client, &h.dashboard, &location(&unknown)).await;
    assert!(
        shown.contains("No Microsoft Entra tenant was found for &quot;nobody.example&quot;")
            || shown.contains("No Microsoft Entra tenant was found for \"nobody.example\""),
        "{shown}"
    );
    // A link made to look like a refusal shows none of its own text.
    let forged = sign_in_page(
        &client,
        &h.dashboard,
        "/signin?error=Your+account+is+locked.+Call+555-0100&reason=Call+555-0100",
    )
    .await;
    assert!(!forged.contains("555-0100"), "{forged}");
    assert!(forged.contains("Sign-in was not completed."));
}

#[tokio::test]
async fn sign_out_needs_a_same_origin_post_and_keeps_other_tenants() {
    let h = start().await;
    let client = browser();
    for (tenant, upn) in [
        ("contoso.onmicrosoft.com", "admin@contoso.onmicrosoft.com"),
        ("fabrikam.onmicrosoft.com", "admin@fabrikam.onmicrosoft.com"),
    ] {
        let callback = callback_url(&h, &client, tenant, upn, "/").await;
        client.get(&callback).send().await.unwrap();
    }
    let contoso = emulator::scenario::CONTOSO;
    let forged = client
        .post(format!("{}/auth/logout", h.dashboard))
        .header("origin", "http://evil.example")
        .form(&[("tenant", contoso)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(
        home(&h, &client)
            .await
            .contains("admin@contoso.onmicrosoft.com"),
        "nothing changed"
    );

    let ours = client
        .post(format!("{}/auth/logout", h.dashboard))
        .header("origin", h.dashboard.clone())
        .form(&[("tenant", contoso)])
        .send()
        .await
        .unwrap();
    assert!(ours.status().is_redirection());
    let html = home(&h, &client).await;
    assert!(!html.contains("admin@contoso.onmicrosoft.com"));
    assert!(html.contains("admin@fabrikam.onmicrosoft.com"));
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let h = start().await;
    let client = browser();
    let login = client
        .get(format!(
            "{}/auth/login?tenant=contoso.onmicrosoft.com",
            h.dashboard
        ))
        .send()
        .await
        .unwrap();
    let before = login
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    let authorize = client
        .get(format!(
            "{}&prompt=none&login_hint=admin@contoso.onmicrosoft.com",
            location(&login)
        ))
        .send()
        .await
        .unwrap();
    let done = client.get(location(&authorize)).send().await.unwrap();
    let after = done
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    assert!(before.is_some() && after.is_some());
    assert_ne!(before, after, "a new session id after sign-in");
    let cookie = done.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}
