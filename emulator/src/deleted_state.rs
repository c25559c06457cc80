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
    /// Deleted by an administrator of the tenant rather than by cross-tenant sync. Sync restores
    /// the copies it soft-deleted itself when their user comes back into scope, but not one an
    /// administrator deleted: "Restoring a previously soft-deleted user in the target tenant isn't
    /// supported" (`MicrosoftDocs/entra-docs`
    /// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`,
    /// "Symptom - Recently deleted user in the target tenant is not restored").
    pub by_admin: bool,
}

/// Deleted users, per tenant, oldest deletion first.
#[derive(Debug, Clone, Default)]
pub struct DeletedItems {
    users: HashMap<String, Vec<DeletedUser>>,
}

impl DeletedItems {
    /// Keeps `user`, just removed from `tenant`'s directory at `now`.
    pub fn soft_delete(&mut self, tenant: &str, user: User, now: i64) {
        self.keep(tenant, user, now, false);
    }

    /// Keeps `user`, deleted from `tenant`'s directory by an administrator at `now`.
    pub fn soft_delete_by_admin(&mut self, tenant: &str, user: User, now: i64) {
        self.keep(tenant, user, now, true);
    }

    fn keep(&mut self, tenant: &str, user: User, now: i64, by_admin: bool) {
        let kept = self.users.entry(tenant.to_owned()).or_default();
        kept.retain(|d| d.user.id != user.id);
        kept.push(DeletedUser {
            user,
            deleted_at: now,
            by_admin,
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
    /// `source_user` and soft-deleted itself, taken out (a user coming back into scope is
    /// restored, not created again).
    pub fn take_synced(
        &mut self,
        tenant: &str,
        source_tenant: &str,
        source_user: &str,
        now: i64,
    ) -> Option<User> {
        let id = self
            .synced_copy(tenant, source_tenant, source_user, now)
            .filter(|d| !d.by_admin)
            .map(|d| d.user.id.clone())?;
        self.take(tenant, &id, now)
    }

    /// The deleted copy of `source_tenant`'s user `source_user` in `tenant`, still kept at `now`.
    pub fn synced_copy(
        &self,
        tenant: &str,
        source_tenant: &str,
        source_user: &str,
        now: i64,
    ) -> Option<&DeletedUser> {
        self.users(tenant, now).into_iter().find(|d| {
            d.user
                .synced_from
                .as_ref()
                .is_some_and(|s| s.tenant_id == source_tenant && s.object_id == source_user)
        })
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
            created: None,
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
    fn sync_does_not_restore_a_copy_an_administrator_deleted() {
        let mut items = DeletedItems::default();
        items.soft_delete_by_admin("t", user("a"), 1000);
        assert!(items.take_synced("t", "source", "home", 1001).is_none());
        assert!(items
            .synced_copy("t", "source", "home", 1001)
            .is_some_and(|d| d.by_admin));
        assert_eq!(
            items.take("t", "a", 1002).unwrap().id,
            "a",
            "an administrator restores it"
        );
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
