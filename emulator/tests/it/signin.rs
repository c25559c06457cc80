//! Entra sign-in as clients see it, on a real socket: a standard OpenID Connect library completes
//! discovery → authorize (code + PKCE) → token and validates the ID token against the JWKS; the
//! refusals Entra documents are reproduced.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emulator::scenario::{CONTOSO, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, FABRIKAM, WOODGROVE};
use emulator::{Clock, Emulator, Scenario};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse,
};
use serde_json::Value;

use crate::common::{app_token, http, pkce, REDIRECT};

async fn start() -> (String, Clock) {
    let clock = Clock::manual(time::OffsetDateTime::now_utc());
    let emulator = Emulator::new(Scenario::demo(), clock.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));
    (base, clock)
}

fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// Authorize with prompt=none for `upn`; returns the redirect's query.
async fn authorize(
    base: &str,
    tenant: &str,
    upn: &str,
    challenge: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut params = vec![
        ("client_id", DEMO_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        (
            "scope",
            "openid profile offline_access https://graph.microsoft.com/.default",
        ),
        ("state", "st"),
        ("nonce", "nn"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("prompt", "none"),
        ("login_hint", upn),
    ];
    params.extend_from_slice(extra);
    http()
        .get(format!("{base}/{tenant}/oauth2/v2.0/authorize"))
        .query(&params)
        .send()
        .await
        .unwrap()
}

async fn redeem(base: &str, tenant: &str, code: &str, verifier: &str) -> reqwest::Response {
    http()
        .post(format!("{base}/{tenant}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
}

/// Signs Contoso's admin in (code + PKCE) and returns the token endpoint's answer.
async fn contoso_admin_tokens(base: &str) -> Value {
    let (challenge, verifier) = pkce();
    let response = authorize(
        base,
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
        &challenge,
        &[],
    )
    .await;
    let code = query_of(response.headers()["location"].to_str().unwrap())["code"].clone();
    redeem(base, CONTOSO, &code, &verifier)
        .await
        .json()
        .await
        .unwrap()
}

/// Redeems a refresh token at Contoso's token endpoint.
async fn refresh(base: &str, token: &str) -> reqwest::Response {
    http()
        .post(format!("{base}/{CONTOSO}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("refresh_token", token),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_standard_oidc_client_signs_in_and_validates_the_id_token() {
    let (base, _) = start().await;
    let http = http();
    let issuer = IssuerUrl::new(format!("{base}/{CONTOSO}/v2.0")).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(DEMO_CLIENT_ID.into()),
        Some(ClientSecret::new(DEMO_CLIENT_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_extra_param("prompt", "none")
        .add_extra_param("login_hint", "admin@contoso.onmicrosoft.com")
        .set_pkce_challenge(challenge)
        .url();
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let query = query_of(response.headers()["location"].to_str().unwrap());
    assert_eq!(query["state"], *csrf.secret());
    let tokens = client
        .exchange_code(AuthorizationCode::new(query["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = tokens.id_token().expect("an ID token for the openid scope");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("signature, issuer, audience, nonce valid");
    assert_eq!(
        claims.preferred_username().unwrap().as_str(),
        "admin@contoso.onmicrosoft.com"
    );
    assert_eq!(claims.issuer().as_str(), format!("{base}/{CONTOSO}/v2.0"));
}

#[tokio::test]
async fn the_id_token_carries_tenant_object_id_roles_and_nonce() {
    let (base, _) = start().await;
    let (challenge, verifier) = pkce();
    let response = authorize(
        &base,
        "contoso.onmicrosoft.com",
        "helpdesk@contoso.onmicrosoft.com",
        &challenge,
        &[],
    )
    .await;
    let code = query_of(response.headers()["location"].to_str().unwrap())["code"].clone();
    let body: Value = redeem(&base, "contoso.onmicrosoft.com", &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["refresh_token"].is_string());
    let claims = payload(body["id_token"].as_str().unwrap());
    assert_eq!(claims["tid"], CONTOSO);
    assert_eq!(claims["iss"], format!("{base}/{CONTOSO}/v2.0"));
    assert_eq!(claims["aud"], DEMO_CLIENT_ID);
    assert_eq!(claims["nonce"], "nn");
    assert_eq!(
        claims["wids"][0], "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator"
    );
}

#[tokio::test]
async fn a_wrong_verifier_and_a_reused_code_are_invalid_grants() {
    let (base, _) = start().await;
    let (challenge, verifier) = pkce();
    let response = authorize(
        &base,
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
        &challenge,
        &[],
    )
    .await;
    let code = query_of(response.headers()["location"].to_str().unwrap())["code"].clone();
    let wrong = redeem(
        &base,
        CONTOSO,
        &code,
        "not-the-verifier-not-the-verifier-not-the-verifier",
    )
    .await;
    assert_eq!(wrong.status(), 400);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS"));
    // The failed attempt used the code up, as Entra does.
    let again = redeem(&base, CONTOSO, &code, &verifier).await;
    assert_eq!(again.status(), 400);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_client_credentials_give_app_tokens() {
    let (base, _) = start().await;
    let first = contoso_admin_tokens(&base).await;
    let second = refresh(&base, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let replay = refresh(&base, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(replay.status(), 400);

    let app: Value = app_token(&base, CONTOSO).await;
    let claims = payload(app["access_token"].as_str().unwrap());
    assert_eq!(claims["idtyp"], "app");
    assert!(claims["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "MultiTenantOrganization.ReadWrite.All"));
    assert!(app.get("refresh_token").is_none());
}

#[tokio::test]
async fn unknown_clients_bad_secrets_and_unregistered_redirects_are_refused() {
    let (base, _) = start().await;
    let bad_redirect = http()
        .get(format!("{base}/{CONTOSO}/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", "https://evil.example/cb"),
            ("scope", "openid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad_redirect.status(),
        400,
        "never redirected to an unregistered URI"
    );
    assert!(bad_redirect.text().await.unwrap().contains("AADSTS50011"));
    let unknown_client = http()
        .get(format!("{base}/{CONTOSO}/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", "00000000-1111-2222-3333-444444444444"),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_client.status(), 400);
    assert!(unknown_client
        .text()
        .await
        .unwrap()
        .contains("AADSTS700016"));
    let bad_secret = http()
        .post(format!("{base}/{CONTOSO}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", "wrong"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_secret.status(), 401);
    assert_eq!(
        bad_secret.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
}

#[tokio::test]
async fn the_sign_in_page_lists_the_tenants_accounts_by_upn() {
    let (base, _) = start().await;
    let page = http()
        .get(format!(
            "{base}/fabrikam.onmicrosoft.com/oauth2/v2.0/authorize"
        ))
        .query(&[
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(">admin@fabrikam.onmicrosoft.com</button>"));
    assert!(page.contains(">ops@fabrikam.onmicrosoft.com</button>"));
    assert!(!page.contains("contoso"));
}

#[tokio::test]
async fn graph_calls_need_a_valid_unexpired_token() {
    let (base, clock) = start().await;
    let none = http().get(format!("{base}/v1.0/me")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert!(body["error"]["innerError"]["request-id"].is_string());

    let tokens = contoso_admin_tokens(&base).await;
    let token = tokens["access_token"].as_str().unwrap();
    let roles: Value = http()
        .get(format!(
            "{base}/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        roles["value"][0]["roleTemplateId"],
        "62e90394-69f5-4237-9190-012177145e10"
    );
    let mto: Value = http()
        .get(format!(
            "{base}/v1.0/tenantRelationships/multiTenantOrganization"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mto["displayName"], "Contoso Group");
    assert_eq!(mto["state"], "active");

    clock.advance(3600);
    let expired = http()
        .get(format!("{base}/v1.0/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401);
}

#[tokio::test]
async fn tenant_information_resolves_domains_and_ids() {
    let (base, _) = start().await;
    let token: Value = app_token(&base, CONTOSO).await;
    let token = token["access_token"].as_str().unwrap();
    let found: Value = http()
        .get(format!("{base}/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='tailspintoys.com')"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["displayName"], "Tailspin Toys");
    assert_eq!(found["defaultDomainName"], "tailspintoys.onmicrosoft.com");
    let missing = http()
        .get(format!("{base}/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='nobody.example')"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

fn payload(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn controls_are_absent_unless_enabled() {
    let (base, _) = start().await;
    let response = http()
        .post(format!("{base}/_emulator/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

/// Tokens signed before a restart still work after it when the key is kept (the dashboard's demo
/// mode keeps its key beside its database): access tokens at Graph, refresh tokens at the token
/// endpoint. A refresh token is never an access token, and it expires after 90 days.
#[tokio::test]
async fn tokens_outlive_a_restart_with_a_kept_key() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("emulator.pem");
    let clock = Clock::manual(time::OffsetDateTime::now_utc());
    let serve = |clock: Clock| {
        let key = emulator::keys::SigningKey::load_or_generate(&key_path).unwrap();
        async move {
            let emulator = Emulator::with_key(Scenario::demo(), clock, key);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(emulator.serve(listener));
            base
        }
    };
    let before = serve(clock.clone()).await;
    let tokens = contoso_admin_tokens(&before).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();

    let after = serve(clock.clone()).await;
    let me = http()
        .get(format!("{after}/v1.0/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let as_access = http()
        .get(format!("{after}/v1.0/me"))
        .bearer_auth(refresh_token)
        .send()
        .await
        .unwrap();
    assert_eq!(as_access.status(), 401);

    let renewed = refresh(&after, refresh_token).await;
    assert_eq!(renewed.status(), 200);
    let renewed: Value = renewed.json().await.unwrap();
    assert!(renewed["access_token"].is_string());

    clock.advance(91 * 24 * 3600);
    let stale = refresh(&after, renewed["refresh_token"].as_str().unwrap()).await;
    assert_eq!(stale.status(), 400);
    assert_eq!(
        stale.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
}

// --- Multi-tenant authorities (MicrosoftDocs/entra-docs `docs/identity-platform/v2-protocols-oidc.md`,
// `docs/identity-platform/v2-oauth2-auth-code-flow.md`) ---

/// The claims of a JWT, read without checking the signature.
fn claims_of(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// The code of an authorize redirect.
fn code_of(response: &reqwest::Response) -> String {
    query_of(response.headers()["location"].to_str().unwrap())["code"].clone()
}

#[tokio::test]
async fn organizations_and_common_discovery_template_the_issuer_and_keep_their_endpoints() {
    let (base, _) = start().await;
    for authority in ["organizations", "common"] {
        let document: Value = http()
            .get(format!(
                "{base}/{authority}/v2.0/.well-known/openid-configuration"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(document["issuer"], format!("{base}/{{tenantid}}/v2.0"));
        assert_eq!(
            document["authorization_endpoint"],
            format!("{base}/{authority}/oauth2/v2.0/authorize")
        );
        assert_eq!(
            document["token_endpoint"],
            format!("{base}/{authority}/oauth2/v2.0/token")
        );
        assert_eq!(
            document["jwks_uri"],
            format!("{base}/{authority}/discovery/v2.0/keys")
        );
        let keys: Value = http()
            .get(document["jwks_uri"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(!keys["keys"].as_array().unwrap().is_empty());
    }
    let consumers: Value = http()
        .get(format!(
            "{base}/consumers/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        consumers["issuer"],
        format!("{base}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0")
    );
}

#[tokio::test]
async fn the_organizations_chooser_lists_the_accounts_of_every_tenant() {
    let (base, _) = start().await;
    let page = http()
        .get(format!("{base}/organizations/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for upn in [
        "admin@contoso.onmicrosoft.com",
        "ops@fabrikam.onmicrosoft.com",
        "admin@woodgrovebank.onmicrosoft.com",
        "reader@northwindtraders.onmicrosoft.com",
        "admin@tailspintoys.onmicrosoft.com",
    ] {
        assert!(page.contains(&format!(">{upn}</button>")), "{upn}");
    }
    assert!(page.contains("Fabrikam"));
}

#[tokio::test]
async fn a_code_from_organizations_gives_tokens_of_the_accounts_own_tenant() {
    let (base, _) = start().await;
    let (challenge, verifier) = pkce();
    let response = authorize(
        &base,
        "organizations",
        "ops@fabrikam.onmicrosoft.com",
        &challenge,
        &[],
    )
    .await;
    assert_eq!(response.status(), 302);
    let tokens: Value = redeem(&base, "organizations", &code_of(&response), &verifier)
        .await
        .json()
        .await
        .unwrap();
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["tid"], FABRIKAM);
    assert_eq!(id["iss"], format!("{base}/{FABRIKAM}/v2.0"));
    assert_eq!(id["preferred_username"], "ops@fabrikam.onmicrosoft.com");
    let access = claims_of(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["tid"], FABRIKAM);
    assert_eq!(
        access["iss"],
        format!("https://sts.windows.net/{FABRIKAM}/")
    );
    let me: Value = http()
        .get(format!("{base}/v1.0/me"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["userPrincipalName"], "ops@fabrikam.onmicrosoft.com");

    // The refresh token is used at `common` too, and stays in Fabrikam.
    let refreshed: Value = http()
        .post(format!("{base}/common/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        claims_of(refreshed["access_token"].as_str().unwrap())["tid"],
        FABRIKAM
    );
}

#[tokio::test]
async fn the_common_chooser_signs_the_chosen_account_in_and_codes_stay_at_their_authority() {
    let (base, _) = start().await;
    let (challenge, verifier) = pkce();
    let chosen = http()
        .post(format!("{base}/common/oauth2/v2.0/authorize"))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid https://graph.microsoft.com/.default"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("account", "admin@woodgrovebank.onmicrosoft.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 302);
    // Redeemed elsewhere than where it was asked: refused (and used up).
    let elsewhere = redeem(&base, WOODGROVE, &code_of(&chosen), &verifier).await;
    assert_eq!(elsewhere.status(), 400);
    assert_eq!(
        elsewhere.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    // A code asked at a tenant is not redeemed at `organizations` either.
    let (challenge, verifier) = pkce();
    let at_tenant = authorize(
        &base,
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
        &challenge,
        &[],
    )
    .await;
    let crossed = redeem(&base, "organizations", &code_of(&at_tenant), &verifier).await;
    assert_eq!(crossed.status(), 400);

    // Asked and redeemed at `common`: Woodgrove's tokens.
    let (challenge, verifier) = pkce();
    let silent = authorize(
        &base,
        "common",
        "admin@woodgrovebank.onmicrosoft.com",
        &challenge,
        &[],
    )
    .await;
    let tokens: Value = redeem(&base, "common", &code_of(&silent), &verifier)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        claims_of(tokens["id_token"].as_str().unwrap())["tid"],
        WOODGROVE
    );
}

#[tokio::test]
async fn consumers_is_refused_for_work_accounts_and_app_tokens_need_a_tenant() {
    let (base, _) = start().await;
    let (challenge, _) = pkce();
    let page = authorize(
        &base,
        "consumers",
        "admin@contoso.onmicrosoft.com",
        &challenge,
        &[],
    )
    .await;
    assert_eq!(page.status(), 400);
    let text = page.text().await.unwrap();
    assert!(text.contains("AADSTS9002332"), "{text}");
    assert!(text.contains("Please do not use the /consumers endpoint"));

    let token = http()
        .post(format!("{base}/consumers/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("code", "x"),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 400);
    let body: Value = token.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_codes"][0], 9002332);

    let app_only = app_token(&base, "organizations").await;
    assert_eq!(app_only["error"], "invalid_request");
    assert_eq!(app_only["error_codes"][0], 50059);
}
