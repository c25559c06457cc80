//! `GET /users`, `/users/$count`, `/users/{id | userPrincipalName}`
//! (`microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/api/user-list.md` and
//! `concepts/aad-advanced-queries.md`): `$select` (checked against the user resource's
//! properties), `$top` (≤ 999), `$filter` and `$search` (`users_query`, with the advanced-query
//! rules), `$orderby`, `$count` and the `/$count` segment needing `ConsistencyLevel: eventual`,
//! opaque `$skiptoken` paging.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::query_options::{
    context, count_needs_eventual, count_response, eventual, order_by, project, select, OrderBy,
    Selected, SortRules, Sorting,
};
use super::users_query::{
    needs_advanced, parse_filter, parse_search, search_needs_eventual, Filter, Search,
};
use super::{paging, Caller};
use crate::error::GraphError;
use crate::users_state::User;
use crate::{EmulatorState, World};

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
/// The properties the emulator holds a value for (what `$select=*` returns).
const HELD: &[&str] = &[
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "userType",
    "creationType",
    "externalUserState",
    "showInAddressList",
    "accountEnabled",
    "companyName",
    "identities",
    "createdDateTime",
    "businessPhones",
    "givenName",
    "surname",
    "jobTitle",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
];
/// Every property and relationship of the v1.0 user resource
/// (`api-reference/v1.0/resources/user.md`): what `$select` may name. A name outside it answers
/// 400 "Could not find a property named '…' on type 'microsoft.graph.user'.".
pub(super) const PROPERTIES: &[&str] = &[
    "aboutMe",
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "authorizationInfo",
    "birthday",
    "businessPhones",
    "city",
    "companyName",
    "consentProvidedForMinor",
    "country",
    "createdDateTime",
    "creationType",
    "customSecurityAttributes",
    "deletedDateTime",
    "department",
    "displayName",
    "employeeHireDate",
    "employeeId",
    "employeeLeaveDateTime",
    "employeeOrgData",
    "employeeType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "faxNumber",
    "givenName",
    "hireDate",
    "id",
    "identities",
    "imAddresses",
    "interests",
    "isManagementRestricted",
    "isResourceAccount",
    "jobTitle",
    "lastPasswordChangeDateTime",
    "legalAgeGroupClassification",
    "licenseAssignmentStates",
    "mail",
    "mailboxSettings",
    "mailNickname",
    "mobilePhone",
    "mySite",
    "officeLocation",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "passwordProfile",
    "pastProjects",
    "postalCode",
    "preferredDataLocation",
    "preferredLanguage",
    "preferredName",
    "provisionedPlans",
    "proxyAddresses",
    "responsibilities",
    "schools",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "showInAddressList",
    "signInActivity",
    "signInSessionsValidFromDateTime",
    "skills",
    "sponsors",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
    // Relationships.
    "appRoleAssignments",
    "calendar",
    "contacts",
    "createdObjects",
    "directReports",
    "drive",
    "events",
    "extensions",
    "manager",
    "memberOf",
    "messages",
    "ownedDevices",
    "ownedObjects",
    "photo",
    "registeredDevices",
    "transitiveMemberOf",
];
/// Properties only a single user returns: `$select`ing them on `/users` answers 501
/// (`api-reference/v1.0/api/user-list.md`, "Optional query parameters" and "Response").
const SINGLE_USER_ONLY: &[&str] = &[
    "aboutMe",
    "birthday",
    "hireDate",
    "interests",
    "mySite",
    "pastProjects",
    "preferredName",
    "responsibilities",
    "schools",
    "skills",
    "mailboxSettings",
];
/// `$orderby` on users (`concepts/aad-advanced-queries.md`, "Support for sorting by properties of
/// directory objects").
const SORTABLE: &[(&str, Sorting)] = &[
    ("displayName", Sorting::Default),
    ("userPrincipalName", Sorting::Default),
    ("createdDateTime", Sorting::Advanced),
    ("deletedDateTime", Sorting::Advanced),
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

/// The request's `$select` on users; 400 for a name the user resource does not have.
pub(super) fn user_select(query: &HashMap<String, String>) -> Result<Option<Selected>, GraphError> {
    select(query, PROPERTIES, HELD, "user")
}

/// The default domain of the caller's tenant: the issuer of its users' `userPrincipalName`
/// identities.
pub(super) fn tenant_domain<'w>(world: &'w World, caller: &Caller) -> &'w str {
    world
        .scenario
        .tenant(&caller.tenant_id)
        .map(|t| t.default_domain())
        .unwrap_or_default()
}

/// A user with its default properties, or the `$select`ed ones; `host_domain` is the default
/// domain of the tenant the user is in.
pub(super) fn user_json(user: &User, host_domain: &str, select: Option<&[&'static str]>) -> Value {
    project(&full_user_json(user, host_domain), select, DEFAULT_FIELDS)
}

/// Every property the emulator holds of `user`, before `$select` cuts it down.
pub(super) fn full_user_json(user: &User, host_domain: &str) -> Value {
    json!({
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
        "identities": user.identities(host_domain),
        "createdDateTime": user
            .created
            .map_or_else(|| crate::users_state::BEFORE_THE_SCENARIO.to_owned(), crate::mto_state::iso),
        "businessPhones": [], "givenName": null, "surname": null, "jobTitle": null,
        "mobilePhone": null, "officeLocation": null, "preferredLanguage": null,
    })
}

/// 501 for a property that only a single user returns (`api-reference/v1.0/api/user-list.md`).
fn refuse_single_user_properties(select: Option<&[&'static str]>) -> Result<(), GraphError> {
    match select
        .unwrap_or_default()
        .iter()
        .find(|p| SINGLE_USER_ONLY.contains(p))
    {
        Some(_) => Err(GraphError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "This operation target is not yet supported.",
        )),
        None => Ok(()),
    }
}

/// `users` sorted by `order`: names case-insensitively (ties in creation order),
/// `createdDateTime` in creation order (the order the tenant's users are held in);
/// `deletedDateTime` is unset on every listed user, so it leaves the order as it is.
fn sort_users(users: &mut [&User], order: OrderBy) {
    let key = |user: &User| -> String {
        match order.property {
            "displayName" => user.display_name.to_lowercase(),
            "userPrincipalName" => user.user_principal_name.to_lowercase(),
            _ => String::new(),
        }
    };
    users.sort_by_cached_key(|u| key(u));
    if order.descending {
        if order.property == "createdDateTime" {
            users.reverse();
        } else {
            // Descending by key, ties still in creation order.
            users.sort_by_cached_key(|u| std::cmp::Reverse(key(u)));
        }
    }
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
    let select = user_select(&query)?;
    refuse_single_user_properties(select.as_deref())?;
    let order = order_by(
        &query,
        &SortRules {
            sortable: SORTABLE,
            resource: "User",
            advanced: wants_count,
            filtered: query.contains_key("$filter"),
        },
    )?;
    let offset = paging::offset(&query)?;
    let world = state.world_now();
    let domain = tenant_domain(&world, &caller);
    let users = world
        .users
        .get(&caller.tenant_id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut matching: Vec<&User> = users.iter().filter(|u| user_query.matches(u)).collect();
    if let Some(order) = order {
        sort_users(&mut matching, order);
    }
    let count = (wants_count && offset == 0).then_some(matching.len());
    let (page, more) = paging::page_of(matching.into_iter(), offset, top);
    let page: Vec<Value> = page
        .into_iter()
        .map(|u| user_json(u, domain, select.as_deref()))
        .collect();
    let mut body = json!({ "@odata.context": context("users", select.as_deref()) });
    if let Some(count) = count {
        body["@odata.count"] = json!(count);
    }
    if let Some(next) = paging::next_of(&state, &parts, &query, offset + page.len(), more) {
        body["@odata.nextLink"] = json!(next);
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
    let select = user_select(&query)?;
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
    let mut body = user_json(user, tenant_domain(&world, &caller), select.as_deref());
    body["@odata.context"] = json!(format!("{}/$entity", context("users", select.as_deref())));
    Ok(Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, upn: &str) -> User {
        User {
            id: upn.into(),
            display_name: name.into(),
            user_principal_name: upn.into(),
            mail: None,
            user_type: "Member",
            creation_type: None,
            external_user_state: None,
            show_in_address_list: None,
            account_enabled: true,
            company_name: None,
            synced_from: None,
            created: None,
        }
    }

    #[test]
    fn users_sort_by_name_either_way_and_by_creation_order() {
        let (b, a1, a2) = (
            user("beta", "1@x"),
            user("Alpha", "3@x"),
            user("alpha", "2@x"),
        );
        let sorted = |property, descending| {
            let mut users = vec![&b, &a1, &a2];
            sort_users(
                &mut users,
                OrderBy {
                    property,
                    descending,
                },
            );
            users.iter().map(|u| u.id.as_str()).collect::<Vec<_>>()
        };
        assert_eq!(sorted("displayName", false), ["3@x", "2@x", "1@x"]);
        assert_eq!(sorted("displayName", true), ["1@x", "3@x", "2@x"]);
        assert_eq!(sorted("userPrincipalName", false), ["1@x", "2@x", "3@x"]);
        assert_eq!(sorted("createdDateTime", true), ["2@x", "3@x", "1@x"]);
        assert_eq!(sorted("deletedDateTime", false), ["1@x", "3@x", "2@x"]);
    }

    #[test]
    fn single_user_properties_are_refused_on_the_collection() {
        assert_eq!(
            refuse_single_user_properties(Some(&["id", "aboutMe"]))
                .unwrap_err()
                .status,
            StatusCode::NOT_IMPLEMENTED
        );
        assert!(refuse_single_user_properties(Some(&["id"])).is_ok());
        assert!(refuse_single_user_properties(None).is_ok());
    }

    #[test]
    fn every_held_and_default_property_can_be_selected() {
        for name in HELD.iter().chain(DEFAULT_FIELDS) {
            assert!(PROPERTIES.contains(name), "{name}");
        }
    }
}
