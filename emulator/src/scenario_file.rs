//! Scenario files: `emulator --scenario path/to/setup.toml` describes tenants, their accounts,
//! users, MTO membership, partner configurations, templates and sync jobs. The file is read into
//! the same [`Scenario`] the built-in `demo` and `scale:N:M` scenarios build, after validation that
//! names the tenant and field of every problem (`emulator/README.md` has the reference and
//! `emulator/scenarios/example.toml` an example).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::mto_state::MAX_ACTIVE_TENANTS;
use crate::scenario::{
    roles, Account, Custom, ExplicitUser, GroupSetup, Invitation, JobState, MemberRole,
    MemberState, Membership, Mto, PartnerSetup, Scenario, SyncSetup, TemplateSetup, Tenant,
    TenantSetup, Timing,
};
use crate::users_state::generated_upn;

/// Used when the file gives no date.
const DEFAULT_CREATED: &str = "2026-09-01T08:30:00Z";
const DEFAULT_ADDED: &str = "2026-09-01T09:00:00Z";

#[derive(Debug, thiserror::Error)]
pub enum ScenarioFileError {
    #[error("cannot read scenario file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("scenario file {path} is not valid:\n  - {}", .problems.join("\n  - "))]
    Invalid { path: String, problems: Vec<String> },
}

/// Reads and validates a scenario file (TOML).
pub fn load(path: &Path) -> Result<Scenario, ScenarioFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioFileError::Read {
        path: shown.clone(),
        source,
    })?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("custom");
    from_toml(&text, stem).map_err(|problems| ScenarioFileError::Invalid {
        path: shown,
        problems,
    })
}

/// Parses and validates a scenario written in TOML; `default_name` names it when the file does not.
/// On failure, every problem found, each naming the tenant and field.
pub fn from_toml(text: &str, default_name: &str) -> Result<Scenario, Vec<String>> {
    let file: File = toml::from_str(text).map_err(|e| vec![e.to_string().trim().to_owned()])?;
    file.into_scenario(default_name)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: Option<String>,
    /// `fast` (default) or `realistic`: how long MTO transitions take.
    timing: Option<String>,
    mto: Option<MtoFile>,
    #[serde(default)]
    tenants: Vec<TenantFile>,
    #[serde(default)]
    sync_jobs: Vec<SyncJobFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MtoFile {
    display_name: String,
    #[serde(default)]
    description: String,
    created: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantFile {
    id: String,
    display_name: String,
    domains: Vec<String>,
    #[serde(default)]
    generated_users: usize,
    #[serde(default)]
    accounts: Vec<AccountFile>,
    mto: Option<MembershipFile>,
    #[serde(default)]
    users: Vec<UserFile>,
    #[serde(default)]
    invited: Vec<InvitedFile>,
    #[serde(default)]
    groups: Vec<GroupFile>,
    #[serde(default)]
    partners: Vec<PartnerFile>,
    #[serde(default)]
    templates: Option<TemplatesFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    upn: String,
    display_name: String,
    #[serde(default)]
    roles: Vec<String>,
    object_id: Option<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RoleFile {
    Owner,
    Member,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum StateFile {
    Active,
    Pending,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MembershipFile {
    role: RoleFile,
    state: StateFile,
    added_by: Option<String>,
    added: Option<String>,
    joined: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum UserKind {
    InternalMember,
    InternalGuest,
    ExternalMember,
    ExternalGuest,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFile {
    display_name: String,
    kind: UserKind,
    upn: Option<String>,
    mail: Option<String>,
    #[serde(default = "enabled")]
    account_enabled: bool,
}

fn enabled() -> bool {
    true
}

#[derive(Deserialize, Clone, Copy)]
enum UserType {
    Member,
    Guest,
}

impl UserType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::Guest => "Guest",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitedFile {
    from: String,
    count: usize,
    #[serde(default)]
    skip: usize,
    user_type: UserType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    name: String,
    description: Option<String>,
    /// Users of the tenant: accounts and listed internal users by UPN, listed external users by
    /// mail, generated members by their generated UPN.
    #[serde(default)]
    members: Vec<String>,
    /// Other groups of the tenant, by name.
    #[serde(default)]
    member_groups: Vec<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct TemplatesFile {
    auto_redeem_inbound: Option<bool>,
    auto_redeem_outbound: Option<bool>,
    inbound_sync: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartnerFile {
    tenant: String,
    auto_redeem_inbound: Option<bool>,
    auto_redeem_outbound: Option<bool>,
    inbound_sync: Option<bool>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum JobStateFile {
    #[default]
    Active,
    Paused,
    Disabled,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncJobFile {
    source: String,
    target: String,
    #[serde(default)]
    scope: usize,
    /// Groups of the source, by name, assigned too.
    #[serde(default)]
    scope_groups: Vec<String>,
    #[serde(default)]
    state: JobStateFile,
}

/// A GUID in its lower-case hyphenated form, or `None`.
fn guid(text: &str) -> Option<String> {
    let id = uuid::Uuid::parse_str(text.trim()).ok()?;
    (!id.is_nil()).then(|| id.hyphenated().to_string())
}

fn is_date(text: &str) -> bool {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
}

/// The addresses a group's `members` may use: accounts' and listed internal users' UPNs, listed
/// external users' mail, generated members' UPNs (lower-case).
fn member_addresses(
    accounts: &[Account],
    users: &[ExplicitUser],
    domains: &[String],
    generated: usize,
) -> HashSet<String> {
    accounts
        .iter()
        .map(|a| a.upn.clone())
        .chain(users.iter().map(|u| u.address.to_lowercase()))
        .chain((0..generated).map(|i| generated_upn(domains, i)))
        .collect()
}

/// Turns the file into a scenario, collecting every problem on the way.
struct Checker {
    problems: Vec<String>,
    /// Tenant ids by id and by domain, lower-case, for references.
    directory: HashMap<String, String>,
    /// Active owners of the MTO, in file order.
    owners: Vec<String>,
    /// `generated_users` per tenant id.
    generated: HashMap<String, usize>,
    upns: HashSet<String>,
    object_ids: HashSet<String>,
    /// Group names per tenant id, lower-case, for sync scopes.
    group_names: HashMap<String, HashSet<String>>,
}

impl Checker {
    fn add(&mut self, problem: String) {
        self.problems.push(problem);
    }

    fn date(&mut self, place: &str, field: &str, value: Option<&String>) {
        if let Some(value) = value.filter(|v| !is_date(v)) {
            self.add(format!(
                "{place}: {field} {value:?} is not an RFC 3339 date-time (e.g. \"2026-09-01T09:00:00Z\")"
            ));
        }
    }

    /// The tenant id `reference` (an id or a domain) names.
    fn resolve(&mut self, place: &str, field: &str, reference: &str) -> Option<String> {
        let found = self
            .directory
            .get(&reference.trim().to_ascii_lowercase())
            .cloned();
        if found.is_none() {
            self.add(format!(
                "{place}: {field} {reference:?} is not a tenant id or domain of this scenario"
            ));
        }
        found
    }

    /// [`Self::resolve`], refusing `own` (what `role` names: the tenant itself, the source).
    fn other(
        &mut self,
        place: &str,
        field: &str,
        reference: &str,
        (role, own): (&str, &str),
    ) -> Option<String> {
        let found = self.resolve(place, field, reference)?;
        if found == own {
            self.add(format!("{place}: {field} {reference:?} is {role} ({own})"));
            return None;
        }
        Some(found)
    }

    /// A UPN must be `alias@domain` with a domain of its tenant, and unique in the scenario.
    fn upn(&mut self, place: &str, upn: &str, domains: &[String]) -> String {
        let upn = upn.to_ascii_lowercase();
        match upn.split_once('@') {
            Some((alias, domain)) if !alias.is_empty() && domains.iter().any(|d| d == domain) => {}
            _ => self.add(format!(
                "{place}: upn {upn:?} must be alias@domain with one of the tenant's domains ({})",
                domains.join(", ")
            )),
        }
        if !self.upns.insert(upn.clone()) {
            self.add(format!("{place}: upn {upn} is used twice"));
        }
        upn
    }

    /// Registers the tenants' ids and domains; returns each tenant's id (lower-case).
    fn directory(&mut self, tenants: &[(String, &TenantFile)]) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for (place, tenant) in tenants {
            let id = guid(&tenant.id).unwrap_or_else(|| {
                self.add(format!("{place}: id {:?} is not a GUID", tenant.id));
                tenant.id.to_ascii_lowercase()
            });
            if ids.contains(&id) {
                self.add(format!("{place}: id {id} is used by another tenant"));
            }
            ids.push(id.clone());
            self.directory.insert(id.clone(), id.clone());
            self.generated.insert(id.clone(), tenant.generated_users);
            if tenant.display_name.trim().is_empty() {
                self.add(format!("{place}: display_name is empty"));
            }
            if tenant.domains.is_empty() {
                self.add(format!(
                    "{place}: domains is empty (the first is the default *.onmicrosoft.com domain)"
                ));
            }
            for domain in &tenant.domains {
                let domain = domain.to_ascii_lowercase();
                if !domain.contains('.') || domain.contains('@') || domain.contains(' ') {
                    self.add(format!("{place}: domain {domain:?} is not a domain name"));
                }
                if self.directory.insert(domain.clone(), id.clone()).is_some() {
                    self.add(format!(
                        "{place}: domain {domain} is already used by another tenant"
                    ));
                }
            }
        }
        ids
    }

    /// The MTO table against the memberships: an active owner, at most 100 active tenants.
    /// The `timing` key: `fast` (default) or `realistic`.
    fn timing(&mut self, timing: Option<&str>) -> Timing {
        let Some(text) = timing else {
            return Timing::default();
        };
        Timing::parse(text).unwrap_or_else(|| {
            self.add(format!(
                "timing: {text:?} is neither \"fast\" nor \"realistic\""
            ));
            Timing::default()
        })
    }

    fn mto(&mut self, mto: Option<&MtoFile>, members: &[&MembershipFile]) {
        let Some(mto) = mto else {
            if !members.is_empty() {
                self.add(
                    "mto: tenants have an mto membership but the file has no [mto] table".into(),
                );
            }
            return;
        };
        if mto.display_name.trim().is_empty() {
            self.add("mto: display_name is empty".into());
        }
        self.date("mto", "created", mto.created.as_ref());
        if self.owners.is_empty() {
            self.add(
                "mto: no tenant is an active owner (set mto = { role = \"owner\", state = \"active\" } on one tenant)"
                    .into(),
            );
        }
        let active = members
            .iter()
            .filter(|m| m.state == StateFile::Active)
            .count();
        if active > MAX_ACTIVE_TENANTS {
            self.add(format!(
                "mto: {active} active tenants, at most {MAX_ACTIVE_TENANTS} are allowed"
            ));
        }
    }

    fn accounts(
        &mut self,
        place: &str,
        id: &str,
        tenant: &TenantFile,
        domains: &[String],
    ) -> Vec<Account> {
        let mut accounts = Vec::new();
        for (i, account) in tenant.accounts.iter().enumerate() {
            let at = format!("{place}: accounts[{i}] ({})", account.upn);
            let upn = self.upn(&at, &account.upn, domains);
            let object_id = match &account.object_id {
                Some(text) => guid(text).unwrap_or_else(|| {
                    self.add(format!("{at}: object_id {text:?} is not a GUID"));
                    String::new()
                }),
                None => uuid::Uuid::new_v5(
                    &uuid::Uuid::NAMESPACE_OID,
                    format!("{id}:account:{upn}").as_bytes(),
                )
                .to_string(),
            };
            if !object_id.is_empty() && !self.object_ids.insert(object_id.clone()) {
                self.add(format!(
                    "{at}: object_id {object_id} is used by another account"
                ));
            }
            let mut role_ids = Vec::new();
            for role in &account.roles {
                match roles::template_id(role).map(str::to_owned).or_else(|| guid(role)) {
                    Some(role_id) => role_ids.push(role_id),
                    None => self.add(format!(
                        "{at}: role {role:?} is neither a known directory role name ({}) nor a template id",
                        roles::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
            accounts.push(Account {
                object_id,
                upn,
                display_name: account.display_name.clone(),
                role_ids,
            });
        }
        accounts
    }

    fn membership(&mut self, place: &str, m: &MembershipFile) -> Membership {
        let at = format!("{place}: mto");
        self.date(&at, "added", m.added.as_ref());
        self.date(&at, "joined", m.joined.as_ref());
        if m.state == StateFile::Pending && m.joined.is_some() {
            self.add(format!("{at}: a pending tenant has no joined date"));
        }
        let added_by = match &m.added_by {
            Some(reference) => {
                let by = self.resolve(&at, "added_by", reference);
                if let Some(by) = by.as_ref().filter(|by| !self.owners.contains(by)) {
                    self.add(format!(
                        "{at}: added_by {by} is not an active owner of the MTO"
                    ));
                }
                by.unwrap_or_default()
            }
            None => self.owners.first().cloned().unwrap_or_default(),
        };
        let added = m.added.clone().unwrap_or_else(|| DEFAULT_ADDED.into());
        Membership {
            role: match m.role {
                RoleFile::Owner => MemberRole::Owner,
                RoleFile::Member => MemberRole::Member,
            },
            state: match m.state {
                StateFile::Active => MemberState::Active,
                StateFile::Pending => MemberState::Pending,
            },
            joined: match m.state {
                // The creator's joinedDateTime stays null, as in the documented samples.
                StateFile::Active if m.role == RoleFile::Member => {
                    Some(m.joined.clone().unwrap_or_else(|| added.clone()))
                }
                _ => m.joined.clone(),
            },
            added_by,
            added,
        }
    }

    fn user(&mut self, at: &str, user: &UserFile, domains: &[String]) -> ExplicitUser {
        let (user_type, external) = match user.kind {
            UserKind::InternalMember => ("Member", false),
            UserKind::InternalGuest => ("Guest", false),
            UserKind::ExternalMember => ("Member", true),
            UserKind::ExternalGuest => ("Guest", true),
        };
        let address = match (external, &user.upn, &user.mail) {
            (false, Some(upn), None) => self.upn(at, upn, domains),
            (true, None, Some(mail)) => {
                if mail
                    .split_once('@')
                    .is_none_or(|(a, d)| a.is_empty() || !d.contains('.'))
                {
                    self.add(format!("{at}: mail {mail:?} is not an e-mail address"));
                }
                mail.to_ascii_lowercase()
            }
            (false, _, _) => {
                self.add(format!(
                    "{at}: an internal user needs upn (in one of the tenant's domains) and no mail"
                ));
                String::new()
            }
            (true, _, _) => {
                self.add(format!(
                    "{at}: an external user needs mail (their home address) and no upn"
                ));
                String::new()
            }
        };
        ExplicitUser {
            display_name: user.display_name.clone(),
            address,
            user_type,
            external,
            account_enabled: user.account_enabled,
        }
    }

    /// Checks that `tenant` has `wanted` generated users (for invitations and sync scopes).
    fn enough_generated(&mut self, at: &str, tenant: &str, what: &str, wanted: usize) {
        let available = self.generated.get(tenant).copied().unwrap_or_default();
        if wanted > available {
            self.add(format!(
                "{at}: {what} is more than the {available} generated_users of {tenant}"
            ));
        }
    }

    /// The tenant's groups: names unique, members among `addresses`, nested groups among the
    /// tenant's other groups.
    fn groups(
        &mut self,
        place: &str,
        id: &str,
        groups: &[GroupFile],
        addresses: &HashSet<String>,
    ) -> Vec<GroupSetup> {
        let names: Vec<String> = groups
            .iter()
            .map(|g| g.name.trim().to_lowercase())
            .collect();
        let mut seen = HashSet::new();
        let mut setups = Vec::new();
        for (group, name) in groups.iter().zip(&names) {
            let at = format!("{place}: groups[{}] ({})", setups.len(), group.name);
            if name.is_empty() {
                self.add(format!("{at}: name is empty"));
            } else if !seen.insert(name.clone()) {
                self.add(format!("{at}: a second group named {:?}", group.name));
            }
            let members = self.group_members(&at, &group.members, addresses);
            self.nested_groups(&at, name, &group.member_groups, &names);
            setups.push(GroupSetup {
                display_name: group.name.trim().to_owned(),
                description: group.description.clone(),
                members,
                member_groups: group.member_groups.clone(),
            });
        }
        self.group_names.insert(id.to_owned(), seen);
        setups
    }

    /// A group's user members (lower-case), each one of the tenant's `addresses`.
    fn group_members(
        &mut self,
        at: &str,
        members: &[String],
        addresses: &HashSet<String>,
    ) -> Vec<String> {
        let members: Vec<String> = members.iter().map(|m| m.trim().to_lowercase()).collect();
        for member in members.iter().filter(|m| !addresses.contains(*m)) {
            self.add(format!(
                "{at}: member {member:?} is not a user of the tenant (an account's or internal user's upn, an external user's mail, or a generated member's upn)"
            ));
        }
        members
    }

    /// A group's group members: other groups of the tenant (`names`, lower-case), not itself.
    fn nested_groups(&mut self, at: &str, own: &str, nested: &[String], names: &[String]) {
        for reference in nested {
            let wanted = reference.trim().to_lowercase();
            if wanted == own {
                self.add(format!("{at}: member_groups names the group itself"));
            } else if !names.contains(&wanted) {
                self.add(format!(
                    "{at}: member_groups {reference:?} is not a group of the tenant"
                ));
            }
        }
    }

    fn setup(
        &mut self,
        place: &str,
        id: &str,
        tenant: &TenantFile,
        domains: &[String],
        accounts: &[Account],
    ) -> TenantSetup {
        let mut setup = TenantSetup {
            generated_users: tenant.generated_users,
            templates: tenant
                .templates
                .map(|t| TemplateSetup {
                    auto_redeem_inbound: t.auto_redeem_inbound,
                    auto_redeem_outbound: t.auto_redeem_outbound,
                    inbound_sync: t.inbound_sync,
                })
                .unwrap_or_default(),
            ..TenantSetup::default()
        };
        for (i, user) in tenant.users.iter().enumerate() {
            let at = format!("{place}: users[{i}] ({})", user.display_name);
            setup.users.push(self.user(&at, user, domains));
        }
        for (i, invited) in tenant.invited.iter().enumerate() {
            let at = format!("{place}: invited[{i}]");
            let Some(from) = self.other(&at, "from", &invited.from, ("the tenant itself", id))
            else {
                continue;
            };
            let what = format!("skip {} + count {}", invited.skip, invited.count);
            self.enough_generated(&at, &from, &what, invited.skip + invited.count);
            setup.invitations.push(Invitation {
                from,
                skip: invited.skip,
                count: invited.count,
                user_type: invited.user_type.as_str(),
            });
        }
        if !tenant.groups.is_empty() {
            let addresses =
                member_addresses(accounts, &setup.users, domains, tenant.generated_users);
            setup.groups = self.groups(place, id, &tenant.groups, &addresses);
        }
        let mut seen = HashSet::new();
        for (i, partner) in tenant.partners.iter().enumerate() {
            let at = format!("{place}: partners[{i}]");
            let Some(other) = self.other(&at, "tenant", &partner.tenant, ("the tenant itself", id))
            else {
                continue;
            };
            if !seen.insert(other.clone()) {
                self.add(format!("{at}: a second configuration for partner {other}"));
            }
            setup.partners.push(PartnerSetup {
                partner: other,
                auto_redeem_inbound: partner.auto_redeem_inbound,
                auto_redeem_outbound: partner.auto_redeem_outbound,
                inbound_sync: partner.inbound_sync,
            });
        }
        setup
    }

    /// Each of `names` must be a group of `source`.
    fn scope_groups(&mut self, at: &str, source: &str, names: &[String]) {
        for name in names {
            let known = self
                .group_names
                .get(source)
                .is_some_and(|groups| groups.contains(&name.trim().to_lowercase()));
            if !known {
                self.add(format!(
                    "{at}: scope_groups {name:?} is not a group of the source {source}"
                ));
            }
        }
    }

    fn sync_jobs(&mut self, jobs: &[SyncJobFile]) -> Vec<SyncSetup> {
        let mut sync = Vec::new();
        let mut pairs = HashSet::new();
        for (i, job) in jobs.iter().enumerate() {
            let at = format!("sync_jobs[{i}]");
            let Some(source) = self.resolve(&at, "source", &job.source) else {
                continue;
            };
            let Some(target) = self.other(&at, "target", &job.target, ("the source", &source))
            else {
                continue;
            };
            if !pairs.insert((source.clone(), target.clone())) {
                self.add(format!(
                    "{at}: a second configuration from {source} to {target} (only one per pair)"
                ));
            }
            self.enough_generated(&at, &source, &format!("scope {}", job.scope), job.scope);
            self.scope_groups(&at, &source, &job.scope_groups);
            sync.push(SyncSetup {
                groups: job
                    .scope_groups
                    .iter()
                    .map(|g| g.trim().to_owned())
                    .collect(),
                source,
                target,
                scope: job.scope,
                state: match job.state {
                    JobStateFile::Active => JobState::Active,
                    JobStateFile::Paused => JobState::Paused,
                    JobStateFile::Disabled => JobState::Disabled,
                },
            });
        }
        sync
    }
}

impl File {
    fn into_scenario(self, default_name: &str) -> Result<Scenario, Vec<String>> {
        let mut check = Checker {
            problems: Vec::new(),
            directory: HashMap::new(),
            owners: Vec::new(),
            generated: HashMap::new(),
            upns: HashSet::new(),
            object_ids: HashSet::new(),
            group_names: HashMap::new(),
        };
        if self.tenants.is_empty() {
            check.add("tenants: a scenario needs at least one [[tenants]] entry".into());
        }
        let tenants: Vec<(String, &TenantFile)> = self
            .tenants
            .iter()
            .map(|t| (format!("tenant {:?}", t.display_name), t))
            .collect();
        // Ids and domains first: every reference below is checked against them.
        let ids = check.directory(&tenants);
        check.owners = tenants
            .iter()
            .zip(&ids)
            .filter(|((_, t), _)| {
                t.mto
                    .as_ref()
                    .is_some_and(|m| m.role == RoleFile::Owner && m.state == StateFile::Active)
            })
            .map(|(_, id)| id.clone())
            .collect();
        let members: Vec<&MembershipFile> =
            self.tenants.iter().filter_map(|t| t.mto.as_ref()).collect();
        check.mto(self.mto.as_ref(), &members);

        let mut scenario_tenants = Vec::new();
        let mut setups = BTreeMap::new();
        for ((place, tenant), id) in tenants.iter().zip(&ids) {
            let domains: Vec<String> = tenant
                .domains
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect();
            let accounts = check.accounts(place, id, tenant, &domains);
            let membership = tenant.mto.as_ref().map(|m| check.membership(place, m));
            setups.insert(
                id.clone(),
                check.setup(place, id, tenant, &domains, &accounts),
            );
            scenario_tenants.push(Tenant {
                id: id.clone(),
                display_name: tenant.display_name.clone(),
                domains,
                accounts,
                membership,
            });
        }
        let sync = check.sync_jobs(&self.sync_jobs);
        let timing = check.timing(self.timing.as_deref());

        if !check.problems.is_empty() {
            return Err(check.problems);
        }
        Ok(Scenario {
            name: self.name.unwrap_or_else(|| default_name.to_owned()),
            tenants: scenario_tenants,
            mto: self.mto.map(|mto| Mto {
                display_name: mto.display_name,
                description: mto.description,
                created: mto.created.unwrap_or_else(|| DEFAULT_CREATED.into()),
            }),
            internal_users: 0,
            timing,
            custom: Some(Custom {
                tenants: setups,
                sync,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "11111111-1111-4111-8111-111111111111";
    const MEMBER: &str = "22222222-2222-4222-8222-222222222222";

    fn minimal(extra: &str) -> String {
        format!(
            r#"
[mto]
display_name = "Group"

[[tenants]]
id = "{OWNER}"
display_name = "Owner"
domains = ["owner.onmicrosoft.com"]
generated_users = 10
mto = {{ role = "owner", state = "active" }}

[[tenants.accounts]]
upn = "admin@owner.onmicrosoft.com"
display_name = "Owner Admin"
roles = ["Global Administrator"]

[[tenants]]
id = "{MEMBER}"
display_name = "Member"
domains = ["member.onmicrosoft.com"]
mto = {{ role = "member", state = "pending" }}
{extra}"#
        )
    }

    fn problems(text: &str) -> Vec<String> {
        from_toml(text, "t").expect_err("the file should be refused")
    }

    fn has(problems: &[String], needle: &str) -> bool {
        problems.iter().any(|p| p.contains(needle))
    }

    #[test]
    fn a_minimal_file_loads_with_defaults() {
        let scenario = from_toml(&minimal(""), "minimal").unwrap();
        assert_eq!(scenario.name, "minimal");
        assert_eq!(scenario.tenants.len(), 2);
        let owner = scenario.tenant("owner.onmicrosoft.com").unwrap();
        assert_eq!(owner.accounts[0].role_ids, [roles::GLOBAL_ADMINISTRATOR]);
        let member = scenario.tenant(MEMBER).unwrap().membership.clone().unwrap();
        assert_eq!(member.added_by, OWNER);
        assert_eq!(member.state, MemberState::Pending);
        assert_eq!(member.joined, None);
        let custom = scenario.custom.unwrap();
        assert_eq!(custom.tenants[OWNER].generated_users, 10);
    }

    #[test]
    fn timing_is_fast_by_default_realistic_on_request_and_checked() {
        assert_eq!(from_toml(&minimal(""), "t").unwrap().timing, Timing::Fast);
        let realistic = format!("timing = \"realistic\"\n{}", minimal(""));
        assert_eq!(
            from_toml(&realistic, "t").unwrap().timing,
            Timing::Realistic
        );
        let found = problems(&format!("timing = \"slow\"\n{}", minimal("")));
        assert!(
            has(
                &found,
                r#"timing: "slow" is neither "fast" nor "realistic""#
            ),
            "{found:?}"
        );
    }

    #[test]
    fn invalid_guids_and_duplicate_ids_name_the_tenant() {
        let text = minimal(&format!(
            r#"
[[tenants]]
id = "not-a-guid"
display_name = "Broken"
domains = ["broken.onmicrosoft.com"]

[[tenants]]
id = "{OWNER}"
display_name = "Twin"
domains = ["twin.onmicrosoft.com"]
"#
        ));
        let found = problems(&text);
        assert!(
            has(&found, r#"tenant "Broken": id "not-a-guid" is not a GUID"#),
            "{found:?}"
        );
        assert!(
            has(
                &found,
                &format!(r#"tenant "Twin": id {OWNER} is used by another tenant"#)
            ),
            "{found:?}"
        );
    }

    #[test]
    fn unknown_tenants_referenced_are_named_with_their_field() {
        let text = minimal(
            r#"
[[tenants.partners]]
tenant = "nowhere.onmicrosoft.com"
inbound_sync = true

[[sync_jobs]]
source = "owner.onmicrosoft.com"
target = "33333333-3333-4333-8333-333333333333"
scope = 5
"#,
        );
        let found = problems(&text);
        assert!(
            has(
                &found,
                r#"tenant "Member": partners[0]: tenant "nowhere.onmicrosoft.com" is not a tenant id or domain"#
            ),
            "{found:?}"
        );
        assert!(
            has(
                &found,
                r#"sync_jobs[0]: target "33333333-3333-4333-8333-333333333333""#
            ),
            "{found:?}"
        );
    }

    #[test]
    fn an_mto_needs_an_active_owner() {
        let text = minimal("").replace(
            r#"mto = { role = "owner", state = "active" }"#,
            r#"mto = { role = "member", state = "active" }"#,
        );
        let found = problems(&text);
        assert!(
            has(&found, "mto: no tenant is an active owner"),
            "{found:?}"
        );
        let without_table = minimal("").replace("[mto]\ndisplay_name = \"Group\"", "");
        assert!(has(
            &problems(&without_table),
            "tenants have an mto membership but the file has no [mto] table"
        ));
    }

    #[test]
    fn accounts_roles_users_and_jobs_are_checked() {
        let text = minimal(
            r#"
[[tenants.accounts]]
upn = "admin@elsewhere.com"
display_name = "Lost"
roles = ["Supreme Leader"]

[[tenants.users]]
display_name = "No Address"
kind = "external-guest"
upn = "x@member.onmicrosoft.com"

[[sync_jobs]]
source = "owner.onmicrosoft.com"
target = "member.onmicrosoft.com"
scope = 50

[[sync_jobs]]
source = "owner.onmicrosoft.com"
target = "member.onmicrosoft.com"
"#,
        );
        let found = problems(&text);
        for needle in [
            r#"tenant "Member": accounts[0] (admin@elsewhere.com): upn "admin@elsewhere.com" must be alias@domain"#,
            r#"role "Supreme Leader" is neither a known directory role name"#,
            r#"tenant "Member": users[0] (No Address): an external user needs mail"#,
            "sync_jobs[0]: scope 50 is more than the 10 generated_users of",
            "sync_jobs[1]: a second configuration from",
        ] {
            assert!(has(&found, needle), "{needle} not in {found:?}");
        }
    }

    #[test]
    fn self_references_dates_and_shared_domains_are_refused() {
        let text = minimal(&format!(
            r#"
[[tenants.partners]]
tenant = "{MEMBER}"

[[tenants]]
id = "33333333-3333-4333-8333-333333333333"
display_name = "Copycat"
domains = ["OWNER.onmicrosoft.com"]
"#
        ))
        .replace(
            r#"mto = { role = "member", state = "pending" }"#,
            r#"mto = { role = "member", state = "pending", joined = "yesterday" }"#,
        );
        let found = problems(&text);
        for needle in [
            &format!(
                r#"tenant "Member": partners[0]: tenant "{MEMBER}" is the tenant itself ({MEMBER})"#
            ),
            r#"tenant "Member": mto: joined "yesterday" is not an RFC 3339 date-time"#,
            r#"tenant "Member": mto: a pending tenant has no joined date"#,
            r#"tenant "Copycat": domain owner.onmicrosoft.com is already used by another tenant"#,
        ] {
            assert!(has(&found, needle), "{needle} not in {found:?}");
        }
    }

    #[test]
    fn typos_and_syntax_errors_are_reported_by_the_parser() {
        let found = problems(&minimal("").replace("generated_users", "generated_usres"));
        assert!(has(&found, "unknown field `generated_usres`"), "{found:?}");
        assert!(!problems("[[tenants]\n").is_empty());
        assert!(has(&problems(""), "at least one [[tenants]]"));
    }

    /// `minimal` with `groups` (TOML) in the owner tenant, which has 10 generated members.
    fn with_owner_groups(groups: &str, extra: &str) -> String {
        minimal(extra).replacen(
            "roles = [\"Global Administrator\"]\n",
            &format!("roles = [\"Global Administrator\"]\n{groups}"),
            1,
        )
    }

    #[test]
    fn groups_name_users_of_their_tenant_and_other_groups() {
        let text = with_owner_groups(
            r#"
[[tenants.groups]]
name = "Outer"
description = "Synced"
members = ["ADMIN@owner.onmicrosoft.com", "adele.vance@owner.onmicrosoft.com"]
member_groups = ["inner"]

[[tenants.groups]]
name = "Inner"
members = ["jonas.wilber@owner.onmicrosoft.com"]
"#,
            r#"
[[sync_jobs]]
source = "owner.onmicrosoft.com"
target = "member.onmicrosoft.com"
scope_groups = ["Outer"]
"#,
        )
        .replace("generated_users = 10", "generated_users = 40");
        let custom = from_toml(&text, "t").unwrap().custom.unwrap();
        let groups = &custom.tenants[OWNER].groups;
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].display_name, "Outer");
        assert_eq!(groups[0].description.as_deref(), Some("Synced"));
        assert_eq!(
            groups[0].members,
            [
                "admin@owner.onmicrosoft.com",
                "adele.vance@owner.onmicrosoft.com"
            ]
        );
        assert_eq!(groups[0].member_groups, ["inner"]);
        assert_eq!(custom.sync[0].groups, ["Outer"]);
        assert_eq!(custom.sync[0].scope, 0);
    }

    #[test]
    fn unknown_members_nested_groups_and_scope_groups_are_named() {
        let text = with_owner_groups(
            r#"
[[tenants.groups]]
name = "Outer"
members = ["nobody@owner.onmicrosoft.com", "jonas.vance@owner.onmicrosoft.com", "adele.vance@owner.onmicrosoft.com"]
member_groups = ["Missing", "outer"]

[[tenants.groups]]
name = "OUTER"
"#,
            r#"
[[sync_jobs]]
source = "owner.onmicrosoft.com"
target = "member.onmicrosoft.com"
scope_groups = ["Nope"]
"#,
        );
        let found = problems(&text);
        for needle in [
            r#"tenant "Owner": groups[0] (Outer): member "nobody@owner.onmicrosoft.com" is not a user of the tenant"#,
            // The 11th generated member: Owner has 10.
            r#"tenant "Owner": groups[0] (Outer): member "jonas.vance@owner.onmicrosoft.com" is not a user"#,
            r#"tenant "Owner": groups[0] (Outer): member_groups "Missing" is not a group of the tenant"#,
            r#"tenant "Owner": groups[0] (Outer): member_groups names the group itself"#,
            r#"tenant "Owner": groups[1] (OUTER): a second group named "OUTER""#,
            &format!(r#"sync_jobs[0]: scope_groups "Nope" is not a group of the source {OWNER}"#),
        ] {
            assert!(has(&found, needle), "{needle} not in {found:?}");
        }
        assert!(
            !has(&found, "adele.vance"),
            "a generated member is a user: {found:?}"
        );
    }

    #[test]
    fn the_shipped_example_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        let scenario = load(&path).unwrap();
        assert!(scenario.mto.is_some());
        assert!(scenario.custom.is_some_and(|c| !c.sync.is_empty()));
    }
}
