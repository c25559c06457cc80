//! Emulator of Microsoft Graph and Entra sign-in for the multitenant-organization surface.
//!
//! Same URLs, JSON shapes, status codes and error envelopes as the real services (documented in
//! `microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/` and `concepts/`, the Graph
//! v1.0 metadata <https://graph.microsoft.com/v1.0/$metadata>, and `MicrosoftDocs/entra-docs`
//! `docs/identity-platform/` for sign-in), so the dashboard runs the same code against it as
//! against Microsoft. Mount [`Emulator::router`] in a process, or run the `emulator` binary.

pub mod clock;
pub mod control;
pub mod deleted_state;
pub mod demo_people;
pub mod directory_state;
pub mod entra;
pub mod error;
pub mod faults;
pub mod graph_api;
pub mod groups_state;
pub mod ids;
pub mod keys;
pub mod mto_state;
pub mod people_state;
pub mod policy_state;
pub mod request_log;
pub mod scenario;
pub mod scenario_file;
pub mod sync_state;
pub mod tls;
pub mod users_state;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::request::Parts;
use axum::Router;

pub use clock::Clock;
pub use scenario::Scenario;
pub use scenario_file::ScenarioFileError;

/// An authorization code waiting to be redeemed (single use, about 10 minutes).
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub tenant_id: String,
    pub object_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    pub scope: String,
    pub expires_at: i64,
    /// The multi-tenant authority the code was asked at (`organizations` or `common`), where it
    /// must be redeemed; `None` when it was asked at the account's own tenant.
    pub authority: Option<String>,
}

/// A refresh token's grant (rotated at each use).
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub tenant_id: String,
    pub object_id: String,
    pub client_id: String,
    pub scope: String,
}

/// Mutable state: the scenario and the sign-in grants in flight.
pub struct World {
    pub scenario: Scenario,
    /// The multitenant organizations (several may exist; a tenant is active in at most one).
    pub mto: mto_state::Organizations,
    /// Users, per tenant (ordered by creation; paging walks this order).
    pub users: HashMap<String, Vec<users_state::User>>,
    /// Security groups, per tenant (ordered by creation; paging walks this order).
    pub groups: HashMap<String, Vec<groups_state::Group>>,
    /// Cross-tenant access policies, per tenant.
    pub policies: HashMap<String, policy_state::TenantPolicies>,
    /// `joinRequest.addedByTenantId` per joining tenant, as last PATCHed.
    pub join_requests: HashMap<String, String>,
    /// Cross-tenant sync configurations, per source tenant.
    pub sync: HashMap<String, Vec<sync_state::Configuration>>,
    /// `/auditLogs/provisioning`, per tenant, oldest first.
    pub provisioning: HashMap<String, Vec<graph::sync::ProvisioningEntry>>,
    /// Deleted users kept 30 days (`/directory/deletedItems`), per tenant.
    pub deleted: deleted_state::DeletedItems,
    /// `/auditLogs/directoryAudits`, per tenant, oldest first.
    pub directory_audits: directory_state::DirectoryAudits,
    /// Organizational contacts and phone authentication methods.
    pub people: people_state::People,
    pub codes: HashMap<String, PendingCode>,
    /// Ids of refresh tokens already redeemed (each is single-use).
    pub used_refresh_tokens: HashSet<String>,
}

impl World {
    /// The scenario as it stands at `now`: organization, policies, users, groups, sync
    /// configurations that have run their cycles so far.
    pub fn new(scenario: Scenario, now: i64) -> Self {
        let users = users_state::for_scenario(&scenario);
        let mut world = Self {
            mto: mto_state::Organizations::from_scenario(&scenario),
            policies: policy_state::for_scenario(&scenario),
            groups: groups_state::for_scenario(&scenario, &users, now),
            users,
            scenario,
            join_requests: HashMap::new(),
            sync: HashMap::new(),
            provisioning: HashMap::new(),
            deleted: deleted_state::DeletedItems::default(),
            directory_audits: directory_state::DirectoryAudits::default(),
            people: people_state::People::default(),
            codes: HashMap::new(),
            used_refresh_tokens: HashSet::new(),
        };
        sync_state::for_scenario(&mut world, now);
        world
    }
}

pub struct Inner {
    pub world: Mutex<World>,
    pub clock: Clock,
    pub key: keys::SigningKey,
    /// Faults injected through the control API.
    pub faults: faults::Faults,
    /// Graph calls received (control API).
    pub requests: request_log::RequestLog,
    /// Fixed public base URL; when `None`, taken from each request's `Host`.
    pub base_url: Option<String>,
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct EmulatorState(pub Arc<Inner>);

impl EmulatorState {
    pub fn world(&self) -> MutexGuard<'_, World> {
        // A poisoned lock means a handler panicked mid-update; the state is still the best we have.
        self.0
            .world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The world, with every transition moved along to the emulator's current time.
    pub fn world_now(&self) -> MutexGuard<'_, World> {
        let now = self.clock().unix();
        let mut world = self.world();
        let World {
            mto,
            policies,
            scenario,
            ..
        } = &mut *world;
        mto_state::advance_world(mto, policies, scenario, now);
        sync_state::advance(&mut world, now);
        world
    }

    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    /// The emulator's base URL as the client reached it (e.g. `http://127.0.0.1:4000`, or
    /// `https://127.0.0.1:4443` for a request that came in on the HTTPS listener).
    pub fn base_url(&self, parts: &Parts) -> String {
        if let Some(base) = &self.0.base_url {
            return base.clone();
        }
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        let scheme = if parts.extensions.get::<tls::Https>().is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}")
    }
}

/// An emulator instance: state plus its router.
pub struct Emulator {
    state: EmulatorState,
    controls: bool,
}

impl Emulator {
    pub fn new(scenario: Scenario, clock: Clock) -> Result<Self, keys::KeyError> {
        Ok(Self::with_key(
            scenario,
            clock,
            keys::SigningKey::generate()?,
        ))
    }

    /// Signs with `key` (e.g. one kept across restarts) instead of a fresh one.
    pub fn with_key(scenario: Scenario, clock: Clock, key: keys::SigningKey) -> Self {
        Self {
            state: EmulatorState(Arc::new(Inner {
                world: Mutex::new(World::new(scenario, clock.unix())),
                clock,
                key,
                faults: faults::Faults::default(),
                requests: request_log::RequestLog::default(),
                base_url: None,
            })),
            controls: false,
        }
    }

    /// Mounts the `/_emulator/` controls (clock, reset): for demo and tests, never for anything else.
    pub fn with_controls(mut self) -> Self {
        self.controls = true;
        self
    }

    pub fn state(&self) -> &EmulatorState {
        &self.state
    }

    /// Graph under `/v1.0`, Entra sign-in under `/{tenant}/…`.
    pub fn router(&self) -> Router {
        let mut router = Router::new()
            .merge(graph_api::with_faults(&self.state))
            .merge(entra::routes());
        if self.controls {
            router = router.merge(control::routes());
        }
        router.with_state(self.state.clone())
    }

    /// Serves on `listener` until the process ends.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    /// Serves over TLS on `listener` until the process ends, with the server certificate of
    /// `identity` (clients trust `identity.ca_cert_pem`). The same state as [`Emulator::router`]:
    /// serve both from one emulator with `tls::serve(listener, emulator.router(), config)`.
    pub async fn serve_tls(
        self,
        listener: tokio::net::TcpListener,
        identity: &tls::TlsIdentity,
    ) -> std::io::Result<()> {
        let config = identity.server_config().map_err(std::io::Error::other)?;
        tls::serve(listener, self.router(), config).await
    }
}
