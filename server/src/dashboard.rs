//! The server's implementation of the pages' port (`app::api::port::DashboardPort`): reads the
//! session from the request, applies the absolute session expiry, and turns sign-ins into view data.

use std::sync::Arc;

use app::api::audit::{AuditEntry, AuditFilter};
use app::api::data::status::StatusBoard;
use app::api::joins::{JoinWrite, JoinsView, ResolvedTenant};
use app::api::port::{BoxFuture, DashboardPort};
use app::api::session::{SignedInTenant, TenantChoice};
use app::api::ApiError;
use app::mesh::model::{Mesh, ReadStatus};
use http::request::Parts;
use tower_sessions::Session;

use crate::auth::access::{Grant, ManageMto, Read, TenantAccess};
use crate::auth::flow::{is_same_origin, now, SignInService};
use crate::auth::roles::{self, Capability};
use crate::auth::session::{AuthSession, TenantSignIn};
use crate::error::Failure;
use crate::joins::Joins;
use crate::mesh::{MeshService, Source};
use crate::monitor::Monitor;
use crate::settings::Settings;
use crate::users::UsersService;

pub struct Dashboard {
    pub settings: Arc<Settings>,
    pub tenant_choices: Vec<TenantChoice>,
    pub sign_in: Arc<SignInService>,
    pub mesh: Arc<MeshService>,
    pub joins: Arc<Joins>,
    pub users: Arc<UsersService>,
    /// The app-only monitor: the `/status` board, and its readings of tenants a session is not
    /// signed in to.
    pub monitor: Arc<Monitor>,
    /// The directory audit events kept for the audit timeline.
    pub directory_audits: crate::directory_audits::DirectoryAudits,
    /// Configuration snapshots and the baseline (`/drift`).
    pub snapshots: crate::drift::store::Snapshots,
    /// Session meshes with the monitor's readings put in, per snapshot and monitor reading.
    pub merged: MergedMeshes,
    /// The monitor's open drift findings, as lately read from the database.
    pub open_drift: OpenDrift,
}

/// The monitor's open drift findings (`/` lists them with the mesh's), read from the database at
/// most once per [`OPEN_DRIFT_SECS`] and after every monitor run, instead of at every view: one
/// reading at a time, the other views wait for it.
#[derive(Default)]
pub struct OpenDrift(tokio::sync::Mutex<Option<DriftRead>>);

struct DriftRead {
    /// The monitor's reading when they were read: a run since then may have changed them.
    monitored: Option<Arc<Mesh>>,
    at: std::time::Instant,
    findings: Vec<app::mesh::health::Finding>,
}

/// How long the open drift findings read from the database are used (the mesh snapshot's age).
pub const OPEN_DRIFT_SECS: u64 = crate::mesh::service::MAX_AGE_SECS as u64;

impl OpenDrift {
    async fn get_or_read<F>(
        &self,
        monitored: Option<Arc<Mesh>>,
        read: impl FnOnce() -> F,
    ) -> Vec<app::mesh::health::Finding>
    where
        F: std::future::Future<Output = Vec<app::mesh::health::Finding>>,
    {
        let mut kept = self.0.lock().await;
        let same_run = |kept: &DriftRead| match (&kept.monitored, &monitored) {
            (Some(then), Some(now)) => Arc::ptr_eq(then, now),
            (None, None) => true,
            _ => false,
        };
        if let Some(kept) = kept.as_ref().filter(|kept| {
            same_run(kept) && kept.at.elapsed() < std::time::Duration::from_secs(OPEN_DRIFT_SECS)
        }) {
            return kept.findings.clone();
        }
        let findings = read().await;
        *kept = Some(DriftRead {
            monitored,
            at: std::time::Instant::now(),
            findings: findings.clone(),
        });
        findings
    }
}

/// The meshes [`Dashboard::with_monitor_readings`] made lately, by the session snapshot and the
/// monitor reading they were made from: the same pair is served to every page view for a few
/// seconds, and copying the mesh for each view cost more than the rest of the page.
pub type MergedMeshes = app::api::memo::Memo<(Arc<Mesh>, Arc<Mesh>), Mesh>;

/// Merged meshes kept (about one per set of sign-ins in use).
pub const MERGED_CAPACITY: usize = 32;

impl Dashboard {
    /// The session of a request; sessions older than the absolute limit are ended here.
    pub(crate) async fn session(&self, request: &Parts) -> Result<AuthSession, Failure> {
        let session = request
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| Failure::Internal("no session layer".into()))?;
        let auth = AuthSession(session);
        let created = auth.created_at().await?;
        if created
            .is_some_and(|created| now() - created > self.settings.session.absolute_hours * 3600)
        {
            auth.0.flush().await?;
            return Ok(AuthSession(
                request
                    .extensions
                    .get::<Session>()
                    .cloned()
                    .ok_or_else(|| Failure::Internal("no session layer".into()))?,
            ));
        }
        Ok(auth)
    }
}

impl Dashboard {
    /// A usable access token for a sign-in: refreshed (and stored) when about to expire; `None`, with
    /// the sign-in marked as needing a new sign-in, when it cannot be renewed.
    ///
    /// A refresh also reads the account's directory roles again, the way the sign-in callback does
    /// (`SignInService::directory_role_ids`), and stores them with the sign-in: a role removed in
    /// the tenant stops counting at the next refresh, not 12 hours after sign-in. When they cannot
    /// be read, the old ones are kept (with a warning). No token is handed out for a sign-in whose
    /// roles no longer allow reading.
    async fn fresh_tokens(
        &self,
        session: &AuthSession,
        sign_in: &mut TenantSignIn,
    ) -> Result<Option<graph::client::AccessToken>, Failure> {
        let tokens = match self.sign_in.fresh_tokens(sign_in, now()).await {
            Ok(Some(fresh)) => {
                if fresh != sign_in.tokens {
                    match self.sign_in.directory_role_ids(None, &fresh).await {
                        Ok(role_ids) => {
                            if role_ids != sign_in.role_ids {
                                tracing::info!(tenant = %sign_in.tenant_id, user = %sign_in.account.object_id, "directory roles changed since they were last read");
                            }
                            sign_in.role_ids = role_ids;
                        }
                        Err(error) => {
                            tracing::warn!(tenant = %sign_in.tenant_id, %error, "directory roles could not be read after a token refresh; keeping the ones read before");
                        }
                    }
                    sign_in.tokens = fresh.clone();
                    session.put_sign_in(sign_in.clone()).await?;
                }
                let known = roles::known_roles(sign_in.role_ids.iter().map(String::as_str));
                roles::capabilities(&known)
                    .contains(&Capability::Read)
                    .then_some(fresh)
            }
            Ok(None) => {
                if !sign_in.needs_sign_in {
                    sign_in.needs_sign_in = true;
                    session.put_sign_in(sign_in.clone()).await?;
                }
                None
            }
            Err(error) => {
                // The sign-in service is unreachable: keep the sign-in, try again next time.
                tracing::warn!(tenant = %sign_in.tenant_id, %error, "token refresh impossible for now");
                None
            }
        };
        Ok(tokens.map(|t| graph::client::AccessToken::new(t.access_token)))
    }

    pub(crate) fn tenant_name(&self, tenant: &str, sign_in: Option<&TenantSignIn>) -> String {
        self.tenant_choices
            .iter()
            .find(|c| c.tenant_id == tenant)
            .map(|c| c.display_name.clone())
            .or_else(|| sign_in.and_then(|s| s.tenant_name.clone()))
            .unwrap_or_else(|| tenant.to_owned())
    }

    /// Proof of capability `C` in `tenant` from this session's sign-in there.
    pub(crate) async fn access<C: Grant>(
        &self,
        session: &AuthSession,
        tenant: &str,
    ) -> Result<TenantAccess<C>, Failure> {
        let tenant = tenant
            .parse::<graph::TenantId>()
            .map_err(|e| ApiError::BadRequest(e.to_string()))?
            .to_string();
        let mut sign_in =
            session
                .sign_in_for(&tenant)
                .await?
                .ok_or_else(|| ApiError::NotSignedIn {
                    tenant: self.tenant_name(&tenant, None),
                })?;
        let name = self.tenant_name(&tenant, Some(&sign_in));
        // The role check comes first: no token is refreshed for someone who may not act.
        TenantAccess::<C>::grant(&name, &sign_in, graph::client::AccessToken::new(""))?;
        let token =
            self.fresh_tokens(session, &mut sign_in)
                .await?
                .ok_or(ApiError::NotSignedIn {
                    tenant: name.clone(),
                })?;
        Ok(TenantAccess::<C>::grant(&name, &sign_in, token)?)
    }

    /// Tenants this session may read.
    async fn readable(&self, session: &AuthSession) -> Result<Vec<(String, bool)>, Failure> {
        let sign_ins = session.sign_ins().await?;
        Ok(sign_ins
            .values()
            .filter_map(|s| {
                let known = roles::known_roles(s.role_ids.iter().map(String::as_str));
                let capabilities = roles::capabilities(&known);
                capabilities.contains(&Capability::Read).then(|| {
                    (
                        s.tenant_id.clone(),
                        capabilities.contains(&Capability::ManageMto),
                    )
                })
            })
            .collect())
    }

    /// Each sign-in that may read, with a fresh access token: refreshed when about to expire (and
    /// stored), or `None` after marking the sign-in as needing a new sign-in.
    pub(crate) async fn readers(&self, session: &AuthSession) -> Result<Vec<Source>, Failure> {
        let sign_ins = session.sign_ins().await?;
        let mut sources = Vec::new();
        for mut sign_in in sign_ins.into_values() {
            let known = roles::known_roles(sign_in.role_ids.iter().map(String::as_str));
            if !roles::capabilities(&known).contains(&Capability::Read) {
                continue;
            }
            let tokens = self.fresh_tokens(session, &mut sign_in).await?;
            sources.push(Source {
                tenant_id: sign_in.tenant_id.clone(),
                account: sign_in.account.object_id.clone(),
                token: tokens,
            });
        }
        Ok(sources)
    }
}

/// What the header shows for a sign-in.
pub fn view_of(sign_in: &TenantSignIn) -> SignedInTenant {
    let known = roles::known_roles(sign_in.role_ids.iter().map(String::as_str));
    let capabilities = roles::capabilities(&known);
    SignedInTenant {
        tenant_id: sign_in.tenant_id.clone(),
        tenant_name: sign_in
            .tenant_name
            .clone()
            .unwrap_or_else(|| sign_in.tenant_id.clone()),
        username: sign_in.account.username.clone(),
        display_name: sign_in.account.display_name.clone(),
        roles: known.iter().map(|role| role.name.to_owned()).collect(),
        can_manage: capabilities.contains(&Capability::ManageMto),
        can_operate_sync: capabilities.contains(&Capability::OperateSync),
        needs_sign_in: sign_in.needs_sign_in,
    }
}

impl DashboardPort for Dashboard {
    fn signed_in_tenants<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<Vec<SignedInTenant>, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let sign_ins = session.sign_ins().await.map_err(Failure::from)?;
            Ok(sign_ins
                .values()
                .map(|sign_in| {
                    let mut view = view_of(sign_in);
                    if let Some(choice) = self
                        .tenant_choices
                        .iter()
                        .find(|c| c.tenant_id == sign_in.tenant_id)
                    {
                        view.tenant_name = choice.display_name.clone();
                    }
                    view
                })
                .collect())
        })
    }

    fn tenant_choices(&self) -> Vec<TenantChoice> {
        self.tenant_choices.clone()
    }

    fn joins<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Result<JoinsView, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let sources = self.readers(&session).await?;
            let signed_in = self.readable(&session).await?;
            // From the snapshot, like the other pages: the page asks again every few seconds
            // (a transition finishing shows at the next reading), and "Refresh now" reads first.
            let mesh = self.mesh.snapshot(&sources, now(), false).await;
            let declines = self.joins.declines().await.map_err(Failure::from)?;
            Ok(Joins::view(&mesh, &signed_in, &declines))
        })
    }

    fn resolve_tenant<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        query: &'a graph::TenantRef,
    ) -> BoxFuture<'a, Result<ResolvedTenant, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let access = self.access::<Read>(&session, tenant).await?;
            Ok(self.joins.resolve(access.token(), query).await?)
        })
    }

    fn join_write<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        write: JoinWrite,
    ) -> BoxFuture<'a, Result<String, ApiError>> {
        Box::pin(async move {
            let (action, inputs) = (
                write.action(),
                serde_json::to_value(&write).unwrap_or_default(),
            );
            let result = async {
                if !is_same_origin(&request.headers, &self.sign_in.config.public_origin) {
                    return Err(ApiError::CrossOrigin);
                }
                let session = self.session(request).await?;
                let access = self.access::<ManageMto>(&session, tenant).await?;
                let sources = self.readers(&session).await?;
                let mesh = self.mesh.snapshot(&sources, now(), true).await;
                let result = self.joins.write(&access, &mesh, write, now()).await;
                self.mesh.invalidate();
                self.users.invalidate();
                Ok(result?)
            }
            .await;
            self.audit_refusal(request, &[tenant], action, inputs, result)
                .await
        })
    }

    fn refused<'a>(
        &'a self,
        request: &'a Parts,
        tenants: Vec<String>,
        action: app::api::audit::AuditAction,
        inputs: serde_json::Value,
        error: ApiError,
    ) -> BoxFuture<'a, ApiError> {
        Box::pin(async move {
            let tenants: Vec<&str> = tenants.iter().map(String::as_str).collect();
            match self
                .audit_refusal::<()>(request, &tenants, action, inputs, Err(error))
                .await
            {
                Err(error) => error,
                Ok(()) => ApiError::Internal {
                    reference: "a refusal was answered as a success".into(),
                },
            }
        })
    }

    fn audit<'a>(
        &'a self,
        request: &'a Parts,
        filter: AuditFilter,
    ) -> BoxFuture<'a, Result<Vec<AuditEntry>, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let visible: Vec<String> = self
                .readable(&session)
                .await?
                .into_iter()
                .map(|(tenant, _)| tenant)
                .collect();
            if visible.is_empty() {
                return Err(ApiError::NotSignedIn {
                    tenant: "a tenant".into(),
                });
            }
            self.joins
                .audit
                .query(&filter, &visible)
                .await
                .map_err(|e| ApiError::from(Failure::from(e)))
        })
    }

    fn timeline<'a>(
        &'a self,
        request: &'a Parts,
        filter: app::api::timeline::TimelineFilter,
        paged: bool,
    ) -> BoxFuture<'a, Result<app::api::timeline::TimelineView, ApiError>> {
        Box::pin(self.timeline_view(request, filter, paged))
    }

    fn users<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        filter: app::users::UserFilter,
        refresh: bool,
    ) -> BoxFuture<'a, Result<app::users::UsersView, ApiError>> {
        Box::pin(self.users_view(request, tenant, filter, refresh))
    }

    fn mesh<'a>(
        &'a self,
        request: &'a Parts,
        refresh: bool,
    ) -> BoxFuture<'a, Result<Option<Arc<Mesh>>, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let sources = self.readers(&session).await?;
            if sources.is_empty() {
                return Ok(None);
            }
            let mesh = self.mesh.snapshot(&sources, now(), refresh).await;
            Ok(Some(self.with_monitor_readings(mesh)))
        })
    }

    fn status<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Result<StatusBoard, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let readable: Vec<String> = self
                .readable(&session)
                .await?
                .into_iter()
                .map(|(tenant, _)| tenant)
                .collect();
            let monitored = self.monitor.latest_mesh();
            if !may_see_board(&readable, monitored.as_deref()) {
                return Err(ApiError::NotSignedIn {
                    tenant: "a tenant of the multitenant organization".into(),
                });
            }
            Ok(self.monitor.board(now()).await)
        })
    }

    fn diagnose_search<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Vec<app::diagnose::PersonMatch>, ApiError>> {
        Box::pin(self.diagnose_search_view(request, tenant, text))
    }

    fn diagnose_person<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        user: &'a str,
    ) -> BoxFuture<'a, Result<app::diagnose::PersonChoice, ApiError>> {
        Box::pin(self.diagnose_person_view(request, tenant, user))
    }

    fn diagnose<'a>(
        &'a self,
        request: &'a Parts,
        query: app::diagnose::DiagnoseQuery,
    ) -> BoxFuture<'a, Result<app::diagnose::Diagnosis, ApiError>> {
        Box::pin(self.diagnose_view(request, query))
    }

    fn drift_findings<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<Vec<app::mesh::health::Finding>, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let readable: Vec<String> = self
                .readable(&session)
                .await?
                .into_iter()
                .map(|(tenant, _)| tenant)
                .collect();
            // Whoever may see the monitor's board may see its drift.
            let monitored = self.monitor.latest_mesh();
            if !may_see_board(&readable, monitored.as_deref()) {
                return Ok(Vec::new());
            }
            Ok(self
                .open_drift
                .get_or_read(monitored, || self.monitor.open_drift())
                .await)
        })
    }

    fn drift<'a>(
        &'a self,
        request: &'a Parts,
        compare: Option<i64>,
    ) -> BoxFuture<'a, Result<app::drift::DriftView, ApiError>> {
        Box::pin(self.drift_view(request, compare))
    }

    fn take_snapshot<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<app::drift::SnapshotInfo, ApiError>> {
        Box::pin(self.drift_take_snapshot(request))
    }

    fn accept_baseline<'a>(
        &'a self,
        request: &'a Parts,
        snapshot: i64,
    ) -> BoxFuture<'a, Result<String, ApiError>> {
        Box::pin(self.drift_accept_baseline(request, snapshot))
    }

    fn compare_snapshots<'a>(
        &'a self,
        request: &'a Parts,
        older: i64,
        newer: i64,
    ) -> BoxFuture<'a, Result<app::drift::Comparison, ApiError>> {
        Box::pin(self.drift_compare(request, older, newer))
    }

    fn accept_drift<'a>(
        &'a self,
        request: &'a Parts,
        item: String,
    ) -> BoxFuture<'a, Result<String, ApiError>> {
        Box::pin(self.drift_accept_item(request, item))
    }

    fn restore_drift<'a>(
        &'a self,
        request: &'a Parts,
        item: String,
        compare: Option<i64>,
    ) -> BoxFuture<'a, Result<String, ApiError>> {
        Box::pin(self.drift_restore_item(request, item, compare))
    }

    fn import_snapshot<'a>(
        &'a self,
        request: &'a Parts,
        json: String,
    ) -> BoxFuture<'a, Result<app::drift::SnapshotInfo, ApiError>> {
        Box::pin(self.drift_import(request, json))
    }

    fn teardown_plan<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
    ) -> BoxFuture<'a, Result<app::drift::TeardownPlan, ApiError>> {
        Box::pin(self.drift_teardown_plan(request, tenant))
    }

    fn teardown_step<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        step: String,
    ) -> BoxFuture<'a, Result<String, ApiError>> {
        Box::pin(self.drift_teardown_step(request, tenant, step))
    }
}

impl Dashboard {
    /// The session's mesh, with the monitor's last reading of each tenant nobody in the session is
    /// signed in to (marked [`ReadStatus::ReadByMonitor`], with its time). Unchanged when the
    /// monitor is off or has not read those tenants.
    fn with_monitor_readings(&self, mesh: Arc<Mesh>) -> Arc<Mesh> {
        let Some(monitored) = self.monitor.latest_mesh() else {
            return mesh;
        };
        let adoptable: Vec<String> = mesh
            .nodes
            .iter()
            .filter(|node| node.read == ReadStatus::NotSignedIn)
            .filter(|node| {
                monitored
                    .node(&node.tenant_id)
                    .is_some_and(|read| read.side_known)
            })
            .map(|node| node.tenant_id.clone())
            .collect();
        if adoptable.is_empty() {
            return mesh;
        }
        let from = (Arc::clone(&mesh), Arc::clone(&monitored));
        self.merged.get_or_make(&from, || {
            let mut merged = (*mesh).clone();
            for tenant in &adoptable {
                adopt_monitor_side(&mut merged, &monitored, tenant);
            }
            merged
        })
    }
}

/// Puts `tenant`'s own side, as the monitor read it, into the session's `mesh`: its partner
/// settings, its sync configurations, and what its node says of the reading.
fn adopt_monitor_side(mesh: &mut Mesh, monitored: &Mesh, tenant: &str) {
    let Some(read) = monitored.node(tenant) else {
        return;
    };
    if let Some(node) = mesh.nodes.iter_mut().find(|n| n.tenant_id == tenant) {
        node.side_known = true;
        node.read = ReadStatus::ReadByMonitor;
        node.read_at = read.read_at;
        node.problems = read.problems.clone();
        node.restricted = read.restricted.clone();
        node.join_request = read.join_request.clone();
    }
    if let Some(partners) = monitored.partner_settings.get(tenant) {
        mesh.partner_settings
            .insert(tenant.to_owned(), partners.clone());
    }
    if let Some(sync) = monitored.sync.get(tenant) {
        mesh.sync.insert(tenant.to_owned(), sync.clone());
    }
}

/// Whether a session that may read `readable` tenants sees the board: it needs a read role in at
/// least one tenant of the organization the monitor reads. Before the monitor has read the
/// organization (or when it could read none of it, e.g. its credential is refused), any read role
/// will do: the board then says what went wrong, not tenant data.
pub(crate) fn may_see_board(readable: &[String], monitored: Option<&Mesh>) -> bool {
    if readable.is_empty() {
        return false;
    }
    let organization: Vec<&str> = monitored
        .map(|mesh| {
            mesh.nodes
                .iter()
                .filter(|node| node.in_mto())
                .map(|node| node.tenant_id.as_str())
                .collect()
        })
        .unwrap_or_default();
    organization.is_empty()
        || readable
            .iter()
            .any(|tenant| organization.contains(&tenant.as_str()))
}

/// `GET /audit/export.csv`: the audit entries the session may read, filtered like the page.
pub async fn export_audit(
    dashboard: Arc<Dashboard>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, _) = request.into_parts();
    let query = parts.uri.query().unwrap_or_default();
    let filter: AuditFilter = match serde_urlencoded_filter(query) {
        Ok(filter) => filter,
        Err(message) => return (http::StatusCode::BAD_REQUEST, message).into_response(),
    };
    match dashboard.audit(&parts, filter).await {
        Ok(entries) => (
            [
                (http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"tenant-mesh-audit.csv\"",
                ),
            ],
            app::api::audit::to_csv(&entries),
        )
            .into_response(),
        Err(error @ ApiError::NotSignedIn { .. }) => {
            (http::StatusCode::UNAUTHORIZED, error.to_string()).into_response()
        }
        Err(error) => (http::StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

fn serde_urlencoded_filter(query: &str) -> Result<AuditFilter, String> {
    let mut filter = AuditFilter::default();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = value.into_owned();
        let number = || {
            value
                .parse::<i64>()
                .map_err(|_| format!("{key} must be a Unix time in seconds"))
        };
        match key.as_ref() {
            "tenant" => filter.tenant = Some(value),
            "actor" => filter.actor = Some(value),
            "action" => filter.action = Some(value),
            "outcome" => filter.outcome = Some(value),
            "from" => filter.from = Some(number()?),
            "to" => filter.to = Some(number()?),
            _ => {}
        }
    }
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::mesh::model::{build, Reading};
    use app::mesh::view::TenantView;
    use std::collections::HashMap;

    const OWNER: &str = "11111111-1111-1111-1111-111111111111";
    const MEMBER: &str = "22222222-2222-2222-2222-222222222222";
    const OTHER: &str = "33333333-3333-3333-3333-333333333333";

    fn member(id: &str, name: &str, role: &str) -> serde_json::Value {
        serde_json::json!({
            "tenantId": id, "displayName": name, "addedDateTime": null, "joinedDateTime": null,
            "addedByTenantId": null, "role": role, "state": "active", "transitionDetails": null
        })
    }

    fn view(tenant: &str) -> TenantView {
        serde_json::from_value(serde_json::json!({
            "tenant_id": tenant,
            "organization": null,
            "members": [member(OWNER, "Owner", "owner"), member(MEMBER, "Member", "member")],
            "partners": [],
            "templates": null,
            "sync": [],
            "problems": [],
        }))
        .unwrap()
    }

    fn fresh(tenant: &str, at: i64) -> Reading {
        Reading {
            tenant_id: tenant.to_owned(),
            status: ReadStatus::Fresh,
            read_at: Some(at),
            view: Some(view(tenant)),
        }
    }

    fn mesh(readings: &[Reading], now: i64) -> Mesh {
        build(readings, &HashMap::new(), &HashMap::new(), now)
    }

    #[test]
    fn a_tenant_nobody_is_signed_in_to_takes_the_monitors_side_with_its_time() {
        let session = mesh(&[fresh(OWNER, 1_000)], 1_000);
        assert_eq!(
            session.node(MEMBER).map(|n| n.read.clone()),
            Some(ReadStatus::NotSignedIn)
        );
        let monitored = mesh(&[fresh(OWNER, 700), fresh(MEMBER, 700)], 700);

        let mut merged = session.clone();
        adopt_monitor_side(&mut merged, &monitored, MEMBER);

        let node = merged.node(MEMBER).unwrap();
        assert_eq!(node.read, ReadStatus::ReadByMonitor);
        assert!(node.side_known);
        assert_eq!(node.read_at, Some(700));
        assert!(merged.partner_settings.contains_key(MEMBER));
        assert!(merged.sync.contains_key(MEMBER));
        // The signed-in tenant keeps the session's own reading.
        assert_eq!(merged.node(OWNER), session.node(OWNER));
        assert_eq!(merged.taken_at, 1_000);
    }

    #[test]
    fn the_board_needs_a_read_role_in_a_tenant_of_the_organization() {
        let monitored = mesh(&[fresh(OWNER, 700)], 700);
        let ids = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(!may_see_board(&[], None));
        assert!(!may_see_board(&[], Some(&monitored)));
        assert!(may_see_board(&ids(&[OTHER]), None), "nothing read yet");
        assert!(may_see_board(&ids(&[MEMBER]), Some(&monitored)));
        assert!(!may_see_board(&ids(&[OTHER]), Some(&monitored)));
        let nothing_read = mesh(&[], 700);
        assert!(
            may_see_board(&ids(&[OTHER]), Some(&nothing_read)),
            "a monitor that read nothing says why to anyone with a read role"
        );
    }
}
