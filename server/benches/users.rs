//! Benchmark: segmenting one tenant with 100,000 users (the emulator's `scale:1:100000` scenario).
//! The emulator runs in a child process (this same binary, started again) so that the peak RSS
//! printed is the dashboard side's alone: the users service, its Graph client and the segmented
//! table it keeps. Prints time to segment, Graph requests made and peak RSS.
//! Run: `cargo bench -p server --bench users`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::app_token;
use emulator::{Clock, Emulator, Scenario};
use graph::client::{AccessToken, GraphClient};
use tenant_mesh_server::users::{Job, Progress, UsersService};

const USERS: usize = 100_000;
const CHILD: &str = "TENANTMESH_USERS_BENCH_EMULATOR";
const TARGET_SECS: f64 = 2.0;
const TARGET_MB: f64 = 150.0;

/// `VmHWM` (peak) and `VmRSS` (now) of this process, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The child: serves the emulator until its standard input closes (the parent ended).
fn serve_emulator() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let scenario = Scenario::scale(1, USERS);
        let emulator = Emulator::new(scenario, Clock::real()).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("http://{}", listener.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        tokio::spawn(emulator.serve(listener));
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .unwrap();
    });
}

fn main() {
    if std::env::var_os(CHILD).is_some() {
        serve_emulator();
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_owned();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let tenant = Scenario::scale(1, 0).tenants[0].id.clone();
        let http = reqwest::Client::new();
        let token = AccessToken::new(app_token(&http, &base, &tenant).await);
        let service = UsersService::new(GraphClient::new(http.clone(), &base));
        let job = Job {
            tenant_id: tenant.clone(),
            tenant_name: "Tenant 001".into(),
            token,
            sources: Vec::new(),
            names: HashMap::new(),
        };
        let (before, _) = memory();
        println!("segmenting one tenant with {USERS} users (emulator in a separate process)");
        println!("peak RSS before reading: {before:.1} MiB");
        for run in 1..=2 {
            let progress = Progress::default();
            let started = Instant::now();
            let segmentation = service.reader().segment(&job, 0, &progress).await.unwrap();
            let seconds = started.elapsed().as_secs_f64();
            let (peak, now) = memory();
            println!(
                "run {run}: {seconds:.2} s to segment {} users, {} Graph requests, peak RSS {peak:.1} MiB (now {now:.1} MiB, table kept)",
                segmentation.rows.len(),
                segmentation.graph_requests,
            );
            println!(
                "        segments {:?}; targets: at most {TARGET_SECS} s and {TARGET_MB} MB: {}",
                segmentation.counts,
                if seconds <= TARGET_SECS && peak <= TARGET_MB { "met" } else { "MISSED" }
            );
            drop(segmentation);
        }
    });
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
}
