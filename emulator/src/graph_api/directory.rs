//! The signed-in tenant: `GET /organization` and `/organization/{id}`
//! (microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/organization-list.md`,
//! `…/organization-get.md`), `GET /domains` and `/domains/{id}` (`…/domain-list.md`,
//! `…/domain-get.md`) and `GET /subscribedSkus` (`…/subscribedsku-list.md`), each with `$select`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};

use super::odata::METADATA;
use super::Caller;
use crate::directory_state;
use crate::error::GraphError;
use crate::scenario::Tenant;
use crate::EmulatorState;

/// Delegated permissions that read the organization, least privileged first (Permissions section
/// of `api-reference/v1.0/api/organization-get.md`). `User.Read` reads only `id`, `displayName`
/// and `verifiedDomains`.
const ORGANIZATION_DELEGATED: &[&str] = &[
    "User.Read",
    "Organization.Read.All",
    "Directory.Read.All",
    "Organization.ReadWrite.All",
    "Directory.ReadWrite.All",
];
/// Application permissions that read the organization (same page).
const ORGANIZATION_APPLICATION: &[&str] = &[
    "Organization.Read.All",
    "Directory.Read.All",
    "Organization.ReadWrite.All",
    "Directory.ReadWrite.All",
];
/// What a `User.Read`-only caller sees of the organization (the note of the same page).
const ORGANIZATION_BASIC: &[&str] = &["id", "displayName", "verifiedDomains"];

/// Permissions that read domains, delegated and application (`Domain.Read.All` least privileged;
/// microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/includes/permissions/domain-get-permissions.md`).
const DOMAIN_READ: &[&str] = &[
    "Domain.Read.All",
    "Domain.ReadWrite.All",
    "Directory.Read.All",
];

/// Directory roles the Get domain page (`api-reference/v1.0/api/domain-get.md`) lets read one
/// domain, those of its list whose template ids MicrosoftDocs/entra-docs
/// `docs/identity/role-based-access-control/permissions-reference.md` gives: Global Administrator,
/// User, Helpdesk, Service Support, Application, Cloud Application, Privileged Role, Privileged
/// Authentication, License, Teams, Teams Communications, Insights and Kaizala Administrator,
/// Teams Communications Support Engineer and Specialist, Directory Readers, Security Reader,
/// Security Administrator, Security Operator and Global Reader. (Listing domains is open to every
/// member: `domain-list.md` names the "Users" role too.)
const DOMAIN_GET_ROLES: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10",
    "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "f023fd81-a637-4b56-95fd-791ac0226033",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
    "eb1f4a8d-243a-41f0-9fbd-c7cdf6c5ef7c",
    "74ef975b-6605-40af-a5d2-b9539d836353",
    "f70938a0-fc10-4177-9e90-2178f8765737",
    "fcf91098-03e3-41a9-b5ba-6f0ec8188a12",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "5d6b6bb7-de71-4623-b4af-96380a352509",
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
];

/// Permissions that read subscribed SKUs, least privileged first (microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/includes/permissions/subscribedsku-list-permissions.md`).
const SKU_READ: &[&str] = &[
    "Organization.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Organization.ReadWrite.All",
];

/// Directory roles that may list subscribed SKUs: Global Reader and Directory Readers (the least
/// privileged of `api-reference/v1.0/includes/rbac-for-apis/rbac-company-subscriptions-subscribedskus-apis.md`;
/// Dynamics 365 Business Central Administrator, also listed, is not a role the emulator knows)
/// and Global Administrator.
const SKU_READ_ROLES: &[&str] = &[
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "62e90394-69f5-4237-9190-012177145e10",
];

/// The caller's tenant in the scenario.
fn own_tenant(state: &EmulatorState, caller: &Caller) -> Result<Tenant, GraphError> {
    state
        .world()
        .scenario
        .tenant(&caller.tenant_id)
        .cloned()
        .ok_or_else(|| GraphError::resource_not_found(&caller.tenant_id))
}

/// `value` as a JSON object.
fn json_object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The properties `$select` names (case-insensitive, as Graph matches them), or every property
/// without `$select`; 400 for a property the type does not have.
pub fn select(
    object: Map<String, Value>,
    query: &HashMap<String, String>,
    type_name: &str,
) -> Result<Map<String, Value>, GraphError> {
    let Some(list) = query.get("$select") else {
        return Ok(object);
    };
    let mut selected = Map::new();
    for wanted in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let (key, value) = object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!(
                        "Could not find a property named '{wanted}' on type 'microsoft.graph.{type_name}'."
                    ),
                )
            })?;
        selected.insert(key.clone(), value.clone());
    }
    Ok(selected)
}

/// `{@odata.context, value}` with the context first.
fn collection(context: &str, value: Vec<Map<String, Value>>) -> Response {
    let mut body = Map::new();
    body.insert(
        "@odata.context".to_owned(),
        Value::String(format!("{METADATA}#{context}")),
    );
    body.insert(
        "value".to_owned(),
        Value::Array(value.into_iter().map(Value::Object).collect()),
    );
    Json(Value::Object(body)).into_response()
}

/// An entity with `@odata.context` first.
fn entity(context: &str, value: Map<String, Value>) -> Response {
    let mut body = Map::new();
    body.insert(
        "@odata.context".to_owned(),
        Value::String(format!("{METADATA}#{context}")),
    );
    body.extend(value);
    Json(Value::Object(body)).into_response()
}

/// The organization as the caller may see it: every property, or with only `User.Read` the basic
/// three and every other property null.
fn organization_json(
    state: &EmulatorState,
    caller: &Caller,
) -> Result<Map<String, Value>, GraphError> {
    caller.require_any(ORGANIZATION_DELEGATED, ORGANIZATION_APPLICATION)?;
    let tenant = own_tenant(state, caller)?;
    let scenario = state.world().scenario.clone();
    let mut object = json_object(&directory_state::organization(&scenario, &tenant));
    let full = caller.has_any(&ORGANIZATION_DELEGATED[1..], ORGANIZATION_APPLICATION);
    if !full {
        for (key, value) in object.iter_mut() {
            if !ORGANIZATION_BASIC.contains(&key.as_str()) {
                *value = Value::Null;
            }
        }
    }
    Ok(object)
}

pub async fn list_organization(
    State(state): State<EmulatorState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    let object = select(organization_json(&state, &caller)?, &query, "organization")?;
    Ok(collection("organization", vec![object]))
}

pub async fn get_organization(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    let object = organization_json(&state, &caller)?;
    if !id.eq_ignore_ascii_case(&caller.tenant_id) {
        return Err(GraphError::resource_not_found(&id));
    }
    let object = select(object, &query, "organization")?;
    Ok(entity("organization/$entity", object))
}

pub async fn list_domains(
    State(state): State<EmulatorState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(DOMAIN_READ, DOMAIN_READ)?;
    let tenant = own_tenant(&state, &caller)?;
    let value = directory_state::domains(&tenant)
        .iter()
        .map(|domain| select(json_object(domain), &query, "domain"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(collection("domains", value))
}

pub async fn get_domain(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(DOMAIN_READ, DOMAIN_READ)?;
    caller.require_role(DOMAIN_GET_ROLES)?;
    let tenant = own_tenant(&state, &caller)?;
    let domain = directory_state::domains(&tenant)
        .into_iter()
        .find(|d| d.id.eq_ignore_ascii_case(&name))
        .ok_or_else(|| GraphError::resource_not_found(&name))?;
    let object = select(json_object(&domain), &query, "domain")?;
    Ok(entity("domains/$entity", object))
}

pub async fn list_subscribed_skus(
    State(state): State<EmulatorState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(SKU_READ, SKU_READ)?;
    caller.require_role(SKU_READ_ROLES)?;
    // "It does not support `$filter`" (`api-reference/v1.0/api/subscribedsku-list.md`).
    if query.contains_key("$filter") {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "The $filter query option is not supported on subscribedSkus.",
        ));
    }
    let tenant = own_tenant(&state, &caller)?;
    let (scenario, users) = {
        let world = state.world();
        let users = world.users.get(&tenant.id).map_or(0, Vec::len);
        (world.scenario.clone(), users)
    };
    let value = directory_state::subscribed_skus(&scenario, &tenant, users)
        .iter()
        .map(|sku| select(json_object(sku), &query, "subscribedSku"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(collection("subscribedSkus", value))
}
