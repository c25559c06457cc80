//! The teardown of a tenant that left the organization (or is being removed): what remains of its
//! relationships on both sides, as the ordered Graph changes that remove it.
//!
//! Leaving or removing a tenant changes no cross-tenant access setting and no cross-tenant sync
//! configuration; Microsoft recommends reviewing them, removing the synchronized users, then
//! deleting the configurations and stopping user sync and automatic redemption on both sides
//! (`MicrosoftDocs/microsoft-365-docs` `microsoft-365/enterprise/join-leave-multi-tenant-org.md`,
//! "Leave a multitenant organization"). The plan follows that order, across every tenant first:
//!
//! 1. each sync configuration between the tenant and another: its scope removed (the users it
//!    synced are soft-deleted in the target at the next cycle), then the configuration deleted;
//! 2. each identity sync policy, then its partner configuration (Graph refuses to delete a partner
//!    configuration whose identity sync policy still exists);
//! 3. the tenant's MTO templates reset to their defaults.
//!
//! Sync steps come before every policy step because the deprovisioning cycle needs the policies:
//! "the target tenant needs to keep the inbound policy for sync enabled until deprovisioning is
//! complete" (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md`,
//! "Deprovisioning").
//!
//! Only what the snapshot holds is planned: a part that could not be read (`None`) gives no step.
//! The requests come from [`graph::ops`]; nothing here writes a Graph path.

use std::collections::{BTreeMap, BTreeSet};

use graph::ops::{policies, sync};
use graph::policies::{IdentitySyncPolicyTemplate, PartnerConfigurationTemplate};
use graph::{ObjectId, Request, TenantId};

use super::snapshot::{Snapshot, SyncConfiguration, TenantConfig};
use super::{ObjectKind, StepRequest, TeardownStep};

/// The family of permissions and roles a step needs (the server maps it to Entra roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteArea {
    /// Partner configurations, identity sync policies and the MTO templates
    /// (`Policy.ReadWrite.CrossTenantAccess`).
    CrossTenantAccess,
    /// Cross-tenant sync configurations and their scope (service principals, app role
    /// assignments).
    Sync,
}

/// One step of a teardown, as the server makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    /// Stable: the same leftover gives the same id whenever the state is read again
    /// (`<tenant>:<object>:<key>:<action>`).
    pub id: String,
    /// The tenant the requests are sent to.
    pub tenant_id: String,
    pub object: ObjectKind,
    /// The object's key within the tenant: the partner's tenant id, the configuration's service
    /// principal id; empty for the templates.
    pub key: String,
    pub description: String,
    /// In order.
    pub requests: Vec<Request>,
    pub area: WriteArea,
    /// Users the step will soft-delete, and the id of the tenant where they are (known only when
    /// the configuration's job reported how many users it keeps there).
    pub deprovisions: Option<(usize, String)>,
}

/// The steps that remove every relationship between `leaving` and the other tenants of `live`,
/// in the order they must be made. `synced_users` gives, by service principal id, how many users a
/// configuration keeps in its target (its job's `synchronizedEntryCountByType`); `name` names a
/// tenant by id. Ids that are not GUIDs are skipped. Nothing left on either side: no step.
pub fn plan(
    live: &Snapshot,
    leaving: &str,
    synced_users: &BTreeMap<String, usize>,
    name: impl Fn(&str) -> String,
) -> Vec<PlannedStep> {
    let Ok(leaving_id) = leaving.parse::<TenantId>() else {
        return Vec::new();
    };
    let leaving = leaving_id.as_str();
    let mto = mto_tenants(live, leaving);
    // The other tenants (sorted by id: `tenants` is a sorted map), then the leaving tenant.
    let others: Vec<(&str, &TenantConfig)> = live
        .tenants
        .iter()
        .filter(|(id, _)| id.as_str() != leaving && id.parse::<TenantId>().is_ok())
        .map(|(id, tenant)| (id.as_str(), tenant))
        .collect();
    let own = live.tenants.get(leaving);

    let mut steps = Vec::new();

    // 1. Sync configurations in both directions.
    for &(tenant_id, tenant) in &others {
        for (sp, config) in configurations(tenant) {
            if config.target_tenant_id.as_deref() == Some(leaving) {
                sync_steps(
                    &mut steps,
                    tenant_id,
                    sp,
                    config,
                    leaving,
                    synced_users,
                    &name,
                );
            }
        }
    }
    if let Some(tenant) = own {
        for (sp, config) in configurations(tenant) {
            let Some(target) = config.target_tenant_id.as_deref() else {
                continue;
            };
            if target != leaving && mto.contains(target) {
                sync_steps(&mut steps, leaving, sp, config, target, synced_users, &name);
            }
        }
    }

    // 2. Identity sync policies, each before its partner configuration.
    for &(tenant_id, tenant) in &others {
        partner_steps(&mut steps, tenant_id, tenant, leaving, &name);
    }
    if let Some(tenant) = own {
        let partners: BTreeSet<&str> = tenant
            .partners
            .iter()
            .flat_map(BTreeMap::keys)
            .chain(tenant.identity_sync.iter().flat_map(BTreeMap::keys))
            .map(String::as_str)
            .filter(|partner| *partner != leaving && mto.contains(partner))
            .collect();
        for partner in partners {
            partner_steps(&mut steps, leaving, tenant, partner, &name);
        }
    }

    // 3. The leaving tenant's MTO templates.
    if let Some(tenant) = own {
        template_step(&mut steps, leaving, tenant, &name);
    }
    steps
}

/// A step as the page shows it: `tenant_name` and the deprovisioned tenant named by `name`, each
/// request as `METHOD /path` (percent-escapes as sent) with its body pretty-printed.
pub fn to_view(
    step: &PlannedStep,
    name: impl Fn(&str) -> String,
    refused: Option<String>,
    roles: Vec<String>,
) -> TeardownStep {
    TeardownStep {
        id: step.id.clone(),
        tenant_id: step.tenant_id.clone(),
        tenant_name: name(&step.tenant_id),
        object: step.object,
        description: step.description.clone(),
        requests: step
            .requests
            .iter()
            .map(|request| StepRequest {
                request: format!("{} {}", request.method, request.path),
                body: request.pretty_body(),
            })
            .collect(),
        deprovisions: step
            .deprovisions
            .as_ref()
            .map(|(count, tenant)| (*count, name(tenant))),
        roles,
        refused,
        what_if: None,
        what_if_names: Vec::new(),
        what_if_target: None,
    }
}

/// The tenants that are, or were, in the organization with `leaving`: those of the snapshot and
/// the members `leaving` lists.
fn mto_tenants<'a>(live: &'a Snapshot, leaving: &str) -> BTreeSet<&'a str> {
    let members = live
        .tenants
        .get(leaving)
        .and_then(|t| t.members.as_ref())
        .into_iter()
        .flat_map(BTreeMap::keys);
    live.tenants
        .keys()
        .chain(members)
        .map(String::as_str)
        .collect()
}

/// A tenant's sync configurations whose service principal id is an object id.
fn configurations(tenant: &TenantConfig) -> impl Iterator<Item = (ObjectId, &SyncConfiguration)> {
    tenant
        .sync_configurations
        .iter()
        .flatten()
        .filter_map(|(sp, config)| Some((sp.parse::<ObjectId>().ok()?, config)))
}

fn step_id(tenant: &str, object: &str, key: &str, action: &str) -> String {
    format!("{tenant}:{object}:{key}:{action}")
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A configuration's scope removal (when it has a scope) and its deletion.
fn sync_steps(
    steps: &mut Vec<PlannedStep>,
    tenant: &str,
    sp: ObjectId,
    config: &SyncConfiguration,
    target: &str,
    synced_users: &BTreeMap<String, usize>,
    name: &impl Fn(&str) -> String,
) {
    let key = sp.to_string();
    let target_name = name(target);
    let config_name = config
        .display_name
        .clone()
        .unwrap_or_else(|| format!("to {target_name}"));
    let assignments = config.assignments.as_ref();
    if let Some(assignments) = assignments.filter(|a| !a.is_empty()) {
        let count = synced_users.get(&key).copied().filter(|n| *n > 0);
        // Users who leave the scope are soft-deleted in the target, and restored when they come
        // back into scope within 30 days (`MicrosoftDocs/entra-docs`
        // `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md`,
        // "Deprovisioning"; hard-deleted after 30 days).
        let who = match count {
            Some(n) => format!(
                "Its {} in {target_name}",
                plural(n, "synced user", "synced users")
            ),
            None => format!("The users it synced to {target_name}"),
        };
        steps.push(PlannedStep {
            id: step_id(tenant, "assignments", &key, "remove"),
            tenant_id: tenant.to_owned(),
            object: ObjectKind::Assignment,
            key: key.clone(),
            description: format!(
                "Remove the scope of {config_name} ({}). {who} will be soft-deleted there at the \
                 next sync cycle (restorable for 30 days); {target_name} must keep allowing inbound \
                 sync from {} until then.",
                plural(assignments.len(), "user or group", "users and groups"),
                name(tenant),
            ),
            requests: assignments
                .values()
                .map(|a| sync::remove_assignment(&sp, &a.id).into_request())
                .collect(),
            area: WriteArea::Sync,
            deprovisions: count.map(|n| (n, target.to_owned())),
        });
    }
    // "No changes are made to the external users previously managed by cross-tenant
    // synchronization if the relationship is severed" (same page, "Deprovisioning").
    steps.push(PlannedStep {
        id: step_id(tenant, "syncConfiguration", &key, "delete"),
        tenant_id: tenant.to_owned(),
        object: ObjectKind::SyncConfiguration,
        key: key.clone(),
        description: format!(
            "Delete the sync configuration {config_name} (to {target_name}), with its job and \
             scope. Accounts it synced stay in {target_name} as they are: make this step after a \
             sync cycle has soft-deleted them."
        ),
        requests: vec![sync::delete_configuration(&sp).into_request()],
        area: WriteArea::Sync,
        deprovisions: None,
    });
}

/// In `tenant`, the identity sync policy for `partner` and then its partner configuration.
fn partner_steps(
    steps: &mut Vec<PlannedStep>,
    tenant_id: &str,
    tenant: &TenantConfig,
    partner: &str,
    name: &impl Fn(&str) -> String,
) {
    let Ok(partner_id) = partner.parse::<TenantId>() else {
        return;
    };
    let key = partner_id.to_string();
    let (here, there) = (name(tenant_id), name(partner));
    let has_sync = tenant
        .identity_sync
        .as_ref()
        .map(|s| s.contains_key(partner));
    if has_sync == Some(true) {
        // Inbound sync off "causes any current user synchronization from the source tenant to
        // the target tenant to stop" and has "no impact on existing users who have already been
        // synchronized" (microsoftgraph/microsoft-graph-docs-contrib
        // `api-reference/v1.0/resources/crosstenantusersyncinbound.md`).
        steps.push(PlannedStep {
            id: step_id(tenant_id, "identitySync", &key, "delete"),
            tenant_id: tenant_id.to_owned(),
            object: ObjectKind::IdentitySync,
            key: key.clone(),
            description: format!(
                "Delete {here}'s identity sync policy for {there}: {there} can no longer sync \
                 users into {here}; accounts already synced stay."
            ),
            requests: vec![policies::delete_identity_sync(&partner_id).into_request()],
            area: WriteArea::CrossTenantAccess,
            deprovisions: None,
        });
    }
    if tenant
        .partners
        .as_ref()
        .is_some_and(|p| p.contains_key(partner))
    {
        // "If a configuration includes a user synchronization policy, you must first delete the
        // user synchronization policy" (microsoftgraph/microsoft-graph-docs-contrib
        // `api-reference/v1.0/api/crosstenantaccesspolicyconfigurationpartner-delete.md`).
        let unread = if has_sync.is_none() {
            format!(
                " {here}'s identity sync policies could not be read: Graph refuses this step while \
                 one exists for {there}."
            )
        } else {
            String::new()
        };
        steps.push(PlannedStep {
            id: step_id(tenant_id, "partner", &key, "delete"),
            tenant_id: tenant_id.to_owned(),
            object: ObjectKind::Partner,
            key,
            description: format!(
                "Delete {here}'s partner configuration for {there} (automatic redemption and \
                 every setting made for {there}); {here}'s default settings apply to {there} \
                 again.{unread}"
            ),
            requests: vec![policies::delete_partner(&partner_id).into_request()],
            area: WriteArea::CrossTenantAccess,
            deprovisions: None,
        });
    }
}

/// Both MTO templates reset, when either (as read) is not at its defaults.
fn template_step(
    steps: &mut Vec<PlannedStep>,
    tenant_id: &str,
    tenant: &TenantConfig,
    name: &impl Fn(&str) -> String,
) {
    let partner_set = tenant
        .partner_template
        .as_ref()
        .is_some_and(|t| !partner_template_is_default(t));
    let sync_set = tenant
        .identity_sync_template
        .as_ref()
        .is_some_and(|t| !sync_template_is_default(t));
    if !partner_set && !sync_set {
        return;
    }
    // The templates are applied to the partner configurations and identity sync policies created
    // when a tenant joins the organization (`MicrosoftDocs/entra-docs`
    // `docs/identity/multi-tenant-organizations/multi-tenant-organization-templates.md`);
    // `resetToDefaultSettings` sets every value back to null
    // (microsoftgraph/microsoft-graph-docs-contrib
    // `api-reference/v1.0/api/multitenantorganizationpartnerconfigurationtemplate-resettodefaultsettings.md`).
    steps.push(PlannedStep {
        id: step_id(tenant_id, "templates", "", "reset"),
        tenant_id: tenant_id.to_owned(),
        object: ObjectKind::PartnerTemplate,
        key: String::new(),
        description: format!(
            "Reset {}'s MTO partner configuration and identity sync templates to their defaults, \
             so that they no longer apply settings to partners if it joins an organization again.",
            name(tenant_id)
        ),
        requests: vec![
            policies::reset_partner_template().into_request(),
            policies::reset_identity_sync_template().into_request(),
        ],
        area: WriteArea::CrossTenantAccess,
        deprovisions: None,
    });
}

/// Every value as `resetToDefaultSettings` leaves it (the template's own id aside).
fn partner_template_is_default(template: &PartnerConfigurationTemplate) -> bool {
    *template
        == PartnerConfigurationTemplate {
            id: template.id.clone(),
            ..PartnerConfigurationTemplate::unconfigured()
        }
}

fn sync_template_is_default(template: &IdentitySyncPolicyTemplate) -> bool {
    *template
        == IdentitySyncPolicyTemplate {
            id: template.id.clone(),
            ..IdentitySyncPolicyTemplate::unconfigured()
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path a typed operation sends (the expected requests are built by the graph crate too).
    fn path<T>(op: &graph::Op<T>) -> String {
        op.request().path.clone()
    }

    fn oid(id: &str) -> graph::ObjectId {
        id.parse().unwrap()
    }
    use crate::drift::snapshot::{AssignmentConfig, MemberConfig, TenantConfig};
    use crate::drift::Origin;
    use graph::policies::{
        IdentitySyncPolicy, InboundOutbound, PartnerConfiguration, UserSyncInbound,
    };
    use graph::sync::PrincipalType;
    use graph::Method;

    const CONTOSO: &str = "11111111-1111-4111-8111-111111111111";
    const FABRIKAM: &str = "22222222-2222-4222-8222-222222222222";
    const NORTHWIND: &str = "33333333-3333-4333-8333-333333333333";
    /// A tenant Northwind's members list names, not in the snapshot.
    const WOODGROVE: &str = "44444444-4444-4444-8444-444444444444";
    /// A partner of Northwind's that never was in the organization.
    const TAILSPIN: &str = "55555555-5555-4555-8555-555555555555";

    const SP_CONTOSO_TO_NORTHWIND: &str = "aaaaaaaa-0000-4000-8000-000000000001";
    const SP_FABRIKAM_TO_CONTOSO: &str = "aaaaaaaa-0000-4000-8000-000000000002";
    const SP_NORTHWIND_TO_FABRIKAM: &str = "aaaaaaaa-0000-4000-8000-000000000003";
    const SP_NORTHWIND_TO_TAILSPIN: &str = "aaaaaaaa-0000-4000-8000-000000000004";

    fn name(id: &str) -> String {
        match id {
            CONTOSO => "Contoso",
            FABRIKAM => "Fabrikam",
            NORTHWIND => "Northwind",
            WOODGROVE => "Woodgrove",
            _ => "another tenant",
        }
        .to_owned()
    }

    fn tid(id: &str) -> TenantId {
        id.parse().unwrap()
    }

    fn partner(id: &str) -> PartnerConfiguration {
        let mut p = PartnerConfiguration::unconfigured(&tid(id));
        p.automatic_user_consent_settings = InboundOutbound {
            inbound_allowed: Some(true),
            outbound_allowed: Some(true),
        };
        p
    }

    fn identity_sync(id: &str) -> IdentitySyncPolicy {
        IdentitySyncPolicy {
            tenant_id: tid(id),
            display_name: None,
            user_sync_inbound: Some(UserSyncInbound {
                is_sync_allowed: Some(true),
            }),
            group_sync_inbound: None,
        }
    }

    fn assignment(id: &str, kind: PrincipalType) -> AssignmentConfig {
        AssignmentConfig {
            principal_display_name: Some(id.to_owned()),
            principal_type: Some(kind),
            app_role_id: "00000000-0000-0000-0000-000000000000".into(),
            id: format!("assignment-{id}"),
        }
    }

    fn config(
        display_name: &str,
        target: &str,
        assignments: &[(&str, PrincipalType)],
    ) -> SyncConfiguration {
        SyncConfiguration {
            display_name: Some(display_name.to_owned()),
            target_tenant_id: Some(target.to_owned()),
            jobs: Some(BTreeMap::new()),
            assignments: Some(
                assignments
                    .iter()
                    .map(|(id, kind)| ((*id).to_owned(), assignment(id, kind.clone())))
                    .collect(),
            ),
        }
    }

    fn tenant(
        display_name: &str,
        partners: &[&str],
        configs: Vec<(&str, SyncConfiguration)>,
    ) -> TenantConfig {
        TenantConfig {
            display_name: display_name.to_owned(),
            read_by: "monitor (app-only)".into(),
            organization: None,
            members: None,
            partner_template: Some(PartnerConfigurationTemplate::unconfigured()),
            identity_sync_template: Some(IdentitySyncPolicyTemplate::unconfigured()),
            partners: Some(
                partners
                    .iter()
                    .map(|p| ((*p).to_owned(), partner(p)))
                    .collect(),
            ),
            identity_sync: Some(
                partners
                    .iter()
                    .map(|p| ((*p).to_owned(), identity_sync(p)))
                    .collect(),
            ),
            sync_configurations: Some(
                configs
                    .into_iter()
                    .map(|(sp, c)| (sp.to_owned(), c))
                    .collect(),
            ),
            unread: Vec::new(),
        }
    }

    /// Contoso, Fabrikam and Northwind, every pair configured; Contoso syncs to Northwind (one
    /// group, two users), Northwind to Fabrikam (one group) and to Tailspin, outside the
    /// organization; Fabrikam syncs to Contoso. Northwind's templates are set.
    fn organization() -> Snapshot {
        let mut snapshot = Snapshot::new(
            "2024-05-01T00:00:00Z".into(),
            "test".into(),
            Origin::OnDemand,
        );
        let contoso = tenant(
            "Contoso",
            &[FABRIKAM, NORTHWIND],
            vec![(
                SP_CONTOSO_TO_NORTHWIND,
                config(
                    "MTO_Sync_Northwind",
                    NORTHWIND,
                    // Out of order on purpose: requests follow principal ids.
                    &[
                        ("cccccccc-0000-4000-8000-00000000000b", PrincipalType::User),
                        ("cccccccc-0000-4000-8000-00000000000a", PrincipalType::Group),
                        ("cccccccc-0000-4000-8000-00000000000c", PrincipalType::User),
                    ],
                ),
            )],
        );
        let fabrikam = tenant(
            "Fabrikam",
            &[CONTOSO, NORTHWIND],
            vec![(
                SP_FABRIKAM_TO_CONTOSO,
                config(
                    "MTO_Sync_Contoso",
                    CONTOSO,
                    &[("dddddddd-0000-4000-8000-000000000001", PrincipalType::Group)],
                ),
            )],
        );
        let mut northwind = tenant(
            "Northwind",
            &[CONTOSO, FABRIKAM, WOODGROVE, TAILSPIN],
            vec![
                (
                    SP_NORTHWIND_TO_FABRIKAM,
                    config(
                        "MTO_Sync_Fabrikam",
                        FABRIKAM,
                        &[("eeeeeeee-0000-4000-8000-000000000001", PrincipalType::Group)],
                    ),
                ),
                (SP_NORTHWIND_TO_TAILSPIN, config("Tailspin", TAILSPIN, &[])),
            ],
        );
        northwind.members = Some(
            [CONTOSO, FABRIKAM, NORTHWIND, WOODGROVE]
                .iter()
                .map(|id| {
                    (
                        (*id).to_owned(),
                        MemberConfig {
                            display_name: Some(name(id)),
                            role: None,
                            state: None,
                        },
                    )
                })
                .collect(),
        );
        let mut template = PartnerConfigurationTemplate::unconfigured();
        template.automatic_user_consent_settings.inbound_allowed = Some(true);
        northwind.partner_template = Some(template);
        for (id, t) in [
            (CONTOSO, contoso),
            (FABRIKAM, fabrikam),
            (NORTHWIND, northwind),
        ] {
            snapshot.tenants.insert(id.to_owned(), t);
        }
        snapshot
    }

    fn synced() -> BTreeMap<String, usize> {
        BTreeMap::from([
            (SP_CONTOSO_TO_NORTHWIND.to_owned(), 42),
            (SP_NORTHWIND_TO_FABRIKAM.to_owned(), 0),
        ])
    }

    fn requests(step: &PlannedStep) -> Vec<(Method, String)> {
        step.requests
            .iter()
            .map(|r| (r.method, r.path.clone()))
            .collect()
    }

    #[test]
    fn the_plan_removes_sync_then_policies_then_templates_on_both_sides() {
        let steps = plan(&organization(), NORTHWIND, &synced(), name);
        let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                format!("{CONTOSO}:assignments:{SP_CONTOSO_TO_NORTHWIND}:remove"),
                format!("{CONTOSO}:syncConfiguration:{SP_CONTOSO_TO_NORTHWIND}:delete"),
                format!("{NORTHWIND}:assignments:{SP_NORTHWIND_TO_FABRIKAM}:remove"),
                format!("{NORTHWIND}:syncConfiguration:{SP_NORTHWIND_TO_FABRIKAM}:delete"),
                format!("{CONTOSO}:identitySync:{NORTHWIND}:delete"),
                format!("{CONTOSO}:partner:{NORTHWIND}:delete"),
                format!("{FABRIKAM}:identitySync:{NORTHWIND}:delete"),
                format!("{FABRIKAM}:partner:{NORTHWIND}:delete"),
                format!("{NORTHWIND}:identitySync:{CONTOSO}:delete"),
                format!("{NORTHWIND}:partner:{CONTOSO}:delete"),
                format!("{NORTHWIND}:identitySync:{FABRIKAM}:delete"),
                format!("{NORTHWIND}:partner:{FABRIKAM}:delete"),
                // A former member not in the snapshot is still a partner to remove.
                format!("{NORTHWIND}:identitySync:{WOODGROVE}:delete"),
                format!("{NORTHWIND}:partner:{WOODGROVE}:delete"),
                format!("{NORTHWIND}:templates::reset"),
            ]
        );
        // Fabrikam's sync to Contoso and Northwind's to Tailspin are not Northwind's MTO
        // relationships.
        assert!(!ids.iter().any(|id| id.contains(SP_FABRIKAM_TO_CONTOSO)
            || id.contains(SP_NORTHWIND_TO_TAILSPIN)
            || id.contains(TAILSPIN)));

        let scope = &steps[0];
        assert_eq!(
            (
                scope.tenant_id.as_str(),
                scope.object,
                scope.key.as_str(),
                scope.area
            ),
            (
                CONTOSO,
                ObjectKind::Assignment,
                SP_CONTOSO_TO_NORTHWIND,
                WriteArea::Sync
            )
        );
        assert_eq!(
            requests(scope),
            ["a", "b", "c"]
                .iter()
                .map(|x| (
                    Method::Delete,
                    path(&graph::ops::sync::remove_assignment(
                        &oid(SP_CONTOSO_TO_NORTHWIND),
                        &format!("assignment-cccccccc-0000-4000-8000-00000000000{x}")
                    ))
                ))
                .collect::<Vec<_>>()
        );
        assert_eq!(scope.deprovisions, Some((42, NORTHWIND.to_owned())));
        assert!(scope
            .description
            .starts_with("Remove the scope of MTO_Sync_Northwind (3 users and groups). Its 42 synced users in Northwind will be soft-deleted"));

        assert_eq!(
            requests(&steps[1]),
            vec![(
                Method::Delete,
                path(&graph::ops::sync::delete_configuration(&oid(
                    SP_CONTOSO_TO_NORTHWIND
                )))
            )]
        );
        assert_eq!(steps[1].object, ObjectKind::SyncConfiguration);
        assert!(steps[1]
            .description
            .contains("Accounts it synced stay in Northwind"));

        // A count of zero is no count: the description says so without a number.
        assert_eq!(steps[2].deprovisions, None);
        assert!(steps[2]
            .description
            .contains("(1 user or group). The users it synced to Fabrikam will be soft-deleted"));

        assert_eq!(
            requests(&steps[4]),
            vec![(
                Method::Delete,
                path(&graph::ops::policies::delete_identity_sync(&tid(NORTHWIND)))
            )]
        );
        assert_eq!(
            (steps[4].object, steps[4].area),
            (ObjectKind::IdentitySync, WriteArea::CrossTenantAccess)
        );
        assert_eq!(
            requests(&steps[5]),
            vec![(
                Method::Delete,
                path(&graph::ops::policies::delete_partner(&tid(NORTHWIND)))
            )]
        );
        assert_eq!(steps[5].object, ObjectKind::Partner);
        assert_eq!(steps[8].tenant_id, NORTHWIND);
        assert_eq!(
            requests(&steps[9]),
            vec![(
                Method::Delete,
                path(&graph::ops::policies::delete_partner(&tid(CONTOSO)))
            )]
        );

        let templates = &steps[14];
        assert_eq!(
            requests(templates),
            vec![
                (
                    Method::Post,
                    path(&graph::ops::policies::reset_partner_template())
                ),
                (
                    Method::Post,
                    path(&graph::ops::policies::reset_identity_sync_template())
                ),
            ]
        );
        assert_eq!(templates.area, WriteArea::CrossTenantAccess);
    }

    #[test]
    fn ids_are_stable_across_reads() {
        let first = plan(&organization(), NORTHWIND, &synced(), name);
        // Read again: another time, another reader, other counts.
        let mut again = organization();
        again.taken_at = "2024-05-02T00:00:00Z".into();
        let second = plan(&again, NORTHWIND, &BTreeMap::new(), name);
        let ids = |steps: &[PlannedStep]| steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&first), ids(&second));
        // Upper-case input names the same tenant.
        let upper = plan(&organization(), &NORTHWIND.to_uppercase(), &synced(), name);
        assert_eq!(ids(&first), ids(&upper));
    }

    #[test]
    fn unread_parts_give_no_steps() {
        let mut snapshot = organization();
        let contoso = snapshot.tenants.get_mut(CONTOSO).unwrap();
        contoso.sync_configurations = None;
        contoso.identity_sync = None;
        let fabrikam = snapshot.tenants.get_mut(FABRIKAM).unwrap();
        fabrikam.partners = None;
        fabrikam.identity_sync = None;
        let northwind = snapshot.tenants.get_mut(NORTHWIND).unwrap();
        northwind.partner_template = None;
        northwind.identity_sync_template = None;
        northwind.members = None;
        for config in northwind.sync_configurations.as_mut().unwrap().values_mut() {
            config.assignments = None;
        }
        let steps = plan(&snapshot, NORTHWIND, &synced(), name);
        let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                format!("{NORTHWIND}:syncConfiguration:{SP_NORTHWIND_TO_FABRIKAM}:delete"),
                format!("{CONTOSO}:partner:{NORTHWIND}:delete"),
                format!("{NORTHWIND}:identitySync:{CONTOSO}:delete"),
                format!("{NORTHWIND}:partner:{CONTOSO}:delete"),
                format!("{NORTHWIND}:identitySync:{FABRIKAM}:delete"),
                format!("{NORTHWIND}:partner:{FABRIKAM}:delete"),
            ]
        );
        // The partner step whose identity sync policy is unknown says why it may fail.
        assert!(steps[1].description.contains("could not be read"));
        assert!(!steps[2].description.contains("could not be read"));
    }

    #[test]
    fn a_tenant_with_no_leftovers_gives_an_empty_plan() {
        let mut snapshot = organization();
        for (id, tenant) in &mut snapshot.tenants {
            let keep = |other: &String| other != NORTHWIND && id != NORTHWIND;
            tenant.partners.as_mut().unwrap().retain(|k, _| keep(k));
            tenant
                .identity_sync
                .as_mut()
                .unwrap()
                .retain(|k, _| keep(k));
            tenant
                .sync_configurations
                .as_mut()
                .unwrap()
                .retain(|_, c| c.target_tenant_id.as_deref() != Some(NORTHWIND) && id != NORTHWIND);
        }
        let northwind = snapshot.tenants.get_mut(NORTHWIND).unwrap();
        // Reset templates keep their own id.
        northwind.partner_template = Some(PartnerConfigurationTemplate {
            id: "9c3a51c4-65ab-4b3e-8a0f-2d1c0e3f4a5b".into(),
            ..PartnerConfigurationTemplate::unconfigured()
        });
        assert!(plan(&snapshot, NORTHWIND, &synced(), name).is_empty());
        // Nor does a tenant no one has settings for, or an id that is not one.
        assert!(plan(
            &organization(),
            "66666666-6666-4666-8666-666666666666",
            &synced(),
            name
        )
        .is_empty());
        assert!(plan(&organization(), "northwind", &synced(), name).is_empty());
    }

    #[test]
    fn a_tenant_outside_the_snapshot_is_cleaned_up_on_the_other_sides() {
        let steps = plan(&organization(), TAILSPIN, &synced(), name);
        let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                format!("{NORTHWIND}:syncConfiguration:{SP_NORTHWIND_TO_TAILSPIN}:delete"),
                format!("{NORTHWIND}:identitySync:{TAILSPIN}:delete"),
                format!("{NORTHWIND}:partner:{TAILSPIN}:delete"),
            ]
        );
    }

    #[test]
    fn ids_that_are_not_guids_are_skipped() {
        let mut snapshot = organization();
        let contoso = snapshot.tenants.get_mut(CONTOSO).unwrap();
        let config = contoso
            .sync_configurations
            .as_mut()
            .unwrap()
            .remove(SP_CONTOSO_TO_NORTHWIND)
            .unwrap();
        contoso
            .sync_configurations
            .as_mut()
            .unwrap()
            .insert("not-an-object-id".into(), config);
        let northwind = snapshot.tenants.get_mut(NORTHWIND).unwrap();
        northwind.members.as_mut().unwrap().insert(
            "../partners".into(),
            MemberConfig {
                display_name: None,
                role: None,
                state: None,
            },
        );
        northwind
            .partners
            .as_mut()
            .unwrap()
            .insert("../partners".into(), partner(TAILSPIN));
        let steps = plan(&snapshot, NORTHWIND, &synced(), name);
        assert!(steps.iter().all(|s| !s.id.contains("not-an-object-id")
            && !s.id.contains("../")
            && s.requests.iter().all(|r| !r.path.contains(".."))));
        assert_eq!(steps.len(), 13);
    }

    #[test]
    fn the_view_names_tenants_and_shows_requests_as_sent() {
        let steps = plan(&organization(), NORTHWIND, &synced(), name);
        let view = to_view(
            &steps[0],
            name,
            Some("Not signed in to Contoso.".into()),
            vec!["Hybrid Identity Administrator".into()],
        );
        assert_eq!(view.tenant_name, "Contoso");
        assert_eq!(view.object, ObjectKind::Assignment);
        assert_eq!(view.deprovisions, Some((42, "Northwind".to_owned())));
        assert_eq!(view.requests.len(), 3);
        assert_eq!(
            view.requests[0].request,
            format!(
                "DELETE {}",
                path(&graph::ops::sync::remove_assignment(
                    &oid(SP_CONTOSO_TO_NORTHWIND),
                    "assignment-cccccccc-0000-4000-8000-00000000000a"
                ))
            )
        );
        assert_eq!(view.requests[0].body, None);
        assert_eq!(view.refused.as_deref(), Some("Not signed in to Contoso."));
        assert_eq!(view.roles, vec!["Hybrid Identity Administrator".to_owned()]);
        assert_eq!(view.id, steps[0].id);
    }
}
