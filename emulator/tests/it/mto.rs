//! The MTO surface (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/multitenantorganization.md`, `multitenantorganizationmember.md`,
//! `multitenantorganizationjoinrequestrecord.md` and their API pages): statuses, shapes and
//! documented errors, and the asynchronous transitions moving with the clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, start, start_with, user_token};
use emulator::scenario::{roles, Timing, CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE};
use emulator::{Clock, Emulator, Scenario};
use reqwest::Method;
use serde_json::{json, Value};

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
    assert_eq!(
        added["transitionDetails"],
        json!({"desiredState": "active", "desiredRole": "member", "status": "notStarted", "details": null}),
        "the documented Add member response"
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

const ZERO: &str = "00000000-0000-0000-0000-000000000000";

async fn get(base: &str, token: &str, path: &str) -> (u16, Value) {
    call(base, token, Method::GET, path, None).await
}

async fn patch_join(base: &str, token: &str, owner: &str) -> u16 {
    call(
        base,
        token,
        Method::PATCH,
        &format!("{MTO}/joinRequest"),
        Some(json!({ "addedByTenantId": owner })),
    )
    .await
    .0
}

fn tenant_ids(list: &Value) -> Vec<&str> {
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["tenantId"].as_str().unwrap())
        .collect()
}

/// The basic attributes: the MTO's `displayName`; the active tenants' `tenantId` and
/// `displayName`, every other property null; pending tenants not listed.
fn assert_basic(mto: &Value, tenants: &Value) {
    assert_eq!(mto["state"], "active", "{mto}");
    assert_eq!(mto["displayName"], "Contoso Group", "{mto}");
    assert!(
        mto["createdDateTime"].is_null() && mto["description"].is_null(),
        "{mto}"
    );
    let ids = tenant_ids(tenants);
    assert!(
        ids.contains(&CONTOSO) && ids.contains(&FABRIKAM),
        "{tenants}"
    );
    assert!(
        !ids.contains(&NORTHWIND),
        "pending tenants are hidden: {tenants}"
    );
    for member in tenants["value"].as_array().unwrap() {
        assert!(member["displayName"].is_string(), "{member}");
        for field in [
            "role",
            "state",
            "addedDateTime",
            "addedByTenantId",
            "transitionDetails",
        ] {
            assert!(member[field].is_null(), "{field}: {member}");
        }
    }
}

#[tokio::test]
async fn a_user_without_a_reader_role_reads_basic_attributes_and_no_join_request() {
    let e = start().await;
    let helpdesk = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let (status, mto) = get(&e.base, &helpdesk, MTO).await;
    assert_eq!(status, 200, "{mto}");
    let (status, tenants) = get(&e.base, &helpdesk, &format!("{MTO}/tenants")).await;
    assert_eq!(status, 200, "{tenants}");
    assert_basic(&mto, &tenants);

    let (status, fabrikam) = get(&e.base, &helpdesk, &format!("{MTO}/tenants/{FABRIKAM}")).await;
    assert_eq!(status, 200);
    assert_eq!(fabrikam["tenantId"], FABRIKAM);
    assert!(fabrikam["role"].is_null(), "{fabrikam}");
    let (status, pending) = get(&e.base, &helpdesk, &format!("{MTO}/tenants/{NORTHWIND}")).await;
    assert_eq!(
        status, 404,
        "a pending tenant is not among the basic attributes: {pending}"
    );

    let (status, denied) = get(&e.base, &helpdesk, &format!("{MTO}/joinRequest")).await;
    assert_eq!(status, 403);
    assert_eq!(denied["error"]["code"], "Authorization_RequestDenied");
}

#[tokio::test]
async fn reader_and_administrator_roles_read_everything() {
    let e = start().await;
    for (tenant, upn) in [
        (NORTHWIND, "reader@northwindtraders.onmicrosoft.com"), // Global Reader
        (FABRIKAM, "admin@fabrikam.onmicrosoft.com"),           // Security Administrator
        (CONTOSO, "admin@contoso.onmicrosoft.com"),             // Global Administrator
    ] {
        let token = user_token(&e.base, tenant, upn).await;
        let (_, mto) = get(&e.base, &token, MTO).await;
        assert!(mto["createdDateTime"].is_string(), "{upn}: {mto}");
        let (_, tenants) = get(&e.base, &token, &format!("{MTO}/tenants")).await;
        assert!(
            tenant_ids(&tenants).contains(&NORTHWIND),
            "{upn}: {tenants}"
        );
        let (status, join) = get(&e.base, &token, &format!("{MTO}/joinRequest")).await;
        assert_eq!(status, 200, "{upn}: {join}");
    }
    let app = crate::common::app_token(&e.base, CONTOSO).await;
    let app = app["access_token"].as_str().unwrap();
    let (_, tenants) = get(&e.base, app, &format!("{MTO}/tenants")).await;
    assert!(
        tenant_ids(&tenants).contains(&NORTHWIND),
        "app-only: the permission alone reads everything: {tenants}"
    );
}

/// A delegated token for Contoso's Global Administrator carrying only `scp` (signed with the
/// emulator's key, as its token endpoint would: the demo app is not consented `ReadBasic`).
fn token_with_scope(state: &emulator::EmulatorState, scp: &str) -> String {
    let now = state.clock().unix();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(state.0.key.kid.clone());
    let claims = json!({
        "aud": "https://graph.microsoft.com", "iss": format!("https://sts.windows.net/{CONTOSO}/"),
        "iat": now, "nbf": now, "exp": now + 3600, "tid": CONTOSO,
        "oid": "6b1c2d3e-0000-4000-8000-000000000001", "idtyp": "user", "scp": scp,
        "wids": [roles::GLOBAL_ADMINISTRATOR],
    });
    jsonwebtoken::encode(&header, &claims, &state.0.key.encoding).unwrap()
}

#[tokio::test]
async fn the_read_basic_permission_alone_gives_basic_attributes_even_to_an_administrator() {
    let clock = Clock::manual(time::OffsetDateTime::now_utc());
    let emulator = Emulator::new(Scenario::demo(), clock).unwrap();
    let state = emulator.state().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));

    let basic = token_with_scope(&state, "MultiTenantOrganization.ReadBasic.All");
    let (_, mto) = get(&base, &basic, MTO).await;
    let (_, tenants) = get(&base, &basic, &format!("{MTO}/tenants")).await;
    assert_basic(&mto, &tenants);
    let (status, _) = get(&base, &basic, &format!("{MTO}/joinRequest")).await;
    assert_eq!(status, 403, "the join request needs Read.All");

    let full = token_with_scope(&state, "MultiTenantOrganization.Read.All");
    let (_, tenants) = get(&base, &full, &format!("{MTO}/tenants")).await;
    assert!(tenant_ids(&tenants).contains(&NORTHWIND));
    let none = token_with_scope(&state, "User.Read.All");
    let (status, _) = get(&base, &none, MTO).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_tenant_in_no_mto_creates_a_second_one_and_owns_it() {
    let e = start().await;
    let tailspin = user_token(&e.base, TAILSPIN, "admin@tailspintoys.onmicrosoft.com").await;
    let (status, created) = call(
        &e.base,
        &tailspin,
        Method::PUT,
        MTO,
        Some(json!({"displayName": "Tailspin Group", "description": "Toys"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["state"], "active");
    let (_, mto) = get(&e.base, &tailspin, MTO).await;
    assert_eq!(mto["displayName"], "Tailspin Group");
    let (_, tenants) = get(&e.base, &tailspin, &format!("{MTO}/tenants")).await;
    assert_eq!(tenant_ids(&tenants), [TAILSPIN]);
    assert_eq!(tenants["value"][0]["role"], "owner");
    assert_eq!(tenants["value"][0]["state"], "active");

    // Contoso's MTO is untouched, and a tenant already in one still cannot create another.
    let contoso = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (_, mto) = get(&e.base, &contoso, MTO).await;
    assert_eq!(mto["displayName"], "Contoso Group");
    let (status, refused) = call(
        &e.base,
        &contoso,
        Method::PUT,
        MTO,
        Some(json!({"displayName": "Another"})),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "Request_BadRequest");

    // Tailspin adds Woodgrove, active in Contoso's MTO: accepted, but the join fails.
    let (status, _) = call(
        &e.base,
        &tailspin,
        Method::POST,
        &format!("{MTO}/tenants"),
        Some(json!({"tenantId": WOODGROVE, "displayName": "Woodgrove Bank"})),
    )
    .await;
    assert_eq!(status, 201);
    let woodgrove = user_token(&e.base, WOODGROVE, "admin@woodgrovebank.onmicrosoft.com").await;
    assert_eq!(patch_join(&e.base, &woodgrove, TAILSPIN).await, 204);
    e.clock.advance(60);
    let (_, join) = get(&e.base, &woodgrove, &format!("{MTO}/joinRequest")).await;
    assert_eq!(join["transitionDetails"]["status"], "failed", "{join}");
    assert_eq!(
        join["transitionDetails"]["details"],
        "DirectoryService Exception"
    );
    let (_, mto) = get(&e.base, &woodgrove, MTO).await;
    assert_eq!(
        mto["displayName"], "Contoso Group",
        "Woodgrove stays where it is"
    );
    let (_, tenants) = get(&e.base, &tailspin, &format!("{MTO}/tenants")).await;
    let listed = tenants["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["tenantId"] == WOODGROVE)
        .unwrap();
    assert_eq!(listed["state"], "pending");
    assert_eq!(listed["transitionDetails"]["status"], "failed", "{listed}");
}

#[tokio::test]
async fn a_join_naming_an_owner_that_did_not_add_the_tenant_is_accepted_then_fails() {
    let e = start().await;
    let tailspin = user_token(&e.base, TAILSPIN, "admin@tailspintoys.onmicrosoft.com").await;
    assert_eq!(patch_join(&e.base, &tailspin, CONTOSO).await, 204);
    let path = format!("{MTO}/joinRequest");
    let (_, asked) = get(&e.base, &tailspin, &path).await;
    assert_eq!(asked["addedByTenantId"], CONTOSO);
    assert_eq!(
        asked["transitionDetails"]["status"], "notStarted",
        "{asked}"
    );
    assert_eq!(asked["transitionDetails"]["details"], "");
    e.clock.advance(6);
    let (_, running) = get(&e.base, &tailspin, &path).await;
    assert_eq!(running["transitionDetails"]["status"], "running");
    e.clock.advance(20);
    let (_, failed) = get(&e.base, &tailspin, &path).await;
    assert_eq!(failed["transitionDetails"]["status"], "failed", "{failed}");
    assert_eq!(failed["transitionDetails"]["desiredMemberState"], "active");
    assert_eq!(
        failed["transitionDetails"]["details"],
        "DirectoryService Exception"
    );
    assert!(
        failed["memberState"].is_null() && failed["role"].is_null(),
        "{failed}"
    );

    // The documented reset, then a join that can succeed.
    assert_eq!(patch_join(&e.base, &tailspin, ZERO).await, 204);
    let (_, reset) = get(&e.base, &tailspin, &path).await;
    assert_eq!(reset["addedByTenantId"], ZERO);
    assert!(reset["transitionDetails"].is_null(), "{reset}");
    let contoso = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &contoso,
        Method::POST,
        &format!("{MTO}/tenants"),
        Some(json!({"tenantId": TAILSPIN, "displayName": "Tailspin Toys"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(patch_join(&e.base, &tailspin, CONTOSO).await, 204);
    e.clock.advance(30);
    let (_, joined) = get(&e.base, &tailspin, &path).await;
    assert_eq!(joined["memberState"], "active", "{joined}");
    assert_eq!(joined["role"], "member");
}

#[tokio::test]
async fn a_failed_join_can_be_reset_and_retried_with_the_right_owner() {
    let e = start().await;
    let northwind = user_token(&e.base, NORTHWIND, "admin@northwindtraders.onmicrosoft.com").await;
    assert_eq!(patch_join(&e.base, &northwind, FABRIKAM).await, 204);
    e.clock.advance(30);
    let (_, failed) = get(&e.base, &northwind, &format!("{MTO}/joinRequest")).await;
    assert_eq!(failed["memberState"], "pending");
    assert_eq!(failed["transitionDetails"]["status"], "failed");
    assert_eq!(patch_join(&e.base, &northwind, ZERO).await, 204);
    assert_eq!(patch_join(&e.base, &northwind, CONTOSO).await, 204);
    e.clock.advance(30);
    let (_, member) = get(&e.base, &northwind, &format!("{MTO}/tenants/{NORTHWIND}")).await;
    assert_eq!(member["state"], "active", "{member}");
}

#[tokio::test]
async fn a_join_beyond_100_active_tenants_fails() {
    // 100 active tenants (the documented limit) plus Tailspin, outside.
    let mut scenario = Scenario::scale(100, 0);
    let tailspin = Scenario::demo()
        .tenants
        .into_iter()
        .find(|t| t.id == TAILSPIN)
        .unwrap();
    scenario.tenants.push(tailspin);
    let owner_tenant = scenario.tenants[0].id.clone();
    let e = start_with(scenario).await;
    let owner = user_token(&e.base, &owner_tenant, "admin@tenant001.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &owner,
        Method::POST,
        &format!("{MTO}/tenants"),
        Some(json!({"tenantId": TAILSPIN, "displayName": "Tailspin Toys"})),
    )
    .await;
    assert_eq!(status, 201, "an owner may add beyond the limit");
    let tailspin = user_token(&e.base, TAILSPIN, "admin@tailspintoys.onmicrosoft.com").await;
    assert_eq!(patch_join(&e.base, &tailspin, &owner_tenant).await, 204);
    e.clock.advance(30);
    let (_, failed) = get(&e.base, &tailspin, &format!("{MTO}/joinRequest")).await;
    assert_eq!(failed["memberState"], "pending");
    assert_eq!(failed["transitionDetails"]["status"], "failed", "{failed}");
    assert_eq!(
        failed["transitionDetails"]["details"],
        "DirectoryService Exception"
    );
}

#[tokio::test]
async fn realistic_timing_takes_minutes() {
    let mut scenario = Scenario::demo();
    scenario.timing = Timing::Realistic;
    let e = start_with(scenario).await;
    let northwind = user_token(&e.base, NORTHWIND, "admin@northwindtraders.onmicrosoft.com").await;
    assert_eq!(patch_join(&e.base, &northwind, CONTOSO).await, 204);
    let path = format!("{MTO}/joinRequest");
    e.clock.advance(60);
    let (_, waiting) = get(&e.base, &northwind, &path).await;
    assert_eq!(waiting["transitionDetails"]["status"], "notStarted");
    e.clock.advance(90);
    let (_, running) = get(&e.base, &northwind, &path).await;
    assert_eq!(running["transitionDetails"]["status"], "running");
    e.clock.advance(120);
    let (_, still) = get(&e.base, &northwind, &path).await;
    assert_eq!(still["memberState"], "pending");
    e.clock.advance(40);
    let (_, done) = get(&e.base, &northwind, &path).await;
    assert_eq!(done["memberState"], "active");

    // A role change and a removal take as long.
    let contoso = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &contoso,
        Method::DELETE,
        &format!("{MTO}/tenants/{NORTHWIND}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    e.clock.advance(200);
    let (status, _) = get(&e.base, &contoso, &format!("{MTO}/tenants/{NORTHWIND}")).await;
    assert_eq!(status, 200, "still being removed");
    e.clock.advance(120);
    let (status, _) = get(&e.base, &contoso, &format!("{MTO}/tenants/{NORTHWIND}")).await;
    assert_eq!(status, 404);
}
