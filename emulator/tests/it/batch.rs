//! JSON batching (`microsoftgraph/microsoft-graph-docs-contrib` `concepts/json-batching.md`):
//! per-item status inside a 200, at most 20 items, unique ids, `dependsOn` with 424, the batch's
//! token for every item, per-item throttling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{app_token, http, start, user_token};
use emulator::scenario::CONTOSO;
use serde_json::{json, Value};

async fn post(base: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = http().post(format!("{base}/v1.0/$batch")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn by_id<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn items_answer_independently_inside_a_200() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, body) = post(&e.base, Some(&token), json!({"requests": [
        {"id": "1", "method": "GET", "url": "/tenantRelationships/multiTenantOrganization"},
        {"id": "2", "method": "GET", "url": "users/$count", "headers": {"ConsistencyLevel": "eventual"}},
        {"id": "3", "method": "GET", "url": "/users/nobody@contoso.onmicrosoft.com"},
        {"id": "4", "method": "GET", "url": "/users/$count"},
    ]})).await;
    assert_eq!(status, 200);
    assert_eq!(by_id(&body, "1")["status"], 200);
    assert_eq!(by_id(&body, "1")["body"]["displayName"], "Contoso Group");
    assert_eq!(
        by_id(&body, "2")["status"],
        200,
        "ConsistencyLevel travels inside the item"
    );
    assert!(
        by_id(&body, "2")["body"].is_u64(),
        "the plain-text count as a number"
    );
    let missing = by_id(&body, "3");
    assert_eq!(missing["status"], 404);
    assert!(missing["body"]["error"]["code"].is_string());
    assert!(missing["body"]["error"]["innerError"]["request-id"].is_string());
    assert_eq!(
        by_id(&body, "4")["status"],
        400,
        "no ConsistencyLevel on this item"
    );
}

#[tokio::test]
async fn malformed_batches_fail_as_a_whole() {
    let e = start().await;
    let token = app_token(&e.base, CONTOSO).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
        .collect();
    let (status, body) = post(&e.base, Some(&token), json!({ "requests": many })).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("20"));
    let (status, _) = post(
        &e.base,
        Some(&token),
        json!({"requests": [
        {"id": "x", "method": "GET", "url": "/me"}, {"id": "X", "method": "GET", "url": "/me"}]}),
    )
    .await;
    assert_eq!(status, 400, "ids are case-insensitive");
    let (status, body) = post(
        &e.base,
        None,
        json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}]}),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
}

#[tokio::test]
async fn a_failed_dependency_fails_its_dependents_with_424() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, body) = post(
        &e.base,
        Some(&token),
        json!({"requests": [
            {"id": "1", "method": "GET", "url": "/users/nobody@contoso.onmicrosoft.com"},
            {"id": "2", "method": "GET", "url": "/me", "dependsOn": ["1"]},
            {"id": "3", "method": "GET", "url": "/me"},
        ]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(by_id(&body, "2")["status"], 424);
    assert_eq!(by_id(&body, "3")["status"], 200);
}

#[tokio::test]
async fn items_are_throttled_one_by_one() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let rule = json!({"pathPrefix": "/v1.0/policies", "kind": "throttle", "retryAfter": 7});
    let response = http()
        .post(format!("{}/_emulator/faults", e.base))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, body) = post(&e.base, Some(&token), json!({"requests": [
        {"id": "a", "method": "GET", "url": "/policies/crossTenantAccessPolicy/default"},
        {"id": "b", "method": "GET", "url": "/tenantRelationships/multiTenantOrganization/tenants"},
    ]})).await;
    assert_eq!(status, 200);
    assert_eq!(by_id(&body, "a")["status"], 429);
    assert_eq!(by_id(&body, "a")["headers"]["Retry-After"], "7");
    assert_eq!(by_id(&body, "b")["status"], 200);
}

#[tokio::test]
async fn the_request_log_shows_each_item_and_faults_can_aim_at_one_tenant() {
    use emulator::scenario::FABRIKAM;
    let e = start().await;
    let contoso = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let fabrikam = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let rule = json!({"pathPrefix": "/v1.0/", "tenant": FABRIKAM, "kind": "unavailable"});
    http()
        .post(format!("{}/_emulator/faults", e.base))
        .json(&rule)
        .send()
        .await
        .unwrap();
    let request = json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}]});
    let (status, body) = post(&e.base, Some(&contoso), request.clone()).await;
    assert_eq!(
        (status, by_id(&body, "1")["status"].as_u64()),
        (200, Some(200))
    );
    let (status, _) = post(&e.base, Some(&fabrikam), request).await;
    assert_eq!(status, 503, "Fabrikam's calls fail, Contoso's do not");
    let log: Value = http()
        .get(format!("{}/_emulator/requests", e.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = log["value"].as_array().unwrap();
    let urls: Vec<(&str, &str, u64)> = entries
        .iter()
        .map(|e| {
            (
                e["url"].as_str().unwrap(),
                e["tenant"].as_str().unwrap_or_default(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(urls.contains(&("/v1.0/$batch", CONTOSO, 200)));
    assert!(
        urls.contains(&("/v1.0/me", CONTOSO, 200)),
        "items are logged: {urls:?}"
    );
    assert!(urls.contains(&("/v1.0/$batch", FABRIKAM, 503)));
}

#[tokio::test]
async fn incomplete_or_unreadable_batches_are_refused_as_a_whole() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let incomplete = [
        json!({"requests": [{"method": "GET", "url": "/me"}]}),
        json!({"requests": [{"id": "1", "url": "/me"}]}),
        json!({"requests": [{"id": "1", "method": "GET"}]}),
        json!({"requests": [{"id": "1", "method": "PATCH", "url": "/policies/crossTenantAccessPolicy/default",
            "body": {"inboundTrust": null}}]}),
        json!({"requests": []}),
        json!({"value": []}),
    ];
    for body in incomplete {
        let (status, answer) = post(&e.base, Some(&token), body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["error"]["code"], "BadRequest", "{body}");
        assert!(answer["error"]["innerError"]["request-id"].is_string());
    }
    let response = http()
        .post(format!("{}/v1.0/$batch", e.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"requests\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "BadRequest");
}

#[tokio::test]
async fn dependents_run_after_their_dependency_with_its_effects() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let trust = json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": false,
        "isHybridAzureADJoinedDeviceAccepted": false});
    let (status, body) = post(
        &e.base,
        Some(&token),
        json!({"requests": [
            {"id": "patch", "method": "PATCH", "url": "/policies/crossTenantAccessPolicy/default",
                "headers": {"Content-Type": "application/json"}, "body": {"inboundTrust": trust}},
            {"id": "read", "method": "GET", "url": "/policies/crossTenantAccessPolicy/default",
                "dependsOn": ["patch"]},
            {"id": "users", "method": "GET", "url": "users?$top=2&$count=true",
                "headers": {"ConsistencyLevel": "eventual"}},
            {"id": "early", "method": "GET", "url": "/me", "dependsOn": ["late"]},
            {"id": "late", "method": "GET", "url": "/me"},
        ]}),
    )
    .await;
    assert_eq!(status, 200);
    let patch = by_id(&body, "patch");
    assert_eq!(patch["status"], 204);
    assert!(patch.get("body").is_none(), "an empty body is left out");
    let read = by_id(&body, "read");
    assert_eq!(read["status"], 200);
    assert!(read["headers"]["Content-Type"]
        .as_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(read["body"]["inboundTrust"]["isMfaAccepted"], true);
    let users = by_id(&body, "users");
    assert_eq!(users["status"], 200);
    assert_eq!(users["body"]["value"].as_array().unwrap().len(), 2);
    assert!(
        users["body"]["@odata.count"].is_u64(),
        "the item's ConsistencyLevel was honoured"
    );
    let early = by_id(&body, "early");
    assert_eq!(early["status"], 424, "a dependency must come first");
    assert_eq!(early["body"]["error"]["code"], "FailedDependency");
    assert_eq!(by_id(&body, "late")["status"], 200);
}

#[tokio::test]
async fn a_batch_inside_a_batch_is_refused_for_that_item_only() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let inner = json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}]});
    let (status, body) = post(
        &e.base,
        Some(&token),
        json!({"requests": [
            {"id": "nested", "method": "POST", "url": "/$batch",
                "headers": {"Content-Type": "application/json"}, "body": inner},
            {"id": "me", "method": "GET", "url": "/me"},
        ]}),
    )
    .await;
    assert_eq!(status, 200);
    let nested = by_id(&body, "nested");
    assert_eq!(nested["status"], 400);
    assert_eq!(nested["body"]["error"]["code"], "BadRequest");
    assert_eq!(by_id(&body, "me")["status"], 200);
}

#[tokio::test]
async fn an_outage_on_one_path_is_a_503_item_with_the_others_answered() {
    let e = start().await;
    let token = app_token(&e.base, CONTOSO).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let rule = json!({"pathPrefix": "/v1.0/users", "kind": "unavailable", "times": 1});
    let response = http()
        .post(format!("{}/_emulator/faults", e.base))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, body) = post(
        &e.base,
        Some(&token),
        json!({"requests": [
            {"id": "1", "method": "GET", "url": "/users?$top=2"},
            {"id": "2", "method": "GET", "url": "/tenantRelationships/multiTenantOrganization"},
        ]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(by_id(&body, "1")["status"], 503);
    assert_eq!(by_id(&body, "2")["status"], 200);
    let (_, body) = post(
        &e.base,
        Some(&token),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/users?$top=2"}]}),
    )
    .await;
    assert_eq!(by_id(&body, "1")["status"], 200, "the fault was used up");
}
