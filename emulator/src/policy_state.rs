//! Per-tenant cross-tenant access state and what a completed join does to it: partner configurations
//! and identity sync policies auto-created for every active pair that lacks them, the templates
//! applied, `isInMultiTenantOrganization` set (microsoftgraph/microsoft-graph-docs-contrib
//! `api-reference/v1.0/resources/crosstenantaccesspolicyconfigurationpartner.md`; MicrosoftDocs/entra-docs
//! `docs/identity/multi-tenant-organizations/multi-tenant-organization-templates.md`).

use std::collections::{BTreeMap, HashMap};

use graph::policies::{
    level_includes, AccessType, B2BSetting, DefaultConfiguration, GroupSyncInbound,
    IdentitySyncPolicy, IdentitySyncPolicyTemplate, InboundOutbound, InboundTrust,
    PartnerConfiguration, PartnerConfigurationTemplate, Target, TargetConfiguration, TargetType,
    UserSyncInbound,
};
pub use graph::policies::{DevicesFilter, TenantRestrictions};
use serde::{Deserialize, Serialize};

use crate::scenario::{Custom, MemberState, Scenario, CONTOSO, FABRIKAM, TAILSPIN, WOODGROVE};

#[derive(Debug, Clone)]
pub struct TenantPolicies {
    pub partners: BTreeMap<String, PartnerConfiguration>,
    pub identity_sync: BTreeMap<String, IdentitySyncPolicy>,
    pub partner_template: PartnerConfigurationTemplate,
    pub sync_template: IdentitySyncPolicyTemplate,
    pub default: DefaultPolicy,
}

/// `crossTenantAccessPolicyConfigurationDefault` as Graph serves it: graph's
/// [`DefaultConfiguration`] and the properties the dashboard does not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultPolicy {
    pub id: String,
    #[serde(flatten)]
    pub configuration: DefaultConfiguration,
    pub invitation_redemption_identity_provider_configuration: Option<InvitationRedemption>,
    pub tenant_restrictions: Option<TenantRestrictions>,
}

/// `defaultInvitationRedemptionIdentityProviderConfiguration` (`b2bIdentityProvidersType` values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRedemption {
    pub primary_identity_provider_precedence_order: Vec<String>,
    pub fallback_identity_provider: Option<String>,
}

/// All users and all applications, `access` for both.
fn everyone(access: AccessType) -> Option<B2BSetting> {
    let all = |target: &str, target_type: TargetType| {
        Some(TargetConfiguration {
            access_type: access.clone(),
            targets: vec![Target {
                target: target.into(),
                target_type,
            }],
        })
    };
    Some(B2BSetting {
        users_and_groups: all("AllUsers", TargetType::User),
        applications: all("AllApplications", TargetType::Application),
    })
}

/// The documented system default of `/policies/crossTenantAccessPolicy/default`.
pub fn system_default() -> DefaultPolicy {
    DefaultPolicy {
        id: uuid::Uuid::new_v4().to_string(),
        configuration: DefaultConfiguration {
            is_service_default: true,
            inbound_trust: Some(InboundTrust {
                is_mfa_accepted: Some(false),
                is_compliant_device_accepted: Some(false),
                is_hybrid_azure_ad_joined_device_accepted: Some(false),
            }),
            b2b_collaboration_inbound: everyone(AccessType::Allowed),
            b2b_collaboration_outbound: everyone(AccessType::Allowed),
            b2b_direct_connect_inbound: everyone(AccessType::Blocked),
            b2b_direct_connect_outbound: everyone(AccessType::Blocked),
            automatic_user_consent_settings: InboundOutbound {
                inbound_allowed: Some(false),
                outbound_allowed: Some(false),
            },
        },
        invitation_redemption_identity_provider_configuration: Some(InvitationRedemption {
            primary_identity_provider_precedence_order: vec![
                "externalAzureActiveDirectory".into(),
                "socialIdentityProviders".into(),
            ],
            fallback_identity_provider: Some("defaultConfiguredIdp".into()),
        }),
        tenant_restrictions: None,
    }
}

/// A tenant's own GUID for one of its templates: each tenant has its own template, keyed by a GUID
/// (the `id` of the Get examples of microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/multitenantorganizationpartnerconfigurationtemplate-get.md` and
/// `…/multitenantorganizationidentitysyncpolicytemplate-get.md`). Stable per tenant and template.
pub fn template_id(tenant: &str, template: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("mto-template:{tenant}:{template}").as_bytes(),
    )
    .to_string()
}

/// The partner configuration template as reset: every value null, the tenant's id kept.
pub fn unconfigured_partner_template(tenant: &str) -> PartnerConfigurationTemplate {
    PartnerConfigurationTemplate {
        id: template_id(tenant, "multiTenantOrganizationPartnerConfiguration"),
        ..PartnerConfigurationTemplate::unconfigured()
    }
}

/// The identity sync template as reset: every value null, the tenant's id kept.
pub fn unconfigured_sync_template(tenant: &str) -> IdentitySyncPolicyTemplate {
    IdentitySyncPolicyTemplate {
        id: template_id(tenant, "multiTenantOrganizationIdentitySynchronization"),
        ..IdentitySyncPolicyTemplate::unconfigured()
    }
}

impl TenantPolicies {
    /// A tenant's policies before anything is configured: no partners, unconfigured templates,
    /// the system default.
    pub fn empty_for(tenant: &str) -> Self {
        Self {
            partners: BTreeMap::new(),
            identity_sync: BTreeMap::new(),
            partner_template: unconfigured_partner_template(tenant),
            sync_template: unconfigured_sync_template(tenant),
            default: system_default(),
        }
    }
}

fn mto_partner(
    tenant: &str,
    inbound: Option<bool>,
    outbound: Option<bool>,
) -> PartnerConfiguration {
    PartnerConfiguration {
        automatic_user_consent_settings: InboundOutbound {
            inbound_allowed: inbound,
            outbound_allowed: outbound,
        },
        is_in_multi_tenant_organization: Some(true),
        ..PartnerConfiguration::unconfigured(&crate::ids::tenant_id(tenant))
    }
}

fn sync_policy(tenant: &str, name: &str, allowed: Option<bool>) -> IdentitySyncPolicy {
    IdentitySyncPolicy {
        tenant_id: crate::ids::tenant_id(tenant),
        display_name: Some(name.to_owned()),
        user_sync_inbound: Some(UserSyncInbound {
            is_sync_allowed: allowed,
        }),
        group_sync_inbound: None,
    }
}

/// The demo scenario's policies (design.md): Contoso ↔ Fabrikam and Contoso ↔ Woodgrove healthy both
/// ways; Fabrikam does **not** allow inbound sync from Woodgrove; Tailspin is an ordinary B2B partner
/// of Contoso; Northwind (pending) has none yet; Contoso's templates hold the wizard's values.
/// Contoso and Fabrikam allow inbound group sync from each other (the others leave it unset).
pub fn demo(scenario: &Scenario) -> HashMap<String, TenantPolicies> {
    let mut all: HashMap<String, TenantPolicies> = scenario
        .tenants
        .iter()
        .map(|t| (t.id.clone(), TenantPolicies::empty_for(&t.id)))
        .collect();
    let name = |id: &str| {
        scenario
            .tenant(id)
            .map(|t| t.display_name.clone())
            .unwrap_or_default()
    };
    let mut set = |owner: &str,
                   partner: &str,
                   inbound: Option<bool>,
                   outbound: Option<bool>,
                   sync: Option<bool>| {
        if let Some(policies) = all.get_mut(owner) {
            policies
                .partners
                .insert(partner.to_owned(), mto_partner(partner, inbound, outbound));
            policies.identity_sync.insert(
                partner.to_owned(),
                sync_policy(partner, &name(partner), sync),
            );
        }
    };
    for (a, b) in [(CONTOSO, FABRIKAM), (CONTOSO, WOODGROVE)] {
        set(a, b, Some(true), Some(true), Some(true));
        set(b, a, Some(true), Some(true), Some(true));
    }
    set(WOODGROVE, FABRIKAM, Some(true), Some(true), Some(true));
    // Fabrikam accepts Woodgrove's users as guests at most: no automatic redemption, no inbound sync.
    set(FABRIKAM, WOODGROVE, None, Some(true), Some(false));
    // Group sync: Fabrikam takes Contoso's groups; Contoso took Fabrikam's (sync_state::demo
    // switches that off once they are synced, leaving them behind).
    for (owner, partner) in [(FABRIKAM, CONTOSO), (CONTOSO, FABRIKAM)] {
        if let Some(policy) = all
            .get_mut(owner)
            .and_then(|p| p.identity_sync.get_mut(partner))
        {
            policy.group_sync_inbound = Some(GroupSyncInbound {
                is_sync_allowed: Some(true),
            });
        }
    }
    if let Some(contoso) = all.get_mut(CONTOSO) {
        contoso.partners.insert(
            TAILSPIN.to_owned(),
            PartnerConfiguration::unconfigured(&crate::ids::tenant_id(TAILSPIN)),
        );
        contoso.partner_template.automatic_user_consent_settings = InboundOutbound {
            inbound_allowed: Some(true),
            outbound_allowed: Some(true),
        };
        contoso.sync_template.user_sync_inbound.is_sync_allowed = Some(true);
    }
    all
}

/// A scenario file's policies: each tenant's partner configurations as listed (marked as in the MTO
/// when both tenants are active in it), an identity sync policy where `inbound_sync` is given, and
/// its templates.
fn from_file(scenario: &Scenario, custom: &Custom) -> HashMap<String, TenantPolicies> {
    let active = |id: &str| {
        scenario.mto.is_some()
            && scenario
                .tenant(id)
                .and_then(|t| t.membership.as_ref())
                .is_some_and(|m| m.state == MemberState::Active)
    };
    let name = |id: &str| {
        scenario
            .tenant(id)
            .map(|t| t.display_name.clone())
            .unwrap_or_default()
    };
    scenario
        .tenants
        .iter()
        .map(|tenant| {
            let mut policies = TenantPolicies::empty_for(&tenant.id);
            if let Some(setup) = custom.tenants.get(&tenant.id) {
                for p in &setup.partners {
                    let mut config =
                        mto_partner(&p.partner, p.auto_redeem_inbound, p.auto_redeem_outbound);
                    config.is_in_multi_tenant_organization =
                        Some(active(&tenant.id) && active(&p.partner));
                    policies.partners.insert(p.partner.clone(), config);
                    if p.inbound_sync.is_some() {
                        policies.identity_sync.insert(
                            p.partner.clone(),
                            sync_policy(&p.partner, &name(&p.partner), p.inbound_sync),
                        );
                    }
                }
                policies.partner_template.automatic_user_consent_settings = InboundOutbound {
                    inbound_allowed: setup.templates.auto_redeem_inbound,
                    outbound_allowed: setup.templates.auto_redeem_outbound,
                };
                policies.sync_template.user_sync_inbound.is_sync_allowed =
                    setup.templates.inbound_sync;
            }
            (tenant.id.clone(), policies)
        })
        .collect()
}

/// The policies a scenario starts with.
pub fn for_scenario(scenario: &Scenario) -> HashMap<String, TenantPolicies> {
    if let Some(custom) = &scenario.custom {
        return from_file(scenario, custom);
    }
    if scenario.name == "demo" {
        return demo(scenario);
    }
    // Scale scenarios: every member has MTO settings for every other, allowing sync both ways.
    let members: Vec<&crate::scenario::Tenant> = scenario
        .tenants
        .iter()
        .filter(|t| t.membership.is_some())
        .collect();
    scenario
        .tenants
        .iter()
        .map(|tenant| {
            let mut policies = TenantPolicies::empty_for(&tenant.id);
            if tenant.membership.is_some() {
                for other in members.iter().filter(|o| o.id != tenant.id) {
                    policies.partners.insert(
                        other.id.clone(),
                        mto_partner(&other.id, Some(true), Some(true)),
                    );
                    policies.identity_sync.insert(
                        other.id.clone(),
                        sync_policy(&other.id, &other.display_name, Some(true)),
                    );
                }
            }
            (tenant.id.clone(), policies)
        })
        .collect()
}

/// What the service does when `joined` becomes active: for every other active tenant, each side gets
/// a partner configuration and identity sync policy for the other when missing (then the side's
/// templates apply to it), and existing ones get the templates when the level includes
/// `existingPartners`; all are marked as in the MTO.
pub fn on_tenant_joined(
    policies: &mut HashMap<String, TenantPolicies>,
    joined: &str,
    active: &[String],
    names: &HashMap<String, String>,
) {
    for other in active.iter().filter(|t| t.as_str() != joined) {
        for (owner, partner) in [(joined, other.as_str()), (other.as_str(), joined)] {
            let Some(tenant) = policies.get_mut(owner) else {
                continue;
            };
            let created = !tenant.partners.contains_key(partner);
            let template = tenant.partner_template.clone();
            let sync_template = tenant.sync_template.clone();
            let applies = level_includes(
                &template.template_application_level,
                if created {
                    "newPartners"
                } else {
                    "existingPartners"
                },
            );
            let config = tenant
                .partners
                .entry(partner.to_owned())
                .or_insert_with(|| {
                    PartnerConfiguration::unconfigured(&crate::ids::tenant_id(partner))
                });
            if applies {
                template.apply_to(config);
            }
            config.is_in_multi_tenant_organization = Some(true);
            let sync_created = !tenant.identity_sync.contains_key(partner);
            let sync = tenant
                .identity_sync
                .entry(partner.to_owned())
                .or_insert_with(|| IdentitySyncPolicy {
                    tenant_id: crate::ids::tenant_id(partner),
                    display_name: names.get(partner).cloned(),
                    user_sync_inbound: Some(UserSyncInbound::default()),
                    group_sync_inbound: None,
                });
            let sync_applies = level_includes(
                &sync_template.template_application_level,
                if sync_created {
                    "newPartners"
                } else {
                    "existingPartners"
                },
            );
            if sync_applies && sync_template.user_sync_inbound.is_sync_allowed.is_some() {
                sync.user_sync_inbound = Some(sync_template.user_sync_inbound.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::NORTHWIND;

    #[test]
    fn a_join_creates_partner_settings_both_ways_and_applies_the_owners_templates() {
        let scenario = Scenario::demo();
        let mut policies = demo(&scenario);
        let active: Vec<String> = [CONTOSO, FABRIKAM, WOODGROVE, NORTHWIND]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let names = scenario
            .tenants
            .iter()
            .map(|t| (t.id.clone(), t.display_name.clone()))
            .collect();
        on_tenant_joined(&mut policies, NORTHWIND, &active, &names);

        let contoso_for_northwind = &policies[CONTOSO].partners[NORTHWIND];
        assert_eq!(
            contoso_for_northwind.is_in_multi_tenant_organization,
            Some(true)
        );
        assert_eq!(
            contoso_for_northwind
                .automatic_user_consent_settings
                .inbound_allowed,
            Some(true),
            "Contoso's template applied"
        );
        assert_eq!(
            policies[CONTOSO].identity_sync[NORTHWIND]
                .user_sync_inbound
                .as_ref()
                .unwrap()
                .is_sync_allowed,
            Some(true)
        );

        let fabrikam_for_northwind = &policies[FABRIKAM].partners[NORTHWIND];
        assert_eq!(
            fabrikam_for_northwind.automatic_user_consent_settings,
            InboundOutbound::default(),
            "Fabrikam's template is unconfigured"
        );
        assert!(
            policies[NORTHWIND].partners.contains_key(CONTOSO)
                && policies[NORTHWIND].identity_sync.contains_key(WOODGROVE)
        );
        // Existing settings keep values the templates leave null.
        assert_eq!(
            policies[FABRIKAM].identity_sync[WOODGROVE]
                .user_sync_inbound
                .as_ref()
                .unwrap()
                .is_sync_allowed,
            Some(false)
        );
    }
}
