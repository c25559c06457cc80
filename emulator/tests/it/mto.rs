//! The MTO surface (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/multitenantorganization.md`, `multitenantorganizationmember.md`,
//! `multitenantorganizationjoinrequestrecord.md` and their API pages): statuses, shapes and
//! documented errors, and the asynchronous transitions moving with the clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, start, user_token};
use emulator::scenario::{CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN};
use reqwest::Method;
use serde_json::json;

const MTO: &str = "/tenantRelationships/multiTenantOrganization";

#[tokio::test]
async fn a_tenant_outside_any_mto_gets_the_inactive_stub() {
    let e = start().await;
    let token = user_token(&e.base, TAILSPIN, "admin@tailspintoys.onmicrosoft.com").await;
    let (status, body) = call(&e.base, &token, Method::GET, MTO, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["state"], "inactive");
    assert!(body["displayName"].is_null() && body["createdDateTime"].is_null());
}

#[tokio::test]
async fn the_member_list_has_every_field_and_the_pending_tenant() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, body) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{MTO}/tenants"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let northwind = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["tenantId"] == NORTHWIND)
        .unwrap();
    assert_eq!(northwind["state"], "pending");
    assert_eq!(northwind["role"], "member");
    assert_eq!(northwind["addedByTenantId"], CONTOSO);
    assert!(northwind["joinedDateTime"].is_null());
    for field in ["displayName", "addedDateTime", "transitionDetails"] {
        assert!(northwind.get(field).is_some(), "{field}");
    }
}

#[tokio::test]
async fn adding_is_for_owners_and_twice_is_the_documented_400() {
    let e = start().await;
    let owner = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let member = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let helpdesk = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let body = json!({"tenantId": TAILSPIN, "displayName": "Tailspin Toys"});

    let (status, error) = call(
        &e.base,
        &helpdesk,
        Method::POST,
        &format!("{MTO}/tenants"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (403, Some("Authorization_RequestDenied"))
    );
    let (status, _) = call(
        &e.base,
        &member,
        Method::POST,
        &format!("{MTO}/tenants"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 403, "a member tenant cannot add");

    let (status, added) = call(
        &e.base,
        &owner,
        Method::POST,
        &format!("{MTO}/tenants"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(added["state"], "pending");
    assert_eq!(added["addedByTenantId"], CONTOSO);
    assert!(
        added["transitionDetails"].is_null(),
        "nothing is in progress until the tenant asks to join"
    );

    let (status, error) = call(
        &e.base,
        &owner,
        Method::POST,
        &format!("{MTO}/tenants"),
        Some(body),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "Request_BadRequest");
    assert_eq!(
        error["error"]["message"],
        "Tenant is already being added in Multi-Tenant Organization."
    );

    let (status, _) = call(
        &e.base,
        &owner,
        Method::POST,
        &format!("{MTO}/tenants"),
        Some(json!({"tenantId": "nope", "displayName": "x"})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_join_is_approved_then_runs_and_succeeds_on_the_clock() {
    let e = start().await;
    let joiner = user_token(&e.base, NORTHWIND, "admin@northwindtraders.onmicrosoft.com").await;
    let (_, before) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/joinRequest"),
        None,
    )
    .await;
    assert_eq!(
        before["addedByTenantId"],
        "00000000-0000-0000-0000-000000000000"
    );

    let (status, _) = call(
        &e.base,
        &joiner,
        Method::PATCH,
        &format!("{MTO}/joinRequest"),
        Some(json!({"addedByTenantId": CONTOSO})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, pending) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/joinRequest"),
        None,
    )
    .await;
    assert_eq!(pending["memberState"], "pending");
    assert_eq!(pending["transitionDetails"]["status"], "notStarted");
    assert_eq!(pending["transitionDetails"]["desiredMemberState"], "active");

    e.clock.advance(6);
    let (_, running) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/joinRequest"),
        None,
    )
    .await;
    assert_eq!(running["transitionDetails"]["status"], "running");

    e.clock.advance(30);
    let (_, done) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/joinRequest"),
        None,
    )
    .await;
    assert_eq!(done["memberState"], "active");
    assert_eq!(done["role"], "member");
    assert!(done["transitionDetails"].is_null());
    let (_, member) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/tenants/{NORTHWIND}"),
        None,
    )
    .await;
    assert_eq!(member["state"], "active");
    assert!(member["joinedDateTime"].is_string());
}

#[tokio::test]
async fn a_failed_join_shows_details_and_is_reset_with_the_zero_guid() {
    let e = start().await;
    let joiner = user_token(&e.base, NORTHWIND, "admin@northwindtraders.onmicrosoft.com").await;
    call(
        &e.base,
        &joiner,
        Method::PATCH,
        &format!("{MTO}/joinRequest"),
        Some(json!({"addedByTenantId": FABRIKAM})),
    )
    .await;
    e.clock.advance(60);
    let (_, failed) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/joinRequest"),
        None,
    )
    .await;
    assert_eq!(failed["memberState"], "pending");
    assert_eq!(failed["transitionDetails"]["status"], "failed");
    assert!(failed["transitionDetails"]["details"]
        .as_str()
        .unwrap()
        .contains("DirectoryService Exception"));

    let (status, _) = call(
        &e.base,
        &joiner,
        Method::PATCH,
        &format!("{MTO}/joinRequest"),
        Some(json!({"addedByTenantId": "00000000-0000-0000-0000-000000000000"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, reset) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/joinRequest"),
        None,
    )
    .await;
    assert_eq!(
        reset["addedByTenantId"],
        "00000000-0000-0000-0000-000000000000"
    );
    assert!(reset["transitionDetails"].is_null());
}

#[tokio::test]
async fn a_removed_member_answers_directory_object_not_found() {
    let e = start().await;
    let owner = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &owner,
        Method::DELETE,
        &format!("{MTO}/tenants/{NORTHWIND}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let path = format!("{MTO}/tenants/{NORTHWIND}");
    let northwind = || call(&e.base, &owner, Method::GET, &path, None);
    let (_, removing) = northwind().await;
    assert_eq!(removing["transitionDetails"]["desiredState"], "removed");
    assert_eq!(
        removing["state"], "pending",
        "the state is kept until the removal completes"
    );
    e.clock.advance(10);
    let (_, running) = northwind().await;
    assert_eq!(running["state"], "pending");
    assert_eq!(running["transitionDetails"]["status"], "running");
    e.clock.advance(60);
    let (status, gone) = northwind().await;
    assert_eq!(status, 404);
    assert_eq!(gone["error"]["code"], "Directory_ObjectNotFound");
    assert_eq!(
        gone["error"]["message"],
        "Unable to read the company information from the directory."
    );

    let (status, _) = call(
        &e.base,
        &owner,
        Method::DELETE,
        &format!("{MTO}/tenants/{CONTOSO}"),
        None,
    )
    .await;
    assert_eq!(
        status, 400,
        "the only owner cannot leave while members are active"
    );
}

#[tokio::test]
async fn a_role_change_shows_the_desired_role_until_it_completes() {
    let e = start().await;
    let owner = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &owner,
        Method::PATCH,
        &format!("{MTO}/tenants/{FABRIKAM}"),
        Some(json!({"role": "owner"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, changing) = call(
        &e.base,
        &owner,
        Method::GET,
        &format!("{MTO}/tenants/{FABRIKAM}"),
        None,
    )
    .await;
    assert_eq!(changing["role"], "member");
    assert_eq!(changing["transitionDetails"]["desiredRole"], "owner");
    assert_eq!(changing["transitionDetails"]["status"], "notStarted");
    e.clock.advance(60);
    let (_, changed) = call(
        &e.base,
        &owner,
        Method::GET,
        &format!("{MTO}/tenants/{FABRIKAM}"),
        None,
    )
    .await;
    assert_eq!(changed["role"], "owner");
    assert!(changed["transitionDetails"].is_null());
}

#[tokio::test]
async fn the_owner_renames_the_mto_and_a_new_mto_cannot_be_created_twice() {
    let e = start().await;
    let owner = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &owner,
        Method::PATCH,
        MTO,
        Some(json!({"displayName": "Contoso Holdings"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, mto) = call(&e.base, &owner, Method::GET, MTO, None).await;
    assert_eq!(mto["displayName"], "Contoso Holdings");
    let (status, _) = call(
        &e.base,
        &owner,
        Method::PUT,
        MTO,
        Some(json!({"displayName": "Another"})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_control_api_advances_the_clock_and_resets_the_scenario() {
    let e = start().await;
    let joiner = user_token(&e.base, NORTHWIND, "admin@northwindtraders.onmicrosoft.com").await;
    call(
        &e.base,
        &joiner,
        Method::PATCH,
        &format!("{MTO}/joinRequest"),
        Some(json!({"addedByTenantId": CONTOSO})),
    )
    .await;
    let advanced = crate::common::http()
        .post(format!("{}/_emulator/clock/advance", e.base))
        .json(&json!({"seconds": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), 200);
    let (_, done) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/joinRequest"),
        None,
    )
    .await;
    assert_eq!(done["memberState"], "active");

    let reset = crate::common::http()
        .post(format!("{}/_emulator/reset", e.base))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    let (_, again) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{MTO}/tenants/{NORTHWIND}"),
        None,
    )
    .await;
    assert_eq!(again["state"], "pending");
}

#[tokio::test]
async fn an_mto_created_without_a_description_answers_null_for_it() {
    // No MTO yet: every tenant outside one.
    let mut scenario = emulator::Scenario::demo();
    scenario.mto = None;
    for tenant in &mut scenario.tenants {
        tenant.membership = None;
    }
    let e = crate::common::start_with(scenario).await;
    let owner = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, created) = call(
        &e.base,
        &owner,
        Method::PUT,
        MTO,
        Some(json!({"displayName": "Contoso Group"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert!(created["description"].is_null(), "{created}");
    let (_, read) = call(&e.base, &owner, Method::GET, MTO, None).await;
    assert!(read["description"].is_null(), "{read}");
    assert_eq!(read["state"], "active");
    let (status, _) = call(
        &e.base,
        &owner,
        Method::PATCH,
        MTO,
        Some(json!({"description": "Holding and subsidiaries"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, read) = call(&e.base, &owner, Method::GET, MTO, None).await;
    assert_eq!(read["description"], "Holding and subsidiaries");
}
