//! Shared by the emulator's conformance tests: an emulator on an ephemeral port with a manual clock,
//! and tokens obtained from its own token endpoint, the way a client gets them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use emulator::scenario::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use emulator::{Clock, Emulator, Scenario};
use serde_json::Value;
use sha2::Digest;

pub const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";

pub struct Running {
    pub base: String,
    pub clock: Clock,
}

pub async fn start() -> Running {
    start_with(Scenario::demo()).await
}

/// An emulator serving `scenario` on an ephemeral port, with a manual clock and controls.
pub async fn start_with(scenario: Scenario) -> Running {
    let clock = Clock::manual(time::OffsetDateTime::now_utc());
    let emulator = Emulator::new(scenario, clock.clone())
        .unwrap()
        .with_controls();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));
    Running { base, clock }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A PKCE pair: (S256 challenge, verifier).
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    (challenge, verifier)
}

/// The token endpoint's answer to a client-credentials request (app-only) in `tenant`.
pub async fn app_token(base: &str, tenant: &str) -> Value {
    http()
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
        .unwrap()
}

/// A delegated Graph token for `upn` in `tenant` (authorization code + PKCE, prompt=none).
pub async fn user_token(base: &str, tenant: &str, upn: &str) -> String {
    user_token_for(
        base,
        tenant,
        upn,
        "openid offline_access https://graph.microsoft.com/.default",
    )
    .await
}

/// [`user_token`] for the permissions `scope` names (e.g. `https://graph.microsoft.com/User.Read.All`).
pub async fn user_token_for(base: &str, tenant: &str, upn: &str, scope: &str) -> String {
    let (challenge, verifier) = pkce();
    let authorize = http()
        .get(format!("{base}/{tenant}/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("prompt", "none"),
            ("login_hint", upn),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    let location = authorize.headers()["location"].to_str().unwrap().to_owned();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let tokens: Value = http()
        .post(format!("{base}/{tenant}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// Sends `method path` with `token` and an optional JSON body; returns status and JSON (Null if empty).
pub async fn call(
    base: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http()
        .request(method, format!("{base}/v1.0{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        },
    )
}

/// `GET {path}` (under `/v1.0`) with `ConsistencyLevel: eventual`: status and body text.
pub async fn get_eventual(base: &str, token: &str, path: &str) -> (u16, String) {
    let response = http()
        .get(format!("{base}/v1.0{path}"))
        .bearer_auth(token)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// `GET /users/$count` with `ConsistencyLevel: eventual` and an optional `$filter`: status and text.
pub async fn users_count(base: &str, token: &str, filter: Option<&str>) -> (u16, String) {
    let response = http()
        .get(format!("{base}/v1.0/users/$count"))
        .query(&filter.map(|f| [("$filter", f)]).unwrap_or_default())
        .bearer_auth(token)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
