//! The emulator as its own process: `emulator --addr 127.0.0.1:4000 --scenario demo`.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use emulator::{Clock, Emulator, Scenario};

#[derive(Parser)]
#[command(about = "Emulator of Microsoft Graph and Entra sign-in for multitenant organizations")]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4000")]
    addr: std::net::SocketAddr,
    /// Scenario to load: `demo`, `scale:N:M` (N tenants in one MTO, M users in the first), or the
    /// path of a scenario file (`.toml`; see emulator/README.md).
    #[arg(long, default_value = "demo")]
    scenario: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let cli = Cli::parse();
    let scenario = if cli.scenario.ends_with(".toml") || Path::new(&cli.scenario).is_file() {
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
    let emulator = match Emulator::new(scenario, Clock::real()) {
        Ok(emulator) => emulator.with_controls(),
        Err(err) => {
            eprintln!("emulator: {err}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(cli.addr).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("emulator: cannot listen on {}: {err}", cli.addr);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("emulator listening on http://{}", cli.addr);
    match emulator.serve(listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("emulator: {err}");
            ExitCode::FAILURE
        }
    }
}
