//! Cross-tenant access policies and MTO templates, and what a join does to them
//! (microsoftgraph/microsoft-graph-docs-contrib
//! `api-reference/v1.0/resources/crosstenantaccesspolicyconfigurationpartner.md`; MicrosoftDocs/entra-docs
//! `docs/identity/multi-tenant-organizations/multi-tenant-organization-templates.md`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, start, user_token};
use emulator::scenario::{CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE};
use reqwest::Method;
use serde_json::json;

const CTAP: &str = "/policies/crossTenantAccessPolicy";

#[tokio::test]
async fn partners_list_with_identity_sync_expanded_shows_fabrikam_refusing_woodgrove() {
    let e = start().await;
    let token = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (status, body) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/partners?$expand=identitySynchronization"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let woodgrove = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["tenantId"] == WOODGROVE)
        .unwrap();
    assert_eq!(
        woodgrove["identitySynchronization"]["userSyncInbound"]["isSyncAllowed"],
        false
    );
    assert!(woodgrove["automaticUserConsentSettings"]["inboundAllowed"].is_null());
    assert_eq!(woodgrove["isInMultiTenantOrganization"], true);
    assert!(
        woodgrove.get("id").is_none(),
        "partners are keyed by tenantId, without id"
    );

    let (_, plain) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/partners"),
        None,
    )
    .await;
    assert!(plain["value"][0].get("identitySynchronization").is_none());
}

#[tokio::test]
async fn creating_updating_and_deleting_partners_follow_the_documented_rules() {
    let e = start().await;
    let token = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (status, created) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{CTAP}/partners"),
        Some(json!({"tenantId": TAILSPIN})),
    )
    .await;
    assert_eq!(status, 201);
    assert!(created["inboundTrust"].is_null());
    assert!(created["automaticUserConsentSettings"]["inboundAllowed"].is_null());
    assert!(created["automaticUserConsentSettings"]["outboundAllowed"].is_null());

    let (status, dup) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{CTAP}/partners"),
        Some(json!({"tenantId": TAILSPIN})),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        dup["error"]["code"],
        "Request_MultipleObjectsWithSameKeyValue"
    );

    let (status, _) = call(&e.base, &token, Method::PATCH, &format!("{CTAP}/partners/{TAILSPIN}"), Some(json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null}}))).await;
    assert_eq!(status, 204);
    let (_, patched) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/partners/{TAILSPIN}"),
        None,
    )
    .await;
    assert_eq!(
        patched["automaticUserConsentSettings"]["inboundAllowed"],
        true
    );

    let (status, missing) = call(
        &e.base,
        &token,
        Method::PATCH,
        &format!("{CTAP}/partners/{NORTHWIND}"),
        Some(json!({"inboundTrust": null})),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"]["code"], "Directory_ObjectNotFound");

    let (status, _) = call(
        &e.base,
        &token,
        Method::PUT,
        &format!("{CTAP}/partners/{TAILSPIN}/identitySynchronization"),
        Some(json!({"displayName": "Tailspin Toys", "userSyncInbound": {"isSyncAllowed": true}})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, conflict) = call(
        &e.base,
        &token,
        Method::PUT,
        &format!("{CTAP}/partners/{TAILSPIN}/identitySynchronization"),
        Some(json!({"userSyncInbound": {"isSyncAllowed": true}})),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        conflict["error"]["details"][0]["code"],
        "ConflictingObjects"
    );

    let (status, _) = call(
        &e.base,
        &token,
        Method::DELETE,
        &format!("{CTAP}/partners/{TAILSPIN}"),
        None,
    )
    .await;
    assert_eq!(status, 400, "identity sync must be deleted first");
    let (status, _) = call(
        &e.base,
        &token,
        Method::DELETE,
        &format!("{CTAP}/partners/{TAILSPIN}/identitySynchronization"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &e.base,
        &token,
        Method::DELETE,
        &format!("{CTAP}/partners/{TAILSPIN}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn readers_cannot_write_policies() {
    let e = start().await;
    let reader = user_token(
        &e.base,
        NORTHWIND,
        "reader@northwindtraders.onmicrosoft.com",
    )
    .await;
    let (status, _) = call(
        &e.base,
        &reader,
        Method::GET,
        &format!("{CTAP}/partners"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = call(
        &e.base,
        &reader,
        Method::POST,
        &format!("{CTAP}/partners"),
        Some(json!({"tenantId": CONTOSO})),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
}

#[tokio::test]
async fn templates_read_patch_and_reset() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let path = format!("{CTAP}/templates/multiTenantOrganizationIdentitySynchronization");
    let (_, template) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_eq!(
        template["templateApplicationLevel"],
        "newPartners,existingPartners"
    );
    assert_eq!(template["userSyncInbound"]["isSyncAllowed"], true);
    let (status, _) = call(
        &e.base,
        &token,
        Method::PATCH,
        &path,
        Some(json!({"templateApplicationLevel": "newPartners"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{path}/resetToDefaultSettings"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, reset) = call(&e.base, &token, Method::GET, &path, None).await;
    assert!(reset["userSyncInbound"]["isSyncAllowed"].is_null());
    assert_eq!(
        reset["templateApplicationLevel"],
        "newPartners,existingPartners"
    );
    let (_, partner_template) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/templates/multiTenantOrganizationPartnerConfiguration"),
        None,
    )
    .await;
    assert_eq!(
        partner_template["automaticUserConsentSettings"]["inboundAllowed"],
        true
    );
}

#[tokio::test]
async fn a_completed_join_creates_partner_settings_with_the_templates_applied() {
    let e = start().await;
    let joiner = user_token(&e.base, NORTHWIND, "admin@northwindtraders.onmicrosoft.com").await;
    let owner = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &owner,
        Method::GET,
        &format!("{CTAP}/partners/{NORTHWIND}"),
        None,
    )
    .await;
    assert_eq!(status, 404, "no settings before the join");
    call(
        &e.base,
        &joiner,
        Method::PATCH,
        "/tenantRelationships/multiTenantOrganization/joinRequest",
        Some(json!({"addedByTenantId": CONTOSO})),
    )
    .await;
    e.clock.advance(60);
    let (status, partner) = call(
        &e.base,
        &owner,
        Method::GET,
        &format!("{CTAP}/partners/{NORTHWIND}?$expand=identitySynchronization"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(partner["isInMultiTenantOrganization"], true);
    assert_eq!(
        partner["automaticUserConsentSettings"]["inboundAllowed"],
        true
    );
    assert_eq!(
        partner["identitySynchronization"]["userSyncInbound"]["isSyncAllowed"],
        true
    );
    let (status, _) = call(
        &e.base,
        &joiner,
        Method::GET,
        &format!("{CTAP}/partners/{FABRIKAM}"),
        None,
    )
    .await;
    assert_eq!(
        status, 200,
        "the joiner gets settings for every active tenant"
    );
}

#[tokio::test]
async fn the_default_configuration_is_the_documented_system_default() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (_, default) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/default"),
        None,
    )
    .await;
    assert_eq!(default["isServiceDefault"], true);
    assert_eq!(
        default["b2bDirectConnectInbound"]["usersAndGroups"]["accessType"],
        "blocked"
    );
    assert_eq!(
        default["b2bCollaborationInbound"]["usersAndGroups"]["accessType"],
        "allowed"
    );
    assert_eq!(
        default["automaticUserConsentSettings"]["inboundAllowed"],
        false
    );
}

#[tokio::test]
async fn the_default_keeps_the_properties_graph_serves_beyond_the_dashboards_type() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let path = format!("{CTAP}/default");
    let (_, default) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_eq!(
        default["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity"
    );
    assert!(default["id"].is_string());
    assert_eq!(
        default["invitationRedemptionIdentityProviderConfiguration"]["fallbackIdentityProvider"],
        "defaultConfiguredIdp"
    );
    assert!(default["tenantRestrictions"].is_null());

    let (status, body) = call(
        &e.base,
        &token,
        Method::PATCH,
        &path,
        Some(json!({"isServiceDefault": true})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Property 'isServiceDefault' is read-only."
    );
    let restrictions = json!({
        "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]},
        "devices": {"mode": "allowed", "rule": "device.isCompliant -eq True"},
    });
    let (status, _) = call(
        &e.base,
        &token,
        Method::PATCH,
        &path,
        Some(json!({"tenantRestrictions": restrictions})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, patched) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_eq!(patched["tenantRestrictions"], restrictions);
    assert_eq!(patched["isServiceDefault"], false);
    assert_eq!(patched["id"], default["id"]);

    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{path}/resetToSystemDefault"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, reset) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_eq!(reset["isServiceDefault"], true);
    assert!(reset["tenantRestrictions"].is_null());
}

/// Every delegated policy read of the wave-2 role checks.
fn policy_reads(partner: &str) -> Vec<String> {
    vec![
        CTAP.to_owned(),
        format!("{CTAP}/default"),
        format!("{CTAP}/partners"),
        format!("{CTAP}/partners/{partner}"),
        format!("{CTAP}/partners/{partner}/identitySynchronization"),
        format!("{CTAP}/templates/multiTenantOrganizationPartnerConfiguration"),
        format!("{CTAP}/templates/multiTenantOrganizationIdentitySynchronization"),
    ]
}

#[tokio::test]
async fn delegated_policy_reads_need_a_reader_role() {
    // Permissions sections of microsoftgraph/microsoft-graph-docs-contrib
    // `api-reference/v1.0/api/crosstenantaccesspolicy-get.md`, `…partner-get.md`,
    // `…/crosstenantidentitysyncpolicypartner-get.md` and both template Get pages.
    let e = start().await;
    let helpdesk = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    for path in policy_reads(FABRIKAM) {
        let (status, body) = call(&e.base, &helpdesk, Method::GET, &path, None).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(
            body["error"]["code"], "Authorization_RequestDenied",
            "{path}"
        );
    }
    let admin = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    for path in policy_reads(FABRIKAM) {
        let (status, _) = call(&e.base, &admin, Method::GET, &path, None).await;
        assert_eq!(status, 200, "{path}");
    }
    // A Global Reader reads (Northwind has no partners yet: its templates and default).
    let reader = user_token(
        &e.base,
        NORTHWIND,
        "reader@northwindtraders.onmicrosoft.com",
    )
    .await;
    for path in policy_reads(CONTOSO)
        .into_iter()
        .filter(|p| !p.contains("/partners/"))
    {
        let (status, _) = call(&e.base, &reader, Method::GET, &path, None).await;
        assert_eq!(status, 200, "{path}");
    }
    // App-only calls have no roles to check.
    let app = crate::common::app_token(&e.base, CONTOSO).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = call(
        &e.base,
        &app,
        Method::GET,
        &format!("{CTAP}/partners"),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_expanded_partner_without_identity_sync_shows_null() {
    // Contoso's Tailspin partner has no identity sync policy (the demo's plain B2B partner).
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, body) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/partners/{TAILSPIN}?$expand=identitySynchronization"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.get("identitySynchronization").is_some());
    assert!(body["identitySynchronization"].is_null());
    assert!(body["isServiceProvider"].is_null(), "null when unset");
    assert!(body["tenantRestrictions"].is_null());
    let (_, list) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/partners?$expand=identitySynchronization"),
        None,
    )
    .await;
    for partner in list["value"].as_array().unwrap() {
        assert!(
            partner.get("identitySynchronization").is_some(),
            "{partner}"
        );
    }
    let (_, plain) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/partners/{TAILSPIN}"),
        None,
    )
    .await;
    assert!(plain.get("identitySynchronization").is_none());
}

#[tokio::test]
async fn tenant_restrictions_are_kept_by_create_and_patch() {
    // `tenantRestrictions` is one of the updatable properties of microsoftgraph/microsoft-graph-docs-contrib
    // `api-reference/v1.0/api/crosstenantaccesspolicyconfigurationpartner-update.md`.
    let e = start().await;
    let token = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let restrictions = json!({
        "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]},
        "devices": null
    });
    let (status, created) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{CTAP}/partners"),
        Some(json!({"tenantId": TAILSPIN})),
    )
    .await;
    assert_eq!(status, 201);
    assert!(created["isServiceProvider"].is_null());
    let (status, _) = call(
        &e.base,
        &token,
        Method::PATCH,
        &format!("{CTAP}/partners/{TAILSPIN}"),
        Some(json!({"tenantRestrictions": restrictions})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, partner) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{CTAP}/partners/{TAILSPIN}"),
        None,
    )
    .await;
    assert_eq!(partner["tenantRestrictions"], restrictions);
}

#[tokio::test]
async fn template_ids_are_guids_kept_across_reset_and_differ_per_tenant() {
    let e = start().await;
    let contoso = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let fabrikam = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    for template in [
        "multiTenantOrganizationPartnerConfiguration",
        "multiTenantOrganizationIdentitySynchronization",
    ] {
        let path = format!("{CTAP}/templates/{template}");
        let (_, ours) = call(&e.base, &contoso, Method::GET, &path, None).await;
        let (_, theirs) = call(&e.base, &fabrikam, Method::GET, &path, None).await;
        let id = ours["id"].as_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        assert_ne!(ours["id"], theirs["id"]);
        assert_eq!(
            ours["@odata.context"],
            format!("https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/templates/{template}/$entity")
        );
        let (status, _) = call(
            &e.base,
            &contoso,
            Method::POST,
            &format!("{path}/resetToDefaultSettings"),
            None,
        )
        .await;
        assert_eq!(status, 204);
        let (_, reset) = call(&e.base, &contoso, Method::GET, &path, None).await;
        assert_eq!(reset["id"], id.as_str());
        assert_eq!(
            reset["templateApplicationLevel"],
            "newPartners,existingPartners"
        );
    }
}
