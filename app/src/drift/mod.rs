//! The whole organization's configuration as versioned snapshots: what each readable tenant has
//! set up for the MTO (the organization and its members, both MTO templates, every partner
//! configuration with its identity sync policy, every cross-tenant sync configuration with its
//! jobs' schedule, scope and attribute mappings), taken on demand or by the monitor and kept in
//! the database; two snapshots compared field by field; a baseline the admin accepts, and drift
//! from it; the teardown plan of a tenant that left; the what-if of a scope change.
//!
//! This module holds what the pages receive (plain serializable data, compiled for the browser
//! too); the snapshot itself, the comparison and the plans are server-only.

#[cfg(feature = "ssr")]
pub mod diff;
#[cfg(feature = "ssr")]
pub mod snapshot;
#[cfg(feature = "ssr")]
pub mod teardown;
#[cfg(feature = "ssr")]
pub mod whatif;

use serde::{Deserialize, Serialize};

/// Who or what took a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// An admin asked for it on `/drift`.
    OnDemand,
    /// The monitor's schedule.
    Schedule,
    /// Uploaded by an admin (a file exported earlier, or reviewed in git).
    Import,
    /// The baseline after a drift item was accepted into it.
    Accepted,
}

impl Origin {
    pub fn label(self) -> &'static str {
        match self {
            Self::OnDemand => "on demand",
            Self::Schedule => "scheduled",
            Self::Import => "imported",
            Self::Accepted => "baseline with accepted drift",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnDemand => "onDemand",
            Self::Schedule => "schedule",
            Self::Import => "import",
            Self::Accepted => "accepted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::OnDemand, Self::Schedule, Self::Import, Self::Accepted]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// One stored snapshot as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub id: i64,
    /// RFC 3339, UTC.
    pub taken_at: String,
    /// The person (`name (upn)`) or `monitor (app-only)`.
    pub taken_by: String,
    pub origin: Origin,
    /// Tenants whose configuration it holds.
    pub tenants: usize,
    /// Partner configurations, sync configurations, members and templates it holds.
    pub objects: usize,
    /// Size of its JSON export in bytes.
    pub bytes: usize,
    /// Parts that could not be read when it was taken (e.g. "Fabrikam: sync jobs (role)").
    pub unread: Vec<String>,
}

/// What changed about one configuration object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ChangeKind {
    /// Present only in the newer snapshot.
    Added,
    /// Present only in the older snapshot.
    Removed,
    /// Present in both with another value.
    Changed,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

/// The kind of configuration object a change belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ObjectKind {
    /// The tenant's view of the MTO: name and description.
    Organization,
    /// One member tenant of the MTO: role and state.
    Member,
    /// The MTO partner configuration template.
    PartnerTemplate,
    /// The MTO identity sync policy template.
    IdentitySyncTemplate,
    /// A partner configuration (cross-tenant access settings for one other tenant).
    Partner,
    /// A partner's identity sync policy (inbound user and group sync).
    IdentitySync,
    /// A cross-tenant sync configuration: its job's schedule, scope and attribute mappings.
    SyncConfiguration,
    /// A user or group assigned to a sync configuration (its scope).
    Assignment,
}

impl ObjectKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Organization => "multitenant organization",
            Self::Member => "MTO member",
            Self::PartnerTemplate => "MTO partner configuration template",
            Self::IdentitySyncTemplate => "MTO identity sync template",
            Self::Partner => "partner configuration",
            Self::IdentitySync => "identity sync policy",
            Self::SyncConfiguration => "sync configuration",
            Self::Assignment => "sync scope assignment",
        }
    }
}

/// One difference between two snapshots: in one tenant, one object, one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub tenant_id: String,
    pub tenant_name: String,
    pub object: ObjectKind,
    /// The object's key within the tenant: the partner's tenant id, the configuration's service
    /// principal id, the member's tenant id; empty for the tenant's singletons.
    pub key: String,
    /// How a person names the object ("partner Fabrikam", "sync to Contoso").
    pub object_label: String,
    pub kind: ChangeKind,
    /// The field, as a dotted path from the object ("b2bCollaborationInbound.usersAndGroups.
    /// accessType", "schema.rules[…].objectMappings[…].attributeMappings[department].source");
    /// empty when the whole object was added or removed.
    pub field: String,
    /// The older value as compact JSON (`None` when added).
    pub old: Option<String>,
    /// The newer value as compact JSON (`None` when removed).
    pub new: Option<String>,
}

impl Change {
    /// A stable id for the change, the same whenever the same difference is found again (it
    /// names the tenant, object and field, and both values).
    pub fn id(&self) -> String {
        let text = format!(
            "{}|{:?}|{}|{}|{}|{}",
            self.tenant_id,
            self.object,
            self.key,
            self.field,
            self.old.as_deref().unwrap_or("-"),
            self.new.as_deref().unwrap_or("-")
        );
        // FNV-1a, 64 bits: short, stable across builds and platforms.
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{hash:016x}")
    }
}

/// The Graph change that would set a drifted field back to its reference value, shown before it
/// is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Restore {
    /// `PATCH /policies/crossTenantAccessPolicy/partners/…`
    pub request: String,
    /// The body as it will be sent, pretty-printed.
    pub body: Option<String>,
    /// Entra roles that may make it (any one).
    pub roles: Vec<String>,
    /// Whether the session's sign-in to the tenant may make it; when not, why.
    pub refused: Option<String>,
    /// For a change to a sync configuration's scope or mappings that moves users: what the next
    /// sync cycle would then do in the target, in a sentence (`whatif::summary`), or why that
    /// is unknown (e.g. "Sign in to Fabrikam to see …"). `None` for any other change.
    #[serde(default)]
    pub what_if: Option<String>,
    /// A few of the users it names, one line per outcome ("Soft-deleted: Adele Vance, … and 55
    /// more").
    #[serde(default)]
    pub what_if_names: Vec<String>,
    /// The tenant the what-if is about (the configuration's target).
    #[serde(default)]
    pub what_if_target: Option<String>,
}

/// A difference from the baseline (or from an imported snapshot) and what can be done about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftItem {
    pub id: String,
    /// `old` is the reference (baseline) value, `new` the live one.
    pub change: Change,
    /// The change that restores the reference value; `None` when Graph has no write for it (it is
    /// then explained in `manual`).
    pub restore: Option<Restore>,
    pub manual: Option<String>,
}

/// The `/drift` page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DriftView {
    /// Newest first.
    pub snapshots: Vec<SnapshotInfo>,
    pub baseline: Option<Baseline>,
    /// Differences of the live configuration from the reference (the baseline, or the snapshot
    /// asked for): `None` when there is no reference or nothing could be read live.
    pub drift: Option<Vec<DriftItem>>,
    /// The snapshot the live state is compared with when it is not the baseline.
    pub compared_with: Option<SnapshotInfo>,
    /// The live reading the drift was computed from.
    pub live: Option<SnapshotInfo>,
    /// Whether the session may take snapshots, accept a baseline, import (a sign-in with a read
    /// role somewhere); restores are checked per tenant.
    pub can_write: bool,
}

/// The accepted baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub snapshot: SnapshotInfo,
    pub accepted_by: String,
    pub accepted_at: String,
}

/// Two snapshots compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub older: SnapshotInfo,
    pub newer: SnapshotInfo,
    pub changes: Vec<Change>,
}

/// One step of a teardown: one Graph change in one tenant, shown before it is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeardownStep {
    /// Stable within a plan: the same step has the same id when the plan is read again.
    pub id: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub object: ObjectKind,
    /// What the step does, in a sentence ("Delete the partner configuration for Fabrikam").
    pub description: String,
    /// The Graph requests it makes, in order (most steps make one; removing a configuration's
    /// scope makes one per assignment).
    pub requests: Vec<StepRequest>,
    /// Users the step will soft-delete in another tenant (counted before the scope changes), with
    /// that tenant's name.
    pub deprovisions: Option<(usize, String)>,
    /// Entra roles that may make it (any one).
    pub roles: Vec<String>,
    /// Why the session may not make it now (not signed in there, role), if it may not.
    pub refused: Option<String>,
    /// For a step that removes a configuration's scope: who the next sync cycle would then
    /// soft-delete in the target, in a sentence, or why that is unknown (as [`Restore::what_if`]).
    #[serde(default)]
    pub what_if: Option<String>,
    /// A few of the users it names, one line per outcome.
    #[serde(default)]
    pub what_if_names: Vec<String>,
    /// The tenant the what-if is about.
    #[serde(default)]
    pub what_if_target: Option<String>,
}

/// What remains of a tenant's MTO relationships on each side, as the ordered steps that remove
/// it: scope and sync first (so the soft-deletions are counted and seen before they happen), then
/// identity sync before its partner configuration (Graph refuses the other order), templates
/// last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TeardownPlan {
    pub tenant_id: String,
    pub tenant_name: String,
    /// "left the organization", "removal pending", "still an active member".
    pub membership: String,
    pub steps: Vec<TeardownStep>,
    /// Tenants or parts that could not be read (their leftovers are not in the plan).
    pub unread: Vec<String>,
}

/// One Graph request of a step, as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRequest {
    /// `DELETE /policies/crossTenantAccessPolicy/partners/…`
    pub request: String,
    /// The body, pretty-printed.
    pub body: Option<String>,
}
