//! The fault soak: 200 writes of every kind while a fifth of Graph's answers are faults (throttling,
//! outages, stalls past the client's timeout, dropped connections). No panic, every attempt in the
//! audit log gets its outcome, and no write reaches Graph twice (the emulator's request log, where
//! a retried call keeps its `client-request-id`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use crate::common::{audit, browser, call, inject_fault, sign_in, start_configured, Harness};
use emulator::scenario::{CONTOSO, FABRIKAM, TAILSPIN, WOODGROVE};
use emulator::{Clock, Scenario};
use futures_util::future::join_all;
use serde_json::{json, Value};

const WRITES: usize = 200;
const BATCH: usize = 25;

/// The `n`th write of the soak: every kind the dashboard makes, in turn.
fn write(n: usize, user: &str) -> (&'static str, Vec<(&'static str, String)>) {
    let s = |v: &str| v.to_owned();
    let on_off = if n.is_multiple_of(2) { "on" } else { "off" };
    let pair = || vec![("source", s(CONTOSO)), ("target", s(FABRIKAM))];
    match n % 11 {
        0 => (
            "joins/update",
            vec![
                ("tenant", s(CONTOSO)),
                ("name", format!("Contoso group {n}")),
                ("description", s("")),
            ],
        ),
        1 => (
            "sync/templates/save",
            vec![
                ("tenant", s(FABRIKAM)),
                ("partner_level", s("newPartners")),
                ("redeem_inbound", s(on_off)),
                ("redeem_outbound", s(on_off)),
                ("trust_mfa", s("unset")),
                ("trust_compliant_device", s("unset")),
                ("trust_hybrid_joined_device", s("unset")),
                ("sync_level", s("newPartners")),
                ("inbound_sync", s("on")),
            ],
        ),
        2 => ("sync/templates/reset", vec![("tenant", s(FABRIKAM))]),
        3 => ("sync/pause", pair()),
        4 => ("sync/start", pair()),
        5 => {
            let mut form = pair();
            form.push(("reset_scope", s("Watermark")));
            ("sync/restart", form)
        }
        6 => {
            let mut form = pair();
            form.push(("user_id", s(user)));
            ("sync/provision-on-demand", form)
        }
        7 => (
            "joins/role",
            vec![
                ("tenant", s(CONTOSO)),
                ("target", s(FABRIKAM)),
                (
                    "role",
                    s(if n.is_multiple_of(2) {
                        "member"
                    } else {
                        "owner"
                    }),
                ),
            ],
        ),
        8 => (
            "joins/add",
            vec![("tenant", s(CONTOSO)), ("target", s(TAILSPIN))],
        ),
        9 => (
            "joins/remove",
            vec![
                ("tenant", s(CONTOSO)),
                ("target", s(TAILSPIN)),
                ("confirm", s("on")),
            ],
        ),
        _ => (
            "sync/fix",
            vec![
                ("from", s(WOODGROVE)),
                ("to", s(FABRIKAM)),
                ("fix", s("inbound-sync")),
            ],
        ),
    }
}

async fn emulator(h: &Harness, method: reqwest::Method, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(method, format!("{}{path}", h.emulator))
        .send()
        .await
        .unwrap()
}

/// Writes the emulator served more than once under one `client-request-id`.
async fn writes_served_twice(h: &Harness) -> Vec<Value> {
    let log: Value = emulator(h, reqwest::Method::GET, "/_emulator/requests")
        .await
        .json()
        .await
        .unwrap();
    let mut served: HashMap<String, Vec<Value>> = HashMap::new();
    for entry in log["value"].as_array().unwrap() {
        // Throttled (429, the emulator's own limits as Graph's) means not carried out: retrying
        // it is right (https://learn.microsoft.com/graph/throttling).
        if entry["method"] == "GET" || !entry["fault"].is_null() || entry["status"] == 429 {
            continue;
        }
        let id = entry["clientRequestId"].as_str().unwrap_or_default();
        served.entry(id.to_owned()).or_default().push(entry.clone());
    }
    served
        .into_values()
        .filter(|entries| entries.len() > 1)
        .flatten()
        .collect()
}

#[tokio::test]
async fn a_fault_soak_loses_no_outcome_and_sends_no_write_twice() {
    let h = start_configured(Scenario::demo(), Clock::real(), |settings| {
        settings.graph_timeout_secs = 1;
    })
    .await;
    let b = browser();
    sign_in(&h, &b, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(&h, &b, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    sign_in(&h, &b, WOODGROVE, "admin@woodgrovebank.onmicrosoft.com").await;
    let (status, body) = call(&h, &b, "sync/users", &[("tenant", CONTOSO), ("text", "ad")]).await;
    assert_eq!(status, 200, "{body}");
    let users: Vec<Value> = serde_json::from_str(&body).unwrap();
    let user = users[0]["id"].as_str().unwrap().to_owned();

    let faults = [
        json!({"kind": "throttle", "retryAfter": 0}),
        json!({"kind": "unavailable"}),
        // Past the dashboard's 1 s Graph timeout.
        json!({"kind": "latency", "millis": 1_200}),
        json!({"kind": "drop"}),
    ];
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for batch in 0..WRITES / BATCH {
        emulator(&h, reqwest::Method::DELETE, "/_emulator/faults").await;
        emulator(&h, reqwest::Method::DELETE, "/_emulator/requests").await;
        let mut rule = faults[batch % faults.len()].clone();
        rule["pathPrefix"] = json!("/v1.0/");
        rule["ratio"] = json!(0.2);
        inject_fault(&h, rule.clone()).await;
        // A batch's writes at once, as several admins' browsers would send them.
        let answers = join_all((batch * BATCH..(batch + 1) * BATCH).map(|n| {
            let (h, b, user) = (&h, &b, &user);
            async move {
                let (endpoint, form) = write(n, user);
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let (status, body) = call(h, b, endpoint, &form).await;
                (endpoint, status, body)
            }
        }))
        .await;
        for (endpoint, status, body) in answers {
            assert!(
                [200, 400, 403, 404, 502].contains(&status),
                "{endpoint} under {rule}: {status} {body}"
            );
            *statuses.entry(status).or_default() += 1;
        }
        // Stalled calls finish at the emulator after the client gave up: wait for them.
        tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
        let twice = writes_served_twice(&h).await;
        assert!(twice.is_empty(), "under {rule}, served twice: {twice:?}");
    }
    emulator(&h, reqwest::Method::DELETE, "/_emulator/faults").await;
    println!("soak: statuses {statuses:?}");
    assert!(
        statuses.get(&200).copied().unwrap_or(0) >= WRITES / 4,
        "{statuses:?}"
    );

    // Every attempt has its outcome.
    let entries = audit(&h, &b).await;
    let attempted = entries.len();
    assert!(attempted >= WRITES / 2, "{attempted} attempts recorded");
    let unfinished: Vec<&Value> = entries.iter().filter(|e| e["finished"].is_null()).collect();
    assert!(unfinished.is_empty(), "without an outcome: {unfinished:?}");
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for entry in &entries {
        *outcomes
            .entry(entry["outcome"].as_str().unwrap().to_owned())
            .or_default() += 1;
        for step in entry["steps"].as_array().unwrap() {
            assert!(
                !step["finished"].is_null(),
                "a step without outcome: {entry}"
            );
        }
    }
    println!("soak: {attempted} audit entries, outcomes {outcomes:?}");

    // The dashboard still serves pages.
    let home = b.get(format!("{}/", h.dashboard)).send().await.unwrap();
    assert_eq!(home.status(), 200);
}
