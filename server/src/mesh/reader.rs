//! Reads one tenant's view of the MTO from Graph with that tenant's token: the MTO, its members,
//! partner configurations with identity sync, the default configuration, both MTO templates and its
//! cross-tenant sync configurations with their jobs. Two round trips with `$batch` (or one call at a
//! time, for comparison); a part that fails is left out and named, the rest is kept.

use std::sync::atomic::{AtomicU64, Ordering};

use app::mesh::view::{self, part, TemplatesSummary, TenantView};
use graph::client::{AccessToken, GraphClient, GraphError, GraphErrorKind};
use graph::mto::{MtoMember, MultiTenantOrganization};
use graph::policies::{
    DefaultConfiguration, IdentitySyncPolicyTemplate, PartnerConfiguration,
    PartnerConfigurationTemplate,
};
use graph::sync::{KeyValue, ServicePrincipal, SyncJob, CROSS_TENANT_SYNC_TEMPLATE_ID};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

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

#[derive(Deserialize)]
struct Collection<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

const MTO: &str = "/tenantRelationships/multiTenantOrganization";
const TENANTS: &str = "/tenantRelationships/multiTenantOrganization/tenants";
const PARTNERS: &str = "/policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization";
const DEFAULT: &str = "/policies/crossTenantAccessPolicy/default";
const PARTNER_TEMPLATE: &str =
    "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration";
const SYNC_TEMPLATE: &str =
    "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization";

fn configurations_path() -> String {
    format!("/servicePrincipals?$filter=applicationTemplateId eq '{CROSS_TENANT_SYNC_TEMPLATE_ID}'")
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

impl Reader<'_> {
    /// GETs `paths`, answers in the same order.
    async fn get_many(&self, paths: &[String]) -> Vec<Result<Value, GraphError>> {
        match self.strategy {
            Strategy::OneByOne => {
                let mut answers = Vec::with_capacity(paths.len());
                for path in paths {
                    self.requests.add(1);
                    answers.push(
                        self.graph
                            .get::<Value>(self.token, path)
                            .await
                            .map(|a| a.value),
                    );
                }
                answers
            }
            Strategy::Batched => {
                self.requests
                    .add(paths.len().div_ceil(graph::client::MAX_BATCH));
                self.graph.batch_get(self.token, paths).await
            }
        }
    }

    /// A whole collection from its first page (further pages, rare here, one call each).
    async fn collection<T: DeserializeOwned>(
        &self,
        first: Result<Value, GraphError>,
    ) -> Result<Vec<T>, GraphError> {
        let page: Collection<T> = decode(first?)?;
        let mut all = page.value;
        let mut next = page.next_link;
        while let Some(link) = next {
            let path = link
                .split_once("/v1.0")
                .map(|(_, path)| path.to_owned())
                .ok_or_else(|| GraphError::decode("a paging link left Graph", None))?;
            self.requests.add(1);
            let page: Collection<T> = self.graph.get(self.token, &path).await?.value;
            all.extend(page.value);
            next = page.next_link;
        }
        Ok(all)
    }

    pub async fn read(&self, tenant_id: &str) -> Result<TenantView, ReadError> {
        let first: Vec<String> = [
            MTO,
            TENANTS,
            PARTNERS,
            DEFAULT,
            PARTNER_TEMPLATE,
            SYNC_TEMPLATE,
        ]
        .iter()
        .map(|p| (*p).to_owned())
        .chain(std::iter::once(configurations_path()))
        .collect();
        let mut answers = self.get_many(&first).await.into_iter();
        let mut next = || {
            answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)))
        };
        let (mto, tenants, partners, default, partner_template, sync_template, configurations) =
            (next(), next(), next(), next(), next(), next(), next());
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
        let mut problems = Vec::new();
        let organization = match mto.and_then(decode::<MultiTenantOrganization>) {
            Ok(mto) => view::organization_info(&mto),
            Err(error) => {
                problems.push(describe(part::ORGANIZATION, &error));
                None
            }
        };
        let members = match self.collection::<MtoMember>(tenants).await {
            Ok(members) => Some(members),
            // Outside an MTO the member list does not exist.
            Err(error) if error.kind == GraphErrorKind::NotFound => Some(Vec::new()),
            Err(error) => {
                problems.push(describe(part::MEMBERS, &error));
                None
            }
        };
        let default = match default.and_then(decode::<DefaultConfiguration>) {
            Ok(default) => Some(default),
            Err(error) => {
                problems.push(describe(part::DEFAULT, &error));
                None
            }
        };
        let partners = match self.collection::<PartnerConfiguration>(partners).await {
            Ok(partners) => Some(
                partners
                    .iter()
                    .map(|p| view::partner_side(p, default.as_ref()))
                    .collect(),
            ),
            Err(error) => {
                problems.push(describe(part::PARTNERS, &error));
                None
            }
        };
        let templates = match (
            partner_template.and_then(decode::<PartnerConfigurationTemplate>),
            sync_template.and_then(decode::<IdentitySyncPolicyTemplate>),
        ) {
            (Ok(partner), Ok(sync)) => Some(TemplatesSummary::from_graph(&partner, &sync)),
            (Err(error), _) | (_, Err(error)) => {
                problems.push(describe(part::TEMPLATES, &error));
                None
            }
        };
        let sync = match self.collection::<ServicePrincipal>(configurations).await {
            Ok(principals) => Some(self.sync_summaries(&principals, &mut problems).await),
            Err(error) => {
                problems.push(describe(part::SYNC, &error));
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
            problems,
        })
    }

    /// Each configuration's job and `CompanyId` (secrets may not be readable: then the name tells).
    async fn sync_summaries(
        &self,
        principals: &[ServicePrincipal],
        problems: &mut Vec<String>,
    ) -> Vec<view::SyncSummary> {
        let paths: Vec<String> = principals
            .iter()
            .flat_map(|sp| {
                [
                    format!("/servicePrincipals/{}/synchronization/jobs", sp.id),
                    format!("/servicePrincipals/{}/synchronization/secrets", sp.id),
                ]
            })
            .collect();
        let mut answers = self.get_many(&paths).await.into_iter();
        let mut summaries = Vec::with_capacity(principals.len());
        for sp in principals {
            let jobs = answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)));
            let secrets = answers
                .next()
                .unwrap_or_else(|| Err(GraphError::decode("missing answer", None)));
            let company_id = secrets
                .and_then(decode::<Collection<KeyValue>>)
                .ok()
                .and_then(|c| c.value.into_iter().find(|s| s.key == "CompanyId"))
                .map(|s| s.value);
            let job = match jobs.and_then(decode::<Collection<SyncJob>>) {
                Ok(jobs) => jobs.value.into_iter().next(),
                Err(error) => {
                    problems.push(describe(
                        &format!(
                            "sync job of {}",
                            sp.display_name.as_deref().unwrap_or(&sp.id)
                        ),
                        &error,
                    ));
                    None
                }
            };
            summaries.push(view::sync_summary(sp, company_id.as_deref(), job.as_ref()));
        }
        summaries
    }
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, GraphError> {
    serde_json::from_value(value)
        .map_err(|err| GraphError::decode(format!("unexpected answer from Graph: {err}"), None))
}
