//! The mesh pages' server functions: the snapshot from the server's mesh service, projected into
//! what each page shows (plain functions in `crate::mesh`).

use leptos::prelude::*;

use super::ApiError;
use crate::mesh::{Overview, PairDetail, TenantDetail};

#[cfg(feature = "ssr")]
fn tenant_id(text: &str) -> Result<String, ApiError> {
    text.parse::<graph::TenantId>()
        .map(|id| id.to_string())
        .map_err(|err| ApiError::BadRequest(err.to_string()))
}

/// The overviews made lately, by the snapshot they were made from: every view of a snapshot (the
/// page asks every few seconds, and many people may look at once) gets the one made at its first
/// view instead of laying out the picture and finding the problems again.
#[cfg(feature = "ssr")]
mod overviews {
    use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

    use crate::mesh::model::Mesh;
    use crate::mesh::Overview;

    /// Snapshots kept (about one a set of sign-ins in use).
    const CAPACITY: usize = 32;

    /// Each entry keeps the snapshot it was made from: a match by pointer is a match by content.
    static MADE: Mutex<Vec<(Arc<Mesh>, Arc<Overview>)>> = Mutex::new(Vec::new());

    fn made() -> MutexGuard<'static, Vec<(Arc<Mesh>, Arc<Overview>)>> {
        MADE.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn of(mesh: &Arc<Mesh>) -> Arc<Overview> {
        let found = made()
            .iter()
            .find(|(from, _)| Arc::ptr_eq(from, mesh))
            .map(|(_, overview)| Arc::clone(overview));
        if let Some(overview) = found {
            return overview;
        }
        let overview = Arc::new(crate::mesh::overview(mesh));
        let mut entries = made();
        // A snapshot only this list still holds is served no more.
        entries.retain(|(from, _)| Arc::strong_count(from) > 1);
        if entries.len() >= CAPACITY {
            entries.remove(0);
        }
        entries.push((Arc::clone(mesh), Arc::clone(&overview)));
        overview
    }
}

/// The mesh page; `None` when signed in to no tenant.
#[server(endpoint = "mesh/overview")]
pub async fn mesh_overview(refresh: bool) -> Result<Option<Overview>, ApiError> {
    let (port, parts) = super::port::from_context()?;
    let Some(mesh) = port.mesh(&parts, refresh).await? else {
        return Ok(None);
    };
    let mut overview = (*overviews::of(&mesh)).clone();
    // Drift from the accepted configuration baseline, as the monitor last saw it (`/drift`).
    let drift = port.drift_findings(&parts).await.unwrap_or_default();
    overview
        .findings
        .extend(drift.into_iter().filter(|finding| {
            finding
                .tenants
                .iter()
                .any(|t| overview.nodes.iter().any(|n| &n.tenant_id == t))
        }));
    Ok(Some(overview))
}

/// One tenant as the mesh knows it.
#[server(endpoint = "mesh/tenant")]
pub async fn get_tenant_detail(tenant: String) -> Result<Option<TenantDetail>, ApiError> {
    let tenant = tenant_id(&tenant)?;
    let (port, parts) = super::port::from_context()?;
    let mesh = port.mesh(&parts, false).await?;
    Ok(mesh.and_then(|mesh| crate::mesh::tenant_detail(&mesh, &tenant)))
}

/// Both directions of a pair.
#[server(endpoint = "mesh/pair")]
pub async fn get_pair_detail(
    source: String,
    target: String,
) -> Result<Option<PairDetail>, ApiError> {
    let (source, target) = (tenant_id(&source)?, tenant_id(&target)?);
    if source == target {
        return Err(ApiError::BadRequest(
            "A pair needs two different tenants.".into(),
        ));
    }
    let (port, parts) = super::port::from_context()?;
    let mesh = port.mesh(&parts, false).await?;
    Ok(mesh.map(|mesh| crate::mesh::pair_detail(&mesh, &source, &target)))
}
