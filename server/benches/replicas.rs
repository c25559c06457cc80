//! Pages under load on one and on two dashboard replicas sharing one PostgreSQL database: a
//! session signed in to three tenants, 64 connections spread over the replicas (round robin, no
//! stickiness), `/`, `/sync` and `/users?tenant=…` in turn for a bounded time; prints latency
//! percentiles, requests per second and errors per page.
//!
//! Needs a PostgreSQL server: `TENANTMESH_TEST_POSTGRES_URL` (a superuser on a throwaway cluster;
//! `scripts/bench-replicas.sh` starts one and runs this). Loopback only; at most `SECONDS` seconds
//! and `MAX_REQUESTS` requests per configuration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use emulator::scenario::{CONTOSO, FABRIKAM, WOODGROVE};
use emulator::{Clock, Emulator, Scenario};
use sqlx::Connection as _;
use tenant_mesh_server::backend::{serve_emulator, Backend};
use tenant_mesh_server::secret::Secret;
use tenant_mesh_server::{router, AppState, Settings};

const CONNECTIONS: usize = 64;
const SECONDS: u64 = 15;
const MAX_REQUESTS: usize = 200_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench());
}

async fn bench() {
    let Ok(server) = std::env::var("TENANTMESH_TEST_POSTGRES_URL") else {
        eprintln!(
            "TENANTMESH_TEST_POSTGRES_URL is not set: run scripts/bench-replicas.sh, which starts a \
             throwaway PostgreSQL"
        );
        std::process::exit(2);
    };
    let scenario = Scenario::demo();
    let emulator = Emulator::new(scenario.clone(), Clock::real()).unwrap();
    let backend = serve_emulator(emulator, &scenario).await.unwrap();
    let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    println!(
        "{CONNECTIONS} connections, {SECONDS} s per configuration, a session signed in to 3 tenants"
    );
    for replicas in [1, 2] {
        let database = fresh_database(&server).await;
        let mut urls = Vec::new();
        for _ in 0..replicas {
            urls.push(start_replica(&database, &backend, &key).await);
        }
        let cookie = signed_in_cookie(&urls[0]).await;
        let pages = [
            "/".to_owned(),
            "/sync".to_owned(),
            format!("/users?tenant={CONTOSO}"),
        ];
        // Warm: each replica reads Graph once for the session's snapshot.
        for url in &urls {
            for page in &pages {
                get(&reqwest::Client::new(), &format!("{url}{page}"), &cookie).await;
            }
        }
        let results = load(&urls, &pages, &cookie).await;
        println!("\n{replicas} replica(s):");
        for (page, result) in pages.iter().zip(results) {
            result.print(page);
        }
        println!(
            "  RSS of the process (replicas, emulator and load together): {} MiB",
            rss_mib()
        );
    }
}

/// Per page: each request's latency, and the failures.
#[derive(Default)]
struct PageResult {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl PageResult {
    fn print(&self, page: &str) {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let at = |q: f64| {
            sorted
                .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "  {page:<40} p50 {:>7.1} ms  p99 {:>7.1} ms  {:>7.0} req/s  {} requests, {} errors",
            at(0.50).as_secs_f64() * 1000.0,
            at(0.99).as_secs_f64() * 1000.0,
            sorted.len() as f64 / self.elapsed.as_secs_f64(),
            sorted.len(),
            self.errors
        );
    }
}

async fn load(urls: &[String], pages: &[String], cookie: &str) -> Vec<PageResult> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(SECONDS);
    let budget = Arc::new(std::sync::atomic::AtomicUsize::new(MAX_REQUESTS));
    let mut workers = Vec::new();
    for worker in 0..CONNECTIONS {
        let client = client.clone();
        let urls = urls.to_vec();
        let pages = pages.to_vec();
        let cookie = cookie.to_owned();
        let budget = Arc::clone(&budget);
        workers.push(tokio::spawn(async move {
            let mut results: Vec<PageResult> =
                pages.iter().map(|_| PageResult::default()).collect();
            let mut n = worker;
            while Instant::now() < deadline
                && budget
                    .fetch_update(
                        std::sync::atomic::Ordering::Relaxed,
                        std::sync::atomic::Ordering::Relaxed,
                        |left| left.checked_sub(1),
                    )
                    .is_ok()
            {
                let page = n % pages.len();
                let url = &urls[n % urls.len()];
                n += 1;
                let sent = Instant::now();
                let ok = get(&client, &format!("{url}{}", pages[page]), &cookie).await;
                let result = &mut results[page];
                if ok {
                    result.latencies.push(sent.elapsed());
                } else {
                    result.errors += 1;
                }
            }
            results
        }));
    }
    let mut total: Vec<PageResult> = pages.iter().map(|_| PageResult::default()).collect();
    for worker in workers {
        for (sum, part) in total.iter_mut().zip(worker.await.unwrap()) {
            sum.latencies.extend(part.latencies);
            sum.errors += part.errors;
        }
    }
    let elapsed = started.elapsed();
    for result in &mut total {
        result.elapsed = elapsed;
    }
    total
}

/// GETs `url` with the session cookie; `true` on a 200 whose page is not an error page.
async fn get(client: &reqwest::Client, url: &str, cookie: &str) -> bool {
    match client.get(url).header("cookie", cookie).send().await {
        Ok(response) if response.status() == 200 => response.bytes().await.is_ok(),
        _ => false,
    }
}

async fn fresh_database(server: &str) -> String {
    let name = format!("tm_bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(server).await.unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(server).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

async fn start_replica(database: &str, backend: &Backend, key: &str) -> String {
    let dir = tempfile::tempdir().unwrap().keep();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings {
        addr,
        site_root: dir,
        database_url: database.to_owned(),
        token_key: Some(Secret::new(key.to_owned())),
        ..Settings::default()
    };
    settings.monitor.enabled = Some(false);
    let state = AppState::new(settings, backend.clone()).await.unwrap();
    let app = router::build(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Signs in to Contoso, Fabrikam and Woodgrove Bank as their admins on `dashboard` the way a
/// browser does; answers the session cookie.
async fn signed_in_cookie(dashboard: &str) -> String {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::clone(&jar))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (tenant, upn) in [
        (CONTOSO, "admin@contoso.onmicrosoft.com"),
        (FABRIKAM, "admin@fabrikam.onmicrosoft.com"),
        (WOODGROVE, "admin@woodgrovebank.onmicrosoft.com"),
    ] {
        let location = |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_owned();
        let login = client
            .get(format!("{dashboard}/auth/login"))
            .query(&[("tenant", tenant), ("login_hint", upn), ("next", "/")])
            .send()
            .await
            .unwrap();
        let authorize = client
            .get(format!("{}&prompt=none", location(&login)))
            .send()
            .await
            .unwrap();
        let done = client.get(location(&authorize)).send().await.unwrap();
        assert!(done.status().is_redirection(), "{}", done.status());
    }
    use reqwest::cookie::CookieStore as _;
    let url = url::Url::parse(dashboard).unwrap();
    jar.cookies(&url)
        .and_then(|value| value.to_str().ok().map(str::to_owned))
        .expect("a session cookie")
}

/// The resident set of this process, in MiB (Linux; 0 elsewhere).
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
