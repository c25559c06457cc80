//! The scope what-if of `/drift`, read from Graph: before a change to a sync configuration's scope
//! or mappings is made (a drift item restored, a teardown step removing its scope), who the next
//! sync cycle would then create, convert between guest and member, or soft-delete in its target.
//! The decision itself is [`app::drift::whatif`]; this module finds the change's before and after
//! in the snapshots and reads what the decision needs, with the session's own sign-ins:
//!
//! - in the source tenant: every user (`GET /users`, the properties of `USER_DETAIL_SELECT` and the
//!   other attributes the scoping filters compare), the configuration's `SyncAll` setting, the
//!   direct members of each assigned group (one `$batch` per 20 groups, further pages followed),
//!   and, for the users the change would create or convert, their phone methods (SMS sign-in
//!   users are skipped by the service; one `$batch` per 20 users, at most [`MAX_PHONE_READS`]);
//! - in the target tenant: its B2B users (`creationType eq 'Invitation'`) and its deleted users.
//!
//! Listings are read [`PER_PAGE`] at a time, at most [`MAX_PAGES`] pages each (49,950 users): past
//! that the result says it counted only those. A configuration is read once however many of its
//! changes are shown. The session must be signed in to both tenants with a read role; when it is
//! not, the what-if is unknown and says why, and the page is shown all the same.
//!
//! An account in the target is linked to its source user by its mail: the service matches the two
//! by `alternativeSecurityIds`, which Graph does not return, and a B2B account carries its user's
//! home address as `mail` (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/user.md`, `mail` and `creationType`). A B2B account the user was
//! invited with before the sync is linked too: the service takes such accounts over ("If the B2B
//! user already exists in the target tenant…", `MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`, step 9).
//! Graph does not say who deleted a user: every deleted account is counted as soft-deleted by the
//! sync (restored when its user comes back into scope), although the service does not restore one
//! an administrator of the target deleted.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use app::api::ApiError;
use app::drift::diff::{self, Located, Step};
use app::drift::snapshot::{Snapshot, SyncConfiguration};
use app::drift::whatif::{self, AccountState, Scope, SourceUser, TargetAccount, WhatIf};
use app::drift::{ChangeKind, ObjectKind};
use graph::client::{AccessToken, GraphClient, GraphError, GraphErrorKind, MAX_BATCH};
use graph::ops::people::DirectMember;
use graph::sync::{PrincipalType, SyncRule};
use graph::users::{DeletedUser, PhoneMethod, UserDetail};
use graph::{ops, Collection, ObjectId, Op, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::access::Read;
use crate::auth::session::AuthSession;
use crate::dashboard::Dashboard;
use crate::error::Failure;
use crate::mesh::reader::RequestCounter;

/// Users per page of a listing: Graph's largest.
pub const PER_PAGE: usize = 999;
/// Pages read at most per listing.
pub const MAX_PAGES: usize = 50;
/// Users whose phone methods are read at most, per configuration.
pub const MAX_PHONE_READS: usize = 200;
/// Names shown per outcome.
const NAMES_SHOWN: usize = 5;

/// A change to one configuration's scope or mappings.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The configuration's tenant.
    pub source: String,
    /// Its service principal id.
    pub sp: String,
    /// Its target tenant.
    pub target: String,
    /// The scope before and after the change (`SyncAll` is not in snapshots: it is read live), or
    /// why they are unknown.
    pub scopes: Result<(Scope, Scope), String>,
}

/// A what-if as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shown {
    pub target_name: String,
    /// The summary, or why it is unknown.
    pub text: String,
    /// A few names per outcome.
    pub names: Vec<String>,
}

fn configuration<'s>(
    snapshot: &'s Snapshot,
    tenant: &str,
    sp: &str,
) -> Option<&'s SyncConfiguration> {
    snapshot
        .tenants
        .get(tenant)?
        .sync_configurations
        .as_ref()?
        .get(sp)
}

/// A configuration's scope as a snapshot holds it: the rules of `job` (of its job when `None`) and
/// its assignments; `SyncAll` off.
pub fn scope_of(config: &SyncConfiguration, job: Option<&str>) -> Result<Scope, String> {
    let unknown = |what: &str| format!("{what} could not be read: who would change is unknown.");
    let jobs = config
        .jobs
        .as_ref()
        .ok_or_else(|| unknown("The configuration's sync job"))?;
    let job = match job {
        Some(id) => jobs.get(id),
        None => jobs.values().next(),
    }
    .ok_or("The configuration has no sync job: it syncs nobody.")?;
    let rules = job
        .rules
        .clone()
        .ok_or_else(|| unknown("The job's mappings"))?;
    let assignments = config
        .assignments
        .as_ref()
        .ok_or_else(|| unknown("The configuration's scope"))?;
    let mut scope = Scope {
        rules,
        ..Scope::default()
    };
    for (principal, assignment) in assignments {
        if assignment.principal_type == Some(PrincipalType::Group) {
            scope.assigned_groups.insert(principal.clone());
        } else {
            scope.assigned_users.insert(principal.clone());
        }
    }
    Ok(scope)
}

/// The service principal id in a path into a snapshot
/// (`tenants/<id>/syncConfigurations/<sp>/…`).
fn sp_in(path: &[Step]) -> Option<&str> {
    match path {
        [Step::Field(tenants), _, Step::Field(configurations), Step::Field(sp), ..]
            if tenants == "tenants" && configurations == "syncConfigurations" =>
        {
            Some(sp)
        }
        _ => None,
    }
}

/// What restoring `at` (found comparing `reference` with `live`) does to its configuration's
/// scope; `None` when it is no scope change (or moves nobody: another attribute mapping).
pub fn restore_question(reference: &Snapshot, live: &Snapshot, at: &Located) -> Option<Question> {
    let change = &at.change;
    let sp = sp_in(&at.path)?;
    let config = configuration(live, &change.tenant_id, sp)?;
    let scopes = match change.object {
        ObjectKind::SyncConfiguration => {
            let below = at.field_path();
            let [Step::Field(jobs), Step::Field(job), Step::Field(rules), ..] = below else {
                return None;
            };
            if jobs != "jobs" || rules != "rules" {
                return None;
            }
            let rules_at = at.path.len() - below.len() + 3;
            scope_of(config, Some(job)).and_then(|before| {
                let mut restored = serde_json::to_value(live).unwrap_or(Value::Null);
                let reference = serde_json::to_value(reference).unwrap_or(Value::Null);
                let rules: Option<Vec<SyncRule>> = diff::set(
                    &mut restored,
                    &at.path,
                    diff::get(&reference, &at.path).cloned(),
                )
                .then(|| diff::get(&restored, &at.path[..rules_at]).cloned())
                .flatten()
                .and_then(|rules| serde_json::from_value(rules).ok());
                let rules = rules.ok_or("The restored mappings could not be read.")?;
                let after = Scope {
                    rules,
                    ..before.clone()
                };
                Ok((before, after))
            })
        }
        ObjectKind::Assignment => {
            let principal = change.key.clone();
            let kind = match change.kind {
                // Restoring removes what was added and adds back what was removed.
                ChangeKind::Added => None,
                ChangeKind::Removed => Some(
                    configuration(reference, &change.tenant_id, sp).and_then(|c| {
                        c.assignments
                            .as_ref()?
                            .get(&principal)?
                            .principal_type
                            .clone()
                    }),
                ),
                ChangeKind::Changed => return None,
            };
            scope_of(config, None).map(|before| {
                let mut after = before.clone();
                match kind {
                    None => {
                        after.assigned_users.remove(&principal);
                        after.assigned_groups.remove(&principal);
                    }
                    Some(Some(PrincipalType::Group)) => {
                        after.assigned_groups.insert(principal);
                    }
                    Some(_) => {
                        after.assigned_users.insert(principal);
                    }
                }
                (before, after)
            })
        }
        _ => return None,
    };
    question(change.tenant_id.clone(), sp, config, scopes)
}

/// What removing every assignment of configuration `sp` of `tenant` (a teardown's scope step)
/// does to its scope.
pub fn teardown_question(live: &Snapshot, tenant: &str, sp: &str) -> Option<Question> {
    let config = configuration(live, tenant, sp)?;
    let scopes = scope_of(config, None).map(|before| {
        let after = Scope {
            assigned_users: BTreeSet::new(),
            assigned_groups: BTreeSet::new(),
            ..before.clone()
        };
        (before, after)
    });
    question(tenant.to_owned(), sp, config, scopes)
}

fn question(
    source: String,
    sp: &str,
    config: &SyncConfiguration,
    scopes: Result<(Scope, Scope), String>,
) -> Option<Question> {
    if let Ok((before, after)) = &scopes {
        if !whatif::changes_scope(before, after) {
            return None;
        }
    }
    Some(Question {
        source,
        sp: sp.to_owned(),
        target: config.target_tenant_id.clone()?,
        scopes,
    })
}

/// The accounts of the target that came from `users`: its B2B users, active (members first) or
/// deleted, whose mail is a user's home address (their mail, else their user principal name).
pub fn link(
    users: &[SourceUser],
    active: &[UserDetail],
    deleted: &[DeletedUser],
) -> Vec<TargetAccount> {
    let home: HashMap<String, &str> = users
        .iter()
        .filter_map(|u| {
            let address = u
                .user
                .mail
                .as_deref()
                .filter(|m| !m.is_empty())
                .or(u.user.user_principal_name.as_deref())?;
            Some((address.to_lowercase(), u.user.id.as_str()))
        })
        .collect();
    let account = |user: &UserDetail, state: AccountState| {
        if user.is_internal() {
            return None;
        }
        let source = home.get(&user.mail.as_deref()?.to_lowercase())?;
        Some(TargetAccount {
            source_id: (*source).to_owned(),
            user_type: user
                .user_type
                .as_ref()
                .map_or("Member", |t| t.as_str())
                .to_owned(),
            state,
        })
    };
    let mut accounts: Vec<TargetAccount> = active
        .iter()
        .filter_map(|u| account(u, AccountState::Active))
        .collect();
    accounts.sort_by_key(|a| a.user_type != "Member");
    accounts.extend(
        deleted
            .iter()
            .filter_map(|d| account(&d.user, AccountState::SoftDeleted)),
    );
    accounts
}

/// A few of `names`: "A, B, C and 12 more".
fn few(names: &[String]) -> String {
    let shown = names.iter().take(NAMES_SHOWN).cloned().collect::<Vec<_>>();
    match names.len().saturating_sub(NAMES_SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The page's what-if: the summary, what was not counted, and a few names per outcome.
pub fn shown(what_if: &WhatIf, target_name: &str, notes: &[String]) -> Shown {
    let mut text = whatif::summary(what_if, target_name);
    if what_if.already_due > 0 {
        text.push_str(&match what_if.already_due {
            1 => " One of these is due at the next cycle even without this change.".to_owned(),
            n => format!(" {n} of these are due at the next cycle even without this change."),
        });
    }
    for note in notes {
        text.push(' ');
        text.push_str(note);
    }
    let mut names = Vec::new();
    if !what_if.created.is_empty() {
        names.push(format!("Created: {}", few(&what_if.created)));
    }
    let mut conversions: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for (name, from, to) in &what_if.converted {
        conversions
            .entry((from.as_str(), to.as_str()))
            .or_default()
            .push(name.clone());
    }
    for ((from, to), who) in conversions {
        names.push(format!("Converted from {from} to {to}: {}", few(&who)));
    }
    if !what_if.soft_deleted.is_empty() {
        names.push(format!("Soft-deleted: {}", few(&what_if.soft_deleted)));
    }
    Shown {
        target_name: target_name.to_owned(),
        text,
        names,
    }
}

fn why(error: &GraphError) -> String {
    match error.kind {
        GraphErrorKind::Forbidden => "the role may not read them".to_owned(),
        _ => error.to_string(),
    }
}

fn missing() -> Result<Value, GraphError> {
    Err(GraphError::decode("missing answer", None))
}

/// The reads of one configuration's what-ifs.
pub struct Reading<'a> {
    pub graph: &'a GraphClient,
    /// The session's token for the configuration's tenant, and the tenant's name.
    pub source: (&'a AccessToken, &'a str),
    /// The same for its target.
    pub target: (&'a AccessToken, &'a str),
    pub requests: &'a RequestCounter,
}

impl Reading<'_> {
    /// Every item of `op` (at most [`MAX_PAGES`] pages), and whether some were left unread.
    async fn listing<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        op: &Op<Collection<T>>,
    ) -> Result<(Vec<T>, bool), GraphError> {
        let mut all = Vec::new();
        let mut more = false;
        let pages = self
            .graph
            .for_each_page(token, op, Some(MAX_PAGES), |page| {
                more = page.next_link.is_some();
                all.extend(page.value);
            })
            .await;
        match pages {
            Ok(pages) => {
                self.requests.add(pages);
                Ok((all, more))
            }
            Err(error) => {
                self.requests.add(1);
                Err(error)
            }
        }
    }

    async fn batch(
        &self,
        token: &AccessToken,
        requests: &[&Request],
    ) -> Vec<Result<Value, GraphError>> {
        if requests.is_empty() {
            return Vec::new();
        }
        self.requests.add(requests.len().div_ceil(MAX_BATCH));
        self.graph.batch_run(token, requests).await
    }

    /// The whole of a collection whose first page came in a `$batch`.
    async fn rest<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        op: &Op<Collection<T>>,
        first: Result<Value, GraphError>,
    ) -> Result<Vec<T>, GraphError> {
        let (all, further) = self.graph.rest_of(token, op.decode(first)?).await?;
        self.requests.add(further);
        Ok(all)
    }

    /// The what-if of each `(before, after)` of configuration `sp`, with what was not counted.
    pub async fn answer(
        &self,
        sp: &ObjectId,
        changes: &[(Scope, Scope)],
    ) -> Result<(Vec<WhatIf>, Vec<String>), String> {
        let ((source_token, source_name), (target_token, target_name)) = (self.source, self.target);
        let scopes: Vec<&Scope> = changes.iter().flat_map(|(b, a)| [b, a]).collect();
        let groups: BTreeSet<ObjectId> = scopes
            .iter()
            .flat_map(|s| &s.assigned_groups)
            .filter_map(|g| g.parse().ok())
            .collect();
        let more: Vec<String> = whatif::filter_attributes(scopes.iter().copied())
            .into_iter()
            .collect();
        let operands = whatif::filter_operands(scopes.iter().copied());

        // Round 1: everything at once.
        let secrets_op = ops::sync::secrets(sp);
        let member_ops: Vec<(String, Op<Collection<DirectMember>>)> = groups
            .iter()
            .map(|g| (g.to_string(), ops::people::group_members(g, PER_PAGE)))
            .collect();
        let users_op = ops::people::users_with(&more, PER_PAGE);
        let external_op = ops::people::external_users(PER_PAGE);
        let deleted_op = ops::people::deleted_users(PER_PAGE);
        let mut batched: Vec<&Request> = vec![secrets_op.request()];
        batched.extend(member_ops.iter().map(|(_, op)| op.request()));
        let (answers, users, external, deleted) = tokio::join!(
            self.batch(source_token, &batched),
            self.listing(source_token, &users_op),
            self.listing(target_token, &external_op),
            self.listing(target_token, &deleted_op),
        );
        let unread = |what: String, error: &GraphError| {
            format!(
                "{what} could not be read ({}): who would change is unknown.",
                why(error)
            )
        };
        let mut answers = answers.into_iter();
        let sync_all = secrets_op
            .decode(answers.next().unwrap_or_else(missing))
            .map_err(|e| unread("The configuration's scope setting".into(), &e))?
            .value
            .iter()
            .any(|s| s.key == "SyncAll" && s.value.eq_ignore_ascii_case("true"));
        let mut groups_of: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (group, op) in &member_ops {
            let first = answers.next().unwrap_or_else(missing);
            let members = self
                .rest(source_token, op, first)
                .await
                .map_err(|e| unread(format!("The members of assigned group {group}"), &e))?;
            for member in members.into_iter().filter(DirectMember::is_user) {
                groups_of
                    .entry(member.id)
                    .or_default()
                    .insert(group.clone());
            }
        }
        let (users, users_cut) = users.map_err(|e| unread(format!("{source_name}'s users"), &e))?;
        let (external, external_cut) =
            external.map_err(|e| unread(format!("{target_name}'s users"), &e))?;
        let (deleted, deleted_cut) =
            deleted.map_err(|e| unread(format!("{target_name}'s deleted users"), &e))?;
        let mut notes = Vec::new();
        let counted = PER_PAGE * MAX_PAGES;
        if users_cut {
            notes.push(format!(
                "Only {source_name}'s first {counted} users were counted."
            ));
        }
        if external_cut || deleted_cut {
            notes.push(format!(
                "Only {target_name}'s first {counted} B2B and deleted users were counted."
            ));
        }

        let mut source: Vec<SourceUser> = users
            .into_iter()
            .filter_map(|json| {
                let more = operands
                    .iter()
                    .filter_map(|name| {
                        Some((name.clone(), graph::sync::attribute_text(json.get(name))?))
                    })
                    .collect();
                let user: UserDetail = serde_json::from_value(Value::Object(json)).ok()?;
                let direct_groups = groups_of.remove(&user.id).unwrap_or_default();
                Some(SourceUser {
                    user,
                    more,
                    direct_groups,
                    sms_sign_in: false,
                })
            })
            .collect();
        let target = link(&source, &external, &deleted);
        let scoped: Vec<(Scope, Scope)> = changes
            .iter()
            .map(|(before, after)| {
                let with = |scope: &Scope| Scope {
                    sync_all,
                    ..scope.clone()
                };
                (with(before), with(after))
            })
            .collect();

        // Round 2: SMS sign-in of the users the changes would create or convert.
        let check: BTreeSet<String> = scoped
            .iter()
            .flat_map(|(_, after)| whatif::sms_decides(&source, after, &target))
            .map(str::to_owned)
            .collect();
        if check.len() > MAX_PHONE_READS {
            notes.push(format!(
                "SMS sign-in (whose users the sync skips) was checked for {MAX_PHONE_READS} of the {} users only.",
                check.len()
            ));
        }
        let phone_ops: Vec<(String, Op<Collection<PhoneMethod>>)> = check
            .into_iter()
            .filter_map(|id| Some((id.clone(), ops::people::phone_methods(&id.parse().ok()?))))
            .take(MAX_PHONE_READS)
            .collect();
        let requests: Vec<&Request> = phone_ops.iter().map(|(_, op)| op.request()).collect();
        let mut sms = BTreeSet::new();
        for ((id, op), answer) in phone_ops
            .iter()
            .zip(self.batch(source_token, &requests).await)
        {
            match op.decode(answer) {
                Ok(phones) if phones.value.iter().any(PhoneMethod::sms_sign_in) => {
                    sms.insert(id.clone());
                }
                Ok(_) => {}
                Err(error) => {
                    notes.push(format!(
                        "SMS sign-in (whose users the sync skips) was not checked: {source_name}'s \
                         authentication methods could not be read ({}).",
                        why(&error)
                    ));
                    break;
                }
            }
        }
        for user in &mut source {
            user.sms_sign_in = sms.contains(&user.user.id);
        }
        let what_ifs = scoped
            .iter()
            .map(|(before, after)| whatif::what_if(&source, before, after, &target))
            .collect();
        Ok((what_ifs, notes))
    }
}

impl Dashboard {
    /// The what-if of each question, in order: each configuration read once, with the session's
    /// sign-ins to its tenant and its target.
    pub(crate) async fn what_ifs(
        &self,
        session: &AuthSession,
        questions: &[Question],
    ) -> Result<Vec<Shown>, Failure> {
        let mut out: Vec<Shown> = questions
            .iter()
            .map(|q| Shown {
                target_name: self.tenant_name(&q.target, None),
                ..Shown::default()
            })
            .collect();
        let mut by_configuration: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for (index, question) in questions.iter().enumerate() {
            match &question.scopes {
                Ok(_) => by_configuration
                    .entry((question.source.as_str(), question.sp.as_str()))
                    .or_default()
                    .push(index),
                Err(reason) => out[index].text = reason.clone(),
            }
        }
        for ((source, sp), indices) in by_configuration {
            let target = questions[indices[0]].target.as_str();
            let target_name = out[indices[0]].target_name.clone();
            let source_name = self.tenant_name(source, None);
            let changes: Vec<(Scope, Scope)> = indices
                .iter()
                .filter_map(|&i| questions[i].scopes.clone().ok())
                .collect();
            let answer = match (
                self.reason_not_read(session, source).await?,
                self.reason_not_read(session, target).await?,
                sp.parse::<ObjectId>(),
            ) {
                (Ok(source_token), Ok(target_token), Ok(sp)) => {
                    let requests = RequestCounter::default();
                    let reading = Reading {
                        graph: &self.sign_in.graph,
                        source: (&source_token, &source_name),
                        target: (&target_token, &target_name),
                        requests: &requests,
                    };
                    let answer = reading.answer(&sp, &changes).await;
                    tracing::debug!(
                        source = %source_name,
                        target = %target_name,
                        changes = changes.len(),
                        graph_requests = requests.total(),
                        "scope what-if read"
                    );
                    answer
                }
                (Err(reason), _, _) => Err(reason.to_string()),
                (_, Err(ApiError::NotSignedIn { .. }), _) => Err(format!(
                    "Sign in to {target_name} to see who would be created, converted or \
                     soft-deleted there."
                )),
                (_, Err(reason), _) => Err(reason.to_string()),
                (_, _, Err(_)) => Err("The configuration's id is not an object id.".to_owned()),
            };
            match answer {
                Ok((what_ifs, notes)) => {
                    for (&index, what_if) in indices.iter().zip(&what_ifs) {
                        out[index] = shown(what_if, &target_name, &notes);
                    }
                }
                Err(reason) => {
                    for &index in &indices {
                        out[index].text = reason.clone();
                    }
                }
            }
        }
        Ok(out)
    }

    /// The session's token for reading `tenant`, or why there is none (`Err` only when the
    /// session itself failed).
    async fn reason_not_read(
        &self,
        session: &AuthSession,
        tenant: &str,
    ) -> Result<Result<AccessToken, ApiError>, Failure> {
        match self.access::<Read>(session, tenant).await {
            Ok(access) => Ok(Ok(access.token().clone())),
            Err(Failure::Api(error)) => Ok(Err(error)),
            Err(Failure::Graph { what, error, .. }) => Ok(Err(ApiError::Upstream {
                message: format!("{what}: {error}"),
                request_id: error.request_id.clone(),
            })),
            Err(failure) => Err(failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::drift::snapshot::{AssignmentConfig, JobConfig};
    use app::drift::Origin;
    use graph::users::UserType;

    const TENANT: &str = "11111111-1111-4111-8111-111111111111";
    const TARGET: &str = "22222222-2222-4222-8222-222222222222";
    const SP: &str = "33333333-3333-4333-8333-333333333333";

    fn snapshot(groups: &[&str], user_type: &str) -> Snapshot {
        let schema = emulator_like_rules(user_type);
        let assignments = groups
            .iter()
            .map(|g| {
                (
                    (*g).to_owned(),
                    AssignmentConfig {
                        principal_display_name: None,
                        principal_type: Some(PrincipalType::Group),
                        app_role_id: "role".into(),
                        id: format!("assignment-{g}"),
                    },
                )
            })
            .collect();
        let config = SyncConfiguration {
            display_name: Some("to Fabrikam".into()),
            target_tenant_id: Some(TARGET.into()),
            jobs: Some(BTreeMap::from([(
                "Azure2Azure.job".to_owned(),
                JobConfig {
                    template_id: "Azure2Azure".into(),
                    schedule: graph::sync::Schedule {
                        expiration: None,
                        interval: "PT40M".into(),
                        state: graph::sync::ScheduleState::Active,
                    },
                    rules: Some(schema),
                },
            )])),
            assignments: Some(assignments),
        };
        let mut snapshot = Snapshot::new("t".into(), "me".into(), Origin::OnDemand);
        snapshot.tenants.insert(
            TENANT.into(),
            app::drift::snapshot::TenantConfig {
                display_name: "Contoso".into(),
                sync_configurations: Some(BTreeMap::from([(SP.to_owned(), config)])),
                ..Default::default()
            },
        );
        snapshot
    }

    fn emulator_like_rules(user_type: &str) -> Vec<SyncRule> {
        serde_json::from_value(serde_json::json!([{
            "id": "rule", "name": "USER_INBOUND_USER", "editable": true, "priority": 1,
            "sourceDirectoryName": null, "targetDirectoryName": null, "metadata": [],
            "objectMappings": [{
                "name": "Provision Azure Active Directory Users", "enabled": true,
                "flowTypes": "Add, Update, Delete", "metadata": [], "scope": null,
                "sourceObjectName": "User", "targetObjectName": "User",
                "attributeMappings": [
                    {"targetAttributeName": "userType", "defaultValue": null,
                     "exportMissingReferences": false, "flowBehavior": "FlowWhenChanged",
                     "flowType": "Always", "matchingPriority": 0,
                     "source": {"expression": format!("\"{user_type}\""), "name": user_type,
                                "type": "Constant", "parameters": []}},
                    {"targetAttributeName": "department", "defaultValue": null,
                     "exportMissingReferences": false, "flowBehavior": "FlowWhenChanged",
                     "flowType": "Always", "matchingPriority": 0,
                     "source": {"expression": "[department]", "name": "department",
                                "type": "Attribute", "parameters": []}}
                ]
            }]
        }]))
        .unwrap()
    }

    fn located(reference: &Snapshot, live: &Snapshot, field: &str) -> Located {
        let names = |id: &str| id.to_owned();
        diff::compare(reference, live, &names)
            .into_iter()
            .find(|l| l.change.field.contains(field))
            .unwrap()
    }

    #[test]
    fn a_user_type_restore_is_a_question_and_another_mapping_is_not() {
        let reference = snapshot(&["g"], "Guest");
        let live = snapshot(&["g"], "Member");
        // The constant's expression restored alone moves nobody: its `name` is what
        // `SyncSchema::constant_for` (and the emulator's engine) read.
        let at = located(&reference, &live, "[userType].source.expression");
        assert_eq!(restore_question(&reference, &live, &at), None);
        let at = located(&reference, &live, "[userType].source.name");
        let question = restore_question(&reference, &live, &at).unwrap();
        assert_eq!(
            (question.source.as_str(), question.target.as_str()),
            (TENANT, TARGET)
        );
        let (before, after) = question.scopes.unwrap();
        let schema = |rules: &[SyncRule]| graph::sync::SyncSchema {
            id: String::new(),
            version: None,
            synchronization_rules: rules.to_vec(),
        };
        assert_eq!(
            schema(&before.rules).constant_for("userType"),
            Some("Member")
        );
        assert_eq!(schema(&after.rules).constant_for("userType"), Some("Guest"));
        assert_eq!(after.assigned_groups, BTreeSet::from(["g".to_owned()]));

        let mut reference = snapshot(&["g"], "Member");
        let config = reference.tenants.get_mut(TENANT).unwrap();
        let rules = config
            .sync_configurations
            .as_mut()
            .unwrap()
            .get_mut(SP)
            .unwrap()
            .jobs
            .as_mut()
            .unwrap()
            .get_mut("Azure2Azure.job")
            .unwrap()
            .rules
            .as_mut()
            .unwrap();
        rules[0].object_mappings[0].attribute_mappings[1]
            .source
            .as_mut()
            .unwrap()
            .name = Some("jobTitle".into());
        let at = located(&reference, &live, "department");
        assert_eq!(restore_question(&reference, &live, &at), None);
    }

    #[test]
    fn assignments_restored_and_removed_by_a_teardown() {
        let reference = snapshot(&["g", "h"], "Member");
        let live = snapshot(&["g"], "Member");
        let at = located(&reference, &live, "");
        assert_eq!(at.change.object, ObjectKind::Assignment);
        let (before, after) = restore_question(&reference, &live, &at)
            .unwrap()
            .scopes
            .unwrap();
        assert_eq!(before.assigned_groups.len(), 1);
        assert_eq!(after.assigned_groups.len(), 2);
        let (before, after) = teardown_question(&live, TENANT, SP)
            .unwrap()
            .scopes
            .unwrap();
        assert_eq!(before.assigned_groups.len(), 1);
        assert!(after.assigned_groups.is_empty() && after.rules == before.rules);
        // No scope to remove: nobody moves.
        assert_eq!(
            teardown_question(&snapshot(&[], "Member"), TENANT, SP),
            None
        );
    }

    fn user(id: &str, mail: Option<&str>, upn: &str) -> SourceUser {
        SourceUser {
            user: UserDetail {
                id: id.into(),
                display_name: Some(format!("User {id}")),
                mail: mail.map(str::to_owned),
                user_principal_name: Some(upn.into()),
                user_type: Some(UserType::Member),
                ..UserDetail::default()
            },
            ..SourceUser::default()
        }
    }

    fn b2b(mail: &str, user_type: UserType) -> UserDetail {
        UserDetail {
            id: format!("copy-{mail}"),
            mail: Some(mail.into()),
            user_type: Some(user_type),
            creation_type: Some("Invitation".into()),
            ..UserDetail::default()
        }
    }

    #[test]
    fn accounts_are_linked_by_their_home_address() {
        let users = [
            user("a", Some("Adele@contoso.com"), "adele@contoso.com"),
            user("b", None, "ben@contoso.onmicrosoft.com"),
            user("c", Some("chloe@contoso.com"), "chloe@contoso.com"),
        ];
        let mut internal = b2b("chloe@contoso.com", UserType::Member);
        internal.creation_type = None;
        let active = [
            b2b("adele@contoso.com", UserType::Guest),
            b2b("adele@contoso.com", UserType::Member),
            b2b("someone@tailspin.com", UserType::Guest),
            internal,
        ];
        let deleted = [DeletedUser {
            user: b2b("ben@contoso.onmicrosoft.com", UserType::Member),
            deleted_date_time: Some("2026-01-01T00:00:00Z".into()),
        }];
        let accounts = link(&users, &active, &deleted);
        let found: Vec<(&str, &str, AccountState)> = accounts
            .iter()
            .map(|a| (a.source_id.as_str(), a.user_type.as_str(), a.state))
            .collect();
        assert_eq!(
            found,
            vec![
                ("a", "Member", AccountState::Active),
                ("a", "Guest", AccountState::Active),
                ("b", "Member", AccountState::SoftDeleted),
            ]
        );
    }

    #[test]
    fn the_page_shows_the_summary_notes_and_a_few_names() {
        let what_if = WhatIf {
            soft_deleted: (1..=8).map(|i| format!("User {i}")).collect(),
            converted: vec![("Z".into(), "Member".into(), "Guest".into())],
            already_due: 1,
            ..WhatIf::default()
        };
        let shown = shown(&what_if, "Fabrikam", &["A note.".to_owned()]);
        assert_eq!(
            shown.text,
            "1 user converted from Member to Guest, 8 soft-deleted in Fabrikam. One of these is \
             due at the next cycle even without this change. A note."
        );
        assert_eq!(
            shown.names,
            vec![
                "Converted from Member to Guest: Z".to_owned(),
                "Soft-deleted: User 1, User 2, User 3, User 4, User 5 and 3 more".to_owned(),
            ]
        );
    }
}
