//! What a scope or mapping change on a cross-tenant sync configuration would do in its target, shown
//! before the change is made: who would be created, converted between guest and member, or
//! soft-deleted there at the next sync cycle.
//!
//! Computed as the provisioning service decides (and the emulator's sync engine,
//! `emulator/src/sync_state.rs`, with it), from the source's users, the scope before and after, and
//! the target's accounts:
//!
//! - Only internal members of the source are synced: "It supports pushing only internal members
//!   from the source tenant" (`MicrosoftDocs/entra-docs`
//!   `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md`,
//!   "Properties").
//! - A user is in scope when the configuration syncs all users, or the user is assigned directly
//!   or is a direct member of an assigned group (members of nested groups are not:
//!   `MicrosoftDocs/entra-docs`
//!   `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`), and
//!   when the user mapping's scoping filter lets them through ([`ScopeFilter::matches`]). Users
//!   with SMS sign-in are skipped ("Symptom - Users are skipped because SMS sign-in is enabled on
//!   the user", same page).
//! - A user in scope with no account in the target is created; one whose account the sync
//!   soft-deleted is restored if within 30 days; one an administrator of the target deleted is not
//!   ("Symptom - Recently deleted user in the target tenant is not restored", same page).
//! - A synced account whose user is out of scope is soft-deleted ("Deprovisioning" in the
//!   overview).
//! - `userType` comes from the mapping's constant; an existing account's is changed only when the
//!   mapping applies always, not only on creation (step 9 of the configure page).
//!
//! The policy check (inbound sync and automatic redemption allowed) is not part of it: a job the
//! policies block changes nothing until they are fixed.

use std::collections::{BTreeMap, BTreeSet};

use graph::sync::{ScopeFilter, SyncRule, SyncSchema};
use graph::users::{UserDetail, UserType};

/// A user of the source tenant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceUser {
    /// Its properties; `user.attribute` gives the scoping filters their values.
    pub user: UserDetail,
    /// Values of other attributes the filters use ([`filter_attributes`]), as
    /// `graph::sync::attribute_text` writes them; a missing one is null.
    pub more: BTreeMap<String, String>,
    /// The groups the user is a direct member of.
    pub direct_groups: BTreeSet<String>,
    /// Whether the user has a phone set up for SMS sign-in (the service skips such users).
    pub sms_sign_in: bool,
}

/// A configuration's scope and mappings, before or after the change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scope {
    /// Ids of the users assigned directly.
    pub assigned_users: BTreeSet<String>,
    /// Ids of the groups assigned (their direct members are in scope).
    pub assigned_groups: BTreeSet<String>,
    /// The `SyncAll` setting: every user, assigned or not.
    pub sync_all: bool,
    /// The job's schema rules: the user mapping's scoping filter and `userType` mapping.
    pub rules: Vec<SyncRule>,
}

/// Where an account of the target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Active,
    /// Soft-deleted by the sync (restored when its user comes back into scope within 30 days).
    SoftDeleted,
    /// Deleted by an administrator of the target (never restored by the sync).
    DeletedByAdmin,
}

/// An account the sync made in the target (active, or in its deleted items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetAccount {
    /// The source user it was synced from.
    pub source_id: String,
    /// `Member` or `Guest`.
    pub user_type: String,
    pub state: AccountState,
}

/// What the next sync cycle would do in the target once the change is made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WhatIf {
    /// Names of the users created (or restored from the deleted items).
    pub created: Vec<String>,
    /// Name, `userType` before, `userType` after.
    pub converted: Vec<(String, String, String)>,
    /// Names of the users whose accounts are soft-deleted.
    pub soft_deleted: Vec<String>,
    /// Users in scope whose accounts stay as they are.
    pub unchanged: usize,
    /// How many of the creations, conversions and soft-deletions the next cycle would make even
    /// without the change (the last cycle has not caught up with an earlier change).
    pub already_due: usize,
}

impl WhatIf {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.converted.is_empty() && self.soft_deleted.is_empty()
    }
}

/// What the change from `before` to `after` does in the target whose synced accounts are `target`.
/// Names are in the order of `users`.
pub fn what_if(
    users: &[SourceUser],
    before: &Scope,
    after: &Scope,
    target: &[TargetAccount],
) -> WhatIf {
    let (before, after) = (Engine::of(before), Engine::of(after));
    let accounts_of = by_source(target);
    let mut result = WhatIf::default();
    for user in users {
        let accounts = accounts_of
            .get(user.user.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let outcome = after.outcome(user, accounts);
        let changes = !matches!(outcome, Outcome::Unchanged | Outcome::None);
        if changes && outcome == before.outcome(user, accounts) {
            result.already_due += 1;
        }
        let name = display_name(&user.user);
        match outcome {
            Outcome::Created => result.created.push(name),
            Outcome::Converted(from, to) => result.converted.push((name, from, to)),
            Outcome::SoftDeleted => result.soft_deleted.push(name),
            Outcome::Unchanged => result.unchanged += 1,
            Outcome::None => {}
        }
    }
    result
}

/// Whether going from `before` to `after` can move anyone: another scope (assignments, `SyncAll`,
/// the user mapping's scoping filter) or another `userType` mapping. A change to any other mapping
/// updates accounts but creates, converts and deletes none.
pub fn changes_scope(before: &Scope, after: &Scope) -> bool {
    let (a, b) = (Engine::of(before), Engine::of(after));
    before.assigned_users != after.assigned_users
        || before.assigned_groups != after.assigned_groups
        || before.sync_all != after.sync_all
        || a.filter != b.filter
        || a.user_type != b.user_type
        || a.always != b.always
}

/// The ids of the users `after` would create or convert in `target`: the ones for whom SMS
/// sign-in matters (the service skips such users, so they would be neither).
pub fn sms_decides<'u>(
    users: &'u [SourceUser],
    after: &Scope,
    target: &[TargetAccount],
) -> Vec<&'u str> {
    let after = Engine::of(after);
    let accounts_of = by_source(target);
    users
        .iter()
        .filter(|user| {
            let accounts = accounts_of
                .get(user.user.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            matches!(
                after.outcome(user, accounts),
                Outcome::Created | Outcome::Converted(..)
            )
        })
        .map(|user| user.user.id.as_str())
        .collect()
}

/// Every scoping filter attribute `scopes` evaluate (held by [`UserDetail`] or not).
pub fn filter_operands<'a>(scopes: impl IntoIterator<Item = &'a Scope>) -> BTreeSet<String> {
    scopes
        .into_iter()
        .filter_map(|scope| Engine::of(scope).filter)
        .flat_map(|filter| filter.groups)
        .flat_map(|group| group.clauses)
        .map(|clause| clause.source_operand_name)
        .collect()
}

fn by_source(target: &[TargetAccount]) -> BTreeMap<&str, Vec<&TargetAccount>> {
    let mut accounts: BTreeMap<&str, Vec<&TargetAccount>> = BTreeMap::new();
    for account in target {
        accounts
            .entry(account.source_id.as_str())
            .or_default()
            .push(account);
    }
    accounts
}

/// The attributes the scoping filters of `scopes` evaluate that [`UserDetail`] does not hold:
/// what [`SourceUser::more`] must be read with.
pub fn filter_attributes<'a>(scopes: impl IntoIterator<Item = &'a Scope>) -> BTreeSet<String> {
    scopes
        .into_iter()
        .filter_map(|scope| Engine::of(scope).filter)
        .flat_map(|filter| filter.groups)
        .flat_map(|group| group.clauses)
        .map(|clause| clause.source_operand_name)
        .filter(|name| !UserDetail::holds(name))
        .collect()
}

/// In a sentence: "3 users created, 1 converted from Guest to Member, 2 soft-deleted in
/// Fabrikam."; "No user in Fabrikam changes." when nothing does.
pub fn summary(what_if: &WhatIf, target_name: &str) -> String {
    let mut parts = Vec::new();
    if !what_if.created.is_empty() {
        parts.push((what_if.created.len(), "created".to_owned()));
    }
    let mut conversions: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (_, from, to) in &what_if.converted {
        *conversions.entry((from.as_str(), to.as_str())).or_default() += 1;
    }
    for ((from, to), count) in conversions {
        parts.push((count, format!("converted from {from} to {to}")));
    }
    if !what_if.soft_deleted.is_empty() {
        parts.push((what_if.soft_deleted.len(), "soft-deleted".to_owned()));
    }
    if parts.is_empty() {
        return format!("No user in {target_name} changes.");
    }
    let text: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(index, (count, what))| match (index, count) {
            (0, 1) => format!("1 user {what}"),
            (0, _) => format!("{count} users {what}"),
            _ => format!("{count} {what}"),
        })
        .collect();
    format!("{} in {target_name}.", text.join(", "))
}

/// What the next cycle does with one user.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Created,
    Converted(String, String),
    SoftDeleted,
    /// In scope, account kept as it is.
    Unchanged,
    /// Out of scope, with no account to delete (or deleted by an administrator).
    None,
}

/// One scope as the sync engine reads it.
struct Engine<'a> {
    scope: &'a Scope,
    filter: Option<ScopeFilter>,
    user_type: &'static str,
    /// Whether the `userType` mapping applies to existing accounts too.
    always: bool,
}

impl<'a> Engine<'a> {
    fn of(scope: &'a Scope) -> Self {
        let schema = SyncSchema {
            id: String::new(),
            version: None,
            synchronization_rules: scope.rules.clone(),
        };
        let mapping = schema.user_mapping();
        let user_type = mapping.and_then(|m| {
            m.attribute_mappings
                .iter()
                .find(|a| a.target_attribute_name == "userType")
        });
        Self {
            scope,
            filter: mapping.and_then(|m| m.scope.clone()),
            // External members by default (same overview, "What user types can I synchronize?").
            user_type: match schema.constant_for("userType") {
                Some("Guest") => "Guest",
                _ => "Member",
            },
            // "Apply this mapping": `Always` unless set to on creation only.
            always: user_type
                .and_then(|m| m.flow_type.as_deref())
                .is_none_or(|f| f.eq_ignore_ascii_case("Always")),
        }
    }

    fn in_scope(&self, source: &SourceUser) -> bool {
        let user = &source.user;
        let internal_member =
            user.user_type == Some(UserType::Member) && user.creation_type.is_none();
        let assigned = self.scope.sync_all
            || self.scope.assigned_users.contains(&user.id)
            || !source
                .direct_groups
                .is_disjoint(&self.scope.assigned_groups);
        // `more` also answers what `UserDetail` selects but does not evaluate.
        let attribute = |name: &str| {
            user.attribute(name)
                .or_else(|| source.more.get(name).filter(|v| !v.is_empty()).cloned())
        };
        internal_member
            && assigned
            && self.filter.as_ref().is_none_or(|f| f.matches(&attribute))
            && !source.sms_sign_in
    }

    fn outcome(&self, user: &SourceUser, accounts: &[&TargetAccount]) -> Outcome {
        let in_scope = self.in_scope(user);
        let active = accounts.iter().find(|a| a.state == AccountState::Active);
        let deleted = accounts.iter().find(|a| a.state != AccountState::Active);
        match (active, in_scope) {
            (Some(_), false) => Outcome::SoftDeleted,
            (None, false) => Outcome::None,
            (None, true) => match deleted.map(|a| a.state) {
                Some(AccountState::DeletedByAdmin) => Outcome::None,
                // Restored (or created anew): counted as created either way.
                _ => Outcome::Created,
            },
            (Some(account), true) => {
                if self.always && account.user_type != self.user_type {
                    Outcome::Converted(account.user_type.clone(), self.user_type.to_owned())
                } else {
                    Outcome::Unchanged
                }
            }
        }
    }
}

fn display_name(user: &UserDetail) -> String {
    user.display_name
        .clone()
        .or_else(|| user.user_principal_name.clone())
        .unwrap_or_else(|| user.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph::sync::{
        AttributeMapping, FilterClause, FilterGroup, FilterOperand, MappingSource,
        MappingSourceType, ObjectMapping,
    };

    const SALES: &str = "group-sales";
    const ENGINEERING: &str = "group-engineering";

    fn user(id: &str, department: &str, groups: &[&str]) -> SourceUser {
        SourceUser {
            user: UserDetail {
                id: id.to_owned(),
                display_name: Some(format!("User {id}")),
                user_type: Some(UserType::Member),
                account_enabled: Some(true),
                department: Some(department.to_owned()),
                ..UserDetail::default()
            },
            more: BTreeMap::new(),
            direct_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            sms_sign_in: false,
        }
    }

    fn account(source: &str, user_type: &str, state: AccountState) -> TargetAccount {
        TargetAccount {
            source_id: source.to_owned(),
            user_type: user_type.to_owned(),
            state,
        }
    }

    /// The default user mapping: `userType` the constant `Member`, applied always.
    fn rules(user_type: &str, flow_type: &str, filter: Option<ScopeFilter>) -> Vec<SyncRule> {
        vec![SyncRule {
            id: "rule".into(),
            name: Some("USER_INBOUND_USER".into()),
            editable: true,
            priority: 1,
            source_directory_name: None,
            target_directory_name: None,
            metadata: Vec::new(),
            object_mappings: vec![ObjectMapping {
                name: "Provision Azure Active Directory Users".into(),
                enabled: true,
                flow_types: Some("Add, Update, Delete".into()),
                metadata: Vec::new(),
                scope: filter,
                source_object_name: "User".into(),
                target_object_name: "User".into(),
                attribute_mappings: vec![AttributeMapping {
                    target_attribute_name: "userType".into(),
                    source: Some(MappingSource {
                        expression: Some(format!("\"{user_type}\"")),
                        name: Some(user_type.into()),
                        kind: MappingSourceType::Constant,
                        parameters: Vec::new(),
                    }),
                    default_value: None,
                    export_missing_references: false,
                    flow_behavior: Some("FlowWhenChanged".into()),
                    flow_type: Some(flow_type.into()),
                    matching_priority: 0,
                }],
            }],
        }]
    }

    fn department_is(value: &str) -> ScopeFilter {
        ScopeFilter {
            groups: vec![FilterGroup {
                name: "Department".into(),
                clauses: vec![FilterClause {
                    operator_name: "EQUALS".into(),
                    source_operand_name: "department".into(),
                    target_operand: FilterOperand {
                        values: vec![value.into()],
                    },
                }],
            }],
            ..ScopeFilter::default()
        }
    }

    fn groups(assigned: &[&str]) -> Scope {
        Scope {
            assigned_groups: assigned.iter().map(|g| (*g).to_owned()).collect(),
            rules: rules("Member", "Always", None),
            ..Scope::default()
        }
    }

    #[test]
    fn users_coming_into_scope_are_created_or_restored_but_not_after_an_admin_deleted_them() {
        let users = [
            user("a", "Sales", &[SALES]),
            user("b", "Sales", &[SALES]),
            user("c", "Sales", &[SALES]),
            user("d", "Sales", &[SALES]),
        ];
        let target = [
            account("b", "Member", AccountState::SoftDeleted),
            account("c", "Member", AccountState::DeletedByAdmin),
            account("d", "Member", AccountState::Active),
        ];
        let result = what_if(&users, &groups(&[]), &groups(&[SALES]), &target);
        assert_eq!(result.created, vec!["User a", "User b"]);
        assert!(result.converted.is_empty());
        // d's account is still there (the last cycle has not run since it left the scope).
        assert!(result.soft_deleted.is_empty());
        assert_eq!(result.unchanged, 1);
        assert_eq!(result.already_due, 0);
        assert_eq!(summary(&result, "Fabrikam"), "2 users created in Fabrikam.");
    }

    #[test]
    fn only_internal_members_are_synced() {
        let mut guest = user("guest", "Sales", &[SALES]);
        guest.user.user_type = Some(UserType::Guest);
        let mut external = user("external", "Sales", &[SALES]);
        external.user.creation_type = Some("Invitation".into());
        let mut sms = user("sms", "Sales", &[SALES]);
        sms.sms_sign_in = true;
        let member = user("member", "Sales", &[SALES]);
        let result = what_if(
            &[guest, external, sms, member],
            &groups(&[]),
            &groups(&[SALES]),
            &[],
        );
        assert_eq!(result.created, vec!["User member"]);
        assert_eq!(result.unchanged, 0);
    }

    #[test]
    fn unassigning_a_group_soft_deletes_its_direct_members_only() {
        let users = [
            user("a", "Sales", &[SALES]),
            user("b", "Sales", &[SALES, ENGINEERING]),
            user("c", "Engineering", &[ENGINEERING]),
            // Assigned directly as well: stays.
            user("d", "Sales", &[SALES]),
            // In Sales but never synced (e.g. added since the last cycle): nothing to delete.
            user("e", "Sales", &[SALES]),
        ];
        let target: Vec<TargetAccount> = ["a", "b", "c", "d"]
            .iter()
            .map(|id| account(id, "Member", AccountState::Active))
            .collect();
        let mut before = groups(&[SALES, ENGINEERING]);
        before.assigned_users.insert("d".into());
        let mut after = groups(&[ENGINEERING]);
        after.assigned_users.insert("d".into());
        let result = what_if(&users, &before, &after, &target);
        assert_eq!(result.soft_deleted, vec!["User a"]);
        assert!(result.created.is_empty());
        assert_eq!(result.unchanged, 3);
        assert_eq!(
            summary(&result, "Fabrikam"),
            "1 user soft-deleted in Fabrikam."
        );

        // Removing the whole scope, as a teardown does.
        let result = what_if(&users, &before, &Scope::default(), &target);
        assert_eq!(
            result.soft_deleted,
            vec!["User a", "User b", "User c", "User d"]
        );
        assert_eq!(result.unchanged, 0);
        assert_eq!(
            summary(&result, "Fabrikam"),
            "4 users soft-deleted in Fabrikam."
        );
    }

    #[test]
    fn a_filter_change_moves_users_in_and_out_of_scope() {
        let users = [
            user("a", "Sales", &[SALES]),
            user("b", "sales", &[SALES]),
            user("c", "Engineering", &[SALES]),
            user("d", "", &[SALES]),
        ];
        let target = [
            account("a", "Member", AccountState::Active),
            account("b", "Member", AccountState::Active),
        ];
        let mut before = groups(&[SALES]);
        before.rules = rules("Member", "Always", Some(department_is("Sales")));
        let mut after = groups(&[SALES]);
        after.rules = rules("Member", "Always", Some(department_is("Engineering")));
        let result = what_if(&users, &before, &after, &target);
        // EQUALS ignores case: b was in scope before.
        assert_eq!(result.soft_deleted, vec!["User a", "User b"]);
        assert_eq!(result.created, vec!["User c"]);
        assert_eq!(result.unchanged, 0);
        assert_eq!(
            summary(&result, "Fabrikam"),
            "1 user created, 2 soft-deleted in Fabrikam."
        );
        // Dropping the filter brings in the user without a department too.
        let result = what_if(&users, &before, &groups(&[SALES]), &target);
        assert_eq!(result.created, vec!["User c", "User d"]);
        assert_eq!(result.unchanged, 2);
    }

    #[test]
    fn filters_on_attributes_the_user_detail_lacks_read_more() {
        let mut after = groups(&[SALES]);
        let mut filter = department_is("x");
        filter.groups[0].clauses[0].source_operand_name = "city".into();
        filter.groups[0].clauses[0].target_operand.values = vec!["Oslo".into()];
        after.rules = rules("Member", "Always", Some(filter));
        assert_eq!(
            filter_attributes([&groups(&[SALES]), &after]),
            BTreeSet::from(["city".to_owned()])
        );
        let mut oslo = user("a", "Sales", &[SALES]);
        oslo.more.insert("city".into(), "Oslo".into());
        let elsewhere = user("b", "Sales", &[SALES]);
        let result = what_if(&[oslo, elsewhere], &groups(&[]), &after, &[]);
        assert_eq!(result.created, vec!["User a"]);
    }

    #[test]
    fn a_user_type_mapping_applied_always_converts_existing_accounts() {
        let users = [
            user("a", "Sales", &[SALES]),
            user("b", "Sales", &[SALES]),
            user("c", "Sales", &[SALES]),
        ];
        let target = [
            account("a", "Guest", AccountState::Active),
            account("b", "Member", AccountState::Active),
        ];
        let mut before = groups(&[SALES]);
        before.rules = rules("Guest", "Always", None);
        let mut after = groups(&[SALES]);
        after.rules = rules("Member", "Always", None);
        let result = what_if(&users, &before, &after, &target);
        assert_eq!(
            result.converted,
            vec![("User a".to_owned(), "Guest".to_owned(), "Member".to_owned())]
        );
        // b was due to become a guest under the old mapping; it stays a member.
        assert_eq!(result.unchanged, 1);
        // c has no account yet: created (as a member) whatever the mapping.
        assert_eq!(result.created, vec!["User c"]);
        assert_eq!(result.already_due, 1);
        assert_eq!(
            summary(&result, "Fabrikam"),
            "1 user created, 1 converted from Guest to Member in Fabrikam."
        );

        // Applied on creation only: existing accounts keep their type.
        after.rules = rules("Member", "ObjectAddOnly", None);
        let result = what_if(&users, &before, &after, &target);
        assert!(result.converted.is_empty());
        assert_eq!(result.unchanged, 2);
        assert_eq!(result.created, vec!["User c"]);
    }

    #[test]
    fn both_directions_of_conversion_are_summarised_separately() {
        let users = [
            user("a", "Sales", &[SALES]),
            user("b", "Sales", &[SALES]),
            user("c", "Sales", &[SALES]),
        ];
        let target = [
            account("a", "Guest", AccountState::Active),
            account("b", "Guest", AccountState::Active),
            account("c", "Member", AccountState::Active),
        ];
        let member = groups(&[SALES]);
        let result = what_if(&users, &member, &member, &target);
        // The same scope: the conversions were due anyway.
        assert_eq!(result.converted.len(), 2);
        assert_eq!(result.already_due, 2);
        assert_eq!(
            summary(&result, "Fabrikam"),
            "2 users converted from Guest to Member in Fabrikam."
        );
        let mixed = WhatIf {
            converted: vec![
                ("a".into(), "Guest".into(), "Member".into()),
                ("b".into(), "Member".into(), "Guest".into()),
            ],
            soft_deleted: vec!["c".into(), "d".into()],
            ..WhatIf::default()
        };
        assert_eq!(
            summary(&mixed, "Contoso"),
            "1 user converted from Guest to Member, 1 converted from Member to Guest, 2 soft-deleted in Contoso."
        );
    }

    #[test]
    fn only_scope_and_user_type_changes_move_anyone() {
        let scope = groups(&[SALES]);
        assert!(!changes_scope(&scope, &scope.clone()));
        assert!(changes_scope(&scope, &groups(&[ENGINEERING])));
        let mut filtered = groups(&[SALES]);
        filtered.rules = rules("Member", "Always", Some(department_is("Sales")));
        assert!(changes_scope(&scope, &filtered));
        let mut guest = groups(&[SALES]);
        guest.rules = rules("Guest", "Always", None);
        assert!(changes_scope(&scope, &guest));
        let mut on_creation = groups(&[SALES]);
        on_creation.rules = rules("Member", "ObjectAddOnly", None);
        assert!(changes_scope(&scope, &on_creation));
        // Another attribute mapping: nobody moves.
        let mut other = groups(&[SALES]);
        let mappings = &mut other.rules[0].object_mappings[0].attribute_mappings;
        let mut department = mappings[0].clone();
        department.target_attribute_name = "department".into();
        mappings.push(department);
        assert!(!changes_scope(&scope, &other));
        let all = Scope {
            sync_all: true,
            ..scope.clone()
        };
        assert!(changes_scope(&scope, &all));
    }

    #[test]
    fn sms_sign_in_is_checked_for_users_created_or_converted_only() {
        let users = [
            user("a", "Sales", &[SALES]),
            user("b", "Sales", &[SALES]),
            user("c", "Sales", &[SALES]),
            user("d", "Sales", &[]),
        ];
        let target = [
            account("a", "Guest", AccountState::Active),
            account("b", "Member", AccountState::Active),
        ];
        let after = groups(&[SALES]);
        assert_eq!(sms_decides(&users, &after, &target), vec!["a", "c"]);
        let mut sms = users.clone();
        sms[2].sms_sign_in = true;
        let result = what_if(&sms, &groups(&[]), &after, &target);
        assert!(result.created.is_empty(), "skipped: {result:?}");
    }

    #[test]
    fn attributes_the_user_detail_selects_but_does_not_evaluate_come_from_more() {
        let mut filter = department_is("x");
        filter.groups[0].clauses[0].source_operand_name = "externalUserState".into();
        filter.groups[0].clauses[0].operator_name = "IS NULL".into();
        filter.groups[0].clauses[0].target_operand.values = Vec::new();
        let mut after = groups(&[SALES]);
        after.rules = rules("Member", "Always", Some(filter.clone()));
        assert_eq!(
            filter_operands([&after]),
            BTreeSet::from(["externalUserState".to_owned()])
        );
        let plain = user("a", "Sales", &[SALES]);
        let mut pending = user("b", "Sales", &[SALES]);
        pending
            .more
            .insert("externalUserState".into(), "PendingAcceptance".into());
        let result = what_if(&[plain, pending], &groups(&[]), &after, &[]);
        assert_eq!(result.created, vec!["User a"]);
    }

    #[test]
    fn nothing_changing_says_so() {
        let users = [user("a", "Sales", &[SALES])];
        let target = [account("a", "Member", AccountState::Active)];
        let scope = groups(&[SALES]);
        let result = what_if(&users, &scope, &scope, &target);
        assert!(result.is_empty());
        assert_eq!(result.unchanged, 1);
        assert_eq!(summary(&result, "Fabrikam"), "No user in Fabrikam changes.");
        // Sync all: every internal member is in scope, assigned or not.
        let all = Scope {
            sync_all: true,
            ..groups(&[])
        };
        let result = what_if(&[user("z", "Sales", &[])], &groups(&[]), &all, &[]);
        assert_eq!(result.created, vec!["User z"]);
    }
}
