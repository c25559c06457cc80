//! Users (graph-api.md §7.3): paging, `$count` and its ConsistencyLevel rule, filters, `$select`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{app_token, http, start};
use emulator::scenario::CONTOSO;
use serde_json::Value;

async fn token(base: &str) -> String {
    app_token(base, CONTOSO).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
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
    let unsupported = get(
        &format!("{}/v1.0/users?$filter=displayName%20eq%20'x'", e.base),
        &token,
        false,
    )
    .await;
    assert_eq!(unsupported.status(), 400);
    assert_eq!(
        unsupported.json::<Value>().await.unwrap()["error"]["code"],
        "Request_UnsupportedQuery"
    );
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
