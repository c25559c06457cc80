//! Users (`microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/api/user-list.md`,
//! `concepts/aad-advanced-queries.md`, `concepts/paging.md`): paging, `$count` and its
//! ConsistencyLevel rule, filters, `$select`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{app_token, http, start, users_count};
use emulator::scenario::CONTOSO;
use serde_json::Value;

async fn token(base: &str) -> String {
    app_token(base, CONTOSO).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `GET /users` with `params` (encoded by the client), optionally with `ConsistencyLevel: eventual`.
async fn list(base: &str, token: &str, params: &[(&str, &str)], eventual: bool) -> (u16, Value) {
    let mut request = http()
        .get(format!("{base}/v1.0/users"))
        .query(params)
        .bearer_auth(token);
    if eventual {
        request = request.header("ConsistencyLevel", "eventual");
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The values of a `GET /users` answer.
fn users(body: &Value) -> &Vec<Value> {
    body["value"].as_array().unwrap()
}

fn text<'v>(user: &'v Value, field: &str) -> &'v str {
    user[field].as_str().unwrap_or_default()
}

async fn get(url: &str, token: &str, eventual: bool) -> reqwest::Response {
    let mut request = http().get(url).bearer_auth(token);
    if eventual {
        request = request.header("ConsistencyLevel", "eventual");
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn paging_through_next_links_reaches_every_user_once() {
    let e = start().await;
    let token = token(&e.base).await;
    let total: usize = get(&format!("{}/v1.0/users/$count", e.base), &token, true)
        .await
        .text()
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(total > 300);
    let mut url = format!("{}/v1.0/users?$select=id,userType&$top=64", e.base);
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let page: Value = get(&url, &token, false).await.json().await.unwrap();
        pages += 1;
        for user in page["value"].as_array().unwrap() {
            assert_eq!(
                user.as_object().unwrap().len(),
                2,
                "only the selected fields: {user}"
            );
            ids.push(user["id"].as_str().unwrap().to_owned());
        }
        match page["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.contains("$skiptoken="));
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(ids.len(), total);
    assert_eq!(pages, total.div_ceil(64));
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no user twice");
}

#[tokio::test]
async fn count_needs_the_consistency_level_header() {
    let e = start().await;
    let token = token(&e.base).await;
    let refused = get(&format!("{}/v1.0/users/$count", e.base), &token, false).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_BadRequest");
    assert_eq!(
        body["error"]["message"],
        "$count is not currently supported."
    );

    let ignored: Value = get(
        &format!("{}/v1.0/users?$count=true&$top=1", e.base),
        &token,
        false,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        ignored.get("@odata.count").is_none(),
        "silently ignored without the header"
    );
    let counted: Value = get(
        &format!(
            "{}/v1.0/users?$count=true&$top=1&$filter=userType%20eq%20'Guest'",
            e.base
        ),
        &token,
        true,
    )
    .await
    .json()
    .await
    .unwrap();
    let guests = counted["@odata.count"].as_u64().unwrap();
    assert!(guests > 0);
    let next: Value = get(counted["@odata.nextLink"].as_str().unwrap(), &token, true)
        .await
        .json()
        .await
        .unwrap();
    assert!(next.get("@odata.count").is_none(), "only on the first page");
}

#[tokio::test]
async fn filters_select_guests_and_b2b_users() {
    let e = start().await;
    let token = token(&e.base).await;
    let guests: Value = get(&format!("{}/v1.0/users?$filter=userType%20eq%20'Guest'%20and%20creationType%20eq%20'Invitation'&$select=userPrincipalName,userType&$top=999", e.base), &token, false).await.json().await.unwrap();
    let guests = guests["value"].as_array().unwrap();
    assert!(!guests.is_empty());
    assert!(guests
        .iter()
        .all(|g| g["userType"] == "Guest"
            && g["userPrincipalName"].as_str().unwrap().contains("#EXT#")));
}

#[tokio::test]
async fn bad_queries_are_refused_like_graph() {
    let e = start().await;
    let token = token(&e.base).await;
    let too_big = get(&format!("{}/v1.0/users?$top=1000", e.base), &token, false).await;
    assert_eq!(too_big.status(), 400);
    // displayName supports eq, ne, not, ge, le, in and startsWith, not endsWith (user resource).
    let (status, unsupported) = list(
        &e.base,
        &token,
        &[("$filter", "endsWith(displayName,'x')"), ("$count", "true")],
        true,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(unsupported["error"]["code"], "Request_UnsupportedQuery");
    assert_eq!(
        unsupported["error"]["message"],
        "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'."
    );
    assert!(unsupported["error"]["innerError"]["request-id"].is_string());
    let missing = get(
        &format!("{}/v1.0/users/nobody@contoso.com", e.base),
        &token,
        false,
    )
    .await;
    assert_eq!(missing.status(), 404);
    let admin: Value = get(
        &format!("{}/v1.0/users/admin@contoso.onmicrosoft.com", e.base),
        &token,
        false,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(admin["displayName"], "Contoso Admin");
}

#[tokio::test]
async fn startswith_filters_combine_with_or_and_and_case_insensitively() {
    let e = start().await;
    let token = token(&e.base).await;
    let (status, body) = list(
        &e.base,
        &token,
        &[
            ("$filter", "startswith(displayName,'ALEX')"),
            ("$top", "999"),
        ],
        false,
    )
    .await;
    assert_eq!(status, 200, "startsWith is a default query: {body}");
    let found = users(&body);
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|u| text(u, "displayName").to_lowercase().starts_with("alex")));

    let (status, body) = list(
        &e.base,
        &token,
        &[
            (
                "$filter",
                "startswith(userPrincipalName,'admin@') or startswith(mail,'helpdesk@')",
            ),
            ("$select", "userPrincipalName,mail"),
        ],
        false,
    )
    .await;
    assert_eq!(status, 200);
    let mut upns: Vec<&str> = users(&body)
        .iter()
        .map(|u| text(u, "userPrincipalName"))
        .collect();
    upns.sort();
    assert_eq!(
        upns,
        [
            "admin@contoso.onmicrosoft.com",
            "helpdesk@contoso.onmicrosoft.com"
        ]
    );

    let (status, body) = list(
        &e.base,
        &token,
        &[(
            "$filter",
            "(startswith(displayName,'a') or startswith(displayName,'b')) and userType eq 'Guest'",
        )],
        false,
    )
    .await;
    assert_eq!(status, 200);
    assert!(users(&body).iter().all(|u| {
        let name = text(u, "displayName").to_lowercase();
        name.starts_with('a') || name.starts_with('b')
    }));
}

#[tokio::test]
async fn ne_and_endswith_need_the_advanced_query_parameters() {
    let e = start().await;
    let token = token(&e.base).await;
    // Microsoft's advanced-query page: without the header or $count=true, the documented error.
    for (filter, operator) in [
        ("userType ne 'Member'", "ne"),
        ("endsWith(mail,'@tailspintoys.com')", "endsWith"),
    ] {
        for (params, eventual) in [
            (vec![("$filter", filter)], false),
            (vec![("$filter", filter)], true),
            (vec![("$filter", filter), ("$count", "true")], false),
        ] {
            let (status, body) = list(&e.base, &token, &params, eventual).await;
            assert_eq!(status, 400, "{filter} {params:?} {eventual}");
            assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
            assert_eq!(
                body["error"]["message"],
                format!("Operator '{operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information")
            );
        }
    }

    let (status, body) = list(
        &e.base,
        &token,
        &[
            ("$filter", "userType ne 'Member'"),
            ("$count", "true"),
            ("$select", "userType"),
            ("$top", "999"),
        ],
        true,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let guests = users(&body);
    assert!(!guests.is_empty());
    assert!(guests.iter().all(|u| u["userType"] == "Guest"));
    assert_eq!(
        body["@odata.count"].as_u64().unwrap() as usize,
        guests.len()
    );

    let (status, body) = list(
        &e.base,
        &token,
        &[
            ("$filter", "endsWith(mail,'@TAILSPINTOYS.com')"),
            ("$count", "true"),
            ("$top", "999"),
        ],
        true,
    )
    .await;
    assert_eq!(status, 200);
    assert!(!users(&body).is_empty());
    assert!(users(&body)
        .iter()
        .all(|u| text(u, "mail").ends_with("@tailspintoys.com")));

    // The documented example: B2B users by the #EXT# form of their UPN.
    let (status, body) = list(
        &e.base,
        &token,
        &[
            (
                "$filter",
                "endsWith(userPrincipalName,'#EXT#@contoso.onmicrosoft.com')",
            ),
            ("$count", "true"),
            ("$top", "999"),
        ],
        true,
    )
    .await;
    assert_eq!(status, 200);
    assert!(users(&body).len() >= 20);
    assert!(users(&body)
        .iter()
        .all(|u| text(u, "userPrincipalName").contains("#EXT#@")));
}

#[tokio::test]
async fn search_needs_the_header_and_quoted_clauses() {
    let e = start().await;
    let token = token(&e.base).await;
    let (status, body) = list(
        &e.base,
        &token,
        &[("$search", "\"displayName:vance\"")],
        false,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    assert_eq!(
        body["error"]["message"],
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"
    );

    let (status, body) = list(&e.base, &token, &[("$search", "displayName:vance")], true).await;
    assert_eq!(status, 400, "the clause must be in double quotes");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Syntax error"));

    // $search needs only the header; $count=true adds the count.
    let (status, body) = list(
        &e.base,
        &token,
        &[("$search", "\"displayName:VANCE\""), ("$top", "999")],
        true,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let found = users(&body);
    assert!(!found.is_empty());
    assert!(found.iter().all(|u| text(u, "displayName")
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case("vance"))));
    assert!(body.get("@odata.count").is_none());

    let (status, body) = list(
        &e.base,
        &token,
        &[
            (
                "$search",
                "\"userPrincipalName:admin@\" OR \"userPrincipalName:helpdesk@\"",
            ),
            ("$count", "true"),
        ],
        true,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["@odata.count"], 2);

    // Combined with $filter: both must hold.
    let (status, body) = list(
        &e.base,
        &token,
        &[
            ("$search", "\"displayName:vance\""),
            ("$filter", "userType eq 'Guest'"),
        ],
        true,
    )
    .await;
    assert_eq!(status, 200);
    assert!(users(&body).len() < found.len());
}

#[tokio::test]
async fn advanced_filters_count_through_the_count_segment() {
    let e = start().await;
    let token = token(&e.base).await;
    let count = |filter: Option<&'static str>| {
        let (base, token) = (e.base.clone(), token.clone());
        async move {
            let (status, text) = users_count(&base, &token, filter).await;
            assert_eq!(status, 200, "{text}");
            text.parse::<usize>().unwrap()
        }
    };
    let all = count(None).await;
    let members = count(Some("userType eq 'Member'")).await;
    let not_members = count(Some("userType ne 'Member'")).await;
    assert_eq!(members + not_members, all);
    assert!(not_members > 0);
}

/// The `displayName`s of a users page, lower-cased (Graph sorts them case-insensitively).
fn names(body: &Value) -> Vec<String> {
    users(body)
        .iter()
        .map(|u| text(u, "displayName").to_lowercase())
        .collect()
}

fn is_sorted(names: &[String], descending: bool) -> bool {
    names.windows(2).all(|w| {
        if descending {
            w[0] >= w[1]
        } else {
            w[0] <= w[1]
        }
    })
}

fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

/// microsoftgraph/microsoft-graph-docs-contrib `concepts/aad-advanced-queries.md` ("Support for
/// sorting by properties of directory objects") and `api-reference/v1.0/api/user-list.md`
/// (example 4: `$filter` with `$orderby` needs the advanced query parameters).
#[tokio::test]
async fn orderby_sorts_users_under_the_advanced_query_rules() {
    let e = start().await;
    let token = token(&e.base).await;
    let select = ("$select", "displayName,userPrincipalName");
    for (order, descending) in [("displayName", false), ("displayName desc", true)] {
        let (status, body) = list(
            &e.base,
            &token,
            &[("$orderby", order), ("$top", "999"), select],
            false,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let names = names(&body);
        assert!(names.len() > 300);
        assert!(is_sorted(&names, descending), "{order}: {names:?}");
    }
    let (_, by_upn) = list(
        &e.base,
        &token,
        &[("$orderby", "userPrincipalName"), ("$top", "999"), select],
        false,
    )
    .await;
    let upns: Vec<String> = users(&by_upn)
        .iter()
        .map(|u| text(u, "userPrincipalName").to_lowercase())
        .collect();
    assert!(is_sorted(&upns, false));

    // Documented example 4 of the List users page: refused without the advanced parameters.
    let example = [
        ("$filter", "startswith(displayName,'a')"),
        ("$orderby", "displayName"),
        ("$count", "true"),
        ("$top", "1"),
    ];
    let (status, refused) = list(&e.base, &token, &example, false).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "Request_UnsupportedQuery");
    assert_eq!(
        error_message(&refused),
        "Sorting not supported for current query."
    );
    let (status, body) = list(&e.base, &token, &example, true).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["@odata.count"].as_u64().unwrap() > 1);
    let first = names(&body);
    let (_, all) = list(
        &e.base,
        &token,
        &[("$filter", "startswith(displayName,'a')"), ("$top", "999")],
        false,
    )
    .await;
    let mut expected = names(&all);
    expected.sort();
    assert_eq!(first, expected[..1]);

    // createdDateTime sorts only in advanced queries; other properties not at all.
    let created = [("$orderby", "createdDateTime desc"), ("$count", "true")];
    let (status, refused) = list(&e.base, &token, &created, false).await;
    assert_eq!(status, 400);
    assert_eq!(
        error_message(&refused),
        "Unsupported sort property 'createdDateTime' for 'User'."
    );
    let (status, newest) = list(&e.base, &token, &created, true).await;
    assert_eq!(status, 200, "{newest}");
    let (_, oldest) = list(&e.base, &token, &[("$top", "999")], false).await;
    assert_eq!(
        users(&newest)[0]["id"],
        users(&oldest).last().unwrap()["id"]
    );
    let (status, refused) = list(
        &e.base,
        &token,
        &[("$orderby", "jobTitle"), ("$count", "true")],
        true,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        error_message(&refused),
        "An unsupported property was specified."
    );
}

#[tokio::test]
async fn sorted_pages_continue_in_order() {
    let e = start().await;
    let token = token(&e.base).await;
    let mut url = format!(
        "{}/v1.0/users?$orderby=displayName%20desc&$top=70&$select=displayName",
        e.base
    );
    let mut all = Vec::new();
    loop {
        let page: Value = get(&url, &token, false).await.json().await.unwrap();
        all.extend(names(&page));
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert!(all.len() > 300);
    assert!(is_sorted(&all, true));
}

/// `identities` (microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/resources/objectidentity.md`; `api-reference/v1.0/api/user-list.md`
/// examples 2 and 8).
#[tokio::test]
async fn identities_are_selected_and_filtered_as_documented() {
    let e = start().await;
    let token = token(&e.base).await;
    let (status, body) = list(
        &e.base,
        &token,
        &[
            ("$select", "id,mail,creationType,identities"),
            ("$top", "999"),
        ],
        false,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#users(id,mail,creationType,identities)"
    );
    let all = users(&body);
    let internal = &all[0]["identities"];
    assert_eq!(
        internal,
        &serde_json::json!([{
            "signInType": "userPrincipalName",
            "issuer": "contoso.onmicrosoft.com",
            "issuerAssignedId": "admin@contoso.onmicrosoft.com"
        }])
    );
    let guest = all
        .iter()
        .find(|u| u["creationType"] == "Invitation")
        .unwrap();
    let mail = text(guest, "mail").to_owned();
    let home = mail.split_once('@').unwrap().1.to_owned();
    let identities = guest["identities"].as_array().unwrap();
    assert_eq!(identities.len(), 2);
    assert!(identities[0]["issuerAssignedId"]
        .as_str()
        .unwrap()
        .contains("#EXT#@contoso.onmicrosoft.com"));
    assert_eq!(identities[1]["signInType"], "federated");
    assert_eq!(identities[1]["issuer"], home.as_str());

    let filter =
        format!("identities/any(c:c/issuerAssignedId eq '{mail}' and c/issuer eq '{home}')");
    let (status, found) = list(
        &e.base,
        &token,
        &[("$filter", &filter), ("$select", "id")],
        false,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(users(&found).len(), 1);
    assert_eq!(users(&found)[0]["id"], guest["id"]);

    let (status, none) = list(
        &e.base,
        &token,
        &[("$filter", "identities/any(c:c/issuer eq 'facebook.com')")],
        false,
    )
    .await;
    assert_eq!(status, 200, "{none}");
    assert!(users(&none).is_empty());
    let alone = format!("identities/any(c:c/issuer eq '{home}')");
    let (status, refused) = list(&e.base, &token, &[("$filter", &alone)], false).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["code"], "Request_UnsupportedQuery");
    assert_eq!(
        error_message(&refused),
        "Unsupported query on property 'ObjectIdentity'."
    );
}

#[tokio::test]
async fn unknown_select_names_are_refused_and_known_ones_answered() {
    let e = start().await;
    let token = token(&e.base).await;
    let (status, refused) = list(&e.base, &token, &[("$select", "id,nope")], false).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "BadRequest");
    assert_eq!(
        error_message(&refused),
        "Could not find a property named 'nope' on type 'microsoft.graph.user'."
    );
    let one = get(
        &format!(
            "{}/v1.0/users/admin@contoso.onmicrosoft.com?$select=favouriteColour",
            e.base
        ),
        &token,
        false,
    )
    .await;
    assert_eq!(one.status(), 400);
    // A documented property the emulator holds no value for is null, not refused.
    let (status, body) = list(
        &e.base,
        &token,
        &[("$select", "ID,department"), ("$top", "1")],
        false,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(users(&body)[0]["department"], Value::Null);
    assert!(users(&body)[0]["id"].is_string());
    // Properties only a single user returns answer 501 on the collection (user-list.md).
    let (status, body) = list(&e.base, &token, &[("$select", "aboutMe")], false).await;
    assert_eq!(status, 501, "{body}");
    assert_eq!(body["error"]["code"], "NotImplemented");
}
