//! Cross-tenant synchronization (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`):
//! configurations, jobs, actions, schema, scope, secrets, the simulated cycle and provisioning
//! logs. Shapes and codes come from `microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/synchronization-synchronizationjob.md` and
//! `api-reference/v1.0/resources/provisioningobjectsummary.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, start, user_token};
use emulator::scenario::{CONTOSO, FABRIKAM, WOODGROVE};
use reqwest::Method;
use serde_json::{json, Value};

const TEMPLATE: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
const WOODGROVE_ADMIN: &str = "admin@woodgrovebank.onmicrosoft.com";
const CONTOSO_ADMIN: &str = "admin@contoso.onmicrosoft.com";

/// The tenant's configurations as a client enumerates them: service principals from the template.
async fn configurations(base: &str, token: &str) -> Vec<Value> {
    let (status, body) = call(
        base,
        token,
        Method::GET,
        &format!("/servicePrincipals?$filter=applicationTemplateId eq '{TEMPLATE}'"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["value"].as_array().unwrap().clone()
}

/// `(service principal id, job)` of the configuration named `MTO_Sync_<target>`.
async fn job_to(base: &str, token: &str, target: &str) -> (String, Value) {
    let sp = configurations(base, token)
        .await
        .into_iter()
        .find(|sp| sp["displayName"] == format!("MTO_Sync_{target}"))
        .unwrap();
    let sp_id = sp["id"].as_str().unwrap().to_owned();
    let (status, jobs) = call(
        base,
        token,
        Method::GET,
        &format!("/servicePrincipals/{sp_id}/synchronization/jobs"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    (sp_id, jobs["value"][0].clone())
}

#[tokio::test]
async fn the_demo_shows_woodgrove_to_fabrikam_quarantined_and_woodgrove_to_contoso_healthy() {
    let e = start().await;
    let token = user_token(&e.base, WOODGROVE, WOODGROVE_ADMIN).await;
    let configs = configurations(&e.base, &token).await;
    assert_eq!(configs.len(), 2);
    let sp = &configs[0];
    assert_eq!(sp["applicationTemplateId"], TEMPLATE);
    assert_eq!(sp["appRoleAssignmentRequired"], true);
    assert_eq!(sp["appRoles"][0]["displayName"], "msiam_access");
    assert_eq!(sp["tags"][0], "WindowsAzureActiveDirectoryIntegratedApp");

    let (_, quarantined) = job_to(&e.base, &token, FABRIKAM).await;
    assert_eq!(quarantined["templateId"], "Azure2Azure");
    assert_eq!(quarantined["schedule"]["interval"], "PT40M");
    assert_eq!(quarantined["schedule"]["state"], "Active");
    let status = &quarantined["status"];
    assert_eq!(status["code"], "Quarantine");
    assert_eq!(
        status["quarantine"]["error"]["code"],
        "AzureDirectoryB2BManagementPolicyCheckFailure"
    );
    assert_eq!(
        status["quarantine"]["reason"],
        "EncounteredQuarantineException"
    );
    assert!(status["quarantine"]["seriesCount"].as_i64().unwrap() >= 2);
    assert_eq!(status["lastExecution"]["state"], "Failed");
    assert!(status["countSuccessiveCompleteFailures"].as_i64().unwrap() >= 2);
    assert_eq!(
        status["steadyStateLastAchievedTime"],
        "0001-01-01T00:00:00Z"
    );

    let (_, healthy) = job_to(&e.base, &token, CONTOSO).await;
    let status = &healthy["status"];
    assert_eq!(status["code"], "Active");
    assert!(status["quarantine"].is_null());
    assert_eq!(status["lastSuccessfulExecution"]["state"], "Succeeded");
    assert_ne!(
        status["steadyStateLastAchievedTime"],
        "0001-01-01T00:00:00Z"
    );
    assert_eq!(status["synchronizedEntryCountByType"][0]["value"], 30);
    for key in [
        "escrowsPruned",
        "lastSuccessfulExecutionWithExports",
        "progress",
        "troubleshootingUrl",
        "steadyStateFirstAchievedTime",
    ] {
        assert!(status.get(key).is_some(), "status.{key} is present");
    }
    assert_eq!(
        healthy["synchronizationJobSettings"][1]["name"],
        "LookaheadQueryEnabled"
    );
}

#[tokio::test]
async fn a_configuration_set_up_the_documented_way_syncs_a_user_on_the_next_cycle() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (status, created) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("/applicationTemplates/{TEMPLATE}/instantiate"),
        Some(json!({"displayName": format!("MTO_Sync_{WOODGROVE}")})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["application"]["applicationTemplateId"], TEMPLATE);
    let sp = created["servicePrincipal"].clone();
    let sp_id = sp["id"].as_str().unwrap();
    let jobs = format!("/servicePrincipals/{sp_id}/synchronization/jobs");

    let credentials = json!({"useSavedCredentials": false, "templateId": "Azure2Azure", "credentials": [
        {"key": "CompanyId", "value": WOODGROVE}, {"key": "AuthenticationType", "value": "SyncPolicy"}]});
    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{jobs}/validateCredentials"),
        Some(credentials),
    )
    .await;
    assert_eq!(status, 204);

    let (status, job) = call(
        &e.base,
        &token,
        Method::POST,
        &jobs,
        Some(json!({"templateId": "Azure2Azure"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(job["schedule"]["state"], "Disabled");
    assert_eq!(job["status"]["code"], "Paused");
    assert!(job["status"]["lastExecution"].is_null());
    let job_id = job["id"].as_str().unwrap();

    let (status, _) = call(
        &e.base,
        &token,
        Method::PUT,
        &format!("/servicePrincipals/{sp_id}/synchronization/secrets"),
        Some(json!({"value": [
            {"key": "AuthenticationType", "value": "SyncPolicy"},
            {"key": "CompanyId", "value": WOODGROVE},
            {"key": "SyncNotificationSettings", "value": "{\"Enabled\":false}"},
            {"key": "SyncAll", "value": "false"}]})),
    )
    .await;
    assert_eq!(status, 204);

    let (_, users) = call(
        &e.base,
        &token,
        Method::GET,
        "/users?$top=10&$select=id,displayName",
        None,
    )
    .await;
    let alice = users["value"][7].clone();
    let (status, assignment) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("/servicePrincipals/{sp_id}/appRoleAssignedTo"),
        Some(json!({"appRoleId": sp["appRoles"][0]["id"], "resourceId": sp_id, "principalId": alice["id"]})),
    )
    .await;
    assert_eq!(status, 201, "{assignment}");
    assert_eq!(assignment["principalType"], "User");

    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{jobs}/{job_id}/start"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, job) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{jobs}/{job_id}"),
        None,
    )
    .await;
    assert_eq!(job["schedule"]["state"], "Active");
    assert_eq!(job["status"]["code"], "NotRun");
    // The documented job right after start (MicrosoftDocs/entra-docs
    // docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md).
    assert_eq!(job["status"]["troubleshootingUrl"], "");
    let last = &job["status"]["lastExecution"];
    assert_eq!(last["state"], "Failed", "{job}");
    assert_eq!(last["timeBegan"], "0001-01-01T00:00:00Z");
    assert_eq!(last["timeEnded"], "0001-01-01T00:00:00Z");
    assert_eq!(
        last["error"],
        json!({"code": "None", "message": "", "tenantActionable": false})
    );
    assert!(last["activityIdentifier"].is_null());
    assert_eq!(last["countExported"], 0);

    e.clock.advance(30);
    let (_, job) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{jobs}/{job_id}"),
        None,
    )
    .await;
    assert_eq!(job["status"]["code"], "Active", "{job}");
    assert_eq!(job["status"]["lastExecution"]["countExported"], 1);

    // The copy in Woodgrove: an external member with an #EXT# UPN, in the address list.
    let woodgrove = user_token(&e.base, WOODGROVE, WOODGROVE_ADMIN).await;
    let (_, log) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/auditLogs/provisioning?$filter=jobId eq '{job_id}'"),
        None,
    )
    .await;
    let entry = &log["value"][0];
    assert_eq!(entry["provisioningAction"], "create");
    assert_eq!(entry["provisioningStatusInfo"]["status"], "success");
    assert_eq!(entry["sourceIdentity"]["id"], alice["id"]);
    assert_eq!(entry["servicePrincipal"]["id"], sp_id);
    assert_eq!(
        entry["targetSystem"]["displayName"],
        "Azure Active Directory (target tenant)"
    );
    assert_eq!(
        entry["targetSystem"]["details"]["ServicePrincipalId"],
        sp_id
    );
    let target_id = entry["targetIdentity"]["id"].as_str().unwrap();
    let (status, copy) = call(
        &e.base,
        &woodgrove,
        Method::GET,
        &format!(
            "/users/{target_id}?$select=userType,userPrincipalName,showInAddressList,displayName"
        ),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(copy["userType"], "Member");
    assert_eq!(copy["showInAddressList"], true);
    assert_eq!(copy["displayName"], alice["displayName"]);
    assert!(copy["userPrincipalName"]
        .as_str()
        .unwrap()
        .ends_with("#EXT#@woodgrovebank.onmicrosoft.com"));

    // Only one configuration per source → target pair.
    let (_, second) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("/applicationTemplates/{TEMPLATE}/instantiate"),
        Some(json!({"displayName": "Second"})),
    )
    .await;
    let (status, error) = call(
        &e.base,
        &token,
        Method::PUT,
        &format!(
            "/servicePrincipals/{}/synchronization/secrets",
            second["servicePrincipal"]["id"].as_str().unwrap()
        ),
        Some(json!({"value": [{"key": "CompanyId", "value": WOODGROVE}]})),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        error["error"]["code"],
        "Request_MultipleObjectsWithSameKeyValue"
    );
}

#[tokio::test]
async fn fixing_fabrikams_policies_and_restarting_releases_the_quarantine() {
    let e = start().await;
    let fabrikam = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let partner = format!("/policies/crossTenantAccessPolicy/partners/{WOODGROVE}");
    let (status, _) = call(
        &e.base,
        &fabrikam,
        Method::PATCH,
        &format!("{partner}/identitySynchronization"),
        Some(json!({"userSyncInbound": {"isSyncAllowed": true}})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &e.base,
        &fabrikam,
        Method::PATCH,
        &partner,
        Some(json!({"automaticUserConsentSettings": {"inboundAllowed": true}})),
    )
    .await;
    assert_eq!(status, 204);

    let woodgrove = user_token(&e.base, WOODGROVE, WOODGROVE_ADMIN).await;
    let (sp, job) = job_to(&e.base, &woodgrove, FABRIKAM).await;
    let job_path = format!(
        "/servicePrincipals/{sp}/synchronization/jobs/{}",
        job["id"].as_str().unwrap()
    );
    let (status, error) = call(
        &e.base,
        &woodgrove,
        Method::POST,
        &format!("{job_path}/restart"),
        Some(json!({"criteria": {"resetScope": "Watermark, Everything"}})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "Request_BadRequest");
    let (status, _) = call(
        &e.base,
        &woodgrove,
        Method::POST,
        &format!("{job_path}/restart"),
        Some(json!({"criteria": {"resetScope": "Watermark, Escrows, QuarantineState"}})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, job) = call(&e.base, &woodgrove, Method::GET, &job_path, None).await;
    assert_eq!(job["status"]["code"], "Active", "quarantine cleared");
    assert!(job["status"]["quarantine"].is_null());
    e.clock.advance(30);
    let (_, job) = call(&e.base, &woodgrove, Method::GET, &job_path, None).await;
    assert_eq!(job["status"]["code"], "Active");
    assert_eq!(job["status"]["lastExecution"]["countExported"], 30);
    assert_eq!(
        job["status"]["synchronizedEntryCountByType"][0]["value"],
        30
    );
}

#[tokio::test]
async fn provision_on_demand_reports_the_policy_failure_step_by_step() {
    let e = start().await;
    let woodgrove = user_token(&e.base, WOODGROVE, WOODGROVE_ADMIN).await;
    let (sp, job) = job_to(&e.base, &woodgrove, FABRIKAM).await;
    let (_, scope) = call(
        &e.base,
        &woodgrove,
        Method::GET,
        &format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
        None,
    )
    .await;
    let user = scope["value"][0]["principalId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, answer) = call(
        &e.base,
        &woodgrove,
        Method::POST,
        &format!(
            "/servicePrincipals/{sp}/synchronization/jobs/{}/provisionOnDemand",
            job["id"].as_str().unwrap()
        ),
        Some(json!({"parameters": [{"ruleId": "x", "subjects": [{"objectId": user, "objectTypeName": "User"}]}]})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["key"],
        "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"
    );
    let report: Value = serde_json::from_str(answer["value"].as_str().unwrap()).unwrap();
    let steps = report[0]["provisioningSteps"].as_array().unwrap();
    // provisionOnDemand's JSON text writes `type` and `status` capitalized, with a timestamp.
    assert_eq!(steps[0]["type"], "Import");
    assert!(steps[0]["timestamp"].is_string());
    let last = steps.last().unwrap();
    assert_eq!(last["status"], "Failure");
    assert!(last["description"]
        .as_str()
        .unwrap()
        .contains("auto-redemption"));
    let (_, log) = call(
        &e.base,
        &woodgrove,
        Method::GET,
        &format!("/auditLogs/provisioning?$top=1&$filter=sourceIdentity/id eq '{user}'"),
        None,
    )
    .await;
    let entry = &log["value"][0];
    assert_eq!(entry["initiatedBy"]["initiatorType"], "user");
    assert_eq!(
        entry["provisioningStatusInfo"]["errorInformation"]["errorCode"],
        "AzureDirectoryB2BManagementPolicyCheckFailure"
    );
}

#[tokio::test]
async fn pausing_stops_the_cycles_and_start_resumes_them() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, job) = job_to(&e.base, &token, FABRIKAM).await;
    let path = format!(
        "/servicePrincipals/{sp}/synchronization/jobs/{}",
        job["id"].as_str().unwrap()
    );
    let before = job["status"]["lastExecution"]["timeBegan"].clone();
    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{path}/pause"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    e.clock.advance(50 * 60);
    let (_, paused) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_eq!(paused["schedule"]["state"], "Paused");
    assert_eq!(paused["status"]["code"], "Paused");
    assert_eq!(paused["status"]["lastExecution"]["timeBegan"], before);
    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{path}/start"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    e.clock.advance(30);
    let (_, resumed) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_eq!(resumed["status"]["code"], "Active");
    assert_ne!(resumed["status"]["lastExecution"]["timeBegan"], before);
    // Regular cycles every 40 minutes.
    let last = resumed["status"]["lastExecution"]["timeBegan"].clone();
    e.clock.advance(40 * 60);
    let (_, later) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_ne!(later["status"]["lastExecution"]["timeBegan"], last);
}

#[tokio::test]
async fn the_schema_has_the_documented_mappings_and_refuses_a_changed_matching_rule() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, job) = job_to(&e.base, &token, FABRIKAM).await;
    let path = format!(
        "/servicePrincipals/{sp}/synchronization/jobs/{}/schema",
        job["id"].as_str().unwrap()
    );
    let (status, schema) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_eq!(status, 200);
    let rule = &schema["synchronizationRules"][0];
    assert_eq!(rule["name"], "USER_INBOUND_USER");
    assert_eq!(
        rule["targetDirectoryName"],
        "Azure Active Directory (target tenant)"
    );
    let users = &rule["objectMappings"][0];
    assert_eq!(users["name"], "Provision Azure Active Directory Users");
    assert_eq!(users["flowTypes"], "Add, Update, Delete");
    // The demo enabled Contoso → Fabrikam's group mapping (a new job has it off: unit tests of
    // sync_state).
    assert_eq!(rule["objectMappings"][1]["sourceObjectName"], "Group");
    assert_eq!(rule["objectMappings"][1]["enabled"], true);
    let mappings = users["attributeMappings"].as_array().unwrap();
    let find = |name: &str| {
        mappings
            .iter()
            .find(|m| m["targetAttributeName"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(find("alternativeSecurityIds")["matchingPriority"], 1);
    assert_eq!(find("userType")["source"]["type"], "Constant");
    assert_eq!(find("userType")["source"]["name"], "Member");
    assert_eq!(find("showInAddressList")["source"]["name"], "true");
    let version = schema["version"].as_str().unwrap().to_owned();

    // A scoping filter and Guest as the user type: accepted, version moves on.
    let mut changed = schema.clone();
    let user_type = changed["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["targetAttributeName"] == "userType")
        .unwrap();
    user_type["source"]["name"] = json!("Guest");
    user_type["source"]["expression"] = json!("\"Guest\"");
    changed["synchronizationRules"][0]["objectMappings"][0]["scope"] = json!({"groups": [{"name": "Sales",
        "clauses": [{"operatorName": "EQUALS", "sourceOperandName": "companyName", "targetOperand": {"values": ["Contoso"]}}]}]});
    let (status, _) = call(&e.base, &token, Method::PUT, &path, Some(changed.clone())).await;
    assert_eq!(status, 204);
    let (_, saved) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_ne!(saved["version"], version);
    assert_eq!(
        saved["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"][0]["name"],
        "Sales"
    );

    changed["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][0]
        ["matchingPriority"] = json!(0);
    let (status, error) = call(&e.base, &token, Method::PUT, &path, Some(changed)).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "SchemaInvalid");

    let (status, operators) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{path}/filterOperators"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(operators["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["name"] == "EQUALS" && o["arity"] == "Binary"));
    let (status, _) = call(&e.base, &token, Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (_, reset) = call(&e.base, &token, Method::GET, &path, None).await;
    assert!(reset["synchronizationRules"][0]["objectMappings"][0]["scope"].is_null());
}

#[tokio::test]
async fn roles_and_permissions_are_enforced_like_graph() {
    let e = start().await;
    let helpdesk = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let admin = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, job) = job_to(&e.base, &admin, FABRIKAM).await;
    let start_path = format!(
        "/servicePrincipals/{sp}/synchronization/jobs/{}/start",
        job["id"].as_str().unwrap()
    );
    let (status, error) = call(&e.base, &helpdesk, Method::POST, &start_path, None).await;
    assert_eq!(status, 403);
    assert_eq!(error["error"]["code"], "Authorization_RequestDenied");
    assert!(error["error"]["innerError"]["request-id"].is_string());
    let (status, _) = call(
        &e.base,
        &helpdesk,
        Method::GET,
        "/auditLogs/provisioning",
        None,
    )
    .await;
    assert_eq!(
        status, 403,
        "Helpdesk Administrator cannot read provisioning logs"
    );

    // Fabrikam: the Security Administrator may not operate sync, the Hybrid Identity Administrator may.
    let security = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let hybrid = user_token(&e.base, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let (sp, job) = job_to(&e.base, &hybrid, CONTOSO).await;
    let pause = format!(
        "/servicePrincipals/{sp}/synchronization/jobs/{}/pause",
        job["id"].as_str().unwrap()
    );
    assert_eq!(
        call(&e.base, &security, Method::POST, &pause, None).await.0,
        403
    );
    assert_eq!(
        call(&e.base, &hybrid, Method::POST, &pause, None).await.0,
        204
    );

    // Another tenant's configuration is not found, not exposed.
    let (status, error) = call(
        &e.base,
        &admin,
        Method::GET,
        &format!("/servicePrincipals/{sp}/synchronization/jobs"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "Request_ResourceNotFound");
    let (status, _) = call(
        &e.base,
        "not-a-token",
        Method::GET,
        "/servicePrincipals",
        None,
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn bad_requests_change_nothing() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        "/applicationTemplates/00000000-0000-0000-0000-000000000001/instantiate",
        Some(json!({"displayName": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    let (sp, _) = job_to(&e.base, &token, FABRIKAM).await;
    let jobs = format!("/servicePrincipals/{sp}/synchronization/jobs");
    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &jobs,
        Some(json!({"templateId": "Azure2Azure"})),
    )
    .await;
    assert_eq!(status, 409, "one job per configuration");
    let (status, _) = call(
        &e.base,
        &token,
        Method::PUT,
        &format!("/servicePrincipals/{sp}/synchronization/secrets"),
        Some(json!({"value": [{"key": "CompanyId", "value": "not-a-tenant"}]})),
    )
    .await;
    assert_eq!(status, 400);
    let (_, secrets) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/servicePrincipals/{sp}/synchronization/secrets"),
        None,
    )
    .await;
    assert!(secrets["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["key"] == "CompanyId" && s["value"] == FABRIKAM));
    let (status, error) = call(
        &e.base,
        &token,
        Method::GET,
        "/servicePrincipals?$filter=tags/any(t:t eq 'x')",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "Request_UnsupportedQuery");
    let (status, _) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("{jobs}/Azure2Azure.missing"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn provisioning_logs_page_newest_first_and_filter_case_sensitively() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (status, first) = call(
        &e.base,
        &token,
        Method::GET,
        "/auditLogs/provisioning?$top=25",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let page = first["value"].as_array().unwrap();
    assert_eq!(page.len(), 25);
    assert!(page[0]["activityDateTime"].as_str() >= page[24]["activityDateTime"].as_str());
    let next = first["@odata.nextLink"].as_str().unwrap();
    let second: Value = crate::common::http()
        .get(next)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(second["value"][0]["id"], page[0]["id"]);
    let (_, created) = call(
        &e.base,
        &token,
        Method::GET,
        "/auditLogs/provisioning?$top=1000&$filter=provisioningAction eq 'create'",
        None,
    )
    .await;
    assert_eq!(
        created["value"].as_array().unwrap().len(),
        61,
        "60 users and the group of Contoso → Fabrikam"
    );
    let (_, shouting) = call(
        &e.base,
        &token,
        Method::GET,
        "/auditLogs/provisioning?$filter=provisioningAction eq 'CREATE'",
        None,
    )
    .await;
    assert_eq!(shouting["value"].as_array().unwrap().len(), 0);
    let (status, _) = call(
        &e.base,
        &token,
        Method::GET,
        "/auditLogs/provisioning?$top=5000",
        None,
    )
    .await;
    assert_eq!(status, 400);
}

/// A configuration from Contoso to Woodgrove set up the documented way (instantiate, job,
/// secrets), nobody assigned yet: `(service principal, msiam_access role id, job id)`.
async fn contoso_to_woodgrove(base: &str, token: &str) -> (String, String, String) {
    let (status, created) = call(
        base,
        token,
        Method::POST,
        &format!("/applicationTemplates/{TEMPLATE}/instantiate"),
        Some(json!({"displayName": format!("MTO_Sync_{WOODGROVE}")})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let sp = created["servicePrincipal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let role = created["servicePrincipal"]["appRoles"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let jobs = format!("/servicePrincipals/{sp}/synchronization/jobs");
    let (_, job) = call(
        base,
        token,
        Method::POST,
        &jobs,
        Some(json!({"templateId": "Azure2Azure"})),
    )
    .await;
    let (status, _) = call(
        base,
        token,
        Method::PUT,
        &format!("/servicePrincipals/{sp}/synchronization/secrets"),
        Some(json!({"value": [
            {"key": "AuthenticationType", "value": "SyncPolicy"},
            {"key": "CompanyId", "value": WOODGROVE},
            {"key": "SyncAll", "value": "false"}]})),
    )
    .await;
    assert_eq!(status, 204);
    (sp, role, job["id"].as_str().unwrap().to_owned())
}

/// The ids of a group's direct members of one `@odata.type`.
async fn member_ids(base: &str, token: &str, group: &str, kind: &str) -> Vec<String> {
    let (status, members) = call(
        base,
        token,
        Method::GET,
        &format!("/groups/{group}/members?$top=999&$select=id"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{members}");
    members["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["@odata.type"] == kind)
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether the provisioning log of `job` has an entry for `user` (the source user's id).
async fn logged(base: &str, token: &str, job: &str, user: &str) -> bool {
    let (_, log) = call(
        base,
        token,
        Method::GET,
        &format!(
            "/auditLogs/provisioning?$filter=jobId eq '{job}' and sourceIdentity/id eq '{user}'"
        ),
        None,
    )
    .await;
    !log["value"].as_array().unwrap().is_empty()
}

#[tokio::test]
async fn the_demo_scopes_contoso_to_fabrikam_by_one_group() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, job) = job_to(&e.base, &token, FABRIKAM).await;
    let (status, scope) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let assigned = scope["value"].as_array().unwrap();
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0]["principalType"], "Group");
    assert_eq!(assigned[0]["principalDisplayName"], "Contoso – Group sync");
    assert_eq!(
        job["status"]["synchronizedEntryCountByType"][0]["value"],
        60
    );
}

#[tokio::test]
async fn a_group_in_scope_syncs_its_direct_members_not_those_of_nested_groups() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, role, job_id) = contoso_to_woodgrove(&e.base, &token).await;
    let (_, groups) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$filter=displayName eq 'Contoso – Group sync'",
        None,
    )
    .await;
    let group = groups["value"][0].clone();
    let group_id = group["id"].as_str().unwrap();
    let direct = member_ids(&e.base, &token, group_id, "#microsoft.graph.user").await;
    let nested_group = &member_ids(&e.base, &token, group_id, "#microsoft.graph.group").await[0];
    let nested = member_ids(&e.base, &token, nested_group, "#microsoft.graph.user").await;
    assert_eq!((direct.len(), nested.len()), (60, 8));

    let assignments = format!("/servicePrincipals/{sp}/appRoleAssignedTo");
    let (status, error) = call(
        &e.base,
        &token,
        Method::POST,
        &assignments,
        Some(json!({"appRoleId": role, "resourceId": sp, "principalId": "00000000-0000-4000-8000-000000000000"})),
    )
    .await;
    assert_eq!(status, 404, "an unknown principal");
    assert_eq!(error["error"]["code"], "Request_ResourceNotFound");
    let (status, assignment) = call(
        &e.base,
        &token,
        Method::POST,
        &assignments,
        Some(json!({"appRoleId": role, "resourceId": sp, "principalId": group_id})),
    )
    .await;
    assert_eq!(status, 201, "{assignment}");
    assert_eq!(assignment["principalType"], "Group");
    assert_eq!(assignment["principalDisplayName"], "Contoso – Group sync");
    assert_eq!(assignment["principalId"], group_id);

    let job_path = format!("/servicePrincipals/{sp}/synchronization/jobs/{job_id}");
    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("{job_path}/start"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    e.clock.advance(30);
    let (_, job) = call(&e.base, &token, Method::GET, &job_path, None).await;
    assert_eq!(job["status"]["code"], "Active", "{job}");
    assert_eq!(job["status"]["lastExecution"]["countEntitled"], 60);
    assert_eq!(
        job["status"]["synchronizedEntryCountByType"][0]["value"],
        60
    );
    assert!(logged(&e.base, &token, &job_id, &direct[0]).await);
    assert!(
        !logged(&e.base, &token, &job_id, &nested[0]).await,
        "members of a nested group are not in scope"
    );

    // Provisioning on demand reports the same scope, and through which group.
    let on_demand = |user: String| {
        let (base, token, path) = (e.base.clone(), token.clone(), job_path.clone());
        async move {
            let (status, answer) = call(
                &base,
                &token,
                Method::POST,
                &format!("{path}/provisionOnDemand"),
                Some(json!({"parameters": [{"ruleId": "x", "subjects": [{"objectId": user, "objectTypeName": "User"}]}]})),
            )
            .await;
            assert_eq!(status, 200, "{answer}");
            let report: Value = serde_json::from_str(answer["value"].as_str().unwrap()).unwrap();
            // Either documented shape: `[{provisioningSteps}]` or one record (nothing to change).
            let steps = if report.is_array() {
                &report[0]["provisioningSteps"]
            } else {
                &report["provisioningSteps"]
            };
            steps
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["type"] == "Scoping")
                .cloned()
                .unwrap()
        }
    };
    let scoping = on_demand(direct[1].clone()).await;
    assert_eq!(scoping["status"], "Success");
    let evaluation: Value = serde_json::from_str(
        scoping["details"]["ScopeEvaluationResult"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(evaluation["assigned"], true);
    assert_eq!(
        evaluation["assignedThroughGroups"][0],
        "Contoso – Group sync"
    );
    let scoping = on_demand(nested[1].clone()).await;
    assert_eq!(scoping["status"], "Skipped");
    assert!(scoping["description"]
        .as_str()
        .unwrap()
        .ends_with("not in scope"));

    // Removing the group's assignment takes its members out of scope at the next cycle.
    let (status, _) = call(
        &e.base,
        &token,
        Method::DELETE,
        &format!("{assignments}/{}", assignment["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, 204);
    e.clock.advance(40 * 60);
    let (_, job) = call(&e.base, &token, Method::GET, &job_path, None).await;
    assert_eq!(job["status"]["lastExecution"]["countEntitled"], 0);
    assert_eq!(
        job["status"]["lastExecution"]["countExported"], 60,
        "60 soft-deletes"
    );
    assert_eq!(job["status"]["synchronizedEntryCountByType"][0]["value"], 0);
    let (_, deleted) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/auditLogs/provisioning?$top=1000&$filter=jobId eq '{job_id}' and provisioningAction eq 'delete'"),
        None,
    )
    .await;
    assert_eq!(deleted["value"].as_array().unwrap().len(), 60);
}

// ---- Wave 2: read roles, provisioning filters, provisionOnDemand, service principals ----

const FABRIKAM_SECURITY_ADMIN: &str = "admin@fabrikam.onmicrosoft.com";
const FABRIKAM_HYBRID_ADMIN: &str = "ops@fabrikam.onmicrosoft.com";

/// The read paths of a job: jobs, job, schema, filterOperators, secrets.
fn read_paths(sp: &str, job: &str) -> Vec<String> {
    let base = format!("/servicePrincipals/{sp}/synchronization");
    vec![
        format!("{base}/jobs"),
        format!("{base}/jobs/{job}"),
        format!("{base}/jobs/{job}/schema"),
        format!("{base}/jobs/{job}/schema/filterOperators"),
        format!("{base}/secrets"),
    ]
}

#[tokio::test]
async fn delegated_sync_reads_need_a_synchronization_role() {
    let e = start().await;
    let hybrid = user_token(&e.base, FABRIKAM, FABRIKAM_HYBRID_ADMIN).await;
    let security = user_token(&e.base, FABRIKAM, FABRIKAM_SECURITY_ADMIN).await;
    let (sp, job) = job_to(&e.base, &hybrid, CONTOSO).await;
    let job = job["id"].as_str().unwrap().to_owned();
    let app = crate::common::app_token(&e.base, FABRIKAM).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in read_paths(&sp, &job) {
        let (status, body) = call(&e.base, &hybrid, Method::GET, &path, None).await;
        assert_eq!(
            status, 200,
            "Hybrid Identity Administrator reads {path}: {body}"
        );
        let (status, body) = call(&e.base, &security, Method::GET, &path, None).await;
        assert_eq!(status, 403, "Security Administrator may not read {path}");
        assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
        let (status, _) = call(&e.base, &app, Method::GET, &path, None).await;
        assert_eq!(status, 200, "app-only reads {path}: no role");
    }
    // The service principal itself stays readable with the permission alone.
    let (status, _) = call(
        &e.base,
        &security,
        Method::GET,
        &format!("/servicePrincipals/{sp}"),
        None,
    )
    .await;
    assert_eq!(status, 200);

    // Contoso: the Helpdesk Administrator is refused, the Global Administrator reads.
    let admin = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let helpdesk = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let (sp, job) = job_to(&e.base, &admin, FABRIKAM).await;
    let job = job["id"].as_str().unwrap().to_owned();
    for path in read_paths(&sp, &job) {
        assert_eq!(
            call(&e.base, &helpdesk, Method::GET, &path, None).await.0,
            403
        );
        assert_eq!(call(&e.base, &admin, Method::GET, &path, None).await.0, 200);
    }
    // A Global Reader is not among the roles of the synchronization APIs.
    let reader = user_token(
        &e.base,
        "northwindtraders.onmicrosoft.com",
        "reader@northwindtraders.onmicrosoft.com",
    )
    .await;
    let (status, _) = call(
        &e.base,
        &reader,
        Method::GET,
        &format!("/servicePrincipals/{sp}/synchronization/jobs"),
        None,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_documented_monitor_query_filters_the_provisioning_log() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, _) = job_to(&e.base, &token, FABRIKAM).await;
    let today = e.clock.now().date();
    let from = today - time::Duration::days(3);
    let to = today + time::Duration::days(1);
    // The query of the Monitor step, with `tolower`, `or` and parentheses.
    let query = format!(
        "/auditLogs/provisioning?$filter=((contains(tolower(servicePrincipal/id), '{sp}') or contains(tolower(servicePrincipal/displayName), '{sp}')) and activityDateTime gt {from} and activityDateTime lt {to})&$top=500&$orderby=activityDateTime desc"
    );
    let (status, log) = call(&e.base, &token, Method::GET, &query, None).await;
    assert_eq!(status, 200, "{log}");
    let entries = log["value"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        61,
        "the 60 user creates and the group create of Contoso → Fabrikam"
    );
    for entry in entries {
        assert_eq!(entry["servicePrincipal"]["id"], sp.as_str());
        // `tenantId` is the target tenant, as in the documented entry (`{targetTenantId}`).
        assert_eq!(entry["tenantId"], FABRIKAM);
    }
    // Dates outside the window leave nothing.
    let (_, none) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/auditLogs/provisioning?$filter=activityDateTime lt {from}"),
        None,
    )
    .await;
    assert!(none["value"].as_array().unwrap().is_empty());
    // `or` at the top level, `eq` on the status (case-insensitive there).
    let (status, either) = call(
        &e.base,
        &token,
        Method::GET,
        "/auditLogs/provisioning?$top=1000&$filter=provisioningAction eq 'delete' or provisioningStatusInfo/status eq 'SUCCESS'",
        None,
    )
    .await;
    assert_eq!(status, 200, "{either}");
    assert!(!either["value"].as_array().unwrap().is_empty());

    // Undocumented operators and functions are refused as the reporting service does.
    for refused in [
        "activityDateTime ge 2026-01-01",
        "jobId ne 'x'",
        "startswith(jobId, 'Azure2Azure')",
        "not(jobId eq 'x')",
        "modifiedProperties/any(p:p/displayName eq 'x')",
        "(jobId eq 'x'",
    ] {
        let (status, error) = call(
            &e.base,
            &token,
            Method::GET,
            &format!("/auditLogs/provisioning?$filter={refused}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(error["error"]["code"], "BadRequest", "{refused}");
        assert_eq!(error["error"]["message"], "Invalid filter clause");
    }
}

/// `POST …/provisionOnDemand` for `user`: status, answer and headers.
async fn on_demand(
    base: &str,
    token: &str,
    path: &str,
    user: &str,
) -> (u16, Value, Option<String>) {
    let response = crate::common::http()
        .post(format!("{base}/v1.0{path}/provisionOnDemand"))
        .bearer_auth(token)
        .json(&json!({"parameters": [{"ruleId": "x", "subjects": [{"objectId": user, "objectTypeName": "User"}]}]}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("Retry-After")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, response.json().await.unwrap(), retry)
}

#[tokio::test]
async fn provision_on_demand_answers_both_documented_shapes() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (sp, job) = job_to(&e.base, &token, FABRIKAM).await;
    let path = format!(
        "/servicePrincipals/{sp}/synchronization/jobs/{}",
        job["id"].as_str().unwrap()
    );
    // A user already synced and unchanged: the reference page's Example 1.
    let (_, groups) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$filter=displayName eq 'Contoso – Group sync'",
        None,
    )
    .await;
    let group = groups["value"][0]["id"].as_str().unwrap().to_owned();
    let (_, members) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/groups/{group}/members"),
        None,
    )
    .await;
    let synced = members["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.user")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, answer, _) = on_demand(&e.base, &token, &path, &synced).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#microsoft.graph.stringKeyStringValuePair"));
    let key: Value = serde_json::from_str(answer["key"].as_str().unwrap()).unwrap();
    assert_eq!(key["result"], "Skipped");
    assert_eq!(key["details"]["errorCode"], "RedundantExport");
    let record: Value = serde_json::from_str(answer["value"].as_str().unwrap()).unwrap();
    assert_eq!(record["action"], "Other");
    assert_eq!(record["statusInfo"]["status"], "Skipped");
    assert_eq!(record["sourceIdentity"]["id"], synced.as_str());
    let last = record["provisioningSteps"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["name"], "EntrySynchronizationSkip");
    assert_eq!(last["details"]["SkipReason"], "RedundantExport");
    let read: graph::sync::KeyValue = serde_json::from_value(answer.clone()).unwrap();
    assert_eq!(
        read.on_demand_steps().unwrap().len(),
        3,
        "the dashboard reads this shape too"
    );

    // A user not synced yet, assigned now: created, in the cross-tenant article's shape.
    let (_, users) = call(&e.base, &token, Method::GET, "/users?$top=200", None).await;
    let newcomer = users["value"][150]["id"].as_str().unwrap().to_owned();
    let (_, roles) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/servicePrincipals/{sp}"),
        None,
    )
    .await;
    let (status, _) = call(
        &e.base,
        &token,
        Method::POST,
        &format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
        Some(json!({"principalId": newcomer, "resourceId": sp, "appRoleId": roles["appRoles"][0]["id"]})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, answer, _) = on_demand(&e.base, &token, &path, &newcomer).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["key"],
        "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"
    );
    let report: Value = serde_json::from_str(answer["value"].as_str().unwrap()).unwrap();
    let steps = report[0]["provisioningSteps"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["name"], "EntryExportAdd");
    assert_eq!(steps.last().unwrap()["status"], "Success");
}

#[tokio::test]
async fn provision_on_demand_is_limited_to_five_requests_per_ten_seconds() {
    let e = start().await;
    let token = user_token(&e.base, WOODGROVE, WOODGROVE_ADMIN).await;
    let (sp, job) = job_to(&e.base, &token, FABRIKAM).await;
    let path = format!(
        "/servicePrincipals/{sp}/synchronization/jobs/{}",
        job["id"].as_str().unwrap()
    );
    let (_, scope) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
        None,
    )
    .await;
    let user = scope["value"][0]["principalId"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..5 {
        let (status, answer, _) = on_demand(&e.base, &token, &path, &user).await;
        assert_eq!(status, 200, "{answer}");
        e.clock.advance(1);
    }
    let (status, error, retry) = on_demand(&e.base, &token, &path, &user).await;
    assert_eq!(status, 429);
    assert_eq!(error["error"]["code"], "TooManyRequests");
    assert_eq!(
        retry.as_deref(),
        Some("5"),
        "the first call leaves the window in 5 s"
    );
    e.clock.advance(5);
    let (status, _, _) = on_demand(&e.base, &token, &path, &user).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn service_principals_lists_every_app_of_the_tenant_in_pages() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (status, all) = call(&e.base, &token, Method::GET, "/servicePrincipals", None).await;
    assert_eq!(status, 200);
    let all = all["value"].as_array().unwrap().clone();
    let app_ids: Vec<&str> = all.iter().map(|s| s["appId"].as_str().unwrap()).collect();
    assert!(
        app_ids.contains(&"00000003-0000-0000-c000-000000000000"),
        "Microsoft Graph"
    );
    assert!(
        app_ids.contains(&emulator::scenario::DEMO_CLIENT_ID),
        "the dashboard's app"
    );
    assert_eq!(
        configurations(&e.base, &token).await.len(),
        1,
        "the filter keeps sync ones only"
    );
    let graph_sp = all
        .iter()
        .find(|s| s["displayName"] == "Microsoft Graph")
        .unwrap();
    assert_eq!(
        graph_sp["appOwnerOrganizationId"],
        "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
    );
    assert_eq!(graph_sp["servicePrincipalType"], "Application");

    // Paged with $top and @odata.nextLink, every item once.
    let mut seen = Vec::new();
    let mut next = Some(format!("{}/v1.0/servicePrincipals?$top=2", e.base));
    while let Some(url) = next {
        let page: Value = crate::common::http()
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(page["value"].as_array().unwrap().len() <= 2);
        seen.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].clone()),
        );
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), all.len());

    // Documented filters: eq on appId, startswith on displayName; Graph's own id.
    let (_, by_app) = call(
        &e.base,
        &token,
        Method::GET,
        "/servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000'",
        None,
    )
    .await;
    assert_eq!(by_app["value"].as_array().unwrap().len(), 1);
    let id = by_app["value"][0]["id"].as_str().unwrap();
    let (status, one) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/servicePrincipals/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, one["displayName"].as_str()),
        (200, Some("Microsoft Graph"))
    );
    let (_, office) = call(
        &e.base,
        &token,
        Method::GET,
        "/servicePrincipals?$filter=startswith(displayName, 'office 365') or appId eq 'none'",
        None,
    )
    .await;
    assert_eq!(office["value"].as_array().unwrap().len(), 2);

    // Example 3: $filter with $orderby needs ConsistencyLevel and $count.
    let (status, error) = call(
        &e.base,
        &token,
        Method::GET,
        "/servicePrincipals?$filter=startswith(displayName, 'a')&$orderby=displayName",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "Request_UnsupportedQuery");
    let (status, text) = crate::common::get_eventual(
        &e.base,
        &token,
        "/servicePrincipals?$filter=startswith(displayName, 'm')&$count=true&$top=1&$orderby=displayName",
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["@odata.count"], 2, "Microsoft Graph and MTO_Sync_…");
    assert_eq!(page["value"][0]["displayName"], "Microsoft Graph");
    // Example 4: $search needs the header.
    let (status, _) = call(
        &e.base,
        &token,
        Method::GET,
        "/servicePrincipals?$search=\"displayName:Graph\"",
        None,
    )
    .await;
    assert_eq!(status, 400);
    let (status, text) = crate::common::get_eventual(
        &e.base,
        &token,
        "/servicePrincipals?$search=\"displayName:Mesh\"&$count=true&$select=displayName,appId",
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let found: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        found["value"][0]["appId"],
        emulator::scenario::DEMO_CLIENT_ID
    );
    assert!(
        found["value"][0].get("id").is_none(),
        "only the selected properties"
    );
    // Example 2: $count.
    let (status, count) =
        crate::common::get_eventual(&e.base, &token, "/servicePrincipals/$count").await;
    assert_eq!((status, count), (200, all.len().to_string()));

    // Undocumented filters are refused.
    for refused in [
        "endswith(displayName, 'x')",
        "tags/any(t:t eq 'x')",
        "publisherName eq 'x'",
        "owners/$count eq 0",
    ] {
        let (status, error) = call(
            &e.base,
            &token,
            Method::GET,
            &format!("/servicePrincipals?$filter={refused}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(
            error["error"]["code"], "Request_UnsupportedQuery",
            "{refused}"
        );
    }
}
