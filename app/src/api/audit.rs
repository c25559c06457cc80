//! The `/audit` page's server function; the data it exchanges is in [`super::data::audit`].

use leptos::prelude::*;

pub use super::data::audit::*;
use super::ApiError;

/// The audit entries the signed-in person may read.
#[server(endpoint = "audit/entries")]
pub async fn audit_entries(filter: Option<AuditFilter>) -> Result<Vec<AuditEntry>, ApiError> {
    let (port, parts) = super::port::from_context()?;
    port.audit(&parts, filter.unwrap_or_default()).await
}
