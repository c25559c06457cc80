//! `scale:N:M` as the emulator binary and the dashboard load it (`Scenario::named`, the meshed
//! variant): a ring of cross-tenant sync jobs with one quarantined and one paused, read through
//! Graph the way a client reads them (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`);
//! and `Scenario::scale`, the benchmarks' scenario, left as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, http, start_with, user_token};
use emulator::Scenario;
use reqwest::Method;
use serde_json::Value;

const TEMPLATE: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";

/// The id of Tenant `number` (1-based) of a scale scenario.
fn tenant(scenario: &Scenario, number: usize) -> String {
    scenario.tenants[number - 1].id.clone()
}

fn admin(number: usize) -> String {
    format!("admin@tenant{number:03}.onmicrosoft.com")
}

/// The tenant's cross-tenant sync configurations with their jobs: `(display name, job)`.
async fn jobs(base: &str, token: &str) -> Vec<(String, Value)> {
    let (status, sps) = call(
        base,
        token,
        Method::GET,
        &format!("/servicePrincipals?$filter=applicationTemplateId eq '{TEMPLATE}'"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{sps}");
    let mut found = Vec::new();
    for sp in sps["value"].as_array().unwrap() {
        let (status, jobs) = call(
            base,
            token,
            Method::GET,
            &format!(
                "/servicePrincipals/{}/synchronization/jobs",
                sp["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
        assert_eq!(status, 200, "{jobs}");
        for job in jobs["value"].as_array().unwrap() {
            found.push((sp["displayName"].as_str().unwrap().to_owned(), job.clone()));
        }
    }
    found
}

/// The one job of Tenant `number`, to the next tenant of the ring.
async fn ring_job(base: &str, scenario: &Scenario, number: usize) -> Value {
    let token = user_token(base, &tenant(scenario, number), &admin(number)).await;
    let mut found = jobs(base, &token).await;
    assert_eq!(found.len(), 1, "one configuration in Tenant {number:03}");
    let (name, job) = found.remove(0);
    let next = number % scenario.tenants.len() + 1;
    assert_eq!(name, format!("MTO_Sync_{}", tenant(scenario, next)));
    job
}

#[tokio::test]
async fn named_scale_has_a_ring_with_tenant_042_to_043_quarantined_and_010_to_011_paused() {
    let scenario = Scenario::named("scale:100:300").unwrap();
    let e = start_with(scenario.clone()).await;

    let quarantined = ring_job(&e.base, &scenario, 42).await;
    let status = &quarantined["status"];
    assert_eq!(status["code"], "Quarantine", "{quarantined}");
    assert_eq!(
        status["quarantine"]["error"]["code"],
        "AzureDirectoryB2BManagementPolicyCheckFailure"
    );
    assert_eq!(quarantined["schedule"]["state"], "Active");

    // The cause, as Tenant 043 reads its own settings for Tenant 042.
    let target = user_token(&e.base, &tenant(&scenario, 43), &admin(43)).await;
    let (status, policy) = call(
        &e.base,
        &target,
        Method::GET,
        &format!(
            "/policies/crossTenantAccessPolicy/partners/{}/identitySynchronization",
            tenant(&scenario, 42)
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{policy}");
    assert_eq!(policy["userSyncInbound"]["isSyncAllowed"], false);

    let paused = ring_job(&e.base, &scenario, 10).await;
    assert_eq!(paused["schedule"]["state"], "Paused", "{paused}");
    assert_eq!(paused["status"]["code"], "Paused");

    // The others sync their small scope: the first tenant's, the one after the quarantine, and
    // the last (back to the first).
    for number in [1, 43, 100] {
        let job = ring_job(&e.base, &scenario, number).await;
        assert_eq!(job["status"]["code"], "Active", "Tenant {number:03}: {job}");
        assert!(job["status"]["quarantine"].is_null());
        assert_eq!(
            job["status"]["synchronizedEntryCountByType"][0]["value"], 3,
            "Tenant {number:03}: {job}"
        );
    }

    // Tenant 002: its admin, its 5 generated members and the 3 synced from Tenant 001.
    let second = user_token(&e.base, &tenant(&scenario, 2), &admin(2)).await;
    let (status, users) = call(&e.base, &second, Method::GET, "/users?$top=999", None).await;
    assert_eq!(status, 200, "{users}");
    assert_eq!(users["value"].as_array().unwrap().len(), 9, "{users}");

    // The reset (the dashboard's `POST /demo/reset`) goes back to the same scenario.
    let reset = http()
        .post(format!("{}/_emulator/reset", e.base))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    let again = ring_job(&e.base, &scenario, 42).await;
    assert_eq!(again["status"]["code"], "Quarantine", "{again}");
}

#[tokio::test]
async fn scale_itself_keeps_its_ring_with_nobody_in_scope() {
    let scenario = Scenario::scale(3, 4);
    let e = start_with(scenario.clone()).await;
    for number in 1..=3 {
        let job = ring_job(&e.base, &scenario, number).await;
        assert_eq!(job["status"]["code"], "Active", "{job}");
        assert!(job["status"]["quarantine"].is_null());
    }
    let second = user_token(&e.base, &tenant(&scenario, 2), &admin(2)).await;
    let (_, users) = call(&e.base, &second, Method::GET, "/users", None).await;
    assert_eq!(
        users["value"].as_array().unwrap().len(),
        1,
        "only its admin: {users}"
    );
}
