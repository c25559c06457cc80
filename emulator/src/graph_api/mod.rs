//! Microsoft Graph v1.0 endpoints of the emulator. Every call needs a bearer token the emulator minted.

mod auth;
mod groups;
mod json_batch;
mod me;
mod mto;
mod odata;
mod paging;
mod policies;
mod provisioning;
mod query_options;
mod sync;
mod tenant_info;
mod users;
mod users_query;

use axum::routing::{delete, get, post};
use axum::Router;

pub use auth::Caller;

use crate::EmulatorState;

/// The Graph routes behind fault injection and the request log, as the emulator serves them.
pub fn with_faults(state: &EmulatorState) -> Router<EmulatorState> {
    routes()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::faults::inject,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::request_log::record,
        ))
}

/// The same, ready to answer one request: how `$batch` runs its items.
pub fn item_router(state: EmulatorState) -> Router {
    with_faults(&state).with_state(state)
}

pub fn routes() -> Router<EmulatorState> {
    Router::new()
        .route("/v1.0/me", get(me::me))
        .route("/v1.0/users", get(users::list))
        .route("/v1.0/users/$count", get(users::count))
        .route("/v1.0/users/{key}", get(users::get))
        .route("/v1.0/groups", get(groups::list))
        .route("/v1.0/groups/$count", get(groups::count))
        .route("/v1.0/groups/{id}", get(groups::get))
        .route("/v1.0/groups/{id}/members", get(groups::members))
        .route(
            "/v1.0/groups/{id}/members/$count",
            get(groups::members_count),
        )
        .route(
            "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole",
            get(me::directory_roles),
        )
        .route(
            "/v1.0/tenantRelationships/multiTenantOrganization",
            get(mto::get_mto).put(mto::put_mto).patch(mto::patch_mto),
        )
        .route(
            "/v1.0/tenantRelationships/multiTenantOrganization/tenants",
            get(mto::list_tenants).post(mto::add_tenant),
        )
        .route(
            "/v1.0/tenantRelationships/multiTenantOrganization/tenants/{tenant_id}",
            get(mto::get_tenant)
                .patch(mto::update_tenant)
                .delete(mto::remove_tenant),
        )
        .route(
            "/v1.0/tenantRelationships/multiTenantOrganization/joinRequest",
            get(mto::get_join_request).patch(mto::patch_join_request),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy",
            get(policies::get_policy),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/default",
            get(policies::get_default).patch(policies::patch_default),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/default/resetToSystemDefault",
            post(policies::reset_default),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/partners",
            get(policies::list_partners).post(policies::create_partner),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/partners/{partner}",
            get(policies::get_partner)
                .patch(policies::patch_partner)
                .delete(policies::delete_partner),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/partners/{partner}/identitySynchronization",
            get(policies::get_identity_sync)
                .put(policies::put_identity_sync)
                .patch(policies::patch_identity_sync)
                .delete(policies::delete_identity_sync),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/templates/{name}",
            get(policies::get_template).patch(policies::patch_template),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/templates/{name}/resetToDefaultSettings",
            post(policies::reset_template),
        )
        .route(
            "/v1.0/applicationTemplates/{template}/instantiate",
            post(sync::instantiate),
        )
        .route(
            "/v1.0/servicePrincipals",
            get(sync::list_service_principals),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}",
            get(sync::get_service_principal).delete(sync::delete_service_principal),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/appRoleAssignedTo",
            get(sync::list_assignments).post(sync::add_assignment),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/appRoleAssignedTo/{assignment}",
            delete(sync::remove_assignment),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/synchronization/secrets",
            get(sync::get_secrets).put(sync::put_secrets),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs",
            get(sync::list_jobs).post(sync::create_job),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/validateCredentials",
            post(sync::validate_credentials),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}",
            get(sync::get_job).delete(sync::delete_job),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/{action}",
            post(sync::job_action),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/schema",
            get(sync::get_schema)
                .put(sync::put_schema)
                .delete(sync::reset_schema),
        )
        .route(
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/schema/filterOperators",
            get(sync::filter_operators),
        )
        .route("/v1.0/auditLogs/provisioning", get(provisioning::list))
        .route("/v1.0/$batch", post(json_batch::batch))
        .route(
            "/v1.0/tenantRelationships/{function}",
            get(tenant_info::find),
        )
}
