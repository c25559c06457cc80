//! Cross-tenant access settings: `/policies/crossTenantAccessPolicy/…` (Microsoft Graph v1.0,
//! `api-reference/v1.0/api/crosstenantaccesspolicy-{list,post}-partners.md`,
//! `…/crosstenantaccesspolicyconfigurationpartner-update.md`,
//! `…/crosstenantaccesspolicyconfigurationpartner-put-identitysynchronization.md`,
//! `…/crosstenantidentitysyncpolicypartner-update.md`, `…/crosstenantaccesspolicyconfigurationdefault-get.md`,
//! `…/multitenantorganizationpartnerconfigurationtemplate-{get,update,resettodefaultsettings}.md`,
//! `…/multitenantorganizationidentitysyncpolicytemplate-{get,update,resettodefaultsettings}.md`).

use crate::ids::TenantId;
use crate::policies::{
    ConsentChange, DefaultConfiguration, IdentitySyncPolicyTemplate, IdentitySyncTemplateWrite,
    IdentitySyncWrite, NewPartner, PartnerConfiguration, PartnerConfigurationTemplate,
    PartnerTemplateWrite, PartnerWrite,
};
use crate::request::{Collection, Method, NoContent, Op, Request};

const PARTNERS: &str = "/policies/crossTenantAccessPolicy/partners";
const PARTNER_TEMPLATE: &str =
    "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration";
const SYNC_TEMPLATE: &str =
    "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization";

/// Every partner configuration with its identity sync policy (`$expand`).
pub fn partners_with_identity_sync() -> Op<Collection<PartnerConfiguration>> {
    Op::get(format!("{PARTNERS}?$expand=identitySynchronization"))
}

/// What partners inherit where their own value is null.
pub fn default_configuration() -> Op<DefaultConfiguration> {
    Op::get("/policies/crossTenantAccessPolicy/default")
}

/// Creates a partner configuration. 201.
pub fn create_partner(body: &NewPartner) -> Op<PartnerConfiguration> {
    Op::new(Method::Post, PARTNERS).body(body)
}

/// Sets a partner's automatic redemption switches. 204.
pub fn update_partner_consent(partner: &TenantId, body: &ConsentChange) -> Op<NoContent> {
    Op::new(Method::Patch, format!("{PARTNERS}/{partner}")).body(body)
}

/// Sets any of a partner's settings (404 when there is no such partner). 204.
pub fn update_partner(partner: &TenantId, body: &PartnerWrite) -> Op<NoContent> {
    Op::new(Method::Patch, format!("{PARTNERS}/{partner}")).body(body)
}

/// Deletes a partner configuration; its identity sync policy must be deleted first. 204.
pub fn delete_partner(partner: &TenantId) -> Op<NoContent> {
    Op::new(Method::Delete, format!("{PARTNERS}/{partner}"))
}

/// Deletes a partner's identity sync policy
/// (`…/crosstenantidentitysyncpolicypartner-delete.md`). 204.
pub fn delete_identity_sync(partner: &TenantId) -> Op<NoContent> {
    Op::new(
        Method::Delete,
        format!("{PARTNERS}/{partner}/identitySynchronization"),
    )
}

/// Creates a partner's identity sync policy (409 when it exists). 204.
pub fn create_identity_sync(partner: &TenantId, body: &IdentitySyncWrite) -> Op<NoContent> {
    Op::new(
        Method::Put,
        format!("{PARTNERS}/{partner}/identitySynchronization"),
    )
    .body(body)
}

/// Updates a partner's identity sync policy (404 when it does not exist). 204.
pub fn update_identity_sync(partner: &TenantId, body: &IdentitySyncWrite) -> Op<NoContent> {
    Op::new(
        Method::Patch,
        format!("{PARTNERS}/{partner}/identitySynchronization"),
    )
    .body(body)
}

pub fn partner_template() -> Op<PartnerConfigurationTemplate> {
    Op::get(PARTNER_TEMPLATE)
}

pub fn identity_sync_template() -> Op<IdentitySyncPolicyTemplate> {
    Op::get(SYNC_TEMPLATE)
}

/// 204.
pub fn update_partner_template(body: &PartnerTemplateWrite) -> Op<NoContent> {
    Op::new(Method::Patch, PARTNER_TEMPLATE).body(body)
}

/// 204.
pub fn update_identity_sync_template(body: &IdentitySyncTemplateWrite) -> Op<NoContent> {
    Op::new(Method::Patch, SYNC_TEMPLATE).body(body)
}

/// Every value of the partner template back to null. 204.
pub fn reset_partner_template() -> Op<NoContent> {
    Op::new(
        Method::Post,
        format!("{PARTNER_TEMPLATE}/resetToDefaultSettings"),
    )
}

/// Every value of the identity sync template back to null. 204.
pub fn reset_identity_sync_template() -> Op<NoContent> {
    Op::new(
        Method::Post,
        format!("{SYNC_TEMPLATE}/resetToDefaultSettings"),
    )
}

/// What a cross-tenant access policy write changes, in words (for audit steps and for saying
/// what a write that stopped part-way had changed); `None` for other requests.
pub fn describe(request: &Request) -> Option<String> {
    let path = request.path.as_str();
    if let Some(rest) = path.strip_prefix(SYNC_TEMPLATE) {
        return Some(if rest.is_empty() {
            "save the identity sync template".to_owned()
        } else {
            "reset the identity sync template".to_owned()
        });
    }
    if let Some(rest) = path.strip_prefix(PARTNER_TEMPLATE) {
        return Some(if rest.is_empty() {
            "save the partner template".to_owned()
        } else {
            "reset the partner template".to_owned()
        });
    }
    let rest = path.strip_prefix(PARTNERS)?;
    let partner = rest.trim_start_matches('/').split('/').next().unwrap_or("");
    Some(
        match (request.method, rest.ends_with("/identitySynchronization")) {
            (_, true) => match request
                .body
                .as_ref()
                .and_then(|b| b.get("groupSyncInbound"))
                .and_then(|g| g.get("isSyncAllowed"))
                .and_then(|a| a.as_bool())
            {
                Some(true) => format!("allow inbound user and group sync from {partner}"),
                Some(false) => {
                    format!("allow inbound user sync and stop inbound group sync from {partner}")
                }
                None => format!("allow inbound user sync from {partner}"),
            },
            (Method::Post, false) => match request
                .body
                .as_ref()
                .and_then(|b| b.get("tenantId"))
                .and_then(|t| t.as_str())
            {
                Some(tenant) => format!("add cross-tenant access settings for {tenant}"),
                None => "add cross-tenant access settings".to_owned(),
            },
            _ => format!("change automatic redemption for {partner}"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_writes_are_described_in_words() {
        let partner: TenantId = "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11".parse().unwrap();
        let described = |request: Request| describe(&request).unwrap();
        assert_eq!(
            described(reset_identity_sync_template().into_request()),
            "reset the identity sync template"
        );
        assert_eq!(
            described(
                update_partner_template(&PartnerTemplateWrite {
                    template_application_level: "newPartners".into(),
                    inbound_trust: None,
                    automatic_user_consent_settings: Default::default(),
                })
                .into_request()
            ),
            "save the partner template"
        );
        assert_eq!(
            described(
                create_identity_sync(&partner, &IdentitySyncWrite::allow_inbound()).into_request()
            ),
            format!("allow inbound user sync from {partner}")
        );
        assert_eq!(
            described(
                update_identity_sync(
                    &partner,
                    &IdentitySyncWrite::allow_inbound().with_group_sync(false)
                )
                .into_request()
            ),
            format!("allow inbound user sync and stop inbound group sync from {partner}")
        );
        let new = NewPartner {
            tenant_id: partner.clone(),
            automatic_user_consent_settings: Default::default(),
        };
        assert_eq!(
            described(create_partner(&new).into_request()),
            format!("add cross-tenant access settings for {partner}")
        );
        assert!(describe(&default_configuration().into_request()).is_none());
    }
}
