//! User segmentation: reads a tenant's users in the background ([`reader`]), keeps the last result
//! per tenant with its time, and answers the page with either that result or how far the reading
//! is. The page's glue is in [`page`], the CSV export in [`export`]; the model is `app::users`.

pub mod export;
pub mod page;
pub mod reader;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use app::users::Segmentation;
use graph::client::{GraphClient, GraphErrorKind};
use tokio::sync::watch;

pub use reader::{DomainCache, Job, LogSource, Progress, Reader};

/// A result younger than this is served without reading Graph again.
pub const MAX_AGE_SECS: i64 = 300;
/// A result older than [`MAX_AGE_SECS`] but younger than this is still served at once while a
/// reading in the background replaces it (a refresh asked for, or the export, wait for the reading).
pub const STALE_SECS: i64 = 3600;
/// A refresh asked for within this time of the last reading is ignored (reloading pages).
pub const MIN_REFRESH_SECS: i64 = 5;
/// How long a request waits for a reading before answering with its progress.
pub const WAIT: Duration = Duration::from_millis(1500);
/// How long the CSV export waits for a reading to finish.
pub const EXPORT_WAIT: Duration = Duration::from_secs(120);
/// Tenants (per set of log sources) whose results are kept.
const CAPACITY: usize = 32;
/// Users kept across all results (a row is about 200 bytes: some 80 MB). Past it, the oldest other
/// results are dropped and read again when asked for.
const MAX_KEPT_USERS: usize = 400_000;

/// What a request gets.
#[derive(Debug, Clone)]
pub enum Outcome {
    Reading {
        so_far: u64,
        total: Option<u64>,
        started_at: i64,
    },
    Ready {
        segmentation: Arc<Segmentation>,
        /// Why the newest reading failed, when this is the last good result.
        stale: Option<String>,
    },
    Failed {
        reason: String,
    },
}

struct Running {
    progress: Progress,
    started_at: i64,
    done: watch::Sender<bool>,
}

#[derive(Default)]
struct Entry {
    last_good: Option<Arc<Segmentation>>,
    running: Option<Arc<Running>>,
    /// Why the last reading failed (cleared by a success).
    failure: Option<String>,
    /// When a reading last started (for [`MIN_REFRESH_SECS`]).
    started_at: i64,
}

pub struct UsersService {
    graph: GraphClient,
    domains: DomainCache,
    entries: Mutex<HashMap<String, Entry>>,
    wait: Duration,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The results to drop, oldest first, so that the users kept fit in `budget`. `keep` (the result just
/// stored) and readings still running are never dropped.
fn over_budget(entries: &HashMap<String, Entry>, keep: &str, budget: usize) -> Vec<String> {
    let users = |e: &Entry| e.last_good.as_ref().map_or(0, |s| s.rows.len());
    let mut kept: usize = entries.values().map(users).sum();
    let mut candidates: Vec<(&String, &Entry)> = entries
        .iter()
        .filter(|(k, e)| k.as_str() != keep && e.running.is_none() && users(e) > 0)
        .collect();
    candidates.sort_by_key(|(_, e)| e.started_at);
    let mut dropped = Vec::new();
    for (key, entry) in candidates {
        if kept <= budget {
            break;
        }
        kept -= users(entry);
        dropped.push(key.clone());
    }
    dropped
}

impl UsersService {
    pub fn new(graph: GraphClient) -> Self {
        Self {
            graph,
            domains: DomainCache::default(),
            entries: Mutex::default(),
            wait: WAIT,
        }
    }

    /// Answers with progress after `wait` instead of [`WAIT`] (tests).
    pub fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Forgets every result (the MTO changed): the next request reads again. Readings under way
    /// finish and are kept.
    pub fn invalidate(&self) {
        let mut entries = lock(&self.entries);
        entries.retain(|_, entry| entry.running.is_some());
        // Not served while those readings run: they describe the MTO as it was.
        for entry in entries.values_mut() {
            entry.last_good = None;
        }
    }

    /// The reader, for reading once without the cache (the benchmark).
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            graph: &self.graph,
            domains: &self.domains,
        }
    }

    /// The result depends on the tenant and on which source tenants' logs could be read.
    fn key(job: &Job) -> String {
        let mut sources: Vec<&str> = job.sources.iter().map(|s| s.tenant_id.as_str()).collect();
        sources.sort_unstable();
        format!("{}|{}", job.tenant_id, sources.join(","))
    }

    /// The page's answer: a cached result, or a reading started (unless one runs) and waited for
    /// up to [`WAIT`]; then its result, or how far it is.
    pub async fn view(self: &Arc<Self>, job: Job, now: i64, refresh: bool) -> Outcome {
        // The page gets the last result at once while a reading replaces it (not on a refresh).
        self.answer(job, now, refresh, self.wait, !refresh).await
    }

    /// Like [`view`](Self::view), but waits up to [`EXPORT_WAIT`] for the reading to finish.
    pub async fn complete(self: &Arc<Self>, job: Job, now: i64) -> Outcome {
        self.answer(job, now, false, EXPORT_WAIT, false).await
    }

    async fn answer(
        self: &Arc<Self>,
        job: Job,
        now: i64,
        refresh: bool,
        wait: Duration,
        may_serve_kept: bool,
    ) -> Outcome {
        let key = Self::key(&job);
        let running = self.ensure(&key, job, now, refresh);
        let serve_kept = may_serve_kept && self.kept_is_servable(&key, now);
        if let Some(running) = running.filter(|_| !serve_kept) {
            let mut done = running.done.subscribe();
            // Timing out is the normal way to report progress.
            let _ = tokio::time::timeout(wait, done.wait_for(|finished| *finished)).await;
        }
        self.outcome(&key, serve_kept)
    }

    /// Whether the last good result for `key` is young enough ([`STALE_SECS`]) to be served
    /// while it is read again.
    fn kept_is_servable(&self, key: &str, now: i64) -> bool {
        lock(&self.entries)
            .get(key)
            .and_then(|entry| entry.last_good.as_ref())
            .is_some_and(|segmentation| now - segmentation.read_at < STALE_SECS)
    }

    /// Starts a reading unless one runs or a fresh enough result exists; returns the running one.
    fn ensure(
        self: &Arc<Self>,
        key: &str,
        job: Job,
        now: i64,
        refresh: bool,
    ) -> Option<Arc<Running>> {
        let mut entries = lock(&self.entries);
        if entries.len() >= CAPACITY && !entries.contains_key(key) {
            let oldest = entries
                .iter()
                .filter(|(_, e)| e.running.is_none())
                .min_by_key(|(_, e)| e.started_at)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        let entry = entries.entry(key.to_owned()).or_default();
        if let Some(running) = &entry.running {
            return Some(Arc::clone(running));
        }
        let age = entry.last_good.as_ref().map(|s| now - s.read_at);
        let fresh = match age {
            Some(age) if refresh => age < MIN_REFRESH_SECS,
            Some(age) => age < MAX_AGE_SECS,
            None => false,
        };
        // A failure is retried on the next request, not in a loop.
        if fresh
            || (!refresh && entry.failure.is_some() && now - entry.started_at < MIN_REFRESH_SECS)
        {
            return None;
        }
        let (done, _) = watch::channel(false);
        let running = Arc::new(Running {
            progress: Progress::default(),
            started_at: now,
            done,
        });
        entry.running = Some(Arc::clone(&running));
        entry.started_at = now;
        drop(entries);
        let service = Arc::clone(self);
        let task = Arc::clone(&running);
        let key = key.to_owned();
        tokio::spawn(async move {
            let result = service.reader().segment(&job, now, &task.progress).await;
            {
                let mut entries = lock(&service.entries);
                let entry = entries.entry(key.clone()).or_default();
                let stored = result.is_ok();
                match result {
                    Ok(segmentation) => {
                        entry.last_good = Some(Arc::new(segmentation));
                        entry.failure = None;
                    }
                    Err(error) => {
                        tracing::warn!(tenant = %job.tenant_id, %error, "reading the users failed");
                        entry.failure = Some(if error.kind == GraphErrorKind::Unauthorized {
                            format!("the sign-in is no longer accepted: {error}")
                        } else {
                            error.to_string()
                        });
                    }
                }
                entry.running = None;
                if stored {
                    for dropped in over_budget(&entries, &key, MAX_KEPT_USERS) {
                        entries.remove(&dropped);
                    }
                }
            }
            task.done.send_replace(true);
        });
        Some(running)
    }

    /// What the request gets now: with `serve_kept`, the last good result even while a reading
    /// runs.
    fn outcome(&self, key: &str, serve_kept: bool) -> Outcome {
        let entries = lock(&self.entries);
        let Some(entry) = entries.get(key) else {
            return Outcome::Failed {
                reason: "the users have not been read".into(),
            };
        };
        match (&entry.running, &entry.last_good, &entry.failure) {
            (Some(_), Some(segmentation), stale) if serve_kept => Outcome::Ready {
                segmentation: Arc::clone(segmentation),
                stale: stale.clone(),
            },
            (Some(running), _, _) => Outcome::Reading {
                so_far: running.progress.so_far(),
                total: running.progress.total(),
                started_at: running.started_at,
            },
            (None, Some(segmentation), stale) => Outcome::Ready {
                segmentation: Arc::clone(segmentation),
                stale: stale.clone(),
            },
            (None, None, Some(reason)) => Outcome::Failed {
                reason: reason.clone(),
            },
            (None, None, None) => Outcome::Failed {
                reason: "the users have not been read".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(started_at: i64, users: usize, running: bool) -> Entry {
        let mut builder = app::users::segmentation::Builder::new("t");
        for _ in 0..users {
            builder.add(app::users::segmentation::RawUser {
                id: "u",
                display_name: Some("U"),
                user_principal_name: Some("u@t.example"),
                mail: None,
                user_type: Some("Member"),
                creation_type: None,
                show_in_address_list: None,
            });
        }
        let segmentation = builder.finish_unresolved("T", started_at);
        let (done, _) = watch::channel(false);
        Entry {
            last_good: Some(Arc::new(segmentation)),
            running: running.then(|| {
                Arc::new(Running {
                    progress: Progress::default(),
                    started_at,
                    done,
                })
            }),
            failure: None,
            started_at,
        }
    }

    /// Contoso's users read app-only from the demo's emulator.
    async fn contoso() -> (
        Arc<UsersService>,
        Job,
        crate::mesh::service::testing::DemoGraph,
    ) {
        let graph = crate::mesh::service::testing::DemoGraph::start().await;
        let job = Job {
            tenant_id: emulator::scenario::CONTOSO.to_owned(),
            tenant_name: "Contoso".into(),
            token: graph.app_token(emulator::scenario::CONTOSO).await,
            sources: Vec::new(),
            names: HashMap::new(),
        };
        (
            Arc::new(UsersService::new(graph.client()).with_wait(Duration::from_secs(30))),
            job,
            graph,
        )
    }

    fn read_at(outcome: &Outcome) -> Option<i64> {
        match outcome {
            Outcome::Ready { segmentation, .. } => Some(segmentation.read_at),
            _ => None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_expired_result_is_served_at_once_while_a_reading_replaces_it() {
        let (service, job, graph) = contoso().await;
        let first = service.view(job.clone(), 1_000, false).await;
        assert_eq!(read_at(&first), Some(1_000));
        graph.slow(300);
        let expired = 1_000 + MAX_AGE_SECS;
        let started = std::time::Instant::now();
        // Served at once (the wait for a reading is 30 s here), the old result.
        let served = service.view(job.clone(), expired, false).await;
        assert_eq!(read_at(&served), Some(1_000));
        assert!(started.elapsed() < Duration::from_millis(300));
        // A refresh asked for waits for the reading (here: the one already under way).
        let refreshed = service.view(job.clone(), expired, true).await;
        assert_eq!(read_at(&refreshed), Some(expired));
        assert_eq!(
            read_at(&service.view(job.clone(), expired + 1, false).await),
            Some(expired)
        );
        // Too old to be served: the page waits for the reading.
        let much_later = expired + STALE_SECS;
        assert_eq!(
            read_at(&service.view(job.clone(), much_later, false).await),
            Some(much_later)
        );
        // After a write, nothing from before is served.
        service.invalidate();
        let after_write = much_later + 1;
        assert_eq!(
            read_at(&service.view(job, after_write, false).await),
            Some(after_write)
        );
    }

    #[test]
    fn the_oldest_results_go_first_until_the_users_fit() {
        let entries = HashMap::from([
            ("old".to_owned(), entry(1, 50, false)),
            ("older-but-running".to_owned(), entry(0, 50, true)),
            ("middle".to_owned(), entry(2, 50, false)),
            ("new".to_owned(), entry(3, 50, false)),
        ]);
        // 200 kept: dropping "old" and "middle" brings it to 100.
        assert_eq!(over_budget(&entries, "new", 100), ["old", "middle"]);
        assert!(over_budget(&entries, "new", 200).is_empty());
        // Never the one just stored, nor a running reading, even when over budget.
        assert_eq!(over_budget(&entries, "new", 0), ["old", "middle"]);
    }
}
