//! Typed settings, loaded once at start-up: defaults → TOML file (`--config`) → environment
//! (`TENANTMESH_*`, nested keys with `__`) → command-line flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

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
    /// Folder with the built site (`pkg/` with the wasm bundle, the stylesheet, public files).
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            mode: Mode::Demo,
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
        Ok(())
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
            "addr = \"127.0.0.1:4000\"\nmode = \"entra\"\nlog_format = \"json\""
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
    fn a_missing_settings_file_is_an_error_not_a_silent_default() {
        let cli = Cli {
            addr: None,
            config: Some("does/not/exist.toml".into()),
        };
        let err = Settings::from_figment(no_env(), &cli).unwrap_err();
        assert!(matches!(err, SettingsError::MissingFile(_)));
    }
}
