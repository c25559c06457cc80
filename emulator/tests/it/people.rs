//! What a diagnosis of one person reads (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/user-list-memberof.md`, `…/user-list-transitivememberof.md`,
//! `…/group-list-members.md`, `…/authentication-list-phonemethods.md`, `…/orgcontact-list.md`,
//! `…/directory-deleteditems-list.md`, `…/user-get.md`, `…/provisioningobjectsummary-list.md`),
//! against the demo's named people: shapes, filters, casts and permissions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{app_token, call, start, user_token};
use emulator::demo_people::{
    ASSIGNED_GROUP, CONTACT, NESTED_GROUP, NESTED_IN, NEW, SMS_PHONE, SMS_SIGN_IN, SOFT_DELETED,
};
use emulator::scenario::{CONTOSO, FABRIKAM};
use reqwest::Method;
use serde_json::Value;

async fn app(base: &str, tenant: &str) -> String {
    app_token(base, tenant).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn names(list: &Value) -> Vec<String> {
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn memberships_cast_to_groups_tell_direct_from_nested() {
    let e = start().await;
    let token = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let nadia = NESTED_GROUP.id();
    let (status, direct) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/users/{nadia}/memberOf/microsoft.graph.group?$select=id,displayName"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{direct}");
    assert_eq!(names(&direct), [NESTED_IN]);
    assert_eq!(direct["value"][0]["@odata.type"], "#microsoft.graph.group");
    assert_eq!(
        direct["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName)"
    );
    let (_, all) = call(
        &e.base,
        &token,
        Method::GET,
        &format!(
            "/users/{}/transitiveMemberOf/microsoft.graph.group",
            NESTED_GROUP.upn()
        ),
        None,
    )
    .await;
    assert_eq!(names(&all), [NESTED_IN, ASSIGNED_GROUP]);
    let engineering = all["value"][1]["id"].as_str().unwrap().to_owned();
    let (status, nested) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/groups/{engineering}/members/microsoft.graph.group"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{nested}");
    assert_eq!(names(&nested), [NESTED_IN]);
    let (status, missing) = call(
        &e.base,
        &token,
        Method::GET,
        "/users/00000000-0000-0000-0000-00000000abcd/memberOf/microsoft.graph.group",
        None,
    )
    .await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["error"]["code"], "Request_ResourceNotFound");
    let (status, refused) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/users/{nadia}/memberOf/microsoft.graph.administrativeUnit"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{refused}");
}

#[tokio::test]
async fn phone_methods_need_an_authentication_role_to_read_someone_else() {
    let e = start().await;
    let sven = SMS_SIGN_IN.id();
    let path = format!("/users/{sven}/authentication/phoneMethods");
    let (status, phones) = call(
        &e.base,
        &app(&e.base, FABRIKAM).await,
        Method::GET,
        &path,
        None,
    )
    .await;
    assert_eq!(status, 200, "{phones}");
    assert_eq!(phones["value"][0]["smsSignInState"], "ready");
    assert_eq!(phones["value"][0]["phoneType"], "mobile");
    assert_eq!(phones["value"][0]["phoneNumber"], SMS_PHONE);
    assert_eq!(
        phones["value"][0]["id"],
        "3179e48a-750b-4051-897c-87b9720928f7"
    );
    // A Hybrid Identity Administrator may not read another user's methods.
    let operator = user_token(&e.base, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let (status, refused) = call(&e.base, &operator, Method::GET, &path, None).await;
    assert_eq!(status, 403, "{refused}");
    // Their own, they may.
    let (status, own) = call(
        &e.base,
        &operator,
        Method::GET,
        "/users/ops@fabrikam.onmicrosoft.com/authentication/phoneMethods",
        None,
    )
    .await;
    assert_eq!(status, 200, "{own}");
    assert_eq!(own["value"], Value::Array(vec![]));
}

#[tokio::test]
async fn contacts_are_found_by_mail() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let (status, found) = call(
        &e.base,
        &token,
        Method::GET,
        &format!(
            "/contacts?$filter=mail eq '{}'&$select=id,displayName,mail",
            CONTACT.upn()
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        found["value"][0]["displayName"],
        "Hana Kobayashi (Fabrikam)"
    );
    assert!(
        found["value"][0].get("companyName").is_none(),
        "only what was selected"
    );
    let id = found["value"][0]["id"].as_str().unwrap().to_owned();
    let (status, one) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/contacts/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["mail"], CONTACT.upn());
    let (status, refused) = call(
        &e.base,
        &token,
        Method::GET,
        "/contacts?$filter=userType eq 'Member'",
        None,
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "Request_UnsupportedQuery");
    let (status, _) = call(&e.base, &token, Method::GET, "/contacts/nope", None).await;
    assert_eq!(status, 404);
    let (_, none) = call(
        &e.base,
        &token,
        Method::GET,
        "/contacts?$filter=mail eq 'nobody@x.com'",
        None,
    )
    .await;
    assert_eq!(none["value"], Value::Array(vec![]));
}

#[tokio::test]
async fn deleted_users_are_filtered_and_selected_like_users() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, found) = call(
        &e.base,
        &token,
        Method::GET,
        &format!(
            "/directory/deletedItems/microsoft.graph.user?$filter=mail eq '{}'&$select=id,mail,userType,deletedDateTime",
            SOFT_DELETED.upn()
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let item = &found["value"][0];
    assert_eq!(item["mail"], SOFT_DELETED.upn());
    assert_eq!(item["userType"], "Member");
    assert!(item["deletedDateTime"].is_string());
    assert!(item.get("displayName").is_none(), "only what was selected");
    assert_eq!(found["value"].as_array().unwrap().len(), 1);
    let (status, refused) = call(
        &e.base,
        &token,
        Method::GET,
        "/directory/deletedItems/microsoft.graph.user?$filter=mail ne 'x'",
        None,
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    let (status, _) = call(
        &e.base,
        &token,
        Method::GET,
        "/directory/deletedItems/microsoft.graph.user?$select=favouriteColour",
        None,
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn created_date_time_and_the_provisioning_log_by_source_user() {
    let e = start().await;
    let contoso = app(&e.base, CONTOSO).await;
    let (status, found) = call(
        &e.base,
        &contoso,
        Method::GET,
        &format!(
            "/users?$filter=mail eq '{}'&$select=id,userType,createdDateTime",
            NEW.upn()
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let created = found["value"][0]["createdDateTime"].as_str().unwrap();
    let created =
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp();
    let age = e.clock.unix() - created;
    assert!((3590..3700).contains(&age), "created an hour ago: {age} s");

    let fabrikam = app(&e.base, FABRIKAM).await;
    let (status, log) = call(
        &e.base,
        &fabrikam,
        Method::GET,
        &format!(
            "/auditLogs/provisioning?$filter=sourceIdentity/id eq '{}'&$top=5",
            SMS_SIGN_IN.id()
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    let newest = &log["value"][0];
    assert_eq!(newest["provisioningStatusInfo"]["status"], "skipped");
    assert_eq!(newest["provisioningAction"], "other");
    assert!(
        newest["provisioningSteps"][1]["details"]["ScopeEvaluationResult"]
            .as_str()
            .unwrap()
            .contains("Filter external users.alternativeSecurityIds EQUALS 'None'")
    );
}
