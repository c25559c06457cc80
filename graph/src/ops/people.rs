//! One person and what surrounds them, for a diagnosis of why a colleague cannot find them: the
//! user with the properties a diagnosis needs (`api-reference/v1.0/api/user-get.md`), their direct
//! and transitive group memberships (`…/user-list-memberof.md`, `…/user-list-transitivememberof.md`,
//! cast to `microsoft.graph.group`), a group's member groups (`…/group-list-members.md`), their
//! phone authentication methods (`…/authentication-list-phonemethods.md`), users, deleted users
//! and organizational contacts with a given mail (`…/user-list.md`,
//! `…/directory-deleteditems-list.md`, `…/orgcontact-list.md`), and people found by the start of
//! their name, user principal name or mail. For the scope what-if of a sync configuration: every
//! user with the attributes scoping filters compare, the tenant's B2B users (`creationType eq
//! 'Invitation'`: `api-reference/v1.0/resources/user.md` lists `$filter` with `eq` on it), every
//! deleted user, and the direct members of a group (`…/group-list-members.md`).

use crate::ids::ObjectId;
use crate::request::{
    encode_query_value, odata_string, query, Collection, Op, CONSISTENCY_EVENTUAL,
};
use crate::users::{
    DeletedUser, GroupRef, OrgContact, PhoneMethod, UserDetail, USER_DETAIL_SELECT,
};
use serde::Deserialize;

const GROUP_SELECT: &str = "id,displayName";
const CONTACT_SELECT: &str = "id,displayName,mail,companyName";
/// Memberships read at most (Graph's largest page for directory objects).
const MEMBERSHIPS: usize = 999;

/// One user with the properties of [`USER_DETAIL_SELECT`] (404 when there is none).
pub fn user(id: &ObjectId) -> Op<UserDetail> {
    Op::get(format!(
        "/users/{id}?{}",
        query(&[("$select", USER_DETAIL_SELECT)])
    ))
}

/// Whether `name` can be asked for in a `$select` (a property name: letters, digits and `_`, as
/// directory extension attributes are written). Other names are never sent.
pub fn selectable(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 120
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One user with just `properties` (e.g. the attributes a scoping filter compares), as JSON.
/// Names that are not [`selectable`] are left out; `None` when none is left.
pub fn user_properties(
    id: &ObjectId,
    properties: &[String],
) -> Option<Op<serde_json::Map<String, serde_json::Value>>> {
    let names: Vec<&str> = properties
        .iter()
        .map(String::as_str)
        .filter(|name| selectable(name))
        .collect();
    (!names.is_empty()).then(|| {
        Op::get(format!(
            "/users/{id}?{}",
            query(&[("$select", &format!("id,{}", names.join(",")))])
        ))
    })
}

/// Every user with the properties of [`USER_DETAIL_SELECT`] and `more` (the attributes a scoping
/// filter compares that it lacks; names that are not [`selectable`] are left out), `per_page` at a
/// time, as JSON (decode [`UserDetail`] from it; the other attributes are read by name).
pub fn users_with(
    more: &[String],
    per_page: usize,
) -> Op<Collection<serde_json::Map<String, serde_json::Value>>> {
    let mut select = USER_DETAIL_SELECT.to_owned();
    for name in more.iter().filter(|name| selectable(name)) {
        if !USER_DETAIL_SELECT.split(',').any(|p| p == name) {
            select.push(',');
            select.push_str(name);
        }
    }
    Op::get(format!(
        "/users?{}",
        query(&[("$select", &select), ("$top", &per_page.to_string())])
    ))
}

/// The tenant's B2B users (invited, or created by cross-tenant sync), `per_page` at a time.
pub fn external_users(per_page: usize) -> Op<Collection<UserDetail>> {
    Op::get(format!(
        "/users?{}",
        query(&[
            ("$filter", "creationType eq 'Invitation'"),
            ("$select", USER_DETAIL_SELECT),
            ("$top", &per_page.to_string()),
        ])
    ))
}

/// Every deleted user still kept (30 days), `per_page` at a time.
pub fn deleted_users(per_page: usize) -> Op<Collection<DeletedUser>> {
    Op::get(format!(
        "/directory/deletedItems/microsoft.graph.user?{}",
        query(&[
            ("$select", &format!("{USER_DETAIL_SELECT},deletedDateTime")),
            ("$top", &per_page.to_string()),
        ])
    ))
}

/// A direct member of a group: a user, a group, a device, … (`@odata.type` says which).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DirectMember {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    pub id: String,
}

impl DirectMember {
    pub fn is_user(&self) -> bool {
        self.odata_type.as_deref() == Some("#microsoft.graph.user")
    }
}

/// The direct members of `group` (not those of groups nested in it), ids only, `per_page` at a
/// time.
pub fn group_members(group: &ObjectId, per_page: usize) -> Op<Collection<DirectMember>> {
    Op::get(format!(
        "/groups/{group}/members?{}",
        query(&[("$select", "id"), ("$top", &per_page.to_string())])
    ))
}

/// The groups `user` is a direct member of. The OData cast needs the advanced query parameters.
pub fn direct_groups(user: &ObjectId) -> Op<Collection<GroupRef>> {
    memberships(user, "memberOf")
}

/// Every group `user` is a member of, directly or through nested groups.
pub fn transitive_groups(user: &ObjectId) -> Op<Collection<GroupRef>> {
    memberships(user, "transitiveMemberOf")
}

fn memberships(user: &ObjectId, relation: &str) -> Op<Collection<GroupRef>> {
    Op::get(format!(
        "/users/{user}/{relation}/microsoft.graph.group?{}",
        query(&[
            ("$select", GROUP_SELECT),
            ("$top", &MEMBERSHIPS.to_string()),
            ("$count", "true"),
        ])
    ))
    .header(CONSISTENCY_EVENTUAL)
}

/// The groups that are direct members of `group` (nested in it).
pub fn member_groups(group: &ObjectId) -> Op<Collection<GroupRef>> {
    Op::get(format!(
        "/groups/{group}/members/microsoft.graph.group?{}",
        query(&[
            ("$select", GROUP_SELECT),
            ("$top", &MEMBERSHIPS.to_string()),
            ("$count", "true"),
        ])
    ))
    .header(CONSISTENCY_EVENTUAL)
}

/// `user`'s phones registered for authentication (at most three), with their SMS sign-in state.
pub fn phone_methods(user: &ObjectId) -> Op<Collection<PhoneMethod>> {
    Op::get(format!("/users/{user}/authentication/phoneMethods"))
}

fn mail_filter(mail: &str) -> String {
    format!("mail eq {}", odata_string(mail))
}

/// The users whose mail is `mail` (at most `top`).
pub fn users_with_mail(mail: &str, top: usize) -> Op<Collection<UserDetail>> {
    Op::get(format!(
        "/users?$filter={}&{}",
        encode_query_value(&mail_filter(mail)),
        query(&[("$select", USER_DETAIL_SELECT), ("$top", &top.to_string())])
    ))
}

/// The deleted users (kept 30 days) whose mail is `mail`, with when they were deleted.
pub fn deleted_users_with_mail(mail: &str, top: usize) -> Op<Collection<DeletedUser>> {
    Op::get(format!(
        "/directory/deletedItems/microsoft.graph.user?$filter={}&{}",
        encode_query_value(&mail_filter(mail)),
        query(&[
            ("$select", &format!("{USER_DETAIL_SELECT},deletedDateTime"),),
            ("$top", &top.to_string()),
        ])
    ))
}

/// The organization's contacts whose mail is `mail`.
pub fn contacts_with_mail(mail: &str, top: usize) -> Op<Collection<OrgContact>> {
    Op::get(format!(
        "/contacts?$filter={}&{}",
        encode_query_value(&mail_filter(mail)),
        query(&[("$select", CONTACT_SELECT), ("$top", &top.to_string())])
    ))
}

/// Users whose display name, user principal name or mail starts with `text` (at most `top`).
pub fn find(text: &str, top: usize) -> Op<Collection<UserDetail>> {
    let literal = odata_string(text);
    let filter = format!(
        "startswith(displayName,{literal}) or startswith(userPrincipalName,{literal}) or startswith(mail,{literal})"
    );
    Op::get(format!(
        "/users?$filter={}&{}",
        encode_query_value(&filter),
        query(&[("$select", USER_DETAIL_SELECT), ("$top", &top.to_string())])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ObjectId {
        "8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1".parse().unwrap()
    }

    #[test]
    fn memberships_are_cast_to_groups_with_the_advanced_query_parameters() {
        let op = direct_groups(&id());
        assert!(op.path().starts_with(
            "/users/8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1/memberOf/microsoft.graph.group?$select=id,displayName"
        ));
        assert!(op.path().contains("$count=true"));
        assert_eq!(
            op.request().headers,
            vec![("ConsistencyLevel".to_owned(), "eventual".to_owned())]
        );
        assert!(transitive_groups(&id())
            .path()
            .contains("/transitiveMemberOf/"));
        assert!(member_groups(&id()).path().starts_with(
            "/groups/8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1/members/microsoft.graph.group?"
        ));
    }

    #[test]
    fn a_mail_stays_inside_its_literal() {
        let op = users_with_mail("o'brien&co@x.com", 5);
        assert!(
            op.path()
                .starts_with("/users?$filter=mail%20eq%20'o''brien%26co@x.com'&$select="),
            "{}",
            op.path()
        );
        assert_eq!(op.path().matches('&').count(), 2);
        assert!(deleted_users_with_mail("a@b.c", 5).path().starts_with(
            "/directory/deletedItems/microsoft.graph.user?$filter=mail%20eq%20'a@b.c'"
        ));
        assert!(contacts_with_mail("a@b.c", 5)
            .path()
            .starts_with("/contacts?$filter=mail%20eq%20'a@b.c'"));
    }

    #[test]
    fn only_property_names_are_selected() {
        let op = user_properties(
            &id(),
            &[
                "department".into(),
                "extension_abc_costCenter".into(),
                "x)&$top=1".into(),
            ],
        )
        .unwrap();
        assert!(op
            .path()
            .ends_with("?$select=id,department,extension_abc_costCenter"));
        assert!(user_properties(&id(), &["a b".into()]).is_none());
    }

    #[test]
    fn scope_what_if_reads() {
        let op = users_with(&["city".into(), "department".into(), "a b".into()], 999);
        assert_eq!(
            op.path(),
            format!("/users?$select={USER_DETAIL_SELECT},city&$top=999")
        );
        assert_eq!(
            external_users(999).path(),
            format!(
                "/users?$filter=creationType%20eq%20'Invitation'&$select={USER_DETAIL_SELECT}&$top=999"
            )
        );
        assert!(deleted_users(999)
            .path()
            .starts_with("/directory/deletedItems/microsoft.graph.user?$select="));
        assert_eq!(
            group_members(&id(), 999).path(),
            "/groups/8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1/members?$select=id&$top=999"
        );
        let member: DirectMember = serde_json::from_value(
            serde_json::json!({"@odata.type": "#microsoft.graph.user", "id": "u"}),
        )
        .unwrap();
        assert!(member.is_user());
    }

    #[test]
    fn people_are_found_by_name_upn_or_mail() {
        let path = find("Ann", 10).path().to_owned();
        assert!(path.contains("startswith(mail,'Ann')"), "{path}");
        assert!(path.contains("startswith(userPrincipalName,'Ann')"));
        assert_eq!(
            phone_methods(&id()).path(),
            "/users/8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1/authentication/phoneMethods"
        );
    }
}
