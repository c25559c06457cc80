//! Mesh snapshots: every signed-in tenant read concurrently (with a bound), combined into the mesh,
//! cached per set of sign-ins for a few seconds. A tenant that fails keeps its last good view, shown
//! with its age and the reason; the others are unaffected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use app::mesh::model::{self, Mesh, ReadStatus, Reading};
use app::mesh::view::TenantView;
use futures_util::stream::{self, StreamExt};
use graph::client::{AccessToken, GraphClient};
use graph::{ops, TenantId, TenantRef};

use super::reader::{ReadError, Reader, RequestCounter, Strategy};

/// One signed-in tenant, ready to be read.
#[derive(Debug, Clone)]
pub struct Source {
    pub tenant_id: String,
    /// The account's object id in that tenant (cache key part: data depends on who reads).
    pub account: String,
    /// `None` when the sign-in could not be renewed.
    pub token: Option<AccessToken>,
}

/// Snapshots younger than this are served from the cache (the page refreshes every few seconds).
pub const MAX_AGE_SECS: i64 = 4;
/// Tenants read at the same time.
pub const CONCURRENCY: usize = 16;
/// Cached snapshots kept (one per browser session's set of sign-ins).
const SNAPSHOT_CAPACITY: usize = 256;

pub struct MeshService {
    graph: GraphClient,
    strategy: Strategy,
    concurrency: usize,
    pub requests: RequestCounter,
    /// tenant:account → (read at, view).
    last_good: Mutex<HashMap<String, (i64, TenantView)>>,
    /// sign-in set → snapshot.
    snapshots: Mutex<HashMap<String, Arc<Mesh>>>,
    /// member tenant + transition → first seen.
    first_seen: Mutex<HashMap<String, i64>>,
    /// Display names of tenants (configuration, members, lookups).
    names: Mutex<HashMap<String, String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MeshService {
    pub fn new(graph: GraphClient, names: HashMap<String, String>) -> Self {
        Self {
            graph,
            strategy: Strategy::Batched,
            concurrency: CONCURRENCY,
            requests: RequestCounter::default(),
            last_good: Mutex::default(),
            snapshots: Mutex::default(),
            first_seen: Mutex::default(),
            names: Mutex::new(names),
        }
    }

    /// Drops cached snapshots (after a write, the next view reads Graph again).
    pub fn invalidate(&self) {
        lock(&self.snapshots).clear();
    }

    /// The last good view of `tenant_id` read as `account`, with the time its data is from.
    pub fn last_good(&self, tenant_id: &str, account: &str) -> Option<(i64, TenantView)> {
        lock(&self.last_good)
            .get(&format!("{tenant_id}:{account}"))
            .cloned()
    }

    /// One call at a time, no batching: the plain client the benchmark compares with.
    pub fn sequential(mut self) -> Self {
        self.strategy = Strategy::OneByOne;
        self.concurrency = 1;
        self
    }

    fn key(sources: &[Source]) -> String {
        let mut parts: Vec<String> = sources
            .iter()
            .map(|s| format!("{}:{}", s.tenant_id, s.account))
            .collect();
        parts.sort();
        parts.join(",")
    }

    /// The mesh for these sign-ins: cached when younger than [`MAX_AGE_SECS`] unless `refresh`.
    pub async fn snapshot(&self, sources: &[Source], now: i64, refresh: bool) -> Arc<Mesh> {
        let key = Self::key(sources);
        if !refresh {
            if let Some(mesh) = lock(&self.snapshots)
                .get(&key)
                .filter(|m| now - m.taken_at < MAX_AGE_SECS)
            {
                return Arc::clone(mesh);
            }
        }
        let readings: Vec<Reading> = stream::iter(sources.iter().cloned())
            .map(|source| self.reading(source, now))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let first_seen = self.observe_transitions(&readings, now);
        self.resolve_names(&readings, sources).await;
        let names = lock(&self.names).clone();
        let mesh = Arc::new(model::build(&readings, &names, &first_seen, now));
        let mut snapshots = lock(&self.snapshots);
        if snapshots.len() >= SNAPSHOT_CAPACITY {
            snapshots.retain(|_, m| now - m.taken_at < MAX_AGE_SECS);
            if snapshots.len() >= SNAPSHOT_CAPACITY {
                snapshots.clear();
            }
        }
        snapshots.insert(key, Arc::clone(&mesh));
        mesh
    }

    async fn reading(&self, source: Source, now: i64) -> Reading {
        let cache_key = format!("{}:{}", source.tenant_id, source.account);
        let last_good = lock(&self.last_good).get(&cache_key).cloned();
        let Some(token) = &source.token else {
            return Reading {
                tenant_id: source.tenant_id,
                status: ReadStatus::NeedsSignIn,
                read_at: last_good.as_ref().map(|(at, _)| *at),
                view: last_good.map(|(_, view)| view),
            };
        };
        let reader = Reader {
            graph: &self.graph,
            token,
            strategy: self.strategy,
            requests: &self.requests,
        };
        match reader.read(&source.tenant_id).await {
            Ok(mut view) => {
                // A part that failed keeps its earlier reading; that reading's time stays with it.
                let mut good_since = now;
                if let Some((at, earlier)) = &last_good {
                    if view.keep_unread_parts(earlier, now - at) {
                        good_since = *at;
                    }
                }
                lock(&self.last_good).insert(cache_key, (good_since, view.clone()));
                Reading {
                    tenant_id: source.tenant_id,
                    status: ReadStatus::Fresh,
                    read_at: Some(now),
                    view: Some(view),
                }
            }
            Err(error) => {
                tracing::warn!(tenant = %source.tenant_id, %error, "reading a tenant for the mesh failed");
                let status = match (&error, &last_good) {
                    (ReadError::Unauthorized(_), _) => ReadStatus::NeedsSignIn,
                    (_, Some(_)) => ReadStatus::Stale {
                        reason: error.to_string(),
                    },
                    (_, None) => ReadStatus::Failed {
                        reason: error.to_string(),
                    },
                };
                Reading {
                    tenant_id: source.tenant_id,
                    status,
                    read_at: last_good.as_ref().map(|(at, _)| *at),
                    view: last_good.map(|(_, view)| view),
                }
            }
        }
    }

    /// When each member's current transition was first seen (for "running for 3 h").
    fn observe_transitions(&self, readings: &[Reading], now: i64) -> HashMap<String, i64> {
        let mut seen = lock(&self.first_seen);
        let mut current = HashMap::new();
        for member in readings
            .iter()
            .filter_map(|r| r.view.as_ref()?.members.as_ref())
            .flatten()
        {
            let Some(t) = member
                .transition_details
                .as_ref()
                .filter(|t| t.is_in_progress())
            else {
                continue;
            };
            let id = member.tenant_id.to_string();
            let key = format!(
                "{id}|{}|{}",
                t.desired_state
                    .as_ref()
                    .map_or("", graph::mto::MemberState::as_str),
                t.desired_role
                    .as_ref()
                    .map_or("", graph::mto::MemberRole::as_str)
            );
            let since = *seen.entry(key).or_insert(now);
            current.insert(id, since);
        }
        if seen.len() > 10_000 {
            seen.clear();
        }
        current
    }

    /// Names of partners outside the MTO, looked up once (`findTenantInformationByTenantId`).
    async fn resolve_names(&self, readings: &[Reading], sources: &[Source]) {
        let Some(token) = sources.iter().find_map(|s| s.token.clone()) else {
            return;
        };
        let unknown: Vec<TenantId> = {
            let names = lock(&self.names);
            let members: Vec<String> = readings
                .iter()
                .filter_map(|r| r.view.as_ref()?.members.as_ref())
                .flatten()
                .map(|m| m.tenant_id.to_string())
                .collect();
            let mut ids: Vec<String> = readings
                .iter()
                .filter_map(|r| r.view.as_ref()?.partners.as_ref())
                .flatten()
                .map(|p| p.tenant_id.clone())
                .filter(|id| !names.contains_key(id) && !members.contains(id))
                .collect();
            ids.sort();
            ids.dedup();
            ids.iter().filter_map(|id| id.parse().ok()).collect()
        };
        let found: Vec<(String, String)> = stream::iter(unknown)
            .map(|id| {
                let token = token.clone();
                async move {
                    self.requests.add(1);
                    let name = self
                        .graph
                        .run(
                            &token,
                            &ops::directory::find_tenant(&TenantRef::Id(id.clone())),
                        )
                        .await
                        .ok()
                        .and_then(|a| a.value.display_name);
                    name.map(|name| (id.to_string(), name))
                }
            })
            .buffer_unordered(self.concurrency)
            .filter_map(|found| async move { found })
            .collect()
            .await;
        lock(&self.names).extend(found);
    }
}
