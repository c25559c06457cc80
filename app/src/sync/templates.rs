//! The MTO templates of one tenant (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/multi-tenant-organization-templates.md`;
//! `microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/multitenantorganizationpartnerconfigurationtemplate.md`) as a
//! form: the values an MTO depends on (automatic redemption, inbound sync, inbound trust) as
//! three-way choices — on, off, or `null`, which leaves partners' own values untouched — and each
//! template's application level.

use graph::policies::{
    IdentitySyncPolicyTemplate, IdentitySyncTemplateWrite, InboundOutbound, InboundTrust,
    PartnerConfigurationTemplate, PartnerTemplateWrite, UserSyncInbound,
};
use serde::{Deserialize, Serialize};

/// The application levels offered (the flags enum's useful combinations).
pub const LEVELS: &[(&str, &str)] = &[
    (
        "newPartners,existingPartners",
        "New and existing partners (default)",
    ),
    (
        "newPartners",
        "New partners only (settings auto-created at join)",
    ),
    (
        "existingPartners",
        "Existing partners only (settings that already existed)",
    ),
    ("none", "Nobody: the template is not applied"),
];

/// A template value: on, off, or not set (`null`: partners keep their own values).
pub fn tri_text(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "on",
        Some(false) => "off",
        None => "unset",
    }
}

pub fn parse_tri(text: &str) -> Result<Option<bool>, String> {
    match text {
        "on" => Ok(Some(true)),
        "off" => Ok(Some(false)),
        "unset" | "" => Ok(None),
        other => Err(format!("“{other}” is not one of on, off, unset")),
    }
}

fn parse_level(text: &str) -> Result<String, String> {
    LEVELS
        .iter()
        .find(|(value, _)| *value == text)
        .map(|(value, _)| (*value).to_owned())
        .ok_or_else(|| format!("“{text}” is not a template application level"))
}

/// Both templates of one tenant, as the form shows and takes them (values `on`/`off`/`unset`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateForm {
    pub partner_level: String,
    pub redeem_inbound: String,
    pub redeem_outbound: String,
    pub trust_mfa: String,
    pub trust_compliant_device: String,
    pub trust_hybrid_joined_device: String,
    pub sync_level: String,
    pub inbound_sync: String,
}

/// What the page shows besides the form: the B2B settings the form does not edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Templates {
    pub tenant: String,
    pub tenant_name: String,
    pub form: TemplateForm,
    /// The B2B collaboration / direct connect settings: whether each is set (not null).
    pub b2b_set: Vec<(String, bool)>,
    pub may_edit: bool,
}

impl TemplateForm {
    pub fn from_graph(
        partner: &PartnerConfigurationTemplate,
        sync: &IdentitySyncPolicyTemplate,
    ) -> Self {
        let trust = partner.inbound_trust.as_ref();
        Self {
            partner_level: partner.template_application_level.clone(),
            redeem_inbound: tri_text(partner.automatic_user_consent_settings.inbound_allowed)
                .into(),
            redeem_outbound: tri_text(partner.automatic_user_consent_settings.outbound_allowed)
                .into(),
            trust_mfa: tri_text(trust.and_then(|t| t.is_mfa_accepted)).into(),
            trust_compliant_device: tri_text(trust.and_then(|t| t.is_compliant_device_accepted))
                .into(),
            trust_hybrid_joined_device: tri_text(
                trust.and_then(|t| t.is_hybrid_azure_ad_joined_device_accepted),
            )
            .into(),
            sync_level: sync.template_application_level.clone(),
            inbound_sync: tri_text(sync.user_sync_inbound.is_sync_allowed).into(),
        }
    }

    /// The two PATCH bodies (partner template, identity sync template), or what is wrong with
    /// the form. Complex values are sent whole, as a PATCH replaces them.
    pub fn bodies(&self) -> Result<(PartnerTemplateWrite, IdentitySyncTemplateWrite), String> {
        let trust = InboundTrust {
            is_mfa_accepted: parse_tri(&self.trust_mfa)?,
            is_compliant_device_accepted: parse_tri(&self.trust_compliant_device)?,
            is_hybrid_azure_ad_joined_device_accepted: parse_tri(&self.trust_hybrid_joined_device)?,
        };
        let unset = trust.is_mfa_accepted.is_none()
            && trust.is_compliant_device_accepted.is_none()
            && trust.is_hybrid_azure_ad_joined_device_accepted.is_none();
        let partner = PartnerTemplateWrite {
            template_application_level: parse_level(&self.partner_level)?,
            inbound_trust: (!unset).then_some(trust),
            automatic_user_consent_settings: InboundOutbound {
                inbound_allowed: parse_tri(&self.redeem_inbound)?,
                outbound_allowed: parse_tri(&self.redeem_outbound)?,
            },
        };
        let sync = IdentitySyncTemplateWrite {
            template_application_level: parse_level(&self.sync_level)?,
            user_sync_inbound: UserSyncInbound {
                is_sync_allowed: parse_tri(&self.inbound_sync)?,
            },
        };
        Ok((partner, sync))
    }
}

/// Whether each B2B setting of the partner template is set.
pub fn b2b_set(partner: &PartnerConfigurationTemplate) -> Vec<(String, bool)> {
    vec![
        (
            "B2B collaboration, inbound".into(),
            partner.b2b_collaboration_inbound.is_some(),
        ),
        (
            "B2B collaboration, outbound".into(),
            partner.b2b_collaboration_outbound.is_some(),
        ),
        (
            "B2B direct connect, inbound".into(),
            partner.b2b_direct_connect_inbound.is_some(),
        ),
        (
            "B2B direct connect, outbound".into(),
            partner.b2b_direct_connect_outbound.is_some(),
        ),
    ]
}

/// A write to the templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemplateWrite {
    Save(TemplateForm),
    /// `resetToDefaultSettings` on both templates.
    Reset,
}

impl TemplateWrite {
    /// The audit log's name for it.
    pub fn action(&self) -> crate::api::audit::AuditAction {
        match self {
            Self::Save(_) => crate::api::audit::AuditAction::SaveTemplates,
            Self::Reset => crate::api::audit::AuditAction::ResetTemplates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unconfigured_pair_reads_as_unset_and_writes_nulls() {
        let form = TemplateForm::from_graph(
            &PartnerConfigurationTemplate::unconfigured(),
            &IdentitySyncPolicyTemplate::unconfigured(),
        );
        assert_eq!(form.redeem_inbound, "unset");
        assert_eq!(form.partner_level, "newPartners,existingPartners");
        let (partner, sync) = form.bodies().unwrap();
        let (partner, sync) = (
            serde_json::to_value(partner).unwrap(),
            serde_json::to_value(sync).unwrap(),
        );
        assert!(partner["inboundTrust"].is_null());
        assert!(partner["automaticUserConsentSettings"]["inboundAllowed"].is_null());
        assert!(sync["userSyncInbound"]["isSyncAllowed"].is_null());
    }

    #[test]
    fn the_wizard_values_and_bad_input() {
        let mut form = TemplateForm::from_graph(
            &PartnerConfigurationTemplate::unconfigured(),
            &IdentitySyncPolicyTemplate::unconfigured(),
        );
        form.redeem_inbound = "on".into();
        form.redeem_outbound = "on".into();
        form.inbound_sync = "on".into();
        form.trust_mfa = "off".into();
        let (partner, sync) = form.bodies().unwrap();
        let (partner, sync) = (
            serde_json::to_value(partner).unwrap(),
            serde_json::to_value(sync).unwrap(),
        );
        assert_eq!(
            partner["automaticUserConsentSettings"]["outboundAllowed"],
            true
        );
        assert_eq!(partner["inboundTrust"]["isMfaAccepted"], false);
        assert!(partner["inboundTrust"]["isCompliantDeviceAccepted"].is_null());
        assert_eq!(sync["userSyncInbound"]["isSyncAllowed"], true);
        form.sync_level = "everyone".into();
        assert!(form.bodies().unwrap_err().contains("everyone"));
        form.sync_level = "none".into();
        form.trust_mfa = "maybe".into();
        assert!(form.bodies().unwrap_err().contains("maybe"));
    }
}
