//! The tenant and its audit log: `/organization`, `/domains`, `/subscribedSkus` and
//! `/auditLogs/directoryAudits` (microsoftgraph/microsoft-graph-docs-contrib
//! `api-reference/v1.0/api/organization-get.md`, `…/domain-get.md`, `…/subscribedsku-list.md`,
//! `…/directoryaudit-list.md`; categories and activities of MicrosoftDocs/entra-docs
//! `docs/identity/monitoring-health/reference-audit-activities.md`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{app_token, call, http, start, user_token};
use emulator::scenario::{CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN};
use reqwest::Method;
use serde_json::{json, Value};

const AUDITS: &str = "/auditLogs/directoryAudits";

async fn app(base: &str, tenant: &str) -> String {
    app_token(base, tenant).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_organization_is_the_signed_in_tenant() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let (status, list) = call(&e.base, &token, Method::GET, "/organization", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        list["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#organization"
    );
    let org = &list["value"][0];
    assert_eq!(org["id"], CONTOSO);
    assert_eq!(org["displayName"], "Contoso");
    assert_eq!(org["tenantType"], "AAD");
    assert_eq!(org["verifiedDomains"][0]["name"], "contoso.onmicrosoft.com");
    assert_eq!(org["verifiedDomains"][0]["isInitial"], true);
    assert_eq!(org["verifiedDomains"][1]["isDefault"], false);
    assert!(org["assignedPlans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["servicePlanId"] == "41781fb2-bc02-4b7c-bd55-b576c07bb09d"));

    let (status, one) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/organization/{CONTOSO}?$select=id,displayName"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        one["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#organization/$entity"
    );
    assert_eq!(one.as_object().unwrap().len(), 3, "{one}");
    let (status, other) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/organization/{FABRIKAM}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(other["error"]["code"], "Request_ResourceNotFound");
    let (status, bad) = call(
        &e.base,
        &token,
        Method::GET,
        "/organization?$select=nope",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["code"], "BadRequest");
}

#[tokio::test]
async fn domains_list_for_members_and_get_needs_a_listed_role() {
    let e = start().await;
    let ops = user_token(&e.base, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let (status, list) = call(&e.base, &ops, Method::GET, "/domains", None).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["fabrikam.onmicrosoft.com", "fabrikam.com"]);
    // Hybrid Identity Administrator is not among the roles of `domain-get.md`.
    let (status, _) = call(&e.base, &ops, Method::GET, "/domains/fabrikam.com", None).await;
    assert_eq!(status, 403);
    let admin = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (status, domain) = call(
        &e.base,
        &admin,
        Method::GET,
        "/domains/Fabrikam.onmicrosoft.com",
        None,
    )
    .await;
    assert_eq!(status, 200);
    for (key, expected) in [
        ("authenticationType", json!("Managed")),
        ("isDefault", json!(true)),
        ("isInitial", json!(true)),
        ("isVerified", json!(true)),
        ("availabilityStatus", Value::Null),
        ("state", Value::Null),
    ] {
        assert_eq!(domain[key], expected, "{key}");
    }
    let (status, missing) = call(&e.base, &admin, Method::GET, "/domains/contoso.com", None).await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"]["code"], "Request_ResourceNotFound");
}

#[tokio::test]
async fn subscribed_skus_follow_the_demo_licences_and_roles() {
    let e = start().await;
    let contoso = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, skus) = call(&e.base, &contoso, Method::GET, "/subscribedSkus", None).await;
    assert_eq!(status, 200);
    let parts: Vec<&str> = skus["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["skuPartNumber"].as_str().unwrap())
        .collect();
    assert_eq!(parts, ["AAD_PREMIUM", "Microsoft_Entra_ID_Governance"]);
    let p1 = &skus["value"][0];
    assert_eq!(p1["skuId"], "078d2b04-f1bd-4111-bbd4-b4b1b354cef4");
    assert_eq!(
        p1["id"],
        format!("{CONTOSO}_078d2b04-f1bd-4111-bbd4-b4b1b354cef4")
    );
    assert_eq!(p1["capabilityStatus"], "Enabled");
    assert!(
        p1["prepaidUnits"]["enabled"].as_i64().unwrap() >= p1["consumedUnits"].as_i64().unwrap()
    );

    let tailspin = user_token(&e.base, TAILSPIN, "admin@tailspintoys.onmicrosoft.com").await;
    let (_, none) = call(&e.base, &tailspin, Method::GET, "/subscribedSkus", None).await;
    assert_eq!(none["value"], json!([]));

    let reader = user_token(
        &e.base,
        NORTHWIND,
        "reader@northwindtraders.onmicrosoft.com",
    )
    .await;
    let (status, _) = call(&e.base, &reader, Method::GET, "/subscribedSkus", None).await;
    assert_eq!(status, 200);
    let helpdesk = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let (status, _) = call(&e.base, &helpdesk, Method::GET, "/subscribedSkus", None).await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &e.base,
        &app(&e.base, FABRIKAM).await,
        Method::GET,
        "/subscribedSkus?$select=skuPartNumber",
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn policy_and_mto_writes_are_audited_newest_first() {
    let e = start().await;
    let admin = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &admin,
        Method::POST,
        "/policies/crossTenantAccessPolicy/partners",
        Some(json!({"tenantId": TAILSPIN})),
    )
    .await;
    assert_eq!(status, 201);
    // A refused write (duplicate) is not audited.
    let (status, _) = call(
        &e.base,
        &admin,
        Method::POST,
        "/policies/crossTenantAccessPolicy/partners",
        Some(json!({"tenantId": TAILSPIN})),
    )
    .await;
    assert_eq!(status, 409);
    e.clock.advance(60);
    let (status, _) = call(
        &e.base,
        &admin,
        Method::PATCH,
        "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization",
        Some(json!({"userSyncInbound": {"isSyncAllowed": true}})),
    )
    .await;
    assert_eq!(status, 204);

    let (status, log) = call(&e.base, &admin, Method::GET, AUDITS, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        log["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits"
    );
    let entries = log["value"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    let (newest, oldest) = (&entries[0], &entries[1]);
    assert_eq!(newest["category"], "MultiTenantOrgIdentitySyncPolicyUpdate");
    assert_eq!(
        newest["activityDisplayName"],
        "Update a multi tenant org identity sync policy template"
    );
    assert_eq!(oldest["category"], "CrossTenantAccessSettings");
    assert_eq!(
        oldest["activityDisplayName"],
        "Add a partner to cross-tenant access setting"
    );
    assert_eq!(oldest["loggedByService"], "Core Directory");
    assert_eq!(oldest["result"], "success");
    assert_eq!(oldest["operationType"], "Add");
    assert_eq!(oldest["targetResources"][0]["id"], TAILSPIN);
    assert_eq!(oldest["targetResources"][0]["type"], "Policy");
    assert_eq!(
        oldest["initiatedBy"]["user"]["userPrincipalName"],
        "admin@fabrikam.onmicrosoft.com"
    );
    assert!(oldest["initiatedBy"]["app"].is_null());
    let user_id = oldest["initiatedBy"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let filtered = |filter: String| {
        let base = e.base.clone();
        let admin = admin.clone();
        async move {
            let response = http()
                .get(format!("{base}/v1.0{AUDITS}"))
                .query(&[("$filter", filter.as_str())])
                .bearer_auth(&admin)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (_, by_category) = filtered("category eq 'CrossTenantAccessSettings'".into()).await;
    assert_eq!(by_category["value"].as_array().unwrap().len(), 1);
    let (_, by_user) = filtered(format!("initiatedBy/user/id eq '{user_id}'")).await;
    assert_eq!(by_user["value"].as_array().unwrap().len(), 2);
    let since = newest["activityDateTime"].as_str().unwrap().to_owned();
    let (_, recent) = filtered(format!("activityDateTime ge {since}")).await;
    assert_eq!(recent["value"].as_array().unwrap().len(), 1);
    let (_, by_target) = filtered(format!("targetResources/any(t:t/id eq '{TAILSPIN}')")).await;
    assert_eq!(by_target["value"].as_array().unwrap().len(), 1);
    let (status, refused) = filtered("category ne 'x'".into()).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["code"], "Request_UnsupportedQuery");

    // Paging: one per page, an opaque next link.
    let (_, first) = call(
        &e.base,
        &admin,
        Method::GET,
        &format!("{AUDITS}?$top=1"),
        None,
    )
    .await;
    let next = first["@odata.nextLink"].as_str().unwrap().to_owned();
    let (_, second) = call(
        &e.base,
        &admin,
        Method::GET,
        next.split("/v1.0").nth(1).unwrap(),
        None,
    )
    .await;
    assert_eq!(second["value"][0]["id"], oldest["id"]);
    assert!(second.get("@odata.nextLink").is_none());

    // One entry by id.
    let (status, one) = call(
        &e.base,
        &admin,
        Method::GET,
        &format!("{AUDITS}/{}", oldest["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["activityDisplayName"], oldest["activityDisplayName"]);

    // Each tenant has its own log.
    let contoso = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (_, other) = call(&e.base, &contoso, Method::GET, AUDITS, None).await;
    assert_eq!(other["value"], json!([]));
}

#[tokio::test]
async fn app_writes_name_the_app_and_readers_need_a_role() {
    let e = start().await;
    let token = app(&e.base, CONTOSO).await;
    let (status, _) = call(
        &e.base,
        &token,
        Method::PATCH,
        &format!("/tenantRelationships/multiTenantOrganization/tenants/{NORTHWIND}"),
        Some(json!({"role": "owner"})),
    )
    .await;
    assert!(status < 300, "{status}");
    let (status, log) = call(&e.base, &token, Method::GET, AUDITS, None).await;
    assert_eq!(status, 200);
    let entry = &log["value"][0];
    assert_eq!(entry["category"], "MultiTenantOrgTenant");
    assert_eq!(entry["activityDisplayName"], "Update MultiTenantOrg tenant");
    assert_eq!(entry["targetResources"][0]["id"], NORTHWIND);
    assert_eq!(entry["targetResources"][0]["type"], "Directory");
    assert!(entry["initiatedBy"]["user"].is_null());
    assert_eq!(
        entry["initiatedBy"]["app"]["appId"],
        emulator::scenario::DEMO_CLIENT_ID
    );
    assert_eq!(
        entry["targetResources"][0]["modifiedProperties"][0],
        json!({"displayName": "role", "oldValue": null, "newValue": "\"owner\""})
    );

    let helpdesk = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let (status, body) = call(&e.base, &helpdesk, Method::GET, AUDITS, None).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
}

#[tokio::test]
async fn sync_configuration_writes_are_provisioning_management_entries() {
    let e = start().await;
    let ops = user_token(&e.base, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let (status, created) = call(
        &e.base,
        &ops,
        Method::POST,
        "/applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate",
        Some(json!({"displayName": "MTO_Sync_test"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let sp = created["servicePrincipal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = call(
        &e.base,
        &ops,
        Method::POST,
        &format!("/servicePrincipals/{sp}/synchronization/jobs"),
        Some(json!({"templateId": "Azure2Azure"})),
    )
    .await;
    assert_eq!(status, 201);
    let admin = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (_, log) = call(&e.base, &admin, Method::GET, AUDITS, None).await;
    let newest = &log["value"][0];
    assert_eq!(newest["category"], "ProvisioningManagement");
    assert_eq!(
        newest["activityDisplayName"],
        "Add provisioning configuration"
    );
    assert_eq!(newest["loggedByService"], "Account Provisioning");
    assert_eq!(newest["targetResources"][0]["id"], sp.as_str());
    assert_eq!(log["value"][1]["category"], "ApplicationManagement");
    assert_eq!(
        log["value"][1]["targetResources"][0]["displayName"],
        "MTO_Sync_test"
    );
}
