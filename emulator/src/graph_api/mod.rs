//! Microsoft Graph v1.0 endpoints of the emulator. Every call needs a bearer token the emulator minted.

mod auth;
mod auth_methods;
mod contacts;
mod deleted_items;
mod directory;
mod directory_audits;
mod filter_tokens;
mod groups;
mod json_batch;
mod me;
mod memberships;
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

use axum::http::{StatusCode, Uri};
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;

pub use auth::Caller;

use crate::error::GraphError;
use crate::EmulatorState;

/// The Graph routes behind fault injection and the request log, as the emulator serves them.
pub fn with_faults(state: &EmulatorState) -> Router<EmulatorState> {
    routes()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            directory_audits::record,
        ))
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

/// Every Graph route: its path and what it answers, method by method.
fn table() -> Vec<(&'static str, MethodRouter<EmulatorState>)> {
    vec![
        ("/v1.0/me", get(me::me)),
        ("/v1.0/users", get(users::list)),
        ("/v1.0/users/$count", get(users::count)),
        ("/v1.0/users/{key}", get(users::get)),
        (
            "/v1.0/users/{key}/memberOf/microsoft.graph.group",
            get(memberships::member_of),
        ),
        (
            "/v1.0/users/{key}/transitiveMemberOf/microsoft.graph.group",
            get(memberships::transitive_member_of),
        ),
        (
            "/v1.0/users/{key}/authentication/phoneMethods",
            get(auth_methods::phone_methods),
        ),
        ("/v1.0/contacts", get(contacts::list)),
        ("/v1.0/contacts/{id}", get(contacts::get)),
        ("/v1.0/groups", get(groups::list)),
        ("/v1.0/groups/$count", get(groups::count)),
        ("/v1.0/groups/{id}", get(groups::get)),
        ("/v1.0/groups/{id}/members", get(groups::members)),
        (
            "/v1.0/groups/{id}/members/$count",
            get(groups::members_count),
        ),
        (
            "/v1.0/groups/{id}/members/microsoft.graph.group",
            get(memberships::member_groups),
        ),
        (
            "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole",
            get(me::directory_roles),
        ),
        (
            "/v1.0/tenantRelationships/multiTenantOrganization",
            get(mto::get_mto).put(mto::put_mto).patch(mto::patch_mto),
        ),
        (
            "/v1.0/tenantRelationships/multiTenantOrganization/tenants",
            get(mto::list_tenants).post(mto::add_tenant),
        ),
        (
            "/v1.0/tenantRelationships/multiTenantOrganization/tenants/{tenant_id}",
            get(mto::get_tenant)
                .patch(mto::update_tenant)
                .delete(mto::remove_tenant),
        ),
        (
            "/v1.0/tenantRelationships/multiTenantOrganization/joinRequest",
            get(mto::get_join_request).patch(mto::patch_join_request),
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy",
            get(policies::get_policy),
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy/default",
            get(policies::get_default).patch(policies::patch_default),
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy/default/resetToSystemDefault",
            post(policies::reset_default),
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy/partners",
            get(policies::list_partners).post(policies::create_partner),
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy/partners/{partner}",
            get(policies::get_partner)
                .patch(policies::patch_partner)
                .delete(policies::delete_partner),
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy/partners/{partner}/identitySynchronization",
            get(policies::get_identity_sync)
                .put(policies::put_identity_sync)
                .patch(policies::patch_identity_sync)
                .delete(policies::delete_identity_sync),
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy/templates/{name}",
            get(policies::get_template).patch(policies::patch_template),
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy/templates/{name}/resetToDefaultSettings",
            post(policies::reset_template),
        ),
        (
            "/v1.0/applicationTemplates/{template}/instantiate",
            post(sync::instantiate),
        ),
        (
            "/v1.0/servicePrincipals",
            get(sync::list_service_principals),
        ),
        (
            "/v1.0/servicePrincipals/{sp}",
            get(sync::get_service_principal).delete(sync::delete_service_principal),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/appRoleAssignedTo",
            get(sync::list_assignments).post(sync::add_assignment),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/appRoleAssignedTo/{assignment}",
            delete(sync::remove_assignment),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/synchronization/secrets",
            get(sync::get_secrets).put(sync::put_secrets),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs",
            get(sync::list_jobs).post(sync::create_job),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/validateCredentials",
            post(sync::validate_credentials),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}",
            get(sync::get_job).delete(sync::delete_job),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/{action}",
            post(sync::job_action),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/schema",
            get(sync::get_schema)
                .put(sync::put_schema)
                .delete(sync::reset_schema),
        ),
        (
            "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/schema/filterOperators",
            get(sync::filter_operators),
        ),
        ("/v1.0/auditLogs/provisioning", get(provisioning::list)),
        ("/v1.0/organization", get(directory::list_organization)),
        ("/v1.0/organization/{id}", get(directory::get_organization)),
        ("/v1.0/domains", get(directory::list_domains)),
        ("/v1.0/domains/{id}", get(directory::get_domain)),
        ("/v1.0/subscribedSkus", get(directory::list_subscribed_skus)),
        (
            "/v1.0/auditLogs/directoryAudits",
            get(directory_audits::list),
        ),
        (
            "/v1.0/auditLogs/directoryAudits/{id}",
            get(directory_audits::get),
        ),
        (
            "/v1.0/servicePrincipals/$count",
            get(sync::count_service_principals),
        ),
        (
            "/v1.0/directory/deletedItems/{item}",
            get(deleted_items::get).delete(deleted_items::purge),
        ),
        (
            "/v1.0/directory/deletedItems/{item}/restore",
            post(deleted_items::restore),
        ),
        ("/v1.0/$batch", post(json_batch::batch)),
        (
            "/v1.0/tenantRelationships/{function}",
            get(tenant_info::find),
        ),
    ]
}

pub fn routes() -> Router<EmulatorState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(path, methods.fallback(wrong_method))
        })
        .fallback(unknown_path)
}

/// 405 in Graph's envelope for a method the path does not take (the directory's answer, as reported
/// in microsoftgraph/microsoft-graph-docs issue 119: `Request_BadRequest`).
async fn wrong_method() -> GraphError {
    GraphError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target.",
    )
}

/// A path no route serves. Under `/v1.0/`: 400 naming the first segment that no route has at that
/// place, as Graph names an unknown segment; elsewhere (another version, no version): 404.
async fn unknown_path(uri: Uri) -> GraphError {
    let Some(rest) = uri.path().strip_prefix("/v1.0/") else {
        return GraphError::new(StatusCode::NOT_FOUND, "UnknownError", "");
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let known = table()
        .iter()
        .map(|(path, _)| {
            let template = path.trim_start_matches("/v1.0/").split('/');
            template
                .zip(&segments)
                .take_while(|(t, s)| t.starts_with('{') || t.eq_ignore_ascii_case(s))
                .count()
        })
        .max()
        .unwrap_or(0);
    let segment = segments
        .get(known)
        .or(segments.last())
        .copied()
        .unwrap_or_default();
    GraphError::unknown_segment(segment)
}
