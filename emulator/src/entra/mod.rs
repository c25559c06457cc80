//! Entra ID v2 sign-in endpoints (`MicrosoftDocs/entra-docs`
//! `docs/identity-platform/v2-oauth2-auth-code-flow.md` and
//! `docs/identity-platform/v2-oauth2-client-creds-grant-flow.md`): discovery, keys, authorize,
//! token, at a tenant's authority or at the multi-tenant `organizations` and `common` ones
//! (`docs/identity-platform/v2-protocols-oidc.md`, "Find your app's OpenID configuration
//! document URI").

mod authorize;
mod discovery;
pub mod mint;
mod token;

use axum::routing::get;
use axum::Router;

use crate::scenario::{Scenario, Tenant, DEMO_APP_NAME};
use crate::EmulatorState;

/// Delegated Graph permissions the demo app registration is consented to in every scenario tenant.
pub const CONSENTED_DELEGATED: &[&str] = &[
    "MultiTenantOrganization.ReadWrite.All",
    "Policy.Read.All",
    "Policy.ReadWrite.CrossTenantAccess",
    "Synchronization.ReadWrite.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "User.Read.All",
    "GroupMember.Read.All",
    "AuditLog.Read.All",
    "CrossTenantInformation.ReadBasic.All",
    "UserAuthenticationMethod.Read.All",
];

/// Application permissions consented for app-only access.
pub const CONSENTED_APPLICATION: &[&str] = &[
    "MultiTenantOrganization.ReadWrite.All",
    "Policy.Read.All",
    "Policy.ReadWrite.CrossTenantAccess",
    "Synchronization.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.Read.All",
    "User.Read.All",
    "GroupMember.Read.All",
    "AuditLog.Read.All",
    "CrossTenantInformation.ReadBasic.All",
    "UserAuthenticationMethod.Read.All",
];

pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";

pub fn routes() -> Router<EmulatorState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::page).post(authorize::choose),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            axum::routing::post(token::token),
        )
}

/// The consumer (personal Microsoft account) tenant's id, which stands for `consumers`
/// (`docs/identity-platform/v2-protocols-oidc.md`).
pub const CONSUMERS_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// The `{tenant}` of a sign-in URL: one tenant, or a multi-tenant authority
/// (`MicrosoftDocs/entra-docs` `docs/identity-platform/v2-protocols-oidc.md`: `common`,
/// `organizations`, `consumers`, or a tenant id or domain).
#[derive(Debug, Clone)]
pub enum Authority {
    Tenant(Box<Tenant>),
    /// Work or school accounts of any tenant.
    Organizations,
    /// Work or school accounts and personal Microsoft accounts (the emulator has only the former).
    Common,
    /// Personal Microsoft accounts only.
    Consumers,
}

impl Authority {
    /// The authority a path segment names (case-insensitive), `None` for an unknown tenant.
    pub fn resolve(scenario: &Scenario, segment: &str) -> Option<Self> {
        let lower = segment.to_ascii_lowercase();
        match lower.as_str() {
            "organizations" => Some(Self::Organizations),
            "common" => Some(Self::Common),
            "consumers" | CONSUMERS_TENANT_ID => Some(Self::Consumers),
            _ => scenario
                .tenant(&lower)
                .map(|tenant| Self::Tenant(Box::new(tenant.clone()))),
        }
    }

    /// The name of a multi-tenant authority (`organizations`, `common`, `consumers`); `None` for
    /// a tenant.
    pub fn multi_tenant_name(&self) -> Option<&'static str> {
        match self {
            Self::Tenant(_) => None,
            Self::Organizations => Some("organizations"),
            Self::Common => Some("common"),
            Self::Consumers => Some("consumers"),
        }
    }
}

/// AADSTS9002332 for a work-or-school-only app asked at `consumers`: the demo app registration
/// signs in Microsoft Entra users only (`MicrosoftDocs/entra-docs`
/// `docs/identity-platform/reference-error-codes.md`).
pub const ENTRA_USERS_ONLY: u32 = 9002332;

/// The description of [`ENTRA_USERS_ONLY`], in the error-code reference's words.
pub fn entra_users_only_message(client_id: &str) -> String {
    format!(
        "Application '{client_id}'({DEMO_APP_NAME}) is configured for use by Microsoft Entra users only. Please do not use the /consumers endpoint to serve this request."
    )
}

/// Redirect URIs the demo app registration accepts: http or https on loopback, any port and path.
pub fn redirect_uri_registered(uri: &str) -> bool {
    match url::Url::parse(uri) {
        Ok(url) => {
            matches!(url.scheme(), "http" | "https")
                && matches!(
                    url.host_str(),
                    Some("127.0.0.1") | Some("localhost") | Some("[::1]")
                )
                && url.fragment().is_none()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_redirects_are_registered() {
        assert!(redirect_uri_registered(
            "http://127.0.0.1:3000/auth/callback"
        ));
        assert!(redirect_uri_registered("http://localhost:8080/cb"));
        assert!(!redirect_uri_registered(
            "https://evil.example/auth/callback"
        ));
        assert!(!redirect_uri_registered("http://127.0.0.1.evil.example/cb"));
        assert!(!redirect_uri_registered("not a url"));
        assert!(redirect_uri_registered("https://localhost:4443/cb"));
    }

    #[test]
    fn authorities_resolve_by_name_case_insensitively() {
        let scenario = Scenario::demo();
        assert!(matches!(
            Authority::resolve(&scenario, "Organizations"),
            Some(Authority::Organizations)
        ));
        assert!(matches!(
            Authority::resolve(&scenario, "common"),
            Some(Authority::Common)
        ));
        assert!(matches!(
            Authority::resolve(&scenario, CONSUMERS_TENANT_ID),
            Some(Authority::Consumers)
        ));
        assert!(matches!(
            Authority::resolve(&scenario, "contoso.onmicrosoft.com"),
            Some(Authority::Tenant(_))
        ));
        assert!(Authority::resolve(&scenario, "nowhere.example").is_none());
    }
}
