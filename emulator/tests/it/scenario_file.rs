//! Scenario files: the shipped example loads, and the emulator serves it like any scenario — sign
//! in as one of its accounts, read its MTO, partners, sync jobs and users. Shapes and codes come
//! from the Graph v1.0 reference (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, get_eventual, start_with, user_token, users_count};
use reqwest::Method;
use serde_json::Value;

const ADATUM: &str = "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a01";
const LITWARE: &str = "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a02";
const PROSEWARE: &str = "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a03";
const WIDE_WORLD: &str = "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a04";

async fn example() -> crate::common::Running {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
    start_with(emulator::scenario_file::load(&path).unwrap()).await
}

#[tokio::test]
async fn an_account_of_the_example_signs_in_and_reads_the_mto() {
    let e = example().await;
    let token = user_token(
        &e.base,
        "adatum.onmicrosoft.com",
        "admin@adatum.onmicrosoft.com",
    )
    .await;

    let (status, me) = call(&e.base, &token, Method::GET, "/me", None).await;
    assert_eq!(status, 200);
    assert_eq!(me["userPrincipalName"], "admin@adatum.onmicrosoft.com");

    let (status, mto) = call(
        &e.base,
        &token,
        Method::GET,
        "/tenantRelationships/multiTenantOrganization",
        None,
    )
    .await;
    assert_eq!(status, 200, "{mto}");
    assert_eq!(mto["displayName"], "Adatum Group");
    assert_eq!(mto["state"], "active");
    assert_eq!(mto["createdDateTime"], "2026-10-01T08:00:00Z");

    let (status, tenants) = call(
        &e.base,
        &token,
        Method::GET,
        "/tenantRelationships/multiTenantOrganization/tenants",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let tenants = tenants["value"].as_array().unwrap();
    let member = |id: &str| {
        tenants
            .iter()
            .find(|t| t["tenantId"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(tenants.len(), 3, "Wide World Importers is not in the MTO");
    assert_eq!(member(ADATUM)["role"], "owner");
    assert_eq!(member(ADATUM)["state"], "active");
    assert_eq!(member(LITWARE)["role"], "member");
    assert_eq!(member(LITWARE)["joinedDateTime"], "2026-10-02T10:00:00Z");
    assert_eq!(member(PROSEWARE)["state"], "pending");
    assert_eq!(member(PROSEWARE)["addedByTenantId"], ADATUM);
    assert_eq!(member(PROSEWARE)["joinedDateTime"], Value::Null);
    assert_eq!(member(WIDE_WORLD), Value::Null);
}

#[tokio::test]
async fn the_example_has_its_partners_templates_sync_jobs_and_users() {
    let e = example().await;
    let adatum = user_token(&e.base, ADATUM, "admin@adatum.onmicrosoft.com").await;

    let (status, partners) = call(
        &e.base,
        &adatum,
        Method::GET,
        "/policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization",
        None,
    )
    .await;
    assert_eq!(status, 200, "{partners}");
    let partners = partners["value"].as_array().unwrap();
    let litware = partners.iter().find(|p| p["tenantId"] == LITWARE).unwrap();
    assert_eq!(litware["isInMultiTenantOrganization"], true);
    assert_eq!(
        litware["automaticUserConsentSettings"]["inboundAllowed"],
        true
    );
    assert_eq!(
        litware["identitySynchronization"]["userSyncInbound"]["isSyncAllowed"],
        true
    );
    let wide_world = partners
        .iter()
        .find(|p| p["tenantId"] == WIDE_WORLD)
        .unwrap();
    assert_eq!(wide_world["isInMultiTenantOrganization"], false);
    assert_eq!(
        wide_world["automaticUserConsentSettings"]["inboundAllowed"],
        Value::Null
    );

    let (_, template) = call(
        &e.base,
        &adatum,
        Method::GET,
        "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization",
        None,
    )
    .await;
    assert_eq!(template["userSyncInbound"]["isSyncAllowed"], true);

    // Adatum → Litware: an active job whose cycles ran; Litware → Adatum: paused.
    let job_of = |token: String, target: &'static str| {
        let base = e.base.clone();
        async move {
            let (_, sps) = call(&base, &token, Method::GET, "/servicePrincipals", None).await;
            let sp = sps["value"]
                .as_array()
                .unwrap()
                .iter()
                .find(|sp| sp["displayName"] == format!("MTO_Sync_{target}"))
                .cloned()
                .unwrap();
            let (_, jobs) = call(
                &base,
                &token,
                Method::GET,
                &format!(
                    "/servicePrincipals/{}/synchronization/jobs",
                    sp["id"].as_str().unwrap()
                ),
                None,
            )
            .await;
            jobs["value"][0].clone()
        }
    };
    let outbound = job_of(adatum.clone(), LITWARE).await;
    assert_eq!(outbound["schedule"]["state"], "Active");
    assert_eq!(outbound["status"]["code"], "Active", "{outbound}");
    let litware_token = user_token(&e.base, LITWARE, "sync@litware.onmicrosoft.com").await;
    let inbound = job_of(litware_token.clone(), ADATUM).await;
    assert_eq!(inbound["schedule"]["state"], "Paused");
    assert_eq!(inbound["status"]["code"], "Paused");

    // Litware holds Adatum's 45 synced users as external members (40 assigned directly, 5
    // through a group); Adatum its guests.
    let count = |token: String, filter: &'static str| {
        let base = e.base.clone();
        async move { users_count(&base, &token, Some(filter)).await.1 }
    };
    assert_eq!(
        count(
            litware_token,
            "userType eq 'Member' and creationType eq 'Invitation'"
        )
        .await,
        "45"
    );
    assert_eq!(
        count(
            adatum.clone(),
            "userType eq 'Guest' and creationType eq 'Invitation'"
        )
        .await,
        "7",
        "six invited from Wide World Importers and one listed"
    );
    assert_eq!(
        count(
            adatum,
            "userType eq 'Guest' and creationType ne 'Invitation'"
        )
        .await,
        "1",
        "the listed internal guest"
    );
}

#[tokio::test]
async fn a_pending_tenant_of_the_example_can_join() {
    let e = example().await;
    let token = user_token(&e.base, PROSEWARE, "admin@proseware.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &token,
        Method::PATCH,
        "/tenantRelationships/multiTenantOrganization/joinRequest",
        Some(serde_json::json!({ "addedByTenantId": ADATUM })),
    )
    .await;
    assert_eq!(status, 204);
    e.clock.advance(60);
    let (status, join) = call(
        &e.base,
        &token,
        Method::GET,
        "/tenantRelationships/multiTenantOrganization/joinRequest",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(join["memberState"], "active", "{join}");
    assert_eq!(join["role"], "member");
    // Joining created Proseware's partner settings for the other active tenants, with Adatum's
    // templates applied on Adatum's side.
    let adatum = user_token(&e.base, ADATUM, "admin@adatum.onmicrosoft.com").await;
    let (status, partner) = call(
        &e.base,
        &adatum,
        Method::GET,
        &format!("/policies/crossTenantAccessPolicy/partners/{PROSEWARE}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(partner["isInMultiTenantOrganization"], true);
    assert_eq!(
        partner["automaticUserConsentSettings"]["outboundAllowed"],
        true
    );
}

#[tokio::test]
async fn the_examples_groups_are_served_and_scope_adatum_to_litware() {
    let e = example().await;
    let adatum = user_token(&e.base, ADATUM, "admin@adatum.onmicrosoft.com").await;
    let (status, groups) = call(&e.base, &adatum, Method::GET, "/groups", None).await;
    assert_eq!(status, 200, "{groups}");
    let groups = groups["value"].as_array().unwrap();
    let names: Vec<&str> = groups
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Adatum – Litware sync", "Adatum – Contractors"]);
    let sync = groups[0]["id"].as_str().unwrap();
    // 5 generated members, the internal guest, the external guest and the nested group.
    assert_eq!(
        get_eventual(&e.base, &adatum, &format!("/groups/{sync}/members/$count")).await,
        (200, "8".to_owned())
    );
    let (_, members) = call(
        &e.base,
        &adatum,
        Method::GET,
        &format!("/groups/{sync}/members?$select=userPrincipalName,displayName"),
        None,
    )
    .await;
    let members = members["value"].as_array().unwrap();
    assert!(members
        .iter()
        .any(|m| m["userPrincipalName"] == "pat_fourthcoffee.com#EXT#@adatum.onmicrosoft.com"));
    assert!(members
        .iter()
        .any(|m| m["@odata.type"] == "#microsoft.graph.group"
            && m["displayName"] == "Adatum – Contractors"));

    // The tenant's one sync configuration (its other service principals are Microsoft's and the app's).
    let (_, sps) = call(
        &e.base,
        &adatum,
        Method::GET,
        "/servicePrincipals?$filter=applicationTemplateId%20eq%20'518e5f48-1fc8-4c48-9387-9fdf28b0dfe7'",
        None,
    )
    .await;
    assert_eq!(sps["value"].as_array().unwrap().len(), 1, "{sps}");
    let sp = sps["value"][0]["id"].as_str().unwrap();
    let (_, assigned) = call(
        &e.base,
        &adatum,
        Method::GET,
        &format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
        None,
    )
    .await;
    let assigned = assigned["value"].as_array().unwrap();
    assert_eq!(assigned.len(), 41);
    assert_eq!(
        assigned
            .iter()
            .filter(|a| a["principalType"] == "Group")
            .count(),
        1
    );
}

#[test]
fn a_group_member_that_is_not_a_user_of_the_tenant_stops_the_file() {
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml"),
    )
    .unwrap();
    let broken = example.replace("\"diego.novak@adatum.com\"", "\"diego.nowak@adatum.com\"");
    assert_ne!(broken, example);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, broken).unwrap();
    let error = emulator::scenario_file::load(&path)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "tenant \"Adatum\": groups[0] (Adatum – Litware sync): member \"diego.nowak@adatum.com\" is not a user of the tenant"
        ),
        "{error}"
    );
}
