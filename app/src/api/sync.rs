//! The sync pages' server functions: the `/sync` list (from the mesh), a job's details on the pair
//! page, operator actions, fixes for blocked directions and the MTO templates. Every write names
//! the tenant it acts in; the server checks the capability there, audits it, and refuses
//! cross-origin calls.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::sync::list::{SyncQuery, SyncRow};
#[cfg(feature = "ssr")]
use crate::sync::templates::TemplateWrite;
use crate::sync::templates::Templates;
#[cfg(feature = "ssr")]
use crate::sync::SyncAction;
use crate::sync::{ActionResult, SyncDetail, UserMatch};

/// The `/sync` page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncList {
    pub taken_at: i64,
    /// Every configuration the session can see (before filtering), to fill the filters.
    pub total: usize,
    /// `(tenant id, name)` of the tenants in the rows, for the tenant filter.
    pub tenants: Vec<(String, String)>,
    pub rows: Vec<SyncRow>,
    /// Tenants whose configurations could not be read (not signed in, or failing).
    pub unread: Vec<String>,
    /// Why the signed-in roles may not see some tenants' configurations, one sentence each.
    #[serde(default)]
    pub restricted: Vec<String>,
}

#[cfg(feature = "ssr")]
pub mod port {
    use std::sync::Arc;

    use http::request::Parts;
    use leptos::prelude::use_context;

    use super::super::port::BoxFuture;
    use super::*;

    /// The server side of the sync pages, provided as Leptos context.
    pub trait SyncPort: Send + std::marker::Sync + 'static {
        fn sync_detail<'a>(
            &'a self,
            request: &'a Parts,
            source: &'a str,
            target: &'a str,
            log_outcome: Option<graph::sync::ProvisioningResult>,
        ) -> BoxFuture<'a, Result<SyncDetail, ApiError>>;

        /// An operator action on `source`'s job to `target`.
        fn sync_action<'a>(
            &'a self,
            request: &'a Parts,
            source: &'a str,
            target: &'a str,
            action: SyncAction,
        ) -> BoxFuture<'a, Result<ActionResult, ApiError>>;

        /// Applies fix `fix` of direction `from → to` in the tenant it belongs to.
        fn sync_fix<'a>(
            &'a self,
            request: &'a Parts,
            from: &'a str,
            to: &'a str,
            fix: &'a str,
        ) -> BoxFuture<'a, Result<String, ApiError>>;

        /// Users of `tenant` whose name or UPN starts with `text`.
        fn search_users<'a>(
            &'a self,
            request: &'a Parts,
            tenant: &'a str,
            text: &'a str,
        ) -> BoxFuture<'a, Result<Vec<UserMatch>, ApiError>>;

        fn templates<'a>(
            &'a self,
            request: &'a Parts,
            tenant: &'a str,
        ) -> BoxFuture<'a, Result<Templates, ApiError>>;

        fn template_write<'a>(
            &'a self,
            request: &'a Parts,
            tenant: &'a str,
            write: TemplateWrite,
        ) -> BoxFuture<'a, Result<String, ApiError>>;
    }

    pub type SyncPorts = Arc<dyn SyncPort>;

    pub fn from_context() -> Result<(SyncPorts, Parts), ApiError> {
        let port = use_context::<SyncPorts>().ok_or_else(|| ApiError::Internal {
            reference: "no sync service in context".into(),
        })?;
        let parts = use_context::<Parts>().ok_or_else(|| ApiError::Internal {
            reference: "no request in context".into(),
        })?;
        Ok((port, parts))
    }
}

#[cfg(feature = "ssr")]
fn tenant_id(text: &str) -> Result<String, ApiError> {
    text.parse::<graph::TenantId>()
        .map(|id| id.to_string())
        .map_err(|err| ApiError::BadRequest(err.to_string()))
}

#[cfg(feature = "ssr")]
fn pair(source: &str, target: &str) -> Result<(String, String), ApiError> {
    let (source, target) = (tenant_id(source)?, tenant_id(target)?);
    if source == target {
        return Err(ApiError::BadRequest(
            "A sync configuration needs two different tenants.".into(),
        ));
    }
    Ok((source, target))
}

/// The `/sync` page; `None` when signed in to no tenant.
#[server(endpoint = "sync/list")]
pub async fn get_sync_list(query: SyncQuery) -> Result<Option<SyncList>, ApiError> {
    let (port, parts) = super::port::from_context()?;
    let Some(mesh) = port.mesh(&parts, false).await? else {
        return Ok(None);
    };
    let findings = crate::mesh::health::findings(&mesh);
    let all = crate::sync::list::rows(&mesh, &findings);
    let mut tenants: Vec<(String, String)> = all
        .iter()
        .flat_map(|r| {
            [
                (r.source.clone(), r.source_name.clone()),
                (r.target.clone(), r.target_name.clone()),
            ]
        })
        .collect();
    tenants.sort_by(|a, b| a.1.cmp(&b.1));
    tenants.dedup();
    let sync_restriction = |n: &crate::mesh::model::Node| {
        n.restricted
            .iter()
            .find(|r| r.part == crate::mesh::view::part::SYNC)
            .map(|r| r.sentence(&n.name))
    };
    let unread = mesh
        .nodes
        .iter()
        .filter(|n| {
            n.read != crate::mesh::model::ReadStatus::NotSignedIn
                && !mesh.sync.contains_key(&n.tenant_id)
                && sync_restriction(n).is_none()
        })
        .map(|n| n.name.clone())
        .collect();
    let restricted = mesh.nodes.iter().filter_map(sync_restriction).collect();
    Ok(Some(SyncList {
        taken_at: mesh.taken_at,
        total: all.len(),
        tenants,
        rows: crate::sync::list::select(all, &query),
        unread,
        restricted,
    }))
}

/// The sync section of the pair page for `source → target`.
#[server(endpoint = "sync/detail")]
pub async fn get_sync_detail(
    source: String,
    target: String,
    outcome: Option<String>,
) -> Result<SyncDetail, ApiError> {
    let (source, target) = pair(&source, &target)?;
    let outcome = crate::sync::log_outcome(outcome.as_deref())?;
    let (port, parts) = port::from_context()?;
    port.sync_detail(&parts, &source, &target, outcome).await
}

#[cfg(feature = "ssr")]
async fn act(source: String, target: String, action: SyncAction) -> Result<ActionResult, ApiError> {
    let inputs = serde_json::json!({ "source": &source, "target": &target, "action": &action });
    let (source, target) =
        super::checked(&source, action.action(), inputs, pair(&source, &target)).await?;
    let (port, parts) = port::from_context()?;
    port.sync_action(&parts, &source, &target, action).await
}

/// Starts `source`'s job to `target` (also clears a quarantine).
#[server(endpoint = "sync/start")]
pub async fn start_sync(source: String, target: String) -> Result<ActionResult, ApiError> {
    act(source, target, SyncAction::Start).await
}

/// Pauses `source`'s job to `target`.
#[server(endpoint = "sync/pause")]
pub async fn pause_sync(source: String, target: String) -> Result<ActionResult, ApiError> {
    act(source, target, SyncAction::Pause).await
}

/// Restarts `source`'s job to `target`, resetting `reset_scope`.
#[server(endpoint = "sync/restart")]
pub async fn restart_sync(
    source: String,
    target: String,
    reset_scope: String,
) -> Result<ActionResult, ApiError> {
    act(source, target, SyncAction::Restart { reset_scope }).await
}

/// Provisions one user of `source` into `target` now.
#[server(endpoint = "sync/provision-on-demand")]
pub async fn provision_on_demand(
    source: String,
    target: String,
    user_id: String,
) -> Result<ActionResult, ApiError> {
    act(source, target, SyncAction::ProvisionOnDemand { user_id }).await
}

/// Applies one fix of a blocked direction, in the tenant whose settings change.
#[server(endpoint = "sync/fix")]
pub async fn apply_sync_fix(from: String, to: String, fix: String) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "from": &from, "to": &to, "fix": &fix });
    let (from, to) = super::checked(
        &to,
        crate::api::audit::AuditAction::ApplyFix,
        inputs,
        pair(&from, &to),
    )
    .await?;
    let (port, parts) = port::from_context()?;
    port.sync_fix(&parts, &from, &to, &fix).await
}

/// Users of `tenant` for provision on demand.
#[server(endpoint = "sync/users")]
pub async fn search_users(tenant: String, text: String) -> Result<Vec<UserMatch>, ApiError> {
    let tenant = tenant_id(&tenant)?;
    let text = text.trim().to_owned();
    if text.chars().count() < 2 {
        return Err(ApiError::BadRequest(
            "Type at least two letters of a name or user principal name.".into(),
        ));
    }
    graph::limits::check("The search text", &text, graph::limits::SEARCH_TEXT)
        .map_err(ApiError::BadRequest)?;
    let (port, parts) = port::from_context()?;
    port.search_users(&parts, &tenant, &text).await
}

/// Both MTO templates of `tenant`.
#[server(endpoint = "sync/templates")]
pub async fn get_templates(tenant: String) -> Result<Templates, ApiError> {
    let tenant = tenant_id(&tenant)?;
    let (port, parts) = port::from_context()?;
    port.templates(&parts, &tenant).await
}

#[cfg(feature = "ssr")]
async fn write(tenant: String, write: TemplateWrite) -> Result<String, ApiError> {
    let inputs = serde_json::to_value(&write).unwrap_or_default();
    let checks = tenant_id(&tenant).and_then(|tenant| match &write {
        TemplateWrite::Save(form) => form.bodies().map(|_| tenant).map_err(ApiError::BadRequest),
        TemplateWrite::Reset => Ok(tenant),
    });
    let tenant = super::checked(&tenant, write.action(), inputs, checks).await?;
    let (port, parts) = port::from_context()?;
    port.template_write(&parts, &tenant, write).await
}

pub use save::*;

/// The templates' form has one field per value: more arguments than clippy likes.
#[allow(clippy::too_many_arguments)]
mod save {
    use super::*;

    /// Saves `tenant`'s MTO templates (values `on`, `off` or `unset`).
    #[server(endpoint = "sync/templates/save")]
    pub async fn save_templates(
        tenant: String,
        partner_level: String,
        redeem_inbound: String,
        redeem_outbound: String,
        trust_mfa: String,
        trust_compliant_device: String,
        trust_hybrid_joined_device: String,
        sync_level: String,
        inbound_sync: String,
    ) -> Result<String, ApiError> {
        let form = crate::sync::templates::TemplateForm {
            partner_level,
            redeem_inbound,
            redeem_outbound,
            trust_mfa,
            trust_compliant_device,
            trust_hybrid_joined_device,
            sync_level,
            inbound_sync,
        };
        write(tenant, TemplateWrite::Save(form)).await
    }
}

/// Resets both of `tenant`'s MTO templates to their defaults.
#[server(endpoint = "sync/templates/reset")]
pub async fn reset_templates(tenant: String) -> Result<String, ApiError> {
    write(tenant, TemplateWrite::Reset).await
}
