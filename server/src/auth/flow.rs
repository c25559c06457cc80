//! The sign-in flow: `/auth/login` → Entra (or the emulator) → `/auth/callback`, and `/auth/logout`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::oidc::{Discovery, Oidc, OidcError};
use super::pages::{local_path, message_page};
use super::roles;
use super::session::{Account, AuthSession, PendingSignIn, StoredTokens, TenantSignIn};
use crate::secret::Secret;
use crate::settings::{Mode, Settings};
use crate::AppState;

/// Scopes asked for at sign-in: OpenID Connect, a refresh token, and the Graph permissions the app
/// registration was consented to (the set the admin-consent steps of `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/multi-tenant-organization-configure-graph.md` and
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`
/// grant).
pub const SIGN_IN_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "offline_access",
    "https://graph.microsoft.com/.default",
];
/// The scope asked for when redeeming codes and refresh tokens (one resource).
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type EntraTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;
type EntraClient = oauth2::Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The app registration and where its sign-ins go.
pub struct SignInConfig {
    pub client_id: String,
    pub client_secret: Secret,
    /// `{public base}/auth/callback`.
    pub redirect_uri: String,
    /// Origin of the dashboard, for the same-origin check of POSTs.
    pub public_origin: String,
}

/// Everything the sign-in flow needs; one per process.
pub struct SignInService {
    pub config: SignInConfig,
    pub oidc: Oidc,
    /// Never follows redirects (token endpoint calls).
    pub http: reqwest::Client,
    pub graph: graph::client::GraphClient,
}

impl SignInService {
    fn client(&self, discovery: &Discovery) -> Result<EntraClient, String> {
        Ok(
            oauth2::Client::new(ClientId::new(self.config.client_id.clone()))
                .set_client_secret(ClientSecret::new(
                    self.config.client_secret.expose().to_owned(),
                ))
                .set_auth_type(AuthType::RequestBody)
                .set_auth_uri(
                    AuthUrl::new(discovery.authorization_endpoint.clone())
                        .map_err(|e| e.to_string())?,
                )
                .set_token_uri(
                    TokenUrl::new(discovery.token_endpoint.clone()).map_err(|e| e.to_string())?,
                )
                .set_redirect_uri(
                    RedirectUrl::new(self.config.redirect_uri.clone())
                        .map_err(|e| e.to_string())?,
                ),
        )
    }

    /// The directory roles (template ids) of the account a sign-in's tokens are for: the `wids` of
    /// the validated ID token when it carries them, else the account's directory roles read from
    /// Graph with the access token. The sign-in callback reads them this way; so does a token
    /// refresh (with no `wids`: an ID token from a refresh carries no nonce to validate it with, and
    /// Graph's answer is the directory as it is now). The error is fit to show a person.
    pub async fn directory_role_ids(
        &self,
        wids: Option<&[String]>,
        tokens: &StoredTokens,
    ) -> Result<Vec<String>, String> {
        match wids {
            Some(wids) => Ok(wids.to_vec()),
            None => directory_roles_from_graph(self, tokens).await,
        }
    }

    /// A fresh access token for a tenant's sign-in, refreshing it when it is about to expire.
    /// `Ok(None)` means the person must sign in to that tenant again.
    pub async fn fresh_tokens(
        &self,
        sign_in: &TenantSignIn,
        now: i64,
    ) -> Result<Option<StoredTokens>, OidcError> {
        if sign_in.needs_sign_in {
            return Ok(None);
        }
        if sign_in.tokens.expires_at - 60 > now {
            return Ok(Some(sign_in.tokens.clone()));
        }
        let Some(refresh) = &sign_in.tokens.refresh_token else {
            return Ok(None);
        };
        let discovery = self.oidc.discovery(&sign_in.tenant_id).await?;
        let client = self.client(&discovery).map_err(OidcError::BadDocument)?;
        match client
            .exchange_refresh_token(&RefreshToken::new(refresh.clone()))
            .add_scope(Scope::new(GRAPH_SCOPE.into()))
            .request_async(&self.http)
            .await
        {
            Ok(response) => Ok(Some(stored_tokens(&response, Some(refresh), now))),
            Err(err) => {
                tracing::warn!(tenant = %sign_in.tenant_id, error = %describe_token_error(&err), "token refresh failed; sign-in needed");
                Ok(None)
            }
        }
    }
}

fn stored_tokens(
    response: &EntraTokenResponse,
    previous_refresh: Option<&String>,
    now: i64,
) -> StoredTokens {
    StoredTokens {
        access_token: response.access_token().secret().clone(),
        // Entra may rotate the refresh token; keep the old one when it does not send a new one.
        refresh_token: response
            .refresh_token()
            .map(|token| token.secret().clone())
            .or_else(|| previous_refresh.cloned()),
        expires_at: now + response.expires_in().map_or(3600, |d| d.as_secs() as i64),
    }
}

fn describe_token_error<E: std::error::Error>(
    err: &oauth2::RequestTokenError<E, BasicErrorResponse>,
) -> String {
    match err {
        oauth2::RequestTokenError::ServerResponse(response) => {
            let code = response.error().as_ref().to_owned();
            match response.error_description() {
                Some(description) => format!("{code}: {description}"),
                None => code,
            }
        }
        oauth2::RequestTokenError::Request(_) => "the sign-in service could not be reached".into(),
        oauth2::RequestTokenError::Parse(_, _) => {
            "the sign-in service answered something unexpected".into()
        }
        oauth2::RequestTokenError::Other(message) => message.clone(),
    }
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    pub tenant: Option<String>,
    pub next: Option<String>,
    pub login_hint: Option<String>,
}

/// Whether people of the tenant with id `tid` may sign in, by the `allowed_tenants` setting.
///
/// The rule:
/// - An empty list allows every tenant in `demo` mode (the built-in emulator knows only the demo
///   tenants) and none in `entra` mode (which refuses to start without a list, see
///   `Settings::validate`).
/// - Otherwise `tid` must be listed as a tenant id, or be the tenant a listed domain belongs to. A
///   listed domain is resolved to its tenant id through that domain's OpenID discovery document at
///   the sign-in service (the issuer names the tenant; Entra serves one only for a tenant's
///   verified domains), cached like every discovery document. A domain that cannot be resolved
///   allows nothing for now (fail closed, with a warning in the log).
///
/// `tid` is always a tenant id the sign-in service vouched for, never what a URL asked for:
/// `/auth/login` passes the id the discovery document of the asked tenant names (an early, friendly
/// refusal), and the callback passes the `tid` of the validated ID token, before anything is stored
/// in the session — that is the check that counts.
pub async fn tenant_allowed(settings: &Settings, oidc: &Oidc, tid: &str) -> bool {
    if settings.allowed_tenants.is_empty() {
        return settings.mode == Mode::Demo;
    }
    let mut domains = Vec::new();
    for entry in &settings.allowed_tenants {
        match graph::TenantRef::parse(entry) {
            Ok(graph::TenantRef::Id(id)) if id.as_str().eq_ignore_ascii_case(tid) => return true,
            Ok(graph::TenantRef::Id(_)) => {}
            Ok(graph::TenantRef::Domain(domain)) => domains.push(domain),
            // Refused at start-up; a malformed entry allows nothing.
            Err(_) => {}
        }
    }
    for domain in domains {
        match oidc.discovery(domain.as_str()).await {
            Ok(discovery) => {
                if discovery
                    .tenant_id()
                    .is_some_and(|id| id.eq_ignore_ascii_case(tid))
                {
                    return true;
                }
            }
            Err(error) => {
                tracing::warn!(domain = %domain.as_str(), %error, "a domain of allowed_tenants cannot be resolved to its tenant; it allows no sign-in for now");
            }
        }
    }
    false
}

/// `GET /auth/login?tenant=…[&next=/path][&login_hint=…]`.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Response {
    let service = &state.sign_in;
    let input = query.tenant.unwrap_or_default();
    let tenant = match graph::TenantRef::parse(&input) {
        Ok(tenant) => tenant,
        Err(_) => return back_to_sign_in(&input, "invalid-tenant", None),
    };
    let discovery = match service.oidc.discovery(tenant.as_str()).await {
        Ok(discovery) => discovery,
        Err(OidcError::UnknownTenant) => return back_to_sign_in(&input, "unknown-tenant", None),
        Err(err) => {
            return message_page(
                StatusCode::BAD_GATEWAY,
                "Sign-in is unavailable",
                &err.to_string(),
                &[],
            )
        }
    };
    // Early and friendly: the callback checks again, on the tenant the ID token proves.
    let asked = discovery.tenant_id().unwrap_or_default();
    if !tenant_allowed(&state.settings, &service.oidc, asked).await {
        tracing::info!(tenant = %asked, "sign-in not started: the tenant is not in allowed_tenants");
        return back_to_sign_in(&input, "tenant-not-allowed", None);
    }
    let client = match service.client(&discovery) {
        Ok(client) => client,
        Err(problem) => {
            return message_page(
                StatusCode::BAD_GATEWAY,
                "Sign-in is unavailable",
                &problem,
                &[],
            )
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = random_token();
    let state = random_token();
    let mut request = client
        .authorize_url(|| CsrfToken::new(state.clone()))
        .add_scopes(SIGN_IN_SCOPES.iter().map(|s| Scope::new((*s).to_owned())))
        .add_extra_param("nonce", nonce.clone())
        .add_extra_param("response_mode", "query")
        .set_pkce_challenge(challenge);
    if let Some(hint) = query.login_hint.as_deref().filter(|h| !h.is_empty()) {
        request = request.add_extra_param("login_hint", hint.to_owned());
    }
    let (url, _) = request.url();
    let pending = PendingSignIn {
        state,
        nonce,
        pkce_verifier: verifier.secret().clone(),
        tenant: tenant.as_str().to_owned(),
        next: local_path(query.next.as_deref()),
        started_at: now(),
    };
    if let Err(err) = AuthSession(session).push_pending(pending, now()).await {
        tracing::error!(%err, "cannot store the sign-in in progress");
        return message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-in is unavailable",
            "The session could not be saved. Try again.",
            &[],
        );
    }
    Redirect::to(url.as_str()).into_response()
}

/// Back to the sign-in page with an error code the page turns into its own sentence
/// (`app::pages::signin::refusal_text`); `reason` is an OAuth error code from Entra.
fn back_to_sign_in(input: &str, error: &str, reason: Option<&str>) -> Response {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("tenant", input)
        .append_pair("error", error);
    if let Some(reason) = reason {
        query.append_pair("reason", reason);
    }
    let query = query.finish();
    Redirect::to(&format!("/signin?{query}")).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// `GET /auth/callback?code=…&state=…` (or `?error=…`).
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let service = &state.sign_in;
    let auth = AuthSession(session.clone());
    let pending = match auth.take_pending(query.state.as_deref().unwrap_or_default(), now()).await {
        Ok(Some(pending)) => pending,
        Ok(None) => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "This sign-in cannot be completed",
                "The sign-in link has expired, was already used, or was started in another browser. Start the sign-in again.",
                &[],
            )
        }
        Err(err) => {
            tracing::error!(%err, "session store failed during sign-in");
            return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sign-in failed", "The session could not be read. Try again.", &[]);
        }
    };
    if let Some(error) = query.error {
        if let Some(description) = &query.error_description {
            tracing::info!(%error, %description, "sign-in not completed");
        }
        return back_to_sign_in(&pending.tenant, "not-completed", Some(&error));
    }
    let Some(code) = query.code else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "The sign-in service returned no authorization code.",
            &[],
        );
    };
    match complete(
        service,
        &state.settings,
        &auth,
        &session,
        pending.clone(),
        code,
    )
    .await
    {
        Ok(next) => Redirect::to(&next).into_response(),
        Err(refusal) => refusal,
    }
}

async fn complete(
    service: &SignInService,
    settings: &Settings,
    auth: &AuthSession,
    session: &Session,
    pending: PendingSignIn,
    code: String,
) -> Result<String, Response> {
    let unavailable =
        |message: String| message_page(StatusCode::BAD_GATEWAY, "Sign-in failed", &message, &[]);
    let discovery = service
        .oidc
        .discovery(&pending.tenant)
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    let client = service.client(&discovery).map_err(unavailable)?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .add_extra_param("scope", GRAPH_SCOPE)
        .request_async(&service.http)
        .await
        .map_err(|err| {
            message_page(
                StatusCode::BAD_REQUEST,
                "Sign-in failed",
                &format!(
                    "The sign-in service refused the authorization code: {}",
                    describe_token_error(&err)
                ),
                &[],
            )
        })?;
    let id_token = response
        .extra_fields()
        .id_token
        .clone()
        .ok_or_else(|| unavailable("The sign-in service returned no ID token.".into()))?;
    let claims = service
        .oidc
        .validate_id_token(&pending.tenant, &id_token, &pending.nonce)
        .await
        .map_err(|err| {
            message_page(
                StatusCode::BAD_REQUEST,
                "Sign-in refused",
                &err.to_string(),
                &[],
            )
        })?;
    // Before anything is stored: the tenant the ID token proves must be allowed.
    if !tenant_allowed(settings, &service.oidc, &claims.tid).await {
        tracing::warn!(tenant = %claims.tid, "sign-in refused: the tenant is not in allowed_tenants");
        return Err(back_to_sign_in(&pending.tenant, "tenant-not-allowed", None));
    }
    let tokens = stored_tokens(&response, None, now());
    let role_ids = service
        .directory_role_ids(claims.wids.as_deref(), &tokens)
        .await
        .map_err(unavailable)?;
    let known = roles::known_roles(role_ids.iter().map(String::as_str));
    if roles::capabilities(&known).is_empty() {
        let needed = roles::roles_granting(roles::Capability::Read)
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        return Err(message_page(
            StatusCode::FORBIDDEN,
            "Your account has no role Tenant Mesh can use",
            &format!(
                "{} has none of the directory roles Tenant Mesh needs in this tenant. Ask an administrator for one of:",
                claims.preferred_username.as_deref().unwrap_or("This account")
            ),
            &needed,
        ));
    }
    let sign_in = TenantSignIn {
        tenant_id: claims.tid.to_ascii_lowercase(),
        tenant_name: None,
        account: Account {
            object_id: claims.oid.clone(),
            username: claims.preferred_username.clone().unwrap_or_default(),
            display_name: claims.name.clone().unwrap_or_default(),
        },
        role_ids,
        tokens,
        signed_in_at: now(),
        needs_sign_in: false,
    };
    let store_failed = |err: String| {
        tracing::error!(%err, "cannot store the sign-in");
        message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-in failed",
            "The session could not be saved. Try again.",
            &[],
        )
    };
    // A new session id at every sign-in (no session fixation).
    session
        .cycle_id()
        .await
        .map_err(|e| store_failed(e.to_string()))?;
    auth.put_sign_in(sign_in)
        .await
        .map_err(|e| store_failed(e.to_string()))?;
    tracing::info!(tenant = %claims.tid, user = %claims.oid, "signed in");
    Ok(pending.next)
}

/// Fallback when the ID token carries no `wids`: the signed-in user's directory roles from Graph.
async fn directory_roles_from_graph(
    service: &SignInService,
    tokens: &StoredTokens,
) -> Result<Vec<String>, String> {
    let token = graph::client::AccessToken::new(tokens.access_token.clone());
    let roles = service
        .graph
        .collect(&token, &graph::ops::directory::my_directory_roles())
        .await
        .map_err(|err| format!("Your directory roles could not be read: {err}"))?;
    Ok(roles
        .into_iter()
        .filter_map(|role| role.role_template_id)
        .collect())
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    /// Sign out of this tenant only; absent = everywhere.
    pub tenant: Option<String>,
}

/// `POST /auth/logout` with `tenant=…` (one tenant) or nothing (everywhere).
pub async fn logout(
    State(service): State<Arc<SignInService>>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if !is_same_origin(&headers, &service.config.public_origin) {
        return message_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "Sign-out must come from Tenant Mesh's own pages.",
            &[],
        );
    }
    let result = match form.tenant.filter(|t| !t.is_empty()) {
        Some(tenant) => AuthSession(session)
            .remove_sign_in(&tenant.to_ascii_lowercase())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        None => session.flush().await.map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => Redirect::to("/").into_response(),
        Err(err) => {
            tracing::error!(%err, "sign-out failed");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sign-out failed",
                "The session could not be updated. Try again.",
                &[],
            )
        }
    }
}

/// A state-changing request must come from our own pages: `Origin` (or, failing that, `Referer`)
/// must be the dashboard's origin, and `Sec-Fetch-Site`, when sent, must be same-origin.
pub fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        if site != "same-origin" {
            return false;
        }
    }
    match header("origin") {
        Some(origin) => origin == public_origin,
        None => header("referer").is_some_and(|referer| {
            referer == public_origin || referer.starts_with(&format!("{public_origin}/"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[tokio::test]
    async fn the_allowlist_matches_the_proven_tenant_id_and_fails_closed() {
        const CONTOSO: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        const OTHER: &str = "0c1b2a39-4857-4a6b-9c8d-7e6f5a4b3c2d";
        // Nothing listens there: domains of the list cannot be resolved.
        let oidc = Oidc::new(reqwest::Client::new(), "http://127.0.0.1:9", "client");
        let demo = Settings::default();
        assert!(
            tenant_allowed(&demo, &oidc, OTHER).await,
            "demo: empty allows all"
        );
        let entra = Settings {
            mode: Mode::Entra,
            ..Settings::default()
        };
        assert!(
            !tenant_allowed(&entra, &oidc, OTHER).await,
            "entra: empty allows none"
        );
        let listed = Settings {
            mode: Mode::Entra,
            allowed_tenants: vec![CONTOSO.into(), "fabrikam.onmicrosoft.com".into()],
            ..Settings::default()
        };
        assert!(tenant_allowed(&listed, &oidc, CONTOSO).await);
        assert!(tenant_allowed(&listed, &oidc, &CONTOSO.to_ascii_uppercase()).await);
        assert!(
            !tenant_allowed(&listed, &oidc, OTHER).await,
            "an unresolvable domain allows nothing"
        );
        assert!(!tenant_allowed(&listed, &oidc, "fabrikam.onmicrosoft.com").await);
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn same_origin_requests_pass_and_others_do_not() {
        let origin = "http://127.0.0.1:3000";
        assert!(is_same_origin(
            &headers(&[("origin", "http://127.0.0.1:3000")]),
            origin
        ));
        assert!(is_same_origin(
            &headers(&[("referer", "http://127.0.0.1:3000/joins")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "http://evil.example")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[("referer", "http://127.0.0.1:3000.evil.example/")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("sec-fetch-site", "cross-site")
            ]),
            origin
        ));
        assert!(
            !is_same_origin(&headers(&[]), origin),
            "no origin information is refused"
        );
    }
}
