//! Two dashboard replicas on one PostgreSQL database and one emulator, as behind a load balancer
//! without stickiness: a session signed in on one is used on the other, writes from both land in
//! one audit log, and the app-only monitor runs on one replica at a time — when its holder dies,
//! the other takes the lease over once it runs out.

use std::time::{Duration, Instant};

use base64::Engine as _;
use emulator::scenario::CONTOSO;
use emulator::{Clock, Emulator, Scenario};
use serde_json::Value;
use tenant_mesh_server::backend::{serve_emulator, Backend};
use tenant_mesh_server::lease::{self, Lease};
use tenant_mesh_server::secret::Secret;
use tenant_mesh_server::store::{self, Store};
use tenant_mesh_server::{router, AppState, Settings};

use crate::common::{browser, call_at, fresh_postgres_database, postgres_url, sign_in_at};

const ADMIN: &str = "admin@contoso.onmicrosoft.com";
const LEASE: Duration = Duration::from_secs(2);

/// One replica: its address, its server and its monitor (aborting both is its death: it stops
/// renewing the lease without giving it up).
struct Replica {
    url: String,
    /// The name it holds the monitor lease under.
    name: String,
    server: tokio::task::JoinHandle<()>,
    monitor: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Replica {
    async fn start(database_url: &str, backend: &Backend, token_key: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut settings = Settings {
            addr,
            site_root: dir.path().to_owned(),
            database_url: database_url.to_owned(),
            token_key: Some(Secret::new(token_key.to_owned())),
            ..Settings::default()
        };
        settings.monitor.enabled = Some(true);
        settings.monitor.lease_secs = LEASE.as_secs();
        let state = AppState::new(settings, backend.clone()).await.unwrap();
        let name = state.monitor.replica_name().to_owned();
        let monitor = state.monitor.spawn();
        let app = router::build(state);
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}"),
            name,
            server,
            monitor,
            _dir: dir,
        }
    }

    fn kill(&self) {
        self.server.abort();
        if let Some(monitor) = &self.monitor {
            monitor.abort();
        }
    }
}

/// The monitor lease as the database has it.
async fn holder(store: &Store) -> Option<lease::Holder> {
    Lease::new(store.clone(), lease::MONITOR, "the test".to_owned(), LEASE)
        .current()
        .await
        .unwrap()
}

/// Waits (at most `limit`) until the lease is held, unexpired, by someone other than `not`.
async fn held_by_other_than(store: &Store, not: Option<&str>, limit: Duration) -> String {
    let started = Instant::now();
    loop {
        if let Some(held) = holder(store).await {
            if held.expires_at_ms > lease::now_ms() && Some(held.holder.as_str()) != not {
                return held.holder;
            }
        }
        assert!(
            started.elapsed() < limit,
            "nobody but {not:?} took the monitor lease within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn audit_entries(url: &str, client: &reqwest::Client) -> Vec<Value> {
    let (status, body) = call_at(url, client, "audit/entries", &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_sessions_and_the_audit_log_and_run_one_monitor_between_them() {
    if postgres_url().is_none() {
        return;
    }
    let database = fresh_postgres_database().await;
    let scenario = Scenario::demo();
    let emulator = Emulator::new(scenario.clone(), Clock::real())
        .unwrap()
        .with_controls();
    let backend = serve_emulator(emulator, &scenario).await.unwrap();
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let a = Replica::start(&database, &backend, &key).await;
    let b = Replica::start(&database, &backend, &key).await;
    let store = store::open(&database, false).await.unwrap();

    // Signed in on A, the same cookie is a session on B.
    let client = browser();
    sign_in_at(&a.url, &client, CONTOSO, ADMIN).await;
    let (status, body) = call_at(&b.url, &client, "session/signed-in", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(ADMIN), "B does not know A's sign-in: {body}");

    // A write on each replica; both read the one audit log with both.
    let (status, body) = call_at(
        &a.url,
        &client,
        "sync/templates/reset",
        &[("tenant", CONTOSO)],
    )
    .await;
    assert_eq!(status, 200, "reset on A: {body}");
    let (status, body) = call_at(
        &b.url,
        &client,
        "sync/templates/reset",
        &[("tenant", CONTOSO)],
    )
    .await;
    assert_eq!(status, 200, "reset on B: {body}");
    let on_a = audit_entries(&a.url, &client).await;
    let on_b = audit_entries(&b.url, &client).await;
    assert_eq!(on_a, on_b, "the replicas read different audit logs");
    assert!(on_a.len() >= 2, "{on_a:?}");
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        rows,
        2 * on_a.len() as i64,
        "every entry is an attempt row and an outcome row"
    );

    // One monitor: one replica holds the lease; killed, the other takes it over once it runs out.
    let first = held_by_other_than(&store, None, LEASE * 3).await;
    let renewed = holder(&store).await.unwrap().expires_at_ms;
    tokio::time::sleep(LEASE).await;
    let still = holder(&store).await.unwrap();
    assert_eq!(
        still.holder, first,
        "the lease changed hands while its holder lived"
    );
    assert!(
        still.expires_at_ms > renewed,
        "the holder does not renew its lease"
    );

    let (dead, survivor) = if first == a.name { (&a, &b) } else { (&b, &a) };
    assert_ne!(survivor.name, first);
    // The holder's first run; the other replica serves its reading (the board's overview) from
    // the database.
    let started = Instant::now();
    loop {
        let (status, body) = call_at(&survivor.url, &client, "status/board", &[]).await;
        assert_eq!(status, 200, "{body}");
        let board: Value = serde_json::from_str(&body).unwrap();
        if !board["last_run"].is_null() && !board["overview"].is_null() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the replica without the lease never showed the monitor's run: {board}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    dead.kill();
    let killed_at = Instant::now();
    let second = held_by_other_than(&store, Some(&first), LEASE * 3).await;
    let took = killed_at.elapsed();
    assert_ne!(second, first);
    // The lease ran out at most one period after the holder's last renewal, and the survivor
    // checks a third of a period at a time.
    assert!(
        took <= LEASE + LEASE / 3 + Duration::from_millis(500),
        "the takeover took {took:?}"
    );
    // The survivor still serves the session.
    let (status, body) = call_at(&survivor.url, &client, "session/signed-in", &[]).await;
    assert_eq!(status, 200, "{body}");
    survivor.kill();
}

/// A TCP relay to the database that can be cut (every open connection dropped, new ones refused)
/// and mended, standing for a database that goes away and comes back.
struct Relay {
    addr: std::net::SocketAddr,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    cut: tokio::sync::watch::Sender<u64>,
}

impl Relay {
    async fn to(target: std::net::SocketAddr) -> Self {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (cut, cuts) = tokio::sync::watch::channel(0u64);
        let open = std::sync::Arc::clone(&up);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !open.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let mut cuts = cuts.clone();
                // Only cuts from now on end this connection.
                cuts.borrow_and_update();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        Self { addr, up, cut }
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    fn mend(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_degrades_pages_with_a_clear_message_and_they_recover_without_a_restart() {
    if postgres_url().is_none() {
        return;
    }
    let database = fresh_postgres_database().await;
    let mut url = url::Url::parse(&database).unwrap();
    let target = tokio::net::lookup_host((
        url.host_str().unwrap().to_owned(),
        url.port().unwrap_or(5432),
    ))
    .await
    .unwrap()
    .next()
    .unwrap();
    let relay = Relay::to(target).await;
    url.set_port(Some(relay.addr.port())).unwrap();
    let scenario = Scenario::demo();
    let emulator = Emulator::new(scenario.clone(), Clock::real())
        .unwrap()
        .with_controls();
    let backend = serve_emulator(emulator, &scenario).await.unwrap();
    let key = base64::engine::general_purpose::STANDARD.encode([3u8; 32]);
    let replica = Replica::start(url.as_str(), &backend, &key).await;
    let client = browser();
    sign_in_at(&replica.url, &client, CONTOSO, ADMIN).await;
    let page = |path: &'static str| {
        let client = client.clone();
        let base = replica.url.clone();
        async move {
            let response = client.get(format!("{base}{path}")).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (_, before) = page("/audit").await;
    assert!(!before.contains("cannot reach its database"), "{before}");

    relay.cut();
    let (status, during) = page("/audit").await;
    assert!(
        during.contains("Tenant Mesh cannot reach its database right now"),
        "{status}: {during}"
    );
    let (status, body) = call_at(&replica.url, &client, "audit/entries", &[]).await;
    assert_eq!(status, 503, "{body}");
    let ready = reqwest::get(format!("{}/readyz", replica.url))
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let checks: Value = ready.json().await.unwrap();
    assert_eq!(database_check(&checks)["ok"], false, "{checks}");
    assert!(!checks.to_string().contains("postgres://"), "{checks}");

    // Back: the same process serves the same session again.
    relay.mend();
    let started = Instant::now();
    loop {
        let (status, body) = call_at(&replica.url, &client, "audit/entries", &[]).await;
        if status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no recovery: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (_, after) = page("/audit").await;
    assert!(!after.contains("cannot reach its database"), "{after}");
    let ready: Value = reqwest::get(format!("{}/readyz", replica.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // (The test's site folder has no built bundle: only the database check is this test's.)
    assert_eq!(database_check(&ready)["ok"], true, "{ready}");
    replica.kill();
}

/// The `database` check of a `/readyz` answer.
fn database_check(ready: &Value) -> &Value {
    crate::common::find_by(&ready["checks"], "name", "database")
}
