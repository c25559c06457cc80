//! The dashboard's own database (SQLite): sessions, the audit log and join decisions, its schema
//! brought up to date by the migrations in `server/migrations/sqlite` when it is opened.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder for the database {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("cannot bring the database {path} up to date: {source}")]
    Schema {
        path: String,
        source: sqlx::migrate::MigrateError,
    },
}

/// Opens (creating when missing) the SQLite database at `path`.
pub async fn open(path: &Path) -> Result<SqlitePool, StoreError> {
    let shown = path.display().to_string();
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|source| StoreError::Folder {
            path: shown.clone(),
            source,
        })?;
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{shown}"))
        .map_err(|source| StoreError::Open {
            path: shown.clone(),
            source,
        })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open {
            path: shown.clone(),
            source,
        })?;
    // The dashboard's own tables (audit log, join decisions), in `server/migrations/sqlite`.
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .map_err(|source| StoreError::Schema {
            path: shown,
            source,
        })?;
    Ok(pool)
}
