//! Assembles what the server needs from the settings: HTTP clients, the database, the session store,
//! the sign-in service. Used by `run` and by the integration tests alike.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::flow::{SignInConfig, SignInService};
use crate::auth::oidc::Oidc;
use crate::auth::store::{KeyError, SealedStore, SessionKeys};
use crate::backend::{insecure_cookies_allowed, Backend};
use crate::joins::Joins;
use crate::mesh::MeshService;
use crate::settings::Settings;
use crate::users::UsersService;
use crate::{router, store};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub backend: Arc<Backend>,
    pub sign_in: Arc<SignInService>,
    pub mesh: Arc<MeshService>,
    pub joins: Arc<Joins>,
    pub users: Arc<UsersService>,
    pub sessions: SealedStore,
    /// The dashboard's database (for `/readyz`; each service keeps its own handle).
    pub store: store::Store,
    pub monitor: Arc<crate::monitor::Monitor>,
    pub alerts: Arc<crate::alerts::Alerts>,
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Arc<SignInService> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.sign_in)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    #[error(transparent)]
    SessionKey(#[from] KeyError),
}

impl AppState {
    pub async fn new(settings: Settings, backend: Backend) -> Result<Self, StateError> {
        let store = store::open(&settings.database_url, settings.database_migrate).await?;
        let sessions = SealedStore::new(&store, SessionKeys::from_settings(&settings)?);

        // One client for Graph calls, one that never follows redirects for sign-in (SSRF); both
        // trust the configured CA (in demo mode the built-in emulator's) besides the usual roots.
        let cas = crate::backend::trusted_cas(&settings, &backend).map_err(StateError::Http)?;
        let graph_http = crate::backend::trusting(reqwest::Client::builder(), &cas)
            .user_agent(concat!("TenantMesh/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(settings.graph_timeout_secs))
            .build()
            .map_err(|err| StateError::Http(err.to_string()))?;
        let sign_in_http = crate::backend::trusting(reqwest::Client::builder(), &cas)
            .user_agent(concat!("TenantMesh/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|err| StateError::Http(err.to_string()))?;

        let public = settings.public_base_url();
        let metrics = Arc::new(crate::metrics::Metrics::new());
        let alerts = Arc::new(
            crate::alerts::Alerts::new(
                settings.alerts.clone(),
                &store,
                Arc::clone(&metrics),
                crate::alerts::http_client().map_err(|err| StateError::Http(err.to_string()))?,
                crate::alerts::AlertRetry::default(),
            )
            .with_public_url(&public),
        );
        alerts.resume().await;
        let sign_in = SignInService {
            config: SignInConfig {
                client_id: backend.client_id.clone(),
                client_secret: backend.client_secret.clone(),
                redirect_uri: format!("{public}/auth/callback"),
                public_origin: origin_of(&public),
            },
            oidc: Oidc::new(
                sign_in_http.clone(),
                &backend.login_base_url,
                &backend.client_id,
            ),
            http: sign_in_http,
            graph: graph::client::GraphClient::new(graph_http, &backend.graph_base_url)
                .with_observer(metrics.graph_observer("delegated")),
        };
        let names = backend
            .tenant_choices
            .iter()
            .map(|c| (c.tenant_id.clone(), c.display_name.clone()))
            .collect();
        let mesh = MeshService::new(sign_in.graph.clone(), names);
        let users = UsersService::new(sign_in.graph.clone());
        let monitor = crate::monitor::Monitor::from_settings(
            &settings,
            &backend,
            store.clone(),
            Arc::clone(&alerts),
            Arc::clone(&metrics),
        )
        .map_err(StateError::Http)?;
        let joins = Joins::new(sign_in.graph.clone(), &store);
        Ok(Self {
            leptos_options: router::leptos_options(&settings),
            settings: Arc::new(settings),
            backend: Arc::new(backend),
            sign_in: Arc::new(sign_in),
            mesh: Arc::new(mesh),
            joins: Arc::new(joins),
            users: Arc::new(users),
            sessions,
            store,
            monitor: Arc::new(monitor),
            alerts,
            metrics,
        })
    }

    /// The session cookie: HttpOnly, SameSite=Lax (Strict would drop it on the return from sign-in),
    /// Secure except for plain-http loopback in demo mode (and then named with the `__Host-` prefix:
    /// host-only, path `/`), ended after the idle time.
    pub fn session_layer(&self) -> SessionManagerLayer<SealedStore> {
        let secure = !insecure_cookies_allowed(&self.settings);
        SessionManagerLayer::new(self.sessions.clone())
            .with_name(session_cookie_name(secure))
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
                self.settings.session.idle_minutes,
            )))
    }
}

/// The session cookie's name: `__Host-` prefixed when the cookie is Secure (set without a domain,
/// path `/`), which the browser then keeps host-only.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-tenant_mesh_session"
    } else {
        "tenant_mesh_session"
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => parsed.origin().ascii_serialization(),
        Err(_) => url.trim_end_matches('/').to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secure_session_cookie_has_the_host_prefix() {
        assert_eq!(session_cookie_name(true), "__Host-tenant_mesh_session");
        assert_eq!(session_cookie_name(false), "tenant_mesh_session");
    }
}
