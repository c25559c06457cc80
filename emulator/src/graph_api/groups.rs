//! `GET /groups`, `/groups/$count`, `/groups/{id}`, `/groups/{id}/members` and
//! `/groups/{id}/members/$count`: the tenant's security groups and their direct members, with the
//! users' rules for `$select` (checked against the group resource's properties), `$top` (≤ 999),
//! `$count` and opaque `$skiptoken` paging. `$filter` on groups: `displayName eq '…'` and
//! `startswith(displayName,'…')`, joined with `and` / `or`; `$orderby` on `displayName` (and
//! `deletedDateTime` in advanced queries), as `concepts/aad-advanced-queries.md` lists.
//!
//! Permissions as Microsoft's pages list them (least privileged first). Members that are users
//! come back with limited information (`@odata.type` and `id`, every other property null) when the
//! caller may not read users, as the permissions overview describes.

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
use super::users::{self, tenant_domain, user_json};
use super::users_query::{
    parse_filter_on, unsupported_property, Clause, Filter, Filtered, Literal, Property,
};
use super::{paging, Caller};
use crate::error::GraphError;
use crate::groups_state::{Group, Member};
use crate::mto_state::iso;
use crate::{EmulatorState, World};

/// `GET /groups` and `GET /groups/{id}`.
const READ: &[&str] = &[
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];
/// `GET /groups/{id}/members`.
pub(super) const MEMBERS_READ: &[&str] = &[
    "GroupMember.Read.All",
    "Group.Read.All",
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
];
/// Permissions that let the caller read users in full (else user members are limited).
const USER_READ: &[&str] = &[
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 999;
/// Query options Graph serves on groups that the emulator does not: refused rather than ignored.
const NOT_SERVED: &[&str] = &["$search", "$expand"];
/// `$orderby` on groups (`concepts/aad-advanced-queries.md`, "Support for sorting by properties of
/// directory objects").
const SORTABLE: &[(&str, Sorting)] = &[
    ("displayName", Sorting::Default),
    ("deletedDateTime", Sorting::Advanced),
];
/// Every property and relationship of the v1.0 group resource
/// (`api-reference/v1.0/resources/group.md`): what `$select` may name.
const PROPERTIES: &[&str] = &[
    "allowExternalSenders",
    "assignedLabels",
    "assignedLicenses",
    "autoSubscribeNewMembers",
    "classification",
    "createdDateTime",
    "creationOptions",
    "deletedDateTime",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "hasMembersWithLicenseErrors",
    "hideFromAddressLists",
    "hideFromOutlookClients",
    "id",
    "isArchived",
    "isAssignableToRole",
    "isManagementRestricted",
    "isSubscribedByMail",
    "licenseProcessingState",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesDomainName",
    "onPremisesLastSyncDateTime",
    "onPremisesNetBiosName",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "renewedDateTime",
    "resourceBehaviorOptions",
    "resourceProvisioningOptions",
    "securityEnabled",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "theme",
    "uniqueName",
    "unseenCount",
    "visibility",
    // Relationships.
    "appRoleAssignments",
    "createdOnBehalfOf",
    "extensions",
    "memberOf",
    "members",
    "owners",
    "photo",
    "transitiveMemberOf",
    "transitiveMembers",
];
/// What a group returns by default: every property the emulator holds (a security group's).
const HELD: &[&str] = &[
    "id",
    "deletedDateTime",
    "classification",
    "createdDateTime",
    "creationOptions",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "isAssignableToRole",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesDomainName",
    "onPremisesLastSyncDateTime",
    "onPremisesNetBiosName",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "renewedDateTime",
    "resourceBehaviorOptions",
    "resourceProvisioningOptions",
    "securityEnabled",
    "securityIdentifier",
    "theme",
    "visibility",
    "onPremisesProvisioningErrors",
    "serviceProvisioningErrors",
];

impl Filtered for Group {
    fn text(&self, property: Property) -> Option<&str> {
        (property == Property::DisplayName).then_some(self.display_name.as_str())
    }

    fn flag(&self, _: Property) -> Option<bool> {
        None
    }
}

/// The clauses groups serve: `displayName eq '…'` and `startswith(displayName,'…')`.
fn served_on_groups(clause: &Clause) -> bool {
    matches!(
        clause,
        Clause::Equals {
            property: Property::DisplayName,
            value: Literal::Text(_),
            negated: false,
        } | Clause::StartsWith {
            property: Property::DisplayName,
            ..
        }
    )
}

/// The request's `$filter` on groups, if any; 400 `Request_UnsupportedQuery` for anything else.
fn group_filter(query: &HashMap<String, String>) -> Result<Option<Filter>, GraphError> {
    let Some(text) = query.get("$filter") else {
        return Ok(None);
    };
    let filter = parse_filter_on(text, "Group")?;
    match filter.unsupported(served_on_groups) {
        Some(property) => Err(unsupported_property(property.name(), "Group")),
        None => Ok(Some(filter)),
    }
}

/// 400 for a query option in `refused` (listed in the README).
fn refuse_options(query: &HashMap<String, String>, refused: &[&str]) -> Result<(), GraphError> {
    match refused.iter().find(|option| query.contains_key(**option)) {
        Some(option) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            format!("'{option}' is not supported by the service."),
        )),
        None => Ok(()),
    }
}

/// A group with every property Graph returns by default (all of a security group's), or the
/// `$select`ed ones.
pub(super) fn group_json(group: &Group, select: Option<&[&'static str]>) -> Value {
    let created = iso(group.created);
    let full = json!({
        "id": group.id,
        "deletedDateTime": null,
        "classification": null,
        "createdDateTime": created,
        "creationOptions": [],
        "description": group.description,
        "displayName": group.display_name,
        "expirationDateTime": null,
        "groupTypes": [],
        "isAssignableToRole": null,
        "mail": null,
        "mailEnabled": false,
        "mailNickname": group.mail_nickname(),
        "membershipRule": null,
        "membershipRuleProcessingState": null,
        "onPremisesDomainName": null,
        "onPremisesLastSyncDateTime": null,
        "onPremisesNetBiosName": null,
        "onPremisesSamAccountName": null,
        "onPremisesSecurityIdentifier": null,
        "onPremisesSyncEnabled": null,
        "preferredDataLocation": null,
        "preferredLanguage": null,
        "proxyAddresses": [],
        "renewedDateTime": created,
        "resourceBehaviorOptions": [],
        "resourceProvisioningOptions": [],
        "securityEnabled": true,
        "securityIdentifier": group.security_identifier(),
        "theme": null,
        "visibility": null,
        "onPremisesProvisioningErrors": [],
        "serviceProvisioningErrors": [],
    });
    project(&full, select, HELD)
}

/// The request's `$select` on groups; 400 for a name the group resource does not have.
pub(super) fn group_select(
    query: &HashMap<String, String>,
) -> Result<Option<Selected>, GraphError> {
    select(query, PROPERTIES, HELD, "group")
}

/// The request's `$select` on members (directory objects: users and groups); 400 for a name
/// neither resource has.
fn member_select(query: &HashMap<String, String>) -> Result<Option<Selected>, GraphError> {
    let known: Vec<&'static str> = users::PROPERTIES
        .iter()
        .chain(PROPERTIES)
        .copied()
        .collect();
    select(query, &known, &["id"], "directoryObject")
}

/// The part of a members `$select` that `properties` (one member type's) has.
fn select_for(select: Option<&[&'static str]>, properties: &[&str]) -> Option<Selected> {
    select.map(|names| {
        names
            .iter()
            .copied()
            .filter(|n| properties.contains(n))
            .collect()
    })
}

/// `groups` in `$orderby` order: names case-insensitively (ties in creation order);
/// `deletedDateTime` is unset on every listed group, so it leaves the order as it is.
fn sort_groups(groups: &mut [&Group], order: OrderBy) {
    if order.property != "displayName" {
        return;
    }
    groups.sort_by_cached_key(|g| g.display_name.to_lowercase());
    if order.descending {
        groups.sort_by_cached_key(|g| std::cmp::Reverse(g.display_name.to_lowercase()));
    }
}

fn tenant_groups<'a>(world: &'a World, caller: &Caller) -> &'a [Group] {
    world
        .groups
        .get(&caller.tenant_id)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

pub(super) fn find_group<'a>(
    world: &'a World,
    caller: &Caller,
    id: &str,
) -> Result<&'a Group, GraphError> {
    tenant_groups(world, caller)
        .iter()
        .find(|g| g.id == id)
        .ok_or_else(|| GraphError::resource_not_found(id))
}

/// Whether `$count=true` is honoured: only with `ConsistencyLevel: eventual`, as on users.
pub(super) fn wants_count(query: &HashMap<String, String>, parts: &Parts) -> bool {
    query.get("$count").is_some_and(|c| c == "true") && eventual(parts)
}

/// A collection answer: context, `@odata.count` (first page only), next link, values.
pub(super) fn collection(
    context: String,
    count: Option<usize>,
    next_link: Option<String>,
    values: Vec<Value>,
) -> Response {
    let mut body = json!({ "@odata.context": context });
    if let Some(count) = count {
        body["@odata.count"] = json!(count);
    }
    if let Some(link) = next_link {
        body["@odata.nextLink"] = json!(link);
    }
    body["value"] = Value::Array(values);
    Json(body).into_response()
}

/// `GET /groups`.
pub async fn list(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    refuse_options(&query, NOT_SERVED)?;
    let top = paging::page_size(&query, DEFAULT_PAGE, MAX_PAGE)?;
    let filter = group_filter(&query)?;
    let select = group_select(&query)?;
    let advanced = wants_count(&query, &parts);
    let order = order_by(
        &query,
        &SortRules {
            sortable: SORTABLE,
            resource: "Group",
            advanced,
            filtered: filter.is_some(),
        },
    )?;
    let offset = paging::offset(&query)?;
    let world = state.world_now();
    let mut matching: Vec<&Group> = tenant_groups(&world, &caller)
        .iter()
        .filter(|g| filter.as_ref().is_none_or(|f| f.matches(*g)))
        .collect();
    if let Some(order) = order {
        sort_groups(&mut matching, order);
    }
    let count = (advanced && offset == 0).then_some(matching.len());
    let (page, more) = paging::page_of(matching.into_iter(), offset, top);
    let next = paging::next_of(&state, &parts, &query, offset + page.len(), more);
    let values = page
        .into_iter()
        .map(|g| group_json(g, select.as_deref()))
        .collect();
    Ok(collection(
        context("groups", select.as_deref()),
        count,
        next,
        values,
    ))
}

/// `GET /groups/$count`: a plain-text number; 400 without `ConsistencyLevel: eventual`.
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
    let filter = group_filter(&query)?;
    let world = state.world_now();
    let count = tenant_groups(&world, &caller)
        .iter()
        .filter(|g| filter.as_ref().is_none_or(|f| f.matches(*g)))
        .count();
    Ok(count_response(count))
}

/// `GET /groups/{id}`.
pub async fn get(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let select = group_select(&query)?;
    let world = state.world_now();
    let group = find_group(&world, &caller, &id)?;
    let mut body = group_json(group, select.as_deref());
    body["@odata.context"] = json!(format!("{}/$entity", context("groups", select.as_deref())));
    Ok(Json(body).into_response())
}

/// Every property null but `id`: what Graph shows of an object the caller may not read.
fn limited(object: Value) -> Value {
    match object {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| if k == "id" { (k, v) } else { (k, Value::Null) })
                .collect(),
        ),
        other => other,
    }
}

/// Whether a member still exists in the caller's tenant.
fn member_exists(world: &World, caller: &Caller, member: &Member) -> bool {
    match member {
        Member::User(id) => world
            .users
            .get(&caller.tenant_id)
            .is_some_and(|users| users.iter().any(|u| &u.id == id)),
        Member::Group(id) => find_group(world, caller, id).is_ok(),
    }
}

/// One member as a directoryObject: `@odata.type` and the user's or group's properties (`None`
/// for a member that no longer exists).
fn member_json(
    world: &World,
    caller: &Caller,
    member: &Member,
    select: Option<&[&'static str]>,
) -> Option<Value> {
    let (kind, mut body) = match member {
        Member::User(id) => {
            let user = world
                .users
                .get(&caller.tenant_id)?
                .iter()
                .find(|u| &u.id == id)?;
            let select = select_for(select, users::PROPERTIES);
            let body = user_json(user, tenant_domain(world, caller), select.as_deref());
            let readable = caller.has_any(USER_READ, USER_READ);
            (
                "#microsoft.graph.user",
                if readable { body } else { limited(body) },
            )
        }
        Member::Group(id) => {
            let group = find_group(world, caller, id).ok()?;
            let select = select_for(select, PROPERTIES);
            (
                "#microsoft.graph.group",
                group_json(group, select.as_deref()),
            )
        }
    };
    body["@odata.type"] = json!(kind);
    Some(body)
}

/// `GET /groups/{id}/members`: direct members (users and groups), not transitive.
pub async fn members(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(MEMBERS_READ, MEMBERS_READ)?;
    refuse_options(&query, &["$filter", "$search", "$orderby", "$expand"])?;
    let top = paging::page_size(&query, DEFAULT_PAGE, MAX_PAGE)?;
    let select = member_select(&query)?;
    let offset = paging::offset(&query)?;
    let world = state.world_now();
    let group = find_group(&world, &caller, &id)?;
    let present: Vec<&Member> = group
        .members
        .iter()
        .filter(|m| member_exists(&world, &caller, m))
        .collect();
    let count = (wants_count(&query, &parts) && offset == 0).then_some(present.len());
    let (page, more) = paging::page_of(present.into_iter(), offset, top);
    let values: Vec<Value> = page
        .iter()
        .filter_map(|m| member_json(&world, &caller, m, select.as_deref()))
        .collect();
    let next = paging::next_of(&state, &parts, &query, offset + page.len(), more);
    Ok(collection(
        context("directoryObjects", select.as_deref()),
        count,
        next,
        values,
    ))
}

/// `GET /groups/{id}/members/$count`: a plain-text number; 400 without `ConsistencyLevel: eventual`.
pub async fn members_count(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(MEMBERS_READ, MEMBERS_READ)?;
    if !eventual(&parts) {
        return Err(count_needs_eventual());
    }
    let world = state.world_now();
    let group = find_group(&world, &caller, &id)?;
    let count = group
        .members
        .iter()
        .filter(|m| member_exists(&world, &caller, m))
        .count();
    Ok(count_response(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(filter: &str) -> HashMap<String, String> {
        HashMap::from([("$filter".to_owned(), filter.to_owned())])
    }

    fn group(name: &str) -> Group {
        Group::new(crate::scenario::CONTOSO, 0, name, None, 0)
    }

    #[test]
    fn display_name_equality_and_prefix_are_served() {
        let filter = group_filter(&query(
            "startswith(displayName,'contoso') or displayName eq 'Sales'",
        ))
        .unwrap()
        .unwrap();
        assert!(filter.matches(&group("Contoso – Finance")));
        assert!(filter.matches(&group("SALES")));
        assert!(!filter.matches(&group("Fabrikam – Engineering")));
        assert!(group_filter(&HashMap::new()).unwrap().is_none());
    }

    #[test]
    fn other_clauses_name_the_group_resource() {
        for (filter, property) in [
            ("mailNickname eq 'x'", "mailNickname"),
            ("displayName ne 'x'", "displayName"),
            ("endswith(displayName,'x')", "displayName"),
            ("displayName in ('a','b')", "displayName"),
            ("userType eq 'Member'", "userType"),
        ] {
            let error = group_filter(&query(filter)).unwrap_err();
            assert_eq!(error.code, "Request_UnsupportedQuery", "{filter}");
            assert_eq!(
                error.message,
                format!("Unsupported or invalid query filter clause specified for property '{property}' of resource 'Group'."),
                "{filter}"
            );
        }
    }

    #[test]
    fn groups_sort_by_display_name_either_way() {
        let (b, a, c) = (group("b"), group("A"), group("c"));
        let sorted = |descending| {
            let mut groups = vec![&b, &a, &c];
            sort_groups(
                &mut groups,
                OrderBy {
                    property: "displayName",
                    descending,
                },
            );
            groups
                .iter()
                .map(|g| g.display_name.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(sorted(false), ["A", "b", "c"]);
        assert_eq!(sorted(true), ["c", "b", "A"]);
    }

    #[test]
    fn member_selections_are_split_by_type() {
        let query = HashMap::from([(
            "$select".to_owned(),
            "id,userType,securityEnabled".to_owned(),
        )]);
        let selected = member_select(&query).unwrap();
        assert_eq!(
            select_for(selected.as_deref(), users::PROPERTIES),
            Some(vec!["id", "userType"])
        );
        assert_eq!(
            select_for(selected.as_deref(), PROPERTIES),
            Some(vec!["id", "securityEnabled"])
        );
        let refused = HashMap::from([("$select".to_owned(), "nope".to_owned())]);
        assert_eq!(
            member_select(&refused).unwrap_err().message,
            "Could not find a property named 'nope' on type 'microsoft.graph.directoryObject'."
        );
        for name in HELD {
            assert!(PROPERTIES.contains(name), "{name}");
        }
    }

    #[test]
    fn limited_objects_keep_only_their_id() {
        let full = json!({"id": "1", "displayName": "A", "mail": "a@b.c"});
        assert_eq!(
            limited(full),
            json!({"id": "1", "displayName": null, "mail": null})
        );
    }

    #[test]
    fn a_security_group_says_so() {
        let body = group_json(&group("Contoso – Finance"), None);
        assert_eq!(body["securityEnabled"], true);
        assert_eq!(body["mailEnabled"], false);
        assert_eq!(body["groupTypes"], json!([]));
        let selected = group_json(&group("Contoso – Finance"), Some(&["displayName"]));
        assert_eq!(selected, json!({"displayName": "Contoso – Finance"}));
    }
}
