//! "Why can't Bob see Alice?": the evidence of a diagnosis read from Graph through the session's
//! sign-ins ([`Reader::gather`]), independent reads at the same time, in five rounds that each
//! need the one before (the person and both tenants' settings; the person's mail and the
//! configurations; the job; its schema and log; nested groups and the last details) — at most
//! [`MAX_REQUESTS`], under the 30 a diagnosis may make. The page's glue (access, names, the port) is in [`page`]; the rules are
//! `app::diagnose::engine`.

pub mod page;

use std::sync::atomic::{AtomicU64, Ordering};

use app::diagnose::evidence::{Configuration, Evidence, Read, Tenant, Unreadable};
use graph::client::{AccessToken, GraphClient, GraphError, GraphErrorKind};
use graph::mto::MtoMember;
use graph::roles::ReadArea;
use graph::sync::{KeyValue, ServicePrincipal};
use graph::users::{GroupRef, UserDetail};
use graph::{ops, Collection, JobId, ObjectId, Op};
use serde::de::DeserializeOwned;

/// Provisioning log entries read about the person (newest first).
pub const LOG_ENTRIES: usize = 20;
/// Users, deleted users and contacts read per mail.
const PER_MAIL: usize = 10;
/// Configurations whose settings are read to find the one to the target.
const CANDIDATES: usize = 3;
/// Assigned groups whose nested groups are read.
const NESTED_GROUPS: usize = 2;
/// The most Graph requests one diagnosis makes, every round at its limit: 12 (the person, the
/// viewer, both tenants' settings and memberships) + 8 (three candidates' settings, the likely
/// one's job and assignments, three reads by mail) + 2 (the job and assignments, when the likely
/// one was not it) + 2 (schema, log) + 4 (two nested groups, more attributes, the logged account).
pub const MAX_REQUESTS: u64 = 28;

/// One tenant of a diagnosis and the session's token there (or why there is none).
#[derive(Debug, Clone)]
pub struct Side {
    pub tenant: Tenant,
    pub token: Result<AccessToken, Unreadable>,
}

/// What to diagnose.
#[derive(Debug, Clone)]
pub struct Subject {
    pub source: Side,
    pub target: Side,
    pub user: ObjectId,
    pub viewer: Option<ObjectId>,
}

/// A method and path as a person reads them: percent-escapes decoded.
pub fn describe(request: &graph::Request) -> String {
    let path = &request.path;
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    format!("{} {}", request.method, String::from_utf8_lossy(&out))
}

/// Reads Graph for one diagnosis and counts its requests.
pub struct Reader<'a> {
    pub graph: &'a GraphClient,
    requests: AtomicU64,
}

impl<'a> Reader<'a> {
    pub fn new(graph: &'a GraphClient) -> Self {
        Self {
            graph,
            requests: AtomicU64::new(0),
        }
    }

    /// Graph requests made so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn unreadable(error: &GraphError, area: Option<ReadArea>) -> Unreadable {
        match (&error.kind, area) {
            (GraphErrorKind::Forbidden, Some(area)) => Unreadable::Role(area),
            _ => Unreadable::Failed(error.to_string()),
        }
    }

    /// One read in `side`'s tenant; a 403 is the role's (`area`) when one is named.
    async fn read<T: DeserializeOwned>(
        &self,
        side: &Side,
        op: &Op<T>,
        area: Option<ReadArea>,
    ) -> Read<T> {
        let request = describe(op.request());
        let token = match &side.token {
            Ok(token) => token,
            Err(why) => return Read::not_made(&side.tenant.id, request, why.clone()),
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let result = self
            .graph
            .run(token, op)
            .await
            .map(|answer| answer.value)
            .map_err(|error| Self::unreadable(&error, area));
        Read::new(&side.tenant.id, request, result)
    }

    /// One page of a collection, its items.
    async fn list<T: DeserializeOwned>(
        &self,
        side: &Side,
        op: &Op<Collection<T>>,
        area: Option<ReadArea>,
    ) -> Read<Vec<T>> {
        let read = self.read(side, op, area).await;
        Read {
            tenant_id: read.tenant_id,
            request: read.request,
            result: read.result.map(|page| page.value),
        }
    }

    /// The MTO's tenants; `None` when the tenant is in no MTO (404).
    async fn members(&self, side: &Side) -> Read<Option<Vec<MtoMember>>> {
        let op = ops::mto::members();
        let request = describe(op.request());
        let token = match &side.token {
            Ok(token) => token,
            Err(why) => return Read::not_made(&side.tenant.id, request, why.clone()),
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let result = match self.graph.run_optional(token, &op).await {
            Ok(Some(answer)) => Ok(Some(answer.value.value)),
            Ok(None) => Ok(None),
            Err(error) => Err(Self::unreadable(&error, Some(ReadArea::MtoDetails))),
        };
        Read::new(&side.tenant.id, request, result)
    }

    /// Reads everything a diagnosis of `subject` needs.
    pub async fn gather(&self, subject: &Subject, now: i64) -> Evidence {
        let (source, target) = (&subject.source, &subject.target);
        let user_op = ops::people::user(&subject.user);
        let direct_op = ops::people::direct_groups(&subject.user);
        let transitive_op = ops::people::transitive_groups(&subject.user);
        let phones_op = ops::people::phone_methods(&subject.user);
        let configs_op = ops::sync::sync_configurations();
        let partners_op = ops::policies::partners_with_identity_sync();
        let default_op = ops::policies::default_configuration();
        let viewer_op = subject.viewer.as_ref().map(ops::people::user);

        // Round 1: the person, and what both tenants say of each other.
        let (
            user,
            direct_groups,
            transitive_groups,
            phones,
            configurations,
            source_partners,
            source_default,
            source_members,
            target_partners,
            target_default,
            target_members,
            viewer,
        ) = tokio::join!(
            self.read(source, &user_op, None),
            self.list(source, &direct_op, None),
            self.list(source, &transitive_op, None),
            self.list(source, &phones_op, Some(ReadArea::AuthenticationMethods)),
            self.list(source, &configs_op, Some(ReadArea::Sync)),
            self.list(source, &partners_op, Some(ReadArea::Policies)),
            self.read(source, &default_op, Some(ReadArea::Policies)),
            self.members(source),
            self.list(target, &partners_op, Some(ReadArea::Policies)),
            self.read(target, &default_op, Some(ReadArea::Policies)),
            self.members(target),
            async {
                match &viewer_op {
                    Some(op) => Some(self.read(target, op, None).await),
                    None => None,
                }
            },
        );

        // Round 2: the configuration to the target, and the target's objects with the mail.
        let candidates = candidates(configurations.value(), &target.tenant.id);
        let likely = candidates
            .first()
            .filter(|c| c.mto_target().is_some())
            .cloned();
        let mail = match user.value() {
            Some(found) => found.mail.clone().ok_or_else(|| {
                format!(
                    "{} has no mail to look it up by",
                    found.display_name.as_deref().unwrap_or("the person")
                )
            }),
            None => Err(format!(
                "the person could not be read in {}, so their mail is not known",
                source.tenant.name
            )),
        };
        let (secrets, likely_reads, (mut target_users, deleted, contacts)) = tokio::join!(
            futures_util::future::join_all(candidates.iter().map(|sp| {
                let op = ops::sync::secrets(&sp.id);
                async move {
                    (
                        sp.clone(),
                        self.list(source, &op, Some(ReadArea::Sync)).await,
                    )
                }
            })),
            async {
                match &likely {
                    Some(sp) => Some(self.job_and_scope(source, sp).await),
                    None => None,
                }
            },
            self.by_mail(target, mail.as_deref().map_err(String::as_str)),
        );
        let chosen = secrets
            .iter()
            .find(|(sp, settings)| match settings.value() {
                Some(list) => {
                    company(list).is_some_and(|id| id.eq_ignore_ascii_case(&target.tenant.id))
                }
                None => sp
                    .mto_target()
                    .is_some_and(|t| t.as_str() == target.tenant.id),
            });

        // Round 3: its job and assignments (unless read already).
        let mut configuration = None;
        if let Some((sp, settings)) = chosen {
            let (jobs, assignments) = match likely_reads.filter(|_| likely.as_ref() == Some(sp)) {
                Some(reads) => reads,
                None => self.job_and_scope(source, sp).await,
            };
            let sync_all = Read {
                tenant_id: settings.tenant_id.clone(),
                request: settings.request.clone(),
                result: settings.result.clone().map(|list| {
                    list.iter()
                        .any(|s| s.key == "SyncAll" && s.value.eq_ignore_ascii_case("true"))
                }),
            };
            configuration = Some(Configuration {
                service_principal: sp.clone(),
                jobs,
                sync_all,
                assignments,
                schema: None,
                nested: Vec::new(),
                more_attributes: None,
            });
        }

        // Round 4: the job's schema and the person's log entries.
        let job: Option<(ObjectId, JobId)> = configuration
            .as_ref()
            .and_then(|c| Some((c.service_principal.id.clone(), c.job()?.id.clone())));
        let mut log = None;
        if let (Some(config), Some((sp, job))) = (configuration.as_mut(), &job) {
            let schema_op = ops::sync::schema(sp, job);
            let log_op = ops::sync::provisioning_for_user(&subject.user, Some(job), LOG_ENTRIES);
            let (schema, entries) = tokio::join!(
                self.read(source, &schema_op, Some(ReadArea::Sync)),
                self.list(source, &log_op, Some(ReadArea::ProvisioningLog)),
            );
            config.schema = Some(schema);
            log = Some(entries);
        }

        // Round 5: groups nested in assigned groups, filter attributes the user read lacks, and
        // the account the log names when the mail did not find it.
        let nested_groups = nested_assigned(
            configuration.as_ref(),
            direct_groups.value(),
            transitive_groups.value(),
        );
        let missing = configuration
            .as_ref()
            .and_then(|c| c.schema.as_ref()?.value().cloned())
            .map(|schema| filter_attributes(&schema))
            .unwrap_or_default();
        let logged_copy = log
            .as_ref()
            .and_then(|l| l.value())
            .and_then(|entries| {
                entries
                    .iter()
                    .find_map(|e| e.target_identity.as_ref()?.id.clone())
            })
            .filter(|id| {
                target_users
                    .value()
                    .is_none_or(|users| !users.iter().any(|u| u.id.eq_ignore_ascii_case(id)))
            })
            .and_then(|id| id.parse::<ObjectId>().ok());
        let more_op = ops::people::user_properties(&subject.user, &missing);
        let copy_op = logged_copy.as_ref().map(ops::people::user);
        let (nested, more_attributes, copy) = tokio::join!(
            futures_util::future::join_all(
                nested_groups
                    .into_iter()
                    .filter_map(|group| Some((group.id.parse::<ObjectId>().ok()?, group)))
                    .map(|(id, group)| async move {
                        let op = ops::people::member_groups(&id);
                        (group, self.list(source, &op, None).await)
                    }),
            ),
            async {
                match &more_op {
                    Some(op) => Some(self.read(source, op, None).await),
                    None => None,
                }
            },
            async {
                match &copy_op {
                    Some(op) => Some(self.read(target, op, None).await),
                    None => None,
                }
            },
        );
        if let Some(config) = configuration.as_mut() {
            config.nested = nested;
            config.more_attributes = more_attributes;
        }
        if let Some(Read {
            result: Ok(found), ..
        }) = copy
        {
            if let Ok(users) = target_users.result.as_mut() {
                users.push(found);
            }
        }

        Evidence {
            now,
            source: source.tenant.clone(),
            target: target.tenant.clone(),
            user_id: subject.user.to_string(),
            user,
            viewer,
            direct_groups,
            transitive_groups,
            phones,
            configurations,
            configuration,
            log,
            target_users,
            deleted,
            contacts,
            source_partners,
            source_default,
            target_partners,
            target_default,
            source_members,
            target_members,
        }
    }

    async fn job_and_scope(
        &self,
        source: &Side,
        sp: &ServicePrincipal,
    ) -> (
        Read<Vec<graph::sync::SyncJob>>,
        Read<Vec<graph::sync::AppRoleAssignment>>,
    ) {
        let jobs_op = ops::sync::jobs(&sp.id);
        let assigned_op = ops::sync::scope_assignments(&sp.id);
        tokio::join!(
            self.list(source, &jobs_op, Some(ReadArea::Sync)),
            self.list(source, &assigned_op, Some(ReadArea::Sync)),
        )
    }

    /// The target's users, deleted users and contacts with `mail`.
    async fn by_mail(
        &self,
        target: &Side,
        mail: Result<&str, &str>,
    ) -> (
        Read<Vec<UserDetail>>,
        Read<Vec<graph::users::DeletedUser>>,
        Read<Vec<graph::users::OrgContact>>,
    ) {
        let lookup = mail.unwrap_or("…");
        let users_op = ops::people::users_with_mail(lookup, PER_MAIL);
        let deleted_op = ops::people::deleted_users_with_mail(lookup, PER_MAIL);
        let contacts_op = ops::people::contacts_with_mail(lookup, PER_MAIL);
        if let Err(why) = mail {
            let tenant = &target.tenant.id;
            let none = || Unreadable::Failed(why.to_owned());
            return (
                Read::not_made(tenant, describe(users_op.request()), none()),
                Read::not_made(tenant, describe(deleted_op.request()), none()),
                Read::not_made(tenant, describe(contacts_op.request()), none()),
            );
        }
        tokio::join!(
            self.list(target, &users_op, None),
            self.list(target, &deleted_op, None),
            self.list(target, &contacts_op, None),
        )
    }
}

/// The `CompanyId` secret: a configuration's target tenant.
fn company(secrets: &[KeyValue]) -> Option<&str> {
    secrets
        .iter()
        .find(|s| s.key == "CompanyId")
        .map(|s| s.value.as_str())
}

/// The configurations that may be the one to `target`: those named `MTO_Sync_<target>` first,
/// then those whose name says nothing of their target; at most [`CANDIDATES`].
fn candidates(list: Option<&Vec<ServicePrincipal>>, target: &str) -> Vec<ServicePrincipal> {
    let list = list.map(Vec::as_slice).unwrap_or_default();
    let named = list
        .iter()
        .filter(|sp| sp.mto_target().is_some_and(|t| t.as_str() == target));
    let unnamed = list.iter().filter(|sp| sp.mto_target().is_none());
    named.chain(unnamed).take(CANDIDATES).cloned().collect()
}

/// The assigned groups the person is in only through nesting: in their transitive groups, not in
/// their direct ones; at most [`NESTED_GROUPS`].
fn nested_assigned(
    configuration: Option<&Configuration>,
    direct: Option<&Vec<GroupRef>>,
    transitive: Option<&Vec<GroupRef>>,
) -> Vec<GroupRef> {
    let (Some(config), Some(transitive)) = (configuration, transitive) else {
        return Vec::new();
    };
    let Some(assignments) = config.assignments.value() else {
        return Vec::new();
    };
    let direct = direct.map(Vec::as_slice).unwrap_or_default();
    assignments
        .iter()
        .filter(|a| a.principal_type == Some(graph::sync::PrincipalType::Group))
        .filter(|a| !direct.iter().any(|g| g.id == a.principal_id))
        .filter_map(|a| transitive.iter().find(|g| g.id == a.principal_id).cloned())
        .take(NESTED_GROUPS)
        .collect()
}

/// The attributes the schema's scoping filter compares that [`UserDetail`] does not hold.
fn filter_attributes(schema: &graph::sync::SyncSchema) -> Vec<String> {
    let mut names: Vec<String> = schema
        .user_mapping()
        .and_then(|m| m.scope.as_ref())
        .map(|scope| {
            scope
                .groups
                .iter()
                .flat_map(|g| g.clauses.iter())
                .map(|c| c.source_operand_name.clone())
                .filter(|name| !UserDetail::holds(name))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_described_as_a_person_reads_them() {
        let op = ops::people::users_with_mail("o'brien & co@x.com", 10);
        let described = describe(op.request());
        assert!(described.starts_with("GET "), "{described}");
        assert!(
            described.contains("mail eq 'o''brien & co@x.com'"),
            "{described}"
        );
        assert!(!described.contains('%'), "{described}");
    }

    #[test]
    fn configurations_named_for_the_target_come_first() {
        let sp = |id: &str, name: &str| -> ServicePrincipal {
            serde_json::from_value(serde_json::json!({"id": id, "appId": "a", "displayName": name}))
                .unwrap()
        };
        let target = "7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22";
        let list = vec![
            sp("8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d001", "Sync to HR"),
            sp(
                "8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d002",
                "MTO_Sync_2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11",
            ),
            sp(
                "8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d003",
                &format!("MTO_Sync_{target}"),
            ),
        ];
        let found = candidates(Some(&list), target);
        let names: Vec<_> = found
            .iter()
            .map(|s| s.display_name.clone().unwrap())
            .collect();
        assert_eq!(
            names,
            [format!("MTO_Sync_{target}"), "Sync to HR".to_owned()]
        );
    }
}
