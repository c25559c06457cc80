//! Cross-tenant access policy resources: partner configurations, identity synchronization
//! policies, the default configuration and the MTO templates. Microsoft Graph v1.0 reference:
//! `api-reference/v1.0/resources/crosstenantaccesspolicyconfigurationpartner.md`,
//! `…/crosstenantidentitysyncpolicypartner.md`, `…/crosstenantaccesspolicyconfigurationdefault.md`,
//! `…/multitenantorganizationpartnerconfigurationtemplate.md` and
//! `…/multitenantorganizationidentitysyncpolicytemplate.md` (microsoftgraph/microsoft-graph-docs-contrib).

use serde::{Deserialize, Serialize};

use crate::macros::graph_enum;

graph_enum! {
    /// `crossTenantAccessPolicyTargetConfigurationAccessType`.
    AccessType { Allowed = "allowed", Blocked = "blocked" }
}

graph_enum! {
    /// `crossTenantAccessPolicyTargetType`.
    TargetType { User = "user", Group = "group", Application = "application" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundTrust {
    pub is_mfa_accepted: Option<bool>,
    pub is_compliant_device_accepted: Option<bool>,
    /// Graph spells it `isHybridAzureADJoinedDeviceAccepted` ("AD" in capitals).
    #[serde(rename = "isHybridAzureADJoinedDeviceAccepted")]
    pub is_hybrid_azure_ad_joined_device_accepted: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub target: String,
    pub target_type: TargetType,
}

/// `{accessType: allowed|blocked, targets: [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetConfiguration {
    pub access_type: AccessType,
    #[serde(default)]
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct B2BSetting {
    pub users_and_groups: Option<TargetConfiguration>,
    pub applications: Option<TargetConfiguration>,
}

/// `automaticUserConsentSettings`: the "automatic redemption" switches cross-tenant sync needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundOutbound {
    pub inbound_allowed: Option<bool>,
    pub outbound_allowed: Option<bool>,
}

/// `userSyncInbound {isSyncAllowed}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSyncInbound {
    pub is_sync_allowed: Option<bool>,
}

/// `groupSyncInbound {isSyncAllowed}`: whether the partner may synchronize security groups into
/// this tenant. `false` stops any current group synchronization from the partner and leaves the
/// groups it already synchronized as they are (`api-reference/beta/resources/crosstenantgroupsyncinbound.md`,
/// microsoftgraph/microsoft-graph-docs-contrib).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSyncInbound {
    pub is_sync_allowed: Option<bool>,
}

/// `crossTenantIdentitySyncPolicyPartner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySyncPolicy {
    pub tenant_id: crate::TenantId,
    pub display_name: Option<String>,
    pub user_sync_inbound: Option<UserSyncInbound>,
    /// Absent from policies read before group synchronization existed: `None`.
    #[serde(default)]
    pub group_sync_inbound: Option<GroupSyncInbound>,
}

impl IdentitySyncPolicy {
    /// `groupSyncInbound.isSyncAllowed`, `None` when unset.
    pub fn group_sync_allowed(&self) -> Option<bool> {
        self.group_sync_inbound.as_ref()?.is_sync_allowed
    }
}

/// `crossTenantAccessPolicyTenantRestrictions`: a B2B setting with a device filter
/// (`api-reference/v1.0/resources/crosstenantaccesspolicytenantrestrictions.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantRestrictions {
    #[serde(flatten)]
    pub setting: B2BSetting,
    #[serde(default)]
    pub devices: Option<DevicesFilter>,
}

/// `devicesFilter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicesFilter {
    pub mode: Option<AccessType>,
    pub rule: Option<String>,
}

/// `crossTenantAccessPolicyConfigurationPartner` (key `tenantId`, no `id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerConfiguration {
    pub tenant_id: crate::TenantId,
    pub inbound_trust: Option<InboundTrust>,
    pub b2b_collaboration_inbound: Option<B2BSetting>,
    pub b2b_collaboration_outbound: Option<B2BSetting>,
    pub b2b_direct_connect_inbound: Option<B2BSetting>,
    pub b2b_direct_connect_outbound: Option<B2BSetting>,
    #[serde(default)]
    pub automatic_user_consent_settings: InboundOutbound,
    pub is_in_multi_tenant_organization: Option<bool>,
    /// Null until set (a Cloud Service Provider relationship sets it).
    #[serde(default)]
    pub is_service_provider: Option<bool>,
    /// Tenant restrictions v2 for this partner; null when the partner inherits the default's.
    #[serde(default)]
    pub tenant_restrictions: Option<TenantRestrictions>,
    /// Present when listed with `$expand=identitySynchronization`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_synchronization: Option<IdentitySyncPolicy>,
}

impl PartnerConfiguration {
    /// A partner configuration as the service creates it: every setting inherited (null).
    pub fn unconfigured(tenant_id: &crate::TenantId) -> Self {
        Self {
            tenant_id: tenant_id.clone(),
            inbound_trust: None,
            b2b_collaboration_inbound: None,
            b2b_collaboration_outbound: None,
            b2b_direct_connect_inbound: None,
            b2b_direct_connect_outbound: None,
            automatic_user_consent_settings: InboundOutbound::default(),
            is_in_multi_tenant_organization: Some(false),
            is_service_provider: None,
            tenant_restrictions: None,
            identity_synchronization: None,
        }
    }
}

/// `crossTenantAccessPolicyConfigurationDefault`: what partners inherit where their value is null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultConfiguration {
    #[serde(default)]
    pub is_service_default: bool,
    pub inbound_trust: Option<InboundTrust>,
    pub b2b_collaboration_inbound: Option<B2BSetting>,
    pub b2b_collaboration_outbound: Option<B2BSetting>,
    pub b2b_direct_connect_inbound: Option<B2BSetting>,
    pub b2b_direct_connect_outbound: Option<B2BSetting>,
    #[serde(default)]
    pub automatic_user_consent_settings: InboundOutbound,
}

/// `multiTenantOrganizationPartnerConfigurationTemplate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerConfigurationTemplate {
    pub id: String,
    pub template_application_level: String,
    pub inbound_trust: Option<InboundTrust>,
    pub b2b_collaboration_inbound: Option<B2BSetting>,
    pub b2b_collaboration_outbound: Option<B2BSetting>,
    pub b2b_direct_connect_inbound: Option<B2BSetting>,
    pub b2b_direct_connect_outbound: Option<B2BSetting>,
    #[serde(default)]
    pub automatic_user_consent_settings: InboundOutbound,
}

/// `multiTenantOrganizationIdentitySyncPolicyTemplate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySyncPolicyTemplate {
    pub id: String,
    pub template_application_level: String,
    #[serde(default)]
    pub user_sync_inbound: UserSyncInbound,
}

/// The default `templateApplicationLevel`.
pub const DEFAULT_APPLICATION_LEVEL: &str = "newPartners,existingPartners";

/// The `id` of the unconfigured partner configuration template in the Get example of
/// `api-reference/v1.0/api/multitenantorganizationpartnerconfigurationtemplate-get.md` (each tenant
/// has its own template, keyed by a GUID).
pub const PARTNER_TEMPLATE_EXAMPLE_ID: &str = "75b1889b-6f42-4cc5-8e62-e774b8db243c";

/// The `id` of the unconfigured identity sync template in the Get example of
/// `api-reference/v1.0/api/multitenantorganizationidentitysyncpolicytemplate-get.md`.
pub const SYNC_TEMPLATE_EXAMPLE_ID: &str = "0e7aad84-cb46-4b8e-a881-522ef25939f1";

impl PartnerConfigurationTemplate {
    pub fn unconfigured() -> Self {
        Self {
            id: PARTNER_TEMPLATE_EXAMPLE_ID.into(),
            template_application_level: DEFAULT_APPLICATION_LEVEL.into(),
            inbound_trust: None,
            b2b_collaboration_inbound: None,
            b2b_collaboration_outbound: None,
            b2b_direct_connect_inbound: None,
            b2b_direct_connect_outbound: None,
            automatic_user_consent_settings: InboundOutbound::default(),
        }
    }

    /// Applies the template's non-null values to a partner configuration (null leaves it untouched).
    pub fn apply_to(&self, partner: &mut PartnerConfiguration) {
        if self.inbound_trust.is_some() {
            partner.inbound_trust = self.inbound_trust.clone();
        }
        for (template, target) in [
            (
                &self.b2b_collaboration_inbound,
                &mut partner.b2b_collaboration_inbound,
            ),
            (
                &self.b2b_collaboration_outbound,
                &mut partner.b2b_collaboration_outbound,
            ),
            (
                &self.b2b_direct_connect_inbound,
                &mut partner.b2b_direct_connect_inbound,
            ),
            (
                &self.b2b_direct_connect_outbound,
                &mut partner.b2b_direct_connect_outbound,
            ),
        ] {
            if template.is_some() {
                *target = template.clone();
            }
        }
        let consent = &self.automatic_user_consent_settings;
        if consent.inbound_allowed.is_some() {
            partner.automatic_user_consent_settings.inbound_allowed = consent.inbound_allowed;
        }
        if consent.outbound_allowed.is_some() {
            partner.automatic_user_consent_settings.outbound_allowed = consent.outbound_allowed;
        }
    }
}

impl IdentitySyncPolicyTemplate {
    pub fn unconfigured() -> Self {
        Self {
            id: SYNC_TEMPLATE_EXAMPLE_ID.into(),
            template_application_level: DEFAULT_APPLICATION_LEVEL.into(),
            user_sync_inbound: UserSyncInbound::default(),
        }
    }
}

/// Whether a `templateApplicationLevel` flags string includes `flag` (`newPartners`, `existingPartners`).
pub fn level_includes(level: &str, flag: &str) -> bool {
    level.split(',').any(|part| part.trim() == flag)
}

/// Body of `POST /policies/crossTenantAccessPolicy/partners`: a new partner configuration with
/// the automatic redemption switches set (everything else inherits the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPartner {
    pub tenant_id: crate::TenantId,
    pub automatic_user_consent_settings: InboundOutbound,
}

/// Body of `PATCH …/partners/{tenantId}` that sets the automatic redemption switches. The complex
/// value is sent whole: a PATCH replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentChange {
    pub automatic_user_consent_settings: InboundOutbound,
}

/// Body of `PATCH …/partners/{tenantId}` that sets any of the partner's settings: a field left
/// `None` is not sent (unchanged); `Some(None)` sends `null` (the partner inherits the default's
/// value again); `Some(Some(v))` replaces the whole complex value (a PATCH replaces complex
/// properties, `api-reference/v1.0/api/crosstenantaccesspolicyconfigurationpartner-update.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PartnerWrite {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_trust: Option<Option<InboundTrust>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_collaboration_inbound: Option<Option<B2BSetting>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_collaboration_outbound: Option<Option<B2BSetting>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_direct_connect_inbound: Option<Option<B2BSetting>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_direct_connect_outbound: Option<Option<B2BSetting>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automatic_user_consent_settings: Option<InboundOutbound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_restrictions: Option<Option<TenantRestrictions>>,
}

impl PartnerWrite {
    /// The write that gives `partner` the value `reference` has for the property `name` (a
    /// `crossTenantAccessPolicyConfigurationPartner` property name); `None` for a property that
    /// cannot be written (`tenantId`, `isInMultiTenantOrganization`, `isServiceProvider`, …).
    pub fn property_of(reference: &PartnerConfiguration, name: &str) -> Option<Self> {
        let mut write = Self::default();
        match name {
            "inboundTrust" => write.inbound_trust = Some(reference.inbound_trust.clone()),
            "b2bCollaborationInbound" => {
                write.b2b_collaboration_inbound = Some(reference.b2b_collaboration_inbound.clone())
            }
            "b2bCollaborationOutbound" => {
                write.b2b_collaboration_outbound =
                    Some(reference.b2b_collaboration_outbound.clone())
            }
            "b2bDirectConnectInbound" => {
                write.b2b_direct_connect_inbound =
                    Some(reference.b2b_direct_connect_inbound.clone())
            }
            "b2bDirectConnectOutbound" => {
                write.b2b_direct_connect_outbound =
                    Some(reference.b2b_direct_connect_outbound.clone())
            }
            "automaticUserConsentSettings" => {
                write.automatic_user_consent_settings =
                    Some(reference.automatic_user_consent_settings.clone())
            }
            "tenantRestrictions" => {
                write.tenant_restrictions = Some(reference.tenant_restrictions.clone())
            }
            _ => return None,
        }
        Some(write)
    }
}

/// Body of `PUT` (create) or `PATCH` (update) on `…/partners/{tenantId}/identitySynchronization`.
/// `groupSyncInbound` is sent only when set: a PATCH without it leaves group sync as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySyncWrite {
    pub user_sync_inbound: UserSyncInbound,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_sync_inbound: Option<GroupSyncInbound>,
}

impl IdentitySyncWrite {
    /// Inbound user sync allowed.
    pub fn allow_inbound() -> Self {
        Self {
            user_sync_inbound: UserSyncInbound {
                is_sync_allowed: Some(true),
            },
            group_sync_inbound: None,
        }
    }

    /// The same, with inbound group sync allowed or not.
    pub fn with_group_sync(mut self, allowed: bool) -> Self {
        self.group_sync_inbound = Some(GroupSyncInbound {
            is_sync_allowed: Some(allowed),
        });
        self
    }
}

/// Body of `PATCH` on the MTO partner configuration template (the values an MTO depends on;
/// `null` leaves partners' own values untouched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerTemplateWrite {
    pub template_application_level: String,
    pub inbound_trust: Option<InboundTrust>,
    pub automatic_user_consent_settings: InboundOutbound,
}

/// Body of `PATCH` on the MTO identity synchronization template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySyncTemplateWrite {
    pub template_application_level: String,
    pub user_sync_inbound: UserSyncInbound,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbound_trust_uses_graphs_spelling() {
        let trust: InboundTrust = serde_json::from_value(serde_json::json!({
            "isMfaAccepted": true,
            "isCompliantDeviceAccepted": false,
            "isHybridAzureADJoinedDeviceAccepted": true,
        }))
        .unwrap();
        assert_eq!(trust.is_hybrid_azure_ad_joined_device_accepted, Some(true));
        let json = serde_json::to_value(&trust).unwrap();
        assert_eq!(json["isHybridAzureADJoinedDeviceAccepted"], true);
    }

    #[test]
    fn the_unconfigured_partner_serialises_like_graph() {
        let json =
            serde_json::to_value(PartnerConfiguration::unconfigured(&crate::TenantId::zero()))
                .unwrap();
        assert_eq!(json["tenantId"], crate::TenantId::ZERO);
        assert!(json["inboundTrust"].is_null());
        assert!(json["automaticUserConsentSettings"]["inboundAllowed"].is_null());
        assert!(json.get("identitySynchronization").is_none());
        assert!(json.get("id").is_none(), "partners have no id");
        assert!(json["isServiceProvider"].is_null(), "null until set");
        assert!(json["tenantRestrictions"].is_null());
        let back: PartnerConfiguration = serde_json::from_value(json).unwrap();
        assert_eq!(back.tenant_restrictions, None);
    }

    #[test]
    fn a_template_overwrites_only_its_non_null_values() {
        let mut template = PartnerConfigurationTemplate::unconfigured();
        template.automatic_user_consent_settings.inbound_allowed = Some(true);
        let mut partner = PartnerConfiguration::unconfigured(&crate::TenantId::zero());
        partner.automatic_user_consent_settings.outbound_allowed = Some(false);
        template.apply_to(&mut partner);
        assert_eq!(
            partner.automatic_user_consent_settings,
            InboundOutbound {
                inbound_allowed: Some(true),
                outbound_allowed: Some(false)
            }
        );
    }

    #[test]
    fn group_sync_is_read_when_present_and_written_only_when_set() {
        let policy: IdentitySyncPolicy = serde_json::from_value(serde_json::json!({
            "tenantId": crate::TenantId::ZERO,
            "displayName": "Fabrikam",
            "userSyncInbound": {"isSyncAllowed": true},
            "groupSyncInbound": {"isSyncAllowed": false},
        }))
        .unwrap();
        assert_eq!(policy.group_sync_allowed(), Some(false));
        let older: IdentitySyncPolicy = serde_json::from_value(serde_json::json!({
            "tenantId": crate::TenantId::ZERO,
            "userSyncInbound": {"isSyncAllowed": true},
        }))
        .unwrap();
        assert_eq!(older.group_sync_allowed(), None);
        let users_only = serde_json::to_value(IdentitySyncWrite::allow_inbound()).unwrap();
        assert!(users_only.get("groupSyncInbound").is_none());
        let both =
            serde_json::to_value(IdentitySyncWrite::allow_inbound().with_group_sync(true)).unwrap();
        assert_eq!(both["groupSyncInbound"]["isSyncAllowed"], true);
    }

    #[test]
    fn application_levels_are_flags() {
        assert!(level_includes(
            "newPartners,existingPartners",
            "existingPartners"
        ));
        assert!(!level_includes("none", "newPartners"));
    }
}
