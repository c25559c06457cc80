//! The evidence of a diagnosis turned into its checklist and verdict: plain rules, one function
//! per section, in the order a helpdesk works through the ticket. Each rule cites the page of
//! Microsoft's documentation it rests on; the same links are shown on the page.

use graph::policies::{DefaultConfiguration, PartnerConfiguration};
use graph::sync::{
    GroupOutcome, JobStatusCode, ProvisioningAction, ProvisioningEntry, ProvisioningResult,
    ScheduleState, SyncSchema,
};
use graph::users::{GroupRef, UserDetail, UserType};

use super::codes::{self, Where, POLICY_ROLES, SYNC_ROLES};
use super::evidence::{Configuration, Evidence, Read, Unreadable};
use super::{Check, DocLink, Fix, PersonMatch, Section, Status, Verdict};
use crate::mesh::time;
use crate::sync::explain;

/// `MicrosoftDocs/entra-docs` `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`.
const CONFIGURE: (&str, &str) = (
    "Configure cross-tenant synchronization",
    "https://learn.microsoft.com/entra/identity/multi-tenant-organizations/cross-tenant-synchronization-configure",
);
/// `…/cross-tenant-synchronization-overview.md`.
const OVERVIEW: (&str, &str) = (
    "What is cross-tenant synchronization?",
    "https://learn.microsoft.com/entra/identity/multi-tenant-organizations/cross-tenant-synchronization-overview",
);
/// `…/multi-tenant-organization-known-issues.md`.
const KNOWN_ISSUES: (&str, &str) = (
    "Limitations in multitenant organizations",
    "https://learn.microsoft.com/entra/identity/multi-tenant-organizations/multi-tenant-organization-known-issues",
);
/// `…/multi-tenant-organization-microsoft-365.md`.
const MTO_M365: (&str, &str) = (
    "Multitenant organization identity provisioning for Microsoft 365",
    "https://learn.microsoft.com/entra/identity/multi-tenant-organizations/multi-tenant-organization-microsoft-365",
);
/// `MicrosoftDocs/entra-docs` `docs/identity/app-provisioning/application-provisioning-quarantine-status.md`.
const QUARANTINE: (&str, &str) = (
    "Application provisioning in quarantine status",
    "https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-quarantine-status",
);
/// `MicrosoftDocs/microsoft-365-docs` `microsoft-365/enterprise/plan-multi-tenant-org-overview.md`:
/// "It might take up to seven days for a user to appear in search once they've been synchronized."
const SEARCH_DELAY: (&str, &str) = (
    "Plan for multitenant organizations in Microsoft 365",
    "https://learn.microsoft.com/microsoft-365/enterprise/plan-multi-tenant-org-overview",
);
/// `microsoft-365/enterprise/sync-users-multi-tenant-orgs.md`: "It might take up to 24 hours for
/// synced users to be available in Microsoft 365 services such as Teams and SharePoint."
const TEAMS_DELAY: (&str, &str) = (
    "Synchronize users in multitenant organizations in Microsoft 365",
    "https://learn.microsoft.com/microsoft-365/enterprise/sync-users-multi-tenant-orgs",
);
/// `microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/api/directory-deleteditems-list.md`.
const DELETED_ITEMS: (&str, &str) = (
    "List deletedItems: kept up to 30 days",
    "https://learn.microsoft.com/graph/api/directory-deleteditems-list",
);

/// Search may take this long after a user is synchronized (`SEARCH_DELAY`).
pub const SEARCH_DELAY_SECONDS: i64 = 7 * 24 * 3600;
/// Teams and SharePoint may take this long (`TEAMS_DELAY`).
pub const TEAMS_DELAY_SECONDS: i64 = 24 * 3600;
/// Deleted items are kept this long (`DELETED_ITEMS`).
pub const DELETED_KEPT_SECONDS: i64 = 30 * 24 * 3600;
/// Cross-tenant sync runs every 40 minutes (`OVERVIEW`, "How often does cross-tenant
/// synchronization run?").
const CYCLE_MINUTES: i64 = 40;

const USER_ROLES: &[&str] = &["User Administrator", "Global Administrator"];
/// Who turns off SMS sign-in for a user: the authentication methods roles
/// (`api-reference/v1.0/api/phoneauthenticationmethod-disablesmssignin.md`).
const AUTH_ROLES: &[&str] = &[
    "Authentication Administrator",
    "Privileged Authentication Administrator",
    "Global Administrator",
];
const GROUP_ROLES: &[&str] = &["Groups Administrator", "User Administrator"];
/// Who joins or adds tenants to the MTO (`api/multitenantorganization-update.md` and the join
/// request's page).
const MTO_ROLES: &[&str] = &["Security Administrator", "Global Administrator"];

fn doc((title, url): (&str, &str)) -> DocLink {
    DocLink {
        title: title.to_owned(),
        url: url.to_owned(),
    }
}

fn roles(list: &[&str]) -> Vec<String> {
    list.iter().map(|r| (*r).to_owned()).collect()
}

/// Builds one check.
struct Line {
    check: Check,
}

impl Line {
    fn new(key: &str, status: Status, title: impl Into<String>) -> Self {
        Self {
            check: Check {
                key: key.to_owned(),
                status,
                title: title.into(),
                evidence: Vec::new(),
                reads: Vec::new(),
                fix: None,
                docs: Vec::new(),
            },
        }
    }

    fn evidence(mut self, line: impl Into<String>) -> Self {
        self.check.evidence.push(line.into());
        self
    }

    fn read<T>(mut self, e: &Evidence, read: &Read<T>) -> Self {
        let line = format!("{}: {}", name_of(e, &read.tenant_id), read.request);
        if !self.check.reads.contains(&line) {
            self.check.reads.push(line);
        }
        self
    }

    fn fix(mut self, fix: Fix) -> Self {
        self.check.fix = Some(fix);
        self
    }

    fn doc(mut self, link: (&str, &str)) -> Self {
        self.check.docs.push(doc(link));
        self
    }

    fn done(self) -> Check {
        self.check
    }
}

fn name_of(e: &Evidence, tenant_id: &str) -> String {
    if tenant_id == e.target.id {
        e.target.name.clone()
    } else if tenant_id == e.source.id {
        e.source.name.clone()
    } else {
        tenant_id.to_owned()
    }
}

fn fix_in(e: &Evidence, source: bool, action: impl Into<String>, who: &[&str]) -> Fix {
    let tenant = if source { &e.source } else { &e.target };
    Fix {
        action: action.into(),
        tenant_id: tenant.id.clone(),
        tenant_name: tenant.name.clone(),
        roles: roles(who),
    }
}

/// Why a read gave nothing, in a sentence.
fn why(e: &Evidence, tenant_id: &str, what: &str, unreadable: &Unreadable) -> String {
    let tenant = name_of(e, tenant_id);
    match unreadable {
        Unreadable::NotSignedIn => {
            format!("Not signed in to {tenant}: sign in there to read {what}.")
        }
        Unreadable::Role(area) => format!(
            "Your role in {tenant} cannot read {what} (needs {}).",
            area.needs()
        ),
        Unreadable::Failed(message) => format!("{what} could not be read in {tenant}: {message}"),
    }
}

/// An unknown line for a read that gave nothing.
fn unknown<T>(e: &Evidence, key: &str, what: &str, read: &Read<T>) -> Check {
    let reason = read
        .error()
        .map(|u| why(e, &read.tenant_id, what, u))
        .unwrap_or_default();
    Line::new(key, Status::Unknown, format!("Could not read {what}."))
        .evidence(reason)
        .read(e, read)
        .done()
}

/// The person's name as the page says it.
fn person_name(e: &Evidence) -> String {
    match e.user.value() {
        Some(user) => user.display_name.clone().unwrap_or_else(|| user.id.clone()),
        None => format!("User {}", e.user_id),
    }
}

/// A user as the page lists them.
pub fn person(tenant_id: &str, user: &UserDetail) -> PersonMatch {
    PersonMatch {
        tenant_id: tenant_id.to_owned(),
        user_id: user.id.clone(),
        display_name: user.display_name.clone().unwrap_or_else(|| user.id.clone()),
        user_principal_name: user.user_principal_name.clone(),
        mail: user.mail.clone(),
        user_type: user.user_type.as_ref().map(|t| t.as_str().to_owned()),
        external: !user.is_internal(),
    }
}

/// The checklist, sections 1 to 9, and its verdict.
pub fn diagnose(e: &Evidence) -> (Verdict, Vec<Section>) {
    let sections = vec![
        sync(e),
        scope(e),
        log(e),
        account(e),
        policies(e),
        membership(e),
        duplicates(e),
        sign_in(e),
        propagation(e),
    ];
    (verdict(e, &sections), sections)
}

fn section(number: u8, title: String, checks: Vec<Check>) -> Section {
    Section {
        number,
        title,
        checks,
        note: None,
    }
}

fn noted(number: u8, title: String, note: String) -> Section {
    Section {
        number,
        title,
        checks: Vec::new(),
        note: Some(note),
    }
}

// 1. The sync configuration and its job.

fn sync(e: &Evidence) -> Section {
    let (s, t) = (&e.source.name, &e.target.name);
    let title = format!("Cross-tenant sync from {s} to {t}");
    let Some(list) = e.configurations.value() else {
        return section(
            1,
            title,
            vec![unknown(
                e,
                "sync.configuration",
                &format!("{s}'s cross-tenant sync configurations"),
                &e.configurations,
            )],
        );
    };
    let Some(config) = &e.configuration else {
        let names: Vec<String> = list
            .iter()
            .filter_map(|sp| sp.display_name.clone())
            .collect();
        let mut line = Line::new(
            "sync.configuration",
            Status::Blocking,
            format!("{s} has no cross-tenant sync configuration to {t}."),
        )
        .evidence(if names.is_empty() {
            format!("{s} has no cross-tenant sync configuration at all.")
        } else {
            format!(
                "{s}'s configurations: {} (none targets {t}).",
                names.join(", ")
            )
        })
        .read(e, &e.configurations)
        .fix(fix_in(
            e,
            true,
            format!(
                "Create a cross-tenant synchronization configuration from {s} to {t}, assign the \
                 users to sync, and start it (Microsoft Entra admin center, External Identities, \
                 Cross-tenant synchronization)."
            ),
            SYNC_ROLES,
        ))
        .doc(CONFIGURE);
        line = line.evidence(format!(
            "Nothing is synchronized from {s} into {t} without one: cross-tenant sync is a push from the source tenant."
        ));
        return section(1, title, vec![line.done()]);
    };
    let sp = &config.service_principal;
    let name = sp.display_name.clone().unwrap_or_else(|| sp.id.to_string());
    let mut checks = vec![Line::new(
        "sync.configuration",
        Status::Ok,
        format!("{s} has a cross-tenant sync configuration to {t}: {name}."),
    )
    .evidence(format!("Service principal {}.", sp.id))
    .read(e, &e.configurations)
    .done()];
    checks.push(job(e, config));
    section(1, title, checks)
}

fn job(e: &Evidence, config: &Configuration) -> Check {
    let (s, t) = (&e.source.name, &e.target.name);
    let jobs = match config.jobs.value() {
        Some(jobs) => jobs,
        None => return unknown(e, "sync.job", "the configuration's job", &config.jobs),
    };
    let Some(job) = jobs.first() else {
        return Line::new(
            "sync.job",
            Status::Blocking,
            format!("The configuration to {t} has no provisioning job."),
        )
        .read(e, &config.jobs)
        .fix(fix_in(
            e,
            true,
            format!("Set up provisioning for the configuration in {s} and start it."),
            SYNC_ROLES,
        ))
        .doc(CONFIGURE)
        .done();
    };
    let summary =
        crate::mesh::view::sync_summary(&config.service_principal, Some(&e.target.id), Some(job));
    let explained = explain::explain(&summary, s, t);
    let policy = summary
        .quarantine
        .as_ref()
        .and_then(|q| q.error.as_ref())
        .or(summary.last_error.as_ref())
        .is_some_and(|err| err.code == explain::POLICY_CHECK_FAILURE);
    let status = match summary.status {
        JobStatusCode::Quarantine | JobStatusCode::Paused | JobStatusCode::NotConfigured => {
            Status::Blocking
        }
        JobStatusCode::NotRun => Status::Warning,
        _ if summary.successive_failures > 0 && policy => Status::Blocking,
        _ if summary.successive_failures > 0 => Status::Warning,
        _ => Status::Ok,
    };
    let mut line = Line::new(
        "sync.job",
        status,
        format!(
            "The job from {s} to {t}: {}.",
            explained.headline.trim_end_matches('.')
        ),
    )
    .evidence(format!(
        "Status {}, schedule {}{}.",
        summary.status,
        summary.schedule_state,
        summary
            .interval
            .as_deref()
            .map(|i| format!(" every {i}"))
            .unwrap_or_default()
    ));
    if let Some(q) = &summary.quarantine {
        line = line.evidence(format!(
            "Quarantine reason {}{}, {} attempt(s) in this series.",
            q.reason,
            q.since
                .as_deref()
                .map(|since| format!(" since {since}"))
                .unwrap_or_default(),
            q.series_count
        ));
    }
    line = line.evidence(match (&summary.last_run, &summary.last_run_state) {
        (Some(at), Some(state)) => format!(
            "Last cycle {at} ({}): {state}{}.",
            time::ago(at, e.now).unwrap_or_default(),
            summary
                .last_error
                .as_ref()
                .map(|err| format!(", {} ({})", err.message, err.code))
                .unwrap_or_default()
        ),
        _ => "No cycle has run yet.".to_owned(),
    });
    if let Some(success) = &summary.last_success {
        line = line.evidence(format!("Last successful cycle ended {success}."));
    }
    if status != Status::Ok {
        line = line
            .evidence(explained.meaning.clone())
            .evidence(explained.meanwhile.clone());
        let fix = if policy {
            policy_fix(e)
        } else {
            let source = !matches!(explained.fix_in, Some(explain::Side::Target));
            fix_in(
                e,
                source,
                explained.fix.clone(),
                if source { SYNC_ROLES } else { POLICY_ROLES },
            )
        };
        line = line.fix(fix);
        if summary.status == JobStatusCode::Quarantine {
            line = line.doc(QUARANTINE);
        }
    }
    if job.schedule.state == ScheduleState::Disabled && summary.status == JobStatusCode::Paused {
        line = line.evidence("The job was never started.");
    }
    line.read(e, &config.jobs).doc(CONFIGURE).done()
}

/// The partner settings each side must have, as far as read: `Some(true)` allowed, `Some(false)`
/// not, `None` unread.
struct Settings {
    inbound_sync: Option<bool>,
    redeem_inbound: Option<bool>,
    redeem_outbound: Option<bool>,
}

fn partner<'a>(
    list: &'a Read<Vec<PartnerConfiguration>>,
    other: &str,
) -> Option<Option<&'a PartnerConfiguration>> {
    list.value()
        .map(|partners| partners.iter().find(|p| p.tenant_id.as_str() == other))
}

fn settings(e: &Evidence) -> Settings {
    let target_partner = partner(&e.target_partners, &e.source.id);
    let source_partner = partner(&e.source_partners, &e.target.id);
    let effective = |partner: Option<Option<&PartnerConfiguration>>,
                     default: &Read<DefaultConfiguration>,
                     inbound: bool|
     -> Option<bool> {
        let pick = |consent: &graph::policies::InboundOutbound| {
            if inbound {
                consent.inbound_allowed
            } else {
                consent.outbound_allowed
            }
        };
        let own = partner?.and_then(|p| pick(&p.automatic_user_consent_settings));
        match own {
            Some(value) => Some(value),
            None => default
                .value()
                .map(|d| pick(&d.automatic_user_consent_settings).unwrap_or(false)),
        }
    };
    Settings {
        inbound_sync: target_partner.map(|p| {
            p.and_then(|p| p.identity_synchronization.as_ref())
                .and_then(|s| s.user_sync_inbound.as_ref())
                .and_then(|u| u.is_sync_allowed)
                .unwrap_or(false)
        }),
        redeem_inbound: effective(target_partner, &e.target_default, true),
        redeem_outbound: effective(source_partner, &e.source_default, false),
    }
}

/// Where a policy-check failure is fixed: the first setting that is off (or unread) decides.
fn policy_fix(e: &Evidence) -> Fix {
    let (s, t) = (&e.source.name, &e.target.name);
    let found = settings(e);
    if found.inbound_sync != Some(true) || found.redeem_inbound != Some(true) {
        fix_in(
            e,
            false,
            format!(
                "In {t}'s cross-tenant access settings for {s}, allow users to sync into {t} and \
                 redeem invitations automatically (inbound); then restart the job in {s}."
            ),
            POLICY_ROLES,
        )
    } else if found.redeem_outbound != Some(true) {
        fix_in(
            e,
            true,
            format!(
                "In {s}'s cross-tenant access settings for {t}, redeem invitations automatically \
                 (outbound); then restart the job in {s}."
            ),
            POLICY_ROLES,
        )
    } else {
        fix_in(
            e,
            true,
            format!("The settings now allow it: restart the job in {s} to leave quarantine."),
            SYNC_ROLES,
        )
    }
}

// 2. Scope.

fn scope(e: &Evidence) -> Section {
    let name = person_name(e);
    let title = format!("{name} is in the scope of the sync");
    let mut checks = vec![member(e)];
    let Some(config) = &e.configuration else {
        let mut section = section(2, title, checks);
        section.note = Some(
            "Without a configuration to the target there is no assignment or scoping filter to check."
                .into(),
        );
        return section;
    };
    checks.push(assignment(e, config));
    if let Some(check) = filter(e, config) {
        checks.push(check);
    }
    section(2, title, checks)
}

fn member(e: &Evidence) -> Check {
    let s = &e.source.name;
    let Some(user) = e.user.value() else {
        return unknown(e, "scope.member", "the person", &e.user);
    };
    let name = user.display_name.clone().unwrap_or_else(|| user.id.clone());
    let guest = user.user_type == Some(UserType::Guest);
    let line = if !user.is_internal() {
        Line::new(
            "scope.member",
            Status::Blocking,
            format!(
                "{name} is an external user of {s} ({}): cross-tenant sync never syncs external users.",
                if guest { "B2B guest" } else { "B2B member" }
            ),
        )
        .evidence(format!(
            "creationType {}, userType {}.",
            user.creation_type.as_deref().unwrap_or("null"),
            user.user_type.as_ref().map_or("null", |t| t.as_str())
        ))
        .evidence("Cross-tenant synchronization syncs only users who are internal to the home (source) tenant.")
        .fix(fix_in(
            e,
            true,
            format!(
                "Sync {name} from their home tenant instead: their account in {s} is a copy, and copies are never synced on."
            ),
            SYNC_ROLES,
        ))
    } else if guest {
        Line::new(
            "scope.member",
            Status::Blocking,
            format!("{name} is a guest in {s}: only internal members are synced, never guests."),
        )
        .evidence("userType Guest on an internal account (creationType null).")
        .fix(fix_in(
            e,
            true,
            format!("Change {name}'s user type to Member in {s} (if they are an employee)."),
            USER_ROLES,
        ))
    } else {
        Line::new(
            "scope.member",
            Status::Ok,
            format!("{name} is an internal member of {s}."),
        )
        .evidence(format!(
            "userType Member, creationType null{}.",
            user.user_principal_name
                .as_deref()
                .map(|upn| format!(", {upn}"))
                .unwrap_or_default()
        ))
    };
    line.read(e, &e.user).doc(OVERVIEW).done()
}

fn group_name(group: &GroupRef) -> String {
    group
        .display_name
        .clone()
        .unwrap_or_else(|| group.id.clone())
}

fn assignment(e: &Evidence, config: &Configuration) -> Check {
    let s = &e.source.name;
    let name = person_name(e);
    if config.sync_all.value() == Some(&true) {
        return Line::new(
            "scope.assignment",
            Status::Ok,
            "The configuration syncs all users (\"Sync all users and groups\").",
        )
        .read(e, &config.sync_all)
        .doc(CONFIGURE)
        .done();
    }
    let Some(assignments) = config.assignments.value() else {
        return unknown(
            e,
            "scope.assignment",
            "the configuration's assignments",
            &config.assignments,
        );
    };
    let user_id = e.user.value().map(|u| u.id.clone());
    let scoped_by = if config.sync_all.value() == Some(&false) {
        "The configuration syncs only assigned users and groups."
    } else {
        "Whether the configuration syncs all users could not be read; it usually syncs assigned ones only."
    };
    if let Some(direct) = assignments.iter().find(|a| {
        Some(&a.principal_id) == user_id.as_ref()
            && a.principal_type != Some(graph::sync::PrincipalType::Group)
    }) {
        return Line::new(
            "scope.assignment",
            Status::Ok,
            format!("{name} is assigned to the configuration directly."),
        )
        .evidence(scoped_by)
        .evidence(format!(
            "Assigned{}.",
            direct
                .created_date_time
                .as_deref()
                .map(|at| format!(" {at}"))
                .unwrap_or_default()
        ))
        .read(e, &config.assignments)
        .done();
    }
    let groups: Vec<&graph::sync::AppRoleAssignment> = assignments
        .iter()
        .filter(|a| a.principal_type == Some(graph::sync::PrincipalType::Group))
        .collect();
    let label = |a: &graph::sync::AppRoleAssignment| {
        a.principal_display_name
            .clone()
            .unwrap_or_else(|| a.principal_id.clone())
    };
    if let Some(direct) = e.direct_groups.value() {
        if let Some(a) = groups
            .iter()
            .find(|a| direct.iter().any(|g| g.id == a.principal_id))
        {
            return Line::new(
                "scope.assignment",
                Status::Ok,
                format!(
                    "{name} is a direct member of {}, which is assigned.",
                    label(a)
                ),
            )
            .evidence(scoped_by)
            .read(e, &config.assignments)
            .read(e, &e.direct_groups)
            .done();
        }
    }
    if let Some(all) = e.transitive_groups.value() {
        let nested: Vec<&&graph::sync::AppRoleAssignment> = groups
            .iter()
            .filter(|a| all.iter().any(|g| g.id == a.principal_id))
            .collect();
        if let Some(a) = nested.first() {
            let direct: Vec<GroupRef> = e.direct_groups.value().cloned().unwrap_or_default();
            let through: Vec<String> = config
                .nested
                .iter()
                .filter(|(g, _)| g.id == a.principal_id)
                .filter_map(|(_, children)| children.value())
                .flatten()
                .filter(|child| {
                    direct.iter().any(|d| d.id == child.id) || all.iter().any(|g| g.id == child.id)
                })
                .map(group_name)
                .collect();
            let direct_names: Vec<String> = direct.iter().map(group_name).collect();
            let via = match (through.as_slice(), direct_names.as_slice()) {
                ([], []) => "a nested group".to_owned(),
                ([], names) => names.join(", "),
                (names, _) => names.join(", "),
            };
            let mut line = Line::new(
                "scope.assignment",
                Status::Blocking,
                format!(
                    "{name} is in {} only through {via}, a group nested in it: members of nested groups are not synced.",
                    label(a)
                ),
            )
            .evidence(scoped_by)
            .evidence(format!("{name}'s direct groups: {}.", if direct_names.is_empty() { "none".to_owned() } else { direct_names.join(", ") }))
            .evidence("A group assigned to the configuration brings in its direct members only; nested groups are not supported.")
            .read(e, &config.assignments)
            .read(e, &e.direct_groups)
            .read(e, &e.transitive_groups);
            for (_, children) in config.nested.iter().filter(|(g, _)| g.id == a.principal_id) {
                line = line.read(e, children);
            }
            return line
                .fix(Fix {
                    action: format!(
                        "Add {name} directly to {} (or assign {via} itself to the configuration, as a Hybrid Identity Administrator).",
                        label(a)
                    ),
                    tenant_id: e.source.id.clone(),
                    tenant_name: s.clone(),
                    roles: roles(GROUP_ROLES),
                })
                .doc(OVERVIEW)
                .doc(CONFIGURE)
                .done();
        }
    }
    if e.direct_groups.error().is_some() && !groups.is_empty() {
        return unknown(
            e,
            "scope.assignment",
            &format!("{name}'s groups"),
            &e.direct_groups,
        );
    }
    let assigned: Vec<String> = assignments.iter().map(label).collect();
    Line::new(
        "scope.assignment",
        Status::Blocking,
        format!("{name} is not assigned to the configuration, directly or through a group."),
    )
    .evidence(scoped_by)
    .evidence(format!(
        "{} assignment(s){}.",
        assignments.len(),
        if assigned.is_empty() || assigned.len() > 8 {
            String::new()
        } else {
            format!(": {}", assigned.join(", "))
        }
    ))
    .read(e, &config.assignments)
    .read(e, &e.direct_groups)
    .fix(fix_in(
        e,
        true,
        format!("Assign {name} (or a security group they are a direct member of) to the configuration in {s} (Users and groups)."),
        SYNC_ROLES,
    ))
    .doc(CONFIGURE)
    .done()
}

/// A clause in words: `companyName EQUALS Fabrikam`.
fn clause_text(clause: &graph::sync::FilterClause) -> String {
    let values = clause.target_operand.values.join(", ");
    format!(
        "{} {}{}",
        clause.source_operand_name,
        clause.operator_name.replace('_', " "),
        if values.is_empty() {
            String::new()
        } else {
            format!(" {values}")
        }
    )
}

fn filter(e: &Evidence, config: &Configuration) -> Option<Check> {
    let schema_read = config.schema.as_ref()?;
    let Some(schema) = schema_read.value() else {
        return Some(unknown(
            e,
            "scope.filter",
            "the scoping filter",
            schema_read,
        ));
    };
    let name = person_name(e);
    let scope = schema
        .user_mapping()
        .and_then(|m| m.scope.as_ref())
        .filter(|f| !f.groups.is_empty());
    let Some(scope) = scope else {
        return Some(
            Line::new(
                "scope.filter",
                Status::Ok,
                "The configuration has no scoping filter.",
            )
            .read(e, schema_read)
            .done(),
        );
    };
    let Some(user) = e.user.value() else {
        return Some(unknown(
            e,
            "scope.filter",
            "the person's attributes",
            &e.user,
        ));
    };
    let more = config.more_attributes.as_ref();
    let attribute = |name: &str| -> Option<String> {
        if UserDetail::holds(name) {
            user.attribute(name)
        } else {
            more.and_then(|r| r.value())
                .and_then(|map| graph::sync::attribute_text(map.get(name)))
        }
    };
    let unread: Vec<String> = scope
        .groups
        .iter()
        .flat_map(|g| g.clauses.iter())
        .map(|c| c.source_operand_name.clone())
        .filter(|n| !UserDetail::holds(n) && more.is_none_or(|r| r.value().is_none()))
        .collect();
    let outcomes: Vec<GroupOutcome> = scope.evaluate(&attribute);
    let passed = outcomes.iter().any(|g| g.passed);
    let said = |o: &GroupOutcome| -> String {
        let clauses: Vec<String> = o
            .clauses
            .iter()
            .map(|c| {
                format!(
                    "{} ({}: {}) {}",
                    clause_text(&c.clause),
                    c.clause.source_operand_name,
                    c.value.as_deref().unwrap_or("empty"),
                    match c.passed {
                        Some(true) => "passes",
                        Some(false) => "fails",
                        None => "not evaluated",
                    }
                )
            })
            .collect();
        format!("Filter group \"{}\": {}.", o.name, clauses.join("; "))
    };
    let mut line = if passed {
        Line::new(
            "scope.filter",
            Status::Ok,
            format!("{name} passes the scoping filter."),
        )
    } else if !unread.is_empty()
        || outcomes
            .iter()
            .any(|o| o.clauses.iter().any(|c| c.passed.is_none()))
    {
        let mut line = Line::new(
            "scope.filter",
            Status::Unknown,
            "Could not evaluate the scoping filter.",
        );
        if !unread.is_empty() {
            line = line.evidence(format!("Attributes not read: {}.", unread.join(", ")));
        }
        line
    } else {
        let failing: Vec<String> = outcomes
            .iter()
            .filter_map(|o| o.clauses.iter().find(|c| c.passed == Some(false)))
            .map(|c| {
                format!(
                    "{} ({}'s {} is {})",
                    clause_text(&c.clause),
                    name,
                    c.clause.source_operand_name,
                    c.value.as_deref().unwrap_or("empty")
                )
            })
            .collect();
        let attributes: Vec<String> = outcomes
            .iter()
            .filter_map(|o| o.clauses.iter().find(|c| c.passed == Some(false)))
            .map(|c| c.clause.source_operand_name.clone())
            .collect();
        Line::new(
            "scope.filter",
            Status::Blocking,
            format!("{name} fails the scoping filter: {}.", failing.join("; ")),
        )
        .fix(Fix {
            action: format!(
                "Change {name}'s {} in {} so that the filter lets them through, or change the configuration's scoping filter (as a Hybrid Identity Administrator).",
                attributes.join(", "),
                e.source.name
            ),
            tenant_id: e.source.id.clone(),
            tenant_name: e.source.name.clone(),
            roles: roles(USER_ROLES),
        })
    };
    for outcome in &outcomes {
        line = line.evidence(said(outcome));
    }
    line = line
        .evidence("A user is in scope when all clauses of at least one filter group pass.")
        .read(e, schema_read)
        .read(e, &e.user);
    if let Some(more) = more {
        line = line.read(e, more);
    }
    Some(line.doc(CONFIGURE).done())
}

// 3. The provisioning log.

/// Whether a log entry records a skip because SMS sign-in is enabled (the scoping step's
/// "Filter external users.alternativeSecurityIds EQUALS 'None'" false: `CONFIGURE`,
/// troubleshooting).
fn sms_skip(entry: &ProvisioningEntry) -> bool {
    entry.provisioning_steps.iter().any(|step| {
        step.details
            .values()
            .any(|v| v.to_string().contains("alternativeSecurityIds EQUALS"))
    })
}

fn newest_first(entries: &[ProvisioningEntry]) -> Vec<&ProvisioningEntry> {
    let mut sorted: Vec<&ProvisioningEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| b.activity_date_time.cmp(&a.activity_date_time));
    sorted
}

fn log(e: &Evidence) -> Section {
    let name = person_name(e);
    let title = format!("The provisioning log for {name}");
    let Some(read) = &e.log else {
        return noted(
            3,
            title,
            format!(
                "No job from {} to {} whose log could be read.",
                e.source.name, e.target.name
            ),
        );
    };
    let Some(entries) = read.value() else {
        return section(
            3,
            title,
            vec![unknown(
                e,
                "log.latest",
                &format!("{}'s provisioning log", e.source.name),
                read,
            )],
        );
    };
    let (s, t) = (&e.source.name, &e.target.name);
    let sorted = newest_first(entries);
    let Some(latest) = sorted.first() else {
        return section(
            3,
            title,
            vec![Line::new(
                "log.latest",
                Status::Warning,
                format!("The provisioning log has no entry for {name} yet."),
            )
            .evidence(format!(
                "The service writes an entry when it provisions, updates, skips or fails a user in scope; users outside the scope of an assignment-based configuration get none. Cycles run about every {CYCLE_MINUTES} minutes."
            ))
            .read(e, read)
            .fix(fix_in(
                e,
                true,
                format!("If {name} is in scope, provision them on demand in {s} (or wait for the next cycle)."),
                SYNC_ROLES,
            ))
            .doc(CONFIGURE)
            .done()],
        );
    };
    let status_info = latest.provisioning_status_info.as_ref();
    let result = status_info.map(|i| i.status.clone());
    let error = status_info.and_then(|i| i.error_information.as_ref());
    let code = error.and_then(|err| err.error_code.clone()).or_else(|| {
        latest.provisioning_steps.iter().find_map(|s| {
            s.details
                .get("SkipReason")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
    });
    let decoded = code.as_deref().and_then(|c| codes::decode(c, s, t));
    let when = format!(
        "{} ({})",
        latest.activity_date_time,
        time::ago(&latest.activity_date_time, e.now).unwrap_or_default()
    );
    let action = latest.provisioning_action.as_str();
    let mut line = match (&result, &latest.provisioning_action) {
        (Some(ProvisioningResult::Failure), _) => {
            let mut line = Line::new(
                "log.latest",
                Status::Blocking,
                format!(
                    "The last attempt to provision {name} failed{}.",
                    code.as_deref().map(|c| format!(": {c}")).unwrap_or_default()
                ),
            );
            let fix = match &decoded {
                Some(d) if d.fix_in == Where::Target && d.roles == POLICY_ROLES => policy_fix(e),
                Some(d) => fix_in(e, d.fix_in == Where::Source, d.action.clone(), d.roles),
                None => fix_in(
                    e,
                    true,
                    error
                        .and_then(|err| err.recommended_action.clone())
                        .unwrap_or_else(|| "Read the entry's details in the provisioning log.".into()),
                    SYNC_ROLES,
                ),
            };
            line = line.fix(fix);
            line
        }
        (Some(ProvisioningResult::Skipped), _) if sms_skip(latest) => Line::new(
            "log.latest",
            Status::Blocking,
            format!("The service skipped {name}: SMS sign-in is enabled for them."),
        )
        .evidence("The scoping step's filter \"Filter external users.alternativeSecurityIds EQUALS 'None'\" is false: users with SMS sign-in are skipped.")
        .fix(fix_in(e, true, format!("Turn off SMS sign-in for {name} in {s}."), AUTH_ROLES)),
        (Some(ProvisioningResult::Skipped), _) if code.as_deref() == Some("RedundantExport") => Line::new(
            "log.latest",
            Status::Ok,
            format!("The last run found {name}'s account in {t} already up to date."),
        ),
        (Some(ProvisioningResult::Skipped), _) => Line::new(
            "log.latest",
            Status::Warning,
            format!("The service skipped {name} in its last attempt."),
        ),
        (Some(ProvisioningResult::Success), ProvisioningAction::Delete) => Line::new(
            "log.latest",
            Status::Blocking,
            format!("The sync soft-deleted {name}'s account in {t}: they left the scope."),
        )
        .evidence("A user who leaves the scope (unassigned, removed from the assigned group, or no longer passing the scoping filter) is soft-deleted in the target.")
        .fix(fix_in(
            e,
            true,
            format!("Bring {name} back into the scope within 30 days: the sync restores the account."),
            SYNC_ROLES,
        )),
        (Some(ProvisioningResult::Warning), _) => Line::new(
            "log.latest",
            Status::Warning,
            format!("The last attempt for {name} ended with a warning."),
        ),
        (Some(ProvisioningResult::Success), _) => Line::new(
            "log.latest",
            Status::Ok,
            format!("The last attempt for {name} succeeded ({action})."),
        ),
        _ => Line::new(
            "log.latest",
            Status::Warning,
            format!("The last entry for {name} has no status ({action})."),
        ),
    };
    line = line.evidence(format!(
        "Newest entry {when}: {action}, {}.",
        result.as_ref().map_or("no status", |r| r.as_str())
    ));
    if let Some(err) = error {
        if let Some(reason) = &err.reason {
            line = line.evidence(format!("Reason: {reason}"));
        }
    }
    if let Some(d) = &decoded {
        line = line.evidence(format!("In plain words: {}", d.meaning));
        line = line.evidence(format!("Recommended: {}", d.action));
    } else if let Some(recommended) = error.and_then(|err| err.recommended_action.as_deref()) {
        line = line.evidence(format!("Recommended: {recommended}"));
    }
    for older in sorted.iter().skip(1).take(2) {
        line = line.evidence(format!(
            "Before that: {} {}, {}.",
            older.activity_date_time,
            older.provisioning_action.as_str(),
            older
                .provisioning_status_info
                .as_ref()
                .map_or("no status", |i| i.status.as_str())
        ));
    }
    section(3, title, vec![line.read(e, read).doc(CONFIGURE).done()])
}

// 4. The account in the target.

/// The account in the target the sync keeps for the person: the one the newest successful log
/// entry names, else a B2B account with their mail (a member before a guest), else any with it.
fn copy(e: &Evidence) -> Option<&UserDetail> {
    let users = e.target_users.value()?;
    let from_log = e.log.as_ref().and_then(|l| l.value()).and_then(|entries| {
        newest_first(entries)
            .into_iter()
            .filter(|entry| {
                entry.provisioning_status_info.as_ref().map(|i| &i.status)
                    != Some(&ProvisioningResult::Failure)
            })
            .find_map(|entry| entry.target_identity.as_ref()?.id.clone())
    });
    if let Some(id) = from_log {
        if let Some(user) = users.iter().find(|u| u.id.eq_ignore_ascii_case(&id)) {
            return Some(user);
        }
    }
    users
        .iter()
        .filter(|u| !u.is_internal())
        .min_by_key(|u| u.user_type != Some(UserType::Member))
        .or_else(|| users.first())
}

/// The schema's `userType` mapping: its constant and whether it applies always.
fn user_type_mapping(schema: &SyncSchema) -> Option<(String, bool)> {
    let mapping = schema
        .user_mapping()?
        .attribute_mappings
        .iter()
        .find(|m| m.target_attribute_name == "userType")?;
    let constant = schema
        .constant_for("userType")
        .unwrap_or("(not a constant)");
    let always = mapping
        .flow_type
        .as_deref()
        .is_none_or(|f| f.eq_ignore_ascii_case("Always"));
    Some((constant.to_owned(), always))
}

fn account(e: &Evidence) -> Section {
    let name = person_name(e);
    let (s, t) = (&e.source.name, &e.target.name);
    let title = format!("{name}'s account in {t}");
    if e.target_users.value().is_none() {
        return section(
            4,
            title,
            vec![unknown(
                e,
                "target.account",
                &format!("{name}'s account in {t}"),
                &e.target_users,
            )],
        );
    }
    let Some(found) = copy(e) else {
        let mut checks = Vec::new();
        match e.deleted.value() {
            Some(deleted) if !deleted.is_empty() => {
                let item = &deleted[0];
                let at = item.deleted_date_time.clone().unwrap_or_default();
                let until = time::parse(&at).map(|d| d + DELETED_KEPT_SECONDS);
                let left = until.map(|u| (u - e.now).max(0) / 86_400);
                checks.push(
                    Line::new(
                        "target.deleted",
                        Status::Blocking,
                        format!("{name}'s account in {t} is deleted: it is in {t}'s deleted items."),
                    )
                    .evidence(format!(
                        "{} ({}) was deleted {at}{}.",
                        item.user.user_principal_name.as_deref().unwrap_or(&item.user.id),
                        item.user.user_type.as_ref().map_or("", |u| u.as_str()),
                        time::ago(&at, e.now).map(|a| format!(" ({a})")).unwrap_or_default()
                    ))
                    .evidence(match (until, left) {
                        (Some(until), Some(left)) => format!(
                            "It can be restored until {} ({left} day(s) left); after 30 days it is deleted for good.",
                            time::iso(until)
                        ),
                        _ => "It can be restored for 30 days after its deletion.".to_owned(),
                    })
                    .evidence("Cross-tenant sync does not restore an account deleted in the target tenant: it has to be restored there.")
                    .read(e, &e.deleted)
                    .read(e, &e.target_users)
                    .fix(fix_in(
                        e,
                        false,
                        format!("Restore {name}'s account from {t}'s deleted users (Microsoft Entra admin center, Users, Deleted users)."),
                        USER_ROLES,
                    ))
                    .doc(CONFIGURE)
                    .doc(DELETED_ITEMS)
                    .done(),
                );
            }
            Some(_) => checks.push(
                Line::new(
                    "target.account",
                    Status::Blocking,
                    format!("{name} has no account in {t}, not even a deleted one."),
                )
                .evidence(format!(
                    "No user or deleted user of {t} has {name}'s mail ({}).",
                    e.user
                        .value()
                        .and_then(|u| u.mail.clone())
                        .unwrap_or_else(|| "none".into())
                ))
                .read(e, &e.target_users)
                .read(e, &e.deleted)
                .fix(fix_in(
                    e,
                    true,
                    format!(
                        "Once {name} is in scope, provision them on demand in {s}, or wait for the next cycle (about every {CYCLE_MINUTES} minutes)."
                    ),
                    SYNC_ROLES,
                ))
                .doc(CONFIGURE)
                .done(),
            ),
            None => {
                checks.push(
                    Line::new(
                        "target.account",
                        Status::Blocking,
                        format!("{name} has no account in {t}."),
                    )
                    .read(e, &e.target_users)
                    .done(),
                );
                checks.push(unknown(e, "target.deleted", &format!("{t}'s deleted users"), &e.deleted));
            }
        }
        return section(4, title, checks);
    };
    let upn = found
        .user_principal_name
        .clone()
        .unwrap_or_else(|| found.id.clone());
    let mut checks = vec![Line::new(
        "target.account",
        Status::Ok,
        format!("{name} has an account in {t}: {upn}."),
    )
    .evidence(format!(
        "Object {}, created {}, {}.",
        found.id,
        found
            .created_date_time
            .as_deref()
            .unwrap_or("at an unknown time"),
        if found.is_internal() {
            "an internal account".to_owned()
        } else {
            format!(
                "a B2B account ({})",
                found
                    .external_user_state
                    .as_deref()
                    .unwrap_or("state unknown")
            )
        }
    ))
    .read(e, &e.target_users)
    .done()];

    // userType
    let mapping = e
        .configuration
        .as_ref()
        .and_then(|c| c.schema.as_ref())
        .and_then(|s| s.value())
        .and_then(user_type_mapping);
    let mapping_text = mapping.as_ref().map(|(constant, always)| {
        format!(
            "{s}'s userType mapping: the constant {constant}, applied {}.",
            if *always {
                "always"
            } else {
                "when the user is created only"
            }
        )
    });
    let user_type = found.user_type.clone();
    let mut line = if user_type == Some(UserType::Guest) {
        let fix = match &mapping {
            Some((constant, _)) if constant != "Member" => fix_in(
                e,
                true,
                format!("Map userType to the constant Member in {s}'s configuration (attribute mappings), applied always."),
                SYNC_ROLES,
            ),
            Some((_, false)) => fix_in(
                e,
                true,
                format!(
                    "In {s}'s configuration, set the userType mapping's \"Apply this mapping\" to Always, then provision {name} on demand (or change {name}'s user type to Member in {t}, as a User Administrator)."
                ),
                SYNC_ROLES,
            ),
            _ => fix_in(
                e,
                false,
                format!("Change {name}'s user type to Member in {t}."),
                USER_ROLES,
            ),
        };
        Line::new(
            "target.user_type",
            Status::Blocking,
            format!("{name} is a guest in {t}, not a member."),
        )
        .evidence("Microsoft 365 people search across the organization expects synchronized users to be members (UserType = member); guests stay out of it.")
        .evidence("An account that already existed as a B2B guest stays a guest unless the userType mapping applies Always.")
        .fix(fix)
        .doc(KNOWN_ISSUES)
        .doc(CONFIGURE)
    } else {
        Line::new(
            "target.user_type",
            Status::Ok,
            format!("{name} is a member in {t}."),
        )
    };
    if let Some(text) = mapping_text {
        line = line.evidence(text);
    }
    if let Some(schema) = e.configuration.as_ref().and_then(|c| c.schema.as_ref()) {
        line = line.read(e, schema);
    }
    checks.push(line.read(e, &e.target_users).done());

    // showInAddressList
    checks.push(if found.show_in_address_list == Some(false) {
        Line::new(
            "target.address_list",
            Status::Blocking,
            format!("{name} is hidden from {t}'s address list (showInAddressList false)."),
        )
        .evidence("People search, Outlook and Teams look people up in the address list.")
        .evidence("Cross-tenant sync does not read changes made in the target: a value set there stays until the user changes in the source.")
        .fix(fix_in(
            e,
            false,
            format!("Set showInAddressList to true on {name}'s account in {t}."),
            USER_ROLES,
        ))
        .doc(KNOWN_ISSUES)
        .doc(OVERVIEW)
        .read(e, &e.target_users)
        .done()
    } else {
        Line::new(
            "target.address_list",
            Status::Ok,
            format!("{name} is in {t}'s address list."),
        )
        .evidence(format!(
            "showInAddressList {}.",
            found
                .show_in_address_list
                .map_or("unset (shown)".to_owned(), |v| v.to_string())
        ))
        .read(e, &e.target_users)
        .done()
    });

    // accountEnabled
    checks.push(if found.account_enabled == Some(false) {
        let disabled_at_home = e.user.value().and_then(|u| u.account_enabled) == Some(false);
        Line::new(
            "target.enabled",
            Status::Blocking,
            format!("{name}'s account in {t} is blocked from sign-in (accountEnabled false)."),
        )
        .evidence(if disabled_at_home {
            format!("It is disabled in {s} too: the sync carries accountEnabled over.")
        } else {
            format!("It is enabled in {s}: someone blocked it in {t}.")
        })
        .fix(if disabled_at_home {
            fix_in(
                e,
                true,
                format!("Enable {name}'s account in {s}, if they should work; the next cycle enables the one in {t}."),
                USER_ROLES,
            )
        } else {
            fix_in(
                e,
                false,
                format!("Unblock sign-in for {name}'s account in {t}."),
                USER_ROLES,
            )
        })
        .read(e, &e.target_users)
        .read(e, &e.user)
        .doc(OVERVIEW)
        .done()
    } else {
        Line::new(
            "target.enabled",
            Status::Ok,
            format!("{name}'s account in {t} may sign in."),
        )
        .read(e, &e.target_users)
        .done()
    });
    section(4, title, checks)
}

// 5. Partner settings.

fn policies(e: &Evidence) -> Section {
    let (s, t) = (&e.source.name, &e.target.name);
    let title = format!("Partner settings of {t} and {s}");
    let found = settings(e);
    let mut checks = Vec::new();
    let target_read = |key: &str, what: &str| unknown(e, key, what, &e.target_partners);
    checks.push(match found.inbound_sync {
        None => target_read("policy.inbound_sync", &format!("{t}'s cross-tenant access settings")),
        Some(true) => Line::new(
            "policy.inbound_sync",
            Status::Ok,
            format!("{t} allows users to sync in from {s}."),
        )
        .read(e, &e.target_partners)
        .done(),
        Some(false) => Line::new(
            "policy.inbound_sync",
            Status::Blocking,
            format!("{t} does not allow users to sync in from {s}."),
        )
        .evidence(match partner(&e.target_partners, &e.source.id).flatten() {
            None => format!("{t} has no partner settings for {s}."),
            Some(p) if p.identity_synchronization.is_none() => {
                format!("{t}'s settings for {s} have no identity sync policy.")
            }
            Some(_) => "userSyncInbound.isSyncAllowed is not true.".to_owned(),
        })
        .read(e, &e.target_partners)
        .fix(fix_in(
            e,
            false,
            format!("In {t}'s cross-tenant access settings for {s}, allow users to sync into {t} (Cross-tenant sync, inbound)."),
            POLICY_ROLES,
        ))
        .doc(CONFIGURE)
        .done(),
    });
    let consent = |key: &str,
                   value: Option<bool>,
                   inbound: bool,
                   partners: &Read<Vec<PartnerConfiguration>>,
                   default: &Read<DefaultConfiguration>|
     -> Check {
        let (owner, other, direction) = if inbound {
            (t, s, "inbound")
        } else {
            (s, t, "outbound")
        };
        match value {
            None => {
                let read = if partners.value().is_none() {
                    unknown(e, key, &format!("{owner}'s cross-tenant access settings"), partners)
                } else {
                    unknown(e, key, &format!("{owner}'s default cross-tenant access settings"), default)
                };
                read
            }
            Some(true) => Line::new(
                key,
                Status::Ok,
                format!("{owner} redeems invitations automatically ({direction}) for {other}."),
            )
            .read(e, partners)
            .read(e, default)
            .done(),
            Some(false) => Line::new(
                key,
                Status::Blocking,
                format!("{owner} does not redeem invitations automatically ({direction}) for {other}."),
            )
            .evidence(format!(
                "automaticUserConsentSettings.{direction}Allowed is not true (the partner's own value, else the default's)."
            ))
            .evidence("Cross-tenant sync needs automatic redemption inbound in the target and outbound in the source.")
            .read(e, partners)
            .read(e, default)
            .fix(fix_in(
                e,
                !inbound,
                format!(
                    "In {owner}'s cross-tenant access settings for {other}, check \"Automatically redeem invitations\" ({direction} trust settings)."
                ),
                POLICY_ROLES,
            ))
            .doc(OVERVIEW)
            .doc(CONFIGURE)
            .done(),
        }
    };
    checks.push(consent(
        "policy.redeem_inbound",
        found.redeem_inbound,
        true,
        &e.target_partners,
        &e.target_default,
    ));
    checks.push(consent(
        "policy.redeem_outbound",
        found.redeem_outbound,
        false,
        &e.source_partners,
        &e.source_default,
    ));
    section(5, title, checks)
}

// 6. MTO membership.

fn membership(e: &Evidence) -> Section {
    let (s, t) = (&e.source.name, &e.target.name);
    let title = format!("Membership of {s} and {t} in the multitenant organization");
    // The first list that could be read answers for both tenants.
    let read = if e.source_members.value().is_some() {
        &e.source_members
    } else {
        &e.target_members
    };
    let checks = [(&e.source, "mto.source"), (&e.target, "mto.target")]
        .into_iter()
        .map(|(tenant, key)| {
            let Some(list) = read.value() else {
                return unknown(e, key, "the multitenant organization's tenants", read);
            };
            let reader = name_of(e, &read.tenant_id);
            let Some(members) = list else {
                let line = if read.tenant_id == tenant.id {
                    Line::new(key, Status::Warning, format!("{} is in no multitenant organization.", tenant.name))
                } else {
                    Line::new(key, Status::Unknown, format!("{reader} is in no multitenant organization, so it cannot say whether {} is in one.", tenant.name))
                };
                return line.read(e, read).doc(MTO_M365).done();
            };
            let basic = members.iter().all(|m| m.role.is_none() && m.state.is_none());
            let owner = members
                .iter()
                .find(|m| m.is_owner())
                .map(|m| m.display_name.clone().unwrap_or_else(|| m.tenant_id.to_string()));
            let member = members.iter().find(|m| m.tenant_id.as_str() == tenant.id);
            let state = member.and_then(|m| m.state.clone());
            let line = match (member, state) {
                (Some(_), Some(graph::mto::MemberState::Active)) => Line::new(
                    key,
                    Status::Ok,
                    format!("{} is an active member of the multitenant organization.", tenant.name),
                ),
                (Some(_), None) => Line::new(
                    key,
                    Status::Ok,
                    format!("{} is an active member of the multitenant organization.", tenant.name),
                )
                .evidence(format!("Read with basic attributes only (the role in {reader} may not read roles and states): only active tenants are listed.")),
                (Some(_), Some(graph::mto::MemberState::Pending)) => Line::new(
                    key,
                    Status::Warning,
                    format!("{} was added to the multitenant organization but has not joined yet (pending).", tenant.name),
                )
                .fix(Fix {
                    action: format!("{} joins the multitenant organization (Tenant Mesh: Joins).", tenant.name),
                    tenant_id: tenant.id.clone(),
                    tenant_name: tenant.name.clone(),
                    roles: roles(MTO_ROLES),
                }),
                (Some(_), Some(state)) => Line::new(
                    key,
                    Status::Warning,
                    format!("{} is leaving the multitenant organization ({state}).", tenant.name),
                ),
                (None, _) if basic => Line::new(
                    key,
                    Status::Warning,
                    format!("{} is not an active member of the multitenant organization (pending, or not in it).", tenant.name),
                )
                .evidence(format!("Read with basic attributes only in {reader}: pending tenants are not listed.")),
                (None, _) => Line::new(
                    key,
                    Status::Warning,
                    format!("{} is not in the multitenant organization.", tenant.name),
                )
                .fix(Fix {
                    action: format!(
                        "Add {} to the multitenant organization{}; it then joins.",
                        tenant.name,
                        owner.as_deref().map(|o| format!(" from its owner {o}")).unwrap_or_default()
                    ),
                    tenant_id: tenant.id.clone(),
                    tenant_name: tenant.name.clone(),
                    roles: roles(MTO_ROLES),
                }),
            };
            line.evidence("Sync and people search work between any two tenants; the new Teams experience across tenants needs both in the multitenant organization, with users synced as members.")
                .read(e, read)
                .doc(MTO_M365)
                .done()
        })
        .collect();
    section(6, title, checks)
}

// 7. Duplicates.

fn duplicates(e: &Evidence) -> Section {
    let name = person_name(e);
    let t = &e.target.name;
    let title = format!("Other objects for {name} in {t}");
    let mut checks = Vec::new();
    let copy_id = copy(e).map(|u| u.id.clone());
    let users: Option<Vec<&UserDetail>> = e.target_users.value().map(|users| {
        users
            .iter()
            .filter(|u| Some(&u.id) != copy_id.as_ref())
            .collect()
    });
    match (users, e.contacts.value()) {
        (Some(users), Some(contacts)) if users.is_empty() && contacts.is_empty() => checks.push(
            Line::new(
                "duplicates",
                Status::Ok,
                format!("{t} has no other user or contact with {name}'s mail."),
            )
            .read(e, &e.target_users)
            .read(e, &e.contacts)
            .done(),
        ),
        (users, contacts) => {
            let mut line = Line::new(
                "duplicates",
                Status::Warning,
                format!("{t} has another object with {name}'s mail: people may find it instead of {name}'s account."),
            );
            let mut any = false;
            for user in users.iter().flatten() {
                any = true;
                line = line.evidence(format!(
                    "User {} ({}, {}, created {}).",
                    user.user_principal_name.as_deref().unwrap_or(&user.id),
                    user.user_type.as_ref().map_or("no type", |t| t.as_str()),
                    if user.is_internal() {
                        "internal"
                    } else {
                        "B2B"
                    },
                    user.created_date_time.as_deref().unwrap_or("?")
                ));
            }
            for contact in contacts.into_iter().flatten() {
                any = true;
                line = line.evidence(format!(
                    "Contact \"{}\" <{}>: the provisioning of B2B users can collide with contact objects, and converting them is not supported.",
                    contact.display_name.as_deref().unwrap_or(&contact.id),
                    contact.mail.as_deref().unwrap_or("")
                ));
            }
            if any {
                checks.push(
                    line.read(e, &e.target_users)
                        .read(e, &e.contacts)
                        .fix(fix_in(
                            e,
                            false,
                            format!("Remove the older objects with {name}'s mail from {t}, keeping the account the sync manages."),
                            USER_ROLES,
                        ))
                        .doc(KNOWN_ISSUES)
                        .done(),
                );
            }
            if e.target_users.value().is_none() {
                checks.push(unknown(
                    e,
                    "duplicates.users",
                    &format!("{t}'s users"),
                    &e.target_users,
                ));
            }
            if e.contacts.value().is_none() {
                checks.push(unknown(
                    e,
                    "duplicates.contacts",
                    &format!("{t}'s contacts"),
                    &e.contacts,
                ));
            }
        }
    }
    section(7, title, checks)
}

// 8. Sign-in methods.

fn sign_in(e: &Evidence) -> Section {
    let name = person_name(e);
    let s = &e.source.name;
    let title = format!("{name}'s sign-in methods in {s}");
    let skipped = e
        .log
        .as_ref()
        .and_then(|l| l.value())
        .and_then(|entries| newest_first(entries).first().map(|entry| sms_skip(entry)))
        .unwrap_or(false);
    let check = match e.phones.value() {
        Some(phones) => {
            let ready: Vec<&graph::users::PhoneMethod> =
                phones.iter().filter(|p| p.sms_sign_in()).collect();
            if ready.is_empty() {
                Line::new(
                    "signin.sms",
                    Status::Ok,
                    format!("{name} has no phone set up for SMS sign-in."),
                )
                .evidence(format!("{} phone method(s) registered.", phones.len()))
                .read(e, &e.phones)
                .done()
            } else {
                sms_blocking(e, &name)
                    .evidence(format!(
                        "Phone {} ({}): smsSignInState ready.",
                        ready[0].phone_number.as_deref().unwrap_or("?"),
                        ready[0].phone_type.as_ref().map_or("?", |t| t.as_str())
                    ))
                    .read(e, &e.phones)
                    .done()
            }
        }
        None if skipped => {
            let mut line = sms_blocking(e, &name)
                .evidence("The newest provisioning log entry shows the skip for SMS sign-in.")
                .evidence(
                    e.phones
                        .error()
                        .map(|u| why(e, &e.phones.tenant_id, "the phone methods", u))
                        .unwrap_or_default(),
                );
            if let Some(log) = &e.log {
                line = line.read(e, log);
            }
            line.done()
        }
        None => unknown(
            e,
            "signin.sms",
            &format!("{name}'s phone methods"),
            &e.phones,
        ),
    };
    section(8, title, vec![check])
}

fn sms_blocking(e: &Evidence, name: &str) -> Line {
    Line::new(
        "signin.sms",
        Status::Blocking,
        format!(
            "SMS sign-in is enabled for {name}: cross-tenant sync skips users with SMS sign-in."
        ),
    )
    .fix(fix_in(
        e,
        true,
        format!(
            "Turn off SMS sign-in for {name} in {} (their phone method's SMS sign-in).",
            e.source.name
        ),
        AUTH_ROLES,
    ))
    .doc(CONFIGURE)
}

// 9. Propagation.

fn propagation(e: &Evidence) -> Section {
    let name = person_name(e);
    let t = &e.target.name;
    let title = "Propagation in Microsoft 365".to_owned();
    let Some(found) = copy(e) else {
        return noted(
            9,
            title,
            format!("{name} has no account in {t} to wait for."),
        );
    };
    let Some(created) = found.created_date_time.as_deref().and_then(time::parse) else {
        return section(
            9,
            title,
            vec![Line::new(
                "propagation",
                Status::Unknown,
                "When the account was created could not be read.",
            )
            .read(e, &e.target_users)
            .done()],
        );
    };
    let age = e.now - created;
    let since = format!(
        "Created in {t} {} ({} ago).",
        time::iso(created),
        time::duration(age)
    );
    let line = if age < TEAMS_DELAY_SECONDS {
        Line::new(
            "propagation",
            Status::Warning,
            format!(
                "{name}'s account in {t} is {} old: Teams and SharePoint may not show it until {}, people search until {}.",
                time::duration(age),
                time::iso(created + TEAMS_DELAY_SECONDS),
                time::iso(created + SEARCH_DELAY_SECONDS)
            ),
        )
    } else if age < SEARCH_DELAY_SECONDS {
        Line::new(
            "propagation",
            Status::Warning,
            format!(
                "{name}'s account in {t} is {} old: people search may not find it until {}.",
                time::duration(age),
                time::iso(created + SEARCH_DELAY_SECONDS)
            ),
        )
    } else {
        Line::new(
            "propagation",
            Status::Ok,
            format!("{name}'s account in {t} is older than the documented delays."),
        )
    };
    let line = line
        .evidence(since)
        .evidence("It might take up to 24 hours for synced users to be available in Teams and SharePoint, and up to seven days for them to appear in search; contact Microsoft support if they are not searchable after seven days.")
        .read(e, &e.target_users)
        .doc(TEAMS_DELAY)
        .doc(SEARCH_DELAY);
    let line = if age < SEARCH_DELAY_SECONDS {
        line.fix(fix_in(
            e,
            false,
            format!(
                "Wait: if {name} is still not found after {}, contact Microsoft support.",
                time::iso(created + SEARCH_DELAY_SECONDS)
            ),
            &[],
        ))
    } else {
        line
    };
    section(9, title, vec![line.done()])
}

// The verdict.

fn verdict(e: &Evidence, sections: &[Section]) -> Verdict {
    let name = person_name(e);
    let t = &e.target.name;
    let checks: Vec<&Check> = sections.iter().flat_map(|s| s.checks.iter()).collect();
    let unread_before = |index: usize| -> Vec<String> {
        let mut seen = Vec::new();
        for check in checks
            .iter()
            .take(index)
            .filter(|c| c.status == Status::Unknown)
        {
            let sentence = check
                .evidence
                .first()
                .cloned()
                .unwrap_or_else(|| check.title.clone());
            if !seen.contains(&sentence) {
                seen.push(sentence);
            }
        }
        seen
    };
    if let Some(index) = checks.iter().position(|c| c.status == Status::Blocking) {
        let cause = checks[index];
        return Verdict {
            status: Status::Blocking,
            headline: cause.title.clone(),
            cause: Some(cause.key.clone()),
            fix: cause.fix.clone(),
            unread: unread_before(index),
        };
    }
    let unread = unread_before(checks.len());
    if !unread.is_empty() {
        return Verdict {
            status: Status::Unknown,
            headline: format!(
                "Nothing that could be read keeps {name} from being found in {t}, but {} part(s) could not be read.",
                unread.len()
            ),
            cause: None,
            fix: None,
            unread,
        };
    }
    if let Some(warning) = checks.iter().find(|c| c.status == Status::Warning) {
        return Verdict {
            status: Status::Warning,
            headline: format!(
                "Nothing blocks {name} in {t}; but {}",
                lower_first(&warning.title)
            ),
            cause: Some(warning.key.clone()),
            fix: warning.fix.clone(),
            unread: Vec::new(),
        };
    }
    Verdict {
        status: Status::Ok,
        headline: format!("Nothing keeps {name} from being found in {t}."),
        cause: None,
        fix: None,
        unread: Vec::new(),
    }
}

/// A sentence continued after a comma: "The job…" → "the job…"; names ("Fabrikam has…",
/// "Liam Chen's…") stay as they are.
fn lower_first(text: &str) -> String {
    let mut words = text.splitn(2, ' ');
    let first = words.next().unwrap_or_default();
    let rest = words.next();
    let first = if ["The", "Could", "Nothing"].contains(&first) {
        first.to_lowercase()
    } else {
        first.to_owned()
    };
    match rest {
        Some(rest) => format!("{first} {rest}"),
        None => first,
    }
}

#[cfg(test)]
mod tests;
