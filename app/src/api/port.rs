//! The server side of the pages, implemented by the `server` crate and provided as Leptos context.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::request::Parts;
use leptos::prelude::use_context;

use super::data::audit::{AuditEntry, AuditFilter};
use super::data::joins::{JoinWrite, JoinsView, ResolvedTenant};
use super::data::session::{SignedInTenant, TenantChoice};
use super::ApiError;
use crate::mesh::model::Mesh;
use crate::users::{UserFilter, UsersView};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait DashboardPort: Send + Sync + 'static {
    /// The sign-ins of the session the request belongs to.
    fn signed_in_tenants<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<Vec<SignedInTenant>, ApiError>>;

    /// The tenants offered on the sign-in page.
    fn tenant_choices(&self) -> Vec<TenantChoice>;

    /// The mesh as the session's sign-ins see it; `None` when signed in nowhere. `refresh` skips
    /// the few seconds of caching.
    fn mesh<'a>(
        &'a self,
        request: &'a Parts,
        refresh: bool,
    ) -> BoxFuture<'a, Result<Option<Arc<Mesh>>, ApiError>>;

    /// The `/joins` page: what each signed-in tenant may do about its MTO membership.
    fn joins<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Result<JoinsView, ApiError>>;

    /// Looks up a tenant by id or domain with the sign-in to `tenant`.
    fn resolve_tenant<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        query: &'a graph::TenantRef,
    ) -> BoxFuture<'a, Result<ResolvedTenant, ApiError>>;

    /// A write in `tenant`, checked, audited, made; returns what to tell the person.
    fn join_write<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        write: JoinWrite,
    ) -> BoxFuture<'a, Result<String, ApiError>>;

    /// Records a write refused before it reached the port (its form did not hold) in the audit
    /// log, under the session's sign-in to the first of `tenants` it has; answers the refusal.
    fn refused<'a>(
        &'a self,
        request: &'a Parts,
        tenants: Vec<String>,
        action: super::data::audit::AuditAction,
        inputs: serde_json::Value,
        error: ApiError,
    ) -> BoxFuture<'a, ApiError>;

    /// Audit entries of the tenants the session may read.
    fn audit<'a>(
        &'a self,
        request: &'a Parts,
        filter: AuditFilter,
    ) -> BoxFuture<'a, Result<Vec<AuditEntry>, ApiError>>;

    /// The audit timeline the session may read, `filter`ed (already checked): one page of it
    /// (`paged`), or every matching row (the exports). Reads what is new in the directory audit
    /// logs of the tenants the session may read them in first.
    fn timeline<'a>(
        &'a self,
        request: &'a Parts,
        filter: super::data::timeline::TimelineFilter,
        paged: bool,
    ) -> BoxFuture<'a, Result<super::data::timeline::TimelineView, ApiError>>;

    /// The `/users` page for `tenant` (any sign-in there that may read).
    fn users<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        filter: UserFilter,
        refresh: bool,
    ) -> BoxFuture<'a, Result<UsersView, ApiError>>;

    /// The `/status` board of the app-only monitor, for anyone signed in with a read role in at
    /// least one tenant; `NotSignedIn` otherwise.
    fn status<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<super::data::status::StatusBoard, ApiError>>;

    /// `/diagnose`: people of `tenant` (any sign-in there that may read) whose name, user
    /// principal name or mail starts with `text`.
    fn diagnose_search<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Vec<crate::diagnose::PersonMatch>, ApiError>>;

    /// `/diagnose`: a chosen person and the tenants they may be diagnosed for.
    fn diagnose_person<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        user: &'a str,
    ) -> BoxFuture<'a, Result<crate::diagnose::PersonChoice, ApiError>>;

    /// `/diagnose`: why a person may not be found in another tenant, read through the session's
    /// sign-ins (reads only).
    fn diagnose<'a>(
        &'a self,
        request: &'a Parts,
        query: crate::diagnose::DiagnoseQuery,
    ) -> BoxFuture<'a, Result<crate::diagnose::Diagnosis, ApiError>>;

    /// `/drift`: the stored snapshots, the baseline, and the live configuration's differences
    /// from the baseline (or from snapshot `compare`), read through the session's sign-ins.
    fn drift<'a>(
        &'a self,
        request: &'a Parts,
        compare: Option<i64>,
    ) -> BoxFuture<'a, Result<crate::drift::DriftView, ApiError>>;

    /// Takes a snapshot now through the session's sign-ins and stores it.
    fn take_snapshot<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<crate::drift::SnapshotInfo, ApiError>>;

    /// Makes stored snapshot `snapshot` the baseline (audited).
    fn accept_baseline<'a>(
        &'a self,
        request: &'a Parts,
        snapshot: i64,
    ) -> BoxFuture<'a, Result<String, ApiError>>;

    /// Two stored snapshots compared, the older first.
    fn compare_snapshots<'a>(
        &'a self,
        request: &'a Parts,
        older: i64,
        newer: i64,
    ) -> BoxFuture<'a, Result<crate::drift::Comparison, ApiError>>;

    /// Accepts one drift item (by id) into the baseline: the baseline takes the live value.
    fn accept_drift<'a>(
        &'a self,
        request: &'a Parts,
        item: String,
    ) -> BoxFuture<'a, Result<String, ApiError>>;

    /// Makes the Graph change that restores one drift item's reference value (the baseline's, or
    /// snapshot `compare`'s), checked against the role in that tenant and audited.
    fn restore_drift<'a>(
        &'a self,
        request: &'a Parts,
        item: String,
        compare: Option<i64>,
    ) -> BoxFuture<'a, Result<String, ApiError>>;

    /// Stores an uploaded snapshot (checked) to compare with the live state; nothing is applied.
    fn import_snapshot<'a>(
        &'a self,
        request: &'a Parts,
        json: String,
    ) -> BoxFuture<'a, Result<crate::drift::SnapshotInfo, ApiError>>;

    /// The teardown plan (a dry run) for `tenant`: what remains of its relationships on each side.
    fn teardown_plan<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
    ) -> BoxFuture<'a, Result<crate::drift::TeardownPlan, ApiError>>;

    /// Makes one step (by id) of `tenant`'s teardown plan, read again first; audited.
    fn teardown_step<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        step: String,
    ) -> BoxFuture<'a, Result<String, ApiError>>;

    /// The monitor's open drift findings, for a session that may see the monitor's board (shown
    /// with the mesh's findings); none otherwise.
    fn drift_findings<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<Vec<crate::mesh::health::Finding>, ApiError>>;
}

pub type Dashboard = Arc<dyn DashboardPort>;

/// The port and the current request, from the server function's context.
pub fn from_context() -> Result<(Dashboard, Parts), ApiError> {
    let port = use_context::<Dashboard>().ok_or_else(|| ApiError::Internal {
        reference: "no dashboard in context".into(),
    })?;
    let parts = use_context::<Parts>().ok_or_else(|| ApiError::Internal {
        reference: "no request in context".into(),
    })?;
    Ok((port, parts))
}
