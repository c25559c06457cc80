//! `findTenantInformationByDomainName(domainName='…')` and `findTenantInformationByTenantId(tenantId='…')`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use graph::users::TenantInformation;

use super::odata::entity;
use super::Caller;
use crate::error::GraphError;
use crate::EmulatorState;

/// Parses `name(key='value')`.
fn call(function: &str) -> Option<(&str, &str, &str)> {
    let (name, rest) = function.split_once('(')?;
    let inner = rest.strip_suffix(')')?;
    let (key, value) = inner.split_once('=')?;
    Some((name, key, value.trim_matches('\'')))
}

pub async fn find(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(function): Path<String>,
) -> Result<Response, GraphError> {
    caller.require_any(
        &["CrossTenantInformation.ReadBasic.All", "Directory.Read.All"],
        &["CrossTenantInformation.ReadBasic.All", "Directory.Read.All"],
    )?;
    let (name, key, value) =
        call(&function).ok_or_else(|| GraphError::unknown_segment(&function))?;
    let world = state.world();
    let tenant = match (name, key) {
        ("findTenantInformationByDomainName", "domainName") => world
            .scenario
            .tenants
            .iter()
            .find(|t| t.domains.iter().any(|d| d.eq_ignore_ascii_case(value))),
        ("findTenantInformationByTenantId", "tenantId") => {
            if value.parse::<graph::TenantId>().is_err() {
                return Err(GraphError::bad_request(format!(
                    "Invalid tenant id '{value}'."
                )));
            }
            world
                .scenario
                .tenants
                .iter()
                .find(|t| t.id.eq_ignore_ascii_case(value))
        }
        _ => return Err(GraphError::unknown_segment(name)),
    };
    let tenant = tenant.ok_or_else(|| {
        GraphError::new(
            axum::http::StatusCode::NOT_FOUND,
            "Directory_ObjectNotFound",
            "Unable to read the company information from the directory.",
        )
    })?;
    let information = TenantInformation {
        tenant_id: crate::ids::tenant_id(&tenant.id),
        display_name: Some(tenant.display_name.clone()),
        default_domain_name: Some(tenant.default_domain().to_owned()),
        federation_brand_name: None,
    };
    Ok(entity("microsoft.graph.tenantInformation", information).into_response())
}
