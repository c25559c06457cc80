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
use crate::mto_state::{Desired, Member, MtoError, Organization, Status};
use crate::scenario::{MemberRole, MemberState};
use crate::{EmulatorState, World};

const READ: &[&str] = &[
    "MultiTenantOrganization.ReadBasic.All",
    "MultiTenantOrganization.Read.All",
    "MultiTenantOrganization.ReadWrite.All",
    "Directory.Read.All",
];
const WRITE: &str = "MultiTenantOrganization.ReadWrite.All";
const CONTEXT: &str = "tenantRelationships/multiTenantOrganization";

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
            MtoError::AlreadyInAnotherOrganization => GraphError::bad_request(
                "Tenant is already part of another Multi-Tenant Organization.",
            ),
            MtoError::UnknownMember => company_not_found(),
            MtoError::CannotRemove(reason) => GraphError::bad_request(reason),
        }
    }
}

/// The organization, if the caller's tenant belongs to it.
fn organization_of<'a>(world: &'a mut World, tenant: &str) -> Option<&'a mut Organization> {
    world
        .mto
        .as_mut()
        .filter(|mto| mto.members.contains_key(tenant))
}

/// The member as Graph shows it: a directory object whose `id` is its tenant id. A removal in
/// progress keeps the current `state` with `transitionDetails.desiredState` `removed`
/// (microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/multitenantorganizationmember-delete.md`). A tenant added and not joined
/// has `transitionDetails` null: the documentation shows both that and a `notStarted` join, and
/// only null tells the owner's side that the joining tenant has not asked to join yet.
fn member_view(member: &Member) -> MtoMember {
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
            details: t.failure.clone().filter(|_| t.status == Status::Failed),
        }
    });
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

/// The same MTO has a different object id in each tenant.
fn organization_id(tenant: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("mto:{tenant}").as_bytes(),
    )
    .to_string()
}

/// `GET`: the MTO, or the documented inactive stub when the caller's tenant is in none.
pub async fn get_mto(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let mut world = state.world_now();
    let organization = match organization_of(&mut world, &caller.tenant_id) {
        Some(mto) => MultiTenantOrganization {
            id: Some(organization_id(&caller.tenant_id)),
            created_date_time: Some(mto.created.clone()),
            display_name: Some(mto.display_name.clone()),
            description: mto.description.clone(),
            state: Some(MtoState::Active),
        },
        None => MultiTenantOrganization {
            id: None,
            created_date_time: None,
            display_name: None,
            description: None,
            state: Some(MtoState::Inactive),
        },
    };
    Ok(entity(&format!("{CONTEXT}/$entity"), organization).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MtoBody {
    display_name: Option<String>,
    description: Option<String>,
}

/// `PUT`: creates the MTO; the calling tenant becomes its owner. 201.
pub async fn put_mto(
    State(state): State<EmulatorState>,
    caller: Caller,
    Body(body): Body<MtoBody>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let name = body.display_name.filter(|n| !n.trim().is_empty()).ok_or_else(|| GraphError::bad_request("Invalid value specified for property 'displayName' of resource 'MultiTenantOrganization'."))?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    if world.mto.is_some() {
        // Undocumented: one MTO per tenant, and the emulator holds one organization.
        return Err(GraphError::bad_request(
            "The tenant is already part of a multi-tenant organization.",
        ));
    }
    let display_name = world
        .scenario
        .tenant(&caller.tenant_id)
        .map(|t| t.display_name.clone())
        .unwrap_or_default();
    let created = time::OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let mut members = std::collections::BTreeMap::new();
    members.insert(
        caller.tenant_id.clone(),
        Member {
            tenant_id: caller.tenant_id.clone(),
            display_name,
            role: MemberRole::Owner,
            state: MemberState::Active,
            added: created.clone(),
            joined: None,
            added_by: caller.tenant_id.clone(),
            transition: None,
        },
    );
    world.mto = Some(Organization {
        display_name: name.clone(),
        description: body.description.clone(),
        created: created.clone(),
        creator: caller.tenant_id.clone(),
        members,
    });
    let organization = MultiTenantOrganization {
        id: Some(organization_id(&caller.tenant_id)),
        created_date_time: Some(created),
        display_name: Some(name),
        description: body.description,
        state: Some(MtoState::Active),
    };
    Ok((
        StatusCode::CREATED,
        entity(&format!("{CONTEXT}/$entity"), organization),
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
    let mto = organization_of(&mut world, &caller.tenant_id).ok_or_else(company_not_found)?;
    if mto.members.get(&caller.tenant_id).map(|m| &m.role) != Some(&MemberRole::Owner) {
        return Err(GraphError::denied());
    }
    if let Some(name) = body.display_name {
        if name.trim().is_empty() {
            return Err(GraphError::bad_request("Invalid value specified for property 'displayName' of resource 'MultiTenantOrganization'."));
        }
        mto.display_name = name;
    }
    if let Some(description) = body.description {
        mto.description = Some(description);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /tenants`.
pub async fn list_tenants(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let mut world = state.world_now();
    let value: Vec<MtoMember> = organization_of(&mut world, &caller.tenant_id)
        .map(|mto| mto.members.values().map(member_view).collect())
        .unwrap_or_default();
    Ok(collection_response(&format!("{CONTEXT}/tenants"), value))
}

/// `GET /tenants/{tenantId}`: 404 `Directory_ObjectNotFound` once a removal has completed.
pub async fn get_tenant(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(tenant_id): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let mut world = state.world_now();
    let mto = organization_of(&mut world, &caller.tenant_id).ok_or_else(company_not_found)?;
    let member = mto
        .members
        .get(&tenant_id.to_ascii_lowercase())
        .ok_or_else(company_not_found)?;
    Ok(entity(&format!("{CONTEXT}/tenants/$entity"), member_view(member)).into_response())
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
    let mto = organization_of(&mut world, &caller.tenant_id).ok_or(MtoError::NoOrganization)?;
    let member = mto.add(
        &caller.tenant_id,
        tenant_id.as_str(),
        &display_name,
        role,
        false,
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
    let mto = organization_of(&mut world, &caller.tenant_id).ok_or(MtoError::NoOrganization)?;
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
    let mto = organization_of(&mut world, &caller.tenant_id).ok_or(MtoError::NoOrganization)?;
    mto.remove(&caller.tenant_id, &tenant_id.to_ascii_lowercase(), now)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /joinRequest` in the joining tenant.
pub async fn get_join_request(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_any(&READ[1..], &READ[1..])?;
    let world = state.world_now();
    let added_by = world
        .join_requests
        .get(&caller.tenant_id)
        .cloned()
        .unwrap_or_else(|| graph::TenantId::ZERO.to_owned());
    let member = world
        .mto
        .as_ref()
        .and_then(|mto| mto.members.get(&caller.tenant_id))
        .cloned();
    let asked = added_by != graph::TenantId::ZERO;
    let (member_state, role, transition_details) = match &member {
        Some(m) if m.state == MemberState::Active => {
            (Some(MemberState::Active), Some(m.role.clone()), None)
        }
        Some(m) if asked => (
            Some(MemberState::Pending),
            None,
            m.transition.as_ref().map(|t| JoinRequestTransition {
                desired_member_state: Some(MemberState::Active),
                status: Some(t.status.clone()),
                // Empty rather than null until the join fails, as the service shows it.
                details: if t.status == Status::Failed {
                    t.failure.clone()
                } else {
                    Some(String::new())
                },
            }),
        ),
        _ => (None, None, None),
    };
    let request = JoinRequest {
        id: Some(
            uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_OID,
                format!("join:{}", caller.tenant_id).as_bytes(),
            )
            .to_string(),
        ),
        added_by_tenant_id: Some(added_by),
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

/// `PATCH /joinRequest` `{addedByTenantId}`: 204; the all-zero GUID resets a failed join.
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
        if let Some(member) = world
            .mto
            .as_mut()
            .and_then(|mto| mto.members.get_mut(&caller.tenant_id))
        {
            if member
                .transition
                .as_ref()
                .is_some_and(|t| t.status == Status::Failed)
            {
                member.transition = None;
            }
        }
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    world
        .join_requests
        .insert(caller.tenant_id.clone(), owner.to_string());
    let mto = world.mto.as_mut().ok_or_else(company_not_found)?;
    match mto.join(&caller.tenant_id, owner.as_str(), now) {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        // Not added at all: the request is accepted and then fails, as the service does.
        Err(MtoError::UnknownMember) => Err(GraphError::bad_request(
            "The tenant was not added to the multi-tenant organization by the owner tenant.",
        )),
        Err(other) => Err(other.into()),
    }
}
