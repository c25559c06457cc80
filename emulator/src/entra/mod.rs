//! Entra ID v2 sign-in endpoints (`MicrosoftDocs/entra-docs`
//! `docs/identity-platform/v2-oauth2-auth-code-flow.md` and
//! `docs/identity-platform/v2-oauth2-client-creds-grant-flow.md`): discovery, keys, authorize,
//! token.

mod authorize;
mod discovery;
pub mod mint;
mod token;

use axum::routing::get;
use axum::Router;

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

/// Redirect URIs the demo app registration accepts: http on loopback, any port and path.
pub fn redirect_uri_registered(uri: &str) -> bool {
    match url::Url::parse(uri) {
        Ok(url) => {
            url.scheme() == "http"
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
    }
}
