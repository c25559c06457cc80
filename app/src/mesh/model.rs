//! The mesh: every tenant's view combined into one model — nodes (tenants with role, state and
//! transition) and ordered pairs (each side's partner settings and the sync job each way).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use graph::mto::{JoinRequest, MemberRole, MemberState, TransitionStatus};
use graph::sync::{JobStatusCode, ScheduleState};

use super::view::{OrganizationInfo, PartnerSide, Restricted, SyncSummary, TenantView};

/// Microsoft's limit of active tenants in one MTO.
pub const TENANT_LIMIT: usize = 100;

/// How a tenant's own view was obtained for this snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadStatus {
    /// Read just now.
    Fresh,
    /// This read failed; the data shown is the last good read (its time is `read_at`).
    Stale { reason: String },
    /// This read failed and there is no earlier one.
    Failed { reason: String },
    /// The sign-in expired and could not be renewed.
    NeedsSignIn,
    /// Not signed in to this tenant: its side is unknown.
    NotSignedIn,
    /// Not signed in to this tenant: its side is the app-only monitor's last reading of it (its
    /// time is `read_at`).
    ReadByMonitor,
}

/// One tenant's reading for a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    pub tenant_id: String,
    pub status: ReadStatus,
    /// Unix seconds of the data in `view`.
    pub read_at: Option<i64>,
    pub view: Option<TenantView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NodeState {
    Active,
    Pending,
    Removing,
    /// Not in the MTO (a partner of a member, or a signed-in tenant outside it).
    Outside,
}

impl NodeState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Removing => "removing",
            Self::Outside => "not in the MTO",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub desired_role: Option<MemberRole>,
    pub desired_state: Option<MemberState>,
    pub status: TransitionStatus,
    pub details: Option<String>,
    /// When the dashboard first saw this transition (unix seconds).
    pub observed_since: Option<i64>,
}

impl Transition {
    /// What the transition is for, e.g. `member → active` (`?` where Graph did not say).
    pub fn goal(&self) -> String {
        format!(
            "{} → {}",
            self.desired_role.as_ref().map_or("?", MemberRole::as_str),
            self.desired_state.as_ref().map_or("?", MemberState::as_str)
        )
    }

    pub fn in_progress(&self) -> bool {
        self.status.is_in_progress()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub tenant_id: String,
    pub name: String,
    /// `None` outside the MTO.
    pub role: Option<MemberRole>,
    pub state: NodeState,
    pub transition: Option<Transition>,
    pub added: Option<String>,
    pub joined: Option<String>,
    pub added_by: Option<String>,
    /// Whether this tenant's own side was read (now or earlier).
    pub side_known: bool,
    pub read: ReadStatus,
    pub read_at: Option<i64>,
    /// Parts of its view that could not be read.
    pub problems: Vec<String>,
    /// Parts of its view the signed-in role may not see.
    #[serde(default)]
    pub restricted: Vec<Restricted>,
    /// Its own join request record, when its side was read.
    #[serde(default)]
    pub join_request: Option<JoinRequest>,
}

impl Node {
    pub fn in_mto(&self) -> bool {
        self.state != NodeState::Outside
    }

    pub fn is_owner(&self) -> bool {
        self.role == Some(MemberRole::Owner)
    }
}

/// Something known to exist, known to be absent, or not known (that tenant was not read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Known<T> {
    Present(T),
    Absent,
    Unknown,
}

impl<T> Known<T> {
    pub fn present(&self) -> Option<&T> {
        match self {
            Self::Present(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Health {
    Healthy,
    /// Nothing configured in this direction, and nothing wrong.
    Idle,
    Unknown,
    Warning,
    Error,
}

impl Health {
    pub fn label(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Idle => "no sync",
            Self::Unknown => "unknown",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// A setting that stops users of a source tenant being synchronized into a target tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Blocker {
    /// The target has no cross-tenant access settings (partner configuration) for the source.
    TargetHasNoSettings,
    /// The target's identity sync policy for the source does not allow inbound user sync.
    InboundSyncNotAllowed,
    /// The target does not redeem the source's invitations automatically (inbound).
    NoInboundRedemption,
    /// The source has no cross-tenant access settings for the target.
    SourceHasNoSettings,
    /// The source does not let its users' invitations be redeemed automatically (outbound).
    NoOutboundRedemption,
}

impl Blocker {
    /// The blocker in words, for users of `from` synchronized into `to`.
    pub fn sentence(self, from: &str, to: &str) -> String {
        match self {
            Self::TargetHasNoSettings => {
                format!("{to} has no cross-tenant access settings for {from}")
            }
            Self::InboundSyncNotAllowed => format!(
                "{to} does not allow users of {from} to be synchronized into it (inbound sync)"
            ),
            Self::NoInboundRedemption => {
                format!("{to} does not automatically redeem invitations for users of {from}")
            }
            Self::SourceHasNoSettings => {
                format!("{from} has no cross-tenant access settings for {to}")
            }
            Self::NoOutboundRedemption => format!(
                "{from} does not allow automatic redemption of its users' invitations in {to}"
            ),
        }
    }
}

/// One direction of a pair: users of `from` synchronised into `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Direction {
    pub from: String,
    pub to: String,
    /// `from`'s sync configuration to `to`.
    pub job: Known<SyncSummary>,
    /// What in the policies stops users of `from` being synchronised into `to`.
    pub blockers: Vec<String>,
    /// Settings nobody could read that the verdict depends on.
    pub unknowns: Vec<String>,
    pub health: Health,
    pub verdict: String,
    /// Groups of `from` synchronized into `to`.
    #[serde(default)]
    pub groups: GroupDirection,
}

/// Group sync in one direction: whether the target allows it, the source configuration's groups,
/// and what was left behind when the target switched it off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDirection {
    /// `to`'s `groupSyncInbound.isSyncAllowed` for `from` (`Present(None)`: not set; `Absent`: `to`
    /// has no settings for `from`).
    pub allowed: Known<Option<bool>>,
    /// The groups in scope: assigned to `from`'s configuration, with group provisioning on.
    pub in_scope: Known<Vec<String>>,
    /// How many groups the job keeps synchronized in `to`.
    pub synced: Known<i64>,
    /// Those the provisioning log names (empty when it was not read; it keeps 30 days).
    pub synced_names: Vec<String>,
    /// Synced groups that stay in `to` while it no longer allows inbound group sync from `from`:
    /// they no longer follow `from`.
    pub left_behind: i64,
}

impl Default for GroupDirection {
    fn default() -> Self {
        Self {
            allowed: Known::Unknown,
            in_scope: Known::Unknown,
            synced: Known::Unknown,
            synced_names: Vec::new(),
            left_behind: 0,
        }
    }
}

impl GroupDirection {
    /// Whether `to` is known not to allow inbound group sync (not set counts as not allowed).
    pub fn known_disallowed(&self) -> bool {
        match &self.allowed {
            Known::Present(allowed) => *allowed != Some(true),
            Known::Absent => true,
            Known::Unknown => false,
        }
    }

    /// Groups in scope that `to` refuses, when nothing was left behind (that finding says more).
    pub fn refused_in_scope(&self) -> &[String] {
        match &self.in_scope {
            Known::Present(groups) if self.known_disallowed() && self.left_behind == 0 => groups,
            _ => &[],
        }
    }
}

/// An ordered pair `source → target` with both tenants' settings for each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub source: String,
    pub target: String,
    pub source_name: String,
    pub target_name: String,
    /// `source`'s settings for `target`.
    pub source_settings: Known<PartnerSide>,
    /// `target`'s settings for `source`.
    pub target_settings: Known<PartnerSide>,
    pub forward: Direction,
    pub backward: Direction,
}

impl Pair {
    /// The worse of the two directions.
    pub fn health(&self) -> Health {
        self.forward.health.max(self.backward.health)
    }
}

/// The whole snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mesh {
    pub taken_at: i64,
    pub organization: Option<OrganizationInfo>,
    /// MTO members (owners first, then by name), then tenants outside it.
    pub nodes: Vec<Node>,
    /// owner → partner → settings, for tenants whose partner list was read.
    pub partner_settings: BTreeMap<String, BTreeMap<String, PartnerSide>>,
    /// source → configurations, for tenants whose sync configurations were read.
    pub sync: BTreeMap<String, Vec<SyncSummary>>,
}

/// A member read with basic attributes only: no role (Graph always gives a full record's).
fn is_basic(member: &graph::mto::MtoMember) -> bool {
    member.role.is_none()
}

fn member_state(member: &graph::mto::MtoMember) -> NodeState {
    let removing = member
        .transition_details
        .as_ref()
        .is_some_and(|t| t.desired_state == Some(MemberState::Removed) && t.is_in_progress());
    match member.state {
        _ if removing => NodeState::Removing,
        Some(MemberState::Active) => NodeState::Active,
        Some(MemberState::Removed) => NodeState::Removing,
        _ => NodeState::Pending,
    }
}

/// Combines the tenants' readings. `names` knows display names of tenants outside the MTO;
/// `first_seen` maps a member tenant to when its current transition was first observed.
pub fn build(
    readings: &[Reading],
    names: &HashMap<String, String>,
    first_seen: &HashMap<String, i64>,
    now: i64,
) -> Mesh {
    let views: BTreeMap<&str, &Reading> =
        readings.iter().map(|r| (r.tenant_id.as_str(), r)).collect();
    // The member list: each member as it sees itself when read, else as the first reader saw it.
    let mut members: BTreeMap<String, graph::mto::MtoMember> = BTreeMap::new();
    for reading in readings {
        for member in reading.view.iter().flat_map(|v| v.members.iter().flatten()) {
            let id = member.tenant_id.to_string();
            let own = id == reading.tenant_id;
            // A role that reads only basic attributes gets no role or state: a full record, from
            // any tenant, is worth more than that.
            let better = match members.get(&id) {
                None => true,
                Some(known) if is_basic(member) => own && is_basic(known),
                Some(known) => own || is_basic(known),
            };
            if better {
                members.insert(id, member.clone());
            }
        }
    }
    let organization = readings
        .iter()
        .filter_map(|r| r.view.as_ref()?.organization.clone())
        .next();
    let name_of = |id: &str, member: Option<&graph::mto::MtoMember>| {
        member
            .and_then(|m| m.display_name.clone())
            .or_else(|| names.get(id).cloned())
            .unwrap_or_else(|| id.to_owned())
    };
    let node_read = |id: &str| match views.get(id) {
        Some(reading) => (
            reading.view.is_some(),
            reading.status.clone(),
            reading.read_at,
            reading
                .view
                .as_ref()
                .map(|v| {
                    (
                        v.problems.clone(),
                        v.restricted.clone(),
                        v.join_request.clone(),
                    )
                })
                .unwrap_or_default(),
        ),
        None => (false, ReadStatus::NotSignedIn, None, Default::default()),
    };
    let mut nodes: Vec<Node> = members
        .iter()
        .map(|(id, member)| {
            let (side_known, read, read_at, (problems, restricted, join_request)) = node_read(id);
            Node {
                tenant_id: id.clone(),
                name: name_of(id, Some(member)),
                role: member.role.clone(),
                state: member_state(member),
                transition: member
                    .transition_details
                    .as_ref()
                    .filter(|t| t.status != Some(TransitionStatus::Succeeded))
                    .map(|t| Transition {
                        desired_role: t.desired_role.clone(),
                        desired_state: t.desired_state.clone(),
                        status: t
                            .status
                            .clone()
                            .unwrap_or_else(|| TransitionStatus::Unknown(String::new())),
                        details: t.details.clone(),
                        observed_since: first_seen.get(id).copied(),
                    }),
                added: member.added_date_time.clone(),
                joined: member.joined_date_time.clone(),
                added_by: member.added_by_tenant_id.clone(),
                side_known,
                read,
                read_at,
                problems,
                restricted,
                join_request,
            }
        })
        .collect();
    nodes.sort_by(|a, b| {
        (!a.is_owner(), a.state, a.name.to_lowercase()).cmp(&(
            !b.is_owner(),
            b.state,
            b.name.to_lowercase(),
        ))
    });
    // Outside the MTO: signed-in tenants that are not members, and partners of members.
    let mut outside: BTreeSet<String> = readings
        .iter()
        .map(|r| r.tenant_id.clone())
        .filter(|id| !members.contains_key(id))
        .collect();
    for reading in readings
        .iter()
        .filter(|r| members.contains_key(&r.tenant_id))
    {
        for partner in reading
            .view
            .iter()
            .flat_map(|v| v.partners.iter().flatten())
        {
            if !members.contains_key(&partner.tenant_id) {
                outside.insert(partner.tenant_id.clone());
            }
        }
    }
    let mut outside_nodes: Vec<Node> = outside
        .into_iter()
        .map(|id| {
            let (side_known, read, read_at, (problems, restricted, join_request)) = node_read(&id);
            Node {
                name: name_of(&id, None),
                tenant_id: id,
                role: None,
                state: NodeState::Outside,
                transition: None,
                added: None,
                joined: None,
                added_by: None,
                side_known,
                read,
                read_at,
                problems,
                restricted,
                join_request,
            }
        })
        .collect();
    outside_nodes.sort_by_key(|n| n.name.to_lowercase());
    nodes.extend(outside_nodes);
    let partner_settings = readings
        .iter()
        .filter_map(|r| {
            let partners = r.view.as_ref()?.partners.as_ref()?;
            Some((
                r.tenant_id.clone(),
                partners
                    .iter()
                    .map(|p| (p.tenant_id.clone(), p.clone()))
                    .collect(),
            ))
        })
        .collect();
    let sync = readings
        .iter()
        .filter_map(|r| Some((r.tenant_id.clone(), r.view.as_ref()?.sync.clone()?)))
        .collect();
    Mesh {
        taken_at: now,
        organization,
        nodes,
        partner_settings,
        sync,
    }
}

impl Mesh {
    pub fn node(&self, tenant_id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.tenant_id == tenant_id)
    }

    pub fn name(&self, tenant_id: &str) -> String {
        self.node(tenant_id)
            .map_or_else(|| tenant_id.to_owned(), |n| n.name.clone())
    }

    pub fn members(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.in_mto())
    }

    pub fn active(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.state == NodeState::Active)
    }

    /// `owner`'s settings for `partner`.
    pub fn settings(&self, owner: &str, partner: &str) -> Known<PartnerSide> {
        match self.partner_settings.get(owner) {
            Some(partners) => partners
                .get(partner)
                .cloned()
                .map_or(Known::Absent, Known::Present),
            None => Known::Unknown,
        }
    }

    /// `source`'s sync configuration to `target`.
    pub fn job(&self, source: &str, target: &str) -> Known<SyncSummary> {
        match self.sync.get(source) {
            Some(configs) => configs
                .iter()
                .find(|c| c.target_tenant_id.as_deref() == Some(target))
                .cloned()
                .map_or(Known::Absent, Known::Present),
            None => Known::Unknown,
        }
    }

    /// Groups of `from` into `to`: `to`'s permission, the groups in scope and synced, and those
    /// left behind after `to` switched inbound group sync off.
    pub fn group_sync(&self, from: &str, to: &str) -> GroupDirection {
        let allowed = match self.settings(to, from) {
            Known::Present(side) => Known::Present(side.group_sync_allowed),
            Known::Absent => Known::Absent,
            Known::Unknown => Known::Unknown,
        };
        let (in_scope, synced, synced_names) = match self.job(from, to) {
            Known::Present(job) => {
                let groups = job.groups.unwrap_or_default();
                let in_scope = match groups.in_scope() {
                    Some(list) => Known::Present(list),
                    // Nothing assigned: nothing in scope, whatever the schema says.
                    None if groups.assigned.as_ref().is_some_and(Vec::is_empty) => {
                        Known::Present(Vec::new())
                    }
                    None => Known::Unknown,
                };
                (
                    in_scope,
                    Known::Present(job.synchronized_groups),
                    groups.synced.unwrap_or_default(),
                )
            }
            Known::Absent => (Known::Present(Vec::new()), Known::Present(0), Vec::new()),
            Known::Unknown => (Known::Unknown, Known::Unknown, Vec::new()),
        };
        let mut direction = GroupDirection {
            allowed,
            in_scope,
            synced,
            synced_names,
            left_behind: 0,
        };
        if direction.known_disallowed() {
            direction.left_behind = direction.synced.present().copied().unwrap_or(0).max(0);
        }
        direction
    }

    /// What in the two tenants' settings stops users of `from` being synchronized into `to`, and
    /// which settings nobody could read.
    pub fn blockers(&self, from: &str, to: &str) -> (Vec<Blocker>, Vec<String>) {
        let mut blockers = Vec::new();
        let mut unknowns = Vec::new();
        match self.settings(to, from) {
            Known::Present(side) => {
                if side.inbound_sync_allowed != Some(true) {
                    blockers.push(Blocker::InboundSyncNotAllowed);
                }
                if !side.auto_redeem_inbound.is_on() {
                    blockers.push(Blocker::NoInboundRedemption);
                }
            }
            Known::Absent => blockers.push(Blocker::TargetHasNoSettings),
            Known::Unknown => unknowns.push(format!("{}'s inbound settings", self.name(to))),
        }
        match self.settings(from, to) {
            Known::Present(side) if !side.auto_redeem_outbound.is_on() => {
                blockers.push(Blocker::NoOutboundRedemption)
            }
            Known::Present(_) => {}
            Known::Absent => blockers.push(Blocker::SourceHasNoSettings),
            Known::Unknown => unknowns.push(format!("{}'s outbound settings", self.name(from))),
        }
        (blockers, unknowns)
    }

    /// Users of `from` into `to`: the job, what blocks it, and a verdict.
    pub fn direction(&self, from: &str, to: &str) -> Direction {
        let (from_name, to_name) = (self.name(from), self.name(to));
        let job = self.job(from, to);
        let (causes, unknowns) = self.blockers(from, to);
        let blockers: Vec<String> = causes
            .iter()
            .map(|b| b.sentence(&from_name, &to_name))
            .collect();
        let (health, verdict) = match &job {
            Known::Present(job) if job.status == JobStatusCode::Quarantine => (
                Health::Error,
                format!(
                    "Quarantined{}",
                    job.quarantine
                        .as_ref()
                        .and_then(|q| q.error.as_ref())
                        .map(|e| format!(": {} ({})", e.message, e.code))
                        .unwrap_or_default()
                ),
            ),
            Known::Present(_) if !blockers.is_empty() => (
                Health::Error,
                "Blocked by policy: the next cycle will be quarantined".to_owned(),
            ),
            Known::Present(job) if job.successive_failures >= 2 => (
                Health::Error,
                format!("Failing: {} runs in a row", job.successive_failures),
            ),
            Known::Present(job) if job.schedule_state != ScheduleState::Active => {
                (Health::Warning, "Sync configured but not running".into())
            }
            Known::Present(job) if job.status == JobStatusCode::NotRun => {
                (Health::Healthy, "Started; first cycle pending".into())
            }
            Known::Present(_) => (Health::Healthy, "Syncing".into()),
            Known::Absent => (Health::Idle, "No sync configured".into()),
            Known::Unknown => {
                let both_active = [from, to]
                    .iter()
                    .all(|t| self.node(t).is_some_and(|n| n.state == NodeState::Active));
                if both_active && !blockers.is_empty() {
                    (
                        Health::Warning,
                        format!("Unknown whether {from_name} syncs to {to_name}; if it does, the job is quarantined by policy"),
                    )
                } else {
                    // Signed in there, but with a role that may not read sync jobs: say so, not
                    // "sign in".
                    let hidden = self.node(from).and_then(|n| {
                        n.restricted
                            .iter()
                            .find(|r| r.part == crate::mesh::view::part::SYNC)
                    });
                    let verdict = match hidden {
                        Some(restricted) => {
                            format!("Unknown: {}", restricted.sentence(&from_name))
                        }
                        None => format!("Unknown: sign in to {from_name} to see its sync"),
                    };
                    (Health::Unknown, verdict)
                }
            }
        };
        Direction {
            from: from.to_owned(),
            to: to.to_owned(),
            job,
            blockers,
            unknowns,
            health,
            verdict,
            groups: self.group_sync(from, to),
        }
    }

    pub fn pair(&self, source: &str, target: &str) -> Pair {
        Pair {
            source: source.to_owned(),
            target: target.to_owned(),
            source_name: self.name(source),
            target_name: self.name(target),
            source_settings: self.settings(source, target),
            target_settings: self.settings(target, source),
            forward: self.direction(source, target),
            backward: self.direction(target, source),
        }
    }

    /// Unordered pairs worth drawing and listing: some settings or a job exist between them.
    /// Each is returned once, with the lower tenant id as `source`.
    pub fn connected_pairs(&self) -> Vec<Pair> {
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        let mut add = |a: &str, b: &str| {
            if a != b && self.node(a).is_some() && self.node(b).is_some() {
                let key = if a < b {
                    (a.to_owned(), b.to_owned())
                } else {
                    (b.to_owned(), a.to_owned())
                };
                seen.insert(key);
            }
        };
        for (owner, partners) in &self.partner_settings {
            for partner in partners.keys() {
                add(owner, partner);
            }
        }
        for (source, configs) in &self.sync {
            for target in configs.iter().filter_map(|c| c.target_tenant_id.as_deref()) {
                add(source, target);
            }
        }
        seen.into_iter().map(|(a, b)| self.pair(&a, &b)).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::mesh::view::{Access, Switch};
    use graph::mto::{MtoMember, TransitionDetails};

    pub const A: &str = "aaaaaaaa-0000-0000-0000-000000000001";
    pub const B: &str = "bbbbbbbb-0000-0000-0000-000000000002";
    pub const C: &str = "cccccccc-0000-0000-0000-000000000003";
    pub const D: &str = "dddddddd-0000-0000-0000-000000000004";

    pub fn member(id: &str, name: &str, role: &str, state: &str) -> MtoMember {
        MtoMember {
            id: Some(id.into()),
            deleted_date_time: None,
            tenant_id: id.parse().unwrap(),
            display_name: Some(name.into()),
            added_date_time: Some("2026-09-01T09:00:00Z".into()),
            joined_date_time: None,
            added_by_tenant_id: Some(A.into()),
            role: Some(role.into()),
            state: Some(state.into()),
            transition_details: None,
        }
    }

    pub fn side(partner: &str, sync: Option<bool>, redeem: Option<bool>) -> PartnerSide {
        let allowed = || Access {
            value: "allowed".into(),
            inherited: true,
        };
        PartnerSide {
            tenant_id: partner.into(),
            b2b_collaboration_inbound: allowed(),
            b2b_collaboration_outbound: allowed(),
            b2b_direct_connect_inbound: allowed(),
            b2b_direct_connect_outbound: allowed(),
            trusts_mfa: Switch {
                value: None,
                inherited: true,
            },
            trusts_compliant_devices: Switch {
                value: None,
                inherited: true,
            },
            auto_redeem_inbound: Switch {
                value: redeem,
                inherited: false,
            },
            auto_redeem_outbound: Switch {
                value: redeem,
                inherited: false,
            },
            has_identity_sync: sync.is_some(),
            inbound_sync_allowed: sync,
            is_in_mto: Some(true),
            group_sync_allowed: None,
        }
    }

    pub fn job(target: &str, status: &str) -> SyncSummary {
        SyncSummary {
            service_principal_id: "5e1c0000-0000-4000-8000-000000000001".parse().unwrap(),
            name: format!("MTO_Sync_{target}"),
            target_tenant_id: Some(target.into()),
            job_id: Some(format!("Azure2Azure.{target}").parse().unwrap()),
            status: status.into(),
            schedule_state: "Active".into(),
            quarantine: None,
            last_error: None,
            last_run: None,
            last_run_state: None,
            last_success: None,
            successive_failures: 0,
            synchronized_users: 3,
            interval: Some("PT40M".into()),
            last_counts: None,
            steady_since: None,
            synchronized_groups: 0,
            groups: None,
        }
    }

    pub fn reading(
        id: &str,
        members: Vec<MtoMember>,
        partners: Vec<PartnerSide>,
        sync: Vec<SyncSummary>,
    ) -> Reading {
        Reading {
            tenant_id: id.into(),
            status: ReadStatus::Fresh,
            read_at: Some(100),
            view: Some(TenantView {
                tenant_id: id.into(),
                organization: Some(OrganizationInfo {
                    display_name: "Group".into(),
                    description: None,
                    created: None,
                }),
                members: Some(members),
                partners: Some(partners),
                templates: None,
                sync: Some(sync),
                join_request: None,
                problems: vec![],
                restricted: vec![],
            }),
        }
    }

    pub fn members() -> Vec<MtoMember> {
        vec![
            member(A, "Alpha", "owner", "active"),
            member(B, "Beta", "member", "active"),
            member(C, "Gamma", "member", "active"),
            member(D, "Delta", "member", "pending"),
        ]
    }

    #[test]
    fn a_full_member_record_wins_over_a_basic_one_even_the_tenants_own() {
        // B's own reading was made by a role that sees basic attributes only.
        let mut basic = member(B, "Beta", "member", "active");
        basic.role = None;
        let mut b_reading = reading(B, vec![basic], vec![], vec![]);
        if let Some(view) = b_reading.view.as_mut() {
            view.restricted = vec![Restricted::new(
                crate::mesh::view::part::MEMBERS,
                graph::roles::ReadArea::MtoDetails,
            )];
        }
        for readings in [
            vec![reading(A, members(), vec![], vec![]), b_reading.clone()],
            vec![b_reading.clone(), reading(A, members(), vec![], vec![])],
        ] {
            let mesh = build(&readings, &HashMap::new(), &HashMap::new(), 200);
            let beta = mesh.node(B).unwrap();
            assert_eq!(beta.role, Some(MemberRole::Member));
            assert_eq!(beta.state, NodeState::Active);
            assert_eq!(beta.restricted.len(), 1, "B's own note stays on its node");
        }
    }

    #[test]
    fn a_sync_hidden_by_the_role_says_so_instead_of_asking_to_sign_in() {
        // Gamma is read, by a role that may not read sync jobs; Delta is not read at all.
        let mut gamma = reading(C, members(), vec![side(A, Some(true), Some(true))], vec![]);
        if let Some(view) = gamma.view.as_mut() {
            view.sync = None;
            view.restricted = vec![Restricted::new(
                crate::mesh::view::part::SYNC,
                graph::roles::ReadArea::Sync,
            )];
        }
        let mesh = build(
            &[
                reading(
                    A,
                    members(),
                    vec![
                        side(C, Some(true), Some(true)),
                        side(D, Some(true), Some(true)),
                    ],
                    vec![],
                ),
                gamma,
            ],
            &HashMap::new(),
            &HashMap::new(),
            200,
        );
        let hidden = mesh.direction(C, A);
        assert_eq!(hidden.health, Health::Unknown);
        assert!(
            hidden.verdict.starts_with("Unknown: Your role in Gamma"),
            "{}",
            hidden.verdict
        );
        assert!(!hidden.verdict.contains("sign in"), "{}", hidden.verdict);
        let unread = mesh.direction(D, A);
        assert_eq!(unread.verdict, "Unknown: sign in to Delta to see its sync");
    }

    #[test]
    fn nodes_put_owners_first_and_mark_unread_tenants_unknown() {
        let mesh = build(
            &[reading(A, members(), vec![], vec![])],
            &HashMap::new(),
            &HashMap::new(),
            200,
        );
        let names: Vec<&str> = mesh.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "Beta", "Gamma", "Delta"]);
        assert!(mesh.nodes[0].side_known);
        assert_eq!(mesh.nodes[1].read, ReadStatus::NotSignedIn);
        assert_eq!(mesh.node(D).unwrap().state, NodeState::Pending);
    }

    #[test]
    fn a_member_is_shown_as_it_sees_itself() {
        let mut own = members();
        own[1].transition_details = Some(TransitionDetails {
            desired_role: Some("member".into()),
            desired_state: Some("removed".into()),
            status: Some("running".into()),
            details: None,
        });
        let mesh = build(
            &[
                reading(A, members(), vec![], vec![]),
                reading(B, own, vec![], vec![]),
            ],
            &HashMap::new(),
            &HashMap::from([(B.to_owned(), 150)]),
            200,
        );
        let beta = mesh.node(B).unwrap();
        assert_eq!(beta.state, NodeState::Removing);
        assert_eq!(beta.transition.as_ref().unwrap().observed_since, Some(150));
    }

    #[test]
    fn a_job_into_a_tenant_that_refuses_inbound_sync_is_an_error_both_ways_of_knowing() {
        let readings = [
            reading(A, members(), vec![side(B, Some(true), Some(true))], vec![]),
            reading(
                B,
                members(),
                vec![side(A, Some(false), None), side(C, Some(true), Some(true))],
                vec![],
            ),
        ];
        let mesh = build(&readings, &HashMap::new(), &HashMap::new(), 200);
        // A's job is known to be absent.
        let a_to_b = mesh.direction(A, B);
        assert_eq!(a_to_b.health, Health::Idle);
        assert_eq!(a_to_b.blockers.len(), 2);
        // C was not read and B accepts it: nothing is known to be wrong.
        let c_to_b = mesh.direction(C, B);
        assert!(c_to_b.job.is_unknown());
        assert_eq!(c_to_b.health, Health::Unknown);
        // Only B read: A's job is unknown, but B's refusal is known.
        let only_b = build(&readings[1..], &HashMap::new(), &HashMap::new(), 200);
        let a_to_b = only_b.direction(A, B);
        assert_eq!(a_to_b.health, Health::Warning);
        assert!(a_to_b.verdict.contains("quarantined by policy"));
        let mut with_job = readings.to_vec();
        with_job[0] = reading(
            A,
            members(),
            vec![side(B, Some(true), Some(true))],
            vec![job(B, "Active")],
        );
        let mesh = build(&with_job, &HashMap::new(), &HashMap::new(), 200);
        let a_to_b = mesh.direction(A, B);
        assert_eq!(a_to_b.health, Health::Error);
        assert!(a_to_b.verdict.contains("Blocked by policy"));
    }

    #[test]
    fn connected_pairs_are_listed_once() {
        let readings = [
            reading(
                A,
                members(),
                vec![side(B, Some(true), Some(true))],
                vec![job(B, "Active")],
            ),
            reading(
                B,
                members(),
                vec![side(A, Some(true), Some(true))],
                vec![job(A, "Active")],
            ),
        ];
        let mesh = build(&readings, &HashMap::new(), &HashMap::new(), 200);
        let pairs = mesh.connected_pairs();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].health(), Health::Healthy);
        assert_eq!(pairs[0].forward.verdict, "Syncing");
    }

    #[test]
    fn partners_outside_the_mto_become_outside_nodes_with_known_names() {
        let outsider = "eeeeeeee-0000-0000-0000-000000000005";
        let mesh = build(
            &[reading(
                A,
                members(),
                vec![side(outsider, None, None)],
                vec![],
            )],
            &HashMap::from([(outsider.to_owned(), "Epsilon".to_owned())]),
            &HashMap::new(),
            200,
        );
        let node = mesh.node(outsider).unwrap();
        assert_eq!(node.state, NodeState::Outside);
        assert_eq!(node.name, "Epsilon");
        assert_eq!(mesh.nodes.last().unwrap().tenant_id, outsider);
    }
}
