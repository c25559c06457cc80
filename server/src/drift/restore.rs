//! The Graph change that gives a drifted object its reference value back (the baseline's, or an
//! imported snapshot's), built from the two snapshots: a partner's changed property is PATCHed
//! alone (`…/crosstenantaccesspolicyconfigurationpartner-update.md`); an identity sync policy is
//! PATCHed, recreated (PUT) or deleted; a template is saved whole; a job's mappings and scoping
//! filters are PUT as the live schema with the drifted part set back (a schema is replaced whole:
//! `…/synchronization-synchronizationschema-update.md`); a scope assignment is added or removed.
//! What Graph cannot write (a job's schedule, MTO membership, which is the joins page's) is said
//! in words instead.

use app::drift::diff::{self, Located, Step};
use app::drift::snapshot::Snapshot;
use app::drift::{ChangeKind, ObjectKind};
use graph::mto::OrganizationWrite;
use graph::policies::{
    IdentitySyncPolicy, IdentitySyncTemplateWrite, IdentitySyncWrite, NewPartner,
    PartnerConfiguration, PartnerTemplateWrite, PartnerWrite,
};
use graph::sync::{NewAssignment, SyncRule, SyncSchema};
use graph::{ops, JobId, ObjectId, Request, TenantId};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Which write permission a restore needs in its tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Cross-tenant access settings, templates, the MTO (Security Administrator).
    CrossTenantAccess,
    /// Sync jobs' schema and scope (Hybrid Identity, Application or Cloud Application
    /// Administrator).
    Sync,
}

/// The requests that restore one change, in order, or why there are none.
pub type Plan = Result<(Vec<Request>, Area), String>;

fn value_at<T: DeserializeOwned>(snapshot: &Value, path: &[Step]) -> Option<T> {
    serde_json::from_value(diff::get(snapshot, path)?.clone()).ok()
}

fn object_path(at: &Located, depth: usize) -> &[Step] {
    at.path.get(..depth).unwrap_or(&at.path)
}

/// The restore of `at` (found comparing `reference` with `live`).
pub fn plan(reference: &Snapshot, live: &Snapshot, at: &Located) -> Plan {
    let reference_value = serde_json::to_value(reference).unwrap_or(Value::Null);
    let live_value = serde_json::to_value(live).unwrap_or(Value::Null);
    let change = &at.change;
    let key = change.key.as_str();
    match change.object {
        ObjectKind::Partner => {
            let partner: TenantId = key.parse().map_err(|_| "not a tenant id".to_owned())?;
            let wanted: Option<PartnerConfiguration> =
                value_at(&reference_value, object_path(at, 4));
            let requests = match (change.kind, wanted) {
                (ChangeKind::Added, _) => {
                    let mut requests = Vec::new();
                    if live.tenants.get(&change.tenant_id).is_some_and(|t| {
                        t.identity_sync
                            .as_ref()
                            .is_some_and(|m| m.contains_key(key))
                    }) {
                        requests.push(ops::policies::delete_identity_sync(&partner).into_request());
                    }
                    requests.push(ops::policies::delete_partner(&partner).into_request());
                    requests
                }
                (ChangeKind::Removed, Some(wanted)) => {
                    let mut requests = vec![ops::policies::create_partner(&NewPartner {
                        tenant_id: partner.clone(),
                        automatic_user_consent_settings: wanted
                            .automatic_user_consent_settings
                            .clone(),
                    })
                    .into_request()];
                    let whole = PartnerWrite {
                        inbound_trust: Some(wanted.inbound_trust.clone()),
                        b2b_collaboration_inbound: Some(wanted.b2b_collaboration_inbound.clone()),
                        b2b_collaboration_outbound: Some(wanted.b2b_collaboration_outbound.clone()),
                        b2b_direct_connect_inbound: Some(wanted.b2b_direct_connect_inbound.clone()),
                        b2b_direct_connect_outbound: Some(
                            wanted.b2b_direct_connect_outbound.clone(),
                        ),
                        automatic_user_consent_settings: None,
                        tenant_restrictions: Some(wanted.tenant_restrictions.clone()),
                    };
                    requests.push(ops::policies::update_partner(&partner, &whole).into_request());
                    requests
                }
                (ChangeKind::Changed, Some(wanted)) => {
                    let property = at.property().unwrap_or_default();
                    let write = PartnerWrite::property_of(&wanted, property).ok_or_else(|| {
                        format!("Graph sets {property} itself; it cannot be written.")
                    })?;
                    vec![ops::policies::update_partner(&partner, &write).into_request()]
                }
                _ => return Err("The reference no longer holds this partner.".into()),
            };
            Ok((requests, Area::CrossTenantAccess))
        }
        ObjectKind::IdentitySync => {
            let partner: TenantId = key.parse().map_err(|_| "not a tenant id".to_owned())?;
            let wanted: Option<IdentitySyncPolicy> = value_at(&reference_value, object_path(at, 4));
            let write = |policy: &IdentitySyncPolicy| IdentitySyncWrite {
                user_sync_inbound: policy.user_sync_inbound.clone().unwrap_or_default(),
                group_sync_inbound: policy.group_sync_inbound.clone(),
            };
            let request = match (change.kind, wanted) {
                (ChangeKind::Added, _) => {
                    ops::policies::delete_identity_sync(&partner).into_request()
                }
                (ChangeKind::Removed, Some(policy)) => {
                    ops::policies::create_identity_sync(&partner, &write(&policy)).into_request()
                }
                (ChangeKind::Changed, Some(policy)) => {
                    ops::policies::update_identity_sync(&partner, &write(&policy)).into_request()
                }
                _ => return Err("The reference no longer holds this policy.".into()),
            };
            Ok((vec![request], Area::CrossTenantAccess))
        }
        ObjectKind::PartnerTemplate => {
            let template = reference
                .tenants
                .get(&change.tenant_id)
                .and_then(|t| t.partner_template.clone())
                .ok_or("The reference did not read this template.")?;
            let body = PartnerTemplateWrite {
                template_application_level: template.template_application_level.clone(),
                inbound_trust: template.inbound_trust.clone(),
                automatic_user_consent_settings: template.automatic_user_consent_settings.clone(),
            };
            Ok((
                vec![ops::policies::update_partner_template(&body).into_request()],
                Area::CrossTenantAccess,
            ))
        }
        ObjectKind::IdentitySyncTemplate => {
            let template = reference
                .tenants
                .get(&change.tenant_id)
                .and_then(|t| t.identity_sync_template.clone())
                .ok_or("The reference did not read this template.")?;
            let body = IdentitySyncTemplateWrite {
                template_application_level: template.template_application_level.clone(),
                user_sync_inbound: template.user_sync_inbound.clone(),
            };
            Ok((
                vec![ops::policies::update_identity_sync_template(&body).into_request()],
                Area::CrossTenantAccess,
            ))
        }
        ObjectKind::Organization => match at.property() {
            Some(property @ ("displayName" | "description")) => {
                let organization = reference
                    .tenants
                    .get(&change.tenant_id)
                    .and_then(|t| t.organization.clone())
                    .ok_or("The reference did not read the organization.")?;
                let body = if property == "displayName" {
                    OrganizationWrite {
                        display_name: organization.display_name,
                        description: None,
                    }
                } else {
                    OrganizationWrite {
                        display_name: None,
                        description: organization.description,
                    }
                };
                Ok((
                    vec![ops::mto::update_organization(&body).into_request()],
                    Area::CrossTenantAccess,
                ))
            }
            _ => Err("The organization's state follows its members; it is not written.".into()),
        },
        ObjectKind::Member => Err(
            "Membership is changed on the joins page (add or remove a tenant, change its role), \
             where each change is checked and audited."
                .into(),
        ),
        ObjectKind::SyncConfiguration => sync_configuration(&reference_value, &live_value, at),
        ObjectKind::Assignment => {
            let sp: ObjectId = at
                .path
                .get(3)
                .and_then(|s| match s {
                    Step::Field(id) => id.parse().ok(),
                    Step::Item { .. } => None,
                })
                .ok_or("not a service principal id")?;
            let request =
                match change.kind {
                    ChangeKind::Added => {
                        let id: String = value_at(
                            &live_value,
                            &[at.path.clone(), vec![Step::Field("id".into())]].concat(),
                        )
                        .ok_or("The live scope no longer holds this assignment.")?;
                        ops::sync::remove_assignment(&sp, &id).into_request()
                    }
                    ChangeKind::Removed => {
                        let app_role_id: String = value_at(
                            &reference_value,
                            &[at.path.clone(), vec![Step::Field("appRoleId".into())]].concat(),
                        )
                        .ok_or("The reference no longer holds this assignment.")?;
                        ops::sync::add_assignment(
                            &sp,
                            &NewAssignment {
                                principal_id: key.to_owned(),
                                resource_id: sp.to_string(),
                                app_role_id,
                            },
                        )
                        .into_request()
                    }
                    ChangeKind::Changed => return Err(
                        "An assignment's role is set when it is made; remove it and assign again."
                            .into(),
                    ),
                };
            Ok((vec![request], Area::Sync))
        }
    }
}

/// The part of a schema path restored as one: up to the attribute mapping (`attributeMappings[x]`)
/// or the object mapping's `scope`, when the path goes through one; else the path itself.
fn restore_unit(path: &[Step]) -> &[Step] {
    for (at, step) in path.iter().enumerate() {
        match step {
            Step::Field(name) if name == "attributeMappings" && at + 1 < path.len() => {
                return &path[..at + 2];
            }
            Step::Field(name) if name == "scope" => return &path[..at + 1],
            _ => {}
        }
    }
    path
}

/// A job's mappings and scoping filters: the live schema with the drifted part set back.
fn sync_configuration(reference: &Value, live: &Value, at: &Located) -> Plan {
    let below = at.field_path();
    let (job, rules_at) = match below {
        [Step::Field(jobs), Step::Field(job), Step::Field(rules), ..]
            if jobs == "jobs" && rules == "rules" =>
        {
            (job.clone(), at.path.len() - below.len() + 3)
        }
        [Step::Field(jobs), Step::Field(_), Step::Field(schedule), ..]
            if jobs == "jobs" && schedule == "schedule" =>
        {
            return Err(
                "Graph has no write for a job's schedule; pause or start the job on the sync page."
                    .into(),
            )
        }
        _ => {
            return Err(
                "Only a job's mappings and scoping filters can be restored; a configuration \
                 added or removed is set up or deleted in the Microsoft Entra admin center."
                    .into(),
            )
        }
    };
    let sp: ObjectId = at
        .change
        .key
        .parse()
        .map_err(|_| "not a service principal id".to_owned())?;
    let job: JobId = job.parse().map_err(|_| "not a job id".to_owned())?;
    // A whole attribute mapping, or a whole scoping filter, is set back: its parts (a constant's
    // `expression` and `name`, a filter's clauses) only mean something together.
    let unit = restore_unit(&at.path);
    let mut restored = live.clone();
    if !diff::set(&mut restored, unit, diff::get(reference, unit).cloned()) {
        return Err("The live configuration no longer holds this job.".into());
    }
    let rules: Vec<SyncRule> = value_at(&restored, &at.path[..rules_at])
        .ok_or("The live mappings of this job could not be read.")?;
    let schema = SyncSchema {
        id: String::new(),
        version: None,
        synchronization_rules: rules,
    };
    Ok((
        vec![ops::sync::put_schema(&sp, &job, &schema).into_request()],
        Area::Sync,
    ))
}
