//! Reads one tenant's users from Graph and segments them: every user page by page (999 at a time,
//! only the fields needed, `$count` for the progress total), and at the same time the MTO's tenants
//! and the provisioning logs of the source tenants the session can read (exact home tenants); then
//! the domains still needed, each looked up once (`findTenantInformationByDomainName`, cached).
//! Only the compact table is kept; each Graph page is dropped once added.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use app::users::{Builder, RawUser, Resolutions, Segmentation};
use futures_util::stream::{self, StreamExt};
use graph::client::{AccessToken, GraphClient, GraphError, GraphErrorKind, Page};
use graph::mto::MemberState;
use graph::users::{TenantInformation, User};
use graph::{ops, Domain, TenantRef};

/// Users per page: Graph's largest.
pub const USERS_PER_PAGE: usize = 999;
/// Provisioning-log entries per page (Graph's largest) and pages read per source tenant.
const LOG_PAGE: usize = 1000;
const LOG_PAGES: usize = 50;
/// Domain lookups in flight at once.
const LOOKUPS_AT_ONCE: usize = 8;
/// How long a domain's tenant is remembered.
const DOMAIN_TTL_SECS: i64 = 24 * 3600;
const DOMAIN_CAPACITY: usize = 100_000;

/// A tenant whose provisioning log may show who its sync jobs created in the tenant being read.
#[derive(Debug, Clone)]
pub struct LogSource {
    pub tenant_id: String,
    pub name: String,
    pub token: AccessToken,
}

/// Everything one reading needs.
#[derive(Debug, Clone)]
pub struct Job {
    pub tenant_id: String,
    pub tenant_name: String,
    pub token: AccessToken,
    /// Other tenants the session may read (for exact matches).
    pub sources: Vec<LogSource>,
    /// Tenant names the dashboard already knows.
    pub names: HashMap<String, String>,
}

/// How far a reading is; read by the page while it runs.
#[derive(Debug)]
pub struct Progress {
    so_far: AtomicU64,
    /// `u64::MAX` until Graph has counted.
    total: AtomicU64,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            so_far: AtomicU64::new(0),
            total: AtomicU64::new(u64::MAX),
        }
    }
}

impl Progress {
    pub fn so_far(&self) -> u64 {
        self.so_far.load(Ordering::Relaxed)
    }

    pub fn total(&self) -> Option<u64> {
        Some(self.total.load(Ordering::Relaxed)).filter(|t| *t != u64::MAX)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Domain → (looked up at, the tenant that has it); shared by all readings.
#[derive(Debug, Default)]
pub struct DomainCache(Mutex<HashMap<String, (i64, Option<TenantInformation>)>>);

impl DomainCache {
    fn get(&self, domain: &str, now: i64) -> Option<Option<TenantInformation>> {
        lock(&self.0)
            .get(domain)
            .filter(|(at, _)| now - at < DOMAIN_TTL_SECS)
            .map(|(_, found)| found.clone())
    }

    fn put(&self, domain: String, now: i64, found: Option<TenantInformation>) {
        let mut cache = lock(&self.0);
        if cache.len() >= DOMAIN_CAPACITY {
            cache.retain(|_, (at, _)| now - *at < DOMAIN_TTL_SECS);
            if cache.len() >= DOMAIN_CAPACITY {
                cache.clear();
            }
        }
        cache.insert(domain, (now, found));
    }
}

/// Counts the HTTP requests of one reading.
#[derive(Debug, Default)]
struct Requests(AtomicU64);

impl Requests {
    fn add(&self, n: usize) {
        self.0.fetch_add(n as u64, Ordering::Relaxed);
    }
}

pub struct Reader<'a> {
    pub graph: &'a GraphClient,
    pub domains: &'a DomainCache,
}

impl Reader<'_> {
    /// Reads and segments `job.tenant_id`'s users. Fails only when the users themselves cannot be
    /// read; a missing log, member list or lookup is named in the result's `problems`.
    pub async fn segment(
        &self,
        job: &Job,
        now: i64,
        progress: &Progress,
    ) -> Result<Segmentation, GraphError> {
        let counted = Requests::default();
        let requests = &counted;
        let (users, exact, members) = tokio::join!(
            self.users(job, progress, requests),
            self.exact_matches(job, requests),
            self.members(job, requests),
        );
        let builder = users?;
        let (exact, mut problems) = exact;
        let (mto, mut names) = match members {
            Ok(members) => members,
            Err(problem) => {
                problems.push(problem);
                (HashSet::new(), HashMap::new())
            }
        };
        for (id, name) in &job.names {
            names.entry(id.clone()).or_insert_with(|| name.clone());
        }
        let mut looked_up: HashMap<String, Option<String>> = HashMap::new();
        let mut attempted: HashSet<String> = HashSet::new();
        let mut failed_lookups = Vec::new();
        // Mail domains first; the UPN's domain only for users whose mail domain gave nothing.
        for _round in 0..2 {
            let wanted: Vec<String> = builder
                .wanted_domains(&exact, &looked_up)
                .into_iter()
                .filter(|d| attempted.insert(d.clone()))
                .collect();
            if wanted.is_empty() {
                break;
            }
            let lookups: Vec<_> = wanted
                .into_iter()
                .map(|domain| self.lookup(&job.token, domain, now, requests))
                .collect();
            let found: Vec<(String, Result<Option<TenantInformation>, GraphError>)> =
                stream::iter(lookups)
                    .buffer_unordered(LOOKUPS_AT_ONCE)
                    .collect()
                    .await;
            for (domain, found) in found {
                match found {
                    Ok(info) => {
                        if let Some(info) = &info {
                            if let Some(name) = &info.display_name {
                                names
                                    .entry(info.tenant_id.to_string())
                                    .or_insert_with(|| name.clone());
                            }
                        }
                        looked_up.insert(domain, info.map(|i| i.tenant_id.to_string()));
                    }
                    Err(error) => failed_lookups.push(format!("{domain} ({error})")),
                }
            }
        }
        if !failed_lookups.is_empty() {
            failed_lookups.sort();
            problems.push(format!(
                "Looking up the tenant of {} domain(s) failed: {}",
                failed_lookups.len(),
                failed_lookups.join(", ")
            ));
        }
        let mut segmentation = builder.finish(
            Resolutions {
                exact: &exact,
                domains: &looked_up,
                mto: &mto,
                names: &names,
            },
            &job.tenant_name,
            now,
        );
        segmentation.problems = problems;
        segmentation.graph_requests = counted.0.load(Ordering::Relaxed);
        Ok(segmentation)
    }

    /// Every user, page by page, into the compact table.
    async fn users(
        &self,
        job: &Job,
        progress: &Progress,
        requests: &Requests,
    ) -> Result<Builder, GraphError> {
        let mut builder = Builder::new(&job.tenant_id);
        let pages = self
            .graph
            .for_each_page(
                &job.token,
                &ops::directory::all_users(USERS_PER_PAGE),
                None,
                |page: Page<User>| {
                    if let Some(total) = page.count {
                        progress.total.store(total, Ordering::Relaxed);
                        builder.reserve(usize::try_from(total).unwrap_or(0).min(10_000_000));
                    }
                    for user in &page.value {
                        builder.add(RawUser {
                            id: &user.id,
                            display_name: user.display_name.as_deref(),
                            user_principal_name: user.user_principal_name.as_deref(),
                            mail: user.mail.as_deref(),
                            user_type: user.user_type.as_ref().map(|t| t.as_str()),
                            creation_type: user.creation_type.as_deref(),
                            show_in_address_list: user.show_in_address_list,
                        });
                    }
                    progress
                        .so_far
                        .store(builder.len() as u64, Ordering::Relaxed);
                },
            )
            .await;
        // Pages read before a failure were requests too; count at least the one that failed.
        match pages {
            Ok(pages) => {
                requests.add(pages);
                Ok(builder)
            }
            Err(error) => {
                requests.add(builder.len().div_ceil(USERS_PER_PAGE) + 1);
                Err(error)
            }
        }
    }

    /// Target user id → source tenant, from each source's provisioning log (successful entries).
    async fn exact_matches(
        &self,
        job: &Job,
        requests: &Requests,
    ) -> (HashMap<String, String>, Vec<String>) {
        let reads: Vec<_> = job
            .sources
            .iter()
            .map(|source| self.targets(source, requests))
            .collect();
        let logs: Vec<(&LogSource, Result<Vec<String>, GraphError>)> = stream::iter(reads)
            .buffer_unordered(LOOKUPS_AT_ONCE)
            .collect()
            .await;
        let mut exact = HashMap::new();
        let mut problems = Vec::new();
        for (source, targets) in logs {
            match targets {
                Ok(targets) => {
                    for target in targets {
                        exact.insert(target, source.tenant_id.to_ascii_lowercase());
                    }
                }
                Err(error) => problems.push(format!(
                    "The provisioning log of {} could not be read ({error}); users its sync created are matched by domain instead.",
                    source.name
                )),
            }
        }
        (exact, problems)
    }

    async fn targets<'s>(
        &self,
        source: &'s LogSource,
        requests: &Requests,
    ) -> (&'s LogSource, Result<Vec<String>, GraphError>) {
        (source, self.log_targets(source, requests).await)
    }

    async fn log_targets(
        &self,
        source: &LogSource,
        requests: &Requests,
    ) -> Result<Vec<String>, GraphError> {
        let mut targets = Vec::new();
        let pages = self
            .graph
            .for_each_page(
                &source.token,
                &ops::sync::successful_provisioning(LOG_PAGE),
                Some(LOG_PAGES),
                |page| {
                    targets.extend(
                        page.value
                            .into_iter()
                            .filter_map(|e| e.target_identity?.id)
                            .map(|id| id.to_ascii_lowercase()),
                    );
                },
            )
            .await;
        match pages {
            Ok(pages) => {
                requests.add(pages);
                Ok(targets)
            }
            Err(error) => {
                requests.add(1);
                Err(error)
            }
        }
    }

    /// The MTO's active tenants and every member's name; outside an MTO, none.
    async fn members(
        &self,
        job: &Job,
        requests: &Requests,
    ) -> Result<(HashSet<String>, HashMap<String, String>), String> {
        requests.add(1);
        let members = self.graph.collect(&job.token, &ops::mto::members()).await;
        let mut members = match members {
            Ok(members) => members,
            Err(error) if error.kind == GraphErrorKind::NotFound => Vec::new(),
            Err(error) => {
                return Err(format!(
                    "The tenants of the multitenant organization could not be read ({error}); no external user is counted as from inside it."
                ))
            }
        };
        graph::mto::complete_basic_list(&mut members);
        let active = members
            .iter()
            .filter(|m| m.state == Some(MemberState::Active))
            .map(|m| m.tenant_id.to_string())
            .collect();
        let names = members
            .into_iter()
            .filter_map(|m| Some((m.tenant_id.to_string(), m.display_name?)))
            .collect();
        Ok((active, names))
    }

    /// The tenant a domain belongs to (`None`: none has it), from the cache or Graph.
    async fn lookup(
        &self,
        token: &AccessToken,
        domain: String,
        now: i64,
        requests: &Requests,
    ) -> (String, Result<Option<TenantInformation>, GraphError>) {
        let found = self.find_tenant(token, &domain, now, requests).await;
        (domain, found)
    }

    async fn find_tenant(
        &self,
        token: &AccessToken,
        domain: &str,
        now: i64,
        requests: &Requests,
    ) -> Result<Option<TenantInformation>, GraphError> {
        if let Some(known) = self.domains.get(domain, now) {
            return Ok(known);
        }
        // A mail domain that is not a DNS name belongs to no tenant: nothing to ask.
        let Ok(name) = domain.parse::<Domain>() else {
            self.domains.put(domain.to_owned(), now, None);
            return Ok(None);
        };
        requests.add(1);
        let found = self
            .graph
            .run_optional(
                token,
                &ops::directory::find_tenant(&TenantRef::Domain(name)),
            )
            .await?
            .map(|answer| answer.value);
        self.domains.put(domain.to_owned(), now, found.clone());
        Ok(found)
    }
}
