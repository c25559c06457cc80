//! Tenant Mesh's server: typed settings, the HTTP stack around the Leptos app, probes, start-up and
//! shutdown. `main.rs` only parses the command line and calls [`run`].

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod backend;
pub mod dashboard;
pub mod diagnose;
pub mod directory_audits;
pub mod drift;
pub mod error;
pub mod flash;
pub mod health;
pub mod joins;
pub mod lease;
pub mod mesh;
pub mod metrics;
pub mod middleware;
pub mod monitor;
mod refusals;
pub mod router;
pub mod secret;
pub mod settings;
pub mod state;
pub mod store;
pub mod sync;
pub mod telemetry;
pub mod timeline;
pub mod users;

use std::sync::Arc;

pub use backend::Backend;

/// In demo mode, the built-in emulator's signing key, kept in [`Settings::data_dir`] (beside a SQLite
/// database).
pub const DEMO_KEY_FILE: &str = "demo-emulator-key.pem";
pub use settings::{Mode, Settings};
pub use state::AppState;

/// Errors that stop the server from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration: {0}")]
    Settings(#[from] settings::SettingsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error(transparent)]
    State(#[from] state::StateError),
    #[error("cannot start the built-in emulator: {0}")]
    Emulator(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// `--migrate`: opens the configured database, brings its schema up to date, and answers what was
/// applied — for the database's owner role, before replicas that run with
/// `database_migrate = false` start.
pub async fn migrate(settings: &Settings) -> Result<Vec<store::SchemaMigration>, StartError> {
    let store = store::connect(&settings.database_url).await?;
    Ok(store.migrate().await?)
}

/// Binds the configured address and serves until SIGINT/SIGTERM, then drains in-flight requests.
pub async fn run(settings: Settings) -> Result<(), StartError> {
    let settings = Arc::new(settings);
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: settings.addr,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(StartError::Serve)?;
    let backend = match settings.mode {
        Mode::Entra => Backend::entra(&settings),
        Mode::Demo => {
            backend::start_emulator(&settings.demo_emulator_key_file(), settings.demo_scenario())
                .await
                .map_err(StartError::Emulator)?
        }
    };
    tracing::info!(login = %backend.login_base_url, graph = %backend.graph_base_url, "upstreams");
    let state = AppState::new(Settings::clone(&settings), backend).await?;
    state.sessions.spawn_purge();
    // The app-only monitor's runs (when enabled); they stop with the server.
    let monitor_runs = state.monitor.spawn();
    let monitor = Arc::clone(&state.monitor);
    let app = router::build(state);
    tracing::info!(mode = %settings.mode, "Tenant Mesh listening on http://{local_addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(StartError::Serve)?;
    if let Some(runs) = monitor_runs {
        runs.abort();
        monitor.release_lease().await;
    }
    tracing::info!("Tenant Mesh stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
