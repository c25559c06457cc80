//! Who is signed in to which tenant, for the header and the sign-in page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One tenant this browser session is signed in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInTenant {
    pub tenant_id: String,
    /// Display name when known, else the tenant id.
    pub tenant_name: String,
    pub username: String,
    pub display_name: String,
    /// Directory role names Tenant Mesh recognises, e.g. "Global Administrator".
    pub roles: Vec<String>,
    pub can_manage: bool,
    pub can_operate_sync: bool,
    /// The tokens could not be renewed: sign in to this tenant again.
    pub needs_sign_in: bool,
}

/// A tenant offered on the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantChoice {
    pub tenant_id: String,
    pub display_name: String,
    pub domain: String,
}

#[server(endpoint = "session/signed-in")]
pub async fn signed_in_tenants() -> Result<Vec<SignedInTenant>, ApiError> {
    let (port, parts) = super::port::from_context()?;
    port.signed_in_tenants(&parts).await
}

#[server(endpoint = "session/choices")]
pub async fn tenant_choices() -> Result<Vec<TenantChoice>, ApiError> {
    let (port, _) = super::port::from_context()?;
    Ok(port.tenant_choices())
}
