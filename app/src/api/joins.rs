//! The `/joins` page's server functions: the MTO's lifecycle from the owner's side (create, add,
//! change role, remove) and the joining side (approve, decline, reset and retry, leave). Each write
//! names the tenant it acts in; the server checks the capability there. The data they exchange is
//! in [`super::data::joins`].

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::audit::AuditAction;
pub use super::data::joins::*;
use super::ApiError;

/// The page's data, from the session's mesh snapshot (as old as the mesh page's: a few seconds,
/// refreshed in the background). `refresh` ("Refresh now") reads Graph first, and the view is made
/// from that reading.
#[server(endpoint = "joins/view")]
pub async fn load_joins(#[server(default)] refresh: bool) -> Result<JoinsView, ApiError> {
    let (port, parts) = super::port::from_context()?;
    if refresh {
        // The mesh service keeps this reading as the session's snapshot, which `joins` serves.
        port.mesh(&parts, true).await?;
    }
    port.joins(&parts).await
}

/// Looks up a tenant by id or verified domain, as seen from `tenant`.
#[server(endpoint = "joins/resolve")]
pub async fn look_up_tenant(tenant: String, query: String) -> Result<ResolvedTenant, ApiError> {
    let query = super::tenant_ref(&query)?;
    let (port, parts) = super::port::from_context()?;
    port.resolve_tenant(&parts, &tenant, &query).await
}

#[cfg(feature = "ssr")]
async fn write(tenant: String, write: JoinWrite) -> Result<String, ApiError> {
    let (port, parts) = super::port::from_context()?;
    port.join_write(&parts, &tenant, write).await
}

#[server(endpoint = "joins/create")]
pub async fn create_mto(
    tenant: String,
    name: String,
    description: String,
) -> Result<String, ApiError> {
    write(tenant, JoinWrite::CreateMto { name, description }).await
}

#[server(endpoint = "joins/update")]
pub async fn update_mto(
    tenant: String,
    name: String,
    description: String,
) -> Result<String, ApiError> {
    write(tenant, JoinWrite::UpdateMto { name, description }).await
}

#[server(endpoint = "joins/add")]
pub async fn add_tenant(tenant: String, target: String) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "target": &target });
    let target = super::checked(
        &tenant,
        AuditAction::AddTenant,
        inputs,
        super::tenant_ref(&target),
    )
    .await?;
    write(
        tenant,
        JoinWrite::AddTenant {
            target,
            name: String::new(),
        },
    )
    .await
}

#[server(endpoint = "joins/role")]
pub async fn change_role(tenant: String, target: String, role: String) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "target": &target, "role": &role });
    let checks = super::tenant_id(&target).and_then(|t| Ok((t, member_role(&role)?)));
    let (target, role) = super::checked(&tenant, AuditAction::ChangeRole, inputs, checks).await?;
    write(tenant, JoinWrite::ChangeRole { target, role }).await
}

#[server(endpoint = "joins/remove")]
pub async fn remove_tenant(
    tenant: String,
    target: String,
    confirm: Option<String>,
) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "target": &target, "confirm": &confirm });
    let checks = super::confirmed(confirm.as_deref(), "remove the tenant")
        .and_then(|()| super::tenant_id(&target));
    let target = super::checked(&tenant, AuditAction::RemoveTenant, inputs, checks).await?;
    write(tenant, JoinWrite::RemoveTenant { target }).await
}

#[server(endpoint = "joins/approve")]
pub async fn approve_join(tenant: String, owner: String) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "owner": &owner });
    let owner = super::checked(
        &tenant,
        AuditAction::ApproveJoin,
        inputs,
        super::tenant_ref(&owner),
    )
    .await?;
    write(tenant, JoinWrite::Approve { owner }).await
}

#[server(endpoint = "joins/decline")]
pub async fn decline_join(tenant: String, owner: String) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "owner": &owner });
    let owner = super::checked(
        &tenant,
        AuditAction::DeclineJoin,
        inputs,
        super::tenant_id(&owner),
    )
    .await?;
    write(tenant, JoinWrite::Decline { owner }).await
}

#[server(endpoint = "joins/retry")]
pub async fn reset_and_retry(tenant: String, owner: String) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "owner": &owner });
    let owner = super::checked(
        &tenant,
        AuditAction::ResetJoin,
        inputs,
        super::tenant_id(&owner),
    )
    .await?;
    write(tenant, JoinWrite::ResetAndRetry { owner }).await
}

#[server(endpoint = "joins/leave")]
pub async fn leave_mto(tenant: String, confirm: Option<String>) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "confirm": &confirm });
    let checks = super::confirmed(confirm.as_deref(), "leave the organization");
    super::checked(&tenant, AuditAction::LeaveMto, inputs, checks).await?;
    write(tenant, JoinWrite::Leave).await
}
