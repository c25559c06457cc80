//! The mesh pages end to end: dashboard and emulator on real sockets, signed in the way a browser
//! is, checking what a person reads in the server-rendered HTML and what the server function returns.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{browser, inject_fault, page, sign_in, start};
use emulator::scenario::{CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE};
use serde_json::{json, Value};

async fn overview(h: &crate::common::Harness, client: &reqwest::Client, refresh: bool) -> Value {
    let response = client
        .post(format!("{}/api/mesh/overview", h.dashboard))
        .form(&[("refresh", refresh.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn node<'a>(overview: &'a Value, id: &str) -> &'a Value {
    crate::common::find_by(&overview["nodes"], "tenant_id", id)
}

#[tokio::test]
async fn signed_in_to_contoso_and_fabrikam_the_mesh_shows_every_tenant_and_the_woodgrove_block() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;

    let data = overview(&h, &client, true).await;
    assert_eq!(node(&data, CONTOSO)["state"], "Active");
    assert_eq!(node(&data, CONTOSO)["role"], "owner");
    assert_eq!(node(&data, NORTHWIND)["state"], "Pending");
    assert_eq!(node(&data, TAILSPIN)["state"], "Outside");
    assert_eq!(node(&data, TAILSPIN)["name"], "Tailspin Toys");
    assert_eq!(node(&data, WOODGROVE)["read"], "NotSignedIn");
    assert_eq!(data["counts"]["active"], 3);
    assert_eq!(data["counts"]["pending"], 1);
    let rules: Vec<&str> = data["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"sync-blocked-by-policy"), "{rules:?}");
    assert!(rules.contains(&"join-pending"));
    assert!(rules.contains(&"single-owner"));

    let html = page(&h, &client, "/").await;
    for text in [
        "Contoso Group",
        "Woodgrove Bank",
        "Northwind Traders",
        "Tailspin Toys",
        "not in the MTO",
        "Sync Woodgrove Bank → Fabrikam is blocked by policy: a job would be quarantined",
        "<svg",
    ] {
        assert!(html.contains(text), "the mesh page shows {text:?}");
    }

    let pair = page(&h, &client, &format!("/pairs/{WOODGROVE}/{FABRIKAM}")).await;
    assert!(
        pair.contains("Fabrikam does not allow users of Woodgrove Bank to be synchronized into it")
    );
    assert!(pair.contains("not allowed"));
    let tenant = page(&h, &client, &format!("/tenants/{NORTHWIND}")).await;
    assert!(tenant.contains("Northwind Traders"));
    assert!(tenant.contains("was added but has not joined"));
}

#[tokio::test]
async fn signed_in_to_woodgrove_the_quarantine_is_read_from_its_job() {
    let h = start().await;
    let client = browser();
    sign_in(
        &h,
        &client,
        WOODGROVE,
        "admin@woodgrovebank.onmicrosoft.com",
    )
    .await;
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let data = overview(&h, &client, true).await;
    let quarantine = data["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "sync-quarantined")
        .unwrap();
    assert_eq!(
        quarantine["title"],
        "Sync Woodgrove Bank → Fabrikam is quarantined"
    );
    let explanation = quarantine["explanation"].as_str().unwrap();
    assert!(explanation.contains("AzureDirectoryB2BManagementPolicyCheckFailure"));
    assert!(explanation.contains("Fabrikam does not allow users of Woodgrove Bank"));
}

#[tokio::test]
async fn a_tenant_that_fails_keeps_its_last_data_and_the_rest_stays_correct() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let before = overview(&h, &client, true).await;
    assert_eq!(node(&before, FABRIKAM)["read"], "Fresh");

    let rule = json!({"pathPrefix": "/v1.0/", "tenant": FABRIKAM, "kind": "unavailable"});
    inject_fault(&h, rule).await;
    let after = overview(&h, &client, true).await;
    assert_eq!(node(&after, CONTOSO)["read"], "Fresh");
    let fabrikam = node(&after, FABRIKAM);
    assert!(
        fabrikam["read"]["Stale"]["reason"]
            .as_str()
            .unwrap()
            .contains("503"),
        "{fabrikam}"
    );
    assert!(
        fabrikam["side_known"].as_bool().unwrap(),
        "last good data kept"
    );
    assert_eq!(
        after["findings"], before["findings"],
        "the findings stand on the kept data"
    );
    let html = page(&h, &client, "/").await;
    assert!(html.contains("reading it again failed"));
}

#[tokio::test]
async fn without_a_sign_in_the_pages_ask_for_one_and_bad_ids_are_refused() {
    let h = start().await;
    let client = browser();
    let html = page(&h, &client, "/").await;
    assert!(html.contains("Sign in to at least one tenant"));
    let bad = client
        .get(format!("{}/pairs/not-a-tenant/{FABRIKAM}", h.dashboard))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
    let same = client
        .post(format!("{}/api/mesh/pair", h.dashboard))
        .form(&[("source", CONTOSO), ("target", CONTOSO)])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 400);
    let body = same.text().await.unwrap();
    assert!(body.contains("two different tenants"), "{body}");
}

#[tokio::test]
async fn the_helpdesk_sees_what_its_role_may_read_and_why_not_the_rest() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let data = overview(&h, &client, true).await;
    // Basic attributes: the active tenants only, with no role.
    assert_eq!(node(&data, WOODGROVE)["state"], "Active");
    assert_eq!(node(&data, CONTOSO)["role"], Value::Null);
    assert!(data["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["tenant_id"] != NORTHWIND));
    let contoso = node(&data, CONTOSO);
    assert_eq!(contoso["read"], "Fresh");
    assert_eq!(contoso["problems"], json!([]), "nothing is an outage");
    let parts: Vec<&str> = contoso["restricted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["part"].as_str().unwrap())
        .collect();
    assert!(parts.contains(&"member tenants"), "{parts:?}");
    assert!(parts.contains(&"join request"), "{parts:?}");
    let html = page(&h, &client, "/").await;
    // One sentence for the parts that need the same roles, one for sync.
    assert!(
        html.contains("Your role in Contoso cannot see the member tenants, the default cross-tenant settings, the partner settings, the MTO templates or the join request (needs Security Reader"),
        "{html}"
    );
    assert!(
        html.contains("Your role in Contoso cannot see the sync configurations (needs Application Administrator"),
        "{html}"
    );
}

/// Group sync per pair: Contoso → Fabrikam creates its group in Fabrikam; Fabrikam → Contoso
/// created three groups in Contoso, then Contoso switched inbound group sync from Fabrikam off.
#[tokio::test]
async fn the_pair_page_and_the_mesh_show_group_sync_and_the_groups_left_behind() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    // A Hybrid Identity Administrator reads Fabrikam's jobs but not its provisioning log.
    sign_in(&h, &client, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let data = overview(&h, &client, true).await;
    let left = data["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "groups-left-behind")
        .unwrap_or_else(|| panic!("{}", data["findings"]));
    assert_eq!(
        left["title"],
        "3 groups left behind in Contoso after inbound group sync from Fabrikam was switched off"
    );
    assert_eq!(left["severity"], "Warning");
    assert_eq!(left["tenants"], json!([CONTOSO, FABRIKAM]));
    assert_eq!(left["link"], format!("/pairs/{FABRIKAM}/{CONTOSO}"));
    assert!(
        !data["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "groups-not-allowed"),
        "nothing else about groups"
    );
    let fabrikam = node(&data, FABRIKAM);
    assert!(
        fabrikam["restricted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["part"] == "provisioning log"),
        "{fabrikam}"
    );
    let html = page(&h, &client, "/").await;
    assert!(html.contains(
        "3 groups left behind in Contoso after inbound group sync from Fabrikam was switched off"
    ));

    let pair = page(&h, &client, &format!("/pairs/{FABRIKAM}/{CONTOSO}")).await;
    for text in [
        "Contoso does not allow inbound group sync from Fabrikam",
        "Groups in scope: 3: Fabrikam – Engineering, Fabrikam – Design, Fabrikam – Support",
        "Groups synced into Contoso: 3",
        "Groups left behind in Contoso: 3",
        "3 groups left behind in Contoso after inbound group sync from Fabrikam was switched off",
        "Inbound group sync from the partner",
        "Your role in Fabrikam cannot see",
    ] {
        assert!(pair.contains(text), "the pair page shows {text:?}");
    }
    // The other direction on the same page: Contoso's group, named from Contoso's log.
    assert!(pair.contains("Groups in scope: 1: Contoso – Group sync"));
    assert!(pair.contains("Groups synced into Fabrikam: 1: Contoso – Group sync"));

    // Fabrikam's Security Administrator reads Fabrikam's settings: it allows Contoso's groups.
    let other = browser();
    sign_in(&h, &other, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(&h, &other, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let pair = page(&h, &other, &format!("/pairs/{CONTOSO}/{FABRIKAM}")).await;
    assert!(pair.contains("Fabrikam allows inbound group sync from Contoso"));
    let detail: Value = other
        .post(format!("{}/api/mesh/pair", h.dashboard))
        .form(&[("source", CONTOSO), ("target", FABRIKAM)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let forward = &detail["pair"]["forward"]["groups"];
    assert_eq!(forward["allowed"]["Present"], true);
    assert_eq!(forward["synced"]["Present"], 1);
    assert_eq!(forward["left_behind"], 0);
    assert_eq!(
        detail["pair"]["target_settings"]["Present"]["group_sync_allowed"],
        true
    );
}
