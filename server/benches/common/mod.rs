//! Shared by the benchmarks: an app-only token from the emulator for the demo app registration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emulator::scenario::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use serde_json::Value;

/// Client credentials for `tenant` at the emulator `base`.
pub async fn app_token(http: &reqwest::Client, base: &str, tenant: &str) -> String {
    let body: Value = http
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
        .unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}
