//! A user's group memberships and a group's member groups, cast to `microsoft.graph.group`:
//! `GET /users/{id | userPrincipalName}/memberOf/microsoft.graph.group` (direct),
//! `GET /users/{…}/transitiveMemberOf/microsoft.graph.group` (through nested groups too) and
//! `GET /groups/{id}/members/microsoft.graph.group` (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/user-list-memberof.md`, `…/user-list-transitivememberof.md`,
//! `…/group-list-members.md`: "OData cast is also enabled"). `$select` as on groups, `$top`
//! (≤ 999), `$count=true` honoured with `ConsistencyLevel: eventual` (the pages ask for the
//! header with the cast; Example 6 of the memberOf page casts without it, and so does this).
//! Reading memberships needs a group permission (`GroupMember.Read.All` or higher).

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::Value;

use super::groups::{collection, find_group, group_json, group_select, wants_count, MEMBERS_READ};
use super::query_options::context;
use super::{paging, Caller};
use crate::error::GraphError;
use crate::groups_state::{Group, Member};
use crate::{EmulatorState, World};

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 999;

/// The caller's tenant's user `key` (object id or user principal name), or 404.
fn user_id(world: &World, caller: &Caller, key: &str) -> Result<String, GraphError> {
    world
        .users
        .get(&caller.tenant_id)
        .and_then(|users| {
            users
                .iter()
                .find(|u| u.id == key || u.user_principal_name.eq_ignore_ascii_case(key))
        })
        .map(|u| u.id.clone())
        .ok_or_else(|| GraphError::resource_not_found(key))
}

fn groups_of(world: &World, caller: &Caller) -> Vec<Group> {
    world
        .groups
        .get(&caller.tenant_id)
        .cloned()
        .unwrap_or_default()
}

/// The groups that list `member` directly, in the tenant's order.
fn direct(groups: &[Group], member: &Member) -> Vec<Group> {
    groups
        .iter()
        .filter(|g| g.members.contains(member))
        .cloned()
        .collect()
}

/// The groups `user` is in, directly or through groups nested in them (each once, nearest first).
pub fn transitive(groups: &[Group], user: &str) -> Vec<Group> {
    let mut found: Vec<Group> = direct(groups, &Member::User(user.to_owned()));
    let mut seen: HashSet<String> = found.iter().map(|g| g.id.clone()).collect();
    let mut at = 0;
    while at < found.len() {
        let parents = direct(groups, &Member::Group(found[at].id.clone()));
        for parent in parents {
            if seen.insert(parent.id.clone()) {
                found.push(parent);
            }
        }
        at += 1;
    }
    found
}

fn answer(
    state: &EmulatorState,
    parts: &Parts,
    query: &HashMap<String, String>,
    groups: Vec<Group>,
) -> Result<Response, GraphError> {
    let top = paging::page_size(query, DEFAULT_PAGE, MAX_PAGE)?;
    let select = group_select(query)?;
    let offset = paging::offset(query)?;
    let count = (wants_count(query, parts) && offset == 0).then_some(groups.len());
    let (page, more) = paging::page_of(groups.iter(), offset, top);
    let values: Vec<Value> = page
        .iter()
        .map(|g| {
            let mut body = group_json(g, select.as_deref());
            body["@odata.type"] = serde_json::json!("#microsoft.graph.group");
            body
        })
        .collect();
    let next = paging::next_of(state, parts, query, offset + page.len(), more);
    Ok(collection(
        context("groups", select.as_deref()),
        count,
        next,
        values,
    ))
}

/// `GET /users/{key}/memberOf/microsoft.graph.group`.
pub async fn member_of(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(MEMBERS_READ, MEMBERS_READ)?;
    let groups = {
        let world = state.world_now();
        let id = user_id(&world, &caller, &key)?;
        direct(&groups_of(&world, &caller), &Member::User(id))
    };
    answer(&state, &parts, &query, groups)
}

/// `GET /users/{key}/transitiveMemberOf/microsoft.graph.group`.
pub async fn transitive_member_of(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(MEMBERS_READ, MEMBERS_READ)?;
    let groups = {
        let world = state.world_now();
        let id = user_id(&world, &caller, &key)?;
        transitive(&groups_of(&world, &caller), &id)
    };
    answer(&state, &parts, &query, groups)
}

/// `GET /groups/{id}/members/microsoft.graph.group`: the groups nested directly in a group.
pub async fn member_groups(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(MEMBERS_READ, MEMBERS_READ)?;
    let groups = {
        let world = state.world_now();
        let group = find_group(&world, &caller, &id)?;
        let all = groups_of(&world, &caller);
        group
            .members
            .iter()
            .filter_map(|m| match m {
                Member::Group(id) => all.iter().find(|g| &g.id == id).cloned(),
                Member::User(_) => None,
            })
            .collect()
    };
    answer(&state, &parts, &query, groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitive_membership_follows_nesting_once() {
        let mut inner = Group::new("t", 0, "Inner", None, 0);
        inner.members = vec![Member::User("u".into())];
        let mut outer = Group::new("t", 1, "Outer", None, 0);
        outer.members = vec![Member::Group(inner.id.clone())];
        let mut top = Group::new("t", 2, "Top", None, 0);
        top.members = vec![
            Member::Group(outer.id.clone()),
            Member::Group(inner.id.clone()),
        ];
        let unrelated = Group::new("t", 3, "Unrelated", None, 0);
        let groups = [inner, outer, top, unrelated];
        let names: Vec<String> = transitive(&groups, "u")
            .into_iter()
            .map(|g| g.display_name)
            .collect();
        assert_eq!(names, ["Inner", "Outer", "Top"]);
        assert_eq!(direct(&groups, &Member::User("u".into())).len(), 1);
    }
}
