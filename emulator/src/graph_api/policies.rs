//! `/policies/crossTenantAccessPolicy`: policy root, default, partners with identity synchronization,
//! and the MTO templates (microsoftgraph/microsoft-graph-docs-contrib
//! `api-reference/v1.0/resources/crosstenantaccesspolicyconfigurationpartner.md`,
//! `…/multitenantorganizationpartnerconfigurationtemplate.md`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use graph::policies::{IdentitySyncPolicy, PartnerConfiguration};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

use super::auth::MTO_WRITE_ROLES;
use super::odata::{collection_response, entity};
use super::Caller;
use crate::error::{Body, GraphError};
use crate::policy_state::{system_default, TenantPolicies};
use crate::{EmulatorState, World};

const READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"];

const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const GLOBAL_SECURE_ACCESS_ADMINISTRATOR: &str = "ac434307-12b9-4fa1-a708-88bf58caabc1";
const TEAMS_ADMINISTRATOR: &str = "69091246-20e8-4a56-aa4d-066075b2a7a8";

/// Directory roles that may read the cross-tenant access policy, its default and its partners
/// (microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/crosstenantaccesspolicy-get.md`
/// and `…/crosstenantaccesspolicyconfigurationpartner-get.md`, whose Permissions sections include
/// `api-reference/v1.0/includes/rbac-for-apis/rbac-xtap-apis-read.md`): Security Reader, Global
/// Reader, Global Secure Access Administrator and Teams Administrator ("read basic properties"),
/// Security Administrator; Global Administrator can do everything (MicrosoftDocs/entra-docs
/// `docs/identity/role-based-access-control/permissions-reference.md`, template ids from there).
pub const XTAP_READ_ROLES: &[&str] = &[
    SECURITY_READER,
    GLOBAL_READER,
    GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
    TEAMS_ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
];

/// Directory roles that may read identity synchronization settings: the same list without the
/// two roles it grants "basic properties excluding identity synchronization settings"
/// (`api-reference/v1.0/includes/rbac-for-apis/rbac-xtap-apis-read.md`, included by
/// `api-reference/v1.0/api/crosstenantidentitysyncpolicypartner-get.md`).
pub const IDENTITY_SYNC_READ_ROLES: &[&str] = &[
    SECURITY_READER,
    GLOBAL_READER,
    SECURITY_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
];

/// Directory roles that may read the MTO templates: Security Reader and Global Reader are the
/// least privileged (`api-reference/v1.0/api/multitenantorganizationpartnerconfigurationtemplate-get.md`
/// and `…/multitenantorganizationidentitysyncpolicytemplate-get.md`, which include
/// `api-reference/v1.0/includes/rbac-for-apis/rbac-multitenantorganization-apis-read.md`); the
/// administrators who may change them read them too.
pub const TEMPLATE_READ_ROLES: &[&str] = &[
    SECURITY_READER,
    GLOBAL_READER,
    SECURITY_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
];

/// A read: one of the read permissions and, for delegated calls, one of `roles`.
fn require_read(caller: &Caller, roles: &[&str]) -> Result<(), GraphError> {
    caller.require_any(READ, READ)?;
    caller.require_role(roles)
}
const WRITE: &str = "Policy.ReadWrite.CrossTenantAccess";
const CONTEXT: &str = "policies/crossTenantAccessPolicy";
/// Partner properties a PATCH may change (the request body of Microsoft Graph's partner update,
/// `api-reference/v1.0/api/crosstenantaccesspolicyconfigurationpartner-update.md`).
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

/// A PATCH or POST body's properties.
fn properties(body: &Value) -> Result<&Map<String, Value>, GraphError> {
    body.as_object()
        .ok_or_else(|| GraphError::bad_request("The request body must be a JSON object."))
}

/// `current` with `changes` applied, re-validated as `T`.
fn apply<T: Serialize + DeserializeOwned>(
    current: &T,
    changes: &Map<String, Value>,
) -> Result<T, GraphError> {
    let mut merged = serde_json::to_value(current).unwrap_or(Value::Null);
    for (key, value) in changes {
        merged[key] = value.clone();
    }
    serde_json::from_value(merged)
        .map_err(|err| GraphError::bad_request(format!("Invalid request body: {err}")))
}

/// Applies a PATCH body to `current`: only `allowed` keys, then re-validated as `T`.
fn merge<T: Serialize + DeserializeOwned>(
    current: &T,
    body: &Value,
    allowed: &[&str],
) -> Result<T, GraphError> {
    let changes = properties(body)?;
    if let Some(key) = changes.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(GraphError::bad_request(format!(
            "Property '{key}' is read-only or cannot be updated."
        )));
    }
    apply(current, changes)
}

/// `crossTenantAccessPolicy` itself (graph has no type for it: the dashboard never reads it).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyView {
    id: String,
    display_name: &'static str,
    definition: [String; 0],
    allowed_cloud_endpoints: [String; 0],
}

pub async fn get_policy(caller: Caller) -> Result<Response, GraphError> {
    require_read(&caller, XTAP_READ_ROLES)?;
    let policy = PolicyView {
        id: uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("ctap:{}", caller.tenant_id).as_bytes(),
        )
        .to_string(),
        display_name: "CrossTenantAccessPolicy",
        definition: [],
        allowed_cloud_endpoints: [],
    };
    Ok(entity(&format!("{CONTEXT}/$entity"), policy).into_response())
}

pub async fn get_default(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    require_read(&caller, XTAP_READ_ROLES)?;
    let mut world = state.world_now();
    let default = &tenant_policies(&mut world, &caller)?.default;
    Ok(entity(&format!("{CONTEXT}/default/$entity"), default).into_response())
}

pub async fn patch_default(
    State(state): State<EmulatorState>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let changes = properties(&body)?;
    if let Some(key) = changes.keys().find(|key| {
        matches!(
            key.as_str(),
            "id" | "isServiceDefault" | "automaticUserConsentSettings"
        )
    }) {
        return Err(GraphError::bad_request(format!(
            "Property '{key}' is read-only."
        )));
    }
    policies.default = apply(&policies.default, changes)?;
    policies.default.configuration.is_service_default = false;
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

/// A partner configuration as JSON, with its identity sync policy when `expand`: an expanded
/// partner without one shows `identitySynchronization: null` (an expanded single-valued
/// navigation property is present, null when nothing is there), an unexpanded one omits it.
fn partner_view(policies: &TenantPolicies, tenant: &str, expand: bool) -> Option<Value> {
    let mut partner: PartnerConfiguration = policies.partners.get(tenant)?.clone();
    partner.identity_synchronization = None;
    let mut json = serde_json::to_value(&partner).ok()?;
    if expand {
        let sync = policies
            .identity_sync
            .get(tenant)
            .and_then(|policy| serde_json::to_value(policy).ok())
            .unwrap_or(Value::Null);
        if let Value::Object(map) = &mut json {
            map.insert("identitySynchronization".to_owned(), sync);
        }
    }
    Some(json)
}

/// Whether `$expand` names `identitySynchronization`; expanding it needs a role that may read
/// identity sync settings.
fn wants_identity_sync(
    caller: &Caller,
    query: &HashMap<String, String>,
) -> Result<bool, GraphError> {
    let expand = query
        .get("$expand")
        .is_some_and(|e| e.split(',').any(|p| p.trim() == "identitySynchronization"));
    if expand {
        caller.require_role(IDENTITY_SYNC_READ_ROLES)?;
    }
    Ok(expand)
}

pub async fn list_partners(
    State(state): State<EmulatorState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    require_read(&caller, XTAP_READ_ROLES)?;
    let expand = wants_identity_sync(&caller, &query)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let value: Vec<Value> = policies
        .partners
        .keys()
        .filter_map(|t| partner_view(policies, t, expand))
        .collect();
    Ok(collection_response(&format!("{CONTEXT}/partners"), value))
}

pub async fn get_partner(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    require_read(&caller, XTAP_READ_ROLES)?;
    let expand = wants_identity_sync(&caller, &query)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let body =
        partner_view(policies, &partner.to_ascii_lowercase(), expand).ok_or_else(not_found)?;
    Ok(entity(&format!("{CONTEXT}/partners/$entity"), body).into_response())
}

pub async fn create_partner(
    State(state): State<EmulatorState>,
    caller: Caller,
    Body(body): Body<Value>,
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
    let body = entity(&format!("{CONTEXT}/partners/$entity"), partner.clone());
    policies.partners.insert(tenant.to_string(), partner);
    Ok((StatusCode::CREATED, body).into_response())
}

pub async fn patch_partner(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
    Body(body): Body<Value>,
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
    Body(body): Body<Value>,
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
            group_sync_inbound: None,
        },
        &body,
        &[
            "displayName",
            "userSyncInbound",
            "groupSyncInbound",
            "tenantId",
        ],
    )?;
    policies.identity_sync.insert(partner, policy);
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn get_identity_sync(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
) -> Result<Response, GraphError> {
    require_read(&caller, IDENTITY_SYNC_READ_ROLES)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let policy = policies
        .identity_sync
        .get(&partner.to_ascii_lowercase())
        .ok_or_else(not_found)?;
    Ok(entity(
        &format!("{CONTEXT}/partners('{partner}')/identitySynchronization/$entity"),
        policy,
    )
    .into_response())
}

pub async fn patch_identity_sync(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(partner): Path<String>,
    Body(body): Body<Value>,
) -> Result<Response, GraphError> {
    caller.require_write(WRITE, MTO_WRITE_ROLES)?;
    let partner = partner.to_ascii_lowercase();
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let current = policies.identity_sync.get(&partner).ok_or_else(not_found)?;
    let updated = merge(
        current,
        &body,
        &["displayName", "userSyncInbound", "groupSyncInbound"],
    )?;
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

pub async fn get_template(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, GraphError> {
    require_read(&caller, TEMPLATE_READ_ROLES)?;
    let mut world = state.world_now();
    let policies = tenant_policies(&mut world, &caller)?;
    let context = format!("{CONTEXT}/templates/{name}/$entity");
    match name.as_str() {
        "multiTenantOrganizationPartnerConfiguration" => {
            Ok(entity(&context, &policies.partner_template).into_response())
        }
        "multiTenantOrganizationIdentitySynchronization" => {
            Ok(entity(&context, &policies.sync_template).into_response())
        }
        _ => Err(GraphError::unknown_segment(&name)),
    }
}

pub async fn patch_template(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(body): Body<Value>,
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
        _ => return Err(GraphError::unknown_segment(&name)),
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
            policies.partner_template =
                crate::policy_state::unconfigured_partner_template(&caller.tenant_id)
        }
        "multiTenantOrganizationIdentitySynchronization" => {
            policies.sync_template =
                crate::policy_state::unconfigured_sync_template(&caller.tenant_id)
        }
        _ => return Err(GraphError::unknown_segment(&name)),
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
