//! Multitenant organizations as the service keeps them: each one logical member list shared by
//! every tenant in it, asynchronous transitions driven by the emulator's clock, and the documented
//! rules (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/multitenantorganization-delete-tenants.md` and
//! `multitenantorganizationjoinrequestrecord-update.md`; `MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/multi-tenant-organization-overview.md`). Several
//! organizations may exist side by side; a tenant is active in at most one ("Any given tenant can
//! only create or join a single multitenant organization", the overview's Constraints). Pure logic:
//! handlers translate [`MtoError`]s into Graph errors.

use std::collections::{BTreeMap, HashMap};

use crate::policy_state::{self, TenantPolicies};
use crate::scenario::{MemberRole, MemberState, Scenario, Timing};

/// Seconds a transition waits in `notStarted`, then runs, before it completes, with the default
/// [`Timing::Fast`] (demo-friendly: a person sees a join go `running` and then `succeeded` within
/// about 20 seconds). [`Timing::Realistic`] takes minutes.
pub const NOT_STARTED_SECONDS: i64 = 5;
pub const RUNNING_SECONDS: i64 = 15;
/// Active tenants at most, the owner included; enforced when a pending tenant joins (the Limits
/// table of `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/multi-tenant-organization-overview.md`).
pub const MAX_ACTIVE_TENANTS: usize = 100;

/// The `details` of a failed join: the only text Microsoft documents (the failed-join response
/// of microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/multitenantorganizationjoinrequestrecord-get.md`). The documentation
/// gives no per-reason message.
pub const JOIN_FAILED_DETAILS: &str = "DirectoryService Exception";

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

/// Why a join request fails: the scenarios listed under "A join request might be unsuccessful" in
/// microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/multitenantorganizationjoinrequestrecord-update.md`, except the
/// internal-user limit, whose number is not documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinFailure {
    /// "The joining tenant has not been added to the multitenant organization by its owner."
    NotAdded,
    /// "The multitenant organization would exceed the maximum number of tenants."
    TenantLimit,
    /// "The joining tenant is already part of a different multitenant organization."
    OtherOrganization,
}

impl JoinFailure {
    /// The `transitionDetails.details` Graph shows once the join has failed.
    pub fn details(self) -> &'static str {
        JOIN_FAILED_DETAILS
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub desired: Desired,
    pub started_at: i64,
    /// Set when the transition will fail, with the reason.
    pub failure: Option<JoinFailure>,
    pub status: Status,
}

impl Transition {
    fn new(desired: Desired, now: i64, failure: Option<JoinFailure>) -> Self {
        Self {
            desired,
            started_at: now,
            failure,
            status: Status::NotStarted,
        }
    }

    /// The `details` Graph shows: the failure's text once failed, else none.
    pub fn failure_details(&self) -> Option<String> {
        self.failure
            .filter(|_| self.status == Status::Failed)
            .map(|f| f.details().to_owned())
    }

    /// Moves the status along to `now`.
    fn advance(&mut self, now: i64, timing: Timing) {
        if self.status == Status::Failed {
            return;
        }
        let elapsed = now - self.started_at;
        self.status = if elapsed < timing.not_started_seconds() {
            Status::NotStarted
        } else if elapsed < timing.total_seconds() {
            Status::Running
        } else if self.failure.is_some() {
            Status::Failed
        } else {
            Status::Succeeded
        };
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
    /// The caller's tenant is already active in an MTO (creating another one).
    AlreadyInOrganization,
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

    /// A new organization created by `creator` (its only, active, owner) at `now`.
    pub fn create(
        creator: &str,
        creator_name: &str,
        display_name: &str,
        description: Option<String>,
        now: i64,
    ) -> Self {
        let created = iso(now);
        let owner = Member {
            tenant_id: creator.to_owned(),
            display_name: creator_name.to_owned(),
            role: MemberRole::Owner,
            state: MemberState::Active,
            added: created.clone(),
            joined: None,
            added_by: creator.to_owned(),
            transition: None,
        };
        Self {
            display_name: display_name.to_owned(),
            description,
            created,
            creator: creator.to_owned(),
            members: BTreeMap::from([(creator.to_owned(), owner)]),
        }
    }

    fn is_active_owner(&self, tenant: &str) -> bool {
        self.members
            .get(tenant)
            .is_some_and(|m| m.role == MemberRole::Owner && m.state == MemberState::Active)
    }

    fn is_active_member(&self, tenant: &str) -> bool {
        self.members
            .get(tenant)
            .is_some_and(|m| m.state == MemberState::Active)
    }

    fn active_count(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.state == MemberState::Active)
            .count()
    }

    /// The active tenants' ids.
    pub fn active_tenants(&self) -> Vec<String> {
        self.members
            .values()
            .filter(|m| m.state == MemberState::Active)
            .map(|m| m.tenant_id.clone())
            .collect()
    }

    /// `POST /tenants` by `caller`: the tenant becomes pending. A tenant active in another
    /// organization may be added; its join then fails (the join request page lists that case).
    pub fn add(
        &mut self,
        caller: &str,
        tenant_id: &str,
        display_name: &str,
        role: MemberRole,
        now: i64,
    ) -> Result<&Member, MtoError> {
        if !self.is_active_owner(caller) {
            return Err(MtoError::NotOwner);
        }
        if self.members.contains_key(tenant_id) {
            return Err(MtoError::AlreadyAdded);
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
    pub fn advance(&mut self, now: i64, timing: Timing) -> Vec<String> {
        let mut joined = Vec::new();
        let mut removed = Vec::new();
        for member in self.members.values_mut() {
            let Some(transition) = member.transition.as_mut() else {
                continue;
            };
            transition.advance(now, timing);
            if transition.status != Status::Succeeded {
                continue;
            }
            match &transition.desired {
                Desired::Join => {
                    member.state = MemberState::Active;
                    member.joined = Some(iso(transition.started_at + timing.total_seconds()));
                    joined.push(member.tenant_id.clone());
                }
                Desired::Role(role) => member.role = role.clone(),
                Desired::Remove => removed.push(member.tenant_id.clone()),
            }
            member.transition = None;
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

/// What a tenant's join request refers to, as `GET …/joinRequest` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinTarget<'a> {
    /// A membership (pending, or active once joined).
    Member(&'a Member),
    /// A request that matches no membership at all (it fails).
    Unmatched(&'a Transition),
    /// Nothing asked and nothing joined.
    Nothing,
}

/// Every multitenant organization, and the join requests that match none of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organizations {
    pub list: Vec<Organization>,
    /// Join requests naming an owner that did not add the joining tenant, from a tenant listed in
    /// no organization: accepted (204), then failed (per joining tenant).
    pub unmatched_joins: BTreeMap<String, Transition>,
    pub timing: Timing,
}

impl Organizations {
    /// The scenario's organization (if any), with the scenario's timing.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        Self {
            list: Organization::from_scenario(scenario).into_iter().collect(),
            unmatched_joins: BTreeMap::new(),
            timing: scenario.timing,
        }
    }

    fn index_of(&self, tenant: &str) -> Option<usize> {
        let listed = |state: Option<MemberState>| {
            self.list.iter().position(|o| {
                o.members
                    .get(tenant)
                    .is_some_and(|m| state.as_ref().is_none_or(|s| &m.state == s))
            })
        };
        listed(Some(MemberState::Active)).or_else(|| listed(None))
    }

    /// The organization `tenant` belongs to: the one it is active in, else one that lists it.
    pub fn of(&self, tenant: &str) -> Option<&Organization> {
        self.index_of(tenant).and_then(|i| self.list.get(i))
    }

    pub fn of_mut(&mut self, tenant: &str) -> Option<&mut Organization> {
        self.index_of(tenant).and_then(|i| self.list.get_mut(i))
    }

    /// Whether `tenant` is active in an organization.
    pub fn is_active_anywhere(&self, tenant: &str) -> bool {
        self.list.iter().any(|o| o.is_active_member(tenant))
    }

    /// `PUT /tenantRelationships/multiTenantOrganization`: a new organization owned by `creator`,
    /// unless it is already active in one.
    pub fn create(&mut self, organization: Organization) -> Result<&Organization, MtoError> {
        if self.is_active_anywhere(&organization.creator) {
            return Err(MtoError::AlreadyInOrganization);
        }
        self.list.push(organization);
        self.list.last().ok_or(MtoError::NoOrganization)
    }

    /// `PATCH /joinRequest` in `joiner`, naming `owner` as the tenant that added it. Always
    /// accepted: a request that cannot succeed fails asynchronously, as the join request page
    /// describes.
    pub fn join(&mut self, joiner: &str, owner: &str, now: i64) {
        let active_elsewhere = |skip: usize, list: &[Organization]| {
            list.iter()
                .enumerate()
                .any(|(i, o)| i != skip && o.is_active_member(joiner))
        };
        let matched = self
            .list
            .iter()
            .position(|o| o.members.get(joiner).is_some_and(|m| m.added_by == owner));
        if let Some(index) = matched {
            self.unmatched_joins.remove(joiner);
            let failure = if active_elsewhere(index, &self.list) {
                Some(JoinFailure::OtherOrganization)
            } else if self.list[index].active_count() >= MAX_ACTIVE_TENANTS {
                Some(JoinFailure::TenantLimit)
            } else {
                None
            };
            if let Some(member) = self.list[index].members.get_mut(joiner) {
                if member.state != MemberState::Active {
                    member.transition = Some(Transition::new(Desired::Join, now, failure));
                }
            }
            return;
        }
        let transition = Transition::new(Desired::Join, now, Some(JoinFailure::NotAdded));
        match self.pending_member_mut(joiner) {
            // Listed, but not by the owner named: that membership's join fails.
            Some(member) => {
                member.transition = Some(transition);
                self.unmatched_joins.remove(joiner);
            }
            None => {
                self.unmatched_joins.insert(joiner.to_owned(), transition);
            }
        }
    }

    fn pending_member_mut(&mut self, tenant: &str) -> Option<&mut Member> {
        self.list
            .iter_mut()
            .filter_map(|o| o.members.get_mut(tenant))
            .find(|m| m.state == MemberState::Pending)
    }

    /// `PATCH /joinRequest` with the all-zero GUID: forgets a failed join.
    pub fn reset_join(&mut self, joiner: &str) {
        self.unmatched_joins.remove(joiner);
        for organization in &mut self.list {
            if let Some(member) = organization.members.get_mut(joiner) {
                if member
                    .transition
                    .as_ref()
                    .is_some_and(|t| t.status == Status::Failed)
                {
                    member.transition = None;
                }
            }
        }
    }

    /// What `joiner`'s join request (naming `owner`, if it asked) refers to.
    pub fn join_target(&self, joiner: &str, owner: Option<&str>) -> JoinTarget<'_> {
        let Some(owner) = owner else {
            return self
                .list
                .iter()
                .filter_map(|o| o.members.get(joiner))
                .find(|m| m.state == MemberState::Active)
                .map_or(JoinTarget::Nothing, JoinTarget::Member);
        };
        if let Some(transition) = self.unmatched_joins.get(joiner) {
            return JoinTarget::Unmatched(transition);
        }
        let members = || self.list.iter().filter_map(|o| o.members.get(joiner));
        members()
            .find(|m| m.added_by == owner)
            .or_else(|| members().find(|m| m.state == MemberState::Pending))
            .map_or(JoinTarget::Nothing, JoinTarget::Member)
    }

    /// Moves every transition along to `now`. Returns, for each join that just completed, the
    /// joined tenant and the active tenants of its organization. Organizations whose last tenant
    /// left are deleted.
    pub fn advance(&mut self, now: i64) -> Vec<(String, Vec<String>)> {
        let timing = self.timing;
        let mut joins = Vec::new();
        for organization in &mut self.list {
            let joined = organization.advance(now, timing);
            if !joined.is_empty() {
                let active = organization.active_tenants();
                joins.extend(joined.into_iter().map(|t| (t, active.clone())));
            }
        }
        self.list.retain(|o| !o.is_empty());
        for transition in self.unmatched_joins.values_mut() {
            transition.advance(now, timing);
        }
        joins
    }
}

/// Moves every organization along to `now` and applies what completed joins do to the
/// cross-tenant access policies (partner configurations, identity sync, templates).
pub fn advance_world(
    organizations: &mut Organizations,
    policies: &mut HashMap<String, TenantPolicies>,
    scenario: &Scenario,
    now: i64,
) {
    let joins = organizations.advance(now);
    if joins.is_empty() {
        return;
    }
    let names: HashMap<String, String> = scenario
        .tenants
        .iter()
        .map(|t| (t.id.clone(), t.display_name.clone()))
        .collect();
    for (tenant, active) in joins {
        policy_state::on_tenant_joined(policies, &tenant, &active, &names);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE};

    const FAST: Timing = Timing::Fast;

    fn demo() -> Organization {
        Organization::from_scenario(&Scenario::demo()).unwrap()
    }

    fn demo_organizations() -> Organizations {
        Organizations::from_scenario(&Scenario::demo())
    }

    fn status_of(orgs: &Organizations, tenant: &str) -> Status {
        orgs.of(tenant).unwrap().members[tenant]
            .transition
            .as_ref()
            .unwrap()
            .status
            .clone()
    }

    #[test]
    fn a_join_goes_not_started_running_succeeded_on_the_clock() {
        let mut orgs = demo_organizations();
        orgs.join(NORTHWIND, CONTOSO, 1000);
        orgs.advance(1001);
        assert_eq!(status_of(&orgs, NORTHWIND), Status::NotStarted);
        orgs.advance(1000 + NOT_STARTED_SECONDS);
        assert_eq!(status_of(&orgs, NORTHWIND), Status::Running);
        let joined = orgs.advance(1000 + NOT_STARTED_SECONDS + RUNNING_SECONDS);
        assert_eq!(joined.len(), 1);
        assert_eq!(joined[0].0, NORTHWIND);
        assert!(joined[0].1.contains(&NORTHWIND.to_owned()));
        let member = &orgs.of(NORTHWIND).unwrap().members[NORTHWIND];
        assert_eq!(member.state, MemberState::Active);
        assert!(member.joined.is_some());
        assert!(member.transition.is_none());
    }

    #[test]
    fn realistic_timing_takes_minutes() {
        let mut scenario = Scenario::demo();
        scenario.timing = Timing::Realistic;
        let mut orgs = Organizations::from_scenario(&scenario);
        orgs.join(NORTHWIND, CONTOSO, 0);
        orgs.advance(119);
        assert_eq!(status_of(&orgs, NORTHWIND), Status::NotStarted);
        orgs.advance(120);
        assert_eq!(status_of(&orgs, NORTHWIND), Status::Running);
        assert!(orgs.advance(299).is_empty());
        assert_eq!(orgs.advance(300).len(), 1);
    }

    #[test]
    fn a_join_naming_the_wrong_owner_fails_with_the_documented_details() {
        let mut orgs = demo_organizations();
        orgs.join(NORTHWIND, FABRIKAM, 0);
        assert!(orgs.advance(100).is_empty());
        let transition = orgs.of(NORTHWIND).unwrap().members[NORTHWIND]
            .transition
            .clone()
            .unwrap();
        assert_eq!(transition.status, Status::Failed);
        assert_eq!(transition.failure, Some(JoinFailure::NotAdded));
        assert_eq!(
            transition.failure_details().as_deref(),
            Some("DirectoryService Exception")
        );
        assert_eq!(
            orgs.of(NORTHWIND).unwrap().members[NORTHWIND].state,
            MemberState::Pending
        );
    }

    #[test]
    fn a_tenant_listed_nowhere_gets_an_unmatched_failed_join_until_reset() {
        let mut orgs = demo_organizations();
        orgs.join(TAILSPIN, CONTOSO, 0);
        orgs.advance(100);
        match orgs.join_target(TAILSPIN, Some(CONTOSO)) {
            JoinTarget::Unmatched(t) => assert_eq!(t.status, Status::Failed),
            other => panic!("{other:?}"),
        }
        orgs.reset_join(TAILSPIN);
        assert_eq!(orgs.join_target(TAILSPIN, None), JoinTarget::Nothing);
    }

    #[test]
    fn a_tenant_active_elsewhere_fails_to_join_a_second_organization() {
        let mut orgs = demo_organizations();
        orgs.create(Organization::create(
            TAILSPIN,
            "Tailspin",
            "Tailspin Group",
            None,
            0,
        ))
        .unwrap();
        orgs.of_mut(TAILSPIN)
            .unwrap()
            .add(TAILSPIN, FABRIKAM, "Fabrikam", MemberRole::Member, 0)
            .unwrap();
        orgs.join(FABRIKAM, TAILSPIN, 0);
        orgs.advance(100);
        let JoinTarget::Member(member) = orgs.join_target(FABRIKAM, Some(TAILSPIN)) else {
            panic!("the Tailspin membership")
        };
        let transition = member.transition.clone().unwrap();
        assert_eq!(
            (transition.status, transition.failure),
            (Status::Failed, Some(JoinFailure::OtherOrganization))
        );
        assert_eq!(
            orgs.of(FABRIKAM).unwrap().creator,
            CONTOSO,
            "Fabrikam stays in Contoso's MTO"
        );
    }

    #[test]
    fn only_tenants_outside_every_mto_create_one() {
        let mut orgs = demo_organizations();
        assert_eq!(
            orgs.create(Organization::create(CONTOSO, "Contoso", "Again", None, 0))
                .unwrap_err(),
            MtoError::AlreadyInOrganization
        );
        orgs.create(Organization::create(
            TAILSPIN,
            "Tailspin",
            "Tailspin Group",
            None,
            0,
        ))
        .unwrap();
        assert_eq!(orgs.list.len(), 2);
        assert_eq!(orgs.of(TAILSPIN).unwrap().display_name, "Tailspin Group");
        assert_eq!(orgs.of(CONTOSO).unwrap().display_name, "Contoso Group");
    }

    #[test]
    fn only_owners_add_and_nobody_is_added_twice() {
        let mut mto = demo();
        assert_eq!(
            mto.add(FABRIKAM, TAILSPIN, "Tailspin Toys", MemberRole::Member, 0)
                .unwrap_err(),
            MtoError::NotOwner
        );
        assert_eq!(
            mto.add(CONTOSO, NORTHWIND, "Northwind", MemberRole::Member, 0)
                .unwrap_err(),
            MtoError::AlreadyAdded
        );
        let added = mto
            .add(CONTOSO, TAILSPIN, "Tailspin Toys", MemberRole::Member, 0)
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
        mto.advance(NOT_STARTED_SECONDS + RUNNING_SECONDS, FAST);
        assert!(!mto.members.contains_key(FABRIKAM) && !mto.members.contains_key(NORTHWIND));
    }

    #[test]
    fn the_limit_of_active_tenants_fails_the_join() {
        let mut orgs = demo_organizations();
        for i in 0..MAX_ACTIVE_TENANTS {
            let id = format!("00000000-0000-4000-8000-{i:012}");
            orgs.list[0].members.insert(
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
        orgs.join(NORTHWIND, CONTOSO, 0);
        orgs.advance(100);
        assert_eq!(status_of(&orgs, NORTHWIND), Status::Failed);
    }
}
