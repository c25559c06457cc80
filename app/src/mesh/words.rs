//! The mesh's settings and jobs in words, as the tenant and pair pages show them.

use super::model::{GroupDirection, Known};
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

/// Whether the identity sync policy lets the partner sync groups in (`groupSyncInbound`).
pub fn group_sync_allowed_text(side: &PartnerSide) -> String {
    match (side.has_identity_sync, side.group_sync_allowed) {
        (false, _) => "no identity sync policy".into(),
        (true, Some(true)) => "allowed".into(),
        (true, Some(false)) => "not allowed".into(),
        (true, None) => "not set (not allowed)".into(),
    }
}

/// Group sync in one direction, as lines: the target's permission, the groups in scope, synced
/// and left behind.
pub fn group_lines(groups: &GroupDirection, from: &str, to: &str) -> Vec<String> {
    let names = |list: &[String]| {
        if list.is_empty() {
            String::new()
        } else {
            format!(": {}", list.join(", "))
        }
    };
    let allowed = match &groups.allowed {
        Known::Present(Some(true)) => format!("{to} allows inbound group sync from {from}"),
        Known::Present(Some(false)) => {
            format!("{to} does not allow inbound group sync from {from}")
        }
        Known::Present(None) => {
            format!("{to} has not set inbound group sync from {from} (not allowed)")
        }
        Known::Absent => format!("{to} has no cross-tenant access settings for {from}"),
        Known::Unknown => format!("Whether {to} allows inbound group sync from {from} is unknown"),
    };
    let in_scope = match &groups.in_scope {
        Known::Present(list) if list.is_empty() => "Groups in scope: none".to_owned(),
        Known::Present(list) => format!("Groups in scope: {}{}", list.len(), names(list)),
        _ => "Groups in scope: unknown".to_owned(),
    };
    let synced = match &groups.synced {
        Known::Present(count) => format!(
            "Groups synced into {to}: {count}{}",
            names(&groups.synced_names)
        ),
        _ => format!("Groups synced into {to}: unknown"),
    };
    let mut lines = vec![allowed, in_scope, synced];
    if groups.left_behind > 0 {
        lines.push(format!(
            "Groups left behind in {to}: {} (inbound group sync was switched off; they no longer follow {from})",
            groups.left_behind
        ));
    }
    lines
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
    match job.synchronized_groups {
        0 => {}
        1 => parts.push("1 group synced".into()),
        n => parts.push(format!("{n} groups synced")),
    }
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
    fn group_lines_say_what_was_left_behind() {
        let groups = GroupDirection {
            allowed: Known::Present(Some(false)),
            in_scope: Known::Present(vec!["Sales".into(), "Design".into()]),
            synced: Known::Present(2),
            synced_names: vec!["Design".into(), "Sales".into()],
            left_behind: 2,
        };
        let lines = group_lines(&groups, "Fabrikam", "Contoso");
        assert_eq!(
            lines,
            [
                "Contoso does not allow inbound group sync from Fabrikam",
                "Groups in scope: 2: Sales, Design",
                "Groups synced into Contoso: 2: Design, Sales",
                "Groups left behind in Contoso: 2 (inbound group sync was switched off; they no longer follow Fabrikam)",
            ]
        );
        let unknown = group_lines(&GroupDirection::default(), "A", "B");
        assert!(unknown[0].ends_with("is unknown"));
        assert_eq!(unknown.len(), 3);
    }

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
