//! The tenant itself and its directory audit log: `organization`, `domain`, `subscribedSku` and
//! `directoryAudit` (microsoftgraph/microsoft-graph-docs-contrib
//! `api-reference/v1.0/resources/organization.md`, `…/domain.md`, `…/subscribedsku.md`,
//! `…/directoryaudit.md`, with the examples of `api-reference/v1.0/api/organization-get.md`,
//! `…/domain-get.md`, `…/subscribedsku-list.md` and `…/directoryaudit-list.md`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `verifiedDomain`: one of the tenant's domains as `organization.verifiedDomains` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    /// Comma-separated capabilities, e.g. `Email, OfficeCommunicationsOnline`.
    pub capabilities: Option<String>,
    pub is_default: Option<bool>,
    pub is_initial: Option<bool>,
    pub name: String,
    /// `Managed` or `Federated`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `assignedPlan`: a service plan the tenant holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedPlan {
    pub assigned_date_time: Option<String>,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted`, `LockedOut`.
    pub capability_status: Option<String>,
    pub service: Option<String>,
    pub service_plan_id: Option<String>,
}

/// `privacyProfile`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyProfile {
    pub contact_email: Option<String>,
    pub statement_url: Option<String>,
}

/// `organization`: the tenant the caller is signed in to (`id` is the tenant id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: crate::TenantId,
    #[serde(default)]
    pub deleted_date_time: Option<String>,
    #[serde(default)]
    pub business_phones: Vec<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub country_letter_code: Option<String>,
    #[serde(default)]
    pub created_date_time: Option<String>,
    #[serde(default)]
    pub default_usage_location: Option<String>,
    pub display_name: Option<String>,
    #[serde(default)]
    pub is_multiple_data_locations_for_services_enabled: Option<bool>,
    #[serde(default)]
    pub marketing_notification_emails: Vec<String>,
    #[serde(default)]
    pub on_premises_last_sync_date_time: Option<String>,
    #[serde(default)]
    pub on_premises_sync_enabled: Option<bool>,
    #[serde(default)]
    pub partner_tenant_type: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub security_compliance_notification_mails: Vec<String>,
    #[serde(default)]
    pub security_compliance_notification_phones: Vec<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub technical_notification_mails: Vec<String>,
    /// `AAD` or `AAD B2C`.
    #[serde(default)]
    pub tenant_type: Option<String>,
    #[serde(default)]
    pub assigned_plans: Vec<AssignedPlan>,
    #[serde(default)]
    pub privacy_profile: Option<PrivacyProfile>,
    #[serde(default)]
    pub provisioned_plans: Vec<Value>,
    #[serde(default)]
    pub verified_domains: Vec<VerifiedDomain>,
}

impl Organization {
    /// The tenant's default domain (`isDefault`), if listed.
    pub fn default_domain(&self) -> Option<&str> {
        self.verified_domains
            .iter()
            .find(|d| d.is_default == Some(true))
            .map(|d| d.name.as_str())
    }
}

/// `domain`: one domain of the tenant (`id` is the fully qualified name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainInfo {
    pub id: String,
    /// `Managed` or `Federated`.
    pub authentication_type: Option<String>,
    #[serde(default)]
    pub availability_status: Option<String>,
    pub is_admin_managed: Option<bool>,
    pub is_default: Option<bool>,
    pub is_initial: Option<bool>,
    pub is_root: Option<bool>,
    pub is_verified: Option<bool>,
    #[serde(default)]
    pub supported_services: Vec<String>,
    #[serde(default)]
    pub password_validity_period_in_days: Option<i32>,
    #[serde(default)]
    pub password_notification_window_in_days: Option<i32>,
    #[serde(default)]
    pub state: Option<Value>,
}

/// `licenseUnitsDetail`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseUnits {
    pub enabled: i32,
    #[serde(default)]
    pub locked_out: i32,
    #[serde(default)]
    pub suspended: i32,
    #[serde(default)]
    pub warning: i32,
}

/// `servicePlanInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlanInfo {
    pub service_plan_id: String,
    pub service_plan_name: String,
    pub provisioning_status: Option<String>,
    pub applies_to: Option<String>,
}

/// `subscribedSku`: a commercial subscription of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    /// `{tenantId}_{skuId}`.
    pub id: String,
    #[serde(default)]
    pub account_name: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    pub applies_to: Option<String>,
    pub capability_status: Option<String>,
    pub consumed_units: i32,
    pub prepaid_units: LicenseUnits,
    #[serde(default)]
    pub service_plans: Vec<ServicePlanInfo>,
    pub sku_id: String,
    /// E.g. `AAD_PREMIUM` (MicrosoftDocs/entra-docs
    /// `docs/identity/users/licensing-service-plan-reference.md`).
    pub sku_part_number: String,
    #[serde(default)]
    pub subscription_ids: Vec<String>,
}

impl SubscribedSku {
    /// Whether the subscription is usable and includes the service plan `name`.
    pub fn enables_plan(&self, name: &str) -> bool {
        self.capability_status.as_deref() == Some("Enabled")
            && self
                .service_plans
                .iter()
                .any(|p| p.service_plan_name.eq_ignore_ascii_case(name))
    }
}

/// `userIdentity` of an audit entry's initiator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditUser {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub home_tenant_id: Option<String>,
    #[serde(default)]
    pub home_tenant_name: Option<String>,
}

/// `appIdentity` of an audit entry's initiator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditApp {
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    #[serde(default)]
    pub service_principal_id: Option<String>,
    #[serde(default)]
    pub service_principal_name: Option<String>,
}

/// `auditActivityInitiator`: the user or the app that did it (the other is null).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditInitiator {
    #[serde(default)]
    pub user: Option<AuditUser>,
    #[serde(default)]
    pub app: Option<AuditApp>,
}

/// `modifiedProperty` (values are JSON text, as Graph writes them): the same type as in a
/// provisioning log entry.
pub use crate::sync::ModifiedProperty;

/// `targetResource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetResource {
    pub id: Option<String>,
    pub display_name: Option<String>,
    /// `User`, `Device`, `Directory`, `App`, `Role`, `Group`, `Policy` or `Other`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub group_type: Option<String>,
    #[serde(default)]
    pub modified_properties: Vec<ModifiedProperty>,
}

/// `keyValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// The directory audit categories of the multitenant organization, its cross-tenant access
/// settings (partners, default, identity sync, the MTO templates) and cross-tenant provisioning
/// management, as MicrosoftDocs/entra-docs
/// `docs/identity/monitoring-health/reference-audit-activities.md` names them ("Core Directory"
/// and "Account provisioning" tables). Tenant Mesh reads these only.
pub const MTO_AUDIT_CATEGORIES: &[&str] = &[
    "MultiTenantOrg",
    "MultiTenantOrgTenant",
    "MultiTenantOrgPartnerConfigurationTemplate",
    "MultiTenantOrgIdentitySyncPolicyUpdate",
    "CrossTenantAccessSettings",
    "CrossTenantIdentitySyncSettings",
    "ProvisioningManagement",
];

/// How long Graph keeps directory audit events: 30 days with Microsoft Entra ID P1 or P2 (seven
/// days with Free), MicrosoftDocs/entra-docs
/// `docs/identity/monitoring-health/reference-reports-data-retention.md`, "Activity reports".
pub const AUDIT_RETENTION_DAYS: i64 = 30;

/// `directoryAudit`: one entry of `/auditLogs/directoryAudits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryAudit {
    pub id: String,
    pub category: String,
    pub correlation_id: Option<String>,
    /// `success`, `failure`, `timeout`.
    pub result: String,
    #[serde(default)]
    pub result_reason: Option<String>,
    pub activity_display_name: String,
    pub activity_date_time: String,
    pub logged_by_service: Option<String>,
    /// `Add`, `Assign`, `Update`, `Unassign`, `Delete`, …
    #[serde(default)]
    pub operation_type: Option<String>,
    pub initiated_by: AuditInitiator,
    #[serde(default)]
    pub target_resources: Vec<TargetResource>,
    #[serde(default)]
    pub additional_details: Vec<KeyValue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_sku_example_reads() {
        let sku: SubscribedSku = serde_json::from_value(serde_json::json!({
            "accountName": "Sample account One",
            "accountId": "f97aeefc-af85-414d-8ae4-b457f90efc40",
            "appliesTo": "User",
            "capabilityStatus": "Enabled",
            "consumedUnits": 14,
            "id": "48a80680-7326-48cd-9935-b556b81d3a4e_c7df2760-2c81-4ef7-b578-5b5392b571df",
            "prepaidUnits": {"enabled": 25, "lockedOut": 0, "suspended": 0, "warning": 0},
            "servicePlans": [{
                "servicePlanId": "8c098270-9dd4-4350-9b30-ba4703f3b36b",
                "servicePlanName": "ADALLOM_S_O365",
                "provisioningStatus": "Success",
                "appliesTo": "Company"
            }],
            "skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df",
            "skuPartNumber": "ENTERPRISEPREMIUM",
            "subscriptionIds": ["43d26afe-cb98-48b9-acc4-ae3ef2ac6c51"]
        }))
        .unwrap();
        assert!(sku.enables_plan("adallom_s_o365"));
        assert_eq!(sku.prepaid_units.enabled, 25);
    }

    #[test]
    fn an_audit_entry_uses_graphs_names() {
        let entry = DirectoryAudit {
            id: "x".into(),
            category: "CrossTenantAccessSettings".into(),
            correlation_id: None,
            result: "success".into(),
            result_reason: None,
            activity_display_name: "Add a partner to cross-tenant access setting".into(),
            activity_date_time: "2026-09-01T00:00:00Z".into(),
            logged_by_service: Some("Core Directory".into()),
            operation_type: Some("Add".into()),
            initiated_by: AuditInitiator::default(),
            target_resources: vec![TargetResource {
                id: None,
                display_name: None,
                kind: Some("Policy".into()),
                user_principal_name: None,
                group_type: None,
                modified_properties: Vec::new(),
            }],
            additional_details: Vec::new(),
        };
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["targetResources"][0]["type"], "Policy");
        assert!(json["initiatedBy"]["user"].is_null());
        assert_eq!(json["activityDisplayName"], entry.activity_display_name);
    }
}
