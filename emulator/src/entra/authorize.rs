//! `/{tenant}/oauth2/v2.0/authorize`: a sign-in page listing the tenant's accounts (buttons labelled
//! with the UPN), or, with `prompt=none` and a `login_hint` naming an account, an immediate code.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;

use super::redirect_uri_registered;
use crate::scenario::{Tenant, DEMO_APP_NAME, DEMO_CLIENT_ID};
use crate::{EmulatorState, PendingCode};

/// Codes live about 10 minutes.
const CODE_SECONDS: i64 = 600;

type Params = HashMap<String, String>;

pub async fn page(
    State(state): State<EmulatorState>,
    Path(tenant): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let tenant = match validate(&state, &tenant, &params) {
        Ok(tenant) => tenant,
        Err(response) => return response,
    };
    let hint = params.get("login_hint").map(|h| h.to_ascii_lowercase());
    if params.get("prompt").map(String::as_str) == Some("none") {
        return match hint.and_then(|hint| tenant.accounts.iter().find(|a| a.upn == hint).cloned()) {
            Some(account) => issue_code(&state, &tenant, &account.object_id, &params),
            None => redirect_error(
                &params,
                "login_required",
                "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
            ),
        };
    }
    Html(sign_in_page(&tenant, &params, hint.as_deref())).into_response()
}

pub async fn choose(
    State(state): State<EmulatorState>,
    Path(tenant): Path<String>,
    Form(params): Form<Params>,
) -> Response {
    let tenant = match validate(&state, &tenant, &params) {
        Ok(tenant) => tenant,
        Err(response) => return response,
    };
    let chosen = params
        .get("account")
        .map(|a| a.to_ascii_lowercase())
        .unwrap_or_default();
    match tenant.accounts.iter().find(|a| a.upn == chosen) {
        Some(account) => issue_code(&state, &tenant, &account.object_id, &params),
        None => error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS50034",
            &format!(
                "The user account {chosen} does not exist in the {} directory.",
                tenant.display_name
            ),
        ),
    }
}

/// Checks done before anything is shown or issued, in Entra's order: tenant, client, redirect URI.
/// Errors about the client or redirect URI are shown as a page (never redirected to an untrusted URI).
fn validate(state: &EmulatorState, tenant: &str, params: &Params) -> Result<Tenant, Response> {
    let Some(tenant) = state.world().scenario.tenant(tenant).cloned() else {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS90002",
            &format!("Tenant '{tenant}' not found."),
        ));
    };
    let client_id = params
        .get("client_id")
        .map(String::as_str)
        .unwrap_or_default();
    if client_id != DEMO_CLIENT_ID {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS700016",
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'.",
                tenant.display_name
            ),
        ));
    }
    let redirect_uri = params
        .get("redirect_uri")
        .map(String::as_str)
        .unwrap_or_default();
    if !redirect_uri_registered(redirect_uri) {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS50011",
            &format!("The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{DEMO_CLIENT_ID}'."),
        ));
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err(redirect_error(
            params,
            "unsupported_response_type",
            "AADSTS700054: response_type must be 'code'.",
        ));
    }
    if let Some(method) = params.get("code_challenge_method") {
        if method != "S256" && method != "plain" {
            return Err(redirect_error(
                params,
                "invalid_request",
                "AADSTS501491: Invalid code_challenge_method.",
            ));
        }
    }
    Ok(tenant)
}

fn issue_code(
    state: &EmulatorState,
    tenant: &Tenant,
    object_id: &str,
    params: &Params,
) -> Response {
    let code = format!(
        "1.A{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let get = |key: &str| params.get(key).cloned();
    let pending = PendingCode {
        tenant_id: tenant.id.clone(),
        object_id: object_id.to_owned(),
        client_id: get("client_id").unwrap_or_default(),
        redirect_uri: get("redirect_uri").unwrap_or_default(),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        nonce: get("nonce"),
        scope: get("scope").unwrap_or_default(),
        expires_at: state.clock().unix() + CODE_SECONDS,
    };
    state.world().codes.insert(code.clone(), pending);
    let mut pairs = vec![("code", code)];
    if let Some(state_value) = get("state") {
        pairs.push(("state", state_value));
    }
    pairs.push(("session_state", uuid::Uuid::new_v4().to_string()));
    redirect_to(params, &pairs)
}

fn redirect_to(params: &Params, pairs: &[(&str, String)]) -> Response {
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    let mut url = match url::Url::parse(&redirect_uri) {
        Ok(url) => url,
        Err(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "AADSTS50011",
                "Invalid redirect URI.",
            )
        }
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
    }
    // Entra answers with 302 Found.
    (
        StatusCode::FOUND,
        [(axum::http::header::LOCATION, url.to_string())],
    )
        .into_response()
}

fn redirect_error(params: &Params, error: &str, description: &str) -> Response {
    let mut pairs = vec![
        ("error", error.to_owned()),
        ("error_description", description.to_owned()),
    ];
    if let Some(state) = params.get("state") {
        pairs.push(("state", state.clone()));
    }
    redirect_to(params, &pairs)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn error_page(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\
         <body><main><h1>Sorry, but we're having trouble signing you in.</h1><p>{code}: {}</p></main></body></html>",
        escape(message)
    );
    (status, Html(body)).into_response()
}

fn sign_in_page(tenant: &Tenant, params: &Params, hint: Option<&str>) -> String {
    let hidden: String = params
        .iter()
        .filter(|(key, _)| key.as_str() != "account")
        .map(|(key, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(key),
                escape(value)
            )
        })
        .collect();
    let buttons: String = tenant
        .accounts
        .iter()
        .map(|account| {
            let preselected = if hint == Some(account.upn.as_str()) { " autofocus class=\"hinted\"" } else { "" };
            format!(
                "<li><button type=\"submit\" name=\"account\" value=\"{upn}\"{preselected}>{upn}</button> <span>{name}</span></li>",
                upn = escape(&account.upn),
                name = escape(&account.display_name),
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sign in to your account</title><style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}}\
         ul{{list-style:none;padding:0}}li{{margin:.5rem 0}}button{{font:inherit;padding:.5rem .8rem;cursor:pointer}}.hinted{{border:2px solid #0f5fd6}}</style></head>\
         <body><main><p>Microsoft Entra ID (emulator)</p><h1>Pick an account</h1>\
         <p>Signing in to <strong>{tenant}</strong> for <strong>{app}</strong>.</p>\
         <form method=\"post\">{hidden}<ul>{buttons}</ul></form></main></body></html>",
        tenant = escape(&tenant.display_name),
        app = DEMO_APP_NAME,
    )
}
