//! The `/diagnose` page's server functions: find a person, choose where they should be visible,
//! and diagnose why they may not be (reads only; any role that may read, helpdesk included).

use leptos::prelude::*;

use super::ApiError;
use crate::diagnose::{DiagnoseQuery, Diagnosis, PersonChoice, PersonMatch};

/// People of `tenant` whose name, user principal name or mail starts with `q`.
#[server(endpoint = "diagnose/search")]
pub async fn find_people(tenant: String, q: String) -> Result<Vec<PersonMatch>, ApiError> {
    let (port, parts) = super::port::from_context()?;
    let tenant = super::tenant_id(&tenant)?.to_string();
    port.diagnose_search(&parts, &tenant, &q).await
}

/// The person `user` of `tenant`, and the tenants they may be diagnosed for.
#[server(endpoint = "diagnose/person")]
pub async fn choose_person(tenant: String, user: String) -> Result<PersonChoice, ApiError> {
    let (port, parts) = super::port::from_context()?;
    let tenant = super::tenant_id(&tenant)?.to_string();
    port.diagnose_person(&parts, &tenant, &user).await
}

/// Why the person of `query` may not be found in its target tenant.
#[server(endpoint = "diagnose/run")]
pub async fn diagnose(query: DiagnoseQuery) -> Result<Diagnosis, ApiError> {
    let (port, parts) = super::port::from_context()?;
    port.diagnose(&parts, query).await
}
