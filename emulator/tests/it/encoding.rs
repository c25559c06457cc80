//! Percent-encoded query values, as the dashboard sends them (graph's `ops`): decoded once, the
//! same way in direct calls and in `$batch` items, so that the answers equal the unencoded ones.

use crate::common::{http, start, user_token};
use emulator::scenario::CONTOSO;
use graph::ops;
use graph::sync::ProvisioningResult;
use serde_json::{json, Value};

/// `GET /v1.0{path}` sent exactly as written (reqwest leaves existing escapes alone).
async fn direct(base: &str, token: &str, path: &str, eventual: bool) -> Value {
    let mut request = http().get(format!("{base}/v1.0{path}")).bearer_auth(token);
    if eventual {
        request = request.header("ConsistencyLevel", "eventual");
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// The same requests as items of one `$batch`, in order.
async fn batched(base: &str, token: &str, paths: &[&str], eventual: bool) -> Vec<Value> {
    let headers = if eventual {
        json!({"ConsistencyLevel": "eventual"})
    } else {
        json!({})
    };
    let requests: Vec<Value> = paths
        .iter()
        .enumerate()
        .map(|(i, url)| json!({"id": i.to_string(), "method": "GET", "url": url, "headers": headers}))
        .collect();
    let body: Value = http()
        .post(format!("{base}/v1.0/$batch"))
        .bearer_auth(token)
        .json(&json!({ "requests": requests }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            assert_eq!(item["status"], 200, "{item}");
            item["body"].clone()
        })
        .collect()
}

/// `%XX` escapes decoded: the unencoded form of an encoded path.
fn decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// The `value` of `encoded` asked directly and in a `$batch` item, and, when `compare_plain`, of
/// its unencoded form asked both ways too: all the same.
async fn same_answers(
    base: &str,
    token: &str,
    encoded: &str,
    compare_plain: bool,
    eventual: bool,
) -> Vec<Value> {
    let mut bodies = vec![direct(base, token, encoded, eventual).await];
    let mut paths = vec![encoded.to_owned()];
    if compare_plain {
        let plain = decoded(encoded);
        assert_ne!(plain, encoded, "the request is encoded");
        bodies.push(direct(base, token, &plain, eventual).await);
        paths.push(plain);
    }
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let items = batched(base, token, &paths, eventual).await;
    assert_eq!(bodies[0]["@odata.count"], items[0]["@odata.count"]);
    bodies.extend(items);
    for other in &bodies[1..] {
        assert_eq!(bodies[0]["value"], other["value"], "{encoded}");
    }
    bodies[0]["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn encoded_queries_answer_like_unencoded_ones_direct_and_batched() {
    let e = start().await;
    let token = user_token(&e.base, CONTOSO, "admin@contoso.onmicrosoft.com").await;

    let configs = ops::sync::sync_configurations();
    assert!(configs.path().contains("%20eq%20'"));
    let sps = same_answers(&e.base, &token, configs.path(), true, false).await;
    assert_eq!(sps.len(), 1, "Contoso's configuration to Fabrikam");

    let jobs: Value = direct(
        &e.base,
        &token,
        &format!(
            "/servicePrincipals/{}/synchronization/jobs",
            sps[0]["id"].as_str().unwrap()
        ),
        false,
    )
    .await;
    let job: graph::JobId = jobs["value"][0]["id"].as_str().unwrap().parse().unwrap();
    let log = ops::sync::provisioning_log(&job, Some(&ProvisioningResult::Success), 50);
    let entries = same_answers(&e.base, &token, log.path(), true, false).await;
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|entry| entry["jobId"] == job.as_str()
        && entry["provisioningStatusInfo"]["status"] == "success"));

    let all = ops::directory::all_users(999);
    let users = same_answers(&e.base, &token, all.path(), false, true).await;
    assert!(users.len() > 300);
    assert!(
        users.iter().all(|u| u.as_object().unwrap().len() == 7),
        "the $select"
    );

    let adele = ops::directory::search_users("Adele", 25);
    let found = same_answers(&e.base, &token, adele.path(), true, false).await;
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|u| u["displayName"].as_str().unwrap().starts_with("Adele")
            || u["userPrincipalName"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .starts_with("adele")));

    // Doubled quotes and non-ASCII letters, unencoded too; `&`, `#` and `+` (which mean something
    // unencoded in a URL) encoded only: each stays inside its literal.
    for (text, compare_plain) in [("O'Brien", true), ("Zoë", true), ("a&b#c+d", false)] {
        let search = ops::directory::search_users(text, 25);
        let found = same_answers(&e.base, &token, search.path(), compare_plain, false).await;
        assert!(found.is_empty(), "{text}");
    }
}
