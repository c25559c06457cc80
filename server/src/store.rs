//! The dashboard's own database — sessions, the audit log, join decisions, the monitor's history,
//! alert deliveries, leases — on SQLite or PostgreSQL, chosen by the URL (`database_url`).
//!
//! One set of queries serves both through sqlx's `Any` driver (sqlx docs, `sqlx::any`): `$1, $2, …`
//! placeholders (SQLite takes `$NNN` as well: <https://www.sqlite.org/lang_expr.html#parameters>),
//! `RETURNING`, `ON CONFLICT … DO …` (both: SQLite 3.24/3.35, PostgreSQL 9.5/8.2), and integers as
//! `i64` (PostgreSQL columns are BIGINT). Each backend has its own migrations with the same end
//! state: `server/migrations/sqlite` and `server/migrations/postgres`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection as _, Executor as _};

/// The SQLite schema, embedded at build time.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
/// The PostgreSQL schema, embedded at build time.
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a request waits for a PostgreSQL connection before failing (a lost database fails
/// fast instead of holding requests).
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the first connection to PostgreSQL may take at start.
const POSTGRES_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections to PostgreSQL per process, at most.
const POSTGRES_MAX_CONNECTIONS: u32 = 10;
/// Connections to the SQLite file, at most (one writer at a time in any case).
const SQLITE_MAX_CONNECTIONS: u32 = 8;
/// How long SQLite waits for a lock held by another connection (`PRAGMA busy_timeout`).
const SQLITE_BUSY_TIMEOUT_MS: u64 = 5_000;
/// How long [`Store::ping`] may take.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreBackend {
    /// `sqlite:` (a file, created when missing).
    Sqlite,
    /// `postgres:` or `postgresql:`.
    Postgres,
}

impl StoreBackend {
    /// The backend of `url` by its scheme, `None` for any other.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for StoreBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every error names the database by its URL with the password replaced ([`redact_url`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL {url} is neither sqlite: nor postgres:")]
    UnknownScheme { url: String },
    #[error("cannot create the folder for the database {url}: {source}")]
    Folder { url: String, source: std::io::Error },
    #[error("cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot bring the database {url} up to date: {source}")]
    Schema {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error(
        "cannot read which migrations the database {url} has ({source}); with \
         database_migrate = false the schema must have been brought up to date first \
         (`tenant-mesh --migrate` as the database's owner)"
    )]
    SchemaUnknown { url: String, source: sqlx::Error },
    #[error(
        "the database {url} lacks the migrations {missing:?}: bring it up to date first \
         (`tenant-mesh --migrate` as the database's owner), or set database_migrate = true"
    )]
    SchemaBehind { url: String, missing: Vec<i64> },
    #[error("the database {url} does not answer: {source}")]
    Unavailable { url: String, source: sqlx::Error },
    #[error("the database {url} did not answer within {after:?}")]
    Timeout { url: String, after: Duration },
}

/// A migration of the schema: one this build knows ([`migrations`]), or one [`Store::migrate`]
/// applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaMigration {
    pub version: i64,
    pub description: String,
}

fn migrator_of(backend: StoreBackend) -> &'static Migrator {
    match backend {
        StoreBackend::Sqlite => &SQLITE_MIGRATIONS,
        StoreBackend::Postgres => &POSTGRES_MIGRATIONS,
    }
}

/// The migrations this build knows for `backend`, in order.
pub fn migrations(backend: StoreBackend) -> Vec<SchemaMigration> {
    migrator_of(backend)
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| SchemaMigration {
            version: m.version,
            description: m.description.to_string(),
        })
        .collect()
}

/// The dashboard's database: a connection pool and which backend it is. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: StoreBackend,
    /// The URL without its password, for errors.
    shown: std::sync::Arc<str>,
}

/// `url` with its password replaced by `***` (in the user info, and a `password=` query
/// parameter), to be shown in errors and logs: `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let mut changed = false;
            if parsed.password().is_some() {
                changed |= parsed.set_password(Some("***")).is_ok();
            }
            if parsed
                .query_pairs()
                .any(|(key, _)| key.eq_ignore_ascii_case("password"))
            {
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(key, value)| {
                        let value = if key.eq_ignore_ascii_case("password") {
                            "***".to_owned()
                        } else {
                            value.into_owned()
                        };
                        (key.into_owned(), value)
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(pairs);
                changed = true;
            }
            if changed {
                parsed.to_string()
            } else {
                url.to_owned()
            }
        }
        // Not a URL the parser takes (e.g. a bad port): whatever follows the first `:` of the user
        // info, up to the last `@`, is hidden; nothing of it is shown when in doubt.
        Err(_) => {
            let Some((scheme, rest)) = url.split_once("://") else {
                return url.to_owned();
            };
            match rest.rfind('@') {
                Some(at) => match rest[..at].split_once(':') {
                    Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
                    None => url.to_owned(),
                },
                None => url.to_owned(),
            }
        }
    }
}

/// The file a `sqlite:` URL names (`sqlite://path`, `sqlite:path`, `sqlite:///absolute`, with
/// `%`-escapes and `?options`), as sqlx reads it; `None` for an in-memory database or another
/// scheme.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if StoreBackend::of_url(url) != Some(StoreBackend::Sqlite) {
        return None;
    }
    // sqlx parses the URL first (`AnyConnectOptions`), then reads the file from its text
    // (`SqliteConnectOptions::from_str`): the same here.
    let normalised = url::Url::parse(url).map_or_else(|_| url.to_owned(), |u| u.to_string());
    let rest = &normalised["sqlite:".len()..];
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (database, options) = match rest.split_once('?') {
        Some((database, options)) => (database, Some(options)),
        None => (rest, None),
    };
    let in_memory = database.is_empty()
        || database == ":memory:"
        || options.is_some_and(|options| {
            url::form_urlencoded::parse(options.as_bytes())
                .any(|(key, value)| key == "mode" && value == "memory")
        });
    if in_memory {
        return None;
    }
    let decoded = percent_decode(database)?;
    Some(PathBuf::from(decoded))
}

/// The URL of the SQLite database file `file`: `sqlite:///absolute/path` or `sqlite:relative/path`,
/// with the characters a URL would read otherwise (`%`, `?`, `#`, blanks) escaped.
pub fn sqlite_url(file: &std::path::Path) -> String {
    let text = file.to_string_lossy();
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => escaped.push_str("%25"),
            '?' => escaped.push_str("%3F"),
            '#' => escaped.push_str("%23"),
            ' ' => escaped.push_str("%20"),
            other => escaped.push(other),
        }
    }
    if file.is_absolute() {
        format!("sqlite://{escaped}")
    } else {
        format!("sqlite:{escaped}")
    }
}

/// `%XX` escapes decoded (as sqlx decodes a SQLite URL's path); `None` when not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&high), Some(&low)) if hex(high).is_some() && hex(low).is_some() => {
                let value = hex(high).unwrap_or(0) * 16 + hex(low).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(0));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Opens the database at `url` (`sqlite:` or `postgres:`), and brings its schema up to date
/// (`migrate`) or checks that it is (not `migrate`: a restricted role may not change it).
///
/// SQLite: the folder and the file are created when missing; the file is switched to WAL
/// (<https://www.sqlite.org/wal.html>), and every connection waits up to 5 s for a lock and
/// enforces foreign keys (<https://www.sqlite.org/pragma.html>). PostgreSQL: a bounded pool whose
/// requests wait at most a few seconds for a connection (sqlx `PoolOptions::acquire_timeout`).
pub async fn open(url: &str, migrate: bool) -> Result<Store, StoreError> {
    let store = connect(url).await?;
    if migrate {
        store.migrate().await?;
    } else {
        store.check_schema().await?;
    }
    Ok(store)
}

/// Opens the database at `url` as [`open`] does, leaving its schema as it is.
pub async fn connect(url: &str) -> Result<Store, StoreError> {
    sqlx::any::install_default_drivers();
    let shown = redact_url(url);
    let backend = StoreBackend::of_url(url)
        .ok_or_else(|| StoreError::UnknownScheme { url: shown.clone() })?;
    let open_error = |source| StoreError::Open {
        url: shown.clone(),
        source,
    };
    let pool = match backend {
        StoreBackend::Sqlite => {
            let url = sqlite_connect_url(url, &shown)?;
            let options = AnyConnectOptions::from_str(&url).map_err(open_error)?;
            // WAL is kept in the file; switching to it takes a lock that cannot be waited for, so
            // it is done once, here, before the pool opens other connections.
            let mut first = sqlx::AnyConnection::connect_with(&options)
                .await
                .map_err(open_error)?;
            first
                .execute("PRAGMA journal_mode = WAL")
                .await
                .map_err(open_error)?;
            first.close().await.map_err(open_error)?;
            AnyPoolOptions::new()
                .max_connections(SQLITE_MAX_CONNECTIONS)
                .after_connect(|connection, _| {
                    Box::pin(async move {
                        connection
                            .execute(
                                format!(
                                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                                     PRAGMA foreign_keys = ON;"
                                )
                                .as_str(),
                            )
                            .await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await
                .map_err(open_error)?
        }
        StoreBackend::Postgres => {
            let options = AnyConnectOptions::from_str(url).map_err(open_error)?;
            // One connection first, so that a database that cannot be reached at start is reported
            // with its cause (refused, unknown host, authentication) rather than as the pool's
            // timeout.
            let first = tokio::time::timeout(
                POSTGRES_CONNECT_TIMEOUT,
                sqlx::AnyConnection::connect_with(&options),
            )
            .await
            .map_err(|_| StoreError::Timeout {
                url: shown.clone(),
                after: POSTGRES_CONNECT_TIMEOUT,
            })?;
            first
                .map_err(open_error)?
                .close()
                .await
                .map_err(open_error)?;
            AnyPoolOptions::new()
                .max_connections(POSTGRES_MAX_CONNECTIONS)
                .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(open_error)?
        }
    };
    Ok(Store {
        pool,
        backend,
        shown: shown.into(),
    })
}

/// The SQLite URL with its folder made and `mode=rwc` (create the file when missing) unless the
/// URL sets a mode (sqlx: `SqliteConnectOptions`'s URL parameters).
fn sqlite_connect_url(url: &str, shown: &str) -> Result<String, StoreError> {
    if let Some(folder) = sqlite_file(url)
        .as_deref()
        .and_then(std::path::Path::parent)
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder).map_err(|source| StoreError::Folder {
            url: shown.to_owned(),
            source,
        })?;
    }
    let has_mode = url.split_once('?').is_some_and(|(_, options)| {
        url::form_urlencoded::parse(options.as_bytes()).any(|(key, _)| key == "mode")
    });
    Ok(match (has_mode, url.contains('?')) {
        (true, _) => url.to_owned(),
        (false, true) => format!("{url}&mode=rwc"),
        (false, false) => format!("{url}?mode=rwc"),
    })
}

impl Store {
    /// The connection pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn backend(&self) -> StoreBackend {
        self.backend
    }

    /// The URL without its password.
    pub fn shown_url(&self) -> &str {
        &self.shown
    }

    fn migrator(&self) -> &'static Migrator {
        migrator_of(self.backend)
    }

    /// Brings the schema up to date (`server/migrations/<backend>`); answers the migrations it
    /// applied now (none when it was up to date). Concurrent callers are serialised by sqlx's
    /// migration lock (an advisory lock on PostgreSQL).
    pub async fn migrate(&self) -> Result<Vec<SchemaMigration>, StoreError> {
        // Only for the report: a database never migrated has no table of applied migrations.
        let before = self.applied_versions().await.unwrap_or_default();
        self.migrator()
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Schema {
                url: self.shown.to_string(),
                source,
            })?;
        Ok(migrations(self.backend)
            .into_iter()
            .filter(|m| !before.contains(&m.version))
            .collect())
    }

    /// Checks that every migration this build knows has been applied (newer ones, of a newer
    /// build sharing the database, are fine).
    pub async fn check_schema(&self) -> Result<(), StoreError> {
        let applied =
            self.applied_versions()
                .await
                .map_err(|source| StoreError::SchemaUnknown {
                    url: self.shown.to_string(),
                    source,
                })?;
        let missing: Vec<i64> = migrations(self.backend)
            .into_iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| m.version)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StoreError::SchemaBehind {
                url: self.shown.to_string(),
                missing,
            })
        }
    }

    /// The versions sqlx recorded as applied (its `_sqlx_migrations` table).
    async fn applied_versions(&self) -> Result<HashSet<i64>, sqlx::Error> {
        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await?;
        Ok(versions.into_iter().collect())
    }

    /// Whether the database answers (`SELECT 1`), within a few seconds: for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match tokio::time::timeout(PING_TIMEOUT, self.pool.execute("SELECT 1")).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(source)) => Err(StoreError::Unavailable {
                url: self.shown.to_string(),
                source,
            }),
            Err(_) => Err(StoreError::Timeout {
                url: self.shown.to_string(),
                after: PING_TIMEOUT,
            }),
        }
    }
}

/// A value bound to a numbered placeholder.
pub(crate) enum Param {
    Text(String),
    Int(i64),
}

/// The values of a query built piece by piece, each given a numbered placeholder (`$1, $2, …`,
/// which both SQLite and PostgreSQL take; sqlx's `QueryBuilder` writes `?` for the `Any` driver).
#[derive(Default)]
pub(crate) struct Params(Vec<Param>);

impl Params {
    /// Adds a value; answers its placeholder.
    pub(crate) fn push(&mut self, value: Param) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }

    /// Adds values; answers their placeholders, comma-separated (for `IN (…)`).
    pub(crate) fn list(&mut self, values: impl IntoIterator<Item = Param>) -> String {
        values
            .into_iter()
            .map(|value| self.push(value))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn bind_to<'q>(
        self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for value in self.0 {
            query = match value {
                Param::Text(text) => query.bind(text),
                Param::Int(number) => query.bind(number),
            };
        }
        query
    }
}

/// `text` with LIKE's wildcards (`%`, `_`) and the escape character (`\`) escaped.
pub(crate) fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact_url("postgres://tm:s3cret@db.internal:5432/tenant_mesh"),
            "postgres://tm:***@db.internal:5432/tenant_mesh"
        );
        assert_eq!(
            redact_url("postgresql://tm:p%40ss@db/tm?sslmode=require"),
            "postgresql://tm:***@db/tm?sslmode=require"
        );
        let query = redact_url("postgres://db/tm?user=tm&password=s3cret&sslmode=verify-full");
        assert!(
            !query.contains("s3cret") && query.contains("password=***"),
            "{query}"
        );
        // Not a URL the parser takes (a bad port): still no password.
        let unparsed = redact_url("postgres://tm:s3cret@db:port/tm");
        assert_eq!(unparsed, "postgres://tm:***@db:port/tm");
        // Nothing to hide: unchanged.
        assert_eq!(redact_url("postgres://tm@db/tm"), "postgres://tm@db/tm");
        assert_eq!(
            redact_url("sqlite://data/tenant-mesh.sqlite"),
            "sqlite://data/tenant-mesh.sqlite"
        );
    }

    #[tokio::test]
    async fn errors_show_the_url_without_its_password() {
        // Nothing listens on port 1; the error names the URL, not the password.
        let err = open("postgres://tm:s3cret@127.0.0.1:1/tm", true)
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("postgres://tm:***@127.0.0.1:1/tm"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        let debug = format!("{err:?}");
        assert!(!debug.contains("s3cret"), "{debug}");

        let err = open("mysql://tm:s3cret@127.0.0.1/tm", true)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownScheme { .. }));
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = migrations(StoreBackend::Sqlite);
        assert_eq!(sqlite, migrations(StoreBackend::Postgres));
        let versions: Vec<i64> = sqlite.iter().map(|m| m.version).collect();
        let expected: Vec<i64> = (1..=i64::try_from(sqlite.len()).unwrap()).collect();
        assert_eq!(versions, expected, "numbered from 1 without gaps");
        assert!(sqlite
            .iter()
            .any(|m| m.version == 7 && m.description == "leases"));
    }

    #[test]
    fn backends_by_scheme() {
        assert_eq!(
            StoreBackend::of_url("sqlite://data/x.sqlite"),
            Some(StoreBackend::Sqlite)
        );
        assert_eq!(
            StoreBackend::of_url("postgres://h/db"),
            Some(StoreBackend::Postgres)
        );
        assert_eq!(
            StoreBackend::of_url("PostgreSQL://h/db"),
            Some(StoreBackend::Postgres)
        );
        assert_eq!(StoreBackend::of_url("mysql://h/db"), None);
        assert_eq!(StoreBackend::of_url("data/x.sqlite"), None);
    }

    #[test]
    fn sqlite_files_as_sqlx_reads_them() {
        assert_eq!(
            sqlite_file("sqlite://data/tenant-mesh.sqlite"),
            Some(PathBuf::from("data/tenant-mesh.sqlite"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/tm/db.sqlite?mode=rwc"),
            Some(PathBuf::from("/var/lib/tm/db.sqlite"))
        );
        assert_eq!(
            sqlite_file("sqlite:db.sqlite"),
            Some(PathBuf::from("db.sqlite"))
        );
        assert_eq!(
            sqlite_file("sqlite://my%20data/db.sqlite"),
            Some(PathBuf::from("my data/db.sqlite"))
        );
        for file in [
            "/tmp/tm/db.sqlite",
            "/tmp/a b/100%?#x.sqlite",
            "data/tenant-mesh.sqlite",
        ] {
            let url = sqlite_url(std::path::Path::new(file));
            assert_eq!(sqlite_file(&url), Some(PathBuf::from(file)), "{url}");
        }
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://?mode=memory"), None);
        assert_eq!(sqlite_file("postgres://h/db"), None);
    }

    #[tokio::test]
    async fn a_sqlite_database_is_created_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested/fol der/db.sqlite");
        let store = open(&sqlite_url(&file), true).await.unwrap();
        assert!(file.is_file());
        assert_eq!(store.backend(), StoreBackend::Sqlite);
        store.ping().await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(foreign_keys, 1);
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(busy, 5000);
        // Up to date: nothing more to apply, and the check passes.
        assert!(store.migrate().await.unwrap().is_empty());
        store.check_schema().await.unwrap();
        drop(store);
        let again = open(&sqlite_url(&file), false).await.unwrap();
        again.ping().await.unwrap();
    }

    #[tokio::test]
    async fn a_database_never_migrated_is_refused_without_migrate() {
        let dir = tempfile::tempdir().unwrap();
        let url = sqlite_url(&dir.path().join("db.sqlite"));
        let err = open(&url, false).await.unwrap_err();
        assert!(matches!(err, StoreError::SchemaUnknown { .. }), "{err}");
        assert!(err.to_string().contains("--migrate"), "{err}");
    }
}
