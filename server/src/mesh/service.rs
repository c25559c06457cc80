//! Mesh snapshots: every signed-in tenant read concurrently (with a bound), combined into the mesh,
//! cached per set of sign-ins. Pages are served from the snapshot: a fresh one as it is, an older
//! one at once while a single reading in the background replaces it; at most one reading per set
//! of sign-ins runs at a time, and every request that needs it waits for that one. A tenant that
//! fails keeps its last good view, shown with its age and the reason; the others are unaffected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use app::mesh::model::{self, Mesh, ReadStatus, Reading};
use app::mesh::view::TenantView;
use futures_util::stream::{self, StreamExt};
use graph::client::{AccessToken, GraphClient};
use graph::{ops, TenantId, TenantRef};
use tokio::sync::watch;

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

/// Snapshots younger than this are served as they are (the pages refresh every few seconds).
pub const MAX_AGE_SECS: i64 = 4;
/// A snapshot older than [`MAX_AGE_SECS`] but younger than this is still served at once, while one
/// reading in the background replaces it (stale-while-revalidate, as HTTP caches do it: RFC 5861).
/// Older ones are read again first.
pub const STALE_SECS: i64 = 60;
/// Tenants read at the same time.
pub const CONCURRENCY: usize = 16;
/// Cached snapshots kept (one per browser session's set of sign-ins).
const SNAPSHOT_CAPACITY: usize = 256;

/// The snapshots of one set of sign-ins: the last one and the reading under way, if any.
#[derive(Default)]
struct Slot {
    /// The last snapshot, with the generation it was read in.
    mesh: Option<(u64, Arc<Mesh>)>,
    flight: Option<Flight>,
}

/// A reading under way: whoever needs its snapshot waits for it instead of reading again.
struct Flight {
    id: u64,
    /// [`Cache::generation`] when it started: a reading that started before a write does not
    /// count as reading after it.
    generation: u64,
    done: watch::Receiver<Option<Arc<Mesh>>>,
}

#[derive(Default)]
struct Cache {
    /// One more at every [`MeshService::invalidate`]: snapshots and readings of an earlier
    /// generation are never served to a request that came after the write.
    generation: u64,
    next_flight: u64,
    slots: HashMap<String, Slot>,
}

/// What a request does once the cache has been looked at.
enum Plan {
    Serve(Arc<Mesh>),
    Wait(u64, watch::Receiver<Option<Arc<Mesh>>>),
}

pub struct MeshService {
    inner: Arc<Inner>,
    pub requests: Arc<RequestCounter>,
}

/// What a reading needs, shared with the readings running in the background.
struct Inner {
    graph: GraphClient,
    strategy: Strategy,
    concurrency: usize,
    requests: Arc<RequestCounter>,
    /// tenant:account → (read at, view).
    last_good: Mutex<HashMap<String, (i64, TenantView)>>,
    /// sign-in set → its snapshots.
    cache: Mutex<Cache>,
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
        Self::with(graph, names, Strategy::Batched, CONCURRENCY)
    }

    /// One call at a time, no batching: the plain client the benchmark compares with.
    pub fn sequential(graph: GraphClient, names: HashMap<String, String>) -> Self {
        Self::with(graph, names, Strategy::OneByOne, 1)
    }

    fn with(
        graph: GraphClient,
        names: HashMap<String, String>,
        strategy: Strategy,
        concurrency: usize,
    ) -> Self {
        let requests = Arc::new(RequestCounter::default());
        Self {
            inner: Arc::new(Inner {
                graph,
                strategy,
                concurrency,
                requests: Arc::clone(&requests),
                last_good: Mutex::default(),
                cache: Mutex::default(),
                first_seen: Mutex::default(),
                names: Mutex::new(names),
            }),
            requests,
        }
    }

    /// After a write: the next view reads Graph again. Readings under way finish and answer the
    /// requests that were waiting for them, but are not kept.
    pub fn invalidate(&self) {
        let mut cache = lock(&self.inner.cache);
        cache.generation += 1;
        for slot in cache.slots.values_mut() {
            slot.mesh = None;
        }
    }

    /// The last good view of `tenant_id` read as `account`, with the time its data is from.
    pub fn last_good(&self, tenant_id: &str, account: &str) -> Option<(i64, TenantView)> {
        lock(&self.inner.last_good)
            .get(&format!("{tenant_id}:{account}"))
            .cloned()
    }

    fn key(sources: &[Source]) -> String {
        let mut parts: Vec<String> = sources
            .iter()
            .map(|s| format!("{}:{}", s.tenant_id, s.account))
            .collect();
        parts.sort();
        parts.join(",")
    }

    /// The mesh for these sign-ins.
    ///
    /// - A snapshot younger than [`MAX_AGE_SECS`] is served as it is.
    /// - One younger than [`STALE_SECS`] is served as it is too, and a reading started in the
    ///   background (unless one runs) so that the next request gets a fresh one.
    /// - Otherwise (none yet, too old, or a write since: [`invalidate`](Self::invalidate)), and
    ///   with `refresh`, the request waits for a reading: the one under way for these sign-ins
    ///   when it started after the last write, else a new one. Never more than one reading per
    ///   set of sign-ins at a time, however many requests ask.
    pub async fn snapshot(&self, sources: &[Source], now: i64, refresh: bool) -> Arc<Mesh> {
        let key = Self::key(sources);
        let (flight, mut done) = match self.plan(&key, sources, now, refresh) {
            Plan::Serve(mesh) => return mesh,
            Plan::Wait(flight, done) => (flight, done),
        };
        let finished = done
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|mesh| mesh.clone());
        match finished {
            Some(mesh) => mesh,
            None => {
                // The reading ended without a snapshot (its task was cancelled at shutdown):
                // forget it and read here.
                self.forget_flight(&key, flight);
                Arc::new(self.inner.read(sources, now).await)
            }
        }
    }

    fn forget_flight(&self, key: &str, flight: u64) {
        let mut cache = lock(&self.inner.cache);
        if let Some(slot) = cache.slots.get_mut(key) {
            if slot.flight.as_ref().is_some_and(|f| f.id == flight) {
                slot.flight = None;
            }
        }
    }

    /// Looks at the cache (under its lock, never across an await): serve a snapshot, or wait for
    /// a reading, started here when none runs that may be joined.
    fn plan(&self, key: &str, sources: &[Source], now: i64, refresh: bool) -> Plan {
        let mut cache = lock(&self.inner.cache);
        let generation = cache.generation;
        if !cache.slots.contains_key(key) && cache.slots.len() >= SNAPSHOT_CAPACITY {
            evict(&mut cache.slots, now);
        }
        let slot = cache.slots.entry(key.to_owned()).or_default();
        let current = slot
            .mesh
            .as_ref()
            .filter(|(read_in, _)| *read_in == generation)
            .map(|(_, mesh)| Arc::clone(mesh));
        let joinable = slot
            .flight
            .as_ref()
            .filter(|f| f.generation == generation)
            .map(|f| (f.id, f.done.clone()));
        if !refresh {
            if let Some(mesh) = current {
                let age = now - mesh.taken_at;
                if age < MAX_AGE_SECS {
                    return Plan::Serve(mesh);
                }
                if age < STALE_SECS {
                    if joinable.is_none() {
                        self.start(&mut cache, key, sources, now);
                    }
                    return Plan::Serve(mesh);
                }
            }
        }
        match joinable {
            Some((id, done)) => Plan::Wait(id, done),
            None => {
                let (id, done) = self.start(&mut cache, key, sources, now);
                Plan::Wait(id, done)
            }
        }
    }

    /// Starts a reading for `key` in its own task (it finishes even when the request that started
    /// it goes away) and records it as the key's flight.
    fn start(
        &self,
        cache: &mut Cache,
        key: &str,
        sources: &[Source],
        now: i64,
    ) -> (u64, watch::Receiver<Option<Arc<Mesh>>>) {
        cache.next_flight += 1;
        let (id, generation) = (cache.next_flight, cache.generation);
        let (sender, done) = watch::channel(None);
        cache.slots.entry(key.to_owned()).or_default().flight = Some(Flight {
            id,
            generation,
            done: done.clone(),
        });
        let inner = Arc::clone(&self.inner);
        let sources = sources.to_vec();
        let key = key.to_owned();
        tokio::spawn(async move {
            let mesh = Arc::new(inner.read(&sources, now).await);
            {
                let mut cache = lock(&inner.cache);
                let current = cache.generation;
                if let Some(slot) = cache.slots.get_mut(&key) {
                    if slot.flight.as_ref().is_some_and(|f| f.id == id) {
                        slot.flight = None;
                    }
                    // Kept only when no write came in between.
                    if generation == current {
                        slot.mesh = Some((generation, Arc::clone(&mesh)));
                    }
                }
            }
            sender.send_replace(Some(mesh));
        });
        (id, done)
    }
}

/// Makes room for one more slot: drops the slots with no reading under way and no snapshot worth
/// serving, and when that is not enough the one with the oldest snapshot.
fn evict(slots: &mut HashMap<String, Slot>, now: i64) {
    slots.retain(|_, slot| {
        slot.flight.is_some()
            || slot
                .mesh
                .as_ref()
                .is_some_and(|(_, mesh)| now - mesh.taken_at < STALE_SECS)
    });
    if slots.len() < SNAPSHOT_CAPACITY {
        return;
    }
    let oldest = slots
        .iter()
        .filter(|(_, slot)| slot.flight.is_none())
        .min_by_key(|(_, slot)| slot.mesh.as_ref().map_or(i64::MIN, |(_, m)| m.taken_at))
        .map(|(key, _)| key.clone());
    if let Some(oldest) = oldest {
        slots.remove(&oldest);
    }
}

impl Inner {
    /// Reads every source (a bounded number at a time) and builds the mesh.
    async fn read(&self, sources: &[Source], now: i64) -> Mesh {
        let readings: Vec<Reading> = stream::iter(sources.iter().cloned())
            .map(|source| self.reading(source, now))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let first_seen = self.observe_transitions(&readings, now);
        self.resolve_names(&readings, sources).await;
        let names = lock(&self.names).clone();
        model::build(&readings, &names, &first_seen, now)
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

/// For the tests of the services that read Graph: the demo scenario's emulator on a loopback port.
#[cfg(test)]
pub(crate) mod testing {
    use emulator::faults::{Fault, FaultRule};
    use emulator::scenario::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
    use emulator::{Clock, Emulator, EmulatorState, Scenario};
    use graph::client::{AccessToken, GraphClient};

    pub struct DemoGraph {
        pub base: String,
        pub http: reqwest::Client,
        pub emulator: EmulatorState,
    }

    impl DemoGraph {
        pub async fn start() -> Self {
            let emulator = Emulator::new(Scenario::demo(), Clock::real()).unwrap();
            let state = emulator.state().clone();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(emulator.serve(listener));
            Self {
                base,
                http: reqwest::Client::new(),
                emulator: state,
            }
        }

        pub fn client(&self) -> GraphClient {
            GraphClient::new(self.http.clone(), &self.base)
        }

        /// An app-only token for `tenant` (client credentials at Entra's token endpoint).
        pub async fn app_token(&self, tenant: &str) -> AccessToken {
            let answer: serde_json::Value = self
                .http
                .post(format!("{}/{tenant}/oauth2/v2.0/token", self.base))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", DEMO_CLIENT_ID),
                    ("client_secret", DEMO_CLIENT_SECRET),
                    ("scope", "https://graph.microsoft.com/.default"),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            AccessToken::new(answer["access_token"].as_str().unwrap().to_owned())
        }

        /// Every later request to the emulator answers after `millis`.
        pub fn slow(&self, millis: u64) {
            self.emulator.0.faults.0.lock().unwrap().push(FaultRule {
                path_prefix: "/".into(),
                tenant: None,
                fault: Fault::Latency { millis },
                times: None,
                ratio: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use emulator::scenario::{CONTOSO, FABRIKAM, WOODGROVE};
    use futures_util::future::join_all;

    use super::testing::DemoGraph;
    use super::*;

    /// A mesh service reading the demo's Contoso, Fabrikam and Woodgrove Bank app-only from an
    /// emulator; its request counter counts the Graph requests.
    struct World {
        service: Arc<MeshService>,
        sources: Vec<Source>,
        graph: DemoGraph,
    }

    async fn world() -> World {
        let graph = DemoGraph::start().await;
        let mut sources = Vec::new();
        for tenant in [CONTOSO, FABRIKAM, WOODGROVE] {
            sources.push(Source {
                tenant_id: tenant.to_owned(),
                account: "app".into(),
                token: Some(graph.app_token(tenant).await),
            });
        }
        World {
            service: Arc::new(MeshService::new(graph.client(), HashMap::new())),
            sources,
            graph,
        }
    }

    impl World {
        fn slow(&self, millis: u64) {
            self.graph.slow(millis);
        }

        async fn snapshot(&self, now: i64, refresh: bool) -> Arc<Mesh> {
            self.service.snapshot(&self.sources, now, refresh).await
        }

        /// The Graph requests of one reading (the first one also looks up partners' names).
        async fn one_reading(&self, now: i64) -> u64 {
            self.snapshot(now, true).await;
            let before = self.service.requests.total();
            self.snapshot(now, true).await;
            self.service.requests.total() - before
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifty_requests_after_the_snapshot_expired_share_one_reading() {
        let w = world().await;
        let one_reading = w.one_reading(1_000).await;
        assert!(one_reading > 0);
        w.slow(100);
        // Too old to be served while it is replaced: every request waits, for the same reading.
        let later = 1_000 + STALE_SECS;
        let before = w.service.requests.total();
        let meshes = join_all((0..50).map(|_| w.snapshot(later, false))).await;
        assert_eq!(w.service.requests.total() - before, one_reading);
        assert!(meshes
            .iter()
            .all(|mesh| Arc::ptr_eq(mesh, &meshes[0]) && mesh.taken_at == later));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stale_snapshot_is_served_at_once_while_one_reading_replaces_it() {
        let w = world().await;
        let one_reading = w.one_reading(1_000).await;
        let old = w.snapshot(1_000, false).await;
        w.slow(300);
        let stale = 1_000 + MAX_AGE_SECS;
        let before = w.service.requests.total();
        let started = std::time::Instant::now();
        let served = join_all((0..20).map(|_| w.snapshot(stale, false))).await;
        // The old snapshot itself: nobody waited for the reading it started.
        assert!(served.iter().all(|mesh| Arc::ptr_eq(mesh, &old)));
        assert!(started.elapsed() < Duration::from_millis(300));
        let mut fresh = old.clone();
        for _ in 0..200 {
            fresh = w.snapshot(stale, false).await;
            if fresh.taken_at == stale {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(fresh.taken_at, stale, "the background reading replaced it");
        assert_eq!(w.service.requests.total() - before, one_reading);
        // Fresh now: served as it is, nothing read.
        assert!(Arc::ptr_eq(&w.snapshot(stale + 1, false).await, &fresh));
        assert_eq!(w.service.requests.total() - before, one_reading);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refresh_reads_again_and_a_write_makes_the_next_view_read() {
        let w = world().await;
        let first = w.snapshot(1_000, false).await;
        assert!(Arc::ptr_eq(&w.snapshot(1_001, false).await, &first));
        let refreshed = w.snapshot(1_001, true).await;
        assert!(!Arc::ptr_eq(&refreshed, &first));
        assert!(Arc::ptr_eq(&w.snapshot(1_002, false).await, &refreshed));
        w.service.invalidate();
        let after_write = w.snapshot(1_002, false).await;
        assert!(!Arc::ptr_eq(&after_write, &refreshed), "read again");
        assert_eq!(after_write.taken_at, 1_002);
        // An older snapshot is not served stale after a write either.
        w.service.invalidate();
        let much_later = w.snapshot(1_002 + MAX_AGE_SECS, false).await;
        assert_eq!(much_later.taken_at, 1_002 + MAX_AGE_SECS);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reading_that_started_before_a_write_is_not_served_after_it() {
        let w = world().await;
        let one_reading = w.one_reading(1_000).await;
        w.slow(300);
        let before = w.service.requests.total();
        let early = tokio::spawn({
            let (service, sources) = (Arc::clone(&w.service), w.sources.clone());
            async move { service.snapshot(&sources, 1_000, true).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        w.service.invalidate();
        let after = w.snapshot(1_000, false).await;
        let early = early.await.unwrap();
        assert!(!Arc::ptr_eq(&early, &after));
        assert_eq!(w.service.requests.total() - before, 2 * one_reading);
        // The reading after the write is the one kept.
        assert!(Arc::ptr_eq(&w.snapshot(1_001, false).await, &after));
    }
}
