//! The dashboard's Graph client against the emulator with injected faults: throttling is retried and
//! succeeds, a persistent outage ends as a typed error within a bounded time, a malformed answer or a
//! dropped connection is an error, not a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use emulator::scenario::{CONTOSO, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use emulator::{Clock, Emulator, Scenario};
use graph::client::{AccessToken, GraphClient, GraphErrorKind, RetryPolicy};
use serde_json::{json, Value};

async fn start() -> (String, AccessToken) {
    let emulator = Emulator::new(Scenario::demo(), Clock::real())
        .unwrap()
        .with_controls();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));
    let tokens: Value = reqwest::Client::new()
        .post(format!("{base}/{CONTOSO}/oauth2/v2.0/token"))
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
    (
        base,
        AccessToken::new(tokens["access_token"].as_str().unwrap()),
    )
}

async fn fault(base: &str, rule: Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/_emulator/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

fn client(base: &str) -> GraphClient {
    GraphClient::new(reqwest::Client::new(), base).with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
        ..RetryPolicy::default()
    })
}

const MTO: &str = "/tenantRelationships/multiTenantOrganization";

#[tokio::test]
async fn throttling_is_retried_after_retry_after_and_succeeds() {
    let (base, token) = start().await;
    fault(&base, json!({"pathPrefix": "/v1.0/tenantRelationships", "kind": "throttle", "retryAfter": 1, "times": 1})).await;
    let started = Instant::now();
    let answer = client(&base).get::<Value>(&token, MTO).await.unwrap();
    assert_eq!(answer.value["displayName"], "Contoso Group");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as Graph asked"
    );
}

#[tokio::test]
async fn a_persistent_outage_is_a_typed_error_within_a_bounded_time() {
    let (base, token) = start().await;
    fault(
        &base,
        json!({"pathPrefix": "/v1.0/", "kind": "unavailable"}),
    )
    .await;
    let started = Instant::now();
    let error = client(&base).get::<Value>(&token, MTO).await.unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Unavailable);
    assert!(error.has_code("serviceNotAvailable"));
    assert!(error.request_id.is_some());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn malformed_json_and_dropped_connections_are_errors_not_panics() {
    let (base, token) = start().await;
    fault(
        &base,
        json!({"pathPrefix": "/v1.0/", "kind": "malformed", "times": 1}),
    )
    .await;
    let error = client(&base).get::<Value>(&token, MTO).await.unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Decode);

    fault(
        &base,
        json!({"pathPrefix": "/v1.0/", "kind": "drop", "times": 3}),
    )
    .await;
    let error = client(&base).get::<Value>(&token, MTO).await.unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Transport);

    // Faults used up: the next call goes through.
    assert!(client(&base).get::<Value>(&token, MTO).await.is_ok());
}

#[tokio::test]
async fn batches_are_split_by_twenty_and_answered_in_request_order() {
    use emulator::scenario::{FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE};
    use graph::client::BatchRequest;
    let (base, token) = start().await;
    let tenants = [CONTOSO, FABRIKAM, WOODGROVE, NORTHWIND, TAILSPIN];
    let requests: Vec<BatchRequest> = (0..45)
        .map(|i| {
            BatchRequest::get(format!(
                "/tenantRelationships/findTenantInformationByTenantId(tenantId='{}')",
                tenants[i % tenants.len()]
            ))
        })
        .collect();
    let answers = client(&base).batch(&token, requests).await.unwrap();
    assert_eq!(answers.len(), 45);
    for (i, answer) in answers.iter().enumerate() {
        let info: Value = answer.json().unwrap();
        assert_eq!(info["tenantId"], tenants[i % tenants.len()], "answer {i}");
    }
}

#[tokio::test]
async fn throttled_batch_items_are_retried_alone_and_item_errors_are_typed() {
    use graph::client::BatchRequest;
    let (base, token) = start().await;
    fault(
        &base,
        json!({"pathPrefix": "/v1.0/policies", "kind": "throttle", "retryAfter": 1, "times": 1}),
    )
    .await;
    let started = Instant::now();
    let answers = client(&base)
        .batch(
            &token,
            vec![
                BatchRequest::get(MTO),
                BatchRequest::get("/policies/crossTenantAccessPolicy/default"),
                BatchRequest::get("/users/nobody@contoso.onmicrosoft.com"),
            ],
        )
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "honoured the item's Retry-After"
    );
    assert_eq!(
        answers[0].json::<Value>().unwrap()["displayName"],
        "Contoso Group"
    );
    assert_eq!(
        answers[1].json::<Value>().unwrap()["isServiceDefault"],
        true
    );
    let error = answers[2].json::<Value>().unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::NotFound);
    assert!(error.code.is_some());
    assert!(error.request_id.is_some());
}
