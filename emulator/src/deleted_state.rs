//! Deleted items of the directory (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/directory-deleteditems-list.md` and
//! `api-reference/v1.0/api/directory-deleteditems-restore.md`): users removed from the directory
//! are kept here, with the time they were deleted, for 30 days ("A recently deleted item will
//! remain available for up to 30 days. After 30 days, the item is permanently deleted."), unless
//! restored or permanently deleted first.

use std::collections::HashMap;

use crate::users_state::User;

/// How long a deleted item is kept before it is permanently deleted.
pub const RETENTION_SECONDS: i64 = 30 * 24 * 3600;

/// A soft-deleted user and when it was deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedUser {
    pub user: User,
    pub deleted_at: i64,
}

/// Deleted users, per tenant, oldest deletion first.
#[derive(Debug, Clone, Default)]
pub struct DeletedItems {
    users: HashMap<String, Vec<DeletedUser>>,
}

impl DeletedItems {
    /// Keeps `user`, just removed from `tenant`'s directory at `now`.
    pub fn soft_delete(&mut self, tenant: &str, user: User, now: i64) {
        let kept = self.users.entry(tenant.to_owned()).or_default();
        kept.retain(|d| d.user.id != user.id);
        kept.push(DeletedUser {
            user,
            deleted_at: now,
        });
    }

    /// Drops every item deleted 30 days or more before `now`.
    pub fn expire(&mut self, now: i64) {
        for kept in self.users.values_mut() {
            kept.retain(|d| now - d.deleted_at < RETENTION_SECONDS);
        }
    }

    /// `tenant`'s deleted users still kept at `now`.
    pub fn users(&self, tenant: &str, now: i64) -> Vec<&DeletedUser> {
        self.users
            .get(tenant)
            .map(|kept| {
                kept.iter()
                    .filter(|d| now - d.deleted_at < RETENTION_SECONDS)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One of `tenant`'s deleted users still kept at `now`.
    pub fn user(&self, tenant: &str, id: &str, now: i64) -> Option<&DeletedUser> {
        self.users(tenant, now)
            .into_iter()
            .find(|d| d.user.id == id)
    }

    /// Takes a deleted user out of the deleted items (to restore it); `None` when not kept.
    pub fn take(&mut self, tenant: &str, id: &str, now: i64) -> Option<User> {
        self.expire(now);
        let kept = self.users.get_mut(tenant)?;
        let index = kept.iter().position(|d| d.user.id == id)?;
        Some(kept.remove(index).user)
    }

    /// The deleted copy that cross-tenant sync made in `tenant` of `source_tenant`'s user
    /// `source_user`, taken out (a user coming back into scope is restored, not created again).
    pub fn take_synced(
        &mut self,
        tenant: &str,
        source_tenant: &str,
        source_user: &str,
        now: i64,
    ) -> Option<User> {
        let id = self.users(tenant, now).into_iter().find_map(|d| {
            d.user
                .synced_from
                .as_ref()
                .filter(|s| s.tenant_id == source_tenant && s.object_id == source_user)
                .map(|_| d.user.id.clone())
        })?;
        self.take(tenant, &id, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users_state::SourceUser;

    fn user(id: &str) -> User {
        User {
            id: id.into(),
            display_name: "Adele Vance".into(),
            user_principal_name: "adele#EXT#@fabrikam.onmicrosoft.com".into(),
            mail: None,
            user_type: "Member",
            creation_type: Some("Invitation"),
            external_user_state: Some("Accepted"),
            show_in_address_list: Some(true),
            account_enabled: true,
            company_name: None,
            synced_from: Some(SourceUser {
                tenant_id: "source".into(),
                object_id: "home".into(),
            }),
        }
    }

    #[test]
    fn deleted_users_are_kept_thirty_days() {
        let mut items = DeletedItems::default();
        items.soft_delete("t", user("a"), 1000);
        assert_eq!(items.users("t", 1000).len(), 1);
        assert!(items.user("t", "a", 1000 + RETENTION_SECONDS - 1).is_some());
        assert!(items.user("t", "a", 1000 + RETENTION_SECONDS).is_none());
        assert!(items.users("other", 1000).is_empty());
    }

    #[test]
    fn restoring_takes_the_user_out() {
        let mut items = DeletedItems::default();
        items.soft_delete("t", user("a"), 1000);
        assert_eq!(
            items.take_synced("t", "source", "home", 1001).unwrap().id,
            "a"
        );
        assert!(items.take("t", "a", 1002).is_none());
    }
}
