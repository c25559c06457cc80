use std::process::ExitCode;

use clap::Parser;
use tenant_mesh_server::settings::{Cli, Settings};

// Rendering a page allocates and frees many small strings; with glibc's allocator that was about a
// third of the server's time under load (scripts/bench-load.sh, README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Four workers even on a one- or two-core machine: Leptos 0.8 SSR has been reported to stall page
// resources with a single worker (upstream issue 4647).
#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("tenant-mesh: {err}");
            return ExitCode::from(2);
        }
    };
    tenant_mesh_server::telemetry::init(&settings);
    if cli.migrate {
        return match tenant_mesh_server::migrate(&settings).await {
            Ok(applied) if applied.is_empty() => {
                println!("tenant-mesh: the database schema is up to date; nothing to apply");
                ExitCode::SUCCESS
            }
            Ok(applied) => {
                for migration in &applied {
                    println!(
                        "tenant-mesh: applied migration {} ({})",
                        migration.version, migration.description
                    );
                }
                println!(
                    "tenant-mesh: the database schema is up to date ({} migration(s) applied)",
                    applied.len()
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("tenant-mesh: {err}");
                ExitCode::FAILURE
            }
        };
    }
    match tenant_mesh_server::run(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("tenant-mesh: {err}");
            ExitCode::FAILURE
        }
    }
}
