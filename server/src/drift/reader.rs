//! Reads one tenant's MTO configuration for a snapshot with that tenant's token (delegated or
//! app-only): the MTO and its members, both MTO templates, the partner configurations with their
//! identity sync policies (round 1); each cross-tenant sync configuration's jobs and assigned
//! users and groups (round 2); each job's schema (round 3). Every round is one `$batch` per 20
//! reads. Secrets are never read. A part that cannot be read is left `None` and named in
//! `unread`; the rest is kept.

use std::collections::BTreeMap;

use app::drift::snapshot::{
    AssignmentConfig, JobConfig, MemberConfig, OrganizationConfig, SyncConfiguration, TenantConfig,
};
use graph::client::{AccessToken, GraphClient, GraphError, GraphErrorKind};
use graph::sync::{AppRoleAssignment, ServicePrincipal, SyncJob, SyncSchema};
use graph::{ops, Collection, JobId, Op, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::mesh::reader::RequestCounter;

/// A configuration with its jobs and assignments, where they could be read.
type ConfigurationReads<'a> = (
    &'a ServicePrincipal,
    Option<Vec<SyncJob>>,
    Option<Vec<AppRoleAssignment>>,
);

pub struct ConfigReader<'a> {
    pub graph: &'a GraphClient,
    pub token: &'a AccessToken,
    pub requests: &'a RequestCounter,
}

fn missing() -> Result<Value, GraphError> {
    Err(GraphError::decode("missing answer", None))
}

fn why(error: &GraphError) -> String {
    match error.kind {
        GraphErrorKind::Forbidden => "the role may not read it".to_owned(),
        _ => error.to_string(),
    }
}

impl ConfigReader<'_> {
    async fn run_all(&self, requests: &[&Request]) -> Vec<Result<Value, GraphError>> {
        if requests.is_empty() {
            return Vec::new();
        }
        self.requests
            .add(requests.len().div_ceil(graph::client::MAX_BATCH));
        self.graph.batch_run(self.token, requests).await
    }

    async fn collection<T: DeserializeOwned>(
        &self,
        op: &Op<Collection<T>>,
        first: Result<Value, GraphError>,
    ) -> Result<Vec<T>, GraphError> {
        let (all, further_pages) = self.graph.rest_of(self.token, op.decode(first)?).await?;
        self.requests.add(further_pages);
        Ok(all)
    }

    /// The tenant's configuration; `Err` only when nothing at all could be read.
    pub async fn read(
        &self,
        display_name: &str,
        read_by: &str,
    ) -> Result<TenantConfig, GraphError> {
        let (mto_op, members_op, partners_op) = (
            ops::mto::organization(),
            ops::mto::members(),
            ops::policies::partners_with_identity_sync(),
        );
        let (partner_template_op, sync_template_op, configurations_op) = (
            ops::policies::partner_template(),
            ops::policies::identity_sync_template(),
            ops::sync::sync_configurations(),
        );
        let first = [
            mto_op.request(),
            members_op.request(),
            partners_op.request(),
            partner_template_op.request(),
            sync_template_op.request(),
            configurations_op.request(),
        ];
        let mut answers = self.run_all(&first).await.into_iter();
        let mut next = || answers.next().unwrap_or_else(missing);
        let (mto, members, partners, partner_template, sync_template, configurations) =
            (next(), next(), next(), next(), next(), next());
        if let (Err(error), true) = (
            &mto,
            [&members, &partners, &configurations]
                .iter()
                .all(|r| r.is_err()),
        ) {
            return Err(error.clone());
        }
        let mut config = TenantConfig {
            display_name: display_name.to_owned(),
            read_by: read_by.to_owned(),
            ..TenantConfig::default()
        };
        let mut unread = Vec::new();
        match mto_op.decode(mto) {
            Ok(mto) => {
                config.organization = Some(OrganizationConfig {
                    display_name: mto.display_name,
                    description: mto.description,
                    state: mto.state,
                });
            }
            Err(error) => unread.push(format!("organization ({})", why(&error))),
        }
        match self.collection(&members_op, members).await {
            // Basic attributes only (`MultiTenantOrganization.ReadBasic.All`, or a role without
            // MTO read): no role, no state and no description. Not a configuration to compare.
            Ok(list) if graph::mto::complete_basic_list(&mut list.clone()) => {
                unread.push("members and the organization's description (the role reads basic attributes only)".into());
                config.organization = None;
            }
            Ok(list) => {
                config.members = Some(
                    list.into_iter()
                        .map(|m| {
                            (
                                m.tenant_id.to_string(),
                                MemberConfig {
                                    display_name: m.display_name,
                                    role: m.role,
                                    state: m.state,
                                },
                            )
                        })
                        .collect(),
                );
            }
            // Outside an MTO the member list does not exist.
            Err(error) if error.kind == GraphErrorKind::NotFound => {
                config.members = Some(BTreeMap::new());
            }
            Err(error) => unread.push(format!("members ({})", why(&error))),
        }
        match self.collection(&partners_op, partners).await {
            Ok(list) => {
                let mut partners = BTreeMap::new();
                let mut identity_sync = BTreeMap::new();
                for mut partner in list {
                    let id = partner.tenant_id.to_string();
                    if let Some(policy) = partner.identity_synchronization.take() {
                        identity_sync.insert(id.clone(), policy);
                    }
                    partners.insert(id, partner);
                }
                config.partners = Some(partners);
                config.identity_sync = Some(identity_sync);
            }
            Err(error) => unread.push(format!("partner settings ({})", why(&error))),
        }
        match partner_template_op.decode(partner_template) {
            Ok(template) => config.partner_template = Some(template),
            Err(error) => unread.push(format!("partner template ({})", why(&error))),
        }
        match sync_template_op.decode(sync_template) {
            Ok(template) => config.identity_sync_template = Some(template),
            Err(error) => unread.push(format!("identity sync template ({})", why(&error))),
        }
        match self.collection(&configurations_op, configurations).await {
            Ok(principals) => {
                config.sync_configurations =
                    Some(self.configurations(&principals, &mut unread).await);
            }
            Err(error) => unread.push(format!("sync configurations ({})", why(&error))),
        }
        config.unread = unread;
        Ok(config)
    }

    /// Each configuration's jobs and scope, then each job's schema.
    async fn configurations(
        &self,
        principals: &[ServicePrincipal],
        unread: &mut Vec<String>,
    ) -> BTreeMap<String, SyncConfiguration> {
        let calls: Vec<_> = principals
            .iter()
            .map(|sp| {
                (
                    ops::sync::jobs(&sp.id),
                    ops::sync::scope_assignments(&sp.id),
                )
            })
            .collect();
        let requests: Vec<&Request> = calls
            .iter()
            .flat_map(|(jobs, assigned)| [jobs.request(), assigned.request()])
            .collect();
        let mut answers = self.run_all(&requests).await.into_iter();
        let mut read: Vec<ConfigurationReads<'_>> = Vec::new();
        for (sp, (jobs_op, assigned_op)) in principals.iter().zip(&calls) {
            let name = sp.display_name.as_deref().unwrap_or(sp.id.as_str());
            let jobs = match self
                .collection(jobs_op, answers.next().unwrap_or_else(missing))
                .await
            {
                Ok(jobs) => Some(jobs),
                Err(error) => {
                    unread.push(format!("sync jobs of {name} ({})", why(&error)));
                    None
                }
            };
            let assigned = match self
                .collection(assigned_op, answers.next().unwrap_or_else(missing))
                .await
            {
                Ok(list) => Some(list),
                Err(error) => {
                    unread.push(format!("scope of {name} ({})", why(&error)));
                    None
                }
            };
            read.push((sp, jobs, assigned));
        }
        let schema_calls: Vec<(usize, JobId, Op<SyncSchema>)> = read
            .iter()
            .enumerate()
            .flat_map(|(index, (sp, jobs, _))| {
                jobs.iter()
                    .flatten()
                    .map(move |job| (index, job.id.clone(), ops::sync::schema(&sp.id, &job.id)))
            })
            .collect();
        let requests: Vec<&Request> = schema_calls.iter().map(|(_, _, op)| op.request()).collect();
        let mut schemas: BTreeMap<(usize, JobId), Option<SyncSchema>> = BTreeMap::new();
        for ((index, job, op), answer) in schema_calls.iter().zip(self.run_all(&requests).await) {
            let schema = match op.decode(answer) {
                Ok(schema) => Some(schema),
                Err(error) => {
                    unread.push(format!("mappings of job {job} ({})", why(&error)));
                    None
                }
            };
            schemas.insert((*index, job.clone()), schema);
        }
        read.into_iter()
            .enumerate()
            .map(|(index, (sp, jobs, assigned))| {
                let jobs = jobs.map(|jobs| {
                    jobs.into_iter()
                        .map(|job| {
                            let rules = schemas
                                .remove(&(index, job.id.clone()))
                                .flatten()
                                .map(|schema| schema.synchronization_rules);
                            (
                                job.id.to_string(),
                                JobConfig {
                                    template_id: job.template_id,
                                    schedule: job.schedule,
                                    rules,
                                },
                            )
                        })
                        .collect()
                });
                let assignments = assigned.map(|list| {
                    list.into_iter()
                        .map(|a| {
                            (
                                a.principal_id.clone(),
                                AssignmentConfig {
                                    principal_display_name: a.principal_display_name,
                                    principal_type: a.principal_type,
                                    app_role_id: a.app_role_id,
                                    id: a.id,
                                },
                            )
                        })
                        .collect()
                });
                (
                    sp.id.to_string(),
                    SyncConfiguration {
                        display_name: sp.display_name.clone(),
                        target_tenant_id: sp.mto_target().map(|t| t.to_string()),
                        jobs,
                        assignments,
                    },
                )
            })
            .collect()
    }
}

/// One tenant to read: its id, name, token, and how it is read (for `readBy`).
pub struct TenantSource {
    pub tenant_id: String,
    pub name: String,
    pub token: AccessToken,
    pub read_by: String,
}

/// Tenants read at once.
const CONCURRENCY: usize = 16;

/// Reads every tenant of `sources` (a few at a time) into `snapshot`; a tenant that cannot be
/// read at all is kept with the reason, so that a comparison knows it is unknown.
pub async fn read_all(
    graph: &GraphClient,
    sources: &[TenantSource],
    requests: &RequestCounter,
    snapshot: &mut app::drift::snapshot::Snapshot,
) {
    use futures_util::stream::{self, StreamExt};
    let mut pending = Vec::with_capacity(sources.len());
    for source in sources {
        pending.push(async move {
            let reader = ConfigReader {
                graph,
                token: &source.token,
                requests,
            };
            (source, reader.read(&source.name, &source.read_by).await)
        });
    }
    let readings: Vec<_> = stream::iter(pending)
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for (source, reading) in readings {
        let config = match reading {
            Ok(config) => config,
            Err(error) => {
                tracing::warn!(tenant = %source.tenant_id, %error, "a tenant's configuration could not be read for a snapshot");
                TenantConfig {
                    display_name: source.name.clone(),
                    read_by: source.read_by.clone(),
                    unread: vec![format!("everything ({error})")],
                    ..TenantConfig::default()
                }
            }
        };
        snapshot.tenants.insert(source.tenant_id.clone(), config);
    }
}
