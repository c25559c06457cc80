//! Typed settings, loaded once at start-up: defaults → TOML file (`--config`) → environment
//! (`TENANTMESH_*`, nested keys with `__`) → command-line flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::secret::Secret;
use crate::store::StoreBackend;

/// Command-line flags of the server binary.
#[derive(Debug, Default, clap::Parser)]
#[command(
    name = "tenant-mesh",
    about = "Tenant Mesh: one dashboard for a Microsoft Entra multitenant organization"
)]
pub struct Cli {
    /// Address to listen on (default 127.0.0.1:3000). Also TENANTMESH_ADDR.
    #[arg(long)]
    pub addr: Option<SocketAddr>,
    /// TOML settings file; values in it are overridden by TENANTMESH_* variables and flags.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Bring the database's schema up to date (`database_url`), say what was applied, and exit;
    /// for the database's owner role before replicas with `database_migrate = false` start.
    #[arg(long)]
    pub migrate: bool,
    /// Demo mode's scenario: `demo` (default) or `scale:N:M` (N tenants, at most 100, with a
    /// ring of sync jobs; M users in the first). Also TENANTMESH_SCENARIO.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
}

/// Where the dashboard's Graph and sign-in traffic goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The built-in emulator of Microsoft Graph and Entra sign-in, with the `scenario` setting's
    /// data (the demo scenario by default).
    Demo,
    /// Microsoft Entra and Microsoft Graph, with a real multi-tenant app registration.
    Entra,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Demo => "demo",
            Self::Entra => "entra",
        })
    }
}

/// The data the built-in emulator starts with in demo mode (`scenario`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoScenario {
    /// Contoso, Fabrikam, Woodgrove Bank, Northwind Traders and Tailspin Toys (`demo`).
    Demo,
    /// `scale:N:M`: `tenants` tenants active in one MTO, a ring of sync jobs between them (one
    /// quarantined, one paused), `users` generated users in the first (the emulator's
    /// `Scenario::scale_meshed`).
    Scale { tenants: usize, users: usize },
}

impl DemoScenario {
    /// The most active tenants an MTO holds (the Limits table of `MicrosoftDocs/entra-docs`
    /// `docs/identity/multi-tenant-organizations/multi-tenant-organization-overview.md`).
    pub const MAX_TENANTS: usize = emulator::mto_state::MAX_ACTIVE_TENANTS;
    /// The most generated users of the first tenant (the size the users benchmark reads).
    pub const MAX_USERS: usize = 100_000;

    /// `demo`, or `scale:N:M` with N from 1 to [`Self::MAX_TENANTS`] and M at most
    /// [`Self::MAX_USERS`] (digits only).
    pub fn parse(text: &str) -> Option<Self> {
        if text == "demo" {
            return Some(Self::Demo);
        }
        let (tenants, users) = text.strip_prefix("scale:")?.split_once(':')?;
        let number = |digits: &str| {
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse::<usize>().ok())
                .flatten()
        };
        let (tenants, users) = (number(tenants)?, number(users)?);
        ((1..=Self::MAX_TENANTS).contains(&tenants) && users <= Self::MAX_USERS)
            .then_some(Self::Scale { tenants, users })
    }
}

impl fmt::Display for DemoScenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Demo => f.write_str("demo"),
            Self::Scale { tenants, users } => write!(f, "scale:{tenants}:{users}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub addr: SocketAddr,
    pub mode: Mode,
    /// What the built-in emulator starts with (and goes back to at `POST /demo/reset`) in demo
    /// mode: `demo` or `scale:N:M` ([`DemoScenario`]); `--scenario`, `TENANTMESH_SCENARIO`.
    /// Anything but `demo` is refused in `entra` mode. A scale scenario without a `database_url`
    /// of its own uses [`SCALE_DATABASE_URL`].
    pub scenario: String,
    /// The address people use to reach the dashboard (for the sign-in redirect URI).
    /// Default: `http://{addr}`.
    pub public_url: Option<String>,
    /// The dashboard's database (sessions, audit log, join decisions, monitor history, alert
    /// deliveries): `sqlite://<file>` (created when missing) or `postgres://user:password@host/db`
    /// (`postgresql://` too; every replica then needs the same `token_key`);
    /// `TENANTMESH_DATABASE_URL`.
    pub database_url: String,
    /// Whether the server brings the schema up to date at start (default). `false` for a role
    /// that may not change the schema (`server/migrations/postgres/grants.sql`): the server then
    /// only checks that `tenant-mesh --migrate` was run by the owner.
    pub database_migrate: bool,
    /// Replaced by `database_url`: refused with a message saying so (rather than silently opening
    /// another database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_path: Option<PathBuf>,
    pub session: SessionSettings,
    /// The app registration and Microsoft endpoints used in `entra` mode.
    pub entra: EntraSettings,
    /// Folder with the built site (`pkg/` with the wasm bundle, the stylesheet, public files).
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// How long one Graph call may take, in seconds (1–50: below the 60 s request timeout).
    pub graph_timeout_secs: u64,
    /// The key that seals sessions (with their tokens) in the database: the base64 of 32 random
    /// bytes (`openssl rand -base64 32`); `TENANTMESH_TOKEN_KEY`. Needed in `entra` mode and with a
    /// PostgreSQL database; otherwise (demo mode on SQLite), when absent, one is made at first start
    /// in [`Settings::session_key_file`] (`<database file>.key`).
    pub token_key: Option<Secret>,
    /// Keys used before `token_key`: sessions sealed under them still open, and are sealed under
    /// `token_key` at their next save. A TOML list, or a comma-separated variable.
    #[serde(default, deserialize_with = "secret_list")]
    pub previous_token_keys: Vec<Secret>,
    /// The tenants whose people may sign in: tenant ids or verified domains, lower-cased. In a
    /// settings file a TOML list; in `TENANTMESH_ALLOWED_TENANTS` a comma-separated list (or
    /// `[a, b]`). Empty: every tenant in `demo` mode; `entra` mode refuses to start without a list.
    /// How sign-ins are matched against it: `auth::flow::tenant_allowed`.
    #[serde(default, deserialize_with = "string_list")]
    pub allowed_tenants: Vec<String>,
    /// The app-only monitor (`[monitor]`).
    #[serde(default)]
    pub monitor: MonitorSettings,
    /// Where alerts go (`[[alerts]]`).
    #[serde(default)]
    pub alerts: Vec<AlertTarget>,
}

/// `[monitor]`: the dashboard's own app registration reads the configured tenants on a schedule
/// with application permissions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorSettings {
    /// Whether runs are scheduled. Default: on in `demo` mode (every demo tenant), on in `entra`
    /// mode when `tenants` is not empty.
    pub enabled: Option<bool>,
    /// Seconds between runs (each run is jittered by up to a tenth of it); at least 30.
    pub interval_secs: u64,
    /// Of several replicas sharing a database, the one holding the monitor's lease runs it; it
    /// renews the lease every third of this many seconds, and when it stops (it died or lost the
    /// database) another replica takes over once the lease has run out. At least 1.
    pub lease_secs: u64,
    /// Seconds between configuration snapshots taken by the monitor (`/drift`): at the first run,
    /// then at the first run this long after the last one. 0: none on a schedule.
    pub snapshot_secs: u64,
    /// The tenants to read: ids or verified domains. A TOML list or a comma-separated variable.
    /// Empty in `demo` mode: every tenant of the scenario (`scenario`).
    #[serde(default, deserialize_with = "string_list")]
    pub tenants: Vec<String>,
    /// How the app proves who it is (`azure_identity`).
    pub credential: CredentialSettings,
    /// A PEM file of a CA to trust for sign-in and Graph besides the system's (in `demo` mode the
    /// built-in emulator's generated CA is trusted without it).
    pub ca_certificate: Option<PathBuf>,
}

impl Default for MonitorSettings {
    fn default() -> Self {
        Self {
            enabled: None,
            interval_secs: 300,
            lease_secs: 60,
            snapshot_secs: 3600,
            tenants: Vec::new(),
            credential: CredentialSettings::default(),
            ca_certificate: None,
        }
    }
}

/// The app credential of the monitor, one of those `azure_identity` offers. The app is the one of
/// `[entra]` unless `client_id` says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CredentialSettings {
    /// A client secret (default: `entra.client_secret`).
    ClientSecret {
        #[serde(default)]
        client_id: Option<String>,
        #[serde(default)]
        client_secret: Option<Secret>,
    },
    /// A client certificate: a PEM or PKCS #12 file with the private key.
    ClientCertificate {
        #[serde(default)]
        client_id: Option<String>,
        certificate_path: PathBuf,
        #[serde(default)]
        certificate_password: Option<Secret>,
    },
    /// Workload identity federation: a token file from the platform (default:
    /// `AZURE_FEDERATED_TOKEN_FILE`).
    WorkloadIdentity {
        #[serde(default)]
        client_id: Option<String>,
        #[serde(default)]
        token_file: Option<PathBuf>,
    },
    /// The managed identity of the machine (system-assigned, or user-assigned by `client_id`).
    ManagedIdentity {
        #[serde(default)]
        client_id: Option<String>,
    },
}

impl Default for CredentialSettings {
    fn default() -> Self {
        Self::ClientSecret {
            client_id: None,
            client_secret: None,
        }
    }
}

/// `[[alerts]]`: one target told when a finding opens, escalates or clears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertTarget {
    /// Shown on the status board and in logs (the URL never is).
    pub name: String,
    pub kind: AlertKind,
    /// The webhook URL; it often carries a secret, so it is never logged or shown.
    pub url: Secret,
    /// Findings below this severity are not sent (default: warning).
    #[serde(default)]
    pub min_severity: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// A Microsoft Teams workflow or incoming webhook (an Adaptive Card message).
    Teams,
    /// A Slack incoming webhook.
    Slack,
    /// Any endpoint taking the event as JSON.
    Webhook,
}

/// A list given as a list, or as one comma-separated string (environment variables); entries
/// trimmed, empty ones dropped.
fn listed<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        List(Vec<String>),
        Text(String),
    }
    let items = match Given::deserialize(deserializer)? {
        Given::List(items) => items,
        Given::Text(text) => text.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect())
}

/// A [`listed`] list of names, lower-cased.
fn string_list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(listed(deserializer)?
        .iter()
        .map(|item| item.to_ascii_lowercase())
        .collect())
}

/// A [`listed`] list of secrets.
fn secret_list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Secret>, D::Error> {
    Ok(listed(deserializer)?.into_iter().map(Secret::new).collect())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSettings {
    /// A session unused for this long ends.
    pub idle_minutes: i64,
    /// A sign-in older than this must be renewed, used or not.
    pub absolute_hours: i64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_minutes: 120,
            absolute_hours: 12,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntraSettings {
    /// Application (client) id of the multi-tenant app registration.
    pub client_id: Option<String>,
    /// Its client secret.
    pub client_secret: Option<Secret>,
    pub login_base_url: String,
    pub graph_base_url: String,
}

impl Default for EntraSettings {
    fn default() -> Self {
        Self {
            client_id: None,
            client_secret: None,
            login_base_url: "https://login.microsoftonline.com".to_owned(),
            graph_base_url: "https://graph.microsoft.com".to_owned(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            mode: Mode::Demo,
            scenario: "demo".to_owned(),
            public_url: None,
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            database_migrate: true,
            database_path: None,
            session: SessionSettings::default(),
            entra: EntraSettings::default(),
            site_root: PathBuf::from("target/site"),
            log_format: LogFormat::Pretty,
            body_limit_bytes: 1024 * 1024,
            graph_timeout_secs: 30,
            token_key: None,
            previous_token_keys: Vec::new(),
            allowed_tenants: Vec::new(),
            monitor: MonitorSettings::default(),
            alerts: Vec::new(),
        }
    }
}

/// The default `database_url`: a SQLite file in `data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/tenant-mesh.sqlite";
/// The default `database_url` with a `scale:N:M` scenario: another file, so that the scale demo's
/// sessions, audit log and monitor history never mix with the ordinary demo's.
pub const SCALE_DATABASE_URL: &str = "sqlite://data/scale.sqlite";
/// Where files the dashboard makes live when the database is not a SQLite file.
const DATA_DIR: &str = "data";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("settings file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("{0}")]
    Invalid(Box<figment::Error>),
    #[error("graph_timeout_secs must be between 1 and 50")]
    BadGraphTimeout,
    #[error("monitor.lease_secs must be at least 1")]
    BadLease,
    #[error("body_limit_bytes must be at least 1024")]
    BodyLimitTooSmall,
    #[error(
        "scenario (--scenario, TENANTMESH_SCENARIO) must be demo or scale:N:M (N tenants, 1 to \
         100; M users in the first tenant, at most 100000), not \"{0}\""
    )]
    BadScenario(String),
    #[error(
        "scenario = \"{0}\" is for demo mode only (it chooses the built-in emulator's data); \
         entra mode reads your own tenants: remove scenario (--scenario, TENANTMESH_SCENARIO)"
    )]
    ScenarioOutsideDemo(String),
    #[error("entra mode needs {0} (set it in the settings file or TENANTMESH_ENTRA__{1})")]
    MissingEntraSetting(&'static str, &'static str),
    #[error("session times must be positive")]
    BadSessionTimes,
    #[error("{0} must be the base64 of 32 random bytes (e.g. from `openssl rand -base64 32`)")]
    BadTokenKey(&'static str),
    #[error(
        "entra mode needs allowed_tenants: list the tenant ids or verified domains of your \
             multitenant organization's tenants (in the settings file, or \
             TENANTMESH_ALLOWED_TENANTS=id-or-domain,id-or-domain)"
    )]
    NoAllowedTenants,
    #[error("allowed_tenants: \"{0}\" is neither a tenant id nor a domain")]
    BadAllowedTenant(String),
    /// The URL is shown without its password.
    #[error(
        "database_url (TENANTMESH_DATABASE_URL) must be sqlite://<file> or \
         postgres://user:password@host/database, not {0}"
    )]
    BadDatabaseUrl(String),
    #[error(
        "database_path was replaced by database_url: set database_url = \"{0}\" (or \
         TENANTMESH_DATABASE_URL) and remove database_path"
    )]
    DatabasePathReplaced(String),
    #[error(
        "a PostgreSQL database needs token_key in every mode (every replica must seal sessions \
         with the same key): the base64 of 32 random bytes (e.g. from `openssl rand -base64 32`), \
         in the settings file or TENANTMESH_TOKEN_KEY"
    )]
    PostgresNeedsTokenKey,
}

impl Settings {
    /// Loads the settings from the process environment and the command line.
    pub fn load(cli: &Cli) -> Result<Self, SettingsError> {
        Self::from_figment(Env::prefixed("TENANTMESH_").split("__"), cli)
    }

    /// Loads the settings with `env` standing for the environment (tests pass their own).
    pub fn from_figment(env: impl figment::Provider, cli: &Cli) -> Result<Self, SettingsError> {
        // What was given (file, environment, flags), apart from the defaults.
        let mut given = Figment::new();
        if let Some(path) = &cli.config {
            if !path.is_file() {
                return Err(SettingsError::MissingFile(path.clone()));
            }
            given = given.merge(Toml::file(path));
        }
        given = given.merge(env);
        if let Some(addr) = cli.addr {
            given = given.merge(Serialized::default("addr", addr));
        }
        if let Some(scenario) = &cli.scenario {
            given = given.merge(Serialized::default("scenario", scenario));
        }
        let mut settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(given.clone())
            .extract()
            .map_err(|err| SettingsError::Invalid(Box::new(err)))?;
        settings.validate()?;
        if settings.mode == Mode::Demo
            && settings.demo_scenario() != DemoScenario::Demo
            && !given.contains("database_url")
        {
            settings.database_url = SCALE_DATABASE_URL.to_owned();
        }
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if self.body_limit_bytes < 1024 {
            return Err(SettingsError::BodyLimitTooSmall);
        }
        match DemoScenario::parse(&self.scenario) {
            None => return Err(SettingsError::BadScenario(self.scenario.clone())),
            Some(DemoScenario::Demo) => {}
            Some(DemoScenario::Scale { .. }) if self.mode == Mode::Entra => {
                return Err(SettingsError::ScenarioOutsideDemo(self.scenario.clone()));
            }
            Some(DemoScenario::Scale { .. }) => {}
        }
        if !(1..=50).contains(&self.graph_timeout_secs) {
            return Err(SettingsError::BadGraphTimeout);
        }
        if self.monitor.lease_secs == 0 {
            return Err(SettingsError::BadLease);
        }
        if self.session.idle_minutes <= 0 || self.session.absolute_hours <= 0 {
            return Err(SettingsError::BadSessionTimes);
        }
        if let Some(path) = &self.database_path {
            return Err(SettingsError::DatabasePathReplaced(
                crate::store::sqlite_url(path),
            ));
        }
        let backend = StoreBackend::of_url(&self.database_url).ok_or_else(|| {
            SettingsError::BadDatabaseUrl(crate::store::redact_url(&self.database_url))
        })?;
        match backend {
            StoreBackend::Sqlite => {
                // A file, or an explicitly in-memory database (`sqlite::memory:`, for trials).
                if self.sqlite_path().is_none() && !self.database_url.contains("memory") {
                    return Err(SettingsError::BadDatabaseUrl(crate::store::redact_url(
                        &self.database_url,
                    )));
                }
            }
            StoreBackend::Postgres => {
                if url::Url::parse(&self.database_url).is_err() {
                    return Err(SettingsError::BadDatabaseUrl(crate::store::redact_url(
                        &self.database_url,
                    )));
                }
                if self.token_key.is_none() {
                    return Err(SettingsError::PostgresNeedsTokenKey);
                }
            }
        }
        if let Some(key) = &self.token_key {
            if crate::auth::store::decode_key(key.expose()).is_none() {
                return Err(SettingsError::BadTokenKey("token_key"));
            }
        }
        if self
            .previous_token_keys
            .iter()
            .any(|key| crate::auth::store::decode_key(key.expose()).is_none())
        {
            return Err(SettingsError::BadTokenKey("previous_token_keys"));
        }
        if self.mode == Mode::Entra {
            if self.entra.client_id.as_deref().unwrap_or("").is_empty() {
                return Err(SettingsError::MissingEntraSetting(
                    "entra.client_id",
                    "CLIENT_ID",
                ));
            }
            if self.entra.client_secret.is_none() {
                return Err(SettingsError::MissingEntraSetting(
                    "entra.client_secret",
                    "CLIENT_SECRET",
                ));
            }
        }
        if let Some(bad) = self
            .allowed_tenants
            .iter()
            .find(|entry| graph::TenantRef::parse(entry).is_err())
        {
            return Err(SettingsError::BadAllowedTenant(bad.clone()));
        }
        if self.mode == Mode::Entra && self.allowed_tenants.is_empty() {
            return Err(SettingsError::NoAllowedTenants);
        }
        Ok(())
    }

    /// The scenario demo mode loads (validated at load; [`DemoScenario::Demo`] for a value that
    /// was not).
    pub fn demo_scenario(&self) -> DemoScenario {
        DemoScenario::parse(&self.scenario).unwrap_or(DemoScenario::Demo)
    }

    /// Which database `database_url` names.
    pub fn database_backend(&self) -> Option<StoreBackend> {
        StoreBackend::of_url(&self.database_url)
    }

    /// The SQLite file of `database_url`; `None` for PostgreSQL (or an in-memory database).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        crate::store::sqlite_file(&self.database_url)
    }

    /// Where the files the dashboard makes live (the demo keys): beside the SQLite file, else
    /// `data/`.
    pub fn data_dir(&self) -> PathBuf {
        match self.sqlite_path() {
            Some(file) => file
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default(),
            None => PathBuf::from(DATA_DIR),
        }
    }

    /// Where demo mode keeps its session key when `token_key` is not set: `<database file>.key`
    /// (`data/tenant-mesh.key` when the database is not a file).
    pub fn session_key_file(&self) -> PathBuf {
        match self.sqlite_path() {
            Some(file) => crate::auth::store::key_file_path(&file),
            None => self.data_dir().join("tenant-mesh.key"),
        }
    }

    /// Where demo mode keeps the built-in emulator's signing key: in [`Settings::data_dir`].
    pub fn demo_emulator_key_file(&self) -> PathBuf {
        self.data_dir().join(crate::DEMO_KEY_FILE)
    }

    /// The dashboard's own base URL, without a trailing slash.
    pub fn public_base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.addr),
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail closures return figment::Error
mod tests {
    use super::*;
    use std::io::Write;

    /// An environment provider that matches no variable.
    fn no_env() -> Env {
        Env::prefixed("TENANTMESH_TEST_UNSET_")
    }

    #[test]
    fn defaults_are_demo_mode_on_loopback_3000() {
        let settings = Settings::from_figment(no_env(), &Cli::default()).unwrap();
        assert_eq!(settings.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(settings.mode, Mode::Demo);
    }

    #[test]
    fn file_then_env_then_flag_take_precedence_in_that_order() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "addr = \"127.0.0.1:4000\"\nmode = \"entra\"\nlog_format = \"json\"\n\
             allowed_tenants = [\"contoso.onmicrosoft.com\"]\n\
             [entra]\nclient_id = \"abc\"\nclient_secret = \"s\""
        )
        .unwrap();
        let cli = Cli {
            config: Some(file.path().to_owned()),
            ..Cli::default()
        };

        let from_file = Settings::from_figment(no_env(), &cli).unwrap();
        assert_eq!(from_file.addr.port(), 4000);
        assert_eq!(from_file.mode, Mode::Entra);
        assert_eq!(from_file.log_format, LogFormat::Json);

        let env = Env::prefixed("TENANTMESH_TEST_A_").split("__");
        figment::Jail::expect_with(|jail| {
            jail.set_env("TENANTMESH_TEST_A_ADDR", "127.0.0.1:5000");
            let from_env = Settings::from_figment(env.clone(), &cli).unwrap();
            assert_eq!(from_env.addr.port(), 5000);
            assert_eq!(
                from_env.mode,
                Mode::Entra,
                "the file still applies to other keys"
            );

            let with_flag = Cli {
                addr: Some("127.0.0.1:6000".parse().unwrap()),
                ..cli
            };
            let from_flag = Settings::from_figment(env.clone(), &with_flag).unwrap();
            assert_eq!(from_flag.addr.port(), 6000);
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_refused_with_the_key_named() {
        let env = Env::prefixed("TENANTMESH_TEST_B_");
        figment::Jail::expect_with(|jail| {
            jail.set_env("TENANTMESH_TEST_B_MODE", "production");
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(err.to_string().to_lowercase().contains("mode"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn entra_mode_needs_the_app_registration() {
        let env = Env::prefixed("TENANTMESH_TEST_C_").split("__");
        figment::Jail::expect_with(|jail| {
            jail.set_env("TENANTMESH_TEST_C_MODE", "entra");
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(err.to_string().contains("entra.client_id"), "{err}");
            jail.set_env(
                "TENANTMESH_TEST_C_ENTRA__CLIENT_ID",
                "3f1c2b9e-6a7d-4e8f-9b0a-5c4d3e2f1a0b",
            );
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(err.to_string().contains("entra.client_secret"), "{err}");
            jail.set_env("TENANTMESH_TEST_C_ENTRA__CLIENT_SECRET", "s3cret");
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(matches!(err, SettingsError::NoAllowedTenants), "{err}");
            assert!(
                err.to_string().contains("TENANTMESH_ALLOWED_TENANTS"),
                "{err}"
            );
            jail.set_env(
                "TENANTMESH_TEST_C_ALLOWED_TENANTS",
                "72f988bf-86f1-41af-91ab-2d7cd011db47",
            );
            let settings = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(settings.entra.client_secret.unwrap().expose(), "s3cret");
            Ok(())
        });
    }

    #[test]
    fn allowed_tenants_come_as_a_toml_list_or_a_comma_separated_variable() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "allowed_tenants = [\"Contoso.onmicrosoft.com\", \"72F988BF-86F1-41AF-91AB-2D7CD011DB47\"]"
        )
        .unwrap();
        let cli = Cli {
            config: Some(file.path().to_owned()),
            ..Cli::default()
        };
        let from_file = Settings::from_figment(no_env(), &cli).unwrap();
        assert_eq!(
            from_file.allowed_tenants,
            [
                "contoso.onmicrosoft.com",
                "72f988bf-86f1-41af-91ab-2d7cd011db47"
            ]
        );
        assert!(Settings::from_figment(no_env(), &Cli::default())
            .unwrap()
            .allowed_tenants
            .is_empty());

        let env = Env::prefixed("TENANTMESH_TEST_D_").split("__");
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "TENANTMESH_TEST_D_ALLOWED_TENANTS",
                " fabrikam.onmicrosoft.com, 72f988bf-86f1-41af-91ab-2d7cd011db47 ,",
            );
            let from_env = Settings::from_figment(env.clone(), &cli).unwrap();
            assert_eq!(
                from_env.allowed_tenants,
                [
                    "fabrikam.onmicrosoft.com",
                    "72f988bf-86f1-41af-91ab-2d7cd011db47"
                ],
                "the variable replaces the file's list"
            );
            jail.set_env(
                "TENANTMESH_TEST_D_ALLOWED_TENANTS",
                "[woodgrovebank.onmicrosoft.com, fabrikam.onmicrosoft.com]",
            );
            let bracketed = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(
                bracketed.allowed_tenants,
                ["woodgrovebank.onmicrosoft.com", "fabrikam.onmicrosoft.com"]
            );
            jail.set_env(
                "TENANTMESH_TEST_D_ALLOWED_TENANTS",
                "contoso.onmicrosoft.com, not a tenant",
            );
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(matches!(err, SettingsError::BadAllowedTenant(_)), "{err}");
            assert!(err.to_string().contains("not a tenant"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_public_url_defaults_to_the_listen_address() {
        let settings = Settings::default();
        assert_eq!(settings.public_base_url(), "http://127.0.0.1:3000");
        let settings = Settings {
            public_url: Some("https://mesh.contoso.com/".into()),
            ..Settings::default()
        };
        assert_eq!(settings.public_base_url(), "https://mesh.contoso.com");
    }

    #[test]
    fn token_keys_must_be_base64_of_32_bytes() {
        let env = Env::prefixed("TENANTMESH_TEST_K_").split("__");
        figment::Jail::expect_with(|jail| {
            let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
            jail.set_env("TENANTMESH_TEST_K_TOKEN_KEY", key);
            jail.set_env(
                "TENANTMESH_TEST_K_PREVIOUS_TOKEN_KEYS",
                format!("{key}, {key}"),
            );
            let settings = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(settings.token_key.unwrap().expose(), key);
            assert_eq!(settings.previous_token_keys.len(), 2);

            jail.set_env("TENANTMESH_TEST_K_PREVIOUS_TOKEN_KEYS", "c2hvcnQ=");
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(err.to_string().contains("previous_token_keys"), "{err}");
            assert!(!err.to_string().contains("c2hvcnQ"), "no key shown: {err}");

            jail.set_env("TENANTMESH_TEST_K_PREVIOUS_TOKEN_KEYS", "");
            jail.set_env("TENANTMESH_TEST_K_TOKEN_KEY", "not base64 at all");
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(
                matches!(err, SettingsError::BadTokenKey("token_key")),
                "{err}"
            );
            Ok(())
        });
    }

    #[test]
    fn the_database_is_a_sqlite_or_postgres_url() {
        let defaults = Settings::from_figment(no_env(), &Cli::default()).unwrap();
        assert_eq!(defaults.database_url, "sqlite://data/tenant-mesh.sqlite");
        assert!(defaults.database_migrate);
        assert_eq!(defaults.database_backend(), Some(StoreBackend::Sqlite));

        let env = Env::prefixed("TENANTMESH_TEST_DB_").split("__");
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "TENANTMESH_TEST_DB_DATABASE_URL",
                "sqlite:///srv/tm/db.sqlite",
            );
            jail.set_env("TENANTMESH_TEST_DB_DATABASE_MIGRATE", "false");
            let settings = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(settings.database_url, "sqlite:///srv/tm/db.sqlite");
            assert!(!settings.database_migrate);

            for bad in [
                "mysql://tm:s3cret@db/tm",
                "data/tenant-mesh.sqlite",
                "sqlite://",
            ] {
                jail.set_env("TENANTMESH_TEST_DB_DATABASE_URL", bad);
                let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
                assert!(
                    matches!(err, SettingsError::BadDatabaseUrl(_)),
                    "{bad}: {err}"
                );
                let text = err.to_string();
                assert!(
                    text.contains("database_url") && text.contains("TENANTMESH_DATABASE_URL"),
                    "{text}"
                );
                assert!(!text.contains("s3cret"), "no password shown: {text}");
            }

            // PostgreSQL: every replica must seal sessions with the same key, in demo mode too.
            jail.set_env(
                "TENANTMESH_TEST_DB_DATABASE_URL",
                "postgres://tm:s3cret@db.internal/tenant_mesh",
            );
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(matches!(err, SettingsError::PostgresNeedsTokenKey), "{err}");
            assert!(err.to_string().contains("TENANTMESH_TOKEN_KEY"), "{err}");
            assert!(!err.to_string().contains("s3cret"), "{err}");
            jail.set_env(
                "TENANTMESH_TEST_DB_TOKEN_KEY",
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            );
            let settings = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(settings.database_backend(), Some(StoreBackend::Postgres));
            jail.set_env(
                "TENANTMESH_TEST_DB_DATABASE_URL",
                "postgresql://tm@db.internal/tenant_mesh",
            );
            assert!(Settings::from_figment(env.clone(), &Cli::default()).is_ok());
            Ok(())
        });
    }

    #[test]
    fn a_lease_of_zero_seconds_is_refused_and_snapshots_default_to_hourly() {
        let env = Env::prefixed("TENANTMESH_TEST_LS_").split("__");
        figment::Jail::expect_with(|jail| {
            let settings = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(settings.monitor.snapshot_secs, 3600);
            jail.set_env("TENANTMESH_TEST_LS_MONITOR__SNAPSHOT_SECS", "0");
            let settings = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(settings.monitor.snapshot_secs, 0);
            jail.set_env("TENANTMESH_TEST_LS_MONITOR__LEASE_SECS", "0");
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(matches!(err, SettingsError::BadLease), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_former_database_path_is_refused_with_its_replacement_named() {
        let env = Env::prefixed("TENANTMESH_TEST_DP_").split("__");
        figment::Jail::expect_with(|jail| {
            jail.set_env("TENANTMESH_TEST_DP_DATABASE_PATH", "/srv/tm/db.sqlite");
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(
                matches!(err, SettingsError::DatabasePathReplaced(_)),
                "{err}"
            );
            assert!(
                err.to_string()
                    .contains("database_url = \"sqlite:///srv/tm/db.sqlite\""),
                "{err}"
            );
            Ok(())
        });
    }

    #[test]
    fn demo_files_live_beside_a_sqlite_file_else_in_data() {
        let sqlite = Settings {
            database_url: "sqlite:///srv/tm/db.sqlite".into(),
            ..Settings::default()
        };
        assert_eq!(
            sqlite.sqlite_path(),
            Some(PathBuf::from("/srv/tm/db.sqlite"))
        );
        assert_eq!(sqlite.data_dir(), PathBuf::from("/srv/tm"));
        assert_eq!(
            sqlite.session_key_file(),
            PathBuf::from("/srv/tm/db.sqlite.key")
        );
        assert_eq!(
            sqlite.demo_emulator_key_file(),
            PathBuf::from("/srv/tm/demo-emulator-key.pem")
        );
        let default = Settings::default();
        assert_eq!(
            default.session_key_file(),
            PathBuf::from("data/tenant-mesh.sqlite.key")
        );
        assert_eq!(
            default.demo_emulator_key_file(),
            PathBuf::from("data/demo-emulator-key.pem")
        );
        let bare = Settings {
            database_url: "sqlite:db.sqlite".into(),
            ..Settings::default()
        };
        assert_eq!(
            bare.demo_emulator_key_file(),
            PathBuf::from("demo-emulator-key.pem")
        );
        let postgres = Settings {
            database_url: "postgres://tm@db/tm".into(),
            ..Settings::default()
        };
        assert_eq!(postgres.sqlite_path(), None);
        assert_eq!(postgres.data_dir(), PathBuf::from("data"));
        assert_eq!(
            postgres.demo_emulator_key_file(),
            PathBuf::from("data/demo-emulator-key.pem")
        );
    }

    #[test]
    fn the_scenario_is_demo_or_scale_from_a_file_the_environment_or_the_flag() {
        let defaults = Settings::from_figment(no_env(), &Cli::default()).unwrap();
        assert_eq!(defaults.scenario, "demo");
        assert_eq!(defaults.demo_scenario(), DemoScenario::Demo);

        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "scenario = \"scale:10:20\"").unwrap();
        let cli = Cli {
            config: Some(file.path().to_owned()),
            ..Cli::default()
        };
        let from_file = Settings::from_figment(no_env(), &cli).unwrap();
        assert_eq!(
            from_file.demo_scenario(),
            DemoScenario::Scale {
                tenants: 10,
                users: 20
            }
        );

        let env = Env::prefixed("TENANTMESH_TEST_SC_").split("__");
        figment::Jail::expect_with(|jail| {
            jail.set_env("TENANTMESH_TEST_SC_SCENARIO", "scale:100:300");
            let from_env = Settings::from_figment(env.clone(), &cli).unwrap();
            assert_eq!(from_env.demo_scenario().to_string(), "scale:100:300");
            let with_flag = Cli {
                scenario: Some("demo".into()),
                ..Cli::default()
            };
            let from_flag = Settings::from_figment(env.clone(), &with_flag).unwrap();
            assert_eq!(from_flag.demo_scenario(), DemoScenario::Demo);
            Ok(())
        });
    }

    #[test]
    fn a_scenario_other_than_demo_or_scale_up_to_100_tenants_is_refused_with_the_key_named() {
        for good in ["demo", "scale:1:0", "scale:100:300", "scale:100:100000"] {
            assert!(DemoScenario::parse(good).is_some(), "{good}");
            assert_eq!(DemoScenario::parse(good).unwrap().to_string(), good);
        }
        for bad in [
            "",
            "Demo",
            "scale",
            "scale:100",
            "scale:0:10",
            "scale:101:10",
            "scale:100:100001",
            "scale:+5:1",
            "scale:5:-1",
            "scale:5:1:2",
            "scale: 5:1",
            "example.toml",
        ] {
            assert_eq!(DemoScenario::parse(bad), None, "{bad}");
            let cli = Cli {
                scenario: Some(bad.into()),
                ..Cli::default()
            };
            let err = Settings::from_figment(no_env(), &cli).unwrap_err();
            assert!(matches!(err, SettingsError::BadScenario(_)), "{bad}: {err}");
            let text = err.to_string();
            assert!(
                text.starts_with("scenario (--scenario, TENANTMESH_SCENARIO)"),
                "{text}"
            );
            assert!(text.contains(&format!("\"{bad}\"")), "{text}");
        }
    }

    #[test]
    fn entra_mode_refuses_a_scenario() {
        let env = Env::prefixed("TENANTMESH_TEST_SE_").split("__");
        figment::Jail::expect_with(|jail| {
            jail.set_env("TENANTMESH_TEST_SE_MODE", "entra");
            jail.set_env(
                "TENANTMESH_TEST_SE_ENTRA__CLIENT_ID",
                "3f1c2b9e-6a7d-4e8f-9b0a-5c4d3e2f1a0b",
            );
            jail.set_env("TENANTMESH_TEST_SE_ENTRA__CLIENT_SECRET", "s3cret");
            jail.set_env(
                "TENANTMESH_TEST_SE_ALLOWED_TENANTS",
                "72f988bf-86f1-41af-91ab-2d7cd011db47",
            );
            jail.set_env("TENANTMESH_TEST_SE_SCENARIO", "demo");
            let entra = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(entra.database_url, DEFAULT_DATABASE_URL);
            jail.set_env("TENANTMESH_TEST_SE_SCENARIO", "scale:100:300");
            let err = Settings::from_figment(env.clone(), &Cli::default()).unwrap_err();
            assert!(
                matches!(err, SettingsError::ScenarioOutsideDemo(_)),
                "{err}"
            );
            let text = err.to_string();
            assert!(
                text.contains("scenario = \"scale:100:300\" is for demo mode only"),
                "{text}"
            );
            Ok(())
        });
    }

    #[test]
    fn a_scale_scenario_gets_its_own_database_unless_one_is_given() {
        let scale = Cli {
            scenario: Some("scale:100:300".into()),
            ..Cli::default()
        };
        let settings = Settings::from_figment(no_env(), &scale).unwrap();
        assert_eq!(settings.database_url, "sqlite://data/scale.sqlite");
        assert_eq!(
            settings.session_key_file(),
            PathBuf::from("data/scale.sqlite.key")
        );

        let env = Env::prefixed("TENANTMESH_TEST_SD_").split("__");
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "TENANTMESH_TEST_SD_DATABASE_URL",
                "sqlite:///srv/tm/db.sqlite",
            );
            let given = Settings::from_figment(env.clone(), &scale).unwrap();
            assert_eq!(given.database_url, "sqlite:///srv/tm/db.sqlite");
            // Given, even when it is the ordinary demo's: kept.
            jail.set_env("TENANTMESH_TEST_SD_DATABASE_URL", DEFAULT_DATABASE_URL);
            let given = Settings::from_figment(env.clone(), &scale).unwrap();
            assert_eq!(given.database_url, DEFAULT_DATABASE_URL);
            Ok(())
        });
    }

    #[test]
    fn a_missing_settings_file_is_an_error_not_a_silent_default() {
        let cli = Cli {
            config: Some("does/not/exist.toml".into()),
            ..Cli::default()
        };
        let err = Settings::from_figment(no_env(), &cli).unwrap_err();
        assert!(matches!(err, SettingsError::MissingFile(_)));
    }
}
