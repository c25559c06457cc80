//! `/{tenant}/oauth2/v2.0/authorize`: a sign-in page listing the accounts that may sign in there
//! (buttons labelled with the UPN), or, with `prompt=none` and a `login_hint` naming such an
//! account, an immediate code. At a tenant's authority those are the tenant's accounts; at
//! `organizations` and `common` (`MicrosoftDocs/entra-docs` `docs/identity-platform/v2-protocols-oidc.md`)
//! the accounts of every tenant, each signed in to its own tenant; `consumers` is refused with
//! AADSTS9002332, the demo app signing in Microsoft Entra users only.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;

use super::{entra_users_only_message, redirect_uri_registered, Authority, ENTRA_USERS_ONLY};
use crate::scenario::{Account, Tenant, DEMO_APP_NAME, DEMO_CLIENT_ID};
use crate::{EmulatorState, PendingCode};

/// Codes live about 10 minutes.
const CODE_SECONDS: i64 = 600;

type Params = HashMap<String, String>;

/// An account that may sign in at the authority asked, with its home tenant.
#[derive(Clone)]
struct Candidate {
    tenant: Tenant,
    account: Account,
}

pub async fn page(
    State(state): State<EmulatorState>,
    Path(tenant): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let authority = match validate(&state, &tenant, &params) {
        Ok(authority) => authority,
        Err(response) => return response,
    };
    let candidates = candidates(&state, &authority);
    let hint = params.get("login_hint").map(|h| h.to_ascii_lowercase());
    if params.get("prompt").map(String::as_str) == Some("none") {
        let hinted = hint.and_then(|hint| find(&candidates, &hint));
        return match hinted {
            Some(candidate) => issue_code(&state, &authority, &candidate, &params),
            None => redirect_error(
                &params,
                "login_required",
                "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
            ),
        };
    }
    Html(sign_in_page(
        &authority,
        &candidates,
        &params,
        hint.as_deref(),
    ))
    .into_response()
}

pub async fn choose(
    State(state): State<EmulatorState>,
    Path(tenant): Path<String>,
    Form(params): Form<Params>,
) -> Response {
    let authority = match validate(&state, &tenant, &params) {
        Ok(authority) => authority,
        Err(response) => return response,
    };
    let chosen = params
        .get("account")
        .map(|a| a.to_ascii_lowercase())
        .unwrap_or_default();
    match find(&candidates(&state, &authority), &chosen) {
        Some(candidate) => issue_code(&state, &authority, &candidate, &params),
        None => error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS50034",
            &format!(
                "The user account {chosen} does not exist in the {} directory.",
                directory_name(&state, &authority, &chosen)
            ),
        ),
    }
}

/// The accounts that may sign in at `authority`, tenant by tenant.
fn candidates(state: &EmulatorState, authority: &Authority) -> Vec<Candidate> {
    let of_tenant = |tenant: &Tenant| {
        tenant
            .accounts
            .iter()
            .map(|account| Candidate {
                tenant: tenant.clone(),
                account: account.clone(),
            })
            .collect::<Vec<_>>()
    };
    match authority {
        Authority::Tenant(tenant) => of_tenant(tenant),
        Authority::Organizations | Authority::Common => state
            .world()
            .scenario
            .tenants
            .iter()
            .flat_map(of_tenant)
            .collect(),
        Authority::Consumers => Vec::new(),
    }
}

fn find(candidates: &[Candidate], upn: &str) -> Option<Candidate> {
    candidates.iter().find(|c| c.account.upn == upn).cloned()
}

/// The directory an unknown account was looked for in: the tenant asked, else the tenant of the
/// UPN's domain, else the domain itself.
fn directory_name(state: &EmulatorState, authority: &Authority, upn: &str) -> String {
    if let Authority::Tenant(tenant) = authority {
        return tenant.display_name.clone();
    }
    let domain = upn.rsplit_once('@').map(|(_, d)| d).unwrap_or(upn);
    state
        .world()
        .scenario
        .tenant(domain)
        .map(|t| t.display_name.clone())
        .unwrap_or_else(|| domain.to_owned())
}

/// Checks done before anything is shown or issued, in Entra's order: tenant, client, account
/// type, redirect URI. Errors about these are shown as a page (never redirected to an untrusted
/// URI).
fn validate(state: &EmulatorState, tenant: &str, params: &Params) -> Result<Authority, Response> {
    let Some(authority) = Authority::resolve(&state.world().scenario, tenant) else {
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
        let directory = match &authority {
            Authority::Tenant(t) => t.display_name.clone(),
            other => other.multi_tenant_name().unwrap_or_default().to_owned(),
        };
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS700016",
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{directory}'."
            ),
        ));
    }
    if matches!(authority, Authority::Consumers) {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            &format!("AADSTS{ENTRA_USERS_ONLY}"),
            &entra_users_only_message(client_id),
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
    Ok(authority)
}

/// A code for `candidate`, in its own tenant, to be redeemed at the authority it was asked at.
fn issue_code(
    state: &EmulatorState,
    authority: &Authority,
    candidate: &Candidate,
    params: &Params,
) -> Response {
    let code = format!(
        "1.A{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let get = |key: &str| params.get(key).cloned();
    let pending = PendingCode {
        tenant_id: candidate.tenant.id.clone(),
        object_id: candidate.account.object_id.clone(),
        client_id: get("client_id").unwrap_or_default(),
        redirect_uri: get("redirect_uri").unwrap_or_default(),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        nonce: get("nonce"),
        scope: get("scope").unwrap_or_default(),
        expires_at: state.clock().unix() + CODE_SECONDS,
        authority: authority.multi_tenant_name().map(str::to_owned),
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

fn sign_in_page(
    authority: &Authority,
    candidates: &[Candidate],
    params: &Params,
    hint: Option<&str>,
) -> String {
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
    let multi_tenant = !matches!(authority, Authority::Tenant(_));
    let buttons: String = candidates
        .iter()
        .map(|candidate| account_button(candidate, hint, multi_tenant))
        .collect();
    let target = match authority {
        Authority::Tenant(tenant) => escape(&tenant.display_name),
        _ => "your organization".to_owned(),
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sign in to your account</title><style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}}\
         ul{{list-style:none;padding:0}}li{{margin:.5rem 0}}button{{font:inherit;padding:.5rem .8rem;cursor:pointer}}.hinted{{border:2px solid #0f5fd6}}\
         .tenant{{color:#555}}</style></head>\
         <body><main><p>Microsoft Entra ID (emulator)</p><h1>Pick an account</h1>\
         <p>Signing in to <strong>{target}</strong> for <strong>{app}</strong>.</p>\
         <form method=\"post\">{hidden}<ul>{buttons}</ul></form></main></body></html>",
        app = DEMO_APP_NAME,
    )
}

/// One account of the chooser; at a multi-tenant authority it names the account's tenant too.
fn account_button(candidate: &Candidate, hint: Option<&str>, multi_tenant: bool) -> String {
    let account = &candidate.account;
    let preselected = if hint == Some(account.upn.as_str()) {
        " autofocus class=\"hinted\""
    } else {
        ""
    };
    let tenant = if multi_tenant {
        format!(
            " <span class=\"tenant\">{}</span>",
            escape(&candidate.tenant.display_name)
        )
    } else {
        String::new()
    };
    format!(
        "<li><button type=\"submit\" name=\"account\" value=\"{upn}\"{preselected}>{upn}</button> <span>{name}</span>{tenant}</li>",
        upn = escape(&account.upn),
        name = escape(&account.display_name),
    )
}
