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

/// Contoso's configuration syncing to Fabrikam, in the emulator.
fn contoso_to_fabrikam(world: &mut emulator::World) -> &mut emulator::sync_state::Configuration {
    world
        .sync
        .get_mut(CONTOSO)
        .unwrap()
        .iter_mut()
        .find(|c| c.target() == Some(FABRIKAM))
        .unwrap()
}

/// The ids of the users of Contoso's group sync group (the scope of Contoso → Fabrikam), in
/// order.
fn synced_group_members(h: &Harness) -> Vec<String> {
    let world = h.world.world();
    world.groups[CONTOSO]
        .iter()
        .find(|g| g.display_name == emulator::groups_state::CONTOSO_GROUP_SYNC)
        .unwrap()
        .direct_users()
        .map(str::to_owned)
        .collect()
}

/// A scoping filter letting through the users with these object ids.
fn only(ids: &[&str]) -> graph::sync::ScopeFilter {
    graph::sync::ScopeFilter {
        groups: ids
            .iter()
            .map(|id| graph::sync::FilterGroup {
                name: format!("only {id}"),
                clauses: vec![graph::sync::FilterClause {
                    operator_name: "EQUALS".into(),
                    source_operand_name: "objectId".into(),
                    target_operand: graph::sync::FilterOperand {
                        values: vec![(*id).to_owned()],
                    },
                }],
            })
            .collect(),
        ..graph::sync::ScopeFilter::default()
    }
}

/// Sets the user mapping of Contoso → Fabrikam: its scoping filter and its `userType` constant.
fn set_user_mapping(h: &Harness, filter: Option<graph::sync::ScopeFilter>, user_type: &str) {
    let mut world = h.world.world();
    let job = contoso_to_fabrikam(&mut world).jobs.first_mut().unwrap();
    let mapping = job.schema.synchronization_rules[0]
        .object_mappings
        .iter_mut()
        .find(|m| m.source_object_name == "User")
        .unwrap();
    mapping.scope = filter;
    let source = mapping
        .attribute_mappings
        .iter_mut()
        .find(|a| a.target_attribute_name == "userType")
        .unwrap()
        .source
        .as_mut()
        .unwrap();
    source.name = Some(user_type.to_owned());
    source.expression = Some(format!("\"{user_type}\""));
}

/// Contoso's users synced into Fabrikam: (display name, userType) of the active copies, and the
/// display names of the deleted ones.
fn copies_in_fabrikam(h: &Harness) -> (Vec<(String, String)>, Vec<String>) {
    let now = h.clock.unix();
    let world = h.world.world_now();
    let from_contoso = |u: &emulator::users_state::User| {
        u.synced_from
            .as_ref()
            .is_some_and(|s| s.tenant_id == CONTOSO)
    };
    let active = world.users[FABRIKAM]
        .iter()
        .filter(|u| from_contoso(u))
        .map(|u| (u.display_name.clone(), u.user_type.to_owned()))
        .collect();
    let deleted = world
        .deleted
        .users(FABRIKAM, now)
        .into_iter()
        .filter(|d| from_contoso(&d.user))
        .map(|d| d.user.display_name.clone())
        .collect();
    (active, deleted)
}

/// The names a what-if lists under `label` ("Soft-deleted: A, B and 3 more").
fn named(item: &Value, label: &str) -> Vec<String> {
    item["what_if_names"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|line| line.as_str()?.strip_prefix(&format!("{label}: ")))
        .flat_map(|names| names.split(" and ").next().unwrap().split(", "))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_scope_restore_says_who_it_moves_and_the_next_cycle_does_just_that() {
    let h = start().await;
    let members = synced_group_members(&h);
    assert_eq!(members.len(), 60);
    let kept = [members[3].as_str(), members[17].as_str()];
    // The baseline: only two of the group's members in scope, as guests.
    set_user_mapping(&h, Some(only(&kept)), "Guest");
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    sign_in(&h, &client, FABRIKAM, "admin@fabrikam.onmicrosoft.com").await;
    let taken = json(&h, &client, "drift/snapshot", &[]).await;
    json(
        &h,
        &client,
        "drift/baseline",
        &[("snapshot", &taken["id"].as_i64().unwrap().to_string())],
    )
    .await;
    // Behind the dashboard's back, before any cycle ran: the filter dropped, members again. The
    // 60 synced copies in Fabrikam are members.
    set_user_mapping(&h, None, "Member");
    let (active, deleted) = copies_in_fabrikam(&h);
    assert_eq!(active.len(), 60);
    assert!(active.iter().all(|(_, t)| t == "Member") && deleted.is_empty());

    let items = drift_items(&h, &client).await;
    let scope = items
        .iter()
        .find(|i| i["change"]["field"].as_str().unwrap().ends_with("].scope"))
        .unwrap_or_else(|| panic!("{items:#?}"));
    let restore = &scope["restore"];
    assert_eq!(restore["what_if_target"], "Fabrikam", "{restore:#}");
    assert_eq!(
        restore["what_if"], "58 users soft-deleted in Fabrikam.",
        "{restore:#}"
    );
    let to_delete = named(restore, "Soft-deleted");
    assert_eq!(to_delete.len(), 5, "{restore:#}");
    // The userType constant set back: every copy becomes a guest.
    let user_type = items
        .iter()
        .find(|i| {
            i["change"]["field"]
                .as_str()
                .unwrap()
                .ends_with("attributeMappings[userType].source.name")
        })
        .unwrap_or_else(|| panic!("{items:#?}"));
    assert_eq!(
        user_type["restore"]["what_if"], "60 users converted from Member to Guest in Fabrikam.",
        "{user_type:#}"
    );
    assert_eq!(
        named(&user_type["restore"], "Converted from Member to Guest").len(),
        5
    );
    // The page says it too.
    let html = crate::common::page(&h, &client, "/drift").await;
    assert!(html.contains("Who changes in Fabrikam"), "{html}");
    assert!(html.contains("58 users soft-deleted in Fabrikam."));

    // Signed in to Contoso only: who would change is unknown, and the page says why.
    let contoso_only = browser();
    sign_in(&h, &contoso_only, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let unknown = drift_items(&h, &contoso_only).await;
    let scope_unknown = unknown
        .iter()
        .find(|i| i["id"] == scope["id"])
        .unwrap_or_else(|| panic!("{unknown:#?}"));
    assert_eq!(
        scope_unknown["restore"]["what_if"],
        "Sign in to Fabrikam to see who would be created, converted or soft-deleted there."
    );

    // Restored, then the next cycle: exactly the 58 are soft-deleted, the two stay members.
    let (status, body) = call(
        &h,
        &client,
        "drift/restore",
        &[("tenant", CONTOSO), ("item", scope["id"].as_str().unwrap())],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    h.clock.advance(emulator::sync_state::CYCLE_SECONDS);
    let (active, deleted) = copies_in_fabrikam(&h);
    assert_eq!(active.len(), 2, "{active:?}");
    assert!(active.iter().all(|(_, t)| t == "Member"), "{active:?}");
    assert_eq!(deleted.len(), 58);
    for name in &to_delete {
        assert!(deleted.contains(name), "{name} in {deleted:?}");
    }
    // The userType constant is still drifted: set back now, only the two left would become
    // guests (the 58 soft-deleted stay out of scope).
    let items = drift_items(&h, &client).await;
    let user_type = items
        .iter()
        .find(|i| i["id"] == user_type["id"])
        .unwrap_or_else(|| panic!("{items:#?}"));
    assert_eq!(
        user_type["restore"]["what_if"], "2 users converted from Member to Guest in Fabrikam.",
        "{user_type:#}"
    );
}

#[tokio::test]
async fn the_teardown_scope_step_counts_who_it_soft_deletes() {
    let h = start().await;
    let (client, _) = with_baseline(&h).await;
    let plan = json(&h, &client, "drift/teardown", &[("tenant", FABRIKAM)]).await;
    let steps = plan["steps"].as_array().unwrap();
    let scope = steps
        .iter()
        .find(|s| s["object"] == "Assignment" && s["tenant_id"] == CONTOSO)
        .unwrap_or_else(|| panic!("{plan:#}"));
    assert_eq!(scope["what_if_target"], "Fabrikam", "{scope:#}");
    assert_eq!(
        scope["what_if"], "60 users soft-deleted in Fabrikam.",
        "{scope:#}"
    );
    assert_eq!(scope["deprovisions"][0], 60, "{scope:#}");
    // Fabrikam's own configuration to Contoso: this sign-in's role in Fabrikam does not read
    // sync jobs, so who would leave Contoso is unknown, and said to be.
    let back = steps
        .iter()
        .find(|s| s["object"] == "Assignment" && s["tenant_id"] == FABRIKAM)
        .unwrap_or_else(|| panic!("{plan:#}"));
    assert_eq!(back["what_if_target"], "Contoso", "{back:#}");
    assert_eq!(
        back["what_if"],
        "The configuration's sync job could not be read: who would change is unknown.",
        "{back:#}"
    );
    let html = crate::common::page(&h, &client, &format!("/drift?teardown={FABRIKAM}")).await;
    assert!(
        html.contains("60 users soft-deleted in Fabrikam."),
        "{html}"
    );
    // Made, then the next cycle soft-deletes as many.
    let (status, body) = call(
        &h,
        &client,
        "drift/teardown/step",
        &[
            ("tenant", FABRIKAM),
            ("step", scope["id"].as_str().unwrap()),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    h.clock.advance(emulator::sync_state::CYCLE_SECONDS);
    let (active, deleted) = copies_in_fabrikam(&h);
    assert!(active.is_empty(), "{active:?}");
    assert_eq!(deleted.len(), 60);
}

/// A multipart upload of `text` as the page's file field.
async fn upload(h: &Harness, client: &reqwest::Client, text: &str) -> reqwest::Response {
    let boundary = "tenant-mesh-upload-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"s.json\"\r\n\
         Content-Type: application/json\r\n\r\n{text}\r\n--{boundary}--\r\n"
    );
    client
        .post(format!("{}/drift/import", h.dashboard))
        .header("origin", &h.dashboard)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_snapshot_larger_than_any_form_uploads_and_one_beyond_the_limit_is_refused() {
    use app::drift::snapshot::{Snapshot, TenantConfig, MAX_IMPORT_BYTES};
    let h = start().await;
    let client = browser();
    sign_in(&h, &client, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    // Sixty tenants with long notes: about 2 MB, twice the limit of a form.
    let mut big = Snapshot::new(
        "2026-09-01T00:00:00Z".into(),
        "review".into(),
        app::drift::Origin::OnDemand,
    );
    for i in 0..60 {
        big.tenants.insert(
            format!("00000000-0000-4000-8000-{i:012}"),
            TenantConfig {
                display_name: format!("Tenant {i}"),
                read_by: "delegated".into(),
                unread: vec!["x".repeat(32 * 1024)],
                ..TenantConfig::default()
            },
        );
    }
    let text = big.to_json();
    assert!(text.len() > 1024 * 1024);
    let response = upload(&h, &client, &text).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/drift?compare="), "{location}");
    let id = location.trim_start_matches("/drift?compare=");
    let stored = client
        .get(format!("{}/drift/snapshots/{id}.json", h.dashboard))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(stored, text);
    // Beyond the limit: refused, nothing stored.
    let before = json(&h, &client, "drift/view", &[]).await["snapshots"]
        .as_array()
        .unwrap()
        .len();
    let response = upload(&h, &client, &"y".repeat(MAX_IMPORT_BYTES + 128 * 1024)).await;
    assert!(
        response.status() == 413 || response.status() == 303,
        "{}",
        response.status()
    );
    if response.status() == 303 {
        let location = response.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/drift?error="), "{location}");
    }
    let after = json(&h, &client, "drift/view", &[]).await["snapshots"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
}
