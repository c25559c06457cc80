//! `GraphClient::batch` against a real socket: chunks of at most 20, answers in request order whatever
//! order Graph uses, only throttled or unavailable items sent again after the longest `Retry-After`,
//! failed items as the same typed errors as plain calls.
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use graph::client::{AccessToken, BatchRequest, GraphClient, GraphErrorKind, RetryPolicy};
use serde_json::{json, Value};

/// What the fake Graph saw: the urls of each `$batch` POST, and how often each url was answered.
#[derive(Clone, Default)]
struct Seen {
    posts: Arc<Mutex<Vec<Vec<String>>>>,
    answered: Arc<Mutex<HashMap<String, usize>>>,
}

impl Seen {
    fn posts(&self) -> Vec<Vec<String>> {
        self.posts.lock().unwrap().clone()
    }
}

fn envelope(code: &str, message: &str, request_id: &str) -> Value {
    json!({"error": {"code": code, "message": message,
        "innerError": {"date": "2026-11-24T10:00:00", "request-id": request_id, "client-request-id": "c"}}})
}

/// One item's answer, by url: `/items/{n}` → `{"n": n}`; `/flaky` → 429 once, then 200;
/// `/slow` → 429 asking for 1 s once, then 200; `/throttled` → always 429; `/missing` → 404.
fn answer(id: &str, url: &str, times: usize) -> Value {
    let ok = |body: Value| {
        json!({"id": id, "status": 200,
            "headers": {"Content-Type": "application/json", "request-id": format!("ok-{id}")}, "body": body})
    };
    let throttled = |retry_after: &str| {
        json!({"id": id, "status": 429,
            "headers": {"Content-Type": "application/json", "Retry-After": retry_after},
            "body": envelope("TooManyRequests", "slow down", "throttled-id")})
    };
    match url {
        "/flaky" if times == 0 => throttled("0"),
        "/slow" if times == 0 => throttled("1"),
        "/flaky" | "/slow" => ok(json!({"url": url})),
        "/throttled" => throttled("0"),
        "/missing" => json!({"id": id, "status": 404,
            "headers": {"Content-Type": "application/json", "request-id": "item-request-id"},
            "body": envelope("Request_ResourceNotFound", "Resource 'nobody' does not exist.", "inner-id")}),
        _ => {
            let n: u64 = url.trim_start_matches("/items/").parse().unwrap();
            ok(json!({"n": n}))
        }
    }
}

/// `POST /v1.0/$batch`: at most 20 items, answered in reverse order (Graph may reorder).
async fn batch(State(seen): State<Seen>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if headers.get("authorization").map(|v| v.to_str().unwrap()) != Some("Bearer t0ken") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(envelope("InvalidAuthenticationToken", "no token", "x")),
        )
            .into_response();
    }
    let requests = body["requests"].as_array().unwrap();
    if requests.len() > 20 {
        return (
            StatusCode::BAD_REQUEST,
            Json(envelope("BadRequest", "too many requests", "x")),
        )
            .into_response();
    }
    let urls: Vec<String> = requests
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_owned())
        .collect();
    seen.posts.lock().unwrap().push(urls);
    let mut responses = Vec::new();
    for request in requests.iter().rev() {
        assert_eq!(request["method"], "GET");
        let url = request["url"].as_str().unwrap();
        let times = {
            let mut answered = seen.answered.lock().unwrap();
            let count = answered.entry(url.to_owned()).or_default();
            *count += 1;
            *count - 1
        };
        responses.push(answer(request["id"].as_str().unwrap(), url, times));
    }
    Json(json!({ "responses": responses })).into_response()
}

async fn start() -> (GraphClient, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Seen::default();
    let app = Router::new()
        .route("/v1.0/$batch", post(batch))
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = GraphClient::new(reqwest::Client::new(), &base).with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(2),
        ..RetryPolicy::default()
    });
    (client, seen)
}

fn token() -> AccessToken {
    AccessToken::new("t0ken")
}

#[tokio::test]
async fn forty_five_requests_go_in_three_posts_and_come_back_in_order() {
    let (client, seen) = start().await;
    let requests = (0..45)
        .map(|n| BatchRequest::get(format!("/items/{n}")))
        .collect();
    let answers = client.batch(&token(), requests).await.unwrap();
    let sizes: Vec<usize> = seen.posts().iter().map(Vec::len).collect();
    assert_eq!(sizes, [20, 20, 5]);
    assert_eq!(answers.len(), 45);
    for (n, answer) in answers.iter().enumerate() {
        assert_eq!(answer.status, 200);
        assert_eq!(answer.json::<Value>().unwrap()["n"], n as u64);
    }
}

#[tokio::test]
async fn only_throttled_items_are_sent_again() {
    let (client, seen) = start().await;
    let requests = vec![
        BatchRequest::get("/items/0"),
        BatchRequest::get("/flaky"),
        BatchRequest::get("/items/1"),
    ];
    let answers = client.batch(&token(), requests).await.unwrap();
    assert_eq!(
        seen.posts(),
        [vec!["/items/0", "/flaky", "/items/1"], vec!["/flaky"]]
    );
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 200, 200]);
    assert_eq!(answers[1].json::<Value>().unwrap()["url"], "/flaky");
    assert_eq!(answers[2].json::<Value>().unwrap()["n"], 1);
}

#[tokio::test]
async fn the_retry_waits_for_the_longest_retry_after_of_the_batch() {
    let (client, seen) = start().await;
    let started = Instant::now();
    let answers = client
        .batch(
            &token(),
            vec![BatchRequest::get("/flaky"), BatchRequest::get("/slow")],
        )
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited 1 s");
    assert_eq!(seen.posts().len(), 2, "both items retried in one post");
    assert!(answers.iter().all(|a| a.status == 200));
}

#[tokio::test]
async fn persistent_throttling_stops_at_the_policy_attempts() {
    let (client, seen) = start().await;
    let answers = client
        .batch(
            &token(),
            vec![
                BatchRequest::get("/throttled"),
                BatchRequest::get("/items/7"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(seen.posts().len(), 3, "max_attempts = 3");
    let error = answers[0].json::<Value>().unwrap_err();
    assert_eq!(
        error.kind,
        GraphErrorKind::Throttled {
            retry_after: Some(Duration::ZERO)
        }
    );
    assert!(error.has_code("TooManyRequests"));
    assert_eq!(answers[1].json::<Value>().unwrap()["n"], 7);
}

#[tokio::test]
async fn a_failed_item_is_the_typed_error_of_a_plain_call() {
    let (client, seen) = start().await;
    let answers = client
        .batch(
            &token(),
            vec![BatchRequest::get("/missing"), BatchRequest::get("/items/3")],
        )
        .await
        .unwrap();
    assert_eq!(seen.posts().len(), 1, "a 404 is not retried");
    assert_eq!(answers[0].status, 404);
    let error = answers[0].json::<Value>().unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::NotFound);
    assert_eq!(error.status, Some(404));
    assert!(error.has_code("Request_ResourceNotFound"));
    assert_eq!(error.request_id.as_deref(), Some("item-request-id"));
    assert_eq!(answers[1].json::<Value>().unwrap()["n"], 3);
}

#[tokio::test]
async fn a_refused_batch_fails_the_call() {
    let (client, _) = start().await;
    let error = client
        .batch(
            &AccessToken::new("wrong"),
            vec![BatchRequest::get("/items/1")],
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Unauthorized);
    assert!(error.has_code("InvalidAuthenticationToken"));
}
