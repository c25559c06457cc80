//! `POST /{tenant}/oauth2/v2.0/token`: authorization_code (with PKCE), refresh_token (rotated) and
//! client_credentials (`.default` only), with Entra's error shape. At `organizations` and `common`
//! (`MicrosoftDocs/entra-docs` `docs/identity-platform/v2-oauth2-auth-code-flow.md`) codes asked at
//! that authority are redeemed and refresh tokens of any tenant used; the tokens are the account's
//! tenant's (`iss`, `tid`). Client credentials need a tenant (AADSTS50059) and `consumers` is
//! refused (AADSTS9002332), the demo app signing in Microsoft Entra users only.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::mint::{self, ACCESS_TOKEN_SECONDS};
use super::{entra_users_only_message, Authority, ENTRA_USERS_ONLY, GRAPH_RESOURCE};
use crate::error::token_error;
use crate::scenario::{Tenant, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use crate::{EmulatorState, RefreshGrant};

type Params = HashMap<String, String>;

pub async fn token(
    State(state): State<EmulatorState>,
    Path(tenant): Path<String>,
    parts: Parts,
    Form(params): Form<Params>,
) -> Response {
    let Some(authority) = Authority::resolve(&state.world().scenario, &tenant) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    };
    let (client_id, secret) = client_credentials(&parts, &params);
    if client_id != DEMO_CLIENT_ID {
        let directory = match &authority {
            Authority::Tenant(t) => t.display_name.clone(),
            other => other.multi_tenant_name().unwrap_or_default().to_owned(),
        };
        return token_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{directory}'."
            ),
        );
    }
    if matches!(authority, Authority::Consumers) {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            ENTRA_USERS_ONLY,
            &entra_users_only_message(&client_id),
        );
    }
    if secret.as_deref() != Some(DEMO_CLIENT_SECRET) {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided.",
        );
    }
    let base = state.base_url(&parts);
    match params.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            authorization_code(&state, &base, &authority, &client_id, &params)
        }
        Some("refresh_token") => refresh(&state, &base, &authority, &client_id, &params),
        Some("client_credentials") => match &authority {
            Authority::Tenant(tenant) => app_only(&state, tenant, &client_id, &params),
            _ => no_tenant_for_app_only(),
        },
        Some(other) => token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
        None => token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        ),
    }
}

/// Client credentials at `organizations` or `common`: no tenant to issue an app token for
/// (`MicrosoftDocs/entra-docs` `docs/identity-platform/v2-oauth2-client-creds-grant-flow.md`:
/// the tenant is "the directory tenant the application plans to operate against").
fn no_tenant_for_app_only() -> Response {
    token_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        50059,
        "No tenant-identifying information found in either the request or implied by any provided credentials.",
    )
}

/// The tenant tokens are issued in: the authority's own, or at a multi-tenant authority the one
/// the grant names (the signed-in account's home tenant). `None` when the grant was made in
/// another tenant than the authority names.
fn grant_tenant(state: &EmulatorState, authority: &Authority, granted_in: &str) -> Option<Tenant> {
    match authority {
        Authority::Tenant(tenant) => (tenant.id == granted_in).then(|| (**tenant).clone()),
        _ => state.world().scenario.tenant(granted_in).cloned(),
    }
}

/// Client id and secret from the body (`client_secret_post`) or HTTP Basic.
fn client_credentials(parts: &Parts, params: &Params) -> (String, Option<String>) {
    let basic = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (decode_form(id), decode_form(secret)))
        });
    match basic {
        Some((id, secret)) => (id, Some(secret)),
        None => (
            params.get("client_id").cloned().unwrap_or_default(),
            params.get("client_secret").cloned(),
        ),
    }
}

fn decode_form(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn authorization_code(
    state: &EmulatorState,
    base: &str,
    authority: &Authority,
    client_id: &str,
    params: &Params,
) -> Response {
    let code = params.get("code").cloned().unwrap_or_default();
    // Taken out at once: a code can be redeemed once only, whatever happens next.
    let Some(pending) = state.world().codes.remove(&code) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed or is not valid.",
        );
    };
    if pending.expires_at < state.clock().unix() {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity.",
        );
    }
    let same_authority = pending.authority.as_deref() == authority.multi_tenant_name();
    let tenant = grant_tenant(state, authority, &pending.tenant_id);
    let Some(tenant) = tenant.filter(|_| same_authority && pending.client_id == client_id) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70002,
            "The authorization code was issued to another client or tenant.",
        );
    };
    if params.get("redirect_uri").map(String::as_str) != Some(pending.redirect_uri.as_str()) {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50148,
            "The redirect_uri does not match the one used in the authorization request.",
        );
    }
    if let Some(challenge) = &pending.code_challenge {
        let Some(verifier) = params.get("code_verifier") else {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                50148,
                "The code_verifier is missing.",
            );
        };
        let computed = match pending.code_challenge_method.as_deref() {
            Some("plain") => verifier.clone(),
            _ => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        };
        if &computed != challenge {
            return token_error(StatusCode::BAD_REQUEST, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
        }
    }
    issue_user_tokens(
        state,
        base,
        &tenant,
        &pending.object_id,
        client_id,
        &pending.scope,
        pending.nonce.as_deref(),
    )
}

fn refresh(
    state: &EmulatorState,
    base: &str,
    authority: &Authority,
    client_id: &str,
    params: &Params,
) -> Response {
    let token = params.get("refresh_token").cloned().unwrap_or_default();
    let Some(grant) = mint::redeem_refresh_token(state, &token) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
            "Invalid request. The refresh token is malformed, expired or was already used.",
        );
    };
    let tenant = grant_tenant(state, authority, &grant.tenant_id);
    let Some(tenant) = tenant.filter(|_| grant.client_id == client_id) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
            "The refresh token was issued to another client or tenant.",
        );
    };
    issue_user_tokens(
        state,
        base,
        &tenant,
        &grant.object_id,
        client_id,
        &grant.scope,
        None,
    )
}

fn issue_user_tokens(
    state: &EmulatorState,
    base: &str,
    tenant: &Tenant,
    object_id: &str,
    client_id: &str,
    scope: &str,
    nonce: Option<&str>,
) -> Response {
    let Some(account) = tenant.accounts.iter().find(|a| a.object_id == object_id) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50034,
            "The user account does not exist in the directory.",
        );
    };
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let granted = mint::granted_delegated(scope);
    let mut body = json!({
        "token_type": "Bearer",
        "scope": granted.iter().map(|p| format!("{GRAPH_RESOURCE}/{p}")).collect::<Vec<_>>().join(" "),
        "expires_in": ACCESS_TOKEN_SECONDS,
        "ext_expires_in": ACCESS_TOKEN_SECONDS,
        "access_token": mint::delegated_access_token(state, tenant, account, client_id, scope),
    });
    if scopes.contains(&"openid") || nonce.is_some() {
        body["id_token"] = json!(mint::id_token(
            state, base, tenant, account, client_id, nonce
        ));
    }
    if scopes.contains(&"offline_access") {
        body["refresh_token"] = json!(mint::refresh_token(
            state,
            RefreshGrant {
                tenant_id: tenant.id.clone(),
                object_id: object_id.to_owned(),
                client_id: client_id.to_owned(),
                scope: scope.to_owned()
            },
        ));
    }
    Json(body).into_response()
}

fn app_only(state: &EmulatorState, tenant: &Tenant, client_id: &str, params: &Params) -> Response {
    let scope = params.get("scope").cloned().unwrap_or_default();
    if scope.trim() != format!("{GRAPH_RESOURCE}/.default") {
        return token_error(StatusCode::BAD_REQUEST, "invalid_scope", 1002012, &format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."));
    }
    Json(json!({
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_SECONDS,
        "ext_expires_in": ACCESS_TOKEN_SECONDS,
        "access_token": mint::app_access_token(state, tenant, client_id),
    }))
    .into_response()
}
