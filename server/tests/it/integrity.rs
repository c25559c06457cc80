//! Audit integrity on real sockets with the emulator's fault injection: a write of several Graph
//! calls that stops part-way is recorded step by step and the page says what changed; a write whose
//! request is abandoned still gets its outcome; Graph's length limits are enforced before anything
//! is sent, and the refusal is audited.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{audit, browser, call, inject_fault, refused, sign_in, start_with, Harness};
use emulator::scenario::{CONTOSO, FABRIKAM, WOODGROVE};
use emulator::{Clock, Scenario};
use serde_json::{json, Value};

const SYNC_TEMPLATE: &str = "/v1.0/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization";

async fn harness() -> Harness {
    start_with(Scenario::demo(), Clock::real()).await
}

fn template_form(redeem: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("tenant", FABRIKAM),
        ("partner_level", "newPartners"),
        ("redeem_inbound", redeem),
        ("redeem_outbound", redeem),
        ("trust_mfa", "unset"),
        ("trust_compliant_device", "unset"),
        ("trust_hybrid_joined_device", "unset"),
        ("sync_level", "newPartners"),
        ("inbound_sync", "on"),
    ]
}

async fn templates(h: &Harness, client: &reqwest::Client) -> Value {
    let (status, body) = call(h, client, "sync/templates", &[("tenant", FABRIKAM)]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_write_that_stops_part_way_says_what_changed_and_is_audited_step_by_step() {
    let h = harness().await;
    let b = browser();
    sign_in(&h, &b, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    // The second call of the save (the identity sync template) fails on every retry; the first
    // is made.
    inject_fault(
        &h,
        json!({"pathPrefix": SYNC_TEMPLATE, "tenant": FABRIKAM, "kind": "unavailable", "times": 4}),
    )
    .await;
    let body = refused(&h, &b, "sync/templates/save", &template_form("on"), 502).await;
    assert!(
        body.contains("Changed: save the partner template.")
            && body.contains("Not changed: save the identity sync template."),
        "{body}"
    );
    // It is true: the partner template was saved.
    let after = templates(&h, &b).await;
    assert_eq!(after["form"]["redeem_inbound"], "on", "{after}");

    let entries = audit(&h, &b).await;
    let save = entries
        .iter()
        .find(|e| e["action"] == "save-templates")
        .unwrap();
    assert_eq!(save["outcome"], "partial", "{save}");
    let steps = save["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{save}");
    assert_eq!(steps[0]["label"], "save the partner template");
    assert_eq!(steps[0]["outcome"], "success");
    assert_eq!(steps[0]["method"], "PATCH");
    assert!(steps[0]["request_id"].is_string(), "{save}");
    assert_eq!(steps[1]["outcome"], "failure");
    assert!(steps[1]["request_id"].is_string(), "{save}");
    assert!(save["finished"].as_i64().unwrap() >= save["at"].as_i64().unwrap());
}

#[tokio::test]
async fn a_write_whose_request_is_abandoned_still_gets_its_outcome() {
    let h = harness().await;
    let b = browser();
    sign_in(&h, &b, WOODGROVE, "admin@woodgrovebank.onmicrosoft.com").await;
    // Pausing takes 2 s at Graph; the person's browser gives up after 300 ms.
    let (status, body) = call(
        &h,
        &b,
        "sync/detail",
        &[("source", WOODGROVE), ("target", FABRIKAM)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let detail: Value = serde_json::from_str(&body).unwrap();
    let job = &detail["job"]["Present"];
    let pause = format!(
        "/v1.0/servicePrincipals/{}/synchronization/jobs/{}/pause",
        job["service_principal_id"].as_str().unwrap(),
        job["job_id"].as_str().unwrap()
    );
    inject_fault(
        &h,
        json!({"pathPrefix": pause, "kind": "latency", "millis": 2_000}),
    )
    .await;
    let impatient = b
        .post(format!("{}/api/sync/pause", h.dashboard))
        .header("origin", &h.dashboard)
        .header("accept", "application/json")
        .form(&[("source", WOODGROVE), ("target", FABRIKAM)])
        .timeout(std::time::Duration::from_millis(300))
        .send()
        .await;
    assert!(impatient.is_err(), "the request was not abandoned");
    // The write goes on without the request, and its outcome is recorded when Graph answers.
    let mut entry = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let entries = audit(&h, &b).await;
        if let Some(found) = entries.iter().find(|e| e["action"] == "pause-sync") {
            if found["outcome"] != "unknown" {
                entry = found.clone();
                break;
            }
        }
    }
    assert_eq!(entry["outcome"], "success", "{entry}");
    assert!(entry["finished"].as_i64().unwrap() >= entry["at"].as_i64().unwrap());
    assert_eq!(entry["steps"][0]["outcome"], "success", "{entry}");
}

#[tokio::test]
async fn graph_length_limits_are_enforced_before_anything_is_sent_and_audited() {
    let h = harness().await;
    let b = browser();
    sign_in(&h, &b, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let long_name = "N".repeat(257);
    let body = refused(
        &h,
        &b,
        "joins/update",
        &[
            ("tenant", CONTOSO),
            ("name", &long_name),
            ("description", ""),
        ],
        400,
    )
    .await;
    assert!(
        body.contains("The name is 257 characters long; Microsoft Entra accepts at most 256."),
        "{body}"
    );
    let long_description = "d".repeat(1_025);
    let body = refused(
        &h,
        &b,
        "joins/update",
        &[
            ("tenant", CONTOSO),
            ("name", "Contoso group"),
            ("description", &long_description),
        ],
        400,
    )
    .await;
    assert!(body.contains("at most 1024"), "{body}");
    let search = "s".repeat(400_000);
    let body = refused(
        &h,
        &b,
        "sync/users",
        &[("tenant", CONTOSO), ("text", &search)],
        400,
    )
    .await;
    assert!(body.contains("at most 256"), "{body}");

    // The refused writes are in the audit log, their huge inputs cut short.
    let entries = audit(&h, &b).await;
    let updates: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "update-mto")
        .collect();
    assert_eq!(updates.len(), 2, "{entries:?}");
    for entry in updates {
        assert_eq!(entry["outcome"], "refused");
        assert!(entry["inputs"].as_str().unwrap().len() < 4_000, "{entry}");
    }
}
