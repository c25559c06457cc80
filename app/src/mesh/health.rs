//! Health findings: plain rules over the mesh. Each finding says how bad it is, which tenants are
//! involved, what is wrong in an admin's words, and where to fix it.

use graph::mto::{MemberState, TransitionStatus};
use graph::sync::JobStatusCode;
use serde::{Deserialize, Serialize};

use super::model::{Known, Mesh, Node, NodeState, TENANT_LIMIT};
use super::time;
use super::view::part;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, e.g. `sync-quarantined`.
    pub rule: String,
    pub severity: Severity,
    /// Tenant ids involved, the one to act in first.
    pub tenants: Vec<String>,
    pub title: String,
    pub explanation: String,
    /// Where to fix it.
    pub fix: String,
    /// The dashboard page with the details.
    pub link: String,
}

/// Joins can take up to two hours (`microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/api/multitenantorganizationjoinrequestrecord-update.md`; older versions of
/// `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/multi-tenant-organization-configure-graph.md` say
/// four).
pub const TRANSITION_WINDOW_SECS: i64 = 2 * 3600;
/// Active tenants from which the limit is worth a warning.
pub const LIMIT_WARNING_AT: usize = 90;

fn names(mesh: &Mesh, ids: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut list: Vec<String> = ids.iter().take(SHOWN).map(|id| mesh.name(id)).collect();
    if ids.len() > SHOWN {
        list.push(format!("{} more", ids.len() - SHOWN));
    }
    list.join(", ")
}

fn pair_link(a: &str, b: &str) -> String {
    format!("/pairs/{a}/{b}")
}

fn tenant_link(id: &str) -> String {
    format!("/tenants/{id}")
}

/// Every active tenant needs settings for every other active tenant.
fn missing_partner_configurations(mesh: &Mesh) -> Vec<Finding> {
    let active: Vec<&Node> = mesh.active().collect();
    active
        .iter()
        .filter_map(|owner| {
            let partners = mesh.partner_settings.get(&owner.tenant_id)?;
            let missing: Vec<String> = active
                .iter()
                .filter(|other| other.tenant_id != owner.tenant_id)
                .filter(|other| !partners.contains_key(&other.tenant_id))
                .map(|other| other.tenant_id.clone())
                .collect();
            (!missing.is_empty()).then(|| Finding {
                rule: "partner-configuration-missing".into(),
                severity: Severity::Warning,
                title: format!(
                    "{} has no cross-tenant access settings for {} active tenant{}",
                    owner.name,
                    missing.len(),
                    if missing.len() == 1 { "" } else { "s" }
                ),
                explanation: format!(
                    "{} inherits its default settings for {}. Members of one MTO need a partner configuration for each other (usually created with the join) so that collaboration and sync work as the MTO intends.",
                    owner.name,
                    names(mesh, &missing)
                ),
                fix: format!(
                    "In {}: Entra admin center → External Identities → Cross-tenant access settings → Organizational settings → Add organization.",
                    owner.name
                ),
                link: tenant_link(&owner.tenant_id),
                tenants: std::iter::once(owner.tenant_id.clone())
                    .chain(missing)
                    .collect(),
            })
        })
        .collect()
}

/// Sync jobs: quarantined, failing, or about to be quarantined by the policies.
fn sync_jobs(mesh: &Mesh) -> Vec<Finding> {
    let mut findings = Vec::new();
    let members: Vec<&Node> = mesh.members().collect();
    for from in &members {
        for to in members.iter().filter(|t| t.tenant_id != from.tenant_id) {
            let direction = mesh.direction(&from.tenant_id, &to.tenant_id);
            let cause = if direction.blockers.is_empty() {
                String::new()
            } else {
                format!(" The cause: {}.", direction.blockers.join("; "))
            };
            let fix_policy = format!(
                "In {to}: Cross-tenant access settings → {from} → Inbound access → Cross-tenant sync: allow users sync into this tenant; Trust settings: automatically redeem invitations. In {from}: Outbound access → Trust settings: automatically redeem invitations.",
                to = to.name,
                from = from.name
            );
            let link = pair_link(&from.tenant_id, &to.tenant_id);
            let tenants = vec![from.tenant_id.clone(), to.tenant_id.clone()];
            match &direction.job {
                Known::Present(job) if job.status == JobStatusCode::Quarantine => {
                    let quarantine = job.quarantine.as_ref();
                    let error = quarantine.and_then(|q| q.error.as_ref());
                    findings.push(Finding {
                        rule: "sync-quarantined".into(),
                        severity: Severity::Error,
                        tenants,
                        title: format!("Sync {} → {} is quarantined", from.name, to.name),
                        explanation: format!(
                            "The job {} is in quarantine{}{}: Microsoft retries it with growing delays and syncs nobody until the cause is fixed.{}",
                            job.name,
                            quarantine
                                .and_then(|q| q.since.as_deref())
                                .and_then(|since| time::ago(since, mesh.taken_at))
                                .map(|age| format!(" since {age}"))
                                .unwrap_or_default(),
                            error
                                .map(|e| format!(" with {} (\"{}\")", e.code, e.message))
                                .unwrap_or_default(),
                            cause
                        ),
                        fix: if direction.blockers.is_empty() {
                            format!("Fix the error in {}, then restart the job (Sync page).", from.name)
                        } else {
                            format!("{fix_policy} Then restart the job in {}.", from.name)
                        },
                        link,
                    });
                }
                Known::Present(job) if !direction.blockers.is_empty() => findings.push(Finding {
                    rule: "sync-blocked-by-policy".into(),
                    severity: Severity::Error,
                    tenants,
                    title: format!(
                        "Sync {} → {} will be quarantined by policy",
                        from.name, to.name
                    ),
                    explanation: format!(
                        "The job {} runs, but the policies do not let it provision anyone.{cause} Its next cycle fails with AzureDirectoryB2BManagementPolicyCheckFailure and the job goes to quarantine.",
                        job.name
                    ),
                    fix: fix_policy,
                    link,
                }),
                Known::Present(job) if job.successive_failures >= 2 => findings.push(Finding {
                    rule: "sync-failing".into(),
                    severity: Severity::Error,
                    tenants,
                    title: format!("Sync {} → {} keeps failing", from.name, to.name),
                    explanation: format!(
                        "The last {} runs of {} failed{}.",
                        job.successive_failures,
                        job.name,
                        job.last_error
                            .as_ref()
                            .map(|e| format!(" ({}: {})", e.code, e.message))
                            .unwrap_or_default()
                    ),
                    fix: format!("See the provisioning log of {} on the Sync page.", from.name),
                    link,
                }),
                Known::Unknown
                    if !direction.blockers.is_empty()
                        && from.state == NodeState::Active
                        && to.state == NodeState::Active =>
                {
                    findings.push(Finding {
                        rule: "sync-blocked-by-policy".into(),
                        severity: Severity::Warning,
                        tenants,
                        title: format!(
                            "Sync {} → {} is blocked by policy: a job would be quarantined",
                            from.name, to.name
                        ),
                        explanation: format!(
                            "{}'s {}, so whether it syncs to {} is unknown. If it does, the job is quarantined with AzureDirectoryB2BManagementPolicyCheckFailure.{cause}",
                            from.name,
                            why_unknown(from),
                            to.name
                        ),
                        fix: format!("{fix_policy} {}", how_to_know(from)),
                        link,
                    });
                }
                _ => {}
            }
        }
    }
    findings
}

/// Why a tenant's sync configurations are not known.
fn why_unknown(node: &Node) -> &'static str {
    if node.restricted.iter().any(|r| r.part == part::SYNC) {
        "sync configurations cannot be seen with the signed-in role"
    } else if node.side_known {
        "sync configurations could not be read"
    } else {
        "own side is not signed in"
    }
}

/// What would make a tenant's sync configurations known.
fn how_to_know(node: &Node) -> String {
    if node.restricted.iter().any(|r| r.part == part::SYNC) {
        format!(
            "Someone in {} with one of {} can see its job.",
            node.name,
            graph::roles::ReadArea::Sync.needs()
        )
    } else {
        format!("Sign in to {} to see its job.", node.name)
    }
}

/// Active tenants syncing one way only.
fn one_directional_sync(mesh: &Mesh) -> Vec<Finding> {
    let active: Vec<&Node> = mesh.active().collect();
    let mut findings = Vec::new();
    for a in &active {
        for b in active.iter().filter(|b| b.tenant_id != a.tenant_id) {
            let forward = mesh.job(&a.tenant_id, &b.tenant_id);
            let backward = mesh.job(&b.tenant_id, &a.tenant_id);
            if forward.present().is_some() && matches!(backward, Known::Absent) {
                findings.push(Finding {
                    rule: "sync-one-directional".into(),
                    severity: Severity::Info,
                    tenants: vec![b.tenant_id.clone(), a.tenant_id.clone()],
                    title: format!(
                        "{} syncs users to {}, but not the other way",
                        a.name, b.name
                    ),
                    explanation: format!(
                        "People in {} see {}'s users in their address list; people in {} do not see {}'s. That may be intended; in an MTO it usually is not.",
                        b.name, a.name, a.name, b.name
                    ),
                    fix: format!(
                        "In {}: Microsoft 365 admin center → Multitenant collaboration → share users with {} (or create a cross-tenant sync configuration).",
                        b.name, a.name
                    ),
                    link: pair_link(&b.tenant_id, &a.tenant_id),
                });
            }
        }
    }
    findings
}

/// `n group` / `n groups`.
fn groups_count(n: usize) -> String {
    format!("{n} group{}", if n == 1 { "" } else { "s" })
}

/// Names in a sentence, at most a few.
fn listed(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut list: Vec<String> = names.iter().take(SHOWN).cloned().collect();
    if names.len() > SHOWN {
        list.push(format!("{} more", names.len() - SHOWN));
    }
    list.join(", ")
}

/// Group sync (`microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/beta/resources/crosstenantgroupsyncinbound.md`: switching inbound group sync off
/// "stops any current group synchronization" and "has no impact on existing groups that were
/// synchronized"): groups left behind in a target that switched it off, and groups in scope that
/// the target does not allow.
fn group_sync(mesh: &Mesh) -> Vec<Finding> {
    let mut findings = Vec::new();
    let members: Vec<&Node> = mesh.members().collect();
    for from in &members {
        for to in members.iter().filter(|t| t.tenant_id != from.tenant_id) {
            let groups = mesh.group_sync(&from.tenant_id, &to.tenant_id);
            let job_name = mesh
                .job(&from.tenant_id, &to.tenant_id)
                .present()
                .map(|j| j.name.clone())
                .unwrap_or_else(|| "its sync configuration".into());
            let allow = format!(
                "In {to}: Cross-tenant access settings → {from} → Inbound access → Cross-tenant sync: allow groups to be synchronized into this tenant (identity sync policy groupSyncInbound).",
                to = to.name,
                from = from.name
            );
            let tenants = vec![to.tenant_id.clone(), from.tenant_id.clone()];
            let link = pair_link(&from.tenant_id, &to.tenant_id);
            if groups.left_behind > 0 {
                let count = usize::try_from(groups.left_behind).unwrap_or(usize::MAX);
                let named = if groups.synced_names.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", listed(&groups.synced_names))
                };
                findings.push(Finding {
                    rule: "groups-left-behind".into(),
                    severity: Severity::Warning,
                    tenants,
                    title: format!(
                        "{} left behind in {} after inbound group sync from {} was switched off",
                        groups_count(count),
                        to.name,
                        from.name
                    ),
                    explanation: format!(
                        "{to} no longer allows {from} to synchronize groups into it. The {groups}{named} that {job} created there stay as they were: members who join or leave them in {from} are not added or removed in {to}, and a group taken out of the scope is not deleted. Users still synchronize.",
                        to = to.name,
                        from = from.name,
                        groups = groups_count(count),
                        job = job_name,
                    ),
                    fix: format!(
                        "{allow} Or, if {to} should not have them, delete the groups in {to} and remove them from the scope of {job} in {from}.",
                        to = to.name,
                        from = from.name,
                        job = job_name,
                    ),
                    link,
                });
            } else if !groups.refused_in_scope().is_empty() {
                let in_scope = groups.refused_in_scope();
                findings.push(Finding {
                    rule: "groups-not-allowed".into(),
                    severity: Severity::Warning,
                    tenants,
                    title: format!(
                        "{} → {}: {} in scope, but {} does not allow inbound group sync",
                        from.name,
                        to.name,
                        groups_count(in_scope.len()),
                        to.name
                    ),
                    explanation: format!(
                        "{job} in {from} provisions groups ({names}), but {to}'s identity sync policy for {from} does not allow groups to be synchronized into it: every cycle skips them. Their members are still synchronized as users.",
                        job = job_name,
                        from = from.name,
                        to = to.name,
                        names = listed(in_scope),
                    ),
                    fix: format!(
                        "{allow} Or, in {from}: turn group provisioning off in the configuration's mappings (Provision Microsoft Entra ID Groups).",
                        from = from.name
                    ),
                    link,
                });
            }
        }
    }
    findings
}

/// Joins, role changes and removals that failed, take too long, or wait for the other admin.
fn transitions(mesh: &Mesh) -> Vec<Finding> {
    let mut findings = Vec::new();
    for node in mesh.members() {
        let link = tenant_link(&node.tenant_id);
        match &node.transition {
            Some(t) if t.status == TransitionStatus::Failed => findings.push(Finding {
                rule: "transition-failed".into(),
                severity: Severity::Error,
                tenants: vec![node.tenant_id.clone()],
                title: format!(
                    "{}: {} failed",
                    node.name,
                    transition_name(t.desired_state.as_ref())
                ),
                explanation: format!(
                    "Microsoft reported: {}",
                    t.details.as_deref().unwrap_or("no details given")
                ),
                fix: format!(
                    "Read the reason, fix it, then reset {}'s join request and join again (Joins page).",
                    node.name
                ),
                link,
            }),
            // Added and not joined yet: Graph shows a join that has not started; that is the
            // pending join below, not a slow transition.
            Some(t) if t.in_progress() && !awaits_join(node, t) => {
                let started = t
                    .observed_since
                    .or_else(|| node.added.as_deref().and_then(time::parse));
                if let Some(age) = started
                    .map(|s| mesh.taken_at - s)
                    .filter(|age| *age > TRANSITION_WINDOW_SECS)
                {
                    findings.push(Finding {
                        rule: "transition-slow".into(),
                        severity: Severity::Warning,
                        tenants: vec![node.tenant_id.clone()],
                        title: format!(
                            "{}: {} has been {} for {}",
                            node.name,
                            transition_name(t.desired_state.as_ref()),
                            t.status,
                            time::duration(age)
                        ),
                        explanation: "Microsoft documents up to two hours for a join (older documentation says four). Longer usually means the request is stuck.".into(),
                        fix: "Check the join request in both tenants; if it stays, reset it and join again, or contact Microsoft support.".into(),
                        link,
                    });
                }
            }
            _ if node.state == NodeState::Pending => findings.push(Finding {
                rule: "join-pending".into(),
                severity: Severity::Info,
                tenants: vec![node.tenant_id.clone()],
                title: format!("{} was added but has not joined", node.name),
                explanation: format!(
                    "{} is pending{}: it is hidden from the organization until its own admin joins.",
                    node.name,
                    node.added
                        .as_deref()
                        .and_then(|added| time::ago(added, mesh.taken_at))
                        .map(|age| format!(" (added {age})"))
                        .unwrap_or_default()
                ),
                fix: format!(
                    "An admin of {} signs in and approves the join request on the Joins page.",
                    node.name
                ),
                link,
            }),
            _ => {}
        }
    }
    findings
}

fn awaits_join(node: &Node, transition: &crate::mesh::model::Transition) -> bool {
    node.state == NodeState::Pending
        && transition.status == TransitionStatus::NotStarted
        && transition.desired_state == Some(MemberState::Active)
}

fn transition_name(desired_state: Option<&MemberState>) -> &'static str {
    match desired_state {
        Some(MemberState::Active) => "joining",
        Some(MemberState::Removed) => "removal",
        _ => "role change",
    }
}

fn ownership_and_limits(mesh: &Mesh) -> Vec<Finding> {
    let mut findings = Vec::new();
    let owners: Vec<&Node> = mesh.active().filter(|n| n.is_owner()).collect();
    if let [owner] = owners.as_slice() {
        findings.push(Finding {
            rule: "single-owner".into(),
            severity: Severity::Warning,
            tenants: vec![owner.tenant_id.clone()],
            title: format!("{} is the only active owner", owner.name),
            explanation: format!(
                "If {} is lost or needs to leave, nobody can add tenants or change roles; an owner may only leave when another active owner remains.",
                owner.name
            ),
            fix: format!("In {}: make a second tenant an owner (Joins page).", owner.name),
            link: tenant_link(&owner.tenant_id),
        });
    }
    let active = mesh.active().count();
    if active >= LIMIT_WARNING_AT {
        findings.push(Finding {
            rule: "tenant-limit".into(),
            severity: if active >= TENANT_LIMIT {
                Severity::Error
            } else {
                Severity::Warning
            },
            tenants: Vec::new(),
            title: format!("{active} of {TENANT_LIMIT} active tenants"),
            explanation: "An MTO holds at most 100 active tenants; joins beyond that fail.".into(),
            fix: "Remove tenants that no longer need to be members before adding more.".into(),
            link: "/".into(),
        });
    }
    findings
}

/// `isInMultiTenantOrganization` that disagrees with the member list.
fn mto_flags(mesh: &Mesh) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (owner, partners) in &mesh.partner_settings {
        let Some(owner_node) = mesh.node(owner).filter(|n| n.state == NodeState::Active) else {
            continue;
        };
        for (partner, side) in partners {
            let partner_node = mesh.node(partner);
            let member = partner_node.is_some_and(|n| n.in_mto());
            let active = partner_node.is_some_and(|n| n.state == NodeState::Active);
            let (title, explanation) = if side.is_in_mto == Some(true) && !member {
                (
                    format!("{} treats {} as an MTO member", owner_node.name, mesh.name(partner)),
                    format!(
                        "{}'s settings for {} are flagged as part of the multitenant organization, but {} is not in it (any more).",
                        owner_node.name,
                        mesh.name(partner),
                        mesh.name(partner)
                    ),
                )
            } else if side.is_in_mto != Some(true) && active {
                (
                    format!("{}'s settings for {} are not flagged as MTO", owner_node.name, mesh.name(partner)),
                    format!(
                        "{} is an active member, but {}'s partner configuration for it has isInMultiTenantOrganization unset; the MTO templates and Microsoft 365 features do not treat it as a member.",
                        mesh.name(partner),
                        owner_node.name
                    ),
                )
            } else {
                continue;
            };
            findings.push(Finding {
                rule: "mto-flag-mismatch".into(),
                severity: Severity::Warning,
                tenants: vec![owner.clone(), partner.clone()],
                title,
                explanation,
                fix: format!(
                    "In {}: review the partner configuration for {}.",
                    owner_node.name,
                    mesh.name(partner)
                ),
                link: pair_link(owner, partner),
            });
        }
    }
    findings
}

/// All findings, worst first.
pub fn findings(mesh: &Mesh) -> Vec<Finding> {
    let mut all = Vec::new();
    all.extend(sync_jobs(mesh));
    all.extend(transitions(mesh));
    all.extend(missing_partner_configurations(mesh));
    all.extend(ownership_and_limits(mesh));
    all.extend(mto_flags(mesh));
    all.extend(one_directional_sync(mesh));
    all.extend(group_sync(mesh));
    all.sort_by_key(|f| f.severity);
    all
}

/// Findings of one rule as a list shows them: the first few, and the rest folded away.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingGroup {
    pub shown: Vec<Finding>,
    pub folded: Vec<Finding>,
}

/// Findings a rule shows before the rest of its findings are folded (at 100 tenants a ring of
/// one-way sync alone makes a hundred).
pub const SHOWN_PER_RULE: usize = 3;

/// `findings` grouped by rule in the order each rule first appears (the list's order is kept
/// within a rule); of a rule with more than `shown` + 1 findings, the first `shown` are shown
/// and the rest folded (folding a single one would not save a line).
pub fn fold_by_rule(findings: Vec<Finding>, shown: usize) -> Vec<FindingGroup> {
    let mut groups: Vec<(String, Vec<Finding>)> = Vec::new();
    for finding in findings {
        match groups.iter_mut().find(|(rule, _)| *rule == finding.rule) {
            Some((_, members)) => members.push(finding),
            None => groups.push((finding.rule.clone(), vec![finding])),
        }
    }
    groups
        .into_iter()
        .map(|(_, mut members)| {
            let folded = if members.len() > shown + 1 {
                members.split_off(shown)
            } else {
                Vec::new()
            };
            FindingGroup {
                shown: members,
                folded,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::mesh::model::tests::{job, member, members, reading, side, A, B, C, D};
    use crate::mesh::model::{build, Reading};
    use crate::mesh::view::ErrorSummary;
    use crate::mesh::view::QuarantineSummary;
    use graph::mto::TransitionDetails;

    fn mesh(readings: &[Reading]) -> Mesh {
        build(readings, &HashMap::new(), &HashMap::new(), 1_800_000_000)
    }

    fn rules(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.rule.as_str()).collect()
    }

    fn finding(rule: &str, title: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Info,
            tenants: Vec::new(),
            title: title.into(),
            explanation: String::new(),
            fix: String::new(),
            link: String::new(),
        }
    }

    fn titles(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.title.as_str()).collect()
    }

    #[test]
    fn a_rule_with_many_findings_shows_the_first_and_folds_the_rest() {
        let mut list = vec![finding("quarantined", "q1")];
        list.extend((1..=6).map(|n| finding("one-way", &format!("w{n}"))));
        list.push(finding("quarantined", "q2"));
        list.extend((1..=4).map(|n| finding("flag", &format!("f{n}"))));
        let groups = fold_by_rule(list, 3);
        assert_eq!(
            groups.len(),
            3,
            "one group a rule, in the order rules appear"
        );
        assert_eq!(titles(&groups[0].shown), ["q1", "q2"]);
        assert!(groups[0].folded.is_empty());
        assert_eq!(titles(&groups[1].shown), ["w1", "w2", "w3"]);
        assert_eq!(titles(&groups[1].folded), ["w4", "w5", "w6"]);
        // One more than shown: folding one would not save a line.
        assert_eq!(titles(&groups[2].shown), ["f1", "f2", "f3", "f4"]);
        assert!(groups[2].folded.is_empty());
    }

    fn healthy(id: &str, others: &[&str]) -> Reading {
        reading(
            id,
            members(),
            others
                .iter()
                .map(|o| side(o, Some(true), Some(true)))
                .collect(),
            others.iter().map(|o| job(o, "Active")).collect(),
        )
    }

    #[test]
    fn a_healthy_mesh_only_reports_the_single_owner_and_the_pending_join() {
        let all = findings(&mesh(&[
            healthy(A, &[B, C]),
            healthy(B, &[A, C]),
            healthy(C, &[A, B]),
        ]));
        assert_eq!(rules(&all), ["single-owner", "join-pending"]);
        assert_eq!(all[1].tenants, [D]);
    }

    #[test]
    fn a_missing_partner_configuration_is_reported_once_per_tenant() {
        let all = findings(&mesh(&[
            reading(A, members(), vec![], vec![]),
            healthy(B, &[A, C]),
        ]));
        let missing: Vec<&Finding> = all
            .iter()
            .filter(|f| f.rule == "partner-configuration-missing")
            .collect();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].tenants, [A, B, C]);
        assert!(missing[0].title.contains("2 active tenants"));
    }

    #[test]
    fn a_quarantined_job_is_explained_with_its_policy_cause() {
        let mut quarantined = job(B, "Quarantine");
        quarantined.quarantine = Some(QuarantineSummary {
            reason: "EncounteredQuarantineException".into(),
            since: Some("2026-01-01T00:00:00Z".into()),
            series_count: 4,
            error: Some(ErrorSummary {
                code: "AzureDirectoryB2BManagementPolicyCheckFailure".into(),
                message: "Policy permitting auto-redemption of invitations not configured".into(),
            }),
        });
        let all = findings(&mesh(&[
            reading(
                A,
                members(),
                vec![side(B, Some(true), Some(true))],
                vec![quarantined],
            ),
            reading(B, members(), vec![side(A, Some(false), None)], vec![]),
        ]));
        let finding = all.iter().find(|f| f.rule == "sync-quarantined").unwrap();
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!(finding.tenants, [A, B]);
        assert!(finding
            .explanation
            .contains("AzureDirectoryB2BManagementPolicyCheckFailure"));
        assert!(finding
            .explanation
            .contains("does not allow users of Alpha"));
        assert_eq!(finding.link, format!("/pairs/{A}/{B}"));
        // Not twice for the same direction (other directions may have their own findings).
        assert!(
            !all.iter()
                .any(|f| f.rule == "sync-blocked-by-policy" && f.link == finding.link),
            "not twice"
        );
    }

    #[test]
    fn a_refusal_seen_from_the_target_alone_warns_about_quarantine() {
        let all = findings(&mesh(&[
            reading(A, members(), vec![side(B, Some(true), Some(true))], vec![]),
            reading(
                B,
                members(),
                vec![side(A, Some(true), Some(true)), side(C, Some(false), None)],
                vec![],
            ),
            reading(
                C,
                members(),
                vec![side(B, Some(true), Some(true))],
                vec![job(B, "Active")],
            ),
        ]));
        let blocked = all
            .iter()
            .find(|f| f.rule == "sync-blocked-by-policy")
            .unwrap();
        assert_eq!(blocked.severity, Severity::Error, "C's job is known");
        assert!(blocked.title.contains("Gamma → Beta"));
    }

    #[test]
    fn one_way_sync_failing_jobs_and_transitions_are_reported() {
        let mut failing = job(C, "Active");
        failing.successive_failures = 3;
        let mut list = members();
        list[3].transition_details = Some(TransitionDetails {
            desired_role: Some("member".into()),
            desired_state: Some("active".into()),
            status: Some("failed".into()),
            details: Some("Tenant is already in another MTO".into()),
        });
        let all = findings(&mesh(&[
            reading(
                A,
                list,
                vec![
                    side(B, Some(true), Some(true)),
                    side(C, Some(true), Some(true)),
                ],
                vec![job(B, "Active"), failing],
            ),
            reading(B, members(), vec![side(A, Some(true), Some(true))], vec![]),
        ]));
        let rules = rules(&all);
        assert!(rules.contains(&"sync-one-directional"));
        assert!(rules.contains(&"sync-failing"));
        let failed = all.iter().find(|f| f.rule == "transition-failed").unwrap();
        assert!(failed.explanation.contains("already in another MTO"));
    }

    #[test]
    fn a_tenant_added_long_ago_and_not_joined_is_a_pending_join_not_a_slow_transition() {
        let mut list = members();
        list[3].transition_details = Some(TransitionDetails {
            desired_role: Some("member".into()),
            desired_state: Some("active".into()),
            status: Some("notStarted".into()),
            details: None,
        });
        let all = findings(&mesh(&[reading(A, list.clone(), vec![], vec![])]));
        assert!(rules(&all).contains(&"join-pending"), "{:?}", rules(&all));
        assert!(!rules(&all).contains(&"transition-slow"));
        // Once the join runs, it is a transition again.
        list[3].transition_details = Some(TransitionDetails {
            status: Some("running".into()),
            ..list[3].transition_details.clone().unwrap()
        });
        let all = findings(&mesh(&[reading(A, list, vec![], vec![])]));
        assert!(
            rules(&all).contains(&"transition-slow"),
            "{:?}",
            rules(&all)
        );
    }

    #[test]
    fn slow_transitions_and_flag_mismatches_are_reported() {
        let mut list = members();
        list[1].transition_details = Some(TransitionDetails {
            desired_role: Some("owner".into()),
            desired_state: Some("active".into()),
            status: Some("running".into()),
            details: None,
        });
        let outsider = "eeeeeeee-0000-0000-0000-000000000005";
        let mut stale = side(outsider, None, None);
        stale.is_in_mto = Some(true);
        let mut unflagged = side(B, Some(true), Some(true));
        unflagged.is_in_mto = None;
        let built = build(
            &[reading(
                A,
                list,
                vec![unflagged, side(C, Some(true), Some(true)), stale],
                vec![],
            )],
            &HashMap::new(),
            &HashMap::from([(B.to_owned(), 1_800_000_000 - 3 * 3600)]),
            1_800_000_000,
        );
        let all = findings(&built);
        let slow = all.iter().find(|f| f.rule == "transition-slow").unwrap();
        assert!(slow.title.contains("3 h"));
        let flags: Vec<&Finding> = all
            .iter()
            .filter(|f| f.rule == "mto-flag-mismatch")
            .collect();
        assert_eq!(flags.len(), 2);
    }

    #[test]
    fn the_tenant_limit_is_reported_close_to_and_at_100() {
        let many: Vec<_> = (0..95)
            .map(|i| {
                member(
                    &format!("{i:08x}-0000-0000-0000-000000000000"),
                    &format!("T{i}"),
                    if i == 0 { "owner" } else { "member" },
                    "active",
                )
            })
            .collect();
        let all = findings(&mesh(&[reading(A, many, vec![], vec![])]));
        let limit = all.iter().find(|f| f.rule == "tenant-limit").unwrap();
        assert_eq!(limit.severity, Severity::Warning);
        assert!(limit.title.starts_with("95 of 100"));
    }
}

#[cfg(test)]
mod group_sync_tests {
    use std::collections::HashMap;

    use super::*;
    use crate::mesh::model::tests::{job, members, reading, side, A, B};
    use crate::mesh::model::{build, Reading};
    use crate::mesh::view::GroupSync;

    /// Alpha syncs to Beta with `groups` assigned and group provisioning on, `synced` of them kept
    /// in Beta; Beta allows inbound group sync from Alpha or not.
    fn readings(synced: i64, names: Option<Vec<&str>>, beta_allows: Option<bool>) -> Vec<Reading> {
        let mut to_beta = job(B, "Active");
        to_beta.synchronized_groups = synced;
        to_beta.groups = Some(GroupSync {
            assigned: Some(vec!["Sales".into(), "Design".into(), "Support".into()]),
            provisions_groups: Some(true),
            synced: names.map(|list| list.into_iter().map(str::to_owned).collect()),
            skipped: 0,
        });
        let mut beta_side = side(A, Some(true), Some(true));
        beta_side.group_sync_allowed = beta_allows;
        vec![
            reading(
                A,
                members(),
                vec![side(B, Some(true), Some(true))],
                vec![to_beta],
            ),
            reading(B, members(), vec![beta_side], vec![]),
        ]
    }

    fn group_findings(readings: &[Reading]) -> Vec<Finding> {
        findings(&build(
            readings,
            &HashMap::new(),
            &HashMap::new(),
            1_800_000_000,
        ))
        .into_iter()
        .filter(|f| f.rule.starts_with("groups-"))
        .collect()
    }

    #[test]
    fn groups_synced_before_the_target_switched_group_sync_off_are_left_behind() {
        let all = group_findings(&readings(
            3,
            Some(vec!["Design", "Sales", "Support"]),
            Some(false),
        ));
        assert_eq!(all.len(), 1, "{all:?}");
        let finding = &all[0];
        assert_eq!(finding.rule, "groups-left-behind");
        assert_eq!(finding.severity, Severity::Warning);
        assert_eq!(
            finding.title,
            "3 groups left behind in Beta after inbound group sync from Alpha was switched off"
        );
        assert_eq!(finding.tenants, [B, A], "the target acts first");
        assert!(finding.explanation.contains("(Design, Sales, Support)"));
        assert!(finding.fix.starts_with("In Beta: "));
        assert_eq!(finding.link, format!("/pairs/{A}/{B}"));
        // The log unreadable (a role without it): the job's count still tells, without names.
        let unnamed = group_findings(&readings(3, None, Some(false)));
        assert_eq!(unnamed[0].title, finding.title);
        assert!(!unnamed[0].explanation.contains("(Design"));
        // Unset counts as not allowed.
        assert_eq!(
            group_findings(&readings(1, None, None))[0].title,
            "1 group left behind in Beta after inbound group sync from Alpha was switched off"
        );
    }

    #[test]
    fn groups_in_scope_that_the_target_refuses_are_reported_when_nothing_was_synced() {
        let all = group_findings(&readings(0, Some(vec![]), Some(false)));
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].rule, "groups-not-allowed");
        assert_eq!(
            all[0].title,
            "Alpha → Beta: 3 groups in scope, but Beta does not allow inbound group sync"
        );
        assert!(all[0].explanation.contains("Sales, Design, Support"));
    }

    #[test]
    fn allowed_group_sync_and_unknown_sides_raise_nothing() {
        assert!(group_findings(&readings(3, Some(vec!["Sales"]), Some(true))).is_empty());
        // Beta not read: whether it allows group sync is unknown.
        let only_alpha = readings(3, None, Some(false))[..1].to_vec();
        assert!(group_findings(&only_alpha).is_empty());
        // Group provisioning off: the assigned groups only scope users.
        let mut off = readings(0, Some(vec![]), Some(false));
        if let Some(sync) = off[0].view.as_mut().and_then(|v| v.sync.as_mut()) {
            sync[0].groups.as_mut().unwrap().provisions_groups = Some(false);
        }
        assert!(group_findings(&off).is_empty());
    }

    #[test]
    fn the_direction_carries_the_group_state_for_the_pair_page() {
        let mesh = build(
            &readings(3, Some(vec!["Design", "Sales", "Support"]), Some(false)),
            &HashMap::new(),
            &HashMap::new(),
            1_800_000_000,
        );
        let groups = mesh.direction(A, B).groups;
        assert_eq!(groups.allowed, Known::Present(Some(false)));
        assert_eq!(groups.synced, Known::Present(3));
        assert_eq!(groups.left_behind, 3);
        assert_eq!(groups.in_scope.present().map(Vec::len), Some(3));
        // The other way: no job from Beta, nothing in scope, nothing synced.
        let back = mesh.direction(B, A).groups;
        assert_eq!(back.in_scope, Known::Present(Vec::new()));
        assert_eq!(back.left_behind, 0);
    }
}

#[cfg(test)]
mod unknown_sync_tests {
    use super::*;
    use crate::mesh::model::tests::{members, reading, A};
    use crate::mesh::view::Restricted;

    #[test]
    fn an_unknown_job_says_whether_the_role_hides_it_or_nobody_signed_in() {
        let mesh = crate::mesh::model::build(
            &[reading(A, members(), vec![], vec![])],
            &Default::default(),
            &Default::default(),
            200,
        );
        let mut node = mesh.node(A).cloned().unwrap();
        assert_eq!(why_unknown(&node), "sync configurations could not be read");
        node.side_known = false;
        assert_eq!(why_unknown(&node), "own side is not signed in");
        assert!(how_to_know(&node).starts_with("Sign in to"));
        node.restricted = vec![Restricted::new(part::SYNC, graph::roles::ReadArea::Sync)];
        assert_eq!(
            why_unknown(&node),
            "sync configurations cannot be seen with the signed-in role"
        );
        assert!(how_to_know(&node).contains("Application Administrator"));
    }
}
