//! Cross-tenant sync end to end on real sockets: the quarantined Woodgrove → Fabrikam job is
//! explained, fixed in Fabrikam by its admin, restarted in Woodgrove by its admin and syncs at the
//! emulator's next cycle; provision on demand reports its steps; refusals change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{audit, browser, call, inject_fault, refused, sign_in, start_with, Harness};
use emulator::scenario::{CONTOSO, FABRIKAM, NORTHWIND, WOODGROVE};
use emulator::{Clock, Scenario};
use serde_json::Value;

async fn harness() -> Harness {
    start_with(
        Scenario::demo(),
        Clock::manual(time::OffsetDateTime::now_utc()),
    )
    .await
}

async fn detail(h: &Harness, client: &reqwest::Client, source: &str, target: &str) -> Value {
    let (status, body) = call(
        h,
        client,
        "sync/detail",
        &[("source", source), ("target", target)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn job_status(detail: &Value) -> &str {
    detail["job"]["Present"]["status"].as_str().unwrap_or("?")
}

#[tokio::test]
async fn a_quarantine_is_explained_fixed_in_the_target_and_restarted_in_the_source() {
    let h = harness().await;
    let b = browser();
    sign_in(&h, &b, WOODGROVE, "admin@woodgrovebank.onmicrosoft.com").await;
    sign_in(&h, &b, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;

    let (status, body) = call(&h, &b, "sync/list", &[("query[sort]", "problems")]).await;
    assert_eq!(status, 200, "{body}");
    let list: Value = serde_json::from_str(&body).unwrap();
    let first = &list["rows"][0];
    assert_eq!(
        (first["source"].as_str(), first["target"].as_str()),
        (Some(WOODGROVE), Some(FABRIKAM)),
        "problems first: {body}"
    );
    assert_eq!(first["status"], "Quarantine");

    let before = detail(&h, &b, WOODGROVE, FABRIKAM).await;
    assert_eq!(job_status(&before), "Quarantine");
    let explanation = &before["explanation"];
    assert!(explanation["headline"]
        .as_str()
        .unwrap()
        .contains("AzureDirectoryB2BManagementPolicyCheckFailure"));
    assert!(explanation["meaning"]
        .as_str()
        .unwrap()
        .contains("Fabrikam must allow inbound user sync from Woodgrove Bank"));
    assert!(explanation["meanwhile"]
        .as_str()
        .unwrap()
        .contains("four weeks"));
    let mappings = before["mappings"].as_array().unwrap();
    assert_eq!(mappings[0]["target"], "userType");
    assert!(before["log"].as_array().is_some());
    let fixes = before["fixes"].as_array().unwrap();
    let (fix, allowed) = (&fixes[0][0], &fixes[0][1]);
    assert_eq!(fix["id"], "inbound-sync");
    assert_eq!(fix["tenant"], FABRIKAM);
    assert_eq!(
        allowed, true,
        "Fabrikam's Security Administrator may apply it"
    );
    assert!(fix["calls"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/partners/{WOODGROVE}/identitySynchronization")));
    // Woodgrove's admin may operate the job (Global Administrator).
    assert_eq!(before["permissions"]["operate"], true);

    // Every fix is made in Fabrikam (inbound sync, then automatic redemption), each once.
    let mut applied = Vec::new();
    loop {
        let now = detail(&h, &b, WOODGROVE, FABRIKAM).await;
        let Some(next) = now["fixes"].as_array().unwrap().first().cloned() else {
            break;
        };
        let id = next[0]["id"].as_str().unwrap().to_owned();
        assert!(
            !applied.contains(&id),
            "{id} offered again after it was applied"
        );
        assert_eq!(next[0]["tenant"], FABRIKAM);
        let (status, body) = call(
            &h,
            &b,
            "sync/fix",
            &[("from", WOODGROVE), ("to", FABRIKAM), ("fix", &id)],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Done in Fabrikam"), "{body}");
        applied.push(id);
    }
    assert_eq!(applied, ["inbound-sync", "inbound-redemption"]);
    // Applied again: nothing is left to fix, and nothing is sent.
    let body = refused(
        &h,
        &b,
        "sync/fix",
        &[
            ("from", WOODGROVE),
            ("to", FABRIKAM),
            ("fix", "inbound-sync"),
        ],
        400,
    )
    .await;
    assert!(body.contains("Nothing to fix"), "{body}");

    let (status, body) = call(
        &h,
        &b,
        "sync/restart",
        &[
            ("source", WOODGROVE),
            ("target", FABRIKAM),
            ("reset_scope", "Watermark, Escrows, QuarantineState"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    h.clock.advance(60);
    let after = detail(&h, &b, WOODGROVE, FABRIKAM).await;
    assert_eq!(job_status(&after), "Active", "{after}");
    assert!(
        after["job"]["Present"]["synchronized_users"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert!(after["fixes"].as_array().unwrap().is_empty());
    let log = after["log"].as_array().unwrap();
    assert!(log
        .iter()
        .any(|e| e["action"] == "create" && e["status"] == "success"));

    let entries = audit(&h, &b).await;
    for action in ["apply-fix", "restart-sync"] {
        let entry = entries
            .iter()
            .find(|e| e["action"] == action && e["outcome"] != "refused")
            .unwrap();
        assert_eq!(entry["outcome"], "success", "{entry}");
        // Each Graph call of the write is a step of its own, with its outcome.
        let steps = entry["steps"].as_array().unwrap();
        assert!(!steps.is_empty(), "{entry}");
        assert!(steps.iter().all(|s| s["outcome"] == "success"), "{entry}");
    }
    // The fix applied a second time was refused, and that is recorded too.
    let again = entries
        .iter()
        .find(|e| e["action"] == "apply-fix" && e["outcome"] == "refused")
        .unwrap();
    assert!(
        again["error_message"]
            .as_str()
            .unwrap()
            .contains("Nothing to fix"),
        "{again}"
    );
    let fix_entry = entries
        .iter()
        .find(|e| e["action"] == "apply-fix" && e["outcome"] == "success")
        .unwrap();
    assert_eq!(fix_entry["tenant"], FABRIKAM);
    assert_eq!(fix_entry["actor_upn"], "admin@fabrikam.onmicrosoft.com");
}

#[tokio::test]
async fn provision_on_demand_finds_the_user_and_reports_each_step() {
    let h = harness().await;
    let b = browser();
    sign_in(&h, &b, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, body) = call(&h, &b, "sync/users", &[("tenant", CONTOSO), ("text", "ad")]).await;
    assert_eq!(status, 200, "{body}");
    let users: Vec<Value> = serde_json::from_str(&body).unwrap();
    let user = users.first().expect("someone whose name starts with “ad”");
    assert!(users
        .iter()
        .all(|u| !u["user_principal_name"].as_str().unwrap().contains("#EXT#")));
    let (status, body) = call(
        &h,
        &b,
        "sync/provision-on-demand",
        &[
            ("source", CONTOSO),
            ("target", FABRIKAM),
            ("user_id", user["id"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let result: Value = serde_json::from_str(&body).unwrap();
    let steps = result["steps"].as_array().unwrap();
    assert!(steps.len() >= 2, "{result}");
    for kind in ["import", "scoping"] {
        assert!(steps.iter().any(|s| s["kind"] == kind), "{result}");
    }

    let body = refused(
        &h,
        &b,
        "sync/provision-on-demand",
        &[
            ("source", CONTOSO),
            ("target", FABRIKAM),
            ("user_id", "nobody"),
        ],
        400,
    )
    .await;
    assert!(body.contains("is not a user object id"), "{body}");
}

#[tokio::test]
async fn readers_other_tenants_operators_and_helpdesk_are_refused() {
    let h = harness().await;
    let helpdesk = browser();
    sign_in(&h, &helpdesk, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    // Helpdesk Administrator may not read sync jobs (Graph answers 403): said plainly, not
    // mistaken for a configuration that does not exist.
    let seen = detail(&h, &helpdesk, CONTOSO, FABRIKAM).await;
    assert_eq!(seen["job"], "Unknown", "{seen}");
    assert!(
        seen["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("Your role in Contoso cannot see the sync configurations (needs Application Administrator"),
        "{seen}"
    );
    assert_eq!(seen["permissions"]["operate"], false);
    let body = refused(
        &h,
        &helpdesk,
        "sync/start",
        &[("source", CONTOSO), ("target", FABRIKAM)],
        403,
    )
    .await;
    assert!(
        body.contains("Forbidden") && body.contains("Hybrid Identity Administrator"),
        "{body}"
    );
    // Nor edit the templates.
    let body = refused(
        &h,
        &helpdesk,
        "sync/templates/save",
        &[
            ("tenant", CONTOSO),
            ("partner_level", "newPartners,existingPartners"),
            ("redeem_inbound", "on"),
            ("redeem_outbound", "on"),
            ("trust_mfa", "unset"),
            ("trust_compliant_device", "unset"),
            ("trust_hybrid_joined_device", "unset"),
            ("sync_level", "newPartners,existingPartners"),
            ("inbound_sync", "on"),
        ],
        403,
    )
    .await;
    assert!(
        body.contains("Forbidden") && body.contains("Security Administrator"),
        "{body}"
    );
    // Nor read them: Helpdesk Administrator is no policy reader (Graph answers 403).
    let (status, body) = call(&h, &helpdesk, "sync/templates", &[("tenant", CONTOSO)]).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("Forbidden") && body.contains("Security Reader"),
        "{body}"
    );
    // A Global Reader reads them and may not edit them.
    let reader = browser();
    sign_in(
        &h,
        &reader,
        NORTHWIND,
        "reader@northwindtraders.onmicrosoft.com",
    )
    .await;
    let templates: Value = {
        let (status, body) = call(&h, &reader, "sync/templates", &[("tenant", NORTHWIND)]).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    assert_eq!(templates["may_edit"], false);

    // Fabrikam's operator cannot restart Woodgrove's job into Fabrikam: it acts in Woodgrove.
    let ops = browser();
    sign_in(&h, &ops, FABRIKAM, "ops@fabrikam.onmicrosoft.com").await;
    let body = refused(
        &h,
        &ops,
        "sync/restart",
        &[
            ("source", WOODGROVE),
            ("target", FABRIKAM),
            ("reset_scope", ""),
        ],
        401,
    )
    .await;
    assert!(
        body.contains("NotSignedIn") && body.contains("Woodgrove Bank"),
        "{body}"
    );
    // Nor apply the policy fix in Fabrikam: a Hybrid Identity Administrator does not manage policies.
    let body = refused(
        &h,
        &ops,
        "sync/fix",
        &[
            ("from", WOODGROVE),
            ("to", FABRIKAM),
            ("fix", "inbound-sync"),
        ],
        403,
    )
    .await;
    assert!(body.contains("Forbidden"), "{body}");
    // A cross-origin write is refused before anything else.
    let cross = ops
        .post(format!("{}/api/sync/start", h.dashboard))
        .header("origin", "https://evil.example")
        .form(&[("source", FABRIKAM), ("target", CONTOSO)])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert!(cross.text().await.unwrap().contains("CrossOrigin"));
    // Bad input: an invalid tenant id and an unknown restart scope.
    let body = refused(
        &h,
        &ops,
        "sync/restart",
        &[
            ("source", FABRIKAM),
            ("target", CONTOSO),
            ("reset_scope", "Everything"),
        ],
        400,
    )
    .await;
    assert!(body.contains("not a valid reset scope"), "{body}");
    let body = refused(
        &h,
        &ops,
        "sync/detail",
        &[("source", "fabrikam"), ("target", CONTOSO)],
        400,
    )
    .await;
    assert!(body.contains("is not a tenant id"), "{body}");

    // Nothing changed: still quarantined, and no write reached the audit log as a success.
    let woodgrove = browser();
    sign_in(
        &h,
        &woodgrove,
        WOODGROVE,
        "admin@woodgrovebank.onmicrosoft.com",
    )
    .await;
    assert_eq!(
        job_status(&detail(&h, &woodgrove, WOODGROVE, FABRIKAM).await),
        "Quarantine"
    );
    // Every refusal is recorded as such; no write was made.
    let entries = audit(&h, &helpdesk).await;
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e["outcome"] == "refused"),
        "{entries:?}"
    );
}

#[tokio::test]
async fn templates_are_saved_read_back_and_reset_by_a_security_administrator() {
    let h = harness().await;
    let b = browser();
    sign_in(&h, &b, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let form = |redeem: &'static str, trust: &'static str| {
        vec![
            ("tenant", FABRIKAM),
            ("partner_level", "newPartners"),
            ("redeem_inbound", redeem),
            ("redeem_outbound", redeem),
            ("trust_mfa", trust),
            ("trust_compliant_device", "unset"),
            ("trust_hybrid_joined_device", "off"),
            ("sync_level", "newPartners,existingPartners"),
            ("inbound_sync", "on"),
        ]
    };
    let read = || async {
        let (status, body) = call(&h, &b, "sync/templates", &[("tenant", FABRIKAM)]).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()
    };

    // A bad value is refused before anything is sent.
    let body = refused(&h, &b, "sync/templates/save", &form("maybe", "on"), 400).await;
    assert!(body.contains("is not one of on, off, unset"), "{body}");

    let (status, body) = call(&h, &b, "sync/templates/save", &form("on", "on")).await;
    assert_eq!(status, 200, "{body}");
    let saved = read().await;
    assert_eq!(saved["may_edit"], true);
    let f = &saved["form"];
    assert_eq!(f["partner_level"], "newPartners");
    assert_eq!(f["redeem_inbound"], "on");
    assert_eq!(f["trust_mfa"], "on");
    assert_eq!(f["trust_compliant_device"], "unset");
    assert_eq!(f["trust_hybrid_joined_device"], "off");
    assert_eq!(f["inbound_sync"], "on");

    let (status, body) = call(&h, &b, "sync/templates/reset", &[("tenant", FABRIKAM)]).await;
    assert_eq!(status, 200, "{body}");
    let reset = read().await;
    for field in [
        "redeem_inbound",
        "redeem_outbound",
        "trust_mfa",
        "inbound_sync",
    ] {
        assert_eq!(reset["form"][field], "unset", "{field}");
    }

    let entries = audit(&h, &b).await;
    for action in ["save-templates", "reset-templates"] {
        let entry = entries.iter().find(|e| e["action"] == action).unwrap();
        assert_eq!(entry["outcome"], "success", "{entry}");
        assert_eq!(entry["tenant"], FABRIKAM);
    }
}

#[tokio::test]
async fn graph_failures_degrade_the_sync_section_and_a_failed_action_is_audited() {
    let h = harness().await;
    let b = browser();
    sign_in(&h, &b, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    // The mesh is read while Graph is well (the actions use its snapshot).
    let healthy = detail(&h, &b, CONTOSO, FABRIKAM).await;
    assert!(healthy["log"].is_array(), "{healthy}");
    // The scope is a group, named (the demo assigns Contoso's sync group, not its 60 users).
    assert_eq!(
        healthy["scope"],
        serde_json::json!({"sync_all": false, "assigned": [{"name": "Contoso – Group sync", "kind": "Group"}], "filters": []}),
    );

    // The provisioning log is down: the section still shows the job, scope and mappings, and says
    // what is missing.
    inject_fault(
        &h,
        serde_json::json!({"pathPrefix": "/v1.0/auditLogs/provisioning", "tenant": CONTOSO, "kind": "unavailable"}),
    )
    .await;
    let degraded = detail(&h, &b, CONTOSO, FABRIKAM).await;
    assert_eq!(job_status(&degraded), "Active");
    assert!(degraded["mappings"].is_array(), "{degraded}");
    assert!(degraded["log"].is_null(), "{degraded}");
    let problems = degraded["problems"].to_string();
    assert!(problems.contains("provisioning log"), "{problems}");

    // Pausing while the service principals are unavailable: refused as Graph's failure, and the
    // attempt is in the audit log with its outcome.
    inject_fault(
        &h,
        serde_json::json!({"pathPrefix": "/v1.0/servicePrincipals", "tenant": CONTOSO, "kind": "unavailable"}),
    )
    .await;
    let body = refused(
        &h,
        &b,
        "sync/pause",
        &[("source", CONTOSO), ("target", FABRIKAM)],
        502,
    )
    .await;
    assert!(body.contains("Upstream"), "{body}");
    let entries = audit(&h, &b).await;
    let pause = entries
        .iter()
        .find(|e| e["action"] == "pause-sync")
        .unwrap();
    assert_eq!(pause["outcome"], "failure", "{pause}");
    assert_eq!(pause["tenant"], CONTOSO);
    assert!(pause["error_message"].as_str().is_some(), "{pause}");
}

#[tokio::test]
async fn the_provisioning_log_is_narrowed_by_outcome_and_an_unknown_outcome_is_refused() {
    let h = harness().await;
    let b = browser();
    sign_in(&h, &b, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let log = |outcome: &'static str| {
        let (h, b) = (&h, &b);
        async move {
            let (status, body) = call(
                h,
                b,
                "sync/detail",
                &[
                    ("source", CONTOSO),
                    ("target", FABRIKAM),
                    ("outcome", outcome),
                ],
            )
            .await;
            assert_eq!(status, 200, "{body}");
            let detail: Value = serde_json::from_str(&body).unwrap();
            detail["log"].as_array().unwrap().clone()
        }
    };
    let all = log("").await;
    let succeeded = log("success").await;
    assert!(
        !succeeded.is_empty(),
        "the healthy job has provisioned users"
    );
    assert!(succeeded.iter().all(|e| e["status"] == "success"));
    let failed = log("failure").await;
    assert!(failed.iter().all(|e| e["status"] == "failure"));
    assert!(
        all.len() >= succeeded.len(),
        "the unfiltered log holds at least as many"
    );
    let body = refused(
        &h,
        &b,
        "sync/detail",
        &[
            ("source", CONTOSO),
            ("target", FABRIKAM),
            ("outcome", "success' or 1 eq 1"),
        ],
        400,
    )
    .await;
    assert!(
        body.contains("success, failure, skipped, warning"),
        "names the outcomes: {body}"
    );
}
