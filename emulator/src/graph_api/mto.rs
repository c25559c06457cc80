//! Reading the multitenant organization (graph-api.md §1–§2). Writes and transitions come with the
//! rest of the emulator's MTO surface.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::Caller;
use crate::error::GraphError;
use crate::scenario::{MemberRole, MemberState};
use crate::EmulatorState;

const READ: &[&str] = &[
    "MultiTenantOrganization.ReadBasic.All",
    "MultiTenantOrganization.Read.All",
    "MultiTenantOrganization.ReadWrite.All",
    "Directory.Read.All",
];

/// `GET /tenantRelationships/multiTenantOrganization`: the MTO, or the inactive stub when the
/// caller's tenant is in none.
pub async fn get_mto(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let world = state.world();
    let member = world
        .scenario
        .tenant(&caller.tenant_id)
        .and_then(|t| t.membership.clone());
    let body = match (&world.scenario.mto, member) {
        (Some(mto), Some(_)) => json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/multiTenantOrganization/$entity",
            // The same MTO has a different object id in each tenant.
            "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("mto:{}", caller.tenant_id).as_bytes()).to_string(),
            "createdDateTime": mto.created,
            "displayName": mto.display_name,
            "description": mto.description,
            "state": "active",
        }),
        _ => json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/multiTenantOrganization/$entity",
            "createdDateTime": null, "displayName": null, "description": null, "state": "inactive",
        }),
    };
    Ok(Json(body).into_response())
}

/// `GET /tenantRelationships/multiTenantOrganization/tenants`.
pub async fn list_tenants(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let world = state.world();
    let in_mto = world
        .scenario
        .tenant(&caller.tenant_id)
        .and_then(|t| t.membership.clone())
        .is_some();
    let value: Vec<Value> = if in_mto {
        world
            .scenario
            .tenants
            .iter()
            .filter_map(|t| t.membership.as_ref().map(|m| (t, m)))
            .map(|(tenant, m)| {
                json!({
                    "tenantId": tenant.id,
                    "displayName": tenant.display_name,
                    "addedDateTime": m.added,
                    "joinedDateTime": m.joined,
                    "addedByTenantId": m.added_by,
                    "role": match m.role { MemberRole::Owner => "owner", MemberRole::Member => "member" },
                    "state": match m.state { MemberState::Pending => "pending", MemberState::Active => "active" },
                    "transitionDetails": match m.state {
                        MemberState::Pending => json!({"desiredRole": "member", "desiredState": "active", "status": "notStarted", "details": null}),
                        MemberState::Active => Value::Null,
                    },
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/multiTenantOrganization/tenants",
        "value": value,
    }))
    .into_response())
}
