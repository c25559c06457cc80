//! The multitenant organization as the service keeps it: one logical member list shared by every
//! tenant in it, asynchronous transitions driven by the emulator's clock, and the documented rules
//! (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/multitenantorganization-delete-tenants.md`; `MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/multi-tenant-organization-overview.md`). Pure logic:
//! handlers translate [`MtoError`]s into Graph errors.

use std::collections::BTreeMap;

use crate::scenario::{MemberRole, MemberState, Scenario};

/// Seconds a transition waits in `notStarted`, then runs, before it completes (demo-friendly: a person
/// sees a join go `running` and then `succeeded` within about 20 seconds).
pub const NOT_STARTED_SECONDS: i64 = 5;
pub const RUNNING_SECONDS: i64 = 15;
/// Active tenants at most, the owner included; enforced when a pending tenant joins.
pub const MAX_ACTIVE_TENANTS: usize = 100;

/// A transition's processing status is Graph's.
pub use graph::mto::TransitionStatus as Status;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Desired {
    /// Join (pending → active).
    Join,
    /// Role change.
    Role(MemberRole),
    /// Removal.
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub desired: Desired,
    pub started_at: i64,
    /// Set when the transition will fail, with the service's `details` text.
    pub failure: Option<String>,
    pub status: Status,
}

impl Transition {
    fn new(desired: Desired, now: i64, failure: Option<String>) -> Self {
        Self {
            desired,
            started_at: now,
            failure,
            status: Status::NotStarted,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub tenant_id: String,
    pub display_name: String,
    pub role: MemberRole,
    pub state: MemberState,
    pub added: String,
    pub joined: Option<String>,
    pub added_by: String,
    pub transition: Option<Transition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub display_name: String,
    /// `None` when the MTO was created without one: Graph answers `null`.
    pub description: Option<String>,
    pub created: String,
    /// The creator can never be removed (even after becoming a member).
    pub creator: String,
    pub members: BTreeMap<String, Member>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MtoError {
    /// The caller's tenant is in no MTO.
    NoOrganization,
    /// Only owners may do this.
    NotOwner,
    AlreadyAdded,
    AlreadyInAnotherOrganization,
    UnknownMember,
    /// Removal refused, with the reason.
    CannotRemove(&'static str),
}

pub(crate) fn iso(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

impl Organization {
    pub fn from_scenario(scenario: &Scenario) -> Option<Self> {
        let mto = scenario.mto.as_ref()?;
        let members: BTreeMap<String, Member> = scenario
            .tenants
            .iter()
            .filter_map(|tenant| {
                let m = tenant.membership.as_ref()?;
                Some((
                    tenant.id.clone(),
                    Member {
                        tenant_id: tenant.id.clone(),
                        display_name: tenant.display_name.clone(),
                        role: m.role.clone(),
                        state: m.state.clone(),
                        added: m.added.clone(),
                        joined: m.joined.clone(),
                        added_by: m.added_by.clone(),
                        transition: None,
                    },
                ))
            })
            .collect();
        // The creator added itself; failing that, the first owner.
        let owners = || members.values().filter(|m| m.role == MemberRole::Owner);
        let creator = owners()
            .find(|m| m.added_by == m.tenant_id)
            .or_else(|| owners().next())
            .map(|m| m.tenant_id.clone())
            .unwrap_or_default();
        Some(Self {
            display_name: mto.display_name.clone(),
            description: Some(mto.description.clone()).filter(|d| !d.is_empty()),
            created: mto.created.clone(),
            creator,
            members,
        })
    }

    fn is_active_owner(&self, tenant: &str) -> bool {
        self.members
            .get(tenant)
            .is_some_and(|m| m.role == MemberRole::Owner && m.state == MemberState::Active)
    }

    /// `POST /tenants` by `caller`: the tenant becomes pending.
    pub fn add(
        &mut self,
        caller: &str,
        tenant_id: &str,
        display_name: &str,
        role: MemberRole,
        in_other_mto: bool,
        now: i64,
    ) -> Result<&Member, MtoError> {
        if !self.is_active_owner(caller) {
            return Err(MtoError::NotOwner);
        }
        if self.members.contains_key(tenant_id) {
            return Err(MtoError::AlreadyAdded);
        }
        if in_other_mto {
            return Err(MtoError::AlreadyInAnotherOrganization);
        }
        let member = Member {
            tenant_id: tenant_id.to_owned(),
            display_name: display_name.to_owned(),
            role,
            state: MemberState::Pending,
            added: iso(now),
            joined: None,
            added_by: caller.to_owned(),
            transition: None,
        };
        self.members.insert(tenant_id.to_owned(), member);
        self.members.get(tenant_id).ok_or(MtoError::UnknownMember)
    }

    /// `PATCH /joinRequest` in the joining tenant, naming the owner that added it.
    pub fn join(&mut self, joiner: &str, added_by: &str, now: i64) -> Result<(), MtoError> {
        let active = self
            .members
            .values()
            .filter(|m| m.state == MemberState::Active)
            .count();
        let failure = match self.members.get(joiner) {
            None => return Err(MtoError::UnknownMember),
            Some(m) if m.added_by != added_by => Some("DirectoryService Exception: the tenant was not added by the owner tenant named in the join request".to_owned()),
            Some(_) if active >= MAX_ACTIVE_TENANTS => Some("The multitenant organization has reached the maximum number of active tenants".to_owned()),
            Some(_) => None,
        };
        let member = self
            .members
            .get_mut(joiner)
            .ok_or(MtoError::UnknownMember)?;
        member.transition = Some(Transition::new(Desired::Join, now, failure));
        Ok(())
    }

    /// `PATCH /tenants/{id}` with a role, by an owner.
    pub fn change_role(
        &mut self,
        caller: &str,
        tenant_id: &str,
        role: MemberRole,
        now: i64,
    ) -> Result<(), MtoError> {
        if !self.is_active_owner(caller) {
            return Err(MtoError::NotOwner);
        }
        let member = self
            .members
            .get_mut(tenant_id)
            .ok_or(MtoError::UnknownMember)?;
        member.transition = Some(Transition::new(Desired::Role(role), now, None));
        Ok(())
    }

    /// `DELETE /tenants/{id}` by `caller`, with the documented rules.
    pub fn remove(&mut self, caller: &str, tenant_id: &str, now: i64) -> Result<(), MtoError> {
        let target = self.members.get(tenant_id).ok_or(MtoError::UnknownMember)?;
        let caller_owner = self.is_active_owner(caller);
        let removing_self = caller == tenant_id;
        let other_active_owner = self.members.values().any(|m| {
            m.tenant_id != tenant_id
                && m.role == MemberRole::Owner
                && m.state == MemberState::Active
        });
        let other_active = self
            .members
            .values()
            .any(|m| m.tenant_id != tenant_id && m.state == MemberState::Active);
        if tenant_id == self.creator && !removing_self {
            return Err(MtoError::CannotRemove(
                "The tenant that created the multitenant organization cannot be removed.",
            ));
        }
        if !removing_self && !caller_owner {
            return Err(MtoError::NotOwner);
        }
        if removing_self && target.role == MemberRole::Owner && !other_active_owner && other_active
        {
            return Err(MtoError::CannotRemove("The only active owner cannot leave while other tenants are active. Make another tenant an owner first."));
        }
        if !removing_self && target.role == MemberRole::Owner {
            return Err(MtoError::CannotRemove(
                "Owner tenants cannot be removed. Change the tenant's role to member first.",
            ));
        }
        if let Some(member) = self.members.get_mut(tenant_id) {
            member.transition = Some(Transition::new(Desired::Remove, now, None));
        }
        Ok(())
    }

    /// Moves every transition along to `now`. Returns the tenants whose join just completed.
    pub fn advance(&mut self, now: i64) -> Vec<String> {
        let mut joined = Vec::new();
        let mut removed = Vec::new();
        for member in self.members.values_mut() {
            let Some(transition) = member.transition.as_mut() else {
                continue;
            };
            if matches!(transition.status, Status::Failed) {
                continue;
            }
            let elapsed = now - transition.started_at;
            transition.status = if elapsed < NOT_STARTED_SECONDS {
                Status::NotStarted
            } else if elapsed < NOT_STARTED_SECONDS + RUNNING_SECONDS {
                Status::Running
            } else if transition.failure.is_some() {
                Status::Failed
            } else {
                Status::Succeeded
            };
            if transition.status == Status::Succeeded {
                match &transition.desired {
                    Desired::Join => {
                        member.state = MemberState::Active;
                        member.joined = Some(iso(transition.started_at
                            + NOT_STARTED_SECONDS
                            + RUNNING_SECONDS));
                        joined.push(member.tenant_id.clone());
                    }
                    Desired::Role(role) => member.role = role.clone(),
                    Desired::Remove => removed.push(member.tenant_id.clone()),
                }
                member.transition = None;
            }
        }
        for tenant in removed {
            self.members.remove(&tenant);
        }
        joined
    }

    /// Whether the MTO still exists (it is deleted when its last tenant leaves).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE};

    fn demo() -> Organization {
        Organization::from_scenario(&Scenario::demo()).unwrap()
    }

    #[test]
    fn a_join_goes_not_started_running_succeeded_on_the_clock() {
        let mut mto = demo();
        mto.join(NORTHWIND, CONTOSO, 1000).unwrap();
        mto.advance(1001);
        assert_eq!(
            mto.members[NORTHWIND].transition.as_ref().unwrap().status,
            Status::NotStarted
        );
        mto.advance(1000 + NOT_STARTED_SECONDS);
        assert_eq!(
            mto.members[NORTHWIND].transition.as_ref().unwrap().status,
            Status::Running
        );
        let joined = mto.advance(1000 + NOT_STARTED_SECONDS + RUNNING_SECONDS);
        assert_eq!(joined, [NORTHWIND]);
        assert_eq!(mto.members[NORTHWIND].state, MemberState::Active);
        assert!(mto.members[NORTHWIND].joined.is_some());
        assert!(mto.members[NORTHWIND].transition.is_none());
    }

    #[test]
    fn a_join_naming_the_wrong_owner_fails_with_details() {
        let mut mto = demo();
        mto.join(NORTHWIND, FABRIKAM, 0).unwrap();
        assert!(mto.advance(100).is_empty());
        let transition = mto.members[NORTHWIND].transition.clone().unwrap();
        assert_eq!(transition.status, Status::Failed);
        assert!(transition
            .failure
            .unwrap()
            .contains("DirectoryService Exception"));
        assert_eq!(mto.members[NORTHWIND].state, MemberState::Pending);
    }

    #[test]
    fn only_owners_add_and_nobody_is_added_twice() {
        let mut mto = demo();
        assert_eq!(
            mto.add(
                FABRIKAM,
                TAILSPIN,
                "Tailspin Toys",
                MemberRole::Member,
                false,
                0
            )
            .unwrap_err(),
            MtoError::NotOwner
        );
        assert_eq!(
            mto.add(
                CONTOSO,
                NORTHWIND,
                "Northwind",
                MemberRole::Member,
                false,
                0
            )
            .unwrap_err(),
            MtoError::AlreadyAdded
        );
        assert_eq!(
            mto.add(
                CONTOSO,
                TAILSPIN,
                "Tailspin Toys",
                MemberRole::Member,
                true,
                0
            )
            .unwrap_err(),
            MtoError::AlreadyInAnotherOrganization
        );
        let added = mto
            .add(
                CONTOSO,
                TAILSPIN,
                "Tailspin Toys",
                MemberRole::Member,
                false,
                0,
            )
            .unwrap();
        assert_eq!(
            (&added.state, added.added_by.as_str()),
            (&MemberState::Pending, CONTOSO)
        );
    }

    #[test]
    fn removal_rules() {
        let mut mto = demo();
        assert!(
            matches!(
                mto.remove(CONTOSO, CONTOSO, 0),
                Err(MtoError::CannotRemove(_))
            ),
            "the only owner cannot leave while others are active"
        );
        assert_eq!(
            mto.remove(FABRIKAM, WOODGROVE, 0),
            Err(MtoError::NotOwner),
            "a member removes only itself"
        );
        assert!(
            matches!(
                mto.remove(FABRIKAM, CONTOSO, 0),
                Err(MtoError::CannotRemove(_))
            ),
            "nobody removes the creator"
        );
        mto.remove(FABRIKAM, FABRIKAM, 0).unwrap();
        mto.remove(CONTOSO, NORTHWIND, 0).unwrap();
        mto.advance(NOT_STARTED_SECONDS + RUNNING_SECONDS);
        assert!(!mto.members.contains_key(FABRIKAM) && !mto.members.contains_key(NORTHWIND));
    }

    #[test]
    fn the_limit_of_active_tenants_fails_the_join() {
        let mut mto = demo();
        for i in 0..MAX_ACTIVE_TENANTS {
            let id = format!("00000000-0000-4000-8000-{i:012}");
            mto.members.insert(
                id.clone(),
                Member {
                    tenant_id: id,
                    display_name: "T".into(),
                    role: MemberRole::Member,
                    state: MemberState::Active,
                    added: String::new(),
                    joined: None,
                    added_by: CONTOSO.into(),
                    transition: None,
                },
            );
        }
        mto.join(NORTHWIND, CONTOSO, 0).unwrap();
        mto.advance(100);
        assert_eq!(
            mto.members[NORTHWIND].transition.as_ref().unwrap().status,
            Status::Failed
        );
    }
}
