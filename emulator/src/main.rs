//! The emulator as its own process: `emulator --addr 127.0.0.1:4000 --scenario demo`, and with
//! `--https-addr 127.0.0.1:4443` the same emulator over HTTPS too (its CA written to
//! `--ca-cert-out`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use emulator::scenario::Timing;
use emulator::tls::TlsIdentity;
use emulator::{Clock, Emulator, Scenario};

#[derive(Parser)]
#[command(about = "Emulator of Microsoft Graph and Entra sign-in for multitenant organizations")]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4000")]
    addr: std::net::SocketAddr,
    /// Scenario to load: `demo`, `scale:N:M` (N tenants in one MTO, M users in the first, a ring of
    /// sync jobs with Tenant 042 → 043 quarantined and 010 → 011 paused), or the path of a scenario
    /// file (`.toml`; see emulator/README.md).
    #[arg(long, default_value = "demo")]
    scenario: String,
    /// How long MTO add, join, role change and removal transitions take: `fast` (5 s + 15 s, the
    /// default) or `realistic` (2 + 3 minutes). Overrides a scenario file's `timing`.
    #[arg(long, value_parser = ["fast", "realistic"])]
    timing: Option<String>,
    /// Also serve HTTPS on this address (e.g. 127.0.0.1:4443), with a certificate for 127.0.0.1,
    /// localhost and ::1 signed by a CA made at start.
    #[arg(long)]
    https_addr: Option<SocketAddr>,
    /// Where the CA certificate (PEM) is written when HTTPS is served: clients add it as a
    /// trusted root.
    #[arg(long, default_value = "emulator-ca.pem")]
    ca_cert_out: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let cli = Cli::parse();
    let mut scenario = if cli.scenario.ends_with(".toml") || Path::new(&cli.scenario).is_file() {
        match emulator::scenario_file::load(Path::new(&cli.scenario)) {
            Ok(scenario) => scenario,
            Err(err) => {
                eprintln!("emulator: {err}");
                return ExitCode::from(2);
            }
        }
    } else if let Some(scenario) = Scenario::named(&cli.scenario) {
        scenario
    } else {
        eprintln!(
            "emulator: unknown scenario {:?} (available: demo, scale:N:M, or a .toml scenario file)",
            cli.scenario
        );
        return ExitCode::from(2);
    };
    if let Some(timing) = cli.timing.as_deref().and_then(Timing::parse) {
        scenario.timing = timing;
    }
    let emulator = match Emulator::new(scenario, Clock::real()) {
        Ok(emulator) => emulator.with_controls(),
        Err(err) => {
            eprintln!("emulator: {err}");
            return ExitCode::FAILURE;
        }
    };
    let Some(listener) = bind(cli.addr).await else {
        return ExitCode::FAILURE;
    };
    tracing::info!("emulator listening on http://{}", cli.addr);
    let served = match cli.https_addr {
        None => emulator.serve(listener).await,
        Some(https_addr) => {
            let Some(https) = https_listener(https_addr, &cli.ca_cert_out).await else {
                return ExitCode::FAILURE;
            };
            let (https_listener, config) = https;
            let router = emulator.router();
            tokio::select! {
                served = axum::serve(listener, router.clone()) => served,
                served = emulator::tls::serve(https_listener, router, config) => served,
            }
        }
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("emulator: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn bind(addr: SocketAddr) -> Option<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => Some(listener),
        Err(err) => {
            eprintln!("emulator: cannot listen on {addr}: {err}");
            None
        }
    }
}

/// The HTTPS listener and its TLS configuration, the CA certificate written to `ca_out`.
async fn https_listener(
    addr: SocketAddr,
    ca_out: &Path,
) -> Option<(
    tokio::net::TcpListener,
    std::sync::Arc<rustls::ServerConfig>,
)> {
    let identity = TlsIdentity::generate();
    let config = identity.and_then(|identity| Ok((identity.server_config()?, identity)));
    let (config, identity) = match config {
        Ok(made) => made,
        Err(err) => {
            eprintln!("emulator: {err}");
            return None;
        }
    };
    if let Err(err) = std::fs::write(ca_out, &identity.ca_cert_pem) {
        eprintln!("emulator: cannot write {}: {err}", ca_out.display());
        return None;
    }
    let listener = bind(addr).await?;
    tracing::info!(
        "emulator listening on https://{addr} (CA certificate in {})",
        ca_out.display()
    );
    Some((listener, config))
}
