use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{Authority, CONSUMERS_TENANT_ID};
use crate::error::token_error;
use crate::EmulatorState;

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`: `{tenant}` is the tenant id or a domain
/// (the issuer names the tenant id), or a multi-tenant authority (`MicrosoftDocs/entra-docs`
/// `docs/identity-platform/v2-protocols-oidc.md`): at `organizations` and `common` the endpoints
/// stay under that authority and the issuer is the documented template
/// `{base}/{tenantid}/v2.0`, which each token fills with its tenant; at `consumers` the issuer
/// names the consumer tenant. URLs use the scheme and host the request came in on.
pub async fn openid_configuration(
    State(state): State<EmulatorState>,
    Path(tenant): Path<String>,
    parts: Parts,
) -> Response {
    let Some(authority) = Authority::resolve(&state.world().scenario, &tenant) else {
        return unknown_tenant(&tenant);
    };
    let base = state.base_url(&parts);
    let (path, issuer_tenant) = match &authority {
        Authority::Tenant(t) => (t.id.clone(), t.id.clone()),
        Authority::Consumers => ("consumers".to_owned(), CONSUMERS_TENANT_ID.to_owned()),
        other => {
            let name = other.multi_tenant_name().unwrap_or("common");
            (name.to_owned(), "{tenantid}".to_owned())
        }
    };
    let mut document = configuration(&base, &path, &issuer_tenant);
    if matches!(authority, Authority::Tenant(_)) {
        document["tenant_region_scope"] = json!("EU");
    }
    Json(document).into_response()
}

fn configuration(base: &str, path: &str, issuer_tenant: &str) -> Value {
    json!({
        "token_endpoint": format!("{base}/{path}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{path}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{path}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{path}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{path}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "tenant_region_scope": null,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net"
    })
}

fn unknown_tenant(tenant: &str) -> Response {
    token_error(
        StatusCode::BAD_REQUEST,
        "invalid_tenant",
        90002,
        &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
    )
}

/// `GET /{tenant}/discovery/v2.0/keys` (also at `organizations`, `common` and `consumers`: one key
/// signs for every tenant).
pub async fn keys(State(state): State<EmulatorState>, Path(tenant): Path<String>) -> Response {
    if Authority::resolve(&state.world().scenario, &tenant).is_none() {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    Json(state.0.key.jwks()).into_response()
}
