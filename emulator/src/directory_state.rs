//! The tenant as `/organization`, `/domains` and `/subscribedSkus` describe it, and the directory
//! audit log (`/auditLogs/directoryAudits`): which Graph writes are audited, under which category
//! and activity name (MicrosoftDocs/entra-docs
//! `docs/identity/monitoring-health/reference-audit-activities.md`, "Core Directory" and "Account
//! provisioning" tables).

use std::collections::HashMap;

use graph::directory::{
    AssignedPlan, DirectoryAudit, DomainInfo, LicenseUnits, Organization, PrivacyProfile,
    ServicePlanInfo, SubscribedSku, VerifiedDomain,
};

use crate::scenario::{Scenario, Tenant, CONTOSO, FABRIKAM, TAILSPIN};

/// Entries kept per tenant (oldest dropped first).
pub const AUDIT_CAPACITY: usize = 5_000;

/// Directory audit entries per tenant, oldest first.
#[derive(Debug, Default)]
pub struct DirectoryAudits(HashMap<String, Vec<DirectoryAudit>>);

impl DirectoryAudits {
    pub fn push(&mut self, tenant: &str, entry: DirectoryAudit) {
        let log = self.0.entry(tenant.to_owned()).or_default();
        if log.len() >= AUDIT_CAPACITY {
            log.remove(0);
        }
        log.push(entry);
    }

    /// A tenant's entries, oldest first.
    pub fn of(&self, tenant: &str) -> &[DirectoryAudit] {
        self.0.get(tenant).map(Vec::as_slice).unwrap_or_default()
    }
}

/// When the demo tenants were created (the organization's `createdDateTime`, and when their
/// subscriptions were assigned).
const CREATED: &str = "2025-01-06T09:00:00Z";

/// One product of MicrosoftDocs/entra-docs `docs/identity/users/licensing-service-plan-reference.md`:
/// string id, GUID and the service plans it includes (name, id, the `assignedPlan.service`).
struct Product {
    part_number: &'static str,
    sku_id: &'static str,
    plans: &'static [(&'static str, &'static str, &'static str)],
    prepaid: i32,
}

/// Microsoft Entra ID P1.
const ENTRA_ID_P1: Product = Product {
    part_number: "AAD_PREMIUM",
    sku_id: "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
    plans: &[
        (
            "AAD_PREMIUM",
            "41781fb2-bc02-4b7c-bd55-b576c07bb09d",
            "AADPremiumService",
        ),
        (
            "ADALLOM_S_DISCOVERY",
            "932ad362-64a8-4783-9106-97849a1a30b9",
            "Adallom",
        ),
        (
            "EXCHANGE_S_FOUNDATION",
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
            "exchange",
        ),
        (
            "MFA_PREMIUM",
            "8a256a2b-b617-496d-b51b-e76466e88db0",
            "MultiFactorService",
        ),
    ],
    prepaid: 500,
};

/// Microsoft Entra ID Governance.
const ENTRA_ID_GOVERNANCE: Product = Product {
    part_number: "Microsoft_Entra_ID_Governance",
    sku_id: "cf6b0d46-4093-4546-a0ab-0b1546dcc10e",
    plans: &[(
        "Entra_Identity_Governance",
        "e866a266-3cff-43a3-acca-0c90a7e00c8b",
        "AADPremiumService",
    )],
    prepaid: 100,
};

/// The products a tenant subscribes to. Demo: Entra ID P1 everywhere but Tailspin, which has
/// none; Entra ID Governance in Contoso and Fabrikam. Other scenarios: Entra ID P1 everywhere.
fn products(scenario: &Scenario, tenant: &str) -> Vec<&'static Product> {
    if scenario.name != "demo" {
        return vec![&ENTRA_ID_P1];
    }
    match tenant {
        TAILSPIN => Vec::new(),
        CONTOSO | FABRIKAM => vec![&ENTRA_ID_P1, &ENTRA_ID_GOVERNANCE],
        _ => vec![&ENTRA_ID_P1],
    }
}

fn stable_guid(text: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, text.as_bytes()).to_string()
}

/// The tenant's subscriptions (`subscribedSku`, shaped like the example of
/// microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/subscribedsku-list.md`);
/// `users` licences are counted as consumed, up to the prepaid units.
pub fn subscribed_skus(scenario: &Scenario, tenant: &Tenant, users: usize) -> Vec<SubscribedSku> {
    products(scenario, &tenant.id)
        .into_iter()
        .map(|product| SubscribedSku {
            id: format!("{}_{}", tenant.id, product.sku_id),
            account_name: Some(tenant.display_name.clone()),
            account_id: Some(tenant.id.clone()),
            applies_to: Some("User".into()),
            capability_status: Some("Enabled".into()),
            consumed_units: i32::try_from(users)
                .unwrap_or(i32::MAX)
                .min(product.prepaid),
            prepaid_units: LicenseUnits {
                enabled: product.prepaid,
                ..LicenseUnits::default()
            },
            service_plans: product
                .plans
                .iter()
                .map(|(name, id, _)| ServicePlanInfo {
                    service_plan_id: (*id).into(),
                    service_plan_name: (*name).into(),
                    provisioning_status: Some("Success".into()),
                    applies_to: Some("User".into()),
                })
                .collect(),
            sku_id: product.sku_id.into(),
            sku_part_number: product.part_number.into(),
            subscription_ids: vec![stable_guid(&format!(
                "subscription:{}:{}",
                tenant.id, product.sku_id
            ))],
        })
        .collect()
}

/// The tenant's domains (`domain`, as in the example of
/// microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/domain-get.md`): all
/// verified and managed; the first, `*.onmicrosoft.com`, is the initial and default one.
pub fn domains(tenant: &Tenant) -> Vec<DomainInfo> {
    tenant
        .domains
        .iter()
        .enumerate()
        .map(|(index, name)| DomainInfo {
            id: name.clone(),
            authentication_type: Some("Managed".into()),
            availability_status: None,
            is_admin_managed: Some(true),
            is_default: Some(index == 0),
            is_initial: Some(index == 0),
            is_root: Some(true),
            is_verified: Some(true),
            supported_services: vec!["Email".into(), "OfficeCommunicationsOnline".into()],
            password_validity_period_in_days: None,
            password_notification_window_in_days: None,
            state: None,
        })
        .collect()
}

/// The tenant as `organization` (the example of microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/organization-get.md`): its name, domains and the service plans of its
/// subscriptions; the technical contact is its first account.
pub fn organization(scenario: &Scenario, tenant: &Tenant) -> Organization {
    let assigned_plans = products(scenario, &tenant.id)
        .into_iter()
        .flat_map(|product| product.plans.iter())
        .map(|(_, id, service)| AssignedPlan {
            assigned_date_time: Some(CREATED.into()),
            capability_status: Some("Enabled".into()),
            service: Some((*service).into()),
            service_plan_id: Some((*id).into()),
        })
        .collect();
    Organization {
        id: crate::ids::tenant_id(&tenant.id),
        deleted_date_time: None,
        business_phones: Vec::new(),
        city: None,
        country: None,
        country_letter_code: Some("US".into()),
        created_date_time: Some(CREATED.into()),
        default_usage_location: None,
        display_name: Some(tenant.display_name.clone()),
        is_multiple_data_locations_for_services_enabled: None,
        marketing_notification_emails: Vec::new(),
        on_premises_last_sync_date_time: None,
        on_premises_sync_enabled: None,
        partner_tenant_type: None,
        postal_code: None,
        preferred_language: Some("en".into()),
        security_compliance_notification_mails: Vec::new(),
        security_compliance_notification_phones: Vec::new(),
        state: None,
        street: None,
        technical_notification_mails: tenant
            .accounts
            .first()
            .map(|a| vec![a.upn.clone()])
            .unwrap_or_default(),
        tenant_type: Some("AAD".into()),
        assigned_plans,
        privacy_profile: Some(PrivacyProfile {
            contact_email: Some(String::new()),
            statement_url: Some(String::new()),
        }),
        provisioned_plans: Vec::new(),
        verified_domains: tenant
            .domains
            .iter()
            .enumerate()
            .map(|(index, name)| VerifiedDomain {
                capabilities: Some("Email, OfficeCommunicationsOnline".into()),
                is_default: Some(index == 0),
                is_initial: Some(index == 0),
                name: name.clone(),
                kind: Some("Managed".into()),
            })
            .collect(),
    }
}

/// What an audited write is: category, activity, logging service, operation type, and what it
/// targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub category: &'static str,
    pub name: &'static str,
    pub service: &'static str,
    pub operation: &'static str,
    pub target: Target,
}

/// The target resource of an audited write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `Policy`, `Directory`, `App` or `Other`.
    pub kind: &'static str,
    /// The id named in the path, if any.
    pub id: Option<String>,
    /// The body property that names the target when the path does not (e.g. `tenantId`).
    pub id_in_body: Option<&'static str>,
    pub display_name: Option<String>,
}

const CORE: &str = "Core Directory";
const PROVISIONING: &str = "Account Provisioning";
const CTAP: &str = "policies/crossTenantAccessPolicy";
const MTO: &str = "tenantRelationships/multiTenantOrganization";

fn target(kind: &'static str, id: Option<&str>, display_name: Option<String>) -> Target {
    Target {
        kind,
        id: id.map(str::to_owned),
        id_in_body: None,
        display_name,
    }
}

fn activity(
    category: &'static str,
    name: &'static str,
    service: &'static str,
    operation: &'static str,
    target: Target,
) -> Option<Activity> {
    Some(Activity {
        category,
        name,
        service,
        operation,
        target,
    })
}

/// The audit activity of a successful write (`method` upper case, `path` under `/v1.0/`), or
/// `None` when the write is not audited here.
pub fn classify(method: &str, path: &str) -> Option<Activity> {
    let path = path.strip_prefix("/v1.0/")?.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    if let Some(rest) = path.strip_prefix(CTAP) {
        return classify_policy(method, rest);
    }
    if let Some(rest) = path.strip_prefix(MTO) {
        return classify_mto(method, rest);
    }
    match (method, segments.as_slice()) {
        ("POST", ["applicationTemplates", _, "instantiate"]) => activity(
            "ApplicationManagement",
            "Add service principal",
            CORE,
            "Add",
            Target {
                id_in_body: Some("displayName"),
                ..target("App", None, None)
            },
        ),
        ("DELETE", ["servicePrincipals", sp]) => activity(
            "ApplicationManagement",
            "Remove service principal",
            CORE,
            "Delete",
            target("App", Some(sp), None),
        ),
        ("POST", ["servicePrincipals", sp, "appRoleAssignedTo"]) => activity(
            "ApplicationManagement",
            "Add app role assignment to service principal",
            CORE,
            "Assign",
            target("App", Some(sp), None),
        ),
        ("DELETE", ["servicePrincipals", sp, "appRoleAssignedTo", _]) => activity(
            "ApplicationManagement",
            "Remove app role assignment from service principal",
            CORE,
            "Unassign",
            target("App", Some(sp), None),
        ),
        (_, ["servicePrincipals", sp, "synchronization", rest @ ..]) => {
            classify_sync(method, sp, rest)
        }
        _ => None,
    }
}

/// Cross-tenant access settings ("Core Directory": `CrossTenantAccessSettings`,
/// `CrossTenantIdentitySyncSettings` and the two MTO template categories).
fn classify_policy(method: &str, rest: &str) -> Option<Activity> {
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let policy = |id: Option<&str>| target("Policy", id, id.map(|t| format!("Partner {t}")));
    let (category, name, operation, target) = match (method, segments.as_slice()) {
        // The reference lists the default's update under CrossTenantIdentitySyncSettings.
        ("PATCH", ["default"]) => (
            "CrossTenantIdentitySyncSettings",
            "Update the company default cross-tenant access setting",
            "Update",
            policy(None),
        ),
        ("POST", ["default", "resetToSystemDefault"]) => (
            "CrossTenantAccessSettings",
            "Reset the cross-tenant access default setting",
            "Update",
            policy(None),
        ),
        ("POST", ["partners"]) => (
            "CrossTenantAccessSettings",
            "Add a partner to cross-tenant access setting",
            "Add",
            Target {
                id_in_body: Some("tenantId"),
                ..policy(None)
            },
        ),
        ("PATCH", ["partners", partner]) => (
            "CrossTenantAccessSettings",
            "Update a partner cross-tenant access setting",
            "Update",
            policy(Some(partner)),
        ),
        ("DELETE", ["partners", partner]) => (
            "CrossTenantAccessSettings",
            "Delete partner specific cross-tenant access setting",
            "Delete",
            policy(Some(partner)),
        ),
        (method, ["partners", partner, "identitySynchronization"]) => {
            let (name, operation) = match method {
                "PUT" => ("Create a partner cross-tenant identity sync setting", "Add"),
                "PATCH" => (
                    "Update a partner cross-tenant identity sync setting",
                    "Update",
                ),
                "DELETE" => (
                    "Delete a partner cross-tenant identity sync setting",
                    "Delete",
                ),
                _ => return None,
            };
            (
                "CrossTenantIdentitySyncSettings",
                name,
                operation,
                policy(Some(partner)),
            )
        }
        (method, ["templates", template, rest @ ..]) => {
            let reset = match (method, rest) {
                ("PATCH", []) => false,
                ("POST", ["resetToDefaultSettings"]) => true,
                _ => return None,
            };
            let (category, name) = match (*template, reset) {
                ("multiTenantOrganizationPartnerConfiguration", false) => (
                    "MultiTenantOrgPartnerConfigurationTemplate",
                    "Update a multi tenant org partner configuration template",
                ),
                ("multiTenantOrganizationPartnerConfiguration", true) => (
                    "MultiTenantOrgPartnerConfigurationTemplate",
                    "Reset a multi tenant org partner configuration template",
                ),
                ("multiTenantOrganizationIdentitySynchronization", false) => (
                    "MultiTenantOrgIdentitySyncPolicyUpdate",
                    "Update a multi tenant org identity sync policy template",
                ),
                ("multiTenantOrganizationIdentitySynchronization", true) => (
                    "MultiTenantOrgIdentitySyncPolicyUpdate",
                    "Reset a multi tenant org identity sync policy template",
                ),
                _ => return None,
            };
            (
                category,
                name,
                "Update",
                target("Policy", None, Some((*template).to_owned())),
            )
        }
        _ => return None,
    };
    activity(category, name, CORE, operation, target)
}

/// The multitenant organization ("Core Directory": `MultiTenantOrg`, `MultiTenantOrgTenant`).
fn classify_mto(method: &str, rest: &str) -> Option<Activity> {
    let segments: Vec<&str> = rest
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let directory = |id: Option<&str>| target("Directory", id, None);
    match (method, segments.as_slice()) {
        ("PUT", []) => activity(
            "MultiTenantOrg",
            "Create a MultiTenantOrg",
            CORE,
            "Add",
            Target {
                id_in_body: Some("displayName"),
                ..target("Other", None, None)
            },
        ),
        ("PATCH", []) => activity(
            "MultiTenantOrg",
            "Update a MultiTenantOrg",
            CORE,
            "Update",
            target("Other", None, None),
        ),
        ("POST", ["tenants"]) => activity(
            "MultiTenantOrgTenant",
            "Add MultiTenantOrg tenant",
            CORE,
            "Add",
            Target {
                id_in_body: Some("tenantId"),
                ..directory(None)
            },
        ),
        ("PATCH", ["tenants", tenant]) => activity(
            "MultiTenantOrgTenant",
            "Update MultiTenantOrg tenant",
            CORE,
            "Update",
            directory(Some(tenant)),
        ),
        ("DELETE", ["tenants", tenant]) => activity(
            "MultiTenantOrgTenant",
            "Delete MultiTenantOrg tenant",
            CORE,
            "Delete",
            directory(Some(tenant)),
        ),
        ("PATCH", ["joinRequest"]) => activity(
            "MultiTenantOrgTenant",
            "Tenant joining MultiTenantOrg tenant",
            CORE,
            "Update",
            Target {
                id_in_body: Some("addedByTenantId"),
                ..directory(None)
            },
        ),
        _ => None,
    }
}

/// Cross-tenant sync configuration ("Account provisioning": `ProvisioningManagement`).
fn classify_sync(method: &str, sp: &str, rest: &[&str]) -> Option<Activity> {
    let name = match (method, rest) {
        ("PUT", ["secrets"]) => "Update provisioning setting or credentials",
        ("POST", ["jobs"]) => "Add provisioning configuration",
        ("DELETE", ["jobs", _]) => "Delete provisioning configuration",
        ("POST", ["jobs", _, "start"]) => "Enable/start provisioning configuration",
        ("POST", ["jobs", _, "restart"]) => "Enable/restart provisioning configuration",
        ("POST", ["jobs", _, "pause"]) => "Disable/pause provisioning configuration",
        ("POST", ["jobs", _, "provisionOnDemand"]) => "Other",
        ("PUT" | "DELETE", ["jobs", _, "schema"]) => "Update attribute mappings or scope",
        _ => return None,
    };
    let operation = match method {
        "DELETE" if rest.len() == 2 => "Delete",
        "POST" if rest == ["jobs"] => "Add",
        _ => "Update",
    };
    activity(
        "ProvisioningManagement",
        name,
        PROVISIONING,
        operation,
        target("App", Some(sp), None),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_map_to_the_documented_categories_and_activities() {
        let partner = classify("POST", "/v1.0/policies/crossTenantAccessPolicy/partners").unwrap();
        assert_eq!(partner.category, "CrossTenantAccessSettings");
        assert_eq!(partner.name, "Add a partner to cross-tenant access setting");
        assert_eq!(partner.target.id_in_body, Some("tenantId"));
        let sync = classify(
            "PUT",
            "/v1.0/policies/crossTenantAccessPolicy/partners/abc/identitySynchronization",
        )
        .unwrap();
        assert_eq!(sync.category, "CrossTenantIdentitySyncSettings");
        assert_eq!(sync.target.id.as_deref(), Some("abc"));
        let join = classify(
            "PATCH",
            "/v1.0/tenantRelationships/multiTenantOrganization/joinRequest",
        )
        .unwrap();
        assert_eq!(join.name, "Tenant joining MultiTenantOrg tenant");
        let start = classify(
            "POST",
            "/v1.0/servicePrincipals/sp/synchronization/jobs/j/start",
        )
        .unwrap();
        assert_eq!(
            (start.category, start.service),
            ("ProvisioningManagement", "Account Provisioning")
        );
        let reset = classify(
            "POST",
            "/v1.0/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization/resetToDefaultSettings",
        )
        .unwrap();
        assert_eq!(
            reset.name,
            "Reset a multi tenant org identity sync policy template"
        );
        assert!(classify("GET", "/v1.0/policies/crossTenantAccessPolicy/partners").is_none());
        assert!(classify(
            "POST",
            "/v1.0/servicePrincipals/sp/synchronization/jobs/validateCredentials"
        )
        .is_none());
        assert!(classify("PATCH", "/v1.0/users/x").is_none());
    }

    #[test]
    fn the_mto_writes_are_recorded_under_the_categories_the_dashboard_reads() {
        let writes = [
            ("PUT", "tenantRelationships/multiTenantOrganization"),
            ("PATCH", "tenantRelationships/multiTenantOrganization"),
            ("POST", "tenantRelationships/multiTenantOrganization/tenants"),
            ("PATCH", "tenantRelationships/multiTenantOrganization/tenants/t"),
            ("DELETE", "tenantRelationships/multiTenantOrganization/tenants/t"),
            ("PATCH", "tenantRelationships/multiTenantOrganization/joinRequest"),
            ("PATCH", "policies/crossTenantAccessPolicy/default"),
            ("POST", "policies/crossTenantAccessPolicy/default/resetToSystemDefault"),
            ("POST", "policies/crossTenantAccessPolicy/partners"),
            ("PATCH", "policies/crossTenantAccessPolicy/partners/p"),
            ("DELETE", "policies/crossTenantAccessPolicy/partners/p"),
            ("PUT", "policies/crossTenantAccessPolicy/partners/p/identitySynchronization"),
            ("PATCH", "policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration"),
            ("POST", "policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization/resetToDefaultSettings"),
            ("POST", "servicePrincipals/sp/synchronization/jobs"),
            ("POST", "servicePrincipals/sp/synchronization/jobs/j/start"),
            ("PUT", "servicePrincipals/sp/synchronization/jobs/j/schema"),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for (method, path) in writes {
            let activity = classify(method, &format!("/v1.0/{path}")).unwrap();
            assert!(
                graph::directory::MTO_AUDIT_CATEGORIES.contains(&activity.category),
                "{method} {path}: {}",
                activity.category
            );
            seen.insert(activity.category);
        }
        let read: std::collections::BTreeSet<&str> = graph::directory::MTO_AUDIT_CATEGORIES
            .iter()
            .copied()
            .collect();
        assert_eq!(
            seen, read,
            "every category the dashboard reads is recorded by some write"
        );
    }

    #[test]
    fn the_demo_tenants_hold_the_documented_products() {
        let scenario = Scenario::demo();
        let sku_parts = |id: &str| -> Vec<String> {
            let tenant = scenario.tenant(id).unwrap();
            subscribed_skus(&scenario, tenant, 10)
                .into_iter()
                .map(|s| s.sku_part_number)
                .collect()
        };
        assert_eq!(
            sku_parts(CONTOSO),
            ["AAD_PREMIUM", "Microsoft_Entra_ID_Governance"]
        );
        assert_eq!(sku_parts(crate::scenario::WOODGROVE), ["AAD_PREMIUM"]);
        assert!(sku_parts(TAILSPIN).is_empty());
        let contoso = scenario.tenant(CONTOSO).unwrap();
        let org = organization(&scenario, contoso);
        assert_eq!(org.default_domain(), Some("contoso.onmicrosoft.com"));
        assert!(org
            .assigned_plans
            .iter()
            .any(|p| p.service_plan_id.as_deref() == Some("41781fb2-bc02-4b7c-bd55-b576c07bb09d")));
        assert_eq!(domains(contoso)[1].id, "contoso.com");
    }
}
