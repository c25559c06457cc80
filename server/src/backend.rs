//! Where the dashboard's sign-in and Graph traffic goes, and with which app registration. This is the
//! only place that differs between demo and entra mode: base URLs and credentials.

use crate::secret::Secret;
use crate::settings::{DemoScenario, Mode, Settings};

/// The resolved upstreams and credentials.
#[derive(Debug, Clone)]
pub struct Backend {
    /// e.g. `https://login.microsoftonline.com`.
    pub login_base_url: String,
    /// e.g. `https://graph.microsoft.com`.
    pub graph_base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Tenants offered on the sign-in page.
    pub tenant_choices: Vec<app::api::session::TenantChoice>,
    /// The built-in emulator's control API, in demo mode only (reset of the demo data).
    pub demo_controls: Option<String>,
    /// Where the app-only monitor asks for tokens: always `https` (`azure_identity` refuses other
    /// authority hosts), e.g. `https://login.microsoftonline.com`.
    pub monitor_login_base_url: String,
    /// Where the app-only monitor reads Graph, e.g. `https://graph.microsoft.com`.
    pub monitor_graph_base_url: String,
    /// A CA certificate (PEM) to trust besides the usual roots: in demo mode the built-in
    /// emulator's generated CA. A file named by `monitor.ca_certificate` is added to it by
    /// [`trusted_cas`].
    pub ca_pem: Option<String>,
}

/// The demo app registration of the built-in scenario (design.md, "Demo scenario").
pub const DEMO_CLIENT_ID: &str = "3f1c2b9e-6a7d-4e8f-9b0a-5c4d3e2f1a0b";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret-not-for-production";

impl Backend {
    /// Microsoft Entra and Graph, with the app registration from the settings (validated at load).
    pub fn entra(settings: &Settings) -> Self {
        Self {
            login_base_url: settings
                .entra
                .login_base_url
                .trim_end_matches('/')
                .to_owned(),
            graph_base_url: settings
                .entra
                .graph_base_url
                .trim_end_matches('/')
                .to_owned(),
            client_id: settings.entra.client_id.clone().unwrap_or_default(),
            client_secret: settings
                .entra
                .client_secret
                .clone()
                .unwrap_or_else(|| Secret::new("")),
            tenant_choices: Vec::new(),
            demo_controls: None,
            monitor_login_base_url: settings
                .entra
                .login_base_url
                .trim_end_matches('/')
                .to_owned(),
            monitor_graph_base_url: settings
                .entra
                .graph_base_url
                .trim_end_matches('/')
                .to_owned(),
            ca_pem: None,
        }
    }

    /// The emulator at `base_url` (both sign-in and Graph), with the demo app registration.
    pub fn emulator(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/').to_owned();
        Self {
            login_base_url: base.clone(),
            graph_base_url: base.clone(),
            client_id: DEMO_CLIENT_ID.to_owned(),
            client_secret: Secret::new(DEMO_CLIENT_SECRET),
            tenant_choices: Vec::new(),
            demo_controls: None,
            monitor_login_base_url: base.clone(),
            monitor_graph_base_url: base,
            ca_pem: None,
        }
    }

    /// The monitor's traffic to the same emulator served over HTTPS at `https_base_url`, whose
    /// server certificate `ca_pem` signed.
    pub fn with_monitor_tls(mut self, https_base_url: &str, ca_pem: &str) -> Self {
        let base = https_base_url.trim_end_matches('/').to_owned();
        self.monitor_login_base_url = base.clone();
        self.monitor_graph_base_url = base;
        self.ca_pem = Some(ca_pem.to_owned());
        self
    }
}

/// The CA certificates to trust besides the usual roots: the backend's (the built-in emulator's in
/// demo mode) and those of the PEM file `monitor.ca_certificate` names, if any.
pub fn trusted_cas(
    settings: &Settings,
    backend: &Backend,
) -> Result<Vec<reqwest::Certificate>, String> {
    let mut cas = Vec::new();
    if let Some(pem) = &backend.ca_pem {
        cas.extend(parse_cas(pem.as_bytes(), "the built-in emulator's CA")?);
    }
    if let Some(path) = &settings.monitor.ca_certificate {
        let pem = std::fs::read(path)
            .map_err(|err| format!("monitor.ca_certificate {}: {err}", path.display()))?;
        cas.extend(parse_cas(
            &pem,
            &format!("monitor.ca_certificate {}", path.display()),
        )?);
    }
    Ok(cas)
}

/// The certificates of a PEM bundle; at least one.
fn parse_cas(pem: &[u8], what: &str) -> Result<Vec<reqwest::Certificate>, String> {
    let cas = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|err| format!("{what} is not a PEM certificate: {err}"))?;
    if cas.is_empty() {
        return Err(format!("{what} holds no PEM certificate"));
    }
    Ok(cas)
}

/// `builder` trusting `cas` besides its usual roots.
pub fn trusting(
    builder: reqwest::ClientBuilder,
    cas: &[reqwest::Certificate],
) -> reqwest::ClientBuilder {
    cas.iter()
        .cloned()
        .fold(builder, reqwest::ClientBuilder::add_root_certificate)
}

/// The monitor's HTTP client, for Graph and for `azure_identity`'s token requests: trusts
/// [`trusted_cas`], never follows redirects, and gives up on a call after `graph_timeout_secs`.
pub fn monitor_http_client(
    settings: &Settings,
    backend: &Backend,
) -> Result<reqwest::Client, String> {
    let builder = reqwest::Client::builder()
        .user_agent(concat!("TenantMesh-monitor/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(settings.graph_timeout_secs));
    trusting(builder, &trusted_cas(settings, backend)?)
        .build()
        .map_err(|err| format!("cannot build the monitor's HTTP client: {err}"))
}

/// Whether session cookies may go without `Secure`: only for plain http on loopback in demo mode.
pub fn insecure_cookies_allowed(settings: &Settings) -> bool {
    let base = settings.public_base_url();
    settings.mode == Mode::Demo
        && (base.starts_with("http://127.")
            || base.starts_with("http://localhost")
            || base.starts_with("http://[::1]"))
}

/// The emulator's scenario for a [`DemoScenario`]: its demo, or `scale:N:M` with its mesh.
pub fn emulator_scenario(scenario: DemoScenario) -> emulator::Scenario {
    match scenario {
        DemoScenario::Demo => emulator::Scenario::demo(),
        DemoScenario::Scale { tenants, users } => emulator::Scenario::scale_meshed(tenants, users),
    }
}

/// Starts the built-in emulator with `scenario` (the `scenario` setting) on a loopback port and
/// returns the backend pointing at it; its signing key is kept in `key_path`. The same emulator
/// (one state) also listens over HTTPS on another loopback port with a CA made at start, for the
/// monitor (`azure_identity` asks only `https` authorities). The emulator runs on the server's
/// runtime until the process ends; its reset (`POST /demo/reset`) goes back to the same scenario.
pub async fn start_emulator(
    key_path: &std::path::Path,
    chosen: DemoScenario,
) -> Result<Backend, String> {
    let scenario = emulator_scenario(chosen);
    // The signing key is kept next to the database, so that the tokens held in sessions stay
    // valid when the dashboard (and with it the emulator) restarts.
    let key = emulator::keys::SigningKey::load_or_generate(key_path).map_err(|e| e.to_string())?;
    let emulator = emulator::Emulator::with_key(scenario.clone(), emulator::Clock::real(), key)
        .with_controls();
    tracing::info!(scenario = %chosen, tenants = scenario.tenants.len(), "demo scenario loaded");
    serve_emulator(emulator, &scenario).await
}

/// [`start_emulator`] with the demo scenario.
pub async fn start_demo_emulator(key_path: &std::path::Path) -> Result<Backend, String> {
    start_emulator(key_path, DemoScenario::Demo).await
}

/// Serves `emulator` (loaded with `scenario`) on two loopback ports, http and https (one state; a
/// CA generated for the https one), and returns the backend pointing at it: sign-in and Graph over
/// http, the monitor over https trusting that CA, the scenario's tenants offered at sign-in.
pub async fn serve_emulator(
    emulator: emulator::Emulator,
    scenario: &emulator::Scenario,
) -> Result<Backend, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (https_addr, ca_pem) = serve_tls(emulator.router()).await?;
    tokio::spawn(async move {
        if let Err(err) = emulator.serve(listener).await {
            tracing::error!(%err, "the built-in emulator stopped");
        }
    });
    tracing::info!("built-in emulator at http://{addr} and https://{https_addr}");
    let choices = scenario
        .tenants
        .iter()
        .map(|tenant| app::api::session::TenantChoice {
            tenant_id: tenant.id.clone(),
            display_name: tenant.display_name.clone(),
            domain: tenant.default_domain().to_owned(),
        })
        .collect();
    Ok(Backend {
        tenant_choices: choices,
        demo_controls: Some(format!("http://{addr}/_emulator")),
        ..Backend::emulator(&format!("http://{addr}"))
            .with_monitor_tls(&format!("https://{https_addr}"), &ca_pem)
    })
}

/// Serves `router` (the built-in emulator's) over TLS on a loopback port with a freshly generated
/// CA; returns the address and the CA's PEM.
async fn serve_tls(router: axum::Router) -> Result<(std::net::SocketAddr, String), String> {
    let identity = emulator::tls::TlsIdentity::generate().map_err(|e| e.to_string())?;
    let config = identity.server_config().map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        if let Err(err) = emulator::tls::serve(listener, router, config).await {
            tracing::error!(%err, "the built-in emulator's HTTPS listener stopped");
        }
    });
    Ok((addr, identity.ca_cert_pem))
}

/// `POST /demo/reset` (demo mode only, same origin): the built-in emulator back to its scenario
/// (the `scenario` setting) as it starts — for trying things out again, and for browser tests
/// that change it.
pub async fn reset_demo(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    headers: http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(controls) = state.backend.demo_controls.clone() else {
        return http::StatusCode::NOT_FOUND.into_response();
    };
    if !crate::auth::flow::is_same_origin(&headers, &state.sign_in.config.public_origin) {
        return (
            http::StatusCode::FORBIDDEN,
            "Refused: not from Tenant Mesh's own pages.",
        )
            .into_response();
    }
    match state
        .sign_in
        .http
        .post(format!("{controls}/reset"))
        .send()
        .await
    {
        Ok(response) if response.status().is_success() => {
            state.mesh.invalidate();
            state.users.invalidate();
            tracing::info!("demo data reset");
            // The monitor's reading describes the data before the reset: read again now, so that
            // the status board and the pages it fills agree with the demo as it is.
            if state.monitor.enabled() {
                if let Err(error) = state.monitor.run_once(crate::auth::flow::now()).await {
                    tracing::warn!(%error, "the monitor run after the demo reset failed");
                }
            }
            http::StatusCode::NO_CONTENT.into_response()
        }
        Ok(response) => (
            http::StatusCode::BAD_GATEWAY,
            format!("the emulator answered {}", response.status()),
        )
            .into_response(),
        Err(error) => (
            http::StatusCode::BAD_GATEWAY,
            format!("the emulator could not be reached: {error}"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_cookies_except_demo_on_loopback_http() {
        let demo = Settings::default();
        assert!(insecure_cookies_allowed(&demo));
        let public = Settings {
            public_url: Some("https://mesh.contoso.com".into()),
            ..Settings::default()
        };
        assert!(!insecure_cookies_allowed(&public));
        let entra = Settings {
            mode: Mode::Entra,
            ..Settings::default()
        };
        assert!(!insecure_cookies_allowed(&entra));
    }

    #[test]
    fn the_scenario_setting_picks_the_emulators_scenario() {
        let demo = emulator_scenario(DemoScenario::Demo);
        assert_eq!(demo, emulator::Scenario::demo());
        let scale = emulator_scenario(DemoScenario::Scale {
            tenants: 100,
            users: 300,
        });
        assert_eq!(scale.tenants.len(), 100);
        assert_eq!(scale.tenants[0].display_name, "Tenant 001");
        assert_eq!(Some(scale), emulator::Scenario::named("scale:100:300"));
    }
}
