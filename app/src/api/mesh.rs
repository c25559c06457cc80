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

/// The overviews made lately (about one a set of sign-ins in use), by the snapshot they were made
/// from: no picture layout and findings at every view.
#[cfg(feature = "ssr")]
static OVERVIEWS: super::memo::Memo<std::sync::Arc<crate::mesh::model::Mesh>, Overview> =
    super::memo::Memo::new(32);

/// The mesh page; `None` when signed in to no tenant.
#[server(endpoint = "mesh/overview")]
pub async fn mesh_overview(refresh: bool) -> Result<Option<Overview>, ApiError> {
    let (port, parts) = super::port::from_context()?;
    let Some(mesh) = port.mesh(&parts, refresh).await? else {
        return Ok(None);
    };
    let mut overview = (*OVERVIEWS.get_or_make(&mesh, || crate::mesh::overview(&mesh))).clone();
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
