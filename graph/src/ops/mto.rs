//! The multitenant organization: `/tenantRelationships/multiTenantOrganization` (Microsoft Graph
//! v1.0, `api-reference/v1.0/api/tenantrelationship-put-multitenantorganization.md`,
//! `…/multitenantorganization-{get,update,list-tenants,post-tenants,delete-tenants}.md`,
//! `…/multitenantorganizationmember-update.md`, `…/multitenantorganizationjoinrequestrecord-{get,update}.md`).

use crate::ids::TenantId;
use crate::mto::{
    AddTenant, JoinRequest, JoinRequestWrite, MemberRole, MtoMember, MultiTenantOrganization,
    OrganizationWrite, RoleChange,
};
use crate::request::{Collection, Method, NoContent, Op};

const MTO: &str = "/tenantRelationships/multiTenantOrganization";

/// The MTO (an inactive stub outside one).
pub fn organization() -> Op<MultiTenantOrganization> {
    Op::get(MTO)
}

/// Creates the MTO; the calling tenant becomes its owner. 201 with the organization.
pub fn create_organization(body: &OrganizationWrite) -> Op<MultiTenantOrganization> {
    Op::new(Method::Put, MTO).body(body)
}

/// Renames the MTO or changes its description. 204.
pub fn update_organization(body: &OrganizationWrite) -> Op<NoContent> {
    Op::new(Method::Patch, MTO).body(body)
}

/// The member tenants (404 outside an MTO).
pub fn members() -> Op<Collection<MtoMember>> {
    Op::get(format!("{MTO}/tenants"))
}

/// Adds a tenant (owners only); it is pending until it joins. 201 with the member.
pub fn add_member(body: &AddTenant) -> Op<MtoMember> {
    Op::new(Method::Post, format!("{MTO}/tenants")).body(body)
}

/// Changes a member's role (owners only; asynchronous). 204.
pub fn change_role(tenant: &TenantId, role: MemberRole) -> Op<NoContent> {
    Op::new(Method::Patch, format!("{MTO}/tenants/{tenant}")).body(&RoleChange { role })
}

/// Removes a tenant, or leaves when `tenant` is the caller's own (asynchronous). 204.
pub fn remove_member(tenant: &TenantId) -> Op<NoContent> {
    Op::new(Method::Delete, format!("{MTO}/tenants/{tenant}"))
}

/// The calling tenant's join request.
pub fn join_request() -> Op<JoinRequest> {
    Op::get(format!("{MTO}/joinRequest"))
}

/// Joins the MTO of the owner that added the calling tenant (asynchronous). 204.
pub fn join(owner: &TenantId) -> Op<NoContent> {
    Op::new(Method::Patch, format!("{MTO}/joinRequest")).body(&JoinRequestWrite {
        added_by_tenant_id: owner.clone(),
    })
}

/// Resets a failed join request (the all-zero GUID) so that it can be tried again. 204.
pub fn reset_join() -> Op<NoContent> {
    join(&TenantId::zero())
}
