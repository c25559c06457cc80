//! Microsoft Graph v1.0 endpoints of the emulator. Every call needs a bearer token the emulator minted.

mod auth;
mod me;
mod mto;
mod policies;
mod tenant_info;
mod users;

use axum::routing::{get, post};
use axum::Router;

pub use auth::Caller;

use crate::EmulatorState;

pub fn routes() -> Router<EmulatorState> {
    Router::new()
        .route("/v1.0/me", get(me::me))
        .route("/v1.0/users", get(users::list))
        .route("/v1.0/users/$count", get(users::count))
        .route("/v1.0/users/{key}", get(users::get))
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
            "/v1.0/tenantRelationships/{function}",
            get(tenant_info::find),
        )
}
