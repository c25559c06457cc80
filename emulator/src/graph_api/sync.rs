//! Cross-tenant sync configurations (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`):
//! `applicationTemplates/{id}/instantiate`, `servicePrincipals` (list with `$filter`, get, delete),
//! `appRoleAssignedTo` (scope), `synchronization/secrets`, and `synchronization/jobs` with their
//! actions and schema.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use graph::sync::{
    reset_scope, Initiator, KeyValue, ServicePrincipal, SyncJob, SyncSchema, AZURE2AZURE,
    CROSS_TENANT_SYNC_TEMPLATE_ID,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::auth::SYNC_WRITE_ROLES;
use super::odata::{collection_response, entity, Entity, METADATA as CONTEXT};
use super::Caller;
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

/// A configuration's service principal as Graph lists it: graph's [`ServicePrincipal`] and the
/// other properties of the resource, at the values a cross-tenant sync configuration has.
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
    reply_urls: [&'a str; 0],
    service_principal_names: [&'a str; 1],
    sign_in_audience: &'a str,
    alternative_names: [&'a str; 0],
    key_credentials: [&'a str; 0],
    password_credentials: [&'a str; 0],
    oauth2_permission_scopes: [&'a str; 0],
}

fn service_principal_view(config: &Configuration) -> ServicePrincipalView<'_> {
    let sp = &config.service_principal;
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
        reply_urls: [],
        service_principal_names: [&sp.app_id],
        sign_in_audience: "AzureADMyOrg",
        alternative_names: [],
        key_credentials: [],
        password_credentials: [],
        oauth2_permission_scopes: [],
    }
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

type ConfigFilter = Box<dyn Fn(&Configuration) -> bool>;

/// One `$filter` clause on service principals.
fn sp_filter(filter: &str) -> Result<ConfigFilter, GraphError> {
    let unsupported = || {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            format!("Unsupported or invalid query filter clause specified: '{filter}'."),
        )
    };
    let quoted = |text: &str| -> Option<String> {
        Some(
            text.trim()
                .strip_prefix('\'')?
                .strip_suffix('\'')?
                .replace("''", "'"),
        )
    };
    let filter = filter.trim();
    if let Some(args) = filter
        .strip_prefix("startswith(displayName,")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let prefix = quoted(args).ok_or_else(unsupported)?.to_lowercase();
        return Ok(Box::new(move |c| {
            c.service_principal
                .display_name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().starts_with(&prefix))
        }));
    }
    let (property, value) = filter.split_once(" eq ").ok_or_else(unsupported)?;
    let value = quoted(value).ok_or_else(unsupported)?;
    let property = property.trim().to_owned();
    if !matches!(
        property.as_str(),
        "applicationTemplateId" | "displayName" | "appId" | "id"
    ) {
        return Err(unsupported());
    }
    Ok(Box::new(move |c| {
        let sp = &c.service_principal;
        let actual = match property.as_str() {
            "applicationTemplateId" => sp.application_template_id.as_deref(),
            "displayName" => sp.display_name.as_deref(),
            "appId" => Some(sp.app_id.as_str()),
            _ => Some(sp.id.as_str()),
        };
        actual.is_some_and(|a| a.eq_ignore_ascii_case(&value))
    }))
}

/// `GET /servicePrincipals` (the tenant's cross-tenant sync configurations), with `$filter` on
/// `applicationTemplateId`, `displayName`, `appId`, `id` (`eq`) or `startswith(displayName, …)`.
pub async fn list_service_principals(
    State(state): State<EmulatorState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(APP_READ, APP_READ)?;
    let keep = match query.get("$filter") {
        Some(filter) => sp_filter(filter)?,
        None => Box::new(|_: &Configuration| true),
    };
    let mut world = state.world_now();
    let value: Vec<ServicePrincipalView> = configurations(&mut world, &caller.tenant_id)
        .iter()
        .filter(|c| keep(c))
        .map(service_principal_view)
        .collect();
    Ok(collection_response("servicePrincipals", value))
}

pub async fn get_service_principal(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(sp): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(APP_READ, APP_READ)?;
    let mut world = state.world_now();
    let config = configuration(&mut world, &caller.tenant_id, &sp)?;
    Ok(entity("servicePrincipals/$entity", service_principal_view(config)).into_response())
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
    let configs = configurations(&mut world, &caller.tenant_id);
    let before = configs.len();
    configs.retain(|c| c.service_principal.id != sp.as_str());
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
    caller.require_any(SYNC_READ, SYNC_READ)?;
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
    caller.require_any(SYNC_READ, SYNC_READ)?;
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
    caller.require_any(SYNC_READ, SYNC_READ)?;
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
            let steps = sync_state::provision_on_demand(
                &mut world,
                &caller.tenant_id,
                &job_id,
                &subject.object_id,
                initiator,
                now,
            )
            .map_err(GraphError::bad_request)?;
            let value = json!([{ "provisioningSteps": steps }]).to_string();
            let status = KeyValue {
                key: "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"
                    .into(),
                value,
            };
            return Ok(entity("microsoft.graph.stringKeyStringValuePair", status).into_response());
        }
        _ => return Err(GraphError::unknown_segment(&action)),
    }
    Ok(StatusCode::NO_CONTENT.into_response())
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
    caller.require_any(SYNC_READ, SYNC_READ)?;
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
    caller.require_any(SYNC_READ, SYNC_READ)?;
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
