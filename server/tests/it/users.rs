//! User segmentation end to end: dashboard and emulator on real sockets, signed in the way a browser
//! is. The demo's segments, the home-tenant resolution order (exact, then domain, then UPN), the
//! access rules, the CSV export against the list, and degraded reads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{browser, call, find_by, inject_fault, page, sign_in, start, Harness};
use emulator::scenario::{CONTOSO, FABRIKAM, TAILSPIN, WOODGROVE};
use emulator::users_state::User;
use serde_json::{json, Value};

/// Calls the page's server function; returns status and body.
async fn view(h: &Harness, client: &reqwest::Client, form: &[(&str, &str)]) -> (u16, String) {
    call(h, client, "users/view", form).await
}

/// The finished report for `tenant` with extra form fields (e.g. a filter).
async fn report(
    h: &Harness,
    client: &reqwest::Client,
    tenant: &str,
    extra: &[(&str, &str)],
) -> Value {
    let mut form = vec![("tenant", tenant), ("refresh", "false")];
    form.extend_from_slice(extra);
    // A slow machine may still be reading after the page's wait: ask again, as the page does.
    for _ in 0..100 {
        let (status, body) = view(h, client, &form).await;
        assert_eq!(status, 200, "{body}");
        let view: Value = serde_json::from_str(&body).unwrap();
        if view["state"].get("Reading").is_none() {
            return view["state"]["Ready"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("still reading the users of {tenant}");
}

fn count(report: &Value, segment: &str) -> u64 {
    find_by(&report["segments"], "segment", segment)["count"]
        .as_u64()
        .unwrap()
}

fn home<'a>(report: &'a Value, tenant: &str) -> &'a Value {
    find_by(&report["homes"], "tenant_id", tenant)
}

/// Adds an external user to `tenant` in the emulator.
fn add_external(
    h: &Harness,
    tenant: &str,
    id: &str,
    upn: &str,
    mail: Option<&str>,
    kind: &'static str,
) {
    let mut world = h.world.world();
    world.users.get_mut(tenant).unwrap().push(User {
        id: id.into(),
        display_name: format!("Test {id}"),
        user_principal_name: upn.into(),
        mail: mail.map(str::to_owned),
        user_type: kind,
        creation_type: Some("Invitation"),
        external_user_state: Some("Accepted"),
        show_in_address_list: Some(false),
        account_enabled: true,
        company_name: None,
        synced_from: None,
        created: None,
    });
}

/// `matching` users, and every row of the page homed in `home` by `method`.
fn assert_all_homed(report: &Value, matching: u64, home: &str, method: &str) {
    assert_eq!(report["matching"], matching, "{report}");
    for user in report["rows"].as_array().unwrap() {
        assert_eq!(user["home_id"], home, "{user}");
        assert_eq!(user["method"], method, "{user}");
    }
}

fn row<'a>(report: &'a Value, name: &str) -> &'a Value {
    find_by(&report["rows"], "display_name", name)
}

#[tokio::test]
async fn fabrikam_shows_contoso_members_by_the_exact_method_and_tailspin_outside() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;

    let r = report(&h, &client, FABRIKAM, &[]).await;
    // The demo's 302 internal members, and the people of the `/diagnose` demo
    // (emulator::demo_people): nine internal members and one guest.
    assert_eq!(r["total"], 385, "{r}");
    assert_eq!(count(&r, "InternalMember"), 311);
    assert_eq!(count(&r, "InternalGuest"), 1);
    assert_eq!(count(&r, "MtoMember"), 60);
    assert_eq!(count(&r, "MtoGuest"), 0);
    assert_eq!(count(&r, "ExternalMember"), 3);
    assert_eq!(count(&r, "ExternalGuest"), 10);
    assert_eq!(r["problems"], json!([]));

    let contoso = home(&r, CONTOSO);
    assert_eq!(contoso["name"], "Contoso");
    assert_eq!(contoso["in_mto"], true);
    assert_eq!(contoso["counts"], json!([0, 0, 60, 0, 0, 0]));
    let tailspin = home(&r, TAILSPIN);
    assert_eq!(tailspin["name"], "Tailspin Toys");
    assert_eq!(tailspin["in_mto"], false);
    assert_eq!(tailspin["counts"], json!([0, 0, 0, 0, 3, 10]));
    let methods = r["methods"].as_array().unwrap();
    assert!(methods.contains(&json!(["Exact", 60])), "{methods:?}");
    assert!(methods.contains(&json!(["Domain", 13])), "{methods:?}");

    // Filtered to MTO members: every one homed in Contoso, found exactly, in the address list.
    let mto = report(&h, &client, FABRIKAM, &[("filter[segment]", "mto-member")]).await;
    assert_all_homed(&mto, 60, CONTOSO, "Exact");
    assert_eq!(mto["pages"], 2);
    assert_eq!(mto["rows"].as_array().unwrap().len(), 50);
    for user in mto["rows"].as_array().unwrap() {
        assert_eq!(user["in_address_list"], true);
        assert!(user["user_principal_name"]
            .as_str()
            .unwrap()
            .contains("_contoso.com#EXT#@fabrikam.onmicrosoft.com"));
    }

    // The page as a browser without JavaScript gets it.
    let html = page(
        &h,
        &client,
        &format!("/users?tenant={FABRIKAM}&segment=external-guest"),
    )
    .await;
    for text in [
        "Users per segment",
        "MTO members",
        "External guests outside the MTO",
        "Tailspin Toys",
        "10 of 385 users match",
        "tailspintoys.com#EXT#@fabrikam.onmicrosoft.com",
        "/users/export.csv?tenant=",
    ] {
        assert!(html.contains(text), "the page shows {text:?}");
    }
}

#[tokio::test]
async fn exact_beats_domain_beats_upn() {
    let h = start().await;
    // A guest whose mail domain has no tenant but whose #EXT# UPN names Woodgrove; one with nothing.
    add_external(
        &h,
        FABRIKAM,
        "0e000000-0000-0000-0000-00000000000a",
        "ed_woodgrovebank.com#EXT#@fabrikam.onmicrosoft.com",
        Some("ed@mail.example"),
        "Guest",
    );
    add_external(
        &h,
        FABRIKAM,
        "0e000000-0000-0000-0000-00000000000b",
        "fay_nowhere.example#EXT#@fabrikam.onmicrosoft.com",
        None,
        "Member",
    );
    let client = browser();
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;

    // Without Contoso's log, Contoso's synced users are found by their mail domain.
    let by_domain = report(&h, &client, FABRIKAM, &[("filter[segment]", "mto-member")]).await;
    assert_all_homed(&by_domain, 60, CONTOSO, "Domain");

    let odd = report(&h, &client, FABRIKAM, &[("filter[q]", "Test 0e")]).await;
    let ed = row(&odd, "Test 0e000000-0000-0000-0000-00000000000a");
    assert_eq!(ed["method"], "Upn");
    assert_eq!(ed["home_id"], WOODGROVE);
    assert_eq!(ed["segment"], "MtoGuest");
    let fay = row(&odd, "Test 0e000000-0000-0000-0000-00000000000b");
    assert_eq!(fay["method"], "Unknown");
    assert_eq!(fay["home_id"], Value::Null);
    assert_eq!(fay["segment"], "ExternalMember");
    assert_eq!(home(&odd, "unknown")["counts"], json!([0, 0, 0, 0, 1, 0]));

    // Signed in to Contoso too, its provisioning log gives the exact home.
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let exact = report(&h, &client, FABRIKAM, &[("filter[segment]", "mto-member")]).await;
    assert_all_homed(&exact, 60, CONTOSO, "Exact");
}

#[tokio::test]
async fn bad_and_unauthorised_requests_are_refused_clearly() {
    let h = start().await;
    let client = browser();
    let (status, body) = view(&h, &client, &[("tenant", FABRIKAM), ("refresh", "false")]).await;
    assert_ne!(status, 200, "{body}");
    assert!(body.contains("NotSignedIn"), "{body}");

    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (_, body) = view(&h, &client, &[("tenant", "fabrikam"), ("refresh", "false")]).await;
    assert!(body.contains("BadRequest"), "{body}");
    let (_, body) = view(&h, &client, &[("tenant", WOODGROVE), ("refresh", "false")]).await;
    assert!(body.contains("NotSignedIn"), "{body}");
    assert!(body.contains("Woodgrove Bank"), "{body}");
    let (_, body) = view(
        &h,
        &client,
        &[
            ("tenant", FABRIKAM),
            ("refresh", "false"),
            ("filter[segment]", "vip"),
        ],
    )
    .await;
    assert!(body.contains("'vip' is not a segment"), "{body}");

    let html = page(&h, &client, &format!("/users?tenant={WOODGROVE}")).await;
    assert!(html.contains("Sign in to Woodgrove Bank to see its users."));

    let csv = |query: String| {
        let client = client.clone();
        let url = format!("{}/users/export.csv?{query}", h.dashboard);
        async move { client.get(url).send().await.unwrap() }
    };
    assert_eq!(csv(format!("tenant={WOODGROVE}")).await.status(), 401);
    assert_eq!(csv("tenant=nonsense".into()).await.status(), 400);
    assert_eq!(csv(String::new()).await.status(), 400);
    assert_eq!(
        csv(format!("tenant={FABRIKAM}&home=contoso"))
            .await
            .status(),
        400
    );
    assert_eq!(
        browser()
            .get(format!(
                "{}/users/export.csv?tenant={FABRIKAM}",
                h.dashboard
            ))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn the_helpdesk_can_read_contoso_users() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let r = report(&h, &client, CONTOSO, &[]).await;
    assert_eq!(count(&r, "InternalMember"), 297, "{r}");
    assert_eq!(count(&r, "InternalGuest"), 5);
    assert_eq!(
        count(&r, "MtoMember"),
        74,
        "synced from Fabrikam (40, and four of the /diagnose demo's people) and Woodgrove (30)"
    );
    assert_eq!(
        count(&r, "MtoGuest"),
        9,
        "Woodgrove guests, and a Fabrikam guest the sync matched but left a guest"
    );
    assert_eq!(count(&r, "ExternalMember"), 0);
    assert_eq!(count(&r, "ExternalGuest"), 12, "Tailspin guests");
    assert_eq!(home(&r, WOODGROVE)["counts"], json!([0, 0, 30, 8, 0, 0]));
}

#[tokio::test]
async fn the_csv_has_the_rows_of_the_filtered_list() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let filter = [("filter[home]", TAILSPIN), ("filter[q]", "TAILSPINTOYS")];
    let list = report(&h, &client, FABRIKAM, &filter).await;
    assert_eq!(list["matching"], 13);
    let mut listed: Vec<String> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user_principal_name"].as_str().unwrap().to_owned())
        .collect();

    let response = client
        .get(format!(
            "{}/users/export.csv?tenant={FABRIKAM}&home={TAILSPIN}&q=TAILSPINTOYS",
            h.dashboard
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = response.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "display_name,user_principal_name,mail,user_type,segment,home_tenant_id,home_tenant,home_method,show_in_address_list"
    );
    let mut exported: Vec<String> = lines
        .map(|line| line.split("\",\"").nth(1).unwrap().to_owned())
        .collect();
    listed.sort();
    exported.sort();
    assert_eq!(exported, listed);
    assert!(text.contains("\"Tailspin Toys\",\"domain\",\"no\""));

    // Compressed, as browsers ask for it: the stream ends cleanly.
    let gzip = client
        .get(format!(
            "{}/users/export.csv?tenant={FABRIKAM}",
            h.dashboard
        ))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.status(), 200);
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert!(!gzip.bytes().await.unwrap().is_empty());

    // Without a filter: every user.
    let all = page(&h, &client, &format!("/users/export.csv?tenant={FABRIKAM}")).await;
    // The header, and Fabrikam's 385 users (its 375, and the ten people of the /diagnose demo).
    assert_eq!(all.lines().count(), 386);
}

#[tokio::test]
async fn graph_failures_degrade_the_page() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let fault = |prefix: &str, tenant: &str| json!({"pathPrefix": prefix, "tenant": tenant, "kind": "malformed"});
    // Contoso's log cannot be read: its synced users fall back to the domain, and the page says so.
    inject_fault(&h, fault("/v1.0/auditLogs/provisioning", CONTOSO)).await;
    let r = report(&h, &client, FABRIKAM, &[]).await;
    assert_eq!(count(&r, "MtoMember"), 60);
    let problems = r["problems"].to_string();
    assert!(
        problems.contains("The provisioning log of Contoso could not be read"),
        "{problems}"
    );
    assert!(r["methods"]
        .as_array()
        .unwrap()
        .contains(&json!(["Domain", 73])));

    // Woodgrove's users cannot be read at all: a clear failure, not a crash.
    sign_in(
        &h,
        &client,
        WOODGROVE,
        "admin@woodgrovebank.onmicrosoft.com",
    )
    .await;
    inject_fault(&h, fault("/v1.0/users", WOODGROVE)).await;
    let (status, body) = view(&h, &client, &[("tenant", WOODGROVE), ("refresh", "false")]).await;
    assert_eq!(status, 200, "{body}");
    let view: Value = serde_json::from_str(&body).unwrap();
    assert!(
        view["state"]["Failed"]["reason"]
            .as_str()
            .unwrap()
            .contains("unexpected answer"),
        "{view}"
    );
    let html = page(&h, &client, &format!("/users?tenant={WOODGROVE}")).await;
    assert!(html.contains("The users of Woodgrove Bank could not be read"));
}

#[tokio::test]
async fn a_slow_tenant_shows_progress_until_it_is_read() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let slow = json!({"pathPrefix": "/v1.0/users", "tenant": FABRIKAM, "kind": "latency", "millis": 4000, "times": 1});
    inject_fault(&h, slow).await;

    let (status, body) = view(&h, &client, &[("tenant", FABRIKAM), ("refresh", "false")]).await;
    assert_eq!(status, 200, "{body}");
    let first: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(first["state"]["Reading"]["so_far"], 0, "{first}");

    // Without JavaScript the page says how far it is and reloads itself (without the refresh flag).
    let html = page(&h, &client, &format!("/users?tenant={FABRIKAM}&refresh=1")).await;
    assert!(html.contains("Reading users… 0 so far"), "{html}");
    assert!(html.contains(&format!(
        "http-equiv=\"refresh\" content=\"1; url=/users?tenant={FABRIKAM}\""
    )));

    // The same reading finishes; asking again gives the result.
    let r = report(&h, &client, FABRIKAM, &[]).await;
    assert_eq!(r["total"], 385);
}

#[tokio::test]
async fn signed_in_to_one_tenant_users_goes_straight_to_its_segments_and_with_two_asks() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let response = client
        .get(format!("{}/users", h.dashboard))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("/users?tenant={FABRIKAM}")
    );
    // With two sign-ins there is a choice to make.
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let response = client
        .get(format!("{}/users", h.dashboard))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Choose a signed-in tenant"));
}
