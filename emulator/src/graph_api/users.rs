//! `GET /users`, `/users/$count`, `/users/{id | userPrincipalName}`
//! (`microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/api/user-list.md` and
//! `concepts/aad-advanced-queries.md`): `$select`, `$top` (≤ 999), `$filter` and `$search`
//! (`users_query`, with the advanced-query rules), `$count` and the `/$count` segment needing
//! `ConsistencyLevel: eventual`, opaque `$skiptoken` paging.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::query_options::{count_needs_eventual, count_response, eventual, project, select};
use super::users_query::{
    needs_advanced, parse_filter, parse_search, search_needs_eventual, Filter, Search,
};
use super::{paging, Caller};
use crate::error::GraphError;
use crate::users_state::User;
use crate::EmulatorState;

/// Permissions that read users (`GET /users`; also what shows user members of a group in full).
pub(super) const READ: &[&str] = &["User.ReadBasic.All", "User.Read.All", "Directory.Read.All"];
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 999;
/// Returned when no `$select` is given (Graph's default set).
const DEFAULT_FIELDS: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// The `$filter` and `$search` of a users request.
struct UserQuery {
    filter: Option<Filter>,
    search: Option<Search>,
}

impl UserQuery {
    /// Parses both and applies Graph's advanced-query rules: `$search` needs `ConsistencyLevel:
    /// eventual`; `ne` and `endsWith` need `advanced` (the header and `$count`).
    fn parse(
        query: &HashMap<String, String>,
        eventual: bool,
        advanced: bool,
    ) -> Result<Self, GraphError> {
        let filter = query.get("$filter").map(|f| parse_filter(f)).transpose()?;
        if let Some(operator) = filter.as_ref().and_then(Filter::advanced_operator) {
            if !advanced {
                return Err(needs_advanced(operator));
            }
        }
        let search = match query.get("$search") {
            Some(_) if !eventual => return Err(search_needs_eventual()),
            Some(search) => Some(parse_search(search)?),
            None => None,
        };
        Ok(Self { filter, search })
    }

    fn matches(&self, user: &User) -> bool {
        self.filter.as_ref().is_none_or(|f| f.matches(user))
            && self.search.as_ref().is_none_or(|s| s.matches(user))
    }
}

/// A user with its default properties, or the `$select`ed ones.
pub(super) fn user_json(user: &User, select: Option<&[String]>) -> Value {
    let full = json!({
        "id": user.id,
        "displayName": user.display_name,
        "userPrincipalName": user.user_principal_name,
        "mail": user.mail,
        "userType": user.user_type,
        "creationType": user.creation_type,
        "externalUserState": user.external_user_state,
        "showInAddressList": user.show_in_address_list,
        "accountEnabled": user.account_enabled,
        "companyName": user.company_name,
        "businessPhones": [], "givenName": null, "surname": null, "jobTitle": null,
        "mobilePhone": null, "officeLocation": null, "preferredLanguage": null,
    });
    project(&full, select, DEFAULT_FIELDS)
}

pub async fn list(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let top = paging::page_size(&query, DEFAULT_PAGE, MAX_PAGE)?;
    let wants_count = query.get("$count").is_some_and(|c| c == "true") && eventual(&parts);
    let user_query = UserQuery::parse(&query, eventual(&parts), wants_count)?;
    let select = select(&query);
    let offset = paging::offset(&query)?;
    let world = state.world_now();
    let users = world
        .users
        .get(&caller.tenant_id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let matching = || users.iter().filter(|u| user_query.matches(u));
    let count = (wants_count && offset == 0).then(|| matching().count());
    let (page, more) = paging::page_of(matching(), offset, top);
    let page: Vec<Value> = page
        .into_iter()
        .map(|u| user_json(u, select.as_deref()))
        .collect();
    let mut body = json!({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users" });
    if let Some(count) = count {
        body["@odata.count"] = json!(count);
    }
    if more {
        body["@odata.nextLink"] = json!(paging::next_link(
            &state.base_url(&parts),
            "/v1.0/users",
            &query,
            offset + page.len()
        ));
    }
    body["value"] = Value::Array(page);
    Ok(Json(body).into_response())
}

/// `GET /users/$count`: a plain-text number; 400 without `ConsistencyLevel: eventual`.
pub async fn count(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    if !eventual(&parts) {
        return Err(count_needs_eventual());
    }
    let user_query = UserQuery::parse(&query, true, true)?;
    let world = state.world_now();
    let count = world.users.get(&caller.tenant_id).map_or(0, |users| {
        users.iter().filter(|u| user_query.matches(u)).count()
    });
    Ok(count_response(count))
}

/// `GET /users/{id | userPrincipalName}`.
pub async fn get(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let select = select(&query);
    let world = state.world_now();
    let user = world
        .users
        .get(&caller.tenant_id)
        .and_then(|users| {
            users
                .iter()
                .find(|u| u.id == key || u.user_principal_name.eq_ignore_ascii_case(&key))
        })
        .ok_or_else(|| GraphError::resource_not_found(&key))?;
    let mut body = user_json(user, select.as_deref());
    body["@odata.context"] = json!("https://graph.microsoft.com/v1.0/$metadata#users/$entity");
    Ok(Json(body).into_response())
}
