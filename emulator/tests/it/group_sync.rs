//! Cross-tenant synchronization of security groups: the target's `groupSyncInbound`
//! (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/beta/resources/crosstenantgroupsyncinbound.md`), assigned groups created in the
//! target with their synced direct members, and what switching inbound group sync off leaves
//! behind (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md`, "Group
//! synchronization").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, start, user_token};
use emulator::scenario::{CONTOSO, FABRIKAM};
use reqwest::Method;
use serde_json::{json, Value};

const TEMPLATE: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
const CTAP: &str = "/policies/crossTenantAccessPolicy";
const CONTOSO_ADMIN: &str = "admin@contoso.onmicrosoft.com";
/// Security Administrator: writes the cross-tenant access policies, reads provisioning logs.
const FABRIKAM_ADMIN: &str = "admin@fabrikam.onmicrosoft.com";
/// Hybrid Identity Administrator: operates Fabrikam's sync configurations.
const FABRIKAM_OPS: &str = "ops@fabrikam.onmicrosoft.com";

/// `(service principal id, job id)` of the configuration `MTO_Sync_<target>`.
async fn configuration(base: &str, token: &str, target: &str) -> (String, String) {
    let (status, list) = call(
        base,
        token,
        Method::GET,
        &format!("/servicePrincipals?$filter=applicationTemplateId eq '{TEMPLATE}'"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let sp = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|sp| sp["displayName"] == format!("MTO_Sync_{target}"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, jobs) = call(
        base,
        token,
        Method::GET,
        &format!("/servicePrincipals/{sp}/synchronization/jobs"),
        None,
    )
    .await;
    let job = jobs["value"][0]["id"].as_str().unwrap().to_owned();
    (sp, job)
}

async fn job(base: &str, token: &str, sp: &str, job: &str) -> Value {
    let (status, body) = call(
        base,
        token,
        Method::GET,
        &format!("/servicePrincipals/{sp}/synchronization/jobs/{job}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The `synchronizedEntryCountByType` value of `key`.
fn entry_count(job: &Value, key: &str) -> Option<i64> {
    job["status"]["synchronizedEntryCountByType"]
        .as_array()?
        .iter()
        .find(|e| e["key"] == key)?["value"]
        .as_i64()
}

/// The job's group entries of the provisioning log, newest first.
async fn group_log(base: &str, token: &str, job: &str) -> Vec<Value> {
    let (status, log) = call(
        base,
        token,
        Method::GET,
        &format!(
            "/auditLogs/provisioning?$top=100&$filter=jobId eq '{job}' and sourceIdentity/identityType eq 'Group'"
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    log["value"].as_array().unwrap().clone()
}

/// The tenant's groups by display name: `(id, display name)`.
async fn groups(base: &str, token: &str) -> Vec<(String, String)> {
    let (status, list) = call(base, token, Method::GET, "/groups?$top=999", None).await;
    assert_eq!(status, 200, "{list}");
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["id"].as_str().unwrap().to_owned(),
                g["displayName"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn member_count(base: &str, token: &str, group: &str) -> usize {
    let (status, members) = call(
        base,
        token,
        Method::GET,
        &format!("/groups/{group}/members?$top=999&$select=id"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{members}");
    members["value"].as_array().unwrap().len()
}

#[tokio::test]
async fn the_identity_sync_policy_stores_and_returns_group_sync_inbound() {
    let e = start().await;
    let fabrikam = user_token(&e.base, FABRIKAM, FABRIKAM_ADMIN).await;
    let path = format!("{CTAP}/partners/{CONTOSO}/identitySynchronization");
    let (status, policy) = call(&e.base, &fabrikam, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{policy}");
    assert_eq!(policy["groupSyncInbound"]["isSyncAllowed"], true);
    assert_eq!(policy["userSyncInbound"]["isSyncAllowed"], true);

    let (status, _) = call(
        &e.base,
        &fabrikam,
        Method::PATCH,
        &path,
        Some(json!({"groupSyncInbound": {"isSyncAllowed": false}})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, policy) = call(&e.base, &fabrikam, Method::GET, &path, None).await;
    assert_eq!(policy["groupSyncInbound"]["isSyncAllowed"], false);
    assert_eq!(
        policy["userSyncInbound"]["isSyncAllowed"], true,
        "a PATCH without userSyncInbound leaves it"
    );
    // Expanded on the partner list too.
    let (_, partners) = call(
        &e.base,
        &fabrikam,
        Method::GET,
        &format!("{CTAP}/partners?$expand=identitySynchronization"),
        None,
    )
    .await;
    let contoso = partners["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["tenantId"] == CONTOSO)
        .unwrap()
        .clone();
    assert_eq!(
        contoso["identitySynchronization"]["groupSyncInbound"]["isSyncAllowed"],
        false
    );
    // Partners whose group sync was never set show it null.
    let woodgrove = partners["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["tenantId"] != CONTOSO && !p["identitySynchronization"].is_null())
        .unwrap()
        .clone();
    assert!(woodgrove["identitySynchronization"]["groupSyncInbound"].is_null());

    // Created with both (PUT), after deleting it.
    let (status, _) = call(&e.base, &fabrikam, Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &e.base,
        &fabrikam,
        Method::PUT,
        &path,
        Some(json!({"userSyncInbound": {"isSyncAllowed": true}, "groupSyncInbound": {"isSyncAllowed": true}})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, policy) = call(&e.base, &fabrikam, Method::GET, &path, None).await;
    assert_eq!(policy["groupSyncInbound"]["isSyncAllowed"], true);
    // The MTO identity sync template has no group setting (its resource page lists
    // userSyncInbound only): refused like any unknown property.
    let (status, _) = call(
        &e.base,
        &fabrikam,
        Method::PATCH,
        &format!("{CTAP}/templates/multiTenantOrganizationIdentitySynchronization"),
        Some(json!({"groupSyncInbound": {"isSyncAllowed": true}})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn contoso_creates_its_assigned_group_in_fabrikam_with_the_synced_direct_members() {
    let e = start().await;
    let contoso = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, job_id) = configuration(&e.base, &contoso, FABRIKAM).await;
    let (_, schema) = call(
        &e.base,
        &contoso,
        Method::GET,
        &format!("/servicePrincipals/{sp}/synchronization/jobs/{job_id}/schema"),
        None,
    )
    .await;
    let groups_mapping = schema["synchronizationRules"][0]["objectMappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["sourceObjectName"] == "Group")
        .unwrap()
        .clone();
    assert_eq!(groups_mapping["enabled"], true);
    let status = job(&e.base, &contoso, &sp, &job_id).await;
    assert_eq!(entry_count(&status, "group to group"), Some(1));
    assert_eq!(entry_count(&status, "user to user"), Some(60));

    let log = group_log(&e.base, &contoso, &job_id).await;
    assert_eq!(log.len(), 1, "one create");
    let created = &log[0];
    assert_eq!(created["provisioningAction"], "create");
    assert_eq!(created["provisioningStatusInfo"]["status"], "success");
    assert_eq!(created["sourceIdentity"]["identityType"], "Group");
    assert_eq!(
        created["sourceIdentity"]["displayName"],
        "Contoso – Group sync"
    );
    let copy_id = created["targetIdentity"]["id"].as_str().unwrap();

    let fabrikam = user_token(&e.base, FABRIKAM, FABRIKAM_ADMIN).await;
    let in_fabrikam = groups(&e.base, &fabrikam).await;
    assert!(in_fabrikam
        .iter()
        .any(|(id, name)| id == copy_id && name == "Contoso – Group sync"));
    // Its 60 direct members, as their copies; Finance, nested in it, is not synchronized.
    assert_eq!(member_count(&e.base, &fabrikam, copy_id).await, 60);
    assert!(!in_fabrikam
        .iter()
        .any(|(_, name)| name == "Contoso – Finance"));
}

#[tokio::test]
async fn switching_inbound_group_sync_off_leaves_the_synced_groups_behind() {
    let e = start().await;
    let contoso = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let ops = user_token(&e.base, FABRIKAM, FABRIKAM_OPS).await;
    let (sp, job_id) = configuration(&e.base, &ops, CONTOSO).await;

    // The demo: Fabrikam's three groups were created in Contoso, then Contoso switched inbound
    // group sync from Fabrikam off. They are still there, and the job still counts them.
    let path = format!("{CTAP}/partners/{FABRIKAM}/identitySynchronization");
    let (_, policy) = call(&e.base, &contoso, Method::GET, &path, None).await;
    assert_eq!(policy["groupSyncInbound"]["isSyncAllowed"], false);
    let in_contoso = groups(&e.base, &contoso).await;
    let left: Vec<&(String, String)> = in_contoso
        .iter()
        .filter(|(_, name)| name.starts_with("Fabrikam – "))
        .collect();
    assert_eq!(left.len(), 3, "{in_contoso:?}");
    let status = job(&e.base, &ops, &sp, &job_id).await;
    assert_eq!(status["status"]["code"], "Active", "users still sync");
    assert_eq!(entry_count(&status, "group to group"), Some(3));

    // Unassigning a group: its copy is not deleted while group sync is off; the log says why.
    let assignments = format!("/servicePrincipals/{sp}/appRoleAssignedTo");
    let (_, assigned) = call(&e.base, &ops, Method::GET, &assignments, None).await;
    let design = assigned["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["principalDisplayName"] == "Fabrikam – Design")
        .unwrap()
        .clone();
    let (status, _) = call(
        &e.base,
        &ops,
        Method::DELETE,
        &format!("{assignments}/{}", design["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, 204);
    e.clock.advance(40 * 60);
    let contoso = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let fabrikam = user_token(&e.base, FABRIKAM, FABRIKAM_ADMIN).await;
    assert_eq!(
        groups(&e.base, &contoso).await,
        in_contoso,
        "nothing changed"
    );
    let log = group_log(&e.base, &fabrikam, &job_id).await;
    let skipped = &log[0];
    assert_eq!(skipped["provisioningAction"], "delete");
    assert_eq!(skipped["provisioningStatusInfo"]["status"], "skipped");
    assert_eq!(
        skipped["sourceIdentity"]["displayName"],
        "Fabrikam – Design"
    );
    assert!(
        skipped["provisioningStatusInfo"]["errorInformation"]["reason"]
            .as_str()
            .unwrap()
            .contains("groups to be synchronized")
    );
    // The three creates of the first cycle are further down.
    assert_eq!(
        log.iter()
            .filter(|e| e["provisioningAction"] == "create"
                && e["provisioningStatusInfo"]["status"] == "success")
            .count(),
        3
    );

    // Contoso allows it again: the next cycle deletes the copy of the unassigned group.
    let (status, _) = call(
        &e.base,
        &contoso,
        Method::PATCH,
        &path,
        Some(json!({"groupSyncInbound": {"isSyncAllowed": true}})),
    )
    .await;
    assert_eq!(status, 204);
    e.clock.advance(40 * 60);
    let contoso = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let ops = user_token(&e.base, FABRIKAM, FABRIKAM_OPS).await;
    let after = groups(&e.base, &contoso).await;
    assert!(!after.iter().any(|(_, name)| name == "Fabrikam – Design"));
    assert_eq!(
        after
            .iter()
            .filter(|(_, name)| name.starts_with("Fabrikam – "))
            .count(),
        2
    );
    let status = job(&e.base, &ops, &sp, &job_id).await;
    assert_eq!(entry_count(&status, "group to group"), Some(2));
}

#[tokio::test]
async fn a_target_that_stops_group_sync_still_receives_the_users() {
    let e = start().await;
    let fabrikam = user_token(&e.base, FABRIKAM, FABRIKAM_ADMIN).await;
    let (status, _) = call(
        &e.base,
        &fabrikam,
        Method::PATCH,
        &format!("{CTAP}/partners/{CONTOSO}/identitySynchronization"),
        Some(json!({"groupSyncInbound": {"isSyncAllowed": false}})),
    )
    .await;
    assert_eq!(status, 204);
    let contoso = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, job_id) = configuration(&e.base, &contoso, FABRIKAM).await;
    e.clock.advance(40 * 60);
    let status = job(&e.base, &contoso, &sp, &job_id).await;
    assert_eq!(status["status"]["code"], "Active");
    assert!(status["status"]["quarantine"].is_null());
    assert_eq!(entry_count(&status, "user to user"), Some(60));
    assert_eq!(
        entry_count(&status, "group to group"),
        Some(1),
        "left behind"
    );
}
