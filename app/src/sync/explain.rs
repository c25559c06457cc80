//! A job's status in plain words: what the quarantine reason or error means, what the provisioning
//! service does meanwhile, and what to fix in which tenant.
//!
//! Sources: `microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/synchronization-synchronizationstatus.md`,
//! `api-reference/v1.0/resources/synchronization-synchronizationquarantine.md` and
//! `api-reference/v1.0/resources/synchronization-synchronizationerror.md` (status, quarantine
//! reasons, the policy-check error) and Microsoft's "Application provisioning in quarantine status"
//! article: while quarantined, incremental cycles become gradually rarer, down to once a day, and a
//! job still quarantined after four weeks is disabled; the job leaves quarantine once the cause is
//! fixed and a cycle succeeds (or on restart / start, which clear the quarantine state).

use graph::sync::{ExecutionState, JobStatusCode, QuarantineReason, ScheduleState};
use serde::{Deserialize, Serialize};

use crate::mesh::view::SyncSummary;

/// Which side of the pair has to change something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    Source,
    Target,
    Both,
}

/// The status of one job, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// One line: the state and its cause.
    pub headline: String,
    /// What the reason or error code means.
    pub meaning: String,
    /// What the provisioning service does while things stay as they are.
    pub meanwhile: String,
    /// What to do about it, and where.
    pub fix: String,
    pub fix_in: Option<Side>,
}

/// The error code the provisioning service reports when the cross-tenant access settings do not
/// allow the sync (`microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/resources/synchronization-synchronizationerror.md`; troubleshooting in
/// `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`).
pub const POLICY_CHECK_FAILURE: &str = "AzureDirectoryB2BManagementPolicyCheckFailure";

const QUARANTINE_MEANWHILE: &str =
    "While a job is quarantined, the provisioning service keeps trying \
     but less and less often, down to once a day; if it is still quarantined after four weeks, \
     the job is disabled and stops running. Nothing is provisioned meanwhile.";

/// What a quarantine reason means and what to do (`microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/resources/synchronization-synchronizationquarantine.md` lists the reasons).
fn reason(reason: &QuarantineReason) -> (&'static str, &'static str, Option<Side>) {
    match reason {
        QuarantineReason::EncounteredBaseEscrowThreshold
        | QuarantineReason::EncounteredTotalEscrowThreshold
        | QuarantineReason::EncounteredEscrowProportionThreshold => (
            "Too many users failed to provision (escrows): the share or number of failures crossed the service's threshold.",
            "Read the failures in the provisioning log below, fix their cause (usually in the target tenant), then restart the job resetting its escrows.",
            Some(Side::Both),
        ),
        QuarantineReason::EncounteredQuarantineException => (
            "The service met an error it cannot retry its way out of — for cross-tenant sync, usually settings that do not allow it.",
            "Fix the error shown, then restart the job.",
            Some(Side::Both),
        ),
        QuarantineReason::QuarantinedOnDemand => (
            "An administrator or a client put the job into quarantine on purpose.",
            "Start or restart the job once it should run again.",
            Some(Side::Source),
        ),
        QuarantineReason::TooManyDeletes => (
            "A cycle would have deleted more users than the accidental-deletion threshold allows.",
            "Check why so many users left the scope (assignments, scoping filters); if the deletions are intended, restart with ForceDeletes.",
            Some(Side::Source),
        ),
        QuarantineReason::IngestionInterrupted => (
            "Reading the source directory was interrupted.",
            "Usually transient: restart the job; if it returns, check the source tenant's service health.",
            Some(Side::Source),
        ),
        QuarantineReason::Unknown(_) => (
            "The service did not say why (reason Unknown).",
            "Look at the error and the provisioning log, then restart the job.",
            None,
        ),
    }
}

/// The status of `job` (a job from `source_name` to `target_name`) in plain words.
pub fn explain(job: &SyncSummary, source_name: &str, target_name: &str) -> Explanation {
    let error = job
        .quarantine
        .as_ref()
        .and_then(|q| q.error.as_ref())
        .or(job.last_error.as_ref());
    let policy_failure = error.is_some_and(|e| e.code == POLICY_CHECK_FAILURE);
    let policy_fix = format!(
        "In {target_name}'s cross-tenant access settings for {source_name}: allow users to sync into \
         {target_name} (inbound sync) and redeem invitations automatically (inbound). In \
         {source_name}'s settings for {target_name}: redeem invitations automatically (outbound). \
         Then restart the job in {source_name}."
    );
    match job.status {
        JobStatusCode::Quarantine => {
            let quarantine = job.quarantine.as_ref();
            let unknown = QuarantineReason::Unknown("Unknown".into());
            let code = quarantine.map_or(&unknown, |q| &q.reason);
            let (meaning, fix, fix_in) = reason(code);
            let cause = error.map_or_else(String::new, |e| format!(": {} ({})", e.message, e.code));
            let (meaning, fix, fix_in) = if policy_failure {
                (
                    format!(
                        "The cross-tenant access settings do not allow this sync: {target_name} must \
                         allow inbound user sync from {source_name}, and automatic redemption must be \
                         on in both tenants (inbound in {target_name}, outbound in {source_name})."
                    ),
                    policy_fix,
                    Some(Side::Both),
                )
            } else {
                (meaning.to_owned(), fix.to_owned(), fix_in)
            };
            let since = quarantine
                .and_then(|q| q.since.as_deref())
                .map(|s| format!(" Quarantined since {s}, {} attempts in this series.", quarantine.map_or(0, |q| q.series_count)))
                .unwrap_or_default();
            Explanation {
                headline: format!("Quarantined ({code}){cause}"),
                meaning,
                meanwhile: format!("{QUARANTINE_MEANWHILE}{since}"),
                fix,
                fix_in,
            }
        }
        JobStatusCode::Paused => Explanation {
            headline: if job.schedule_state == ScheduleState::Disabled {
                "Not started".into()
            } else {
                "Paused".into()
            },
            meaning: "The job is not running: a new job starts disabled, and a paused job keeps its state.".into(),
            meanwhile: format!("No user of {source_name} is provisioned into {target_name} until the job is started."),
            fix: format!("Start the job in {source_name}."),
            fix_in: Some(Side::Source),
        },
        JobStatusCode::NotRun => Explanation {
            headline: "Started; the first cycle has not completed yet".into(),
            meaning: "The first (initial) cycle reads every user in scope; it can take a while for large scopes.".into(),
            meanwhile: "Cycles then run every 40 minutes.".into(),
            fix: "Nothing to do yet.".into(),
            fix_in: None,
        },
        JobStatusCode::NotConfigured => Explanation {
            headline: "No job".into(),
            meaning: format!("{source_name} has a sync configuration for {target_name} without a provisioning job."),
            meanwhile: "Nothing is provisioned.".into(),
            fix: format!("Create the job in {source_name} (Entra admin center, Cross-tenant synchronization)."),
            fix_in: Some(Side::Source),
        },
        _ if job.successive_failures > 0
            || job.last_run_state == Some(ExecutionState::Failed) =>
        {
            Explanation {
                headline: format!(
                    "Active, but the last {} failed{}",
                    if job.successive_failures > 1 { format!("{} runs", job.successive_failures) } else { "run".into() },
                    error.map_or_else(String::new, |e| format!(": {} ({})", e.message, e.code))
                ),
                meaning: if policy_failure {
                    "The cross-tenant access settings do not allow this sync.".into()
                } else {
                    "Runs are failing; the service quarantines a job that keeps failing.".into()
                },
                meanwhile: "The service keeps running cycles every 40 minutes.".into(),
                fix: if policy_failure { policy_fix } else { "Read the failures in the provisioning log.".into() },
                fix_in: Some(if policy_failure { Side::Both } else { Side::Source }),
            }
        }
        _ => Explanation {
            headline: "Active".into(),
            meaning: format!("Users in scope in {source_name} are provisioned into {target_name} as they change."),
            meanwhile: "Cycles run every 40 minutes.".into(),
            fix: "Nothing to do.".into(),
            fix_in: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::model::tests::job;
    use crate::mesh::view::{ErrorSummary, QuarantineSummary};

    #[test]
    fn a_policy_quarantine_names_both_tenants_and_what_to_change() {
        let mut quarantined = job("t", "Quarantine");
        quarantined.quarantine = Some(QuarantineSummary {
            reason: QuarantineReason::EncounteredQuarantineException,
            since: Some("2026-11-30T10:00:00Z".into()),
            series_count: 3,
            error: Some(ErrorSummary {
                code: POLICY_CHECK_FAILURE.into(),
                message: "Policy permitting auto-redemption of invitations not configured".into(),
            }),
        });
        let text = explain(&quarantined, "Woodgrove Bank", "Fabrikam");
        assert!(text
            .headline
            .starts_with("Quarantined (EncounteredQuarantineException)"));
        assert!(text
            .meaning
            .contains("Fabrikam must allow inbound user sync from Woodgrove Bank"));
        assert!(text.meanwhile.contains("once a day"));
        assert!(text.meanwhile.contains("four weeks"));
        assert!(text.fix.contains("restart the job in Woodgrove Bank"));
        assert_eq!(text.fix_in, Some(Side::Both));
    }

    #[test]
    fn other_reasons_and_states_are_explained() {
        let mut deletes = job("t", "Quarantine");
        deletes.quarantine = Some(QuarantineSummary {
            reason: QuarantineReason::TooManyDeletes,
            since: None,
            series_count: 1,
            error: None,
        });
        assert!(explain(&deletes, "A", "B").fix.contains("ForceDeletes"));
        let mut paused = job("t", "Paused");
        paused.schedule_state = "Disabled".into();
        assert_eq!(explain(&paused, "A", "B").headline, "Not started");
        assert_eq!(explain(&job("t", "Active"), "A", "B").fix_in, None);
        let mut failing = job("t", "Active");
        failing.successive_failures = 3;
        assert!(explain(&failing, "A", "B")
            .headline
            .contains("last 3 runs failed"));
    }
}
