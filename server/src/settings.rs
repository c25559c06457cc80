//! Typed settings, loaded once at start-up: defaults → TOML file (`--config`) → environment
//! (`TENANTMESH_*`, nested keys with `__`) → command-line flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

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
}

/// Where the dashboard's Graph and sign-in traffic goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The built-in emulator of Microsoft Graph and Entra sign-in, with the demo scenario.
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
    /// The address people use to reach the dashboard (for the sign-in redirect URI).
    /// Default: `http://{addr}`.
    pub public_url: Option<String>,
    /// SQLite database for sessions and the audit log; created when missing.
    pub database_path: PathBuf,
    pub session: SessionSettings,
    /// The app registration and Microsoft endpoints used in `entra` mode.
    pub entra: EntraSettings,
    /// Folder with the built site (`pkg/` with the wasm bundle, the stylesheet, public files).
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
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
            public_url: None,
            database_path: PathBuf::from("data/tenant-mesh.sqlite"),
            session: SessionSettings::default(),
            entra: EntraSettings::default(),
            site_root: PathBuf::from("target/site"),
            log_format: LogFormat::Pretty,
            body_limit_bytes: 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("settings file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("{0}")]
    Invalid(Box<figment::Error>),
    #[error("body_limit_bytes must be at least 1024")]
    BodyLimitTooSmall,
    #[error("entra mode needs {0} (set it in the settings file or TENANTMESH_ENTRA__{1})")]
    MissingEntraSetting(&'static str, &'static str),
    #[error("session times must be positive")]
    BadSessionTimes,
}

impl Settings {
    /// Loads the settings from the process environment and the command line.
    pub fn load(cli: &Cli) -> Result<Self, SettingsError> {
        Self::from_figment(Env::prefixed("TENANTMESH_").split("__"), cli)
    }

    /// Loads the settings with `env` standing for the environment (tests pass their own).
    pub fn from_figment(env: impl figment::Provider, cli: &Cli) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = &cli.config {
            if !path.is_file() {
                return Err(SettingsError::MissingFile(path.clone()));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(env);
        if let Some(addr) = cli.addr {
            figment = figment.merge(Serialized::default("addr", addr));
        }
        let settings: Settings = figment
            .extract()
            .map_err(|err| SettingsError::Invalid(Box::new(err)))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if self.body_limit_bytes < 1024 {
            return Err(SettingsError::BodyLimitTooSmall);
        }
        if self.session.idle_minutes <= 0 || self.session.absolute_hours <= 0 {
            return Err(SettingsError::BadSessionTimes);
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
        Ok(())
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
             [entra]\nclient_id = \"abc\"\nclient_secret = \"s\""
        )
        .unwrap();
        let cli = Cli {
            addr: None,
            config: Some(file.path().to_owned()),
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
            let settings = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
            assert_eq!(settings.entra.client_secret.unwrap().expose(), "s3cret");
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
    fn a_missing_settings_file_is_an_error_not_a_silent_default() {
        let cli = Cli {
            addr: None,
            config: Some("does/not/exist.toml".into()),
        };
        let err = Settings::from_figment(no_env(), &cli).unwrap_err();
        assert!(matches!(err, SettingsError::MissingFile(_)));
    }
}
