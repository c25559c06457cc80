//! `/tenantRelationships/multiTenantOrganization`, its `tenants` and `joinRequest`
//! (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/multitenantorganization.md`, `multitenantorganizationmember.md`
//! and `multitenantorganizationjoinrequestrecord.md`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use graph::mto::{
    JoinRequest, JoinRequestTransition, MtoMember, MtoState, MultiTenantOrganization,
    TransitionDetails,
};
use serde::Deserialize;

use super::auth::MTO_WRITE_ROLES;
use super::odata::{collection_response, entity};
use super::Caller;
use crate::error::{Body, GraphError};
use crate::mto_state::{Desired, JoinTarget, Member, MtoError, Organization, Status};
use crate::scenario::{roles, MemberRole, MemberState};
use crate::EmulatorState;

/// Delegated permissions that read the MTO and its tenants (the permission tables of
/// microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/multitenantorganization-get.md`,
/// `multitenantorganization-list-tenants.md` and `multitenantorganizationmember-get.md`).
const READ_DELEGATED: &[&str] = &[
    "MultiTenantOrganization.ReadBasic.All",
    "MultiTenantOrganization.Read.All",
    "MultiTenantOrganization.ReadWrite.All",
    "Directory.Read.All",
];
/// Permissions that read every property of every tenant ("*MultiTenantOrganization.Read.All*,
/// *MultiTenantOrganization.ReadWrite.All*, or *Directory.Read.All* (delegated or application):
/// Returns all properties", `multitenantorganizationmember-get.md`). Application permissions are
/// these only: the tables name no `ReadBasic` for applications.
const READ_FULL: &[&str] = &[
    "MultiTenantOrganization.Read.All",
    "MultiTenantOrganization.ReadWrite.All",
    "Directory.Read.All",
];
/// `GET …/joinRequest` (microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/includes/permissions/multitenantorganizationjoinrequestrecord-get-permissions.md`).
const READ_JOIN_REQUEST: &[&str] = &[
    "MultiTenantOrganization.Read.All",
    "MultiTenantOrganization.ReadWrite.All",
];
const WRITE: &str = "MultiTenantOrganization.ReadWrite.All";
const CONTEXT: &str = "tenantRelationships/multiTenantOrganization";

/// Directory roles whose delegated reads of the MTO, its tenants and the join request get every
/// property: Security Reader and Global Reader (microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/includes/rbac-for-apis/rbac-multitenantorganization-apis-read.md`, included by
/// the Get, List tenants, Get member and Get join request pages), and the roles above them that
/// also write the MTO, Security Administrator and Global Administrator
/// (`rbac-multitenantorganization-apis-write.md`). Any other signed-in user reads only "basic
/// attributes of a multitenant organization, and of the multitenant organization member tenants"
/// (the same include; `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/multi-tenant-organization-known-issues.md`).
pub const MTO_READ_ROLES: &[&str] = &[
    "5d6b6bb7-de71-4623-b4af-96380a352509", // Security Reader
    roles::GLOBAL_READER,
    roles::SECURITY_ADMINISTRATOR,
    roles::GLOBAL_ADMINISTRATOR,
];

/// What a read shows: every property, or the basic attributes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadAccess {
    Full,
    /// `MultiTenantOrganization.ReadBasic.All` alone, or a signed-in user without a reader role:
    /// the MTO's `displayName` (the beta Get page: "MultiTenantOrganization.ReadBasic.All
    /// permission can only read the `displayName` property") and, of active tenants only,
    /// `tenantId` and `displayName` (`multitenantorganization-list-tenants.md`,
    /// `multitenantorganizationmember-get.md`).
    Basic,
}

/// The access a caller has to the MTO and its tenants, or 403.
fn read_access(caller: &Caller) -> Result<ReadAccess, GraphError> {
    caller.require_any(READ_DELEGATED, READ_FULL)?;
    let full_permission = caller.has_any(READ_FULL, READ_FULL);
    let reader = caller.app_only
        || caller
            .wids
            .iter()
            .any(|w| MTO_READ_ROLES.contains(&w.as_str()));
    Ok(if full_permission && reader {
        ReadAccess::Full
    } else {
        ReadAccess::Basic
    })
}

fn company_not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Directory_ObjectNotFound",
        "Unable to read the company information from the directory.",
    )
}

impl From<MtoError> for GraphError {
    fn from(error: MtoError) -> Self {
        match error {
            MtoError::NoOrganization => {
                GraphError::bad_request("The tenant is not part of a multi-tenant organization.")
            }
            MtoError::NotOwner => GraphError::denied(),
            MtoError::AlreadyAdded => GraphError::bad_request(
                "Tenant is already being added in Multi-Tenant Organization.",
            ),
            MtoError::AlreadyInOrganization => GraphError::bad_request(
                "The tenant is already part of a multi-tenant organization.",
            ),
            MtoError::UnknownMember => company_not_found(),
            MtoError::CannotRemove(reason) => GraphError::bad_request(reason),
        }
    }
}

/// The member as Graph shows it: a directory object whose `id` is its tenant id. A removal in
/// progress keeps the current `state` with `transitionDetails.desiredState` `removed`
/// (microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/multitenantorganizationmember-delete.md`). A tenant added and not joined
/// shows a join not started (`desiredState` active, its role, `status` `notStarted`) from the moment
/// it is added, as the Add member response of
/// `api-reference/v1.0/api/multitenantorganization-post-tenants.md` does; whether its admin has
/// asked to join is told by that tenant's own join request record, not by this one.
fn member_view(member: &Member) -> MtoMember {
    let awaiting_join =
        (member.transition.is_none() && member.state == MemberState::Pending).then(|| {
            TransitionDetails {
                desired_role: Some(member.role.clone()),
                desired_state: Some(MemberState::Active),
                status: Some(Status::NotStarted),
                details: None,
            }
        });
    let transition_details = member.transition.as_ref().map(|t| {
        let (desired_role, desired_state) = match &t.desired {
            Desired::Join => (member.role.clone(), MemberState::Active),
            Desired::Role(role) => (role.clone(), member.state.clone()),
            Desired::Remove => (member.role.clone(), MemberState::Removed),
        };
        TransitionDetails {
            desired_role: Some(desired_role),
            desired_state: Some(desired_state),
            status: Some(t.status.clone()),
            details: t.failure_details(),
        }
    });
    let transition_details = transition_details.or(awaiting_join);
    MtoMember {
        id: Some(member.tenant_id.clone()),
        deleted_date_time: None,
        tenant_id: crate::ids::tenant_id(&member.tenant_id),
        display_name: Some(member.display_name.clone()),
        added_date_time: Some(member.added.clone()),
        joined_date_time: member.joined.clone(),
        added_by_tenant_id: Some(member.added_by.clone()),
        role: Some(member.role.clone()),
        state: Some(member.state.clone()),
        transition_details,
    }
}

/// The member's basic attributes: `tenantId` and `displayName` (and the `id` every directory
/// object has); the other properties are null.
fn basic_member_view(member: &Member) -> MtoMember {
    MtoMember {
        id: Some(member.tenant_id.clone()),
        deleted_date_time: None,
        tenant_id: crate::ids::tenant_id(&member.tenant_id),
        display_name: Some(member.display_name.clone()),
        added_date_time: None,
        joined_date_time: None,
        added_by_tenant_id: None,
        role: None,
        state: None,
        transition_details: None,
    }
}

/// The member as `access` lets the caller see it; `None` when it may not see it at all (basic
/// reads list "only active tenants").
fn visible_member(member: &Member, access: ReadAccess) -> Option<MtoMember> {
    match access {
        ReadAccess::Full => Some(member_view(member)),
        ReadAccess::Basic if member.state == MemberState::Active => Some(basic_member_view(member)),
        ReadAccess::Basic => None,
    }
}

/// The same MTO has a different object id in each tenant.
fn organization_id(tenant: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("mto:{tenant}").as_bytes(),
    )
    .to_string()
}

/// The MTO as `tenant` sees it with `access`: basic reads get its `displayName` (with `id` and
/// `state`), the other properties null.
fn organization_view(
    organization: &Organization,
    tenant: &str,
    access: ReadAccess,
) -> MultiTenantOrganization {
    let full = access == ReadAccess::Full;
    MultiTenantOrganization {
        id: Some(organization_id(tenant)),
        created_date_time: Some(organization.created.clone()).filter(|_| full),
        display_name: Some(organization.display_name.clone()),
        description: organization.description.clone().filter(|_| full),
        state: Some(MtoState::Active),
    }
}

/// The documented answer for a tenant in no MTO.
fn inactive_stub() -> MultiTenantOrganization {
    MultiTenantOrganization {
        id: None,
        created_date_time: None,
        display_name: None,
        description: None,
        state: Some(MtoState::Inactive),
    }
}

/// `GET`: the MTO, or the documented inactive stub when the caller's tenant is in none.
pub async fn get_mto(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    let access = read_access(&caller)?;
    let world = state.world_now();
    let organization = world
        .mto
        .of(&caller.tenant_id)
        .map_or_else(inactive_stub, |mto| {
            organization_view(mto, &caller.tenant_id, access)
        });
    Ok(entity(&format!("{CONTEXT}/$entity"), organization).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MtoBody {
    display_name: Option<String>,
    description: Option<String>,
}

fn invalid_display_name() -> GraphError {
    GraphError::bad_request(
        "Invalid value specified for property 'displayName' of resource 'MultiTenantOrganization'.",
    )
}

/// `PUT`: creates an MTO; the calling tenant becomes its owner. 201. Any tenant not active in an
/// MTO may create one, so several MTOs exist side by side.
pub async fn put_mto(
    State(state): State<EmulatorState>,
    caller: Caller,
    Body(body): Body<MtoBody>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let name = body
        .display_name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(invalid_display_name)?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    let creator_name = world
        .scenario
        .tenant(&caller.tenant_id)
        .map(|t| t.display_name.clone())
        .unwrap_or_default();
    let organization = Organization::create(
        &caller.tenant_id,
        &creator_name,
        &name,
        body.description,
        now,
    );
    // Undocumented answer: a tenant may create or join only one MTO.
    let created = world.mto.create(organization)?;
    let view = organization_view(created, &caller.tenant_id, ReadAccess::Full);
    Ok((
        StatusCode::CREATED,
        entity(&format!("{CONTEXT}/$entity"), view),
    )
        .into_response())
}

/// `PATCH`: name and description, by an owner. 204.
pub async fn patch_mto(
    State(state): State<EmulatorState>,
    caller: Caller,
    Body(body): Body<MtoBody>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let mut world = state.world_now();
    let mto = world
        .mto
        .of_mut(&caller.tenant_id)
        .ok_or_else(company_not_found)?;
    if mto.members.get(&caller.tenant_id).map(|m| &m.role) != Some(&MemberRole::Owner) {
        return Err(GraphError::denied());
    }
    if let Some(name) = body.display_name {
        if name.trim().is_empty() {
            return Err(invalid_display_name());
        }
        mto.display_name = name;
    }
    if let Some(description) = body.description {
        mto.description = Some(description);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /tenants`: every tenant, or only the active ones' basic attributes.
pub async fn list_tenants(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    let access = read_access(&caller)?;
    let world = state.world_now();
    let value: Vec<MtoMember> = world
        .mto
        .of(&caller.tenant_id)
        .map(|mto| {
            mto.members
                .values()
                .filter_map(|m| visible_member(m, access))
                .collect()
        })
        .unwrap_or_default();
    Ok(collection_response(&format!("{CONTEXT}/tenants"), value))
}

/// `GET /tenants/{tenantId}`: 404 `Directory_ObjectNotFound` once a removal has completed (and,
/// for basic reads, for a tenant that is not active).
pub async fn get_tenant(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(tenant_id): Path<String>,
) -> Result<Response, GraphError> {
    let access = read_access(&caller)?;
    let world = state.world_now();
    let mto = world
        .mto
        .of(&caller.tenant_id)
        .ok_or_else(company_not_found)?;
    let member = mto
        .members
        .get(&tenant_id.to_ascii_lowercase())
        .and_then(|m| visible_member(m, access))
        .ok_or_else(company_not_found)?;
    Ok(entity(&format!("{CONTEXT}/tenants/$entity"), member).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddBody {
    tenant_id: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
}

/// The role named exactly as Graph writes it (`member` when absent).
fn parse_role(role: Option<&str>) -> Result<MemberRole, GraphError> {
    let Some(text) = role else {
        return Ok(MemberRole::Member);
    };
    MemberRole::KNOWN
        .iter()
        .find(|known| known.as_str() == text)
        .cloned()
        .ok_or_else(|| {
            GraphError::bad_request(format!("Invalid value '{text}' for property 'role'."))
        })
}

/// `POST /tenants` (owners only): 201 with the pending member.
pub async fn add_tenant(
    State(state): State<EmulatorState>,
    caller: Caller,
    Body(body): Body<AddBody>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let tenant_id = body
        .tenant_id
        .as_deref()
        .and_then(|id| id.parse::<graph::TenantId>().ok())
        .ok_or_else(|| GraphError::bad_request("Invalid value specified for property 'tenantId' of resource 'MultiTenantOrganizationMember'."))?;
    let display_name = body.display_name.filter(|n| !n.trim().is_empty()).ok_or_else(|| GraphError::bad_request("Invalid value specified for property 'displayName' of resource 'MultiTenantOrganizationMember'."))?;
    let role = parse_role(body.role.as_deref())?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    let mto = world
        .mto
        .of_mut(&caller.tenant_id)
        .ok_or(MtoError::NoOrganization)?;
    let member = mto.add(
        &caller.tenant_id,
        tenant_id.as_str(),
        &display_name,
        role,
        now,
    )?;
    Ok((
        StatusCode::CREATED,
        entity(&format!("{CONTEXT}/tenants/$entity"), member_view(member)),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct RoleBody {
    role: Option<String>,
}

/// `PATCH /tenants/{tenantId}` with `{role}` (owners only): 204, asynchronous.
pub async fn update_tenant(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(tenant_id): Path<String>,
    Body(body): Body<RoleBody>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let role = match body.role.as_deref() {
        Some(role) => parse_role(Some(role))?,
        None => {
            return Err(GraphError::bad_request(
                "Only the property 'role' can be updated.",
            ))
        }
    };
    let now = state.clock().unix();
    let mut world = state.world_now();
    let mto = world
        .mto
        .of_mut(&caller.tenant_id)
        .ok_or(MtoError::NoOrganization)?;
    mto.change_role(
        &caller.tenant_id,
        &tenant_id.to_ascii_lowercase(),
        role,
        now,
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /tenants/{tenantId}`: 204, asynchronous, with the documented rules.
pub async fn remove_tenant(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(tenant_id): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    let mto = world
        .mto
        .of_mut(&caller.tenant_id)
        .ok_or(MtoError::NoOrganization)?;
    mto.remove(&caller.tenant_id, &tenant_id.to_ascii_lowercase(), now)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The join's `transitionDetails` as the joining tenant sees it: `details` empty rather than null
/// until the join fails, as the documented responses show it.
fn join_transition(transition: &crate::mto_state::Transition) -> JoinRequestTransition {
    JoinRequestTransition {
        desired_member_state: Some(MemberState::Active),
        status: Some(transition.status.clone()),
        details: Some(transition.failure_details().unwrap_or_default()),
    }
}

/// `memberState`, `role` and `transitionDetails` of the join request.
type JoinRequestState = (
    Option<MemberState>,
    Option<MemberRole>,
    Option<JoinRequestTransition>,
);

fn join_request_state(target: JoinTarget<'_>) -> JoinRequestState {
    match target {
        JoinTarget::Member(m) if m.state == MemberState::Active => {
            (Some(MemberState::Active), Some(m.role.clone()), None)
        }
        JoinTarget::Member(m) => (
            Some(m.state.clone()),
            None,
            m.transition
                .as_ref()
                .filter(|t| t.desired == Desired::Join)
                .map(join_transition),
        ),
        // Listed in no MTO: no member state, only the failing request.
        JoinTarget::Unmatched(t) => (None, None, Some(join_transition(t))),
        JoinTarget::Nothing => (None, None, None),
    }
}

/// `GET /joinRequest` in the joining tenant. Delegated: Security Reader or Global Reader (or
/// above); the documentation gives no basic read of it, so other users get 403.
pub async fn get_join_request(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_any(READ_JOIN_REQUEST, READ_JOIN_REQUEST)?;
    caller.require_role(MTO_READ_ROLES)?;
    let world = state.world_now();
    let asked = world
        .join_requests
        .get(&caller.tenant_id)
        .filter(|owner| owner.as_str() != graph::TenantId::ZERO);
    let (member_state, role, transition_details) = join_request_state(
        world
            .mto
            .join_target(&caller.tenant_id, asked.map(String::as_str)),
    );
    let request = JoinRequest {
        id: Some(
            uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_OID,
                format!("join:{}", caller.tenant_id).as_bytes(),
            )
            .to_string(),
        ),
        added_by_tenant_id: Some(
            asked
                .cloned()
                .unwrap_or_else(|| graph::TenantId::ZERO.to_owned()),
        ),
        member_state,
        role,
        transition_details,
    };
    Ok(entity(&format!("{CONTEXT}/joinRequest/$entity"), request).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinBody {
    added_by_tenant_id: Option<String>,
}

/// `PATCH /joinRequest` `{addedByTenantId}`: 204. A request that cannot succeed (not added by
/// that owner, the tenant limit, already in another MTO) is accepted and then fails, with the
/// documented `details` (microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/multitenantorganizationjoinrequestrecord-update.md`); the all-zero GUID
/// resets a failed join.
pub async fn patch_join_request(
    State(state): State<EmulatorState>,
    caller: Caller,
    Body(body): Body<JoinBody>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let owner = body
        .added_by_tenant_id
        .as_deref()
        .and_then(|id| id.parse::<graph::TenantId>().ok())
        .ok_or_else(|| GraphError::bad_request("Invalid value specified for property 'addedByTenantId' of resource 'MultiTenantOrganizationJoinRequestRecord'."))?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    if owner.is_zero() {
        world.join_requests.remove(&caller.tenant_id);
        world.mto.reset_join(&caller.tenant_id);
    } else {
        world
            .join_requests
            .insert(caller.tenant_id.clone(), owner.to_string());
        world.mto.join(&caller.tenant_id, owner.as_str(), now);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
