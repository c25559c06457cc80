//! The mesh's settings and jobs in words, as the tenant and pair pages show them.

use super::time;
use super::view::{Access, PartnerSide, Switch, SyncSummary};

/// An access setting and where it comes from, e.g. `allowed (default)`.
pub fn access_text(access: &Access) -> String {
    if access.inherited {
        format!("{} (default)", access.value)
    } else {
        access.value.clone()
    }
}

/// A switch and where its value comes from, e.g. `yes`, `not set (default)`.
pub fn switch_text(switch: &Switch) -> String {
    let value = match switch.value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not set",
    };
    if switch.inherited {
        format!("{value} (default)")
    } else {
        value.to_owned()
    }
}

/// Whether the identity sync policy lets the partner sync users in.
pub fn sync_allowed_text(side: &PartnerSide) -> String {
    match (side.has_identity_sync, side.inbound_sync_allowed) {
        (false, _) => "no identity sync policy".into(),
        (true, Some(true)) => "allowed".into(),
        (true, Some(false)) => "not allowed".into(),
        (true, None) => "not set".into(),
    }
}

/// A job's status line: status, schedule, last run, users.
pub fn job_line(job: &SyncSummary, now: i64) -> String {
    let mut parts = vec![format!("{} ({})", job.status, job.schedule_state)];
    if let Some(run) = &job.last_run {
        parts.push(format!(
            "last run {} {}",
            time::ago(run, now).unwrap_or_else(|| run.clone()),
            job.last_run_state
                .as_ref()
                .map_or_else(String::new, ToString::to_string)
        ));
    }
    parts.push(format!("{} users synced", job.synchronized_users));
    if let Some(q) = &job.quarantine {
        parts.push(format!(
            "quarantine: {}{}",
            q.reason,
            q.error
                .as_ref()
                .map(|e| format!(" — {} ({})", e.message, e.code))
                .unwrap_or_default()
        ));
    } else if let Some(e) = &job.last_error {
        parts.push(format!("last error: {} ({})", e.message, e.code));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inherited_values_say_so() {
        assert_eq!(
            switch_text(&Switch {
                value: Some(true),
                inherited: true
            }),
            "yes (default)"
        );
        assert_eq!(
            access_text(&Access {
                value: "blocked".into(),
                inherited: false
            }),
            "blocked"
        );
    }
}
