//! Cross-tenant sync, inspected and operated: the `/sync` list, the pair page's sync section
//! (status explained, scope, mappings, provisioning log), operator actions, fixes for directions
//! blocked by policy, and the MTO templates. Plain data and plain functions; the server reads Graph.

pub mod explain;
pub mod fix;
pub mod list;
pub mod mappings;
pub mod templates;

use graph::sync::{
    ProvisioningAction, ProvisioningEntry, ProvisioningResult, ProvisioningStepType,
};
use serde::{Deserialize, Serialize};

use crate::api::audit::AuditAction;
use crate::mesh::model::Known;
use crate::mesh::view::SyncSummary;

/// Someone or something the job's scope includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assigned {
    pub name: String,
    /// `User` or `Group`.
    pub kind: String,
}

/// Who is in scope: assignments and the scoping filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// `false` for "sync only assigned users and groups" (`SyncAll` secret); `None` when unreadable.
    pub sync_all: Option<bool>,
    pub assigned: Vec<Assigned>,
    /// One sentence per filter group; a user matching any of them is in scope.
    pub filters: Vec<String>,
}

impl Scope {
    /// Whether a group is assigned (its direct members are in scope).
    pub fn has_groups(&self) -> bool {
        self.assigned
            .iter()
            .any(|a| a.kind.eq_ignore_ascii_case("Group"))
    }
}

/// What an admin must know about groups in a sync scope (security groups only, no nesting:
/// `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md` and
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`).
pub const GROUP_SCOPE_NOTE: &str = "A group brings in its direct members only: members of a group nested inside it are not synced. Only security groups can be assigned.";

/// One step of a provisioning attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    pub kind: ProvisioningStepType,
    pub status: ProvisioningResult,
    pub description: Option<String>,
}

/// One provisioning log entry, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: String,
    pub at: String,
    pub action: ProvisioningAction,
    /// `None` when the entry has no status information.
    pub status: Option<ProvisioningResult>,
    pub source_user: Option<String>,
    pub target_user: Option<String>,
    pub error_code: Option<String>,
    pub reason: Option<String>,
    pub recommended_action: Option<String>,
    pub steps: Vec<Step>,
}

impl LogEntry {
    pub fn from_graph(entry: &ProvisioningEntry) -> Self {
        let error = entry
            .provisioning_status_info
            .as_ref()
            .and_then(|s| s.error_information.as_ref());
        let who = |party: &Option<graph::sync::ProvisioningParty>| {
            party
                .as_ref()
                .map(|p| match (p.display_name.as_deref(), p.id.as_deref()) {
                    (Some(name), Some(id)) => format!("{name} ({id})"),
                    (Some(name), None) => name.to_owned(),
                    (None, Some(id)) => id.to_owned(),
                    (None, None) => "unknown".to_owned(),
                })
        };
        Self {
            id: entry.id.clone(),
            at: entry.activity_date_time.clone(),
            action: entry.provisioning_action.clone(),
            status: entry
                .provisioning_status_info
                .as_ref()
                .map(|s| s.status.clone()),
            source_user: who(&entry.source_identity),
            target_user: who(&entry.target_identity),
            error_code: error.and_then(|e| e.error_code.clone()),
            reason: error.and_then(|e| e.reason.clone()),
            recommended_action: error.and_then(|e| e.recommended_action.clone()),
            steps: steps(&entry.provisioning_steps),
        }
    }
}

pub fn steps(steps: &[graph::sync::ProvisioningStep]) -> Vec<Step> {
    steps
        .iter()
        .map(|s| Step {
            name: s.name.clone(),
            kind: s.provisioning_step_type.clone(),
            status: s.status.clone(),
            description: s.description.clone(),
        })
        .collect()
}

/// An ISO 8601 schedule interval in words: `PT40M` → "every 40 minutes".
pub fn interval_text(interval: &str) -> String {
    let Some(rest) = interval.strip_prefix("PT") else {
        return interval.to_owned();
    };
    let (number, unit) = rest.split_at(rest.len().saturating_sub(1));
    let unit = match unit {
        "M" => "minute",
        "H" => "hour",
        "S" => "second",
        _ => return interval.to_owned(),
    };
    match number.parse::<u32>() {
        Ok(1) => format!("every {unit}"),
        Ok(n) => format!("every {n} {unit}s"),
        Err(_) => interval.to_owned(),
    }
}

/// The outcome the log is narrowed to (`provisioningStatusInfo/status`): empty for none, one of
/// Graph's known results, else 400.
pub fn log_outcome(text: Option<&str>) -> Result<Option<ProvisioningResult>, crate::api::ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => match ProvisioningResult::parse(text) {
            ProvisioningResult::Unknown(other) => Err(crate::api::ApiError::BadRequest(format!(
                "“{other}” is not an outcome; use one of {}.",
                ProvisioningResult::KNOWN
                    .iter()
                    .map(ProvisioningResult::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            known => Ok(Some(known)),
        },
    }
}

/// What the session may do with this job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Start, pause, restart, provision on demand (sync operators and admins of the source).
    pub operate: bool,
}

/// The sync section of the pair page, for `source → target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncDetail {
    /// When the mesh snapshot the job's status comes from was taken.
    pub taken_at: i64,
    pub source: String,
    pub target: String,
    pub source_name: String,
    pub target_name: String,
    pub job: Known<SyncSummary>,
    pub explanation: Option<explain::Explanation>,
    pub scope: Option<Scope>,
    pub mappings: Option<Vec<mappings::MappingRow>>,
    /// MTO-relevant mappings that are missing.
    pub missing_mappings: Vec<String>,
    pub differences: Vec<mappings::Difference>,
    pub log: Option<Vec<LogEntry>>,
    /// The outcome the log is narrowed to, if any.
    pub log_outcome: Option<ProvisioningResult>,
    /// Parts that could not be read, named.
    pub problems: Vec<String>,
    pub permissions: Permissions,
    /// Fixes for what blocks this direction, each with whether the session may apply it.
    pub fixes: Vec<(fix::Fix, bool)>,
}

/// An operator action on a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncAction {
    Start,
    Pause,
    /// `resetScope` flags, e.g. `"Watermark, Escrows, QuarantineState"`; empty = the portal's Restart.
    Restart {
        reset_scope: String,
    },
    /// One source user, by object id.
    ProvisionOnDemand {
        user_id: String,
    },
}

impl SyncAction {
    /// The audit log's name for it.
    pub fn action(&self) -> AuditAction {
        match self {
            Self::Start => AuditAction::StartSync,
            Self::Pause => AuditAction::PauseSync,
            Self::Restart { .. } => AuditAction::RestartSync,
            Self::ProvisionOnDemand { .. } => AuditAction::ProvisionOnDemand,
        }
    }
}

/// What an action came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResult {
    pub message: String,
    /// For provision on demand: the steps the service reported.
    pub steps: Vec<Step>,
}

/// A source user found for provision on demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMatch {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

/// The reset options offered for restart: (flags, label). The first is the default.
pub const RESET_CHOICES: &[(&str, &str)] = &[
    (
        "Watermark, Escrows, QuarantineState",
        "Clear quarantine, escrows and watermark (what the portal's Restart does)",
    ),
    ("QuarantineState", "Clear the quarantine only"),
    ("Full", "Full: start from scratch"),
    (
        "Watermark, Escrows, QuarantineState, ForceDeletes",
        "As the portal's Restart, and let pending deletions through",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_words() {
        assert_eq!(interval_text("PT40M"), "every 40 minutes");
        assert_eq!(interval_text("PT1H"), "every hour");
        assert_eq!(interval_text("P1D"), "P1D");
        assert_eq!(interval_text("PTxM"), "PTxM");
    }

    #[test]
    fn a_scope_has_groups_only_when_a_group_is_assigned() {
        let assigned = |kind: &str| Assigned {
            name: "x".into(),
            kind: kind.into(),
        };
        let scope = |assigned: Vec<Assigned>| Scope {
            sync_all: Some(false),
            assigned,
            filters: Vec::new(),
        };
        assert!(!scope(vec![]).has_groups());
        assert!(!scope(vec![assigned("User")]).has_groups());
        assert!(scope(vec![assigned("User"), assigned("group")]).has_groups());
    }
}
