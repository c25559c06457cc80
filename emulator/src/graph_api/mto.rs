//! `/tenantRelationships/multiTenantOrganization`, its `tenants` and `joinRequest` (graph-api.md §1–§3).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::MTO_WRITE_ROLES;
use super::Caller;
use crate::error::GraphError;
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
const CONTEXT: &str =
    "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/multiTenantOrganization";
const ZERO: &str = "00000000-0000-0000-0000-000000000000";

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

fn role_str(role: MemberRole) -> &'static str {
    match role {
        MemberRole::Owner => "owner",
        MemberRole::Member => "member",
    }
}

fn member_json(member: &Member) -> Value {
    let state = match member.state {
        MemberState::Pending => "pending",
        MemberState::Active => "active",
    };
    let transition = member.transition.as_ref().map(|t| {
        let (desired_role, desired_state) = match t.desired {
            Desired::Join => (role_str(member.role), "active"),
            Desired::Role(role) => (role_str(role), state),
            Desired::Remove => (role_str(member.role), "removed"),
        };
        json!({
            "desiredRole": desired_role,
            "desiredState": desired_state,
            "status": t.status.as_str(),
            "details": if t.status == Status::Failed { json!(t.failure) } else { Value::Null },
        })
    });
    json!({
        "id": member.tenant_id,
        "deletedDateTime": null,
        "tenantId": member.tenant_id,
        "displayName": member.display_name,
        "addedDateTime": member.added,
        "joinedDateTime": member.joined,
        "addedByTenantId": member.added_by,
        "role": role_str(member.role),
        "state": if matches!(member.transition.as_ref().map(|t| t.desired), Some(Desired::Remove)) { "removed" } else { state },
        "transitionDetails": transition,
    })
}

/// `GET`: the MTO, or the documented inactive stub when the caller's tenant is in none.
pub async fn get_mto(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let mut world = state.world_now();
    let body = match organization_of(&mut world, &caller.tenant_id) {
        Some(mto) => json!({
            "@odata.context": format!("{CONTEXT}/$entity"),
            // The same MTO has a different object id in each tenant.
            "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("mto:{}", caller.tenant_id).as_bytes()).to_string(),
            "createdDateTime": mto.created,
            "displayName": mto.display_name,
            "description": mto.description,
            "state": "active",
        }),
        None => json!({
            "@odata.context": format!("{CONTEXT}/$entity"),
            "createdDateTime": null, "displayName": null, "description": null, "state": "inactive",
        }),
    };
    Ok(Json(body).into_response())
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
    Json(body): Json<MtoBody>,
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
        description: body.description.clone().unwrap_or_default(),
        created: created.clone(),
        creator: caller.tenant_id.clone(),
        members,
    });
    Ok((StatusCode::CREATED, Json(json!({
        "@odata.context": format!("{CONTEXT}/$entity"),
        "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("mto:{}", caller.tenant_id).as_bytes()).to_string(),
        "createdDateTime": created, "displayName": name, "description": body.description, "state": "active",
    }))).into_response())
}

/// `PATCH`: name and description, by an owner. 204.
pub async fn patch_mto(
    State(state): State<EmulatorState>,
    caller: Caller,
    Json(body): Json<MtoBody>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let mut world = state.world_now();
    let mto = organization_of(&mut world, &caller.tenant_id).ok_or_else(company_not_found)?;
    if mto.members.get(&caller.tenant_id).map(|m| m.role) != Some(MemberRole::Owner) {
        return Err(GraphError::denied());
    }
    if let Some(name) = body.display_name {
        if name.trim().is_empty() {
            return Err(GraphError::bad_request("Invalid value specified for property 'displayName' of resource 'MultiTenantOrganization'."));
        }
        mto.display_name = name;
    }
    if let Some(description) = body.description {
        mto.description = description;
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
    let value: Vec<Value> = organization_of(&mut world, &caller.tenant_id)
        .map(|mto| mto.members.values().map(member_json).collect())
        .unwrap_or_default();
    Ok(
        Json(json!({ "@odata.context": format!("{CONTEXT}/tenants"), "value": value }))
            .into_response(),
    )
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
    let mut body = member_json(member);
    body["@odata.context"] = json!(format!("{CONTEXT}/tenants/$entity"));
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddBody {
    tenant_id: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
}

fn parse_role(role: Option<&str>) -> Result<MemberRole, GraphError> {
    match role {
        None | Some("member") => Ok(MemberRole::Member),
        Some("owner") => Ok(MemberRole::Owner),
        Some(other) => Err(GraphError::bad_request(format!(
            "Invalid value '{other}' for property 'role'."
        ))),
    }
}

/// `POST /tenants` (owners only): 201 with the pending member.
pub async fn add_tenant(
    State(state): State<EmulatorState>,
    caller: Caller,
    Json(body): Json<AddBody>,
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
    let mut json = member_json(member);
    json["@odata.context"] = json!(format!("{CONTEXT}/tenants/$entity"));
    Ok((StatusCode::CREATED, Json(json)).into_response())
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
    Json(body): Json<RoleBody>,
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
        .unwrap_or_else(|| ZERO.to_owned());
    let member = world
        .mto
        .as_ref()
        .and_then(|mto| mto.members.get(&caller.tenant_id))
        .cloned();
    let asked = added_by != ZERO;
    let (member_state, role, transition) = match (&member, asked) {
        (Some(m), _) if m.state == MemberState::Active => ("active", json!(role_str(m.role)), Value::Null),
        (Some(m), true) => (
            "pending",
            Value::Null,
            m.transition.as_ref().map_or(Value::Null, |t| {
                json!({"desiredMemberState": "active", "status": t.status.as_str(), "details": if t.status == Status::Failed { json!(t.failure) } else { json!("") }})
            }),
        ),
        _ => ("", Value::Null, Value::Null),
    };
    Ok(Json(json!({
        "@odata.context": format!("{CONTEXT}/joinRequest/$entity"),
        "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("join:{}", caller.tenant_id).as_bytes()).to_string(),
        "addedByTenantId": added_by,
        "memberState": if member_state.is_empty() { Value::Null } else { json!(member_state) },
        "role": role,
        "transitionDetails": transition,
    }))
    .into_response())
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
    Json(body): Json<JoinBody>,
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
