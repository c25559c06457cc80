//! `/diagnose` end to end: dashboard and emulator on real sockets, signed in the way a browser
//! is, one test per cause of the demo (its named person gets the right verdict), the helpdesk's
//! read-only view with what it cannot read shown as unknown, the request budget, the page without
//! JavaScript, and refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{browser, call, page, sign_in, start, Harness};
use emulator::demo_people::{
    self, Person, CONTACT, DISABLED, GUEST_AT_HOME, HIDDEN, NESTED_GROUP, NEW, OLDER_GUEST,
    SCOPING_FILTER, SMS_SIGN_IN, SOFT_DELETED,
};
use emulator::scenario::{roles, CONTOSO, FABRIKAM, WOODGROVE};
use serde_json::Value;

/// Adds a directory role to a demo account before it signs in.
fn grant(h: &Harness, tenant: &str, upn: &str, role: &str) {
    let mut world = h.world.world();
    let account = world
        .scenario
        .tenants
        .iter_mut()
        .find(|t| t.id == tenant)
        .and_then(|t| t.accounts.iter_mut().find(|a| a.upn == upn))
        .unwrap();
    account.role_ids.push(role.to_owned());
}

/// A browser signed in to Contoso as its Global Administrator and to Fabrikam as its sync
/// operator, who is also a Global Reader there (provisioning log, partner settings, phones).
async fn full_reader(h: &Harness) -> reqwest::Client {
    grant(
        h,
        FABRIKAM,
        "ops@fabrikam.onmicrosoft.com",
        roles::GLOBAL_READER,
    );
    let client = browser();
    sign_in(h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(h, &client, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    client
}

/// The user of `tenant` with `upn`.
fn user_id(h: &Harness, tenant: &str, upn: &str) -> String {
    h.world.world().users[tenant]
        .iter()
        .find(|u| u.user_principal_name == upn)
        .map(|u| u.id.clone())
        .unwrap()
}

async fn diagnose(
    h: &Harness,
    client: &reqwest::Client,
    source: &str,
    user: &str,
    target: &str,
) -> Value {
    let (status, body) = call(
        h,
        client,
        "diagnose/run",
        &[
            ("query[tenant]", source),
            ("query[user]", user),
            ("query[target]", target),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Fabrikam's named person diagnosed for Contoso.
async fn person(h: &Harness, client: &reqwest::Client, who: &Person) -> Value {
    diagnose(h, client, FABRIKAM, &who.id(), CONTOSO).await
}

fn check<'a>(diagnosis: &'a Value, key: &str) -> &'a Value {
    diagnosis["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap())
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no check {key} in {diagnosis}"))
}

fn status<'a>(diagnosis: &'a Value, key: &str) -> &'a str {
    check(diagnosis, key)["status"].as_str().unwrap()
}

/// The verdict names `cause` as its blocking cause.
fn blocked_by(diagnosis: &Value, cause: &str) {
    let verdict = &diagnosis["verdict"];
    assert_eq!(verdict["status"], "Blocking", "{verdict}");
    assert_eq!(verdict["cause"], cause, "{verdict}");
}

fn fix_tenant(diagnosis: &Value) -> &str {
    diagnosis["verdict"]["fix"]["tenant_name"].as_str().unwrap()
}

fn headline(diagnosis: &Value) -> &str {
    diagnosis["verdict"]["headline"].as_str().unwrap()
}

#[tokio::test]
async fn no_configuration_from_contoso_to_woodgrove() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(
        &h,
        &client,
        WOODGROVE,
        "admin@woodgrovebank.onmicrosoft.com",
    )
    .await;
    let adele = user_id(&h, CONTOSO, "adele.vance@contoso.com");
    let d = diagnose(&h, &client, CONTOSO, &adele, WOODGROVE).await;
    blocked_by(&d, "sync.configuration");
    assert_eq!(fix_tenant(&d), "Contoso");
    assert!(d["verdict"]["fix"]["roles"]
        .as_array()
        .unwrap()
        .contains(&Value::from("Hybrid Identity Administrator")));
    assert_eq!(status(&d, "target.account"), "Blocking");
    assert!(d["sections"][2]["note"].is_string(), "no job, no log");
}

#[tokio::test]
async fn woodgrove_to_fabrikam_is_quarantined_because_fabrikam_allows_neither_sync_nor_redemption()
{
    let h = start().await;
    grant(
        &h,
        FABRIKAM,
        "ops@fabrikam.onmicrosoft.com",
        roles::GLOBAL_READER,
    );
    let client = browser();
    sign_in(
        &h,
        &client,
        WOODGROVE,
        "admin@woodgrovebank.onmicrosoft.com",
    )
    .await;
    sign_in(&h, &client, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let adele = user_id(&h, WOODGROVE, "adele.vance@woodgrovebank.com");
    let d = diagnose(&h, &client, WOODGROVE, &adele, FABRIKAM).await;
    blocked_by(&d, "sync.job");
    let job = check(&d, "sync.job");
    assert!(
        job["title"].as_str().unwrap().contains("Quarantined"),
        "{job}"
    );
    let evidence = job["evidence"].to_string();
    assert!(
        evidence.contains("EncounteredQuarantineException"),
        "{evidence}"
    );
    assert!(evidence.contains("Last cycle"), "{evidence}");
    // The fix goes where the settings are missing: Fabrikam, by its Security Administrator.
    assert_eq!(fix_tenant(&d), "Fabrikam");
    assert!(d["verdict"]["fix"]["roles"]
        .as_array()
        .unwrap()
        .contains(&Value::from("Security Administrator")));
    assert_eq!(status(&d, "policy.inbound_sync"), "Blocking");
    assert_eq!(status(&d, "policy.redeem_inbound"), "Blocking");
    assert_eq!(status(&d, "policy.redeem_outbound"), "Ok");
    assert_eq!(status(&d, "log.latest"), "Blocking");
    let log = check(&d, "log.latest");
    assert!(log["title"]
        .as_str()
        .unwrap()
        .contains("AzureDirectoryB2BManagementPolicyCheckFailure"));
    assert!(
        log["evidence"].to_string().contains("In plain words"),
        "{log}"
    );
}

#[tokio::test]
async fn a_member_of_a_nested_group_is_not_in_scope() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &NESTED_GROUP).await;
    blocked_by(&d, "scope.assignment");
    assert!(
        headline(&d).contains(&format!(
            "in {} only through {}",
            demo_people::ASSIGNED_GROUP,
            demo_people::NESTED_IN
        )),
        "{}",
        headline(&d)
    );
    assert_eq!(fix_tenant(&d), "Fabrikam");
    assert_eq!(status(&d, "sync.job"), "Ok");
    assert_eq!(status(&d, "target.account"), "Blocking");
}

#[tokio::test]
async fn a_contractor_fails_the_scoping_filter() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &SCOPING_FILTER).await;
    blocked_by(&d, "scope.filter");
    assert!(
        headline(&d)
            .contains("companyName EQUALS Fabrikam (Felix Wagner's companyName is Litware)"),
        "{}",
        headline(&d)
    );
    assert_eq!(status(&d, "scope.assignment"), "Ok");
}

#[tokio::test]
async fn a_guest_at_home_is_never_synced() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &GUEST_AT_HOME).await;
    blocked_by(&d, "scope.member");
    assert!(
        headline(&d).contains("guest in Fabrikam"),
        "{}",
        headline(&d)
    );
    assert_eq!(fix_tenant(&d), "Fabrikam");
}

#[tokio::test]
async fn an_account_deleted_in_contoso_is_in_its_deleted_items() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &SOFT_DELETED).await;
    blocked_by(&d, "target.deleted");
    let evidence = check(&d, "target.deleted")["evidence"].to_string();
    assert!(evidence.contains("can be restored until"), "{evidence}");
    assert!(evidence.contains("29 day(s) left"), "{evidence}");
    assert_eq!(fix_tenant(&d), "Contoso");
    assert_eq!(
        status(&d, "log.latest"),
        "Ok",
        "the sync created it: Contoso deleted it"
    );
}

#[tokio::test]
async fn an_older_guest_stays_a_guest_with_an_on_create_only_mapping() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &OLDER_GUEST).await;
    blocked_by(&d, "target.user_type");
    let user_type = check(&d, "target.user_type");
    assert!(user_type["evidence"]
        .to_string()
        .contains("applied when the user is created only"));
    assert_eq!(fix_tenant(&d), "Fabrikam");
    assert!(d["verdict"]["fix"]["action"]
        .as_str()
        .unwrap()
        .contains("Always"));
    assert_eq!(status(&d, "target.account"), "Ok");
    assert_eq!(
        status(&d, "duplicates"),
        "Ok",
        "the sync matched the guest: one account"
    );
}

#[tokio::test]
async fn a_hidden_account_is_not_in_the_address_list() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &HIDDEN).await;
    blocked_by(&d, "target.address_list");
    assert_eq!(fix_tenant(&d), "Contoso");
    assert_eq!(d["verdict"]["fix"]["roles"][0], "User Administrator");
}

#[tokio::test]
async fn sms_sign_in_makes_the_service_skip_the_person() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &SMS_SIGN_IN).await;
    blocked_by(&d, "log.latest");
    assert!(headline(&d).contains("SMS sign-in"), "{}", headline(&d));
    assert_eq!(status(&d, "signin.sms"), "Blocking");
    assert!(check(&d, "signin.sms")["evidence"]
        .to_string()
        .contains(demo_people::SMS_PHONE));
    assert!(d["verdict"]["fix"]["roles"]
        .as_array()
        .unwrap()
        .contains(&Value::from("Authentication Administrator")));
}

#[tokio::test]
async fn a_disabled_person_is_disabled_in_contoso_too() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &DISABLED).await;
    blocked_by(&d, "target.enabled");
    assert_eq!(
        fix_tenant(&d),
        "Fabrikam",
        "disabled at home: enabled at home"
    );
}

#[tokio::test]
async fn a_person_synced_an_hour_ago_waits_for_microsoft_365() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &NEW).await;
    assert_eq!(d["verdict"]["status"], "Warning", "{}", d["verdict"]);
    assert_eq!(d["verdict"]["cause"], "propagation");
    assert!(
        headline(&d).contains("Teams and SharePoint"),
        "{}",
        headline(&d)
    );
    for key in [
        "sync.job",
        "scope.assignment",
        "scope.filter",
        "log.latest",
        "target.account",
        "target.user_type",
        "target.address_list",
        "target.enabled",
        "signin.sms",
    ] {
        assert_eq!(status(&d, key), "Ok", "{key}");
    }
}

#[tokio::test]
async fn a_contact_with_the_same_mail_is_a_duplicate() {
    let h = start().await;
    let client = full_reader(&h).await;
    let d = person(&h, &client, &CONTACT).await;
    assert_eq!(d["verdict"]["status"], "Warning", "{}", d["verdict"]);
    assert_eq!(d["verdict"]["cause"], "duplicates");
    assert!(check(&d, "duplicates")["evidence"]
        .to_string()
        .contains("Hana Kobayashi (Fabrikam)"));
}

#[tokio::test]
async fn the_viewer_names_the_target() {
    let h = start().await;
    let client = full_reader(&h).await;
    let bob = user_id(&h, CONTOSO, "ben.vance@contoso.com");
    let (status, body) = call(
        &h,
        &client,
        "diagnose/run",
        &[
            ("query[tenant]", FABRIKAM),
            ("query[user]", &HIDDEN.id()),
            ("query[viewer_tenant]", CONTOSO),
            ("query[viewer]", &bob),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["target"]["name"], "Contoso");
    assert_eq!(d["viewer"]["display_name"], "Ben Vance");
    blocked_by(&d, "target.address_list");
}

#[tokio::test]
async fn the_helpdesk_sees_what_its_roles_may_read_and_the_rest_as_unknown() {
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    // Contoso only: Fabrikam's side (the person included) is unknown, never a failure or an ok.
    let d = person(&h, &client, &HIDDEN).await;
    assert_eq!(d["verdict"]["status"], "Unknown", "{}", d["verdict"]);
    assert_eq!(status(&d, "sync.configuration"), "Unknown");
    assert_eq!(status(&d, "scope.member"), "Unknown");
    let unread = d["verdict"]["unread"].to_string();
    assert!(unread.contains("Not signed in to Fabrikam"), "{unread}");
    for section in d["sections"].as_array().unwrap() {
        for line in section["checks"].as_array().unwrap() {
            if line["status"] == "Ok" {
                assert!(
                    line["reads"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|r| r.as_str().unwrap().starts_with("Contoso: ")),
                    "only what Contoso read can be ok: {line}"
                );
            }
        }
    }
    // Partner settings need a security role the helpdesk does not have.
    assert_eq!(status(&d, "policy.inbound_sync"), "Unknown");
    assert!(check(&d, "policy.inbound_sync")["evidence"]
        .to_string()
        .contains("Your role in Contoso cannot read"));

    // With Fabrikam's sync operator too: the person, the sync and the scope are read; the log,
    // the phones and the partner settings are not (no role for them).
    sign_in(&h, &client, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let d = person(&h, &client, &HIDDEN).await;
    blocked_by(&d, "target.address_list");
    assert!(d["verdict"]["unread"]
        .to_string()
        .contains("Your role in Fabrikam cannot read Fabrikam's provisioning log"));
    let d = person(&h, &client, &NESTED_GROUP).await;
    blocked_by(&d, "scope.assignment");
    assert_eq!(status(&d, "sync.job"), "Ok");
    assert_eq!(status(&d, "log.latest"), "Unknown");
    assert!(check(&d, "log.latest")["evidence"]
        .to_string()
        .contains("Reports Reader"));
    assert_eq!(status(&d, "signin.sms"), "Unknown");
}

#[tokio::test]
async fn a_diagnosis_makes_at_most_thirty_graph_requests() {
    let h = start().await;
    let client = full_reader(&h).await;
    for who in [NESTED_GROUP, OLDER_GUEST, SMS_SIGN_IN] {
        h.world.0.requests.clear();
        let d = person(&h, &client, &who).await;
        let made: Vec<_> = h
            .world
            .0
            .requests
            .entries()
            .into_iter()
            .filter(|e| e.url.starts_with("/v1.0/"))
            .collect();
        assert!(made.len() <= 30, "{} requests: {made:#?}", made.len());
        assert!(
            made.len() as u64 <= tenant_mesh_server::diagnose::MAX_REQUESTS,
            "{}",
            made.len()
        );
        assert_eq!(
            d["graph_requests"].as_u64().unwrap(),
            made.len() as u64,
            "the diagnosis counts what it sent"
        );
    }
}

#[tokio::test]
async fn the_page_works_without_javascript_and_finds_people() {
    let h = start().await;
    let client = full_reader(&h).await;
    let html = page(&h, &client, &format!("/diagnose?tenant={FABRIKAM}&q=Nadia")).await;
    assert!(html.contains("Nadia Petrova"), "the search lists her");
    assert!(
        html.contains(&format!(
            "/diagnose?tenant={FABRIKAM}&amp;user={}",
            NESTED_GROUP.id()
        )) || html.contains(&format!(
            "/diagnose?tenant={FABRIKAM}&user={}",
            NESTED_GROUP.id()
        ))
    );
    let html = page(
        &h,
        &client,
        &format!("/diagnose?tenant={FABRIKAM}&user={}", HIDDEN.id()),
    )
    .await;
    assert!(html.contains("2. Where should Marco Bianchi be visible?"));
    assert!(html.contains(&format!("target={CONTOSO}")));
    let html = page(
        &h,
        &client,
        &format!(
            "/diagnose?tenant={FABRIKAM}&user={}&target={CONTOSO}",
            HIDDEN.id()
        ),
    )
    .await;
    for text in [
        "Why can&#x27;t Marco Bianchi (Fabrikam) be found in Contoso?",
        "is hidden from Contoso",
        "Where this comes from",
        "Fix: ",
        "1. Cross-tenant sync from Fabrikam to Contoso",
        "9. Propagation in Microsoft 365",
    ] {
        assert!(
            html.contains(text) || html.contains(&text.replace("&#x27;", "'")),
            "the page shows {text:?}"
        );
    }
    let (status, body) = call(
        &h,
        &client,
        "diagnose/search",
        &[("tenant", FABRIKAM), ("q", "grace.holm")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let found: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(found[0]["display_name"], "Grace Holm");
    assert_eq!(found[0]["user_type"], "Guest");
}

#[tokio::test]
async fn bad_and_unsigned_requests_are_refused() {
    let h = start().await;
    let client = browser();
    let (status, body) = call(
        &h,
        &client,
        "diagnose/run",
        &[
            ("query[tenant]", FABRIKAM),
            ("query[user]", &HIDDEN.id()),
            ("query[target]", CONTOSO),
        ],
    )
    .await;
    assert_eq!(status, 401, "{body}");
    sign_in(&h, &client, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    for (form, needle) in [
        (
            vec![
                ("query[tenant]", "fabrikam"),
                ("query[user]", "x"),
                ("query[target]", CONTOSO),
            ],
            "tenant",
        ),
        (
            vec![
                ("query[tenant]", FABRIKAM),
                ("query[user]", "x'); drop"),
                ("query[target]", CONTOSO),
            ],
            "user",
        ),
        (
            vec![
                ("query[tenant]", CONTOSO),
                ("query[user]", &HIDDEN.id()),
                ("query[target]", CONTOSO),
            ],
            "different tenants",
        ),
        (vec![("query[tenant]", FABRIKAM)], "needs a person"),
    ] {
        let (status, body) = call(&h, &client, "diagnose/run", &form).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains(needle), "{needle}: {body}");
    }
}
