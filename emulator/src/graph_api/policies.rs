//! `/policies/crossTenantAccessPolicy`: policy root, default, partners with identity synchronization,
//! and the MTO templates (graph-api.md §4–§5).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use graph::policies::{
    IdentitySyncPolicy, IdentitySyncPolicyTemplate, PartnerConfiguration,
    PartnerConfigurationTemplate,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;

use super::auth::MTO_WRITE_ROLES;
use super::Caller;
use crate::error::GraphError;
use crate::policy_state::{system_default, TenantPolicies};
use crate::{EmulatorState, World};

const READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"];
const WRITE: &str = "Policy.ReadWrite.CrossTenantAccess";
const CONTEXT: &str = "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy";
/// Partner properties a PATCH may change (graph-api.md §5).
const PARTNER_UPDATABLE: &[&str] = &[
    "inboundTrust",
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
    "automaticUserConsentSettings",
    "tenantRestrictions",
];

fn not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Directory_ObjectNotFound",
        "Unable to read the company information from the directory.",
    )
}

fn tenant_policies<'a>(
    world: &'a mut World,
    caller: &Caller,
) -> Result<&'a mut TenantPolicies, GraphError> {
    world
        .policies
        .get_mut(&caller.tenant_id)
        .ok_or_else(not_found)
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Applies a PATCH body to `current`: only `allowed` keys, then re-validated as `T`.
fn merge<T: Serialize + DeserializeOwned>(
    current: &T,
    body: &Value,
    allowed: &[&str],
) -> Result<T, GraphError> {
    let Value::Object(changes) = body else {
        return Err(GraphError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    let mut merged = to_value(current);
    for (key, value) in changes {
        if !allowed.contains(&key.as_str()) {
            return Err(GraphError::bad_request(format!(
                "Property '{key}' is read-only or cannot be updated."
            )));
        }
        merged[key] = value.clone();
    }
    serde_json::from_value(merged)
        .map_err(|err| GraphError::bad_request(format!("Invalid request body: {err}")))
}

pub async fn get_policy(caller: Caller) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    Ok(Json(json!({
        "@odata.context": format!("{CONTEXT}/$entity"),
        "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("ctap:{}", caller.tenant_id).as_bytes()).to_string(),
        "displayName": "CrossTenantAccessPolicy",
        "definition": [],
        "allowedCloudEndpoints": [],
    }))
    .into_response())
}

pub async fn get_default(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let mut world = state.world_now();
    let mut body = tenant_policies(&mut world, &caller)?.default.clone();
    body["@odata.context"] = json!(format!("{CONTEXT}/default/$entity"));
    Ok(Json(body).into_response())
}

pub async fn patch_default(
    State(state): State<EmulatorState>,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let Value::Object(changes) = body else {
        return Err(GraphError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    for (key, value) in changes {
        if matches!(
            key.as_str(),
            "id" | "isServiceDefault" | "automaticUserConsentSettings"
        ) {
            return Err(GraphError::bad_request(format!(
                "Property '{key}' is read-only."
            )));
        }
        policies.default[key] = value;
    }
    policies.default["isServiceDefault"] = json!(false);
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn reset_default(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let mut world = state.world_now();
    tenant_policies(&mut world, &caller)?.default = system_default();
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn partner_json(policies: &TenantPolicies, tenant: &str, expand: bool) -> Option<Value> {
    let mut partner = policies.partners.get(tenant)?.clone();
    if expand {
        partner.identity_synchronization = policies.identity_sync.get(tenant).cloned();
    }
    Some(to_value(&partner))
}

fn wants_identity_sync(query: &HashMap<String, String>) -> bool {
    query
        .get("$expand")
        .is_some_and(|e| e.split(',').any(|p| p.trim() == "identitySynchronization"))
}

pub async fn list_partners(
    State(state): State<EmulatorState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let expand = wants_identity_sync(&query);
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let value: Vec<Value> = policies
        .partners
        .keys()
        .filter_map(|t| partner_json(policies, t, expand))
        .collect();
    Ok(
        Json(json!({ "@odata.context": format!("{CONTEXT}/partners"), "value": value }))
            .into_response(),
    )
}

pub async fn get_partner(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let mut body = partner_json(
        policies,
        &partner.to_ascii_lowercase(),
        wants_identity_sync(&query),
    )
    .ok_or_else(not_found)?;
    body["@odata.context"] = json!(format!("{CONTEXT}/partners/$entity"));
    Ok(Json(body).into_response())
}

pub async fn create_partner(
    State(state): State<EmulatorState>,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let tenant = body
        .get("tenantId")
        .and_then(Value::as_str)
        .and_then(|id| id.parse::<graph::TenantId>().ok())
        .ok_or_else(|| GraphError::bad_request("Invalid value specified for property 'tenantId' of resource 'CrossTenantAccessPolicyConfigurationPartner'."))?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    if policies.partners.contains_key(tenant.as_str()) {
        return Err(GraphError::new(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property tenantId already exists.",
        ));
    }
    let mut changes = body.clone();
    if let Value::Object(map) = &mut changes {
        map.remove("tenantId");
    }
    let partner = merge(
        &PartnerConfiguration::unconfigured(&tenant),
        &changes,
        PARTNER_UPDATABLE,
    )?;
    let mut json = to_value(&partner);
    json["@odata.context"] = json!(format!("{CONTEXT}/partners/$entity"));
    policies.partners.insert(tenant.to_string(), partner);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

pub async fn patch_partner(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
    Json(body): Json<Value>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let partner = partner.to_ascii_lowercase();
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let current = policies.partners.get(&partner).ok_or_else(not_found)?;
    let updated = merge(current, &body, PARTNER_UPDATABLE)?;
    policies.partners.insert(partner, updated);
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete_partner(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let partner = partner.to_ascii_lowercase();
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    if !policies.partners.contains_key(&partner) {
        return Err(not_found());
    }
    if policies.identity_sync.contains_key(&partner) {
        return Err(GraphError::bad_request(
            "The identity synchronization policy of this partner must be deleted first.",
        ));
    }
    policies.partners.remove(&partner);
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn put_identity_sync(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
    Json(body): Json<Value>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let partner = partner.to_ascii_lowercase();
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    if !policies.partners.contains_key(&partner) {
        return Err(not_found());
    }
    if policies.identity_sync.contains_key(&partner) {
        let mut error = GraphError::new(StatusCode::CONFLICT, "Request_MultipleObjectsWithSameKeyValue", "A conflicting object with one or more of the specified property values is present in the directory.");
        error.details = vec![("ConflictingObjects", "A conflicting object with one or more of the specified property values is present in the directory.")];
        return Err(error);
    }
    let policy = merge(
        &IdentitySyncPolicy {
            tenant_id: crate::ids::tenant_id(&partner),
            display_name: None,
            user_sync_inbound: None,
        },
        &body,
        &["displayName", "userSyncInbound", "tenantId"],
    )?;
    policies.identity_sync.insert(partner, policy);
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn get_identity_sync(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let policy = policies
        .identity_sync
        .get(&partner.to_ascii_lowercase())
        .ok_or_else(not_found)?;
    let mut body = to_value(policy);
    body["@odata.context"] = json!(format!(
        "{CONTEXT}/partners('{partner}')/identitySynchronization/$entity"
    ));
    Ok(Json(body).into_response())
}

pub async fn patch_identity_sync(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
    Json(body): Json<Value>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let partner = partner.to_ascii_lowercase();
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let current = policies.identity_sync.get(&partner).ok_or_else(not_found)?;
    let updated = merge(current, &body, &["displayName", "userSyncInbound"])?;
    policies.identity_sync.insert(partner, updated);
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete_identity_sync(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    policies
        .identity_sync
        .remove(&partner.to_ascii_lowercase())
        .ok_or_else(not_found)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Which template a path names.
fn template_json(policies: &TenantPolicies, name: &str) -> Option<Value> {
    match name {
        "multiTenantOrganizationPartnerConfiguration" => Some(to_value(&policies.partner_template)),
        "multiTenantOrganizationIdentitySynchronization" => Some(to_value(&policies.sync_template)),
        _ => None,
    }
}

pub async fn get_template(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let mut body = template_json(policies, &name).ok_or_else(|| {
        GraphError::not_found(format!("Resource not found for the segment '{name}'."))
    })?;
    body["@odata.context"] = json!(format!("{CONTEXT}/templates/{name}/$entity"));
    Ok(Json(body).into_response())
}

pub async fn patch_template(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(name): Path<String>,
    Json(body): Json<Value>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    match name.as_str() {
        "multiTenantOrganizationPartnerConfiguration" => {
            policies.partner_template = merge(
                &policies.partner_template,
                &body,
                &[
                    "templateApplicationLevel",
                    "inboundTrust",
                    "b2bCollaborationInbound",
                    "b2bCollaborationOutbound",
                    "b2bDirectConnectInbound",
                    "b2bDirectConnectOutbound",
                    "automaticUserConsentSettings",
                ],
            )?;
        }
        "multiTenantOrganizationIdentitySynchronization" => {
            policies.sync_template = merge(
                &policies.sync_template,
                &body,
                &["templateApplicationLevel", "userSyncInbound"],
            )?;
        }
        _ => {
            return Err(GraphError::not_found(format!(
                "Resource not found for the segment '{name}'."
            )))
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn reset_template(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    match name.as_str() {
        "multiTenantOrganizationPartnerConfiguration" => {
            policies.partner_template = PartnerConfigurationTemplate::unconfigured()
        }
        "multiTenantOrganizationIdentitySynchronization" => {
            policies.sync_template = IdentitySyncPolicyTemplate::unconfigured()
        }
        _ => {
            return Err(GraphError::not_found(format!(
                "Resource not found for the segment '{name}'."
            )))
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
