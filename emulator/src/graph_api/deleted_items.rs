//! `/directory/deletedItems` for users (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/directory-deleteditems-list.md`, `directory-deleteditems-get.md`,
//! `directory-deleteditems-restore.md`, `directory-deleteditems-delete.md`): the users removed from
//! the tenant (by the cross-tenant sync cycle when they leave its scope), kept 30 days with their
//! `deletedDateTime`, listed by OData cast, readable, restorable and permanently deletable.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::query_options::project;
use super::{odata, paging, users, users_query, Caller};
use crate::deleted_state::DeletedUser;
use crate::error::GraphError;
use crate::mto_state::iso;
use crate::EmulatorState;

/// Reading deleted users: `User.Read.All` is the least privileged (the list page's table); the
/// higher ones read them too.
const READ: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Restoring and permanently deleting users: `User.ReadWrite.All` (the restore and delete pages).
const WRITE: &[&str] = &["User.ReadWrite.All"];
/// Who may permanently delete a user, delegated: Global Administrator or User Administrator (the
/// delete page).
const PURGE_ROLES: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10",
    "fdd7a751-b60b-444a-984c-02652fe8fa1c",
];

const USER_CAST: &str = "microsoft.graph.user";
/// The other casts the list page names: nothing of theirs is ever deleted in the emulator.
const OTHER_CASTS: &[(&str, &str)] = &[
    ("microsoft.graph.group", "groups"),
    ("microsoft.graph.application", "applications"),
    ("microsoft.graph.servicePrincipal", "servicePrincipals"),
    ("microsoft.graph.administrativeUnit", "administrativeUnits"),
];

/// A deleted user with the user's default properties and `deletedDateTime`.
fn deleted_user_json(deleted: &DeletedUser) -> Value {
    let user = &deleted.user;
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": user.id,
        "deletedDateTime": iso(deleted.deleted_at),
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": null,
        "jobTitle": null,
        "mail": user.mail,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": null,
        "userPrincipalName": user.user_principal_name,
        "userType": user.user_type,
        "accountEnabled": user.account_enabled,
        "creationType": user.creation_type,
    })
}

fn eventual(parts: &Parts) -> bool {
    parts
        .headers
        .get("ConsistencyLevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
}

/// `GET /directory/deletedItems/{cast}` (a list) or `GET /directory/deletedItems/{id}` (one
/// item): the list page requires the cast, so a segment that is neither a known cast nor a kept
/// object's id answers 404.
pub async fn get(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Path(item): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    if item.eq_ignore_ascii_case(USER_CAST) {
        return list_users(&state, &caller, &parts, &query);
    }
    if let Some((_, context)) = OTHER_CASTS
        .iter()
        .find(|(cast, _)| cast.eq_ignore_ascii_case(&item))
    {
        return Ok(odata::collection_response::<Value>(context, Vec::new()));
    }
    let now = state.clock().unix();
    let world = state.world_now();
    let deleted = world
        .deleted
        .user(&caller.tenant_id, &item, now)
        .ok_or_else(|| GraphError::resource_not_found(&item))?;
    let mut body = deleted_user_json(deleted);
    body["@odata.context"] = json!(format!("{}#directoryObjects/$entity", odata::METADATA));
    Ok(Json(body).into_response())
}

/// A deleted user with the `$select`ed properties (the user's, and `deletedDateTime`).
fn selected_json(deleted: &DeletedUser, host_domain: &str, select: &[&'static str]) -> Value {
    let mut full = users::full_user_json(&deleted.user, host_domain);
    full["deletedDateTime"] = json!(iso(deleted.deleted_at));
    let mut body = project(&full, Some(select), &[]);
    body["@odata.type"] = json!("#microsoft.graph.user");
    body
}

/// The deleted users, oldest deletion first: `$top` 1–999 (default 100) with `@odata.nextLink`,
/// `$count=true` with `ConsistencyLevel: eventual`; `$filter` and `$select` as on `/users` (the
/// list page: the cast's resource's query parameters).
fn list_users(
    state: &EmulatorState,
    caller: &Caller,
    parts: &Parts,
    query: &HashMap<String, String>,
) -> Result<Response, GraphError> {
    let top = paging::page_size(query, 100, 999)?;
    let offset = paging::offset(query)?;
    let counted = query.get("$count").is_some_and(|c| c == "true") && eventual(parts);
    let filter = query
        .get("$filter")
        .map(|f| users_query::parse_filter(f))
        .transpose()?;
    if let Some(operator) = filter.as_ref().and_then(|f| f.advanced_operator()) {
        if !counted {
            return Err(users_query::needs_advanced(operator));
        }
    }
    let select = users::user_select(query)?;
    let now = state.clock().unix();
    let world = state.world_now();
    let domain = users::tenant_domain(&world, caller);
    let deleted: Vec<&DeletedUser> = world
        .deleted
        .users(&caller.tenant_id, now)
        .into_iter()
        .filter(|d| filter.as_ref().is_none_or(|f| f.matches(&d.user)))
        .collect();
    let total = deleted.len();
    let (page, more) = paging::page_of(deleted.into_iter(), offset, top);
    let value: Vec<Value> = page
        .into_iter()
        .map(|d| match select.as_deref() {
            Some(fields) => selected_json(d, domain, fields),
            None => deleted_user_json(d),
        })
        .collect();
    let next_link = paging::next_of(state, parts, query, offset + value.len(), more);
    let body = graph::Collection {
        next_link,
        count: (counted && offset == 0).then_some(total as u64),
        ..odata::collection("users", value)
    };
    Ok(Json(body).into_response())
}

/// `POST /directory/deletedItems/{id}/restore`: 200 with the restored user; it is back in
/// `GET /users`.
pub async fn restore(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(WRITE, WRITE)?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    let deleted = world
        .deleted
        .user(&caller.tenant_id, &id, now)
        .cloned()
        .ok_or_else(|| GraphError::resource_not_found(&id))?;
    let users = world.users.entry(caller.tenant_id.clone()).or_default();
    if users.iter().any(|u| {
        u.id == id
            || u.user_principal_name
                .eq_ignore_ascii_case(&deleted.user.user_principal_name)
    }) {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Another object with the same value for property userPrincipalName already exists.",
        ));
    }
    let Some(user) = world.deleted.take(&caller.tenant_id, &id, now) else {
        return Err(GraphError::resource_not_found(&id));
    };
    let restored = DeletedUser {
        user: user.clone(),
        deleted_at: now,
        by_admin: false,
    };
    world
        .users
        .entry(caller.tenant_id.clone())
        .or_default()
        .push(user);
    let mut body = deleted_user_json(&restored);
    body["deletedDateTime"] = Value::Null;
    body["@odata.context"] = json!(format!("{}#directoryObjects/$entity", odata::METADATA));
    Ok(Json(body).into_response())
}

/// `DELETE /directory/deletedItems/{id}`: 204, gone for good. Users: delegated only, by a
/// Global or User Administrator (the delete page).
pub async fn purge(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(WRITE, &[])?;
    caller.require_role(PURGE_ROLES)?;
    let now = state.clock().unix();
    let mut world = state.world_now();
    world
        .deleted
        .take(&caller.tenant_id, &id, now)
        .ok_or_else(|| GraphError::resource_not_found(&id))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
