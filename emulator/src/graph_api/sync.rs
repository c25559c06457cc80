//! Cross-tenant sync configurations (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`):
//! `applicationTemplates/{id}/instantiate`, `servicePrincipals` (list with `$filter`, get, delete),
//! `appRoleAssignedTo` (scope), `synchronization/secrets`, and `synchronization/jobs` with their
//! actions and schema.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use graph::sync::{
    reset_scope, Initiator, KeyValue, ServicePrincipal, SyncJob, SyncSchema, AZURE2AZURE,
    CROSS_TENANT_SYNC_TEMPLATE_ID,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::auth::SYNC_WRITE_ROLES;
use super::odata::{self, collection_response, entity, Entity, METADATA as CONTEXT};
use super::provisioning::{self, Comparison, Expr};
use super::{paging, Caller};
use crate::error::{Body, GraphError};
use crate::groups_state;
use crate::mto_state::iso;
use crate::sync_state::{self, Configuration, Job, Principal, FILTER_OPERATORS};
use crate::{EmulatorState, World};

const APP_READ: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.Read.All",
];
const APP_WRITE: &[&str] = &["Application.ReadWrite.All", "Application.ReadWrite.OwnedBy"];
const ASSIGN: &[&str] = &[
    "AppRoleAssignment.ReadWrite.All",
    "Application.ReadWrite.All",
];
const SYNC_READ: &[&str] = &[
    "Synchronization.Read.All",
    "Synchronization.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
];
const SYNC_WRITE: &[&str] = &[
    "Synchronization.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
];

fn job_not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("The job '{id}' was not found."),
    )
}

fn configurations<'a>(world: &'a mut World, tenant: &str) -> &'a mut Vec<Configuration> {
    world.sync.entry(tenant.to_owned()).or_default()
}

fn configuration<'a>(
    world: &'a mut World,
    tenant: &str,
    sp: &str,
) -> Result<&'a mut Configuration, GraphError> {
    configurations(world, tenant)
        .iter_mut()
        .find(|c| c.service_principal.id == sp)
        .ok_or_else(|| GraphError::resource_not_found(sp))
}

fn job<'a>(
    world: &'a mut World,
    tenant: &str,
    sp: &str,
    job: &str,
) -> Result<&'a mut Job, GraphError> {
    configuration(world, tenant, sp)?
        .jobs
        .iter_mut()
        .find(|j| j.id == job)
        .ok_or_else(|| job_not_found(job))
}

fn sync_write(caller: &Caller) -> Result<(), GraphError> {
    caller.require_any(SYNC_WRITE, SYNC_WRITE)?;
    caller.require_role(SYNC_WRITE_ROLES)
}

/// Directory roles that may read synchronization jobs, schema and secrets: the synchronization
/// APIs' role note (microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/includes/rbac-for-apis/rbac-synchronization-apis.md`, included by the
/// read pages such as `synchronization-synchronizationjob-get.md`) names Application and Cloud
/// Application Administrator, and Hybrid Identity Administrator for Cloud Sync; Global
/// Administrator holds every permission. Global Reader and Security Reader are not listed.
pub const SYNC_READ_ROLES: &[&str] = &[
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
    "62e90394-69f5-4237-9190-012177145e10",
];

/// A delegated or app read of synchronization data: the permission, and for a signed-in user
/// one of [`SYNC_READ_ROLES`].
fn sync_read(caller: &Caller) -> Result<(), GraphError> {
    caller.require_any(SYNC_READ, SYNC_READ)?;
    caller.require_role(SYNC_READ_ROLES)
}

/// A service principal as Graph lists it: graph's [`ServicePrincipal`] and the other properties
/// of the resource.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServicePrincipalView<'a> {
    #[serde(flatten)]
    service_principal: &'a ServicePrincipal,
    deleted_date_time: Option<String>,
    account_enabled: bool,
    app_display_name: Option<&'a str>,
    app_description: Option<String>,
    description: Option<String>,
    notes: Option<String>,
    login_url: Option<String>,
    logout_url: Option<String>,
    preferred_single_sign_on_mode: Option<String>,
    publisher_name: Option<&'a str>,
    reply_urls: [&'a str; 0],
    service_principal_names: [&'a str; 1],
    sign_in_audience: &'a str,
    alternative_names: [&'a str; 0],
    key_credentials: [&'a str; 0],
    password_credentials: [&'a str; 0],
    oauth2_permission_scopes: [&'a str; 0],
}

fn view<'a>(
    sp: &'a ServicePrincipal,
    sign_in_audience: &'a str,
    publisher_name: Option<&'a str>,
) -> ServicePrincipalView<'a> {
    ServicePrincipalView {
        service_principal: sp,
        deleted_date_time: None,
        account_enabled: true,
        app_display_name: sp.display_name.as_deref(),
        app_description: None,
        description: None,
        notes: None,
        login_url: None,
        logout_url: None,
        preferred_single_sign_on_mode: None,
        publisher_name,
        reply_urls: [],
        service_principal_names: [&sp.app_id],
        sign_in_audience,
        alternative_names: [],
        key_credentials: [],
        password_credentials: [],
        oauth2_permission_scopes: [],
    }
}

/// A configuration's service principal, at the values a cross-tenant sync configuration has.
fn service_principal_view(config: &Configuration) -> ServicePrincipalView<'_> {
    view(&config.service_principal, "AzureADMyOrg", None)
}

fn application_json(config: &Configuration) -> Value {
    let sp = &config.service_principal;
    json!({
        "id": config.application_id,
        "appId": sp.app_id,
        "displayName": sp.display_name,
        "applicationTemplateId": sp.application_template_id,
        "createdDateTime": iso(config.created),
        "signInAudience": "AzureADMyOrg",
        "tags": sp.tags,
        "appRoles": sp.app_roles,
        "web": {"homePageUrl": sp.homepage, "redirectUris": [], "logoutUrl": null},
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantiateBody {
    display_name: Option<String>,
}

/// `POST /applicationTemplates/{id}/instantiate`: 201 `{application, servicePrincipal}`.
pub async fn instantiate(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(template): Path<String>,
    Body(body): Body<InstantiateBody>,
) -> Result<Response, GraphError> {
    caller.require_any(&["Application.ReadWrite.All"], APP_WRITE)?;
    caller.require_role(SYNC_WRITE_ROLES)?;
    if template != CROSS_TENANT_SYNC_TEMPLATE_ID {
        return Err(GraphError::resource_not_found(&template));
    }
    let name = body
        .display_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| GraphError::bad_request("displayName is required."))?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    let config = sync_state::instantiate(&caller.tenant_id, &name, now);
    let body = json!({
        "@odata.context": format!("{CONTEXT}#microsoft.graph.applicationServicePrincipal"),
        "application": application_json(&config),
        "servicePrincipal": service_principal_view(&config),
    });
    configurations(&mut world, &caller.tenant_id).push(config);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// One of the tenant's service principals, with what the list shows beyond graph's type.
struct Listed {
    service_principal: ServicePrincipal,
    sign_in_audience: &'static str,
    publisher_name: Option<&'static str>,
}

impl Listed {
    fn view(&self) -> ServicePrincipalView<'_> {
        view(
            &self.service_principal,
            self.sign_in_audience,
            self.publisher_name,
        )
    }
}

/// Every service principal of `tenant`: Microsoft's first-party apps, the dashboard's app, then
/// the cross-tenant sync configurations in creation order.
fn tenant_service_principals(world: &World, tenant: &str) -> Vec<Listed> {
    let app_owner = world
        .scenario
        .tenants
        .first()
        .map_or(tenant, |t| t.id.as_str());
    let others = sync_state::other_service_principals(tenant, app_owner)
        .into_iter()
        .map(|o| Listed {
            service_principal: o.service_principal,
            sign_in_audience: o.sign_in_audience,
            publisher_name: Some(o.publisher_name),
        });
    let configurations = world
        .sync
        .get(tenant)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| Listed {
            service_principal: c.service_principal.clone(),
            sign_in_audience: "AzureADMyOrg",
            publisher_name: None,
        });
    others.chain(configurations).collect()
}

/// Properties `$filter` takes on service principals with `eq` (the servicePrincipal resource's
/// `$filter` annotations, microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/resources/serviceprincipal.md`), and `startswith` on `displayName`
/// (Example 3 of `api-reference/v1.0/api/serviceprincipal-list.md`).
const SP_EQ: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "applicationTemplateId",
    "servicePrincipalType",
    "accountEnabled",
    "appOwnerOrganizationId",
];

fn sp_unsupported(property: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        format!(
            "Unsupported or invalid query filter clause specified for property '{property}' of resource 'ServicePrincipal'."
        ),
    )
}

/// A service principal `$filter`, checked against what the list supports.
fn sp_filter(filter: &str) -> Result<Expr, GraphError> {
    let expr = provisioning::parse_expression(filter).ok_or_else(|| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            format!("Invalid filter clause: {filter}"),
        )
    })?;
    for c in expr.comparisons() {
        let known = SP_EQ.iter().find(|p| p.eq_ignore_ascii_case(&c.property));
        let fits = match (known, c.operator.as_str()) {
            (Some(_), "eq") => true,
            (Some(p), "startswith") => *p == "displayName",
            _ => false,
        };
        if !fits || c.lower {
            return Err(sp_unsupported(&c.property));
        }
    }
    Ok(expr)
}

fn sp_property(listed: &Listed, property: &str) -> Option<String> {
    let sp = &listed.service_principal;
    match property.to_ascii_lowercase().as_str() {
        "id" => Some(sp.id.to_string()),
        "appid" => Some(sp.app_id.clone()),
        "displayname" => sp.display_name.clone(),
        "applicationtemplateid" => sp.application_template_id.clone(),
        "serviceprincipaltype" => sp.service_principal_type.clone(),
        "accountenabled" => Some("true".into()),
        "appownerorganizationid" => sp.app_owner_organization_id.clone(),
        _ => None,
    }
}

/// Directory string comparisons are case-insensitive.
fn sp_holds(listed: &Listed, c: &Comparison) -> bool {
    let Some(actual) = sp_property(listed, &c.property) else {
        return false;
    };
    let (actual, wanted) = (actual.to_lowercase(), c.value.to_lowercase());
    match c.operator.as_str() {
        "eq" => actual == wanted,
        _ => actual.starts_with(&wanted),
    }
}

/// The words of a display name for `$search` (split at spaces, symbols and lower-to-upper case
/// changes: `myContosoTeam` has `my`, `Contoso` and `Team`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.push(c);
    }
    words.push(current);
    words
        .into_iter()
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// `$search="displayName:…"` (Example 4 of the list page): a word of the name starts with it.
fn sp_search(search: &str) -> Result<String, GraphError> {
    let term = search
        .trim()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .and_then(|s| s.split_once(':'))
        .filter(|(property, _)| property.trim().eq_ignore_ascii_case("displayName"))
        .map(|(_, term)| term.trim().to_lowercase())
        .ok_or_else(|| {
            GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                format!("Unsupported $search on servicePrincipals: {search}"),
            )
        })?;
    Ok(term)
}

fn eventual(headers: &HeaderMap) -> bool {
    headers
        .get("ConsistencyLevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
}

/// The options of `GET /servicePrincipals` and `/servicePrincipals/$count`, checked.
struct SpQuery {
    filter: Option<Expr>,
    search: Option<String>,
    order_desc: Option<bool>,
    eventual: bool,
    count: bool,
}

impl SpQuery {
    fn parse(query: &HashMap<String, String>, headers: &HeaderMap) -> Result<Self, GraphError> {
        let eventual = eventual(headers);
        let count = query.get("$count").is_some_and(|c| c == "true");
        let filter = query.get("$filter").map(|f| sp_filter(f)).transpose()?;
        let search = query.get("$search").map(|s| sp_search(s)).transpose()?;
        if search.is_some() && !eventual {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            ));
        }
        let order_desc = match query.get("$orderby").map(|o| o.trim()) {
            None => None,
            Some(o)
                if o.eq_ignore_ascii_case("displayName")
                    || o.eq_ignore_ascii_case("displayName asc") =>
            {
                Some(false)
            }
            Some(o) if o.eq_ignore_ascii_case("displayName desc") => Some(true),
            Some(other) => {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    format!("Unsupported $orderby: '{other}'."),
                ))
            }
        };
        // `$orderby` with `$filter` is an advanced query (Example 3 of the list page).
        if order_desc.is_some() && filter.is_some() && !(eventual && count) {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "Sorting not supported for current query.",
            ));
        }
        Ok(Self {
            filter,
            search,
            order_desc,
            eventual,
            count,
        })
    }

    fn matches(&self, listed: &Listed) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| f.eval(&|c| sp_holds(listed, c)))
            && self.search.as_ref().is_none_or(|term| {
                words(
                    listed
                        .service_principal
                        .display_name
                        .as_deref()
                        .unwrap_or_default(),
                )
                .iter()
                .any(|w| w.starts_with(term.as_str()))
            })
    }

    fn select(&self, world: &World, tenant: &str) -> Vec<Listed> {
        let mut listed: Vec<Listed> = tenant_service_principals(world, tenant)
            .into_iter()
            .filter(|l| self.matches(l))
            .collect();
        if let Some(desc) = self.order_desc {
            listed.sort_by_key(|l| {
                l.service_principal
                    .display_name
                    .clone()
                    .unwrap_or_default()
                    .to_lowercase()
            });
            if desc {
                listed.reverse();
            }
        }
        listed
    }
}

/// `$select` on service principals: only the named properties (case-insensitive).
fn project(value: Value, select: Option<&String>) -> Value {
    let (Some(select), Value::Object(map)) = (select, &value) else {
        return value;
    };
    let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
    Value::Object(
        map.iter()
            .filter(|(key, _)| wanted.iter().any(|w| w.eq_ignore_ascii_case(key)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// `GET /servicePrincipals` (`microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/api/serviceprincipal-list.md`): every service principal of the tenant,
/// `$top` 1–999 (default 100) with `@odata.nextLink`, `$filter`, `$search`, `$orderby=displayName`,
/// `$count=true` (with `ConsistencyLevel: eventual`) and `$select`.
pub async fn list_service_principals(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(APP_READ, APP_READ)?;
    let options = SpQuery::parse(&query, &parts.headers)?;
    let top = paging::page_size(&query, 100, 999)?;
    let offset = paging::offset(&query)?;
    let world = state.world_now();
    let listed = options.select(&world, &caller.tenant_id);
    let total = listed.len();
    let (page, more) = paging::page_of(listed.iter(), offset, top);
    let select = query.get("$select");
    let value: Vec<Value> = page
        .into_iter()
        .map(|l| project(serde_json::to_value(l.view()).unwrap_or_default(), select))
        .collect();
    let next_link = paging::next_of(&state, &parts, &query, offset + value.len(), more);
    let context = match select {
        Some(fields) => format!("servicePrincipals({fields})"),
        None => "servicePrincipals".to_owned(),
    };
    let body = graph::Collection {
        next_link,
        count: (options.count && options.eventual && offset == 0).then_some(total as u64),
        ..odata::collection(&context, value)
    };
    Ok(Json(body).into_response())
}

/// `GET /servicePrincipals/$count` (Example 2 of the list page): plain text; needs
/// `ConsistencyLevel: eventual`.
pub async fn count_service_principals(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(APP_READ, APP_READ)?;
    if !eventual(&parts.headers) {
        return Err(GraphError::bad_request(
            "$count is not currently supported.",
        ));
    }
    let options = SpQuery::parse(&query, &parts.headers)?;
    let world = state.world_now();
    let count = options.select(&world, &caller.tenant_id).len();
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/plain")],
        count.to_string(),
    )
        .into_response())
}

pub async fn get_service_principal(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(APP_READ, APP_READ)?;
    let world = state.world_now();
    let listed = tenant_service_principals(&world, &caller.tenant_id)
        .into_iter()
        .find(|l| l.service_principal.id == sp.as_str())
        .ok_or_else(|| GraphError::resource_not_found(&sp))?;
    Ok(entity("servicePrincipals/$entity", listed.view()).into_response())
}

/// `DELETE /servicePrincipals/{id}`: the configuration and its job go; synced users stay.
pub async fn delete_service_principal(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(&["Application.ReadWrite.All"], APP_WRITE)?;
    caller.require_role(SYNC_WRITE_ROLES)?;
    let mut world = state.world_now();
    let other = tenant_service_principals(&world, &caller.tenant_id)
        .iter()
        .any(|l| l.service_principal.id == sp.as_str());
    let configs = configurations(&mut world, &caller.tenant_id);
    let before = configs.len();
    configs.retain(|c| c.service_principal.id != sp.as_str());
    if configs.len() == before && other {
        // Microsoft's and the dashboard's applications stay (see the emulator README).
        return Err(GraphError::bad_request(format!(
            "The service principal '{sp}' cannot be deleted in the emulator."
        )));
    }
    if configs.len() == before {
        return Err(GraphError::resource_not_found(&sp));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn list_assignments(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(APP_READ, APP_READ)?;
    let mut world = state.world_now();
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    Ok(collection_response(
        &format!("servicePrincipals('{sp}')/appRoleAssignedTo"),
        config.assignments.clone(),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentBody {
    principal_id: String,
    resource_id: String,
    app_role_id: String,
}

/// The user or group of `tenant` an assignment names; 404 when neither exists.
fn principal(world: &World, tenant: &str, id: &str) -> Result<Principal, GraphError> {
    let user = world
        .users
        .get(tenant)
        .and_then(|users| users.iter().find(|u| u.id == id))
        .map(Principal::from);
    user.or_else(|| groups_state::find(&world.groups, tenant, id).map(Principal::from))
        .ok_or_else(|| GraphError::resource_not_found(id))
}

/// `POST /servicePrincipals/{id}/appRoleAssignedTo`: a user or group of this tenant into the
/// scope. 201.
pub async fn add_assignment(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
    Body(body): Body<AssignmentBody>,
) -> Result<Response, GraphError> {
    caller.require_any(ASSIGN, ASSIGN)?;
    caller.require_role(SYNC_WRITE_ROLES)?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    let principal = principal(&world, &caller.tenant_id, &body.principal_id)?;
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    if body.resource_id != sp {
        return Err(GraphError::bad_request(
            "resourceId must be the service principal the assignment is created on.",
        ));
    }
    if body.app_role_id != config.msiam_access() {
        return Err(GraphError::bad_request(format!(
            "Permission being assigned was not found on application '{}'.",
            config.service_principal.app_id
        )));
    }
    if config
        .assignments
        .iter()
        .any(|a| a.principal_id == body.principal_id)
    {
        return Err(GraphError::bad_request(
            "Permission being assigned already exists on the object",
        ));
    }
    let assignment = sync_state::assign(config, &principal, now);
    Ok((
        StatusCode::CREATED,
        entity(
            &format!("servicePrincipals('{sp}')/appRoleAssignedTo/$entity"),
            assignment,
        ),
    )
        .into_response())
}

pub async fn remove_assignment(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path((sp, assignment)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    caller.require_any(ASSIGN, ASSIGN)?;
    caller.require_role(SYNC_WRITE_ROLES)?;
    let mut world = state.world_now();
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    let before = config.assignments.len();
    config.assignments.retain(|a| a.id != assignment);
    if config.assignments.len() == before {
        return Err(GraphError::resource_not_found(&assignment));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub struct SecretsBody {
    value: Vec<KeyValue>,
}

const SECRET_KEYS: &[&str] = &[
    "AuthenticationType",
    "CompanyId",
    "SyncNotificationSettings",
    "SyncAll",
    "SkipOutOfScopeDeletions",
];

/// `PUT .../synchronization/secrets`: 204. One configuration per target tenant.
pub async fn put_secrets(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
    Body(body): Body<SecretsBody>,
) -> Result<Response, GraphError> {
    sync_write(&caller)?;
    if let Some(unknown) = body
        .value
        .iter()
        .find(|s| !SECRET_KEYS.contains(&s.key.as_str()))
    {
        return Err(GraphError::bad_request(format!(
            "'{}' is not a valid synchronization secret key.",
            unknown.key
        )));
    }
    let mut world = state.world_now();
    let target = body
        .value
        .iter()
        .find(|s| s.key == "CompanyId")
        .map(|s| s.value.trim().to_lowercase());
    if let Some(target) = &target {
        if target.parse::<graph::TenantId>().is_err() {
            return Err(GraphError::bad_request(format!(
                "CompanyId '{target}' is not a valid tenant id."
            )));
        }
        let taken = configurations(&mut world, &caller.tenant_id)
            .iter()
            .any(|c| c.service_principal.id != sp.as_str() && c.target() == Some(target.as_str()));
        if taken {
            return Err(GraphError::new(
                StatusCode::CONFLICT,
                "Request_MultipleObjectsWithSameKeyValue",
                format!("A cross-tenant synchronization configuration to tenant '{target}' already exists."),
            ));
        }
    }
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    for secret in body.value {
        let value = if secret.key == "CompanyId" {
            secret.value.trim().to_lowercase()
        } else {
            secret.value
        };
        match config.secrets.iter_mut().find(|s| s.key == secret.key) {
            Some(existing) => existing.value = value,
            None => config.secrets.push(KeyValue {
                key: secret.key,
                value,
            }),
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET .../synchronization/secrets` (see the emulator README: readable here).
pub async fn get_secrets(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
) -> Result<Response, GraphError> {
    sync_read(&caller)?;
    let mut world = state.world_now();
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    Ok(collection_response(
        &format!("servicePrincipals('{sp}')/synchronization/secrets"),
        config.secrets.clone(),
    ))
}

fn job_entity(sp: &str, job: &Job) -> Json<Entity<SyncJob>> {
    entity(
        &format!("servicePrincipals('{sp}')/synchronization/jobs/$entity"),
        job.to_graph(),
    )
}

pub async fn list_jobs(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
) -> Result<Response, GraphError> {
    sync_read(&caller)?;
    let mut world = state.world_now();
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    let value: Vec<SyncJob> = config.jobs.iter().map(Job::to_graph).collect();
    Ok(collection_response(
        &format!("servicePrincipals('{sp}')/synchronization/jobs"),
        value,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateJobBody {
    template_id: Option<String>,
}

/// `POST .../synchronization/jobs` `{templateId:"Azure2Azure"}`: 201, created disabled.
pub async fn create_job(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
    Body(body): Body<CreateJobBody>,
) -> Result<Response, GraphError> {
    sync_write(&caller)?;
    if body.template_id.as_deref() != Some(AZURE2AZURE) {
        return Err(GraphError::bad_request(format!(
            "The template '{}' is not valid for this application; use '{AZURE2AZURE}'.",
            body.template_id.unwrap_or_default()
        )));
    }
    let mut world = state.world_now();
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    if !config.jobs.is_empty() {
        return Err(GraphError::new(
            StatusCode::CONFLICT,
            "Conflict",
            "This application already has a synchronization job for template 'Azure2Azure'.",
        ));
    }
    let job = Job::new(&caller.tenant_id);
    let body = job_entity(&sp, &job);
    config.jobs.push(job);
    Ok((StatusCode::CREATED, body).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateBody {
    #[serde(default)]
    credentials: Vec<KeyValue>,
    #[serde(default)]
    use_saved_credentials: bool,
}

/// `POST .../jobs/validateCredentials`: 204 when the target tenant is known.
pub async fn validate_credentials(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
    Body(body): Body<ValidateBody>,
) -> Result<Response, GraphError> {
    sync_write(&caller)?;
    let mut world = state.world_now();
    let saved = configuration(&mut world, &caller.tenant_id, &sp)?
        .target()
        .map(str::to_owned);
    let target = if body.use_saved_credentials {
        saved
    } else {
        body.credentials
            .iter()
            .find(|c| c.key == "CompanyId")
            .map(|c| c.value.trim().to_lowercase())
    };
    match target {
        Some(tenant) if world.scenario.tenant(&tenant).is_some() => {
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(GraphError::bad_request(
            "Credentials could not be validated: the target tenant (CompanyId) was not found.",
        )),
    }
}

pub async fn get_job(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path((sp, job_id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    sync_read(&caller)?;
    let mut world = state.world_now();
    let job = job(&mut world, &caller.tenant_id, &sp, &job_id)?;
    Ok(job_entity(&sp, job).into_response())
}

/// `DELETE .../jobs/{id}`: stops the job and drops its state; synced users stay.
pub async fn delete_job(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path((sp, job_id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    sync_write(&caller)?;
    let mut world = state.world_now();
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    let before = config.jobs.len();
    config.jobs.retain(|j| j.id != job_id.as_str());
    if config.jobs.len() == before {
        return Err(job_not_found(&job_id));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ActionBody {
    criteria: Option<RestartCriteria>,
    #[serde(default)]
    parameters: Vec<OnDemandParameter>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RestartCriteria {
    reset_scope: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandParameter {
    #[serde(default)]
    subjects: Vec<OnDemandSubject>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandSubject {
    object_id: String,
    object_type_name: Option<String>,
}

/// `POST .../jobs/{id}/start|pause|restart|provisionOnDemand`.
pub async fn job_action(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path((sp, job_id, action)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, GraphError> {
    sync_write(&caller)?;
    // start and pause take no body; some clients still send `{}` or an empty JSON body.
    let body: ActionBody = if body.iter().all(u8::is_ascii_whitespace) {
        ActionBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| GraphError::bad_request(format!("Invalid request body: {e}")))?
    };
    let now = state.clock().unix();
    let mut world = state.world_now();
    let job = job(&mut world, &caller.tenant_id, &sp, &job_id)?;
    match action.as_str() {
        "start" => job.start(now),
        "pause" => job.pause(),
        "restart" => {
            let text = body
                .criteria
                .and_then(|c| c.reset_scope)
                .unwrap_or_default();
            let flags = reset_scope::parse(&text).ok_or_else(|| {
                GraphError::bad_request(format!("'{text}' is not a valid resetScope."))
            })?;
            job.restart(flags, now);
        }
        "provisionOnDemand" => {
            if let Err(retry_after) = job.admit_on_demand(now) {
                return Ok(too_many_requests(retry_after));
            }
            let subject = body
                .parameters
                .into_iter()
                .flat_map(|p| p.subjects)
                .next()
                .ok_or_else(|| {
                    GraphError::bad_request("parameters[0].subjects must name one user.")
                })?;
            if subject
                .object_type_name
                .as_deref()
                .is_some_and(|t| !t.eq_ignore_ascii_case("User"))
            {
                return Err(GraphError::bad_request(
                    "Only objectTypeName 'User' can be provisioned on demand by cross-tenant sync.",
                ));
            }
            let initiator = Initiator {
                id: Some(caller.object_id.clone()),
                display_name: None,
                initiator_type: Some(
                    if caller.app_only {
                        "application"
                    } else {
                        "user"
                    }
                    .into(),
                ),
            };
            let done = sync_state::provision_on_demand(
                &mut world,
                &caller.tenant_id,
                &job_id,
                &subject.object_id,
                initiator,
                now,
            )
            .map_err(GraphError::bad_request)?;
            return Ok(on_demand_answer(&done, now).into_response());
        }
        _ => return Err(GraphError::unknown_segment(&action)),
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 429 `TooManyRequests` with `Retry-After` (seconds), as Graph throttles
/// (microsoftgraph/microsoft-graph-docs-contrib `concepts/throttling.md`).
fn too_many_requests(retry_after: i64) -> Response {
    let mut response = GraphError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Please retry again later.",
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert("Retry-After", value);
    }
    response
}

/// The key of the cross-tenant sync article's answer (Step 11 of `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`).
pub const STATUS_INFO_KEY: &str =
    "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo";

/// A step as provisionOnDemand's JSON text writes it: `type` and `status` capitalized, with a
/// `timestamp` (the examples of both documents).
fn on_demand_step(step: &graph::sync::ProvisioningStep, at: &str) -> Value {
    let capital = |text: &str| {
        let mut chars = text.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    json!({
        "name": step.name,
        "type": capital(step.provisioning_step_type.as_str()),
        "status": capital(step.status.as_str()),
        "description": step.description,
        "timestamp": at,
        "details": step.details,
    })
}

/// provisionOnDemand's `stringKeyStringValuePair`, in one of the two documented shapes:
/// - a user whose state already matches: Example 1 of `microsoftgraph/microsoft-graph-docs-contrib`
///   `api-reference/v1.0/api/synchronization-synchronizationjob-provisionondemand.md` — `key` the
///   JSON `{"result":"Skipped","details":{"errorCode":"RedundantExport",…}}`, `value` the JSON of
///   the whole provisioning record (`action`, `changeId`, `startTime`, `endTime`,
///   `modifiedProperties`, `provisioningSteps`, `reportableIdentifier`, `statusInfo`, identities
///   and systems);
/// - otherwise the cross-tenant sync article's: `key` [`STATUS_INFO_KEY`], `value` the JSON
///   `[{"provisioningSteps":[…]}]`.
fn on_demand_answer(done: &sync_state::OnDemand, now: i64) -> Json<Entity<KeyValue>> {
    let at = iso(now);
    let steps: Vec<Value> = done.steps.iter().map(|s| on_demand_step(s, &at)).collect();
    let pair = if done.redundant {
        KeyValue {
            key: json!({
                "result": "Skipped",
                "details": {
                    "errorCode": "RedundantExport",
                    "errorMessage": sync_state::REDUNDANT_EXPORT,
                },
            })
            .to_string(),
            value: on_demand_record(done, steps, &at).to_string(),
        }
    } else {
        KeyValue {
            key: STATUS_INFO_KEY.into(),
            value: json!([{ "provisioningSteps": steps }]).to_string(),
        }
    };
    entity("microsoft.graph.stringKeyStringValuePair", pair)
}

/// The provisioning record of Example 1's `value`.
fn on_demand_record(done: &sync_state::OnDemand, steps: Vec<Value>, at: &str) -> Value {
    let entry = done.entry.as_ref();
    let identity = |party: Option<&graph::sync::ProvisioningParty>| {
        json!({
            "id": party.and_then(|p| p.id.clone()),
            "type": "User",
            "displayName": null,
            "details": null,
        })
    };
    let system = |party: Option<&graph::sync::ProvisioningParty>| {
        json!({
            "id": null,
            "name": party.and_then(|p| p.display_name.clone()),
            "details": null,
        })
    };
    json!({
        "action": "Other",
        "changeId": entry.and_then(|e| e.change_id.clone()),
        "endTime": at,
        "modifiedProperties": entry.map(|e| e.modified_properties.clone()).unwrap_or_default(),
        "provisioningSteps": steps,
        "reportableIdentifier": done.reportable_identifier,
        "startTime": at,
        "statusInfo": {
            "status": "Skipped", "errorCode": null, "reason": null, "additionalDetails": null,
            "errorCategory": null, "recommendedAction": null,
        },
        "sourceIdentity": identity(entry.and_then(|e| e.source_identity.as_ref())),
        "sourceSystem": system(entry.and_then(|e| e.source_system.as_ref())),
        "targetIdentity": identity(entry.and_then(|e| e.target_identity.as_ref())),
        "targetSystem": system(entry.and_then(|e| e.target_system.as_ref())),
    })
}

/// The schema as `GET …/schema` shows it: graph's [`SyncSchema`] and its (empty) directories.
#[derive(Serialize)]
struct SchemaView {
    #[serde(flatten)]
    schema: SyncSchema,
    directories: Vec<Value>,
}

pub async fn get_schema(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path((sp, job_id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    sync_read(&caller)?;
    let mut world = state.world_now();
    let job = job(&mut world, &caller.tenant_id, &sp, &job_id)?;
    let schema = SchemaView {
        schema: job.schema_json(),
        directories: Vec::new(),
    };
    Ok(entity(
        &format!("servicePrincipals('{sp}')/synchronization/jobs('{job_id}')/schema/$entity"),
        schema,
    )
    .into_response())
}

/// `PUT .../schema`: replaces the rules (204); the matching attribute cannot change.
pub async fn put_schema(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path((sp, job_id)): Path<(String, String)>,
    Body(schema): Body<SyncSchema>,
) -> Result<Response, GraphError> {
    sync_write(&caller)?;
    if schema.user_mapping().is_none() {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "SchemaInvalid",
            "The schema has no user object mapping.",
        ));
    }
    if let Some(problem) = sync_state::schema_problem(&schema) {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "SchemaInvalid",
            problem,
        ));
    }
    let mut world = state.world_now();
    let job = job(&mut world, &caller.tenant_id, &sp, &job_id)?;
    job.schema = SyncSchema {
        id: String::new(),
        version: None,
        ..schema
    };
    job.schema_version += 1;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE .../schema`: back to the template's default. 204.
pub async fn reset_schema(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path((sp, job_id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    sync_write(&caller)?;
    let mut world = state.world_now();
    let job = job(&mut world, &caller.tenant_id, &sp, &job_id)?;
    job.schema = sync_state::default_schema();
    job.schema_version += 1;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn filter_operators(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path((sp, job_id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    sync_read(&caller)?;
    let mut world = state.world_now();
    job(&mut world, &caller.tenant_id, &sp, &job_id)?;
    let value: Vec<Value> = FILTER_OPERATORS
        .iter()
        .map(|(name, arity)| {
            json!({
                "name": name, "arity": arity, "multivaluedComparisonType": "Any",
                "supportedAttributeTypes": ["String", "Boolean"],
            })
        })
        .collect();
    Ok(Json(json!({
        "@odata.context": format!("{CONTEXT}#Collection(microsoft.graph.filterOperatorSchema)"),
        "value": value,
    }))
    .into_response())
}
