//! Reads one tenant's view of the MTO from Graph with that tenant's token: the MTO, its members,
//! partner configurations with identity sync, the default configuration, both MTO templates and its
//! cross-tenant sync configurations with their jobs and assigned users and groups. Two round trips
//! with `$batch` (or one call at a time, for comparison), and a third for configurations that
//! assign or keep synced groups (their schema's group mapping and group log entries); a part that
//! fails is left out and named, the rest is kept.

use std::sync::atomic::{AtomicU64, Ordering};

use app::mesh::view::{self, part, Restricted, TemplatesSummary, TenantView};
use graph::client::{AccessToken, GraphClient, GraphError, GraphErrorKind};
use graph::roles::ReadArea;
use graph::sync::{
    AppRoleAssignment, PrincipalType, ProvisioningEntry, ServicePrincipal, SyncSchema,
};
use graph::{ops, Collection, Op, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Group entries of the provisioning log read per configuration (newest first): enough to name
/// the groups a configuration created; the job's count stays exact beyond them.
const GROUP_LOG_ENTRIES: usize = 100;

/// A configuration's schema and group log entries, where they could be read.
type GroupReads = (Option<SyncSchema>, Option<Vec<ProvisioningEntry>>);

/// How the reads go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// `$batch`: up to 20 reads per request.
    Batched,
    /// One call at a time (the plain client, for comparison).
    OneByOne,
}

/// Counts HTTP requests sent to Graph (a `$batch` is one request).
#[derive(Debug, Default)]
pub struct RequestCounter(AtomicU64);

impl RequestCounter {
    pub fn add(&self, n: usize) {
        self.0.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn total(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

pub struct Reader<'a> {
    pub graph: &'a GraphClient,
    pub token: &'a AccessToken,
    pub strategy: Strategy,
    pub requests: &'a RequestCounter,
}

/// What a whole reading came to when nothing could be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Graph refused the token (expired or revoked).
    #[error("the sign-in is no longer accepted: {0}")]
    Unauthorized(GraphError),
    #[error("{0}")]
    Failed(GraphError),
}

fn describe(part: &str, error: &GraphError) -> String {
    format!("{part}: {error}")
}

/// What a reading could not read: a part the role may not see (403) is not an outage.
#[derive(Default)]
struct Unread {
    problems: Vec<String>,
    restricted: Vec<Restricted>,
}

impl Unread {
    fn note(&mut self, part: &str, area: ReadArea, error: &GraphError) {
        if error.kind == GraphErrorKind::Forbidden {
            if !self.restricted.iter().any(|r| r.part == part) {
                self.restricted.push(Restricted::new(part, area));
            }
        } else {
            self.problems.push(describe(part, error));
        }
    }
}

impl Reader<'_> {
    /// Runs `requests`, answers in the same order.
    async fn run_all(&self, requests: &[&Request]) -> Vec<Result<Value, GraphError>> {
        match self.strategy {
            Strategy::OneByOne => {
                let mut answers = Vec::with_capacity(requests.len());
                for request in requests {
                    self.requests.add(1);
                    answers.push(
                        self.graph
                            .run_request(self.token, request)
                            .await
                            .map(|a| a.value),
                    );
                }
                answers
            }
            Strategy::Batched => {
                self.requests
                    .add(requests.len().div_ceil(graph::client::MAX_BATCH));
                self.graph.batch_run(self.token, requests).await
            }
        }
    }

    /// A whole collection from its first page (further pages, rare here, one call each).
    async fn collection<T: DeserializeOwned>(
        &self,
        op: &Op<Collection<T>>,
        first: Result<Value, GraphError>,
    ) -> Result<Vec<T>, GraphError> {
        let (all, further_pages) = self.graph.rest_of(self.token, op.decode(first)?).await?;
        self.requests.add(further_pages);
        Ok(all)
    }

    pub async fn read(&self, tenant_id: &str) -> Result<TenantView, ReadError> {
        let (mto_op, members_op, partners_op, default_op) = (
            ops::mto::organization(),
            ops::mto::members(),
            ops::policies::partners_with_identity_sync(),
            ops::policies::default_configuration(),
        );
        let (partner_template_op, sync_template_op, configurations_op, join_request_op) = (
            ops::policies::partner_template(),
            ops::policies::identity_sync_template(),
            ops::sync::sync_configurations(),
            ops::mto::join_request(),
        );
        let first = [
            mto_op.request(),
            members_op.request(),
            partners_op.request(),
            default_op.request(),
            partner_template_op.request(),
            sync_template_op.request(),
            configurations_op.request(),
            join_request_op.request(),
        ];
        let mut answers = self.run_all(&first).await.into_iter();
        let mut next = || {
            answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)))
        };
        let (mto, tenants, partners, default, partner_template, sync_template, configurations) =
            (next(), next(), next(), next(), next(), next(), next());
        let join_request = next();
        // Nothing at all: report why, so the caller keeps the last good view.
        let all_failed = [&mto, &tenants, &partners, &default, &configurations]
            .iter()
            .all(|r| r.is_err());
        if all_failed {
            if let Err(error) = mto {
                return Err(if error.kind == GraphErrorKind::Unauthorized {
                    ReadError::Unauthorized(error)
                } else {
                    ReadError::Failed(error)
                });
            }
        }
        let mut unread = Unread::default();
        let organization = match mto_op.decode(mto) {
            Ok(mto) => view::organization_info(&mto),
            Err(error) => {
                unread.note(part::ORGANIZATION, ReadArea::MtoDetails, &error);
                None
            }
        };
        let members = match self.collection(&members_op, tenants).await {
            Ok(mut members) => {
                if graph::mto::complete_basic_list(&mut members) {
                    unread
                        .restricted
                        .push(Restricted::new(part::MEMBERS, ReadArea::MtoDetails));
                }
                Some(members)
            }
            // Outside an MTO the member list does not exist.
            Err(error) if error.kind == GraphErrorKind::NotFound => Some(Vec::new()),
            Err(error) => {
                unread.note(part::MEMBERS, ReadArea::MtoDetails, &error);
                None
            }
        };
        let default = match default_op.decode(default) {
            Ok(default) => Some(default),
            Err(error) => {
                unread.note(part::DEFAULT, ReadArea::Policies, &error);
                None
            }
        };
        let partners = match self.collection(&partners_op, partners).await {
            Ok(partners) => Some(
                partners
                    .iter()
                    .map(|p| view::partner_side(p, default.as_ref()))
                    .collect(),
            ),
            Err(error) => {
                unread.note(part::PARTNERS, ReadArea::Policies, &error);
                None
            }
        };
        let templates = match (
            partner_template_op.decode(partner_template),
            sync_template_op.decode(sync_template),
        ) {
            (Ok(partner), Ok(sync)) => Some(TemplatesSummary::from_graph(&partner, &sync)),
            (Err(error), _) | (_, Err(error)) => {
                unread.note(part::TEMPLATES, ReadArea::Policies, &error);
                None
            }
        };
        let sync = match self.collection(&configurations_op, configurations).await {
            Ok(principals) => {
                let summaries = self.sync_summaries(&principals, &mut unread).await;
                // Jobs are readable with a sync role or not at all: without one, a configuration
                // whose job could not be read is unknown, not "not configured".
                let hidden = unread.restricted.iter().any(|r| r.part == part::SYNC);
                (!hidden).then_some(summaries)
            }
            Err(error) => {
                unread.note(part::SYNC, ReadArea::Sync, &error);
                None
            }
        };
        let join_request = match join_request_op.decode(join_request) {
            Ok(record) => Some(record),
            Err(error) => {
                unread.note(part::JOIN_REQUEST, ReadArea::MtoDetails, &error);
                None
            }
        };
        Ok(TenantView {
            tenant_id: tenant_id.to_owned(),
            organization,
            members,
            partners,
            templates,
            sync,
            join_request,
            problems: unread.problems,
            restricted: unread.restricted,
        })
    }

    /// Each configuration's job, `CompanyId` (secrets may not be readable: then the name tells)
    /// and assigned users and groups, in one batch; then, for configurations that assign groups
    /// or keep synced groups, the job's schema (is group provisioning on?) and its group entries
    /// of the provisioning log (which groups it created), in a second.
    async fn sync_summaries(
        &self,
        principals: &[ServicePrincipal],
        unread: &mut Unread,
    ) -> Vec<view::SyncSummary> {
        let calls: Vec<_> = principals
            .iter()
            .map(|sp| {
                (
                    ops::sync::jobs(&sp.id),
                    ops::sync::secrets(&sp.id),
                    ops::sync::scope_assignments(&sp.id),
                )
            })
            .collect();
        let requests: Vec<&Request> = calls
            .iter()
            .flat_map(|(jobs, secrets, assigned)| {
                [jobs.request(), secrets.request(), assigned.request()]
            })
            .collect();
        let mut answers = self.run_all(&requests).await.into_iter();
        let mut summaries = Vec::with_capacity(principals.len());
        let mut assignments = Vec::with_capacity(principals.len());
        for (sp, (jobs_op, secrets_op, assigned_op)) in principals.iter().zip(&calls) {
            let jobs = answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)));
            let secrets = answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)));
            let assigned = answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)));
            // Any member may read a service principal's assignments with the app's permission;
            // one that cannot be read leaves the groups unknown.
            assignments.push(assigned_op.decode(assigned).ok().map(|list| list.value));
            let company_id = secrets_op
                .decode(secrets)
                .ok()
                .and_then(|c| c.value.into_iter().find(|s| s.key == "CompanyId"))
                .map(|s| s.value);
            let job = match jobs_op.decode(jobs) {
                Ok(jobs) => jobs.value.into_iter().next(),
                Err(error) => {
                    // One note for all jobs the role may not read, one per job that failed.
                    let part = match error.kind {
                        GraphErrorKind::Forbidden => part::SYNC.to_owned(),
                        _ => format!(
                            "sync job of {}",
                            sp.display_name.as_deref().unwrap_or(sp.id.as_str())
                        ),
                    };
                    unread.note(&part, ReadArea::Sync, &error);
                    None
                }
            };
            summaries.push(view::sync_summary(sp, company_id.as_deref(), job.as_ref()));
        }
        self.group_details(&mut summaries, &assignments, unread)
            .await;
        summaries
    }

    /// Fills each summary's [`view::GroupSync`]: the assigned groups, and, where groups are
    /// assigned or synced, the schema's group mapping and the job's group log entries.
    async fn group_details(
        &self,
        summaries: &mut [view::SyncSummary],
        assignments: &[Option<Vec<AppRoleAssignment>>],
        unread: &mut Unread,
    ) {
        let calls: Vec<(usize, _, _)> = summaries
            .iter()
            .enumerate()
            .filter_map(|(index, summary)| {
                let job = summary.job_id.as_ref()?;
                let assigns_groups = assignments.get(index)?.as_ref().is_some_and(|list| {
                    list.iter()
                        .any(|a| a.principal_type == Some(PrincipalType::Group))
                });
                (assigns_groups || summary.synchronized_groups > 0).then(|| {
                    (
                        index,
                        ops::sync::schema(&summary.service_principal_id, job),
                        ops::sync::group_provisioning_log(job, GROUP_LOG_ENTRIES),
                    )
                })
            })
            .collect();
        let requests: Vec<&Request> = calls
            .iter()
            .flat_map(|(_, schema, log)| [schema.request(), log.request()])
            .collect();
        let mut answers = if requests.is_empty() {
            Vec::new()
        } else {
            self.run_all(&requests).await
        }
        .into_iter();
        let mut details: Vec<Option<GroupReads>> = vec![None; summaries.len()];
        for (index, schema_op, log_op) in &calls {
            let schema = answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)));
            let log = answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)));
            let schema = match schema_op.decode(schema) {
                Ok(schema) => Some(schema),
                Err(error) => {
                    unread.note(
                        &format!("group mapping of {}", summaries[*index].name),
                        ReadArea::Sync,
                        &error,
                    );
                    None
                }
            };
            let log = match log_op.decode(log) {
                Ok(list) => Some(list.value),
                Err(error) => {
                    // A role that reads jobs may still not read the provisioning log (Hybrid
                    // Identity Administrator): restricted, once for the tenant.
                    let part = match error.kind {
                        GraphErrorKind::Forbidden => part::PROVISIONING_LOG.to_owned(),
                        _ => format!("provisioning log of {}", summaries[*index].name),
                    };
                    unread.note(&part, ReadArea::ProvisioningLog, &error);
                    None
                }
            };
            if let Some(slot) = details.get_mut(*index) {
                *slot = Some((schema, log));
            }
        }
        for ((summary, assigned), detail) in summaries.iter_mut().zip(assignments).zip(details) {
            let (schema, log) = detail.unwrap_or((None, None));
            let mut groups = view::group_sync(assigned.as_deref(), schema.as_ref(), log.as_deref());
            // Nothing assigned and nothing synced: the schema was not needed to know that no
            // group is in scope.
            if groups.provisions_groups.is_none()
                && groups.assigned.as_ref().is_some_and(Vec::is_empty)
                && summary.synchronized_groups == 0
            {
                groups.synced = Some(Vec::new());
            }
            summary.groups = Some(groups);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn a_refused_part_is_a_restriction_once_and_an_outage_a_problem() {
        let mut unread = Unread::default();
        let answer = |kind, status| GraphError {
            kind,
            status: Some(status),
            code: None,
            message: String::new(),
            request_id: None,
        };
        let forbidden = answer(GraphErrorKind::Forbidden, 403);
        unread.note(part::SYNC, ReadArea::Sync, &forbidden);
        unread.note(part::SYNC, ReadArea::Sync, &forbidden);
        unread.note(
            part::PARTNERS,
            ReadArea::Policies,
            &answer(GraphErrorKind::Unavailable, 503),
        );
        assert_eq!(
            unread.restricted,
            vec![Restricted::new(part::SYNC, ReadArea::Sync)]
        );
        assert_eq!(unread.problems.len(), 1);
        assert!(unread.problems[0].starts_with("partner settings: "));
    }
}
