//! `/drift` end to end: dashboard and emulator on real sockets, signed in the way a browser is. A
//! snapshot taken and accepted as the baseline; a partner setting and an attribute mapping changed
//! behind the dashboard's back (in the emulator); the drift shows exactly those two fields; each
//! restored through Graph (audited) brings the drift back to none; accepting drift moves the
//! baseline; an export imported again exports byte for byte; refusals change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{browser, call, sign_in, start, Harness};
use emulator::scenario::{roles, CONTOSO, FABRIKAM};
use serde_json::Value;

async fn json(
    h: &Harness,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Value {
    let (status, body) = call(h, client, endpoint, form).await;
    assert_eq!(status, 200, "{endpoint}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn drift_items(h: &Harness, client: &reqwest::Client) -> Vec<Value> {
    let view = json(h, client, "drift/view", &[]).await;
    view["drift"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no drift in {view}"))
}

/// A browser signed in to Contoso and Fabrikam as their Global Administrators, with a baseline.
async fn with_baseline(h: &Harness) -> (reqwest::Client, i64) {
    let client = browser();
    sign_in(h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let taken = json(h, &client, "drift/snapshot", &[]).await;
    let id = taken["id"].as_i64().unwrap();
    assert_eq!(taken["tenants"], 2, "{taken}");
    assert!(taken["objects"].as_u64().unwrap() > 5, "{taken}");
    json(
        h,
        &client,
        "drift/baseline",
        &[("snapshot", &id.to_string())],
    )
    .await;
    assert!(drift_items(h, &client).await.is_empty());
    (client, id)
}

/// Out of band: Contoso trusts Fabrikam's MFA no more, and Contoso's sync to Fabrikam maps
/// `department` from `jobTitle`.
fn change_behind_the_dashboards_back(h: &Harness) -> String {
    let mut world = h.world.world();
    let partner = world
        .policies
        .get_mut(CONTOSO)
        .unwrap()
        .partners
        .get_mut(FABRIKAM)
        .unwrap();
    let trust = partner
        .inbound_trust
        .get_or_insert(graph::policies::InboundTrust {
            is_mfa_accepted: None,
            is_compliant_device_accepted: None,
            is_hybrid_azure_ad_joined_device_accepted: None,
        });
    trust.is_mfa_accepted = Some(!trust.is_mfa_accepted.unwrap_or(false));
    let configuration = world
        .sync
        .get_mut(CONTOSO)
        .unwrap()
        .iter_mut()
        .find(|c| c.target() == Some(FABRIKAM))
        .unwrap();
    let job = configuration.jobs.first_mut().unwrap();
    let mapping = job.schema.synchronization_rules[0]
        .object_mappings
        .iter_mut()
        .find(|m| m.source_object_name == "User")
        .unwrap()
        .attribute_mappings
        .iter_mut()
        .find(|a| a.target_attribute_name == "department")
        .unwrap();
    mapping.source.as_mut().unwrap().name = Some("jobTitle".into());
    configuration.service_principal.id.to_string()
}

#[tokio::test]
async fn drift_shows_exactly_the_changed_fields_and_restoring_them_ends_it() {
    let h = start().await;
    let (client, _) = with_baseline(&h).await;
    let sp = change_behind_the_dashboards_back(&h);
    let items = drift_items(&h, &client).await;
    let fields: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["change"]["object"].as_str().unwrap(),
                i["change"]["key"].as_str().unwrap(),
                i["change"]["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(fields.len(), 2, "{items:#?}");
    // The baseline's trust was inherited (null), so the whole property differs.
    assert!(
        fields
            .iter()
            .any(|f| f.0 == "Partner" && f.1 == FABRIKAM && f.2.starts_with("inboundTrust")),
        "{fields:?}"
    );
    let mapping = fields
        .iter()
        .find(|(object, _, _)| *object == "SyncConfiguration")
        .unwrap();
    assert_eq!(mapping.1, sp);
    assert!(
        mapping
            .2
            .contains("attributeMappings[department].source.name"),
        "{mapping:?}"
    );
    // Each item says the change it would make, before it is made.
    for item in &items {
        let restore = &item["restore"];
        assert!(restore["refused"].is_null(), "{item}");
        let request = restore["request"].as_str().unwrap();
        match item["change"]["object"].as_str().unwrap() {
            "Partner" => {
                assert!(
                    request.starts_with("PATCH /policies/crossTenantAccessPolicy/partners/"),
                    "{request}"
                );
                assert!(restore["body"].as_str().unwrap().contains("inboundTrust"));
            }
            _ => assert!(
                request.starts_with("PUT /servicePrincipals/") && request.ends_with("/schema"),
                "{request}"
            ),
        }
    }
    for item in &items {
        let (status, body) = call(
            &h,
            &client,
            "drift/restore",
            &[("tenant", CONTOSO), ("item", item["id"].as_str().unwrap())],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Restored in Contoso"), "{body}");
    }
    assert!(drift_items(&h, &client).await.is_empty());
    // Both restores are in the audit log, with their Graph calls.
    let audit = json(&h, &client, "audit/entries", &[]).await;
    let restores = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "restore-drift" && e["outcome"] == "success")
        .count();
    assert_eq!(restores, 2, "{audit:#}");
}

#[tokio::test]
async fn accepted_drift_moves_the_baseline_and_an_old_item_is_refused() {
    let h = start().await;
    let (client, _) = with_baseline(&h).await;
    change_behind_the_dashboards_back(&h);
    let items = drift_items(&h, &client).await;
    let partner = items
        .iter()
        .find(|i| i["change"]["object"] == "Partner")
        .unwrap();
    let id = partner["id"].as_str().unwrap();
    let (status, body) = call(&h, &client, "drift/accept", &[("item", id)]).await;
    assert_eq!(status, 200, "{body}");
    let left = drift_items(&h, &client).await;
    assert_eq!(left.len(), 1, "{left:#?}");
    assert_eq!(left[0]["change"]["object"], "SyncConfiguration");
    // The accepted item is gone: accepting or restoring it again changes nothing.
    let (status, body) = call(
        &h,
        &client,
        "drift/restore",
        &[("tenant", CONTOSO), ("item", id)],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("no longer there"), "{body}");
    let view = json(&h, &client, "drift/view", &[]).await;
    assert_eq!(view["baseline"]["snapshot"]["origin"], "accepted", "{view}");
}

#[tokio::test]
async fn an_export_imports_and_exports_again_byte_for_byte() {
    let h = start().await;
    let (client, id) = with_baseline(&h).await;
    let export = |id: i64| {
        let client = client.clone();
        let url = format!("{}/drift/snapshots/{id}.json", h.dashboard);
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    let first = export(id).await;
    let parsed: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(parsed["format"], "tenant-mesh/snapshot@1");
    assert!(
        !first.contains("CompanyId"),
        "secrets are never in a snapshot"
    );
    let imported = json(&h, &client, "drift/import", &[("json", &first)]).await;
    let again = export(imported["id"].as_i64().unwrap()).await;
    assert_eq!(first, again);
    assert_eq!(imported["origin"], "import");
    // Compared with the live state, nothing differs.
    let view = json(
        &h,
        &client,
        "drift/view",
        &[("compare", &imported["id"].as_i64().unwrap().to_string())],
    )
    .await;
    assert_eq!(view["drift"].as_array().unwrap().len(), 0, "{view}");
    // The upload form (multipart, no JavaScript) goes back to the page comparing with it.
    let boundary = "tenant-mesh-test-boundary";
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"snapshot_text\"\r\n\r\n{first}\r\n\
         --{boundary}--\r\n"
    );
    let response = client
        .post(format!("{}/drift/import", h.dashboard))
        .header("origin", &h.dashboard)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/drift?compare="), "{location}");
    // Not a snapshot: refused with the reason, nothing stored.
    let before = json(&h, &client, "drift/view", &[]).await["snapshots"]
        .as_array()
        .unwrap()
        .len();
    let (status, body) = call(
        &h,
        &client,
        "drift/import",
        &[("json", "{\"format\": \"other\"}")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("format"), "{body}");
    let after = json(&h, &client, "drift/view", &[]).await["snapshots"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn the_helpdesk_sees_drift_but_may_not_restore_it() {
    let h = start().await;
    let (_, _) = with_baseline(&h).await;
    change_behind_the_dashboards_back(&h);
    // A helpdesk account that is a Global Reader: it reads everything and may change nothing.
    h.world
        .world()
        .scenario
        .tenants
        .iter_mut()
        .find(|t| t.id == CONTOSO)
        .and_then(|t| {
            t.accounts
                .iter_mut()
                .find(|a| a.upn == "helpdesk@contoso.onmicrosoft.com")
        })
        .unwrap()
        .role_ids
        .push(roles::GLOBAL_READER.to_owned());
    let helpdesk = browser();
    sign_in(&h, &helpdesk, CONTOSO, "helpdesk@contoso.onmicrosoft.com").await;
    let items = drift_items(&h, &helpdesk).await;
    let partner = items
        .iter()
        .find(|i| i["change"]["object"] == "Partner")
        .unwrap_or_else(|| panic!("{items:#?}"));
    assert!(
        partner["restore"]["refused"]
            .as_str()
            .is_some_and(|r| r.contains("Security Administrator")),
        "{partner}"
    );
    let (status, body) = call(
        &h,
        &helpdesk,
        "drift/restore",
        &[
            ("tenant", CONTOSO),
            ("item", partner["id"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    // Nothing was changed: the drift is still there.
    assert_eq!(drift_items(&h, &helpdesk).await.len(), items.len());
    // Not signed in: no snapshot, no export.
    let stranger = browser();
    let (status, _) = call(&h, &stranger, "drift/snapshot", &[]).await;
    assert_eq!(status, 401);
    let response = stranger
        .get(format!("{}/drift/snapshots/1.json", h.dashboard))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

/// The objects the export holds that tie `departed` to the other tenants: (tenant, kind, key).
fn leftovers(export: &Value, departed: &str) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    for (tenant, config) in export["tenants"].as_object().unwrap() {
        let sections = [("partners", "Partner"), ("identitySync", "IdentitySync")];
        for (section, kind) in sections {
            for key in config[section]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                // The departed tenant's side: its partners that are (or were) in the
                // organization, read or not.
                let related = if tenant == departed {
                    export["tenants"].get(key).is_some() || config["members"].get(key).is_some()
                } else {
                    key == departed
                };
                if related {
                    out.push((tenant.clone(), kind, key.clone()));
                }
            }
        }
        for (sp, configuration) in config["syncConfigurations"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let target = configuration["targetTenantId"].as_str().unwrap_or_default();
            let related = if tenant == departed {
                export["tenants"].get(target).is_some() || config["members"].get(target).is_some()
            } else {
                target == departed
            };
            if related {
                out.push((tenant.clone(), "SyncConfiguration", sp.clone()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn the_teardown_dry_run_lists_every_leftover_on_both_sides_and_steps_are_audited() {
    let h = start().await;
    let (client, id) = with_baseline(&h).await;
    let export: Value = serde_json::from_str(
        &client
            .get(format!("{}/drift/snapshots/{id}.json", h.dashboard))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let plan = json(&h, &client, "drift/teardown", &[("tenant", FABRIKAM)]).await;
    let steps = plan["steps"].as_array().unwrap();
    let mut planned: Vec<(String, &'static str, String)> = steps
        .iter()
        .filter_map(|s| {
            let kind = match s["object"].as_str().unwrap() {
                "Partner" => "Partner",
                "IdentitySync" => "IdentitySync",
                "SyncConfiguration" => "SyncConfiguration",
                _ => return None,
            };
            let tenant = s["tenantId"].as_str().or(s["tenant_id"].as_str()).unwrap();
            // The key is the last path segment of the step's (last) request.
            let request = s["requests"].as_array().unwrap().last().unwrap()["request"]
                .as_str()
                .unwrap();
            let key = request
                .trim_end_matches("/identitySynchronization")
                .rsplit('/')
                .next()
                .unwrap();
            Some((tenant.to_owned(), kind, key.to_owned()))
        })
        .collect();
    planned.sort();
    let expected = leftovers(&export, FABRIKAM);
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(planned, expected);
    // Scope first: the users to be soft-deleted are counted before it changes.
    assert_eq!(steps[0]["object"], "Assignment", "{:#}", steps[0]);
    assert!(steps[0]["description"]
        .as_str()
        .unwrap()
        .contains("soft-deleted"));
    let before = steps.len();
    let first = steps[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        &h,
        &client,
        "drift/teardown/step",
        &[("tenant", FABRIKAM), ("step", &first), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let plan = json(&h, &client, "drift/teardown", &[("tenant", FABRIKAM)]).await;
    assert_eq!(plan["steps"].as_array().unwrap().len(), before - 1);
    // Made once: the same step again is refused and changes nothing.
    let (status, body) = call(
        &h,
        &client,
        "drift/teardown/step",
        &[("tenant", FABRIKAM), ("step", &first), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let audit = json(&h, &client, "audit/entries", &[]).await;
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "teardown-step" && e["outcome"] == "success"));
    // Not a tenant id: refused before anything is read.
    let (status, _) = call(&h, &client, "drift/teardown", &[("tenant", "not-a-tenant")]).await;
    assert_eq!(status, 400);
}
