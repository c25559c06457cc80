//! Errors that no handler answers — unknown paths, wrong methods, bodies that are not JSON — come in
//! Graph's JSON envelope (microsoftgraph/microsoft-graph-docs-contrib `concepts/errors.md`), and
//! every envelope's `innerError.client-request-id` echoes the client's `client-request-id`.

use crate::common::{http, start, user_token};
use emulator::scenario::CONTOSO;
use reqwest::Method;
use serde_json::Value;

async fn send(
    base: &str,
    token: &str,
    method: Method,
    path: &str,
    body: Option<(&str, &str)>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = http()
        .request(method, format!("{base}{path}"))
        .bearer_auth(token)
        .header("client-request-id", "7d4f2a0c-1b3e-4c5d-9e6f-0a1b2c3d4e5f");
    if let Some((content_type, text)) = body {
        request = request
            .header("content-type", content_type)
            .body(text.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, json, headers)
}

fn assert_envelope(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    let inner = &body["error"]["innerError"];
    assert!(inner["date"].is_string(), "{body}");
    assert!(inner["request-id"].is_string(), "{body}");
    assert_eq!(
        inner["client-request-id"], "7d4f2a0c-1b3e-4c5d-9e6f-0a1b2c3d4e5f",
        "{body}"
    );
}

#[tokio::test]
async fn unknown_segments_answer_the_envelope_naming_the_segment() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    for (path, segment) in [
        ("/v1.0/nothingHere", "nothingHere"),
        ("/v1.0/nothingHere/deeper", "nothingHere"),
        (
            "/v1.0/tenantRelationships/multiTenantOrganization/nope",
            "nope",
        ),
        ("/v1.0/users/x/y/z", "y"),
    ] {
        let (status, body, headers) = send(&e.base, &token, Method::GET, path, None).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_envelope(&body, "BadRequest");
        assert_eq!(
            body["error"]["message"],
            format!("Resource not found for the segment '{segment}'."),
            "{path}"
        );
        assert!(headers.contains_key("request-id"));
        assert_eq!(
            headers["client-request-id"],
            "7d4f2a0c-1b3e-4c5d-9e6f-0a1b2c3d4e5f"
        );
    }
    let (status, body, _) = send(&e.base, &token, Method::GET, "/beta/me", None).await;
    assert_eq!(status, 404, "{body}");
    assert_envelope(&body, "UnknownError");
}

#[tokio::test]
async fn a_wrong_method_answers_405_in_the_envelope() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    for (method, path) in [
        (Method::DELETE, "/v1.0/me"),
        (Method::POST, "/v1.0/users"),
        (
            Method::DELETE,
            "/v1.0/tenantRelationships/multiTenantOrganization",
        ),
    ] {
        let (status, body, _) = send(&e.base, &token, method.clone(), path, None).await;
        assert_eq!(status, 405, "{method} {path}: {body}");
        assert_envelope(&body, "Request_BadRequest");
        assert_eq!(
            body["error"]["message"],
            "Specified HTTP method is not allowed for the request target."
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_answers_400_and_changes_nothing() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let path = "/v1.0/tenantRelationships/multiTenantOrganization";
    let (_, before, _) = send(&e.base, &token, Method::GET, path, None).await;
    for body in [
        ("application/json", "{\"displayName\": "),
        ("text/plain", "{\"displayName\": \"x\"}"),
        ("application/json", "{\"displayName\": 5}"),
    ] {
        let (status, answer, _) = send(&e.base, &token, Method::PATCH, path, Some(body)).await;
        assert_eq!(status, 400, "{body:?}: {answer}");
        assert_envelope(&answer, "BadRequest");
        assert_eq!(
            answer["error"]["message"],
            "Unable to read JSON request payload. Please ensure Content-Type header is set and \
             payload is of valid JSON format."
        );
    }
    let (_, after, _) = send(&e.base, &token, Method::GET, path, None).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn handler_errors_echo_the_client_request_id_and_otherwise_the_request_id() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, body, _) = send(
        &e.base,
        &token,
        Method::GET,
        "/v1.0/groups/00000000-0000-0000-0000-00000000dead",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_envelope(&body, "Request_ResourceNotFound");
    let response = http()
        .get(format!(
            "{}/v1.0/groups/00000000-0000-0000-0000-00000000dead",
            e.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["innerError"]["request-id"], request_id);
    assert_eq!(body["error"]["innerError"]["client-request-id"], request_id);
}

// --- Throttling (microsoftgraph/microsoft-graph-docs-contrib `concepts/throttling.md` and
// `concepts/throttling-limits.md`, "Identity and access service limits") ---

async fn add_fault(base: &str, rule: Value) {
    let response = http()
        .post(format!("{base}/_emulator/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn every_answer_carries_its_documented_resource_units() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (_, groups, _) = send(&e.base, &token, Method::GET, "/v1.0/groups", None).await;
    let group = groups["value"][0]["id"].as_str().unwrap().to_owned();
    let members = format!("/v1.0/groups/{group}/members");
    for (path, units) in [
        ("/v1.0/users", "2"),
        ("/v1.0/users?$select=id", "1"),
        ("/v1.0/users?$top=5", "1"),
        ("/v1.0/users?$top=50", "2"),
        ("/v1.0/me", "1"),
        (
            "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole",
            "2",
        ),
        (members.as_str(), "3"),
        ("/v1.0/nothing/here", "1"),
    ] {
        let (_, _, headers) = send(&e.base, &token, Method::GET, path, None).await;
        assert_eq!(
            header(&headers, "x-ms-resource-unit"),
            Some(units),
            "{path}"
        );
        assert_eq!(header(&headers, "x-ms-throttle-limit-percentage"), None);
    }
}

#[tokio::test]
async fn an_injected_throttle_names_its_scope_and_reason() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    add_fault(
        &e.base,
        serde_json::json!({"pathPrefix": "/v1.0/users", "kind": "throttle", "retryAfter": 7, "times": 1}),
    )
    .await;
    let (status, body, headers) = send(&e.base, &token, Method::GET, "/v1.0/users", None).await;
    assert_eq!(status, 429);
    assert_envelope(&body, "TooManyRequests");
    assert_eq!(header(&headers, "retry-after"), Some("7"));
    assert_eq!(
        header(&headers, "x-ms-throttle-scope").unwrap(),
        format!(
            "Tenant_Application/ReadWrite/{}/{CONTOSO}",
            emulator::scenario::DEMO_CLIENT_ID
        )
    );
    assert_eq!(
        header(&headers, "x-ms-throttle-information"),
        Some("ResourceUnitLimitExceeded")
    );
    let (status, _, _) = send(&e.base, &token, Method::GET, "/v1.0/users", None).await;
    assert_eq!(status, 200, "used up after one");
}

#[tokio::test]
async fn a_resource_unit_quota_warns_above_80_percent_then_throttles_per_app_and_tenant() {
    let e = start().await;
    let contoso = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let fabrikam = user_token(
        &e.base,
        emulator::scenario::FABRIKAM,
        "admin@fabrikam.onmicrosoft.com",
    )
    .await;
    add_fault(
        &e.base,
        serde_json::json!({"pathPrefix": "/v1.0/", "kind": "quota", "limit": 10, "windowSeconds": 10}),
    )
    .await;
    // 2 + 2 + 2 + 2 = 8 units: 0.8 of the limit, not above it.
    for _ in 0..4 {
        let (status, _, headers) = send(&e.base, &contoso, Method::GET, "/v1.0/users", None).await;
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "x-ms-throttle-limit-percentage"), None);
    }
    // 9 units.
    let (_, _, headers) = send(&e.base, &contoso, Method::GET, "/v1.0/me", None).await;
    assert_eq!(
        header(&headers, "x-ms-throttle-limit-percentage"),
        Some("0.90")
    );
    // 11 units: over the limit.
    let (status, body, headers) = send(&e.base, &contoso, Method::GET, "/v1.0/users", None).await;
    assert_eq!(status, 429);
    assert_envelope(&body, "TooManyRequests");
    assert_eq!(
        header(&headers, "x-ms-throttle-scope").unwrap(),
        format!(
            "Tenant_Application/ReadWrite/{}/{CONTOSO}",
            emulator::scenario::DEMO_CLIENT_ID
        )
    );
    assert_eq!(
        header(&headers, "x-ms-throttle-information"),
        Some("ResourceUnitLimitExceeded")
    );
    assert_eq!(header(&headers, "x-ms-resource-unit"), Some("2"));
    let retry_after: i64 = header(&headers, "retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");

    // Another tenant's calls by the same app have their own count.
    let (status, _, _) = send(&e.base, &fabrikam, Method::GET, "/v1.0/users", None).await;
    assert_eq!(status, 200);

    // The request log names the quota.
    let log: Value = http()
        .get(format!("{}/_emulator/requests", e.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(log["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|entry| entry["fault"] == "quota" && entry["status"] == 429));

    // After Retry-After, the call fits again.
    e.clock.advance(retry_after);
    let (status, _, _) = send(&e.base, &contoso, Method::GET, "/v1.0/users", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_write_quota_counts_writes_only() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    add_fault(
        &e.base,
        serde_json::json!({"pathPrefix": "/v1.0/", "kind": "quota", "unit": "write", "limit": 1, "windowSeconds": 150}),
    )
    .await;
    for _ in 0..3 {
        let (status, _, _) = send(&e.base, &token, Method::GET, "/v1.0/users", None).await;
        assert_eq!(status, 200, "reads cost no write");
    }
    let patch = || {
        http()
            .patch(format!(
                "{}/v1.0/policies/crossTenantAccessPolicy/default",
                e.base
            ))
            .bearer_auth(&token)
            .json(&serde_json::json!({}))
            .send()
    };
    let first = patch().await.unwrap();
    assert_ne!(first.status(), 429);
    let second = patch().await.unwrap();
    assert_eq!(second.status(), 429);
    let headers = second.headers().clone();
    assert!(header(&headers, "x-ms-throttle-scope")
        .unwrap()
        .starts_with("Tenant_Application/Write/"));
    assert_eq!(
        header(&headers, "x-ms-throttle-information"),
        Some("WriteLimitExceeded")
    );
    assert_eq!(header(&headers, "retry-after"), Some("150"));
}
