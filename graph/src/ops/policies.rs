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
    PartnerTemplateWrite,
};
use crate::request::{Collection, Method, NoContent, Op};

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
