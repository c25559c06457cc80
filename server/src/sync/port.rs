//! The server's implementation of the sync pages' port: the session's sign-ins become capability
//! proofs for the tenant each operation acts in; the mesh tells which job and which fixes exist.

use std::sync::Arc;

use app::api::audit::AuditAction;
use app::api::port::BoxFuture;
use app::api::sync::port::SyncPort;
use app::api::{tenant_id, ApiError};
use app::sync::fix::{self, Fix};
use app::sync::templates::{TemplateWrite, Templates};
use app::sync::{ActionResult, Permissions, SyncAction, SyncDetail, UserMatch};
use http::request::Parts;

use super::SyncService;
use crate::auth::access::{ManageMto, OperateSync, Read};
use crate::auth::flow::{is_same_origin, now};
use crate::dashboard::Dashboard;

pub struct SyncPages {
    pub dashboard: Arc<Dashboard>,
    pub service: SyncService,
}

impl SyncPages {
    fn same_origin(&self, request: &Parts) -> Result<(), ApiError> {
        if is_same_origin(
            &request.headers,
            &self.dashboard.sign_in.config.public_origin,
        ) {
            Ok(())
        } else {
            Err(ApiError::CrossOrigin)
        }
    }

    /// Finds the fix again from a fresh reading and applies it.
    async fn apply_fix(
        &self,
        request: &Parts,
        from: &str,
        to: &str,
        fix_id: &str,
    ) -> Result<String, ApiError> {
        self.same_origin(request)?;
        let dashboard = &self.dashboard;
        let session = dashboard.session(request).await?;
        // A fix is made in one of the two tenants: a session that may change neither is refused
        // first (its role may not even read the settings the fix would be found in).
        if let Err(refusal) = dashboard.access::<ManageMto>(&session, to).await {
            dashboard
                .access::<ManageMto>(&session, from)
                .await
                .map_err(|_| refusal)?;
        }
        let sources = dashboard.readers(&session).await?;
        // Derived again from a fresh reading: only what is still needed is made.
        let mesh = dashboard.mesh.snapshot(&sources, now(), true).await;
        let fix = fix::fixes(&mesh, &tenant_id(from)?, &tenant_id(to)?)
            .into_iter()
            .find(|f| f.id == fix_id)
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "Nothing to fix there any more for {} → {} (“{fix_id}”): the settings already allow it, or are unknown.",
                    mesh.name(from),
                    mesh.name(to)
                ))
            })?;
        let access = dashboard
            .access::<ManageMto>(&session, fix.tenant.as_str())
            .await?;
        let result = self.service.apply_fix(&access, &fix, from, to, now()).await;
        dashboard.mesh.invalidate();
        Ok(result?)
    }
}

impl SyncPort for SyncPages {
    fn sync_detail<'a>(
        &'a self,
        request: &'a Parts,
        source: &'a str,
        target: &'a str,
        log_outcome: Option<graph::sync::ProvisioningResult>,
    ) -> BoxFuture<'a, Result<SyncDetail, ApiError>> {
        Box::pin(async move {
            let dashboard = &self.dashboard;
            let session = dashboard.session(request).await?;
            let sources = dashboard.readers(&session).await?;
            if sources.is_empty() {
                return Err(ApiError::NotSignedIn {
                    tenant: dashboard.tenant_name(source, None),
                });
            }
            let mesh = dashboard.mesh.snapshot(&sources, now(), false).await;
            // Without a sign-in to a side, that side is simply not read (not an error).
            let source_access = dashboard.access::<Read>(&session, source).await.ok();
            let target_access = dashboard.access::<Read>(&session, target).await.ok();
            let permissions = Permissions {
                operate: dashboard
                    .access::<OperateSync>(&session, source)
                    .await
                    .is_ok(),
            };
            let mut fixes: Vec<(Fix, bool)> = Vec::new();
            for fix in fix::fixes(&mesh, &tenant_id(source)?, &tenant_id(target)?) {
                let allowed = dashboard
                    .access::<ManageMto>(&session, fix.tenant.as_str())
                    .await
                    .is_ok();
                fixes.push((fix, allowed));
            }
            Ok(self
                .service
                .detail(
                    &mesh,
                    source,
                    target,
                    source_access.as_ref(),
                    target_access.as_ref(),
                    log_outcome,
                    permissions,
                    fixes,
                )
                .await)
        })
    }

    fn sync_action<'a>(
        &'a self,
        request: &'a Parts,
        source: &'a str,
        target: &'a str,
        action: SyncAction,
    ) -> BoxFuture<'a, Result<ActionResult, ApiError>> {
        Box::pin(async move {
            let (audited, inputs) = (
                action.action(),
                serde_json::json!({"target": target, "action": &action}),
            );
            let result = async {
                self.same_origin(request)?;
                let dashboard = &self.dashboard;
                let session = dashboard.session(request).await?;
                let access = dashboard.access::<OperateSync>(&session, source).await?;
                let sources = dashboard.readers(&session).await?;
                // Only the job's ids are needed: the few seconds' cached snapshot has them.
                let mesh = dashboard.mesh.snapshot(&sources, now(), false).await;
                let result = self
                    .service
                    .act(&access, &mesh, tenant_id(target)?.as_str(), action, now())
                    .await;
                dashboard.mesh.invalidate();
                Ok(result?)
            }
            .await;
            self.dashboard
                .audit_refusal(request, &[source, target], audited, inputs, result)
                .await
        })
    }

    fn sync_fix<'a>(
        &'a self,
        request: &'a Parts,
        from: &'a str,
        to: &'a str,
        fix_id: &'a str,
    ) -> BoxFuture<'a, Result<String, ApiError>> {
        Box::pin(async move {
            let result = self.apply_fix(request, from, to, fix_id).await;
            let inputs = serde_json::json!({"fix": fix_id, "from": from, "to": to});
            self.dashboard
                .audit_refusal(request, &[to, from], AuditAction::ApplyFix, inputs, result)
                .await
        })
    }

    fn search_users<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Vec<UserMatch>, ApiError>> {
        Box::pin(async move {
            let session = self.dashboard.session(request).await?;
            let access = self.dashboard.access::<Read>(&session, tenant).await?;
            Ok(self.service.search_users(&access, text).await?)
        })
    }

    fn templates<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
    ) -> BoxFuture<'a, Result<Templates, ApiError>> {
        Box::pin(async move {
            let dashboard = &self.dashboard;
            let session = dashboard.session(request).await?;
            let access = dashboard.access::<Read>(&session, tenant).await?;
            let may_edit = dashboard
                .access::<ManageMto>(&session, tenant)
                .await
                .is_ok();
            let name = dashboard.tenant_name(tenant, None);
            Ok(self.service.templates(&access, &name, may_edit).await?)
        })
    }

    fn template_write<'a>(
        &'a self,
        request: &'a Parts,
        tenant: &'a str,
        write: TemplateWrite,
    ) -> BoxFuture<'a, Result<String, ApiError>> {
        Box::pin(async move {
            let (action, inputs) = (
                write.action(),
                serde_json::to_value(&write).unwrap_or_default(),
            );
            let result = async {
                self.same_origin(request)?;
                let dashboard = &self.dashboard;
                let session = dashboard.session(request).await?;
                let access = dashboard.access::<ManageMto>(&session, tenant).await?;
                let name = dashboard.tenant_name(tenant, None);
                let result = self
                    .service
                    .write_templates(&access, &name, &write, now())
                    .await;
                dashboard.mesh.invalidate();
                Ok(result?)
            }
            .await;
            self.dashboard
                .audit_refusal(request, &[tenant], action, inputs, result)
                .await
        })
    }
}
