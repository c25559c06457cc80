//! Deleted users (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/directory-deleteditems-list.md`, `directory-deleteditems-get.md`,
//! `directory-deleteditems-restore.md`, `directory-deleteditems-delete.md`): a synced user that
//! leaves the scope of cross-tenant sync is soft-deleted in the target, kept 30 days, restorable
//! and permanently deletable, with the documented permissions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, http, user_token};
use emulator::scenario::{CONTOSO, DEMO_CLIENT_ID, FABRIKAM};
use emulator::{Clock, Emulator, EmulatorState, Scenario};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const DELETED_USERS: &str = "/directory/deletedItems/microsoft.graph.user";

/// An emulator serving the demo, whose state (signing key) the test keeps.
struct Served {
    base: String,
    clock: Clock,
    state: EmulatorState,
}

async fn serve() -> Served {
    let clock = Clock::manual(time::OffsetDateTime::now_utc());
    let emulator = Emulator::new(Scenario::demo(), clock.clone())
        .unwrap()
        .with_controls();
    let state = emulator.state().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));
    Served { base, clock, state }
}

/// A delegated token signed with the emulator's key for `upn` with `scopes` and `roles`: what Entra
/// issues once an administrator consents to `User.ReadWrite.All` (the demo app is not consented
/// to it).
fn token_with(served: &Served, tenant: &str, upn: &str, scopes: &str, roles: &[&str]) -> String {
    let scenario = Scenario::demo();
    let tenant = scenario.tenant(tenant).unwrap();
    let account = tenant.accounts.iter().find(|a| a.upn == upn).unwrap();
    let now = served.clock.unix();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(served.state.0.key.kid.clone());
    let key: &EncodingKey = &served.state.0.key.encoding;
    jsonwebtoken::encode(
        &header,
        &json!({
            "aud": "https://graph.microsoft.com", "iss": format!("https://sts.windows.net/{}/", tenant.id),
            "iat": now, "nbf": now, "exp": now + 3599, "tid": tenant.id, "oid": account.object_id,
            "sub": account.object_id, "upn": account.upn, "appid": DEMO_CLIENT_ID, "idtyp": "user",
            "ver": "1.0", "scp": scopes, "wids": roles,
        }),
        key,
    )
    .unwrap()
}

/// Contoso → Fabrikam's service principal and its group assignment (the whole scope).
async fn contoso_scope(served: &Served, token: &str) -> (String, Value) {
    let (_, sps) = call(
        &served.base,
        token,
        Method::GET,
        &format!("/servicePrincipals?$filter=displayName eq 'MTO_Sync_{FABRIKAM}'"),
        None,
    )
    .await;
    let sp = sps["value"][0]["id"].as_str().unwrap().to_owned();
    let (_, scope) = call(
        &served.base,
        token,
        Method::GET,
        &format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
        None,
    )
    .await;
    (sp, scope["value"][0].clone())
}

/// Takes Contoso's group out of the scope and lets the next cycle run: Fabrikam's 60 copies go.
async fn leave_scope(served: &Served) -> (String, Value) {
    let contoso = user_token(&served.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (sp, assignment) = contoso_scope(served, &contoso).await;
    let (status, _) = call(
        &served.base,
        &contoso,
        Method::DELETE,
        &format!(
            "/servicePrincipals/{sp}/appRoleAssignedTo/{}",
            assignment["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(status, 204);
    served.clock.advance(40 * 60);
    (sp, assignment)
}

async fn synced_users(served: &Served, token: &str) -> Vec<Value> {
    let (status, users) = call(
        &served.base,
        token,
        Method::GET,
        "/users?$top=999&$select=id,userPrincipalName",
        None,
    )
    .await;
    assert_eq!(status, 200, "{users}");
    // Contoso's users in Fabrikam are the copies cross-tenant sync made (`…_contoso…#EXT#@…`).
    users["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| {
            let upn = u["userPrincipalName"].as_str().unwrap();
            upn.contains("contoso") && upn.contains("#EXT#")
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn users_leaving_the_sync_scope_are_kept_thirty_days_in_deleted_items() {
    let served = serve().await;
    let fabrikam = user_token(&served.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let before = synced_users(&served, &fabrikam).await;
    assert_eq!(before.len(), 60);
    let (status, empty) = call(&served.base, &fabrikam, Method::GET, DELETED_USERS, None).await;
    assert_eq!(status, 200, "{empty}");
    assert!(empty["value"].as_array().unwrap().is_empty());

    leave_scope(&served).await;
    assert!(synced_users(&served, &fabrikam).await.is_empty());
    let (status, deleted) = call(
        &served.base,
        &fabrikam,
        Method::GET,
        &format!("{DELETED_USERS}?$top=50"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#users"));
    let page = deleted["value"].as_array().unwrap();
    assert_eq!(page.len(), 50);
    assert!(page[0]["deletedDateTime"].is_string());
    assert_eq!(page[0]["@odata.type"], "#microsoft.graph.user");
    let next = deleted["@odata.nextLink"].as_str().unwrap();
    let rest: Value = http()
        .get(next)
        .bearer_auth(&fabrikam)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["value"].as_array().unwrap().len(), 10);

    // One item, by id; an unknown id is 404.
    let id = page[0]["id"].as_str().unwrap();
    let (status, one) = call(
        &served.base,
        &fabrikam,
        Method::GET,
        &format!("/directory/deletedItems/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["id"], id);
    assert!(one["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#directoryObjects/$entity"));
    let (status, error) = call(
        &served.base,
        &fabrikam,
        Method::GET,
        "/directory/deletedItems/8d3b2e6a-0000-4000-8000-000000000000",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "Request_ResourceNotFound");
    // Other casts list nothing (no deleted groups, applications, … in the emulator).
    let (status, groups) = call(
        &served.base,
        &fabrikam,
        Method::GET,
        "/directory/deletedItems/microsoft.graph.group",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(groups["value"].as_array().unwrap().is_empty());

    // After 30 days they are gone for good.
    served.clock.advance(30 * 24 * 3600);
    let fabrikam = user_token(&served.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (_, later) = call(&served.base, &fabrikam, Method::GET, DELETED_USERS, None).await;
    assert!(later["value"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_deleted_user_is_restored_or_permanently_deleted_with_the_documented_permissions() {
    let served = serve().await;
    let fabrikam = user_token(&served.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    leave_scope(&served).await;
    let (_, deleted) = call(&served.base, &fabrikam, Method::GET, DELETED_USERS, None).await;
    let ids: Vec<String> = deleted["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    let restore = |id: &str| format!("/directory/deletedItems/{id}/restore");

    // The demo app is consented User.Read.All only: restoring needs User.ReadWrite.All.
    let (status, error) = call(
        &served.base,
        &fabrikam,
        Method::POST,
        &restore(&ids[0]),
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(error["error"]["code"], "Authorization_RequestDenied");

    let writer = token_with(
        &served,
        FABRIKAM,
        "admin@fabrikam.onmicrosoft.com",
        "User.Read.All User.ReadWrite.All",
        &["194ae4cb-b126-40b2-bd5b-6091b380977d"],
    );
    let (status, restored) =
        call(&served.base, &writer, Method::POST, &restore(&ids[0]), None).await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["@odata.type"], "#microsoft.graph.user");
    assert_eq!(restored["id"], ids[0].as_str());
    assert!(restored["deletedDateTime"].is_null());
    let (status, back) = call(
        &served.base,
        &fabrikam,
        Method::GET,
        &format!("/users/{}", ids[0]),
        None,
    )
    .await;
    assert_eq!(status, 200, "{back}");
    let (status, _) = call(&served.base, &writer, Method::POST, &restore(&ids[0]), None).await;
    assert_eq!(status, 404, "no longer among the deleted items");

    // Permanently deleting: delegated, by a Global or User Administrator.
    let purge = format!("/directory/deletedItems/{}", ids[1]);
    let (status, _) = call(&served.base, &writer, Method::DELETE, &purge, None).await;
    assert_eq!(status, 403, "a Security Administrator may not");
    let global = token_with(
        &served,
        FABRIKAM,
        "admin@fabrikam.onmicrosoft.com",
        "User.ReadWrite.All",
        &[GLOBAL_ADMINISTRATOR],
    );
    let (status, body) = call(&served.base, &global, Method::DELETE, &purge, None).await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, _) = call(&served.base, &global, Method::GET, &purge, None).await;
    assert_eq!(status, 404, "gone for good");
}

#[tokio::test]
async fn a_user_back_in_scope_is_restored_from_the_deleted_items() {
    let served = serve().await;
    let fabrikam = user_token(&served.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let before: Vec<Value> = synced_users(&served, &fabrikam).await;
    let (sp, assignment) = leave_scope(&served).await;
    let contoso = user_token(&served.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, _) = call(
        &served.base,
        &contoso,
        Method::POST,
        &format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
        Some(json!({
            "principalId": assignment["principalId"], "resourceId": sp,
            "appRoleId": assignment["appRoleId"],
        })),
    )
    .await;
    assert_eq!(status, 201);
    served.clock.advance(40 * 60);
    let fabrikam = user_token(&served.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let contoso = user_token(&served.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let after = synced_users(&served, &fabrikam).await;
    let ids = |users: &[Value]| {
        let mut ids: Vec<String> = users
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&after), ids(&before), "the same objects, restored");
    let (_, deleted) = call(&served.base, &fabrikam, Method::GET, DELETED_USERS, None).await;
    assert!(deleted["value"].as_array().unwrap().is_empty());
    let (_, log) = call(
        &served.base,
        &contoso,
        Method::GET,
        "/auditLogs/provisioning?$top=1&$filter=provisioningAction eq 'update'",
        None,
    )
    .await;
    assert!(log["value"][0]["modifiedProperties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["displayName"] == "IsSoftDeleted" && p["newValue"] == "False"));
}

#[tokio::test]
async fn app_only_callers_cannot_permanently_delete_users() {
    let served = serve().await;
    leave_scope(&served).await;
    let app = crate::common::app_token(&served.base, FABRIKAM).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, deleted) = call(&served.base, &app, Method::GET, DELETED_USERS, None).await;
    assert_eq!(status, 200, "User.Read.All (application) lists them");
    let id = deleted["value"][0]["id"].as_str().unwrap();
    let (status, _) = call(
        &served.base,
        &app,
        Method::DELETE,
        &format!("/directory/deletedItems/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 403, "the delete page: Application — Not supported");
}
