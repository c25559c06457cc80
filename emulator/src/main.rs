//! The emulator as its own process: `emulator --addr 127.0.0.1:4000 --scenario demo`.

use std::process::ExitCode;

use clap::Parser;
use emulator::{Clock, Emulator, Scenario};

#[derive(Parser)]
#[command(about = "Emulator of Microsoft Graph and Entra sign-in for multitenant organizations")]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4000")]
    addr: std::net::SocketAddr,
    /// Scenario to load: `demo`, or `scale:N:M` (N tenants in one MTO, M users in the first).
    #[arg(long, default_value = "demo")]
    scenario: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let cli = Cli::parse();
    let Some(scenario) = Scenario::named(&cli.scenario) else {
        eprintln!(
            "emulator: unknown scenario {:?} (available: demo, scale:N:M)",
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
