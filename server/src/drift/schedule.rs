//! Snapshots on a schedule, by the app-only monitor: every `[monitor] snapshot_secs` (default an
//! hour) the holder of the monitor's lease reads every monitored tenant's configuration with its
//! app-only token, keeps the snapshot when the configuration changed since the last scheduled
//! one, and compares it with the baseline. The drift becomes one finding per tenant
//! (`config-drift`), on the status board and sent as alerts like every other finding.

use std::collections::BTreeMap;

use app::drift::diff::Located;
use app::mesh::health::{Finding, Severity};

/// The finding rule of drift from the baseline.
pub const RULE: &str = "config-drift";

/// Changes named in a finding's explanation (the rest are counted).
const NAMED: usize = 5;

/// One finding per tenant whose configuration differs from the baseline.
pub fn findings(drift: &[Located]) -> Vec<Finding> {
    let mut by_tenant: BTreeMap<&str, Vec<&Located>> = BTreeMap::new();
    for item in drift {
        by_tenant
            .entry(item.change.tenant_id.as_str())
            .or_default()
            .push(item);
    }
    by_tenant
        .into_iter()
        .map(|(tenant, items)| {
            let name = items
                .first()
                .map_or(tenant, |i| i.change.tenant_name.as_str());
            let mut named: Vec<String> = items
                .iter()
                .take(NAMED)
                .map(|i| {
                    let what = if i.change.field.is_empty() {
                        format!("{} {}", i.change.object_label, i.change.kind.label())
                    } else {
                        format!("{} of {}", i.change.field, i.change.object_label)
                    };
                    format!(
                        "{what}: {} → {}",
                        i.change.old.as_deref().unwrap_or("(none)"),
                        i.change.new.as_deref().unwrap_or("(none)")
                    )
                })
                .collect();
            if items.len() > NAMED {
                named.push(format!("and {} more", items.len() - NAMED));
            }
            let count = items.len();
            Finding {
                rule: RULE.to_owned(),
                severity: Severity::Warning,
                tenants: vec![tenant.to_owned()],
                title: format!(
                    "{count} {} of {name} {} from the accepted baseline",
                    if count == 1 { "setting" } else { "settings" },
                    if count == 1 { "differs" } else { "differ" }
                ),
                explanation: named.join("; "),
                fix: "Accept the change into the baseline, or restore the baseline's value, on the drift page."
                    .to_owned(),
                link: "/drift".to_owned(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::drift::{Change, ChangeKind, ObjectKind};

    fn located(tenant: &str, field: &str) -> Located {
        Located {
            change: Change {
                tenant_id: tenant.to_owned(),
                tenant_name: format!("T{tenant}"),
                object: ObjectKind::Partner,
                key: "p".into(),
                object_label: "partner Fabrikam".into(),
                kind: ChangeKind::Changed,
                field: field.to_owned(),
                old: Some("true".into()),
                new: Some("false".into()),
            },
            path: Vec::new(),
        }
    }

    #[test]
    fn drift_is_one_warning_per_tenant_naming_its_changes() {
        let mut drift: Vec<Located> = (0..7).map(|i| located("a", &format!("f{i}"))).collect();
        drift.push(located("b", "inboundTrust"));
        let found = findings(&drift);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].title,
            "7 settings of Ta differ from the accepted baseline"
        );
        assert!(found[0]
            .explanation
            .starts_with("f0 of partner Fabrikam: true → false; "));
        assert!(found[0].explanation.ends_with("and 2 more"));
        assert_eq!(
            found[1].title,
            "1 setting of Tb differs from the accepted baseline"
        );
        assert_eq!(found[1].tenants, vec!["b".to_owned()]);
        assert!(findings(&[]).is_empty());
    }
}
