//! The Graph client against a real socket: retries honouring Retry-After, paging with headers resent,
//! error envelopes mapped to typed errors, absent objects as `None`, `$count`.
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use graph::client::{AccessToken, GraphClient, GraphErrorKind, RetryPolicy};
use serde_json::json;

#[derive(Clone, Default)]
struct Calls(Arc<AtomicUsize>);

fn envelope(code: &str, message: &str) -> serde_json::Value {
    json!({"error": {"code": code, "message": message, "innerError": {"date": "2026-11-24T10:00:00", "request-id": "env-id", "client-request-id": "c"}}})
}

async fn throttled_once(State(calls): State<Calls>) -> Response {
    if calls.0.fetch_add(1, Ordering::SeqCst) == 0 {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [("Retry-After", "0")],
            Json(envelope("TooManyRequests", "slow down")),
        )
            .into_response()
    } else {
        (
            [("request-id", "ok-id")],
            Json(json!({"displayName": "Contoso Group"})),
        )
            .into_response()
    }
}

async fn always_throttled(State(calls): State<Calls>) -> Response {
    calls.0.fetch_add(1, Ordering::SeqCst);
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("Retry-After", "0")],
        Json(envelope("TooManyRequests", "slow down")),
    )
        .into_response()
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [("request-id", "nf-id")],
        Json(envelope(
            "Directory_ObjectNotFound",
            "Unable to read the company information from the directory.",
        )),
    )
        .into_response()
}

async fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(envelope(
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct PageQuery {
    #[serde(rename = "$skiptoken")]
    skiptoken: Option<String>,
}

/// Three pages; every page insists on the ConsistencyLevel header and the bearer token.
async fn users(
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
    State(base): State<Arc<String>>,
) -> Response {
    if headers.get("ConsistencyLevel").map(|v| v.to_str().unwrap()) != Some("eventual") {
        return (
            StatusCode::BAD_REQUEST,
            Json(envelope(
                "Request_BadRequest",
                "header missing on a later page",
            )),
        )
            .into_response();
    }
    if headers.get("authorization").map(|v| v.to_str().unwrap()) != Some("Bearer t0ken") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(envelope("InvalidAuthenticationToken", "no token")),
        )
            .into_response();
    }
    let page: usize = query
        .skiptoken
        .as_deref()
        .map(|t| t.parse().unwrap())
        .unwrap_or(0);
    let mut body =
        json!({"value": [{"id": format!("u{}", page * 2)}, {"id": format!("u{}", page * 2 + 1)}]});
    if page < 2 {
        body["@odata.nextLink"] = json!(format!("{base}/v1.0/users?$skiptoken={}", page + 1));
    }
    Json(body).into_response()
}

async fn evil_page(State(_): State<Arc<String>>) -> Response {
    Json(json!({"value": [], "@odata.nextLink": "http://attacker.example/v1.0/users?$skiptoken=1"}))
        .into_response()
}

async fn count(headers: HeaderMap) -> Response {
    if headers.get("ConsistencyLevel").is_none() {
        return (
            StatusCode::BAD_REQUEST,
            Json(envelope(
                "Request_BadRequest",
                "$count is not currently supported.",
            )),
        )
            .into_response();
    }
    "\u{feff}1234".into_response()
}

async fn start() -> (GraphClient, Calls, Calls) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let once = Calls::default();
    let always = Calls::default();
    let app = Router::new()
        .route("/v1.0/once", get(throttled_once).with_state(once.clone()))
        .route(
            "/v1.0/always",
            get(always_throttled).with_state(always.clone()),
        )
        .route("/v1.0/missing", get(not_found))
        .route("/v1.0/forbidden", get(forbidden))
        .route("/v1.0/users", get(users).with_state(Arc::new(base.clone())))
        .route(
            "/v1.0/servicePrincipals",
            get(evil_page).with_state(Arc::new(base.clone())),
        )
        .route("/v1.0/users/$count", get(count));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = GraphClient::new(reqwest::Client::new(), &base).with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(1),
        ..RetryPolicy::default()
    });
    (client, once, always)
}

fn token() -> AccessToken {
    AccessToken::new("t0ken")
}

#[tokio::test]
async fn a_throttled_call_is_retried_after_the_wait_graph_asks_for() {
    let (client, once, _) = start().await;
    let answer = client
        .get::<serde_json::Value>(&token(), "/once")
        .await
        .unwrap();
    assert_eq!(answer.value["displayName"], "Contoso Group");
    assert_eq!(answer.request_id.as_deref(), Some("ok-id"));
    assert_eq!(once.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn persistent_throttling_ends_as_a_typed_error_after_the_last_attempt() {
    let (client, _, always) = start().await;
    let error = client
        .get::<serde_json::Value>(&token(), "/always")
        .await
        .unwrap_err();
    assert_eq!(
        error.kind,
        GraphErrorKind::Throttled {
            retry_after: Some(Duration::ZERO)
        }
    );
    assert_eq!(always.0.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn absence_is_none_and_other_errors_carry_code_and_request_id() {
    let (client, _, _) = start().await;
    assert!(client
        .get_optional::<serde_json::Value>(&token(), "/missing")
        .await
        .unwrap()
        .is_none());
    let error = client
        .get::<serde_json::Value>(&token(), "/missing")
        .await
        .unwrap_err();
    assert_eq!(error.request_id.as_deref(), Some("nf-id"));
    let error = client
        .get::<serde_json::Value>(&token(), "/forbidden")
        .await
        .unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Forbidden);
    assert!(error.has_code("Authorization_RequestDenied"));
    assert_eq!(
        error.request_id.as_deref(),
        Some("env-id"),
        "falls back to innerError's request-id"
    );
}

#[tokio::test]
async fn paging_follows_next_links_and_resends_headers() {
    let (client, _, _) = start().await;
    // The operation's own header (ConsistencyLevel) goes with every page.
    let users = client
        .collect(&token(), &graph::ops::directory::all_users(2))
        .await
        .unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u0", "u1", "u2", "u3", "u4", "u5"]);
}

#[tokio::test]
async fn a_paging_link_to_another_host_is_refused() {
    let (client, _, _) = start().await;
    let error = client
        .collect(&token(), &graph::ops::sync::sync_configurations())
        .await
        .unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Decode);
}

#[tokio::test]
async fn count_sends_the_consistency_header_and_reads_plain_text() {
    let (client, _, _) = start().await;
    assert_eq!(client.count(&token(), "/users/$count").await.unwrap(), 1234);
}

#[tokio::test]
async fn an_unreachable_graph_is_a_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = GraphClient::new(reqwest::Client::new(), &base).with_retry(RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    });
    let error = client
        .get::<serde_json::Value>(&token(), "/anything")
        .await
        .unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Transport);
    assert!(!error.to_string().contains(&base), "no URL in the message");
}

/// Job starts (a POST): `…0001` always fails with 500, `…0002` is throttled once then done,
/// `…0003` always answers 503 asking for a 1 s wait.
async fn start_job(
    axum::extract::Path((sp, _job)): axum::extract::Path<(String, String)>,
    State(calls): State<Calls>,
) -> Response {
    let seen = calls.0.fetch_add(1, Ordering::SeqCst);
    match sp.as_str() {
        "00000000-0000-4000-8000-000000000001" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(envelope("InternalServerError", "something broke")),
        )
            .into_response(),
        "00000000-0000-4000-8000-000000000002" if seen == 0 => (
            StatusCode::TOO_MANY_REQUESTS,
            [("Retry-After", "0")],
            Json(envelope("TooManyRequests", "slow down")),
        )
            .into_response(),
        "00000000-0000-4000-8000-000000000002" => StatusCode::NO_CONTENT.into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            [("Retry-After", "1")],
            Json(envelope("serviceNotAvailable", "try later")),
        )
            .into_response(),
    }
}

async fn jobs_server(policy: RetryPolicy) -> (GraphClient, Calls) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let calls = Calls::default();
    let app = Router::new().route(
        "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/start",
        axum::routing::post(start_job).with_state(calls.clone()),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        GraphClient::new(reqwest::Client::new(), &base).with_retry(policy),
        calls,
    )
}

fn start_op(sp: &str) -> graph::Op<graph::NoContent> {
    graph::ops::sync::start_job(&sp.parse().unwrap(), &"Azure2Azure.x".parse().unwrap())
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(2),
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn a_write_that_may_have_been_applied_is_not_sent_again() {
    let (client, calls) = jobs_server(quick()).await;
    let error = client
        .run(&token(), &start_op("00000000-0000-4000-8000-000000000001"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Unavailable);
    assert_eq!(
        calls.0.load(Ordering::SeqCst),
        1,
        "a 500 on a POST is final"
    );
}

#[tokio::test]
async fn a_write_graph_refused_before_processing_is_sent_again() {
    let (client, calls) = jobs_server(quick()).await;
    client
        .run(&token(), &start_op("00000000-0000-4000-8000-000000000002"))
        .await
        .unwrap();
    assert_eq!(calls.0.load(Ordering::SeqCst), 2, "429, then done");
}

#[tokio::test]
async fn no_attempt_starts_after_the_deadline() {
    let policy = RetryPolicy {
        deadline: Duration::from_millis(500),
        ..quick()
    };
    let (client, calls) = jobs_server(policy).await;
    let started = std::time::Instant::now();
    let error = client
        .run(&token(), &start_op("00000000-0000-4000-8000-000000000003"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Unavailable);
    assert_eq!(
        calls.0.load(Ordering::SeqCst),
        1,
        "waiting the 1 s Graph asked for would pass the deadline"
    );
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn a_write_to_a_closed_port_fails_as_a_transport_error() {
    // Nothing listens: the connection is never made, so trying again cannot apply anything twice.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = GraphClient::new(reqwest::Client::new(), &base).with_retry(quick());
    let error = client
        .run(&token(), &start_op("00000000-0000-4000-8000-000000000002"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, GraphErrorKind::Transport);
}
