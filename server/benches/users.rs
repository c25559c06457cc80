//! Benchmark: segmenting one tenant with 100,000 users (the emulator's `scale:1:100000` scenario).
//! The emulator runs in a child process (this same binary, started again) so that the peak RSS
//! printed is the dashboard side's alone: the users service, its Graph client and the segmented
//! table it keeps. Prints time to segment, Graph requests made and peak RSS: for the scenario as
//! it is (internal members only), then with one user in ten made an external member or guest homed
//! in one of 99 other tenants of the MTO (found by mail domain: 99 lookups, then cached).
//! Run: `cargo bench -p server --bench users`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use common::app_token;
use emulator::users_state::external_upn;
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

/// Makes every tenth user of the first tenant an external member or guest from one of the others.
fn mix_in_external_users(world: &mut emulator::World) {
    let scenario = world.scenario.clone();
    let Some((first, others)) = scenario.tenants.split_first() else {
        return;
    };
    let users = world.users.get_mut(&first.id).unwrap();
    for (i, user) in users.iter_mut().enumerate().filter(|(i, _)| i % 10 == 5) {
        let home = &others[(i / 10) % others.len()];
        let alias = user
            .user_principal_name
            .split('@')
            .next()
            .unwrap()
            .to_owned();
        let mail = format!("{alias}@{}", home.domains[1]);
        user.user_principal_name = external_upn(&mail, first.default_domain());
        user.mail = Some(mail);
        user.creation_type = Some("Invitation");
        user.user_type = if i % 20 == 5 { "Guest" } else { "Member" };
    }
}

/// The child: serves the emulator until its standard input closes (the parent ended).
fn serve_emulator(mixed: bool) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let scenario = Scenario::scale(if mixed { 100 } else { 1 }, USERS);
        let emulator = Emulator::new(scenario, Clock::real()).unwrap();
        if mixed {
            mix_in_external_users(&mut emulator.state().world());
        }
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

/// Starts the emulator child; returns it and its base URL.
fn start_emulator(mixed: bool) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, if mixed { "mixed" } else { "plain" })
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

/// Two readings of the first tenant (the second with the domain cache warm).
async fn measure(label: &str, base: &str, tenant: &str) {
    let http = reqwest::Client::new();
    let token = AccessToken::new(app_token(&http, base, tenant).await);
    let service = UsersService::new(GraphClient::new(http.clone(), base));
    let job = Job {
        tenant_id: tenant.to_owned(),
        tenant_name: "Tenant 001".into(),
        token,
        sources: Vec::new(),
        names: HashMap::new(),
    };
    println!("{label}:");
    for run in 1..=2 {
        let progress = Progress::default();
        let started = Instant::now();
        let segmentation = service.reader().segment(&job, 0, &progress).await.unwrap();
        let seconds = started.elapsed().as_secs_f64();
        let (peak, now) = memory();
        println!(
            "  run {run}: {seconds:.2} s to segment {} users, {} Graph requests, peak RSS {peak:.1} MiB (now {now:.1} MiB, table kept)",
            segmentation.rows.len(),
            segmentation.graph_requests,
        );
        println!(
            "         segments {:?}, methods {:?}; targets {TARGET_SECS} s and {TARGET_MB} MB: {}",
            segmentation.counts,
            segmentation.methods,
            if seconds <= TARGET_SECS && peak <= TARGET_MB {
                "met"
            } else {
                "MISSED"
            }
        );
    }
}

fn main() {
    if let Some(mode) = std::env::var_os(CHILD) {
        serve_emulator(mode == "mixed");
        return;
    }
    let tenant = Scenario::scale(1, 0).tenants[0].id.clone();
    println!("segmenting one tenant with {USERS} users (emulator in a separate process)");
    println!("peak RSS before reading: {:.1} MiB", memory().0);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for mixed in [false, true] {
        let (mut child, base) = start_emulator(mixed);
        let label = if mixed {
            "scale:100:100000, one user in ten external (homes in 99 other MTO tenants)"
        } else {
            "scale:1:100000 (internal members)"
        };
        runtime.block_on(measure(label, &base, &tenant));
        drop(child.stdin.take());
        let _ = child.kill();
        let _ = child.wait();
    }
}
