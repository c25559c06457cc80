//! Groups: `GET /groups` (paging, `$filter`, `$select`, `$count`), `/groups/{id}`,
//! `/groups/{id}/members` (direct members typed as users and groups) and `…/members/$count`, with
//! the permissions Microsoft's pages list and the limited information for unreadable members.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{app_token, call, get_eventual, start, user_token, user_token_for};
use emulator::groups_state::{CONTOSO_FINANCE, CONTOSO_GROUP_SYNC};
use emulator::scenario::{CONTOSO, FABRIKAM};
use reqwest::Method;
use serde_json::Value;

const CONTOSO_ADMIN: &str = "admin@contoso.onmicrosoft.com";

fn values(body: &Value) -> &Vec<Value> {
    body["value"].as_array().unwrap()
}

/// The id of the Contoso group named `name`.
async fn group_id(base: &str, token: &str, name: &str) -> String {
    let (status, body) = call(
        base,
        token,
        Method::GET,
        &format!("/groups?$filter=displayName eq '{name}'&$select=id"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    values(&body)[0]["id"].as_str().unwrap().to_owned()
}

/// Follows `@odata.nextLink`s from `path`; every value and the number of pages.
async fn all_pages(base: &str, token: &str, path: &str) -> (Vec<Value>, usize) {
    let (status, mut page) = call(base, token, Method::GET, path, None).await;
    assert_eq!(status, 200, "{page}");
    let mut all = values(&page).clone();
    let mut pages = 1;
    while let Some(next) = page["@odata.nextLink"].as_str() {
        page = crate::common::http()
            .get(next)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        all.extend(values(&page).iter().cloned());
        pages += 1;
    }
    (all, pages)
}

#[tokio::test]
async fn groups_are_security_groups_listed_page_by_page() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (status, list) = call(&e.base, &token, Method::GET, "/groups", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#groups"
    );
    let groups = values(&list);
    // Contoso's three, and the three of Fabrikam's that Fabrikam → Contoso created (left behind
    // since Contoso switched inbound group sync off).
    assert_eq!(groups.len(), 6);
    for group in groups {
        assert_eq!(group["securityEnabled"], true, "{group}");
        assert_eq!(group["mailEnabled"], false);
        assert_eq!(group["groupTypes"], serde_json::json!([]));
        assert!(group["createdDateTime"].as_str().unwrap().ends_with('Z'));
        assert!(group["securityIdentifier"]
            .as_str()
            .unwrap()
            .starts_with("S-1-12-1-"));
        assert!(group.get("mailNickname").is_some());
    }
    let names: Vec<&str> = groups
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&CONTOSO_GROUP_SYNC));

    let (paged, pages) = all_pages(&e.base, &token, "/groups?$top=1&$select=id,displayName").await;
    assert_eq!(pages, 6);
    let mut ids: Vec<&str> = paged.iter().map(|g| g["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "each group once");
    assert!(paged.iter().all(|g| g.as_object().unwrap().len() == 2));

    // Another tenant sees its own groups only: Fabrikam's, and the copy Contoso → Fabrikam made
    // of Contoso's group (an object of Fabrikam, with an id of its own).
    let fabrikam = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (_, theirs) = call(&e.base, &fabrikam, Method::GET, "/groups", None).await;
    let theirs = values(&theirs);
    assert!(theirs.iter().all(|g| {
        let name = g["displayName"].as_str().unwrap();
        name.starts_with("Fabrikam") || name == CONTOSO_GROUP_SYNC
    }));
    assert!(theirs
        .iter()
        .all(|g| !ids.contains(&g["id"].as_str().unwrap())));
}

#[tokio::test]
async fn group_filters_are_display_name_equality_and_prefix_only() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (status, exact) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$filter=displayName eq 'contoso – group SYNC'",
        None,
    )
    .await;
    assert_eq!(status, 200, "{exact}");
    assert_eq!(values(&exact).len(), 1, "case-insensitive");
    assert_eq!(values(&exact)[0]["displayName"], CONTOSO_GROUP_SYNC);
    let (_, prefix) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$filter=startswith(displayName,'Contoso – F')",
        None,
    )
    .await;
    assert_eq!(values(&prefix).len(), 1);
    assert_eq!(values(&prefix)[0]["displayName"], CONTOSO_FINANCE);

    for refused in [
        "mailEnabled eq false",
        "displayName ne 'x'",
        "endswith(displayName,'sync')",
    ] {
        let (status, error) = call(
            &e.base,
            &token,
            Method::GET,
            &format!("/groups?$filter={refused}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(error["error"]["code"], "Request_UnsupportedQuery");
        assert!(error["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("of resource 'Group'."));
    }
    let (status, error) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$search=\"displayName:sync\"",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "Request_UnsupportedQuery");
}

#[tokio::test]
async fn counting_groups_and_members_needs_the_consistency_level_header() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    assert_eq!(
        get_eventual(&e.base, &token, "/groups/$count").await,
        (200, "6".to_owned()),
        "three of Contoso's, three left behind by Fabrikam → Contoso"
    );
    let (status, counted) = get_eventual(
        &e.base,
        &token,
        "/groups?$count=true&$top=1&$filter=startswith(displayName,'Contoso')",
    )
    .await;
    assert_eq!(status, 200);
    let counted: Value = serde_json::from_str(&counted).unwrap();
    assert_eq!(counted["@odata.count"], 3);
    let (_, uncounted) = call(&e.base, &token, Method::GET, "/groups?$count=true", None).await;
    assert!(
        uncounted.get("@odata.count").is_none(),
        "ignored without the header"
    );

    let sync = group_id(&e.base, &token, CONTOSO_GROUP_SYNC).await;
    assert_eq!(
        get_eventual(&e.base, &token, &format!("/groups/{sync}/members/$count")).await,
        (200, "61".to_owned()),
        "60 users and the nested group"
    );
    for path in [
        "/groups/$count".to_owned(),
        format!("/groups/{sync}/members/$count"),
    ] {
        let (status, error) = call(&e.base, &token, Method::GET, &path, None).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(error["error"]["code"], "Request_BadRequest");
        assert_eq!(
            error["error"]["message"],
            "$count is not currently supported."
        );
    }
}

#[tokio::test]
async fn a_group_is_read_by_id_and_an_unknown_id_is_not_found() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let id = group_id(&e.base, &token, CONTOSO_GROUP_SYNC).await;
    let (status, group) = call(&e.base, &token, Method::GET, &format!("/groups/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        group["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#groups/$entity"
    );
    assert_eq!(group["id"], id.as_str());
    assert_eq!(group["displayName"], CONTOSO_GROUP_SYNC);
    assert_eq!(group["renewedDateTime"], group["createdDateTime"]);
    let (_, selected) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/groups/{id}?$select=description"),
        None,
    )
    .await;
    assert!(selected["description"].is_string());
    assert!(selected.get("displayName").is_none());

    let missing = "00000000-0000-4000-8000-000000000000";
    for path in [
        format!("/groups/{missing}"),
        format!("/groups/{missing}/members"),
    ] {
        let (status, error) = call(&e.base, &token, Method::GET, &path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(error["error"]["code"], "Request_ResourceNotFound");
        assert_eq!(
            error["error"]["message"],
            format!("Resource '{missing}' does not exist or one of its queried reference-property objects are not present.")
        );
    }
    // Contoso's group is not found from Fabrikam.
    let fabrikam = user_token(&e.base, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (status, _) = call(
        &e.base,
        &fabrikam,
        Method::GET,
        &format!("/groups/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn members_are_direct_users_and_groups_typed_as_directory_objects() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let sync = group_id(&e.base, &token, CONTOSO_GROUP_SYNC).await;
    let path = format!("/groups/{sync}/members?$top=25");
    let (first_status, first) = call(&e.base, &token, Method::GET, &path, None).await;
    assert_eq!(first_status, 200, "{first}");
    assert_eq!(
        first["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#directoryObjects"
    );
    let (members, pages) = all_pages(&e.base, &token, &path).await;
    assert_eq!(members.len(), 61);
    assert_eq!(pages, 3);
    let of_type = |kind: &str| {
        members
            .iter()
            .filter(|m| m["@odata.type"] == kind)
            .cloned()
            .collect::<Vec<_>>()
    };
    let users = of_type("#microsoft.graph.user");
    let groups = of_type("#microsoft.graph.group");
    assert_eq!(users.len(), 60);
    assert!(users[0]["userPrincipalName"]
        .as_str()
        .unwrap()
        .ends_with("@contoso.com"));
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["displayName"], CONTOSO_FINANCE);
    assert_eq!(groups[0]["securityEnabled"], true);

    // Not transitive: Finance's members are listed under Finance only.
    let finance = groups[0]["id"].as_str().unwrap();
    let (_, nested) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/groups/{finance}/members?$select=id"),
        None,
    )
    .await;
    let nested_ids: Vec<&Value> = values(&nested).iter().map(|m| &m["id"]).collect();
    assert_eq!(nested_ids.len(), 8);
    assert!(users.iter().all(|u| !nested_ids.contains(&&u["id"])));
    assert!(
        values(&nested)
            .iter()
            .all(|m| m.as_object().unwrap().len() == 2),
        "id and @odata.type"
    );

    let (_, counted) = get_eventual(
        &e.base,
        &token,
        &format!("/groups/{sync}/members?$count=true&$top=5"),
    )
    .await;
    let counted: Value = serde_json::from_str(&counted).unwrap();
    assert_eq!(counted["@odata.count"], 61);
    let (status, error) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/groups/{sync}/members?$filter=displayName eq 'x'"),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "Request_UnsupportedQuery");
}

#[tokio::test]
async fn permissions_are_checked_and_unreadable_members_are_limited() {
    let e = start().await;
    let admin = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let sync = group_id(&e.base, &admin, CONTOSO_GROUP_SYNC).await;
    let paths = [
        "/groups".to_owned(),
        "/groups/$count".to_owned(),
        format!("/groups/{sync}"),
        format!("/groups/{sync}/members"),
        format!("/groups/{sync}/members/$count"),
    ];

    // Users only: every groups endpoint refused.
    let users_only = user_token_for(
        &e.base,
        CONTOSO,
        CONTOSO_ADMIN,
        "openid https://graph.microsoft.com/User.Read.All",
    )
    .await;
    for path in &paths {
        let (status, error) = get_eventual(&e.base, &users_only, path).await;
        assert_eq!(status, 403, "{path}");
        let error: Value = serde_json::from_str(&error).unwrap();
        assert_eq!(error["error"]["code"], "Authorization_RequestDenied");
    }

    // GroupMember.Read.All, the least privileged: everything readable, but user members come back
    // with their id and type only (the caller may not read users).
    let members_only = user_token_for(
        &e.base,
        CONTOSO,
        CONTOSO_ADMIN,
        "openid https://graph.microsoft.com/GroupMember.Read.All",
    )
    .await;
    for path in &paths {
        assert_eq!(
            get_eventual(&e.base, &members_only, path).await.0,
            200,
            "{path}"
        );
    }
    let (_, members) = call(
        &e.base,
        &members_only,
        Method::GET,
        &format!("/groups/{sync}/members?$top=999"),
        None,
    )
    .await;
    let user = values(&members)
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.user")
        .unwrap();
    assert!(user["id"].is_string());
    assert!(user["displayName"].is_null(), "{user}");
    assert!(user["userPrincipalName"].is_null());
    let group = values(&members)
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.group")
        .unwrap();
    assert_eq!(group["displayName"], CONTOSO_FINANCE);

    // App-only with Directory.Read.All: users in full.
    let app = app_token(&e.base, CONTOSO).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, members) = call(
        &e.base,
        &app,
        Method::GET,
        &format!("/groups/{sync}/members?$top=1"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(values(&members)[0]["displayName"].is_string());
    let (status, _) = call(&e.base, "not-a-token", Method::GET, "/groups", None).await;
    assert_eq!(status, 401);
}

fn display_names(body: &Value) -> Vec<&str> {
    values(body)
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect()
}

/// `$orderby` on groups (microsoftgraph/microsoft-graph-docs-contrib
/// `concepts/aad-advanced-queries.md`: `displayName` by default; with `$filter` only in advanced
/// queries).
#[tokio::test]
async fn groups_sort_by_display_name_under_the_advanced_query_rules() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let (status, asc) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$orderby=displayName",
        None,
    )
    .await;
    assert_eq!(status, 200, "{asc}");
    let mut expected = display_names(&asc).clone();
    expected.sort_by_key(|n| n.to_lowercase());
    assert_eq!(display_names(&asc), expected);
    let (_, desc) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$orderby=displayName desc",
        None,
    )
    .await;
    expected.reverse();
    assert_eq!(display_names(&desc), expected);

    let filtered =
        "/groups?$filter=startswith(displayName,'Contoso')&$orderby=displayName desc&$count=true";
    let (status, refused) = call(&e.base, &token, Method::GET, filtered, None).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "Sorting not supported for current query."
    );
    let (status, text) = get_eventual(&e.base, &token, filtered).await;
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["@odata.count"], 3);
    expected.retain(|name| name.starts_with("Contoso"));
    assert_eq!(display_names(&body), expected);

    let (status, refused) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$orderby=createdDateTime",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["code"], "Request_UnsupportedQuery");
    assert_eq!(
        refused["error"]["message"],
        "Unsupported sort property 'createdDateTime' for 'Group'."
    );
}

#[tokio::test]
async fn unknown_select_names_are_refused_on_groups_and_members() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, CONTOSO_ADMIN).await;
    let id = group_id(&e.base, &token, CONTOSO_GROUP_SYNC).await;
    for (path, type_name) in [
        ("/groups?$select=id,nope".to_owned(), "group"),
        (format!("/groups/{id}?$select=nope"), "group"),
        (
            format!("/groups/{id}/members?$select=nope"),
            "directoryObject",
        ),
    ] {
        let (status, body) = call(&e.base, &token, Method::GET, &path, None).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], "BadRequest");
        assert_eq!(
            body["error"]["message"],
            format!(
                "Could not find a property named 'nope' on type 'microsoft.graph.{type_name}'."
            )
        );
    }
    // Members: each type keeps the selected properties it has.
    let (status, body) = call(
        &e.base,
        &token,
        Method::GET,
        &format!("/groups/{id}/members?$select=id,userType,securityEnabled"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for member in values(&body) {
        let user = member["@odata.type"] == "#microsoft.graph.user";
        assert_eq!(member.get("userType").is_some(), user, "{member}");
        assert_eq!(member.get("securityEnabled").is_some(), !user, "{member}");
    }
    let (_, selected) = call(
        &e.base,
        &token,
        Method::GET,
        "/groups?$select=displayName,theme",
        None,
    )
    .await;
    assert_eq!(
        selected["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#groups(displayName,theme)"
    );
}
