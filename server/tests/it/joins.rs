//! Joins end to end: writes through the dashboard's server functions on real sockets, the service's
//! rules enforced before anything is sent, every attempted write in the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{
    audit, browser, call, graph_requests, joins_card as card, joins_view, page, sign_in,
    start_with, Harness,
};
use emulator::scenario::{CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN};
use emulator::{Clock, Scenario};
use serde_json::Value;

async fn harness() -> Harness {
    start_with(
        Scenario::demo(),
        Clock::manual(time::OffsetDateTime::now_utc()),
    )
    .await
}

/// The page's data read now, as "Refresh now" asks for it (without it, the snapshot of the last
/// few seconds: `load.rs`).
async fn joins(h: &Harness, client: &reqwest::Client) -> Value {
    joins_view(h, client, true).await
}

#[tokio::test]
async fn contoso_adds_tailspin_by_domain_and_tailspin_joins() {
    let h = harness().await;
    let contoso = browser();
    sign_in(&h, &contoso, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, body) = call(
        &h,
        &contoso,
        "joins/resolve",
        &[
            ("tenant", CONTOSO),
            ("query", "tailspintoys.onmicrosoft.com"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let resolved: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(resolved["display_name"], "Tailspin Toys");
    assert_eq!(resolved["tenant_id"], TAILSPIN);
    let (status, body) = call(
        &h,
        &contoso,
        "joins/add",
        &[("tenant", CONTOSO), ("target", TAILSPIN)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("pending until its admin joins"));

    let tailspin = browser();
    sign_in(
        &h,
        &tailspin,
        TAILSPIN,
        "admin@tailspintoys.onmicrosoft.com",
    )
    .await;
    let view = joins(&h, &tailspin).await;
    let request = &card(&view, TAILSPIN)["request"];
    assert_eq!(request["owner_tenant_id"], CONTOSO);
    assert_eq!(request["organization"], "Contoso Group");
    let (status, body) = call(
        &h,
        &tailspin,
        "joins/approve",
        &[("tenant", TAILSPIN), ("owner", CONTOSO)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let running = joins(&h, &tailspin).await;
    assert_eq!(card(&running, TAILSPIN)["request"]["status"], "notStarted");
    h.clock.advance(30);
    let done = joins(&h, &tailspin).await;
    assert_eq!(card(&done, TAILSPIN)["state"], "active");
    assert!(card(&done, TAILSPIN)["request"].is_null());

    let mesh = page(&h, &contoso, &format!("/pairs/{CONTOSO}/{TAILSPIN}")).await;
    assert!(mesh.contains("Marked as MTO partner"));
    let entries = audit(&h, &contoso).await;
    let add = entries
        .iter()
        .find(|e| e["action"] == "add-tenant")
        .unwrap();
    assert_eq!(add["outcome"], "success");
    assert_eq!(add["actor_upn"], "admin@contoso.onmicrosoft.com");
    assert!(add["request_id"].is_string());
    let approvals = audit(&h, &tailspin).await;
    assert!(approvals
        .iter()
        .any(|e| e["action"] == "approve-join" && e["outcome"] == "success"));
}

#[tokio::test]
async fn refusals_are_clear_and_change_nothing() {
    let h = harness().await;
    let fabrikam = browser();
    sign_in(&h, &fabrikam, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let (status, body) = call(
        &h,
        &fabrikam,
        "joins/add",
        &[("tenant", FABRIKAM), ("target", TAILSPIN)],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("Only an active owner tenant can add tenants"),
        "{body}"
    );

    let reader = browser();
    sign_in(
        &h,
        &reader,
        NORTHWIND,
        "reader@northwindtraders.onmicrosoft.com",
    )
    .await;
    let (status, body) = call(
        &h,
        &reader,
        "joins/approve",
        &[("tenant", NORTHWIND), ("owner", CONTOSO)],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("Forbidden") && body.contains("Security Administrator"),
        "{body}"
    );

    let contoso = browser();
    sign_in(&h, &contoso, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, body) = call(
        &h,
        &contoso,
        "joins/approve",
        &[("tenant", NORTHWIND), ("owner", CONTOSO)],
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body.contains("NotSignedIn") && body.contains("Northwind Traders"),
        "{body}"
    );
    let (status, body) = call(
        &h,
        &contoso,
        "joins/remove",
        &[("tenant", CONTOSO), ("target", CONTOSO), ("confirm", "on")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("only active owner"), "{body}");
    let (status, body) = call(
        &h,
        &contoso,
        "joins/remove",
        &[("tenant", CONTOSO), ("target", FABRIKAM)],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Tick the confirmation"), "{body}");

    let cross = contoso
        .post(format!("{}/api/joins/add", h.dashboard))
        .header("origin", "https://evil.example")
        .form(&[("tenant", CONTOSO), ("target", TAILSPIN)])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert!(cross.text().await.unwrap().contains("CrossOrigin"));

    // Nothing changed: Tailspin is still outside, Contoso still the owner; every refusal is in
    // the audit log as refused, with its reason, and nothing else is.
    let view = joins(&h, &contoso).await;
    let members = card(&view, CONTOSO)["members"].as_array().unwrap();
    assert!(members.iter().all(|m| m["tenant_id"] != TAILSPIN));
    assert!(members
        .iter()
        .any(|m| m["tenant_id"] == CONTOSO && m["role"] == "owner"));
    let entries = audit(&h, &contoso).await;
    assert!(!entries.is_empty());
    for entry in &entries {
        assert_eq!(entry["outcome"], "refused", "{entry}");
        assert_eq!(entry["actor_upn"], "admin@contoso.onmicrosoft.com");
        assert!(entry["finished"].is_i64(), "{entry}");
        assert!(entry["steps"].as_array().unwrap().is_empty(), "{entry}");
    }
    let reasons: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["error_message"].as_str())
        .collect();
    for expected in ["only active owner", "Tick the confirmation", "own pages"] {
        assert!(
            reasons.iter().any(|r| r.contains(expected)),
            "{expected}: {reasons:?}"
        );
    }
    assert!(entries
        .iter()
        .any(|e| e["action"] == "add-tenant" && e["tenant"] == CONTOSO));
}

#[tokio::test]
async fn a_failed_join_shows_its_reason_and_recovers_with_reset_and_retry() {
    let h = harness().await;
    let northwind = browser();
    sign_in(
        &h,
        &northwind,
        NORTHWIND,
        "admin@northwindtraders.onmicrosoft.com",
    )
    .await;
    // Joining through the wrong owner fails: Fabrikam did not add Northwind.
    let (status, body) = call(
        &h,
        &northwind,
        "joins/approve",
        &[("tenant", NORTHWIND), ("owner", FABRIKAM)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    h.clock.advance(30);
    let failed = joins(&h, &northwind).await;
    let request = &card(&failed, NORTHWIND)["request"];
    assert_eq!(request["status"], "failed");
    assert!(!request["details"].as_str().unwrap().is_empty());

    let (status, body) = call(
        &h,
        &northwind,
        "joins/retry",
        &[("tenant", NORTHWIND), ("owner", CONTOSO)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    h.clock.advance(30);
    let joined = joins(&h, &northwind).await;
    assert_eq!(card(&joined, NORTHWIND)["state"], "active");
    let actions: Vec<String> = audit(&h, &northwind)
        .await
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(actions, ["reset-join success", "approve-join success"]);
}

#[tokio::test]
async fn northwind_declines_and_contoso_sees_it() {
    let h = harness().await;
    let northwind = browser();
    sign_in(
        &h,
        &northwind,
        NORTHWIND,
        "admin@northwindtraders.onmicrosoft.com",
    )
    .await;
    let (status, body) = call(
        &h,
        &northwind,
        "joins/decline",
        &[("tenant", NORTHWIND), ("owner", CONTOSO)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let contoso = browser();
    sign_in(&h, &contoso, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let view = joins(&h, &contoso).await;
    let member = card(&view, CONTOSO)["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["tenant_id"] == NORTHWIND)
        .unwrap()
        .clone();
    assert_eq!(
        member["declined"]["decided_by"],
        "admin@northwindtraders.onmicrosoft.com"
    );
    let html = page(&h, &contoso, "/audit").await;
    assert!(
        html.contains("No changes recorded"),
        "Contoso cannot read Northwind's audit entries"
    );
    let csv = northwind
        .get(format!(
            "{}/audit/export.csv?action=decline-join",
            h.dashboard
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("\"decline-join\""));
}

/// What a client of the dashboard might send where a tenant is named: path traversal with either
/// slash, encoded dots and slashes, quotes that would end the OData literal, query and fragment
/// characters, spaces, look-alike letters and labels too long for DNS.
const HOSTILE: &[&str] = &[
    "fabrikam.com\\..\\..\\users\\admin@contoso.onmicrosoft.com",
    "fabrikam.com/../../users",
    "fabrikam.com%2F..%2Fusers",
    "%2e%2e",
    "fabrikam%2ecom",
    "fabrikam.com%27",
    "fabrikam.com'",
    "fabrikam.com')/users",
    "fabrikam.com?$select=id",
    "fabrikam.com#x",
    "fabrikam .com",
    "fаbrikam.com",
    "contoso.onmicrosoft.com\u{200b}",
];

#[tokio::test]
async fn hostile_tenant_names_are_refused_before_anything_reaches_graph() {
    let h = harness().await;
    let contoso = browser();
    sign_in(&h, &contoso, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let admin = browser();
    sign_in(&h, &admin, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let northwind = browser();
    sign_in(
        &h,
        &northwind,
        NORTHWIND,
        "admin@northwindtraders.onmicrosoft.com",
    )
    .await;
    let long = format!("{}.com", "a".repeat(64));
    let inputs: Vec<&str> = HOSTILE.iter().copied().chain([long.as_str()]).collect();
    let before = graph_requests(&h);
    for input in inputs {
        let calls = [
            (&contoso, "joins/resolve", CONTOSO, "query"),
            (&admin, "joins/add", CONTOSO, "target"),
            (&northwind, "joins/approve", NORTHWIND, "owner"),
        ];
        for (client, endpoint, tenant, field) in calls {
            let form = [("tenant", tenant), (field, input)];
            let (status, body) = call(&h, client, endpoint, &form).await;
            assert_eq!(status, 400, "{endpoint} {input:?}: {body}");
            assert!(
                body.contains("is neither a tenant id"),
                "{endpoint} {input:?} says why: {body}"
            );
        }
    }
    assert_eq!(graph_requests(&h), before, "no refused input reached Graph");
    // Nothing was attempted: the audit log has the refusals only, each with its reason.
    let entries = audit(&h, &admin).await;
    assert!(!entries.is_empty());
    for entry in &entries {
        assert_eq!(entry["outcome"], "refused", "{entry}");
        assert!(
            entry["error_message"]
                .as_str()
                .unwrap()
                .contains("is neither a tenant id"),
            "{entry}"
        );
    }
    // A well-formed domain still works for the same account.
    let (status, body) = call(
        &h,
        &contoso,
        "joins/resolve",
        &[("tenant", CONTOSO), ("query", "Fabrikam.OnMicrosoft.com ")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["tenant_id"],
        FABRIKAM
    );
}

#[tokio::test]
async fn the_audit_page_filters_by_every_action_the_dashboard_records() {
    use app::api::audit::AuditAction;
    let h = harness().await;
    let admin = browser();
    sign_in(&h, &admin, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let html = page(&h, &admin, "/audit").await;
    for action in AuditAction::ALL {
        assert!(
            html.contains(&format!("value=\"{}\"", action.as_str())),
            "the action filter offers {action}"
        );
        assert!(html.contains(action.label()), "{action} is labelled");
    }
    // A sync action and a join action recorded, each found by its own filter.
    let (status, body) = call(
        &h,
        &admin,
        "joins/add",
        &[("tenant", CONTOSO), ("target", TAILSPIN)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &h,
        &admin,
        "sync/pause",
        &[("source", CONTOSO), ("target", FABRIKAM)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for (action, expected) in [
        (AuditAction::AddTenant, 1),
        (AuditAction::PauseSync, 1),
        (AuditAction::StartSync, 0),
    ] {
        let (status, body) = call(
            &h,
            &admin,
            "audit/entries",
            &[("filter[action]", action.as_str())],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let entries: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(entries.len(), expected, "{action}: {body}");
        assert!(entries.iter().all(|e| e["action"] == action.as_str()));
    }
}

#[tokio::test]
async fn a_join_asked_from_outside_any_mto_fails_later_and_says_why() {
    let h = harness().await;
    let tailspin = browser();
    sign_in(
        &h,
        &tailspin,
        TAILSPIN,
        "admin@tailspintoys.onmicrosoft.com",
    )
    .await;
    // Nobody added Tailspin: Graph accepts the request and fails it asynchronously.
    let (status, body) = call(
        &h,
        &tailspin,
        "joins/approve",
        &[("tenant", TAILSPIN), ("owner", CONTOSO)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    h.clock.advance(30);
    let seen = joins(&h, &tailspin).await;
    let card = card(&seen, TAILSPIN);
    assert_eq!(card["organization"], Value::Null, "{card}");
    let request = &card["request"];
    assert_eq!(request["status"], "failed", "{card}");
    assert!(
        request["details"]
            .as_str()
            .unwrap()
            .contains("DirectoryService Exception"),
        "{request}"
    );
    assert_eq!(request["owner_tenant_id"], CONTOSO);
    let html = page(&h, &tailspin, "/joins").await;
    assert!(
        html.contains("Reset and retry"),
        "the failed request can be reset"
    );
}
