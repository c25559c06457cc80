//! Who is signed in to which tenant: the server functions of the header and the sign-in page; the
//! data is in [`super::data::session`].

use leptos::prelude::*;

pub use super::data::session::*;
use super::ApiError;

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
