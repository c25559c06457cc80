//! Minting the tokens Entra would issue: ID tokens (v2 claims), Graph access tokens, refresh tokens.

use jsonwebtoken::{Algorithm, Header};
use serde_json::{json, Value};

use super::{CONSENTED_APPLICATION, CONSENTED_DELEGATED, GRAPH_RESOURCE};
use crate::scenario::{Account, Tenant};
use crate::{EmulatorState, RefreshGrant};

/// Access tokens live about an hour, as Entra's do.
pub const ACCESS_TOKEN_SECONDS: i64 = 3599;

fn sign(state: &EmulatorState, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(state.0.key.kid.clone());
    header.typ = Some("JWT".into());
    // Signing with our own, freshly generated key cannot fail; an empty token would be refused anyway.
    jsonwebtoken::encode(&header, claims, &state.0.key.encoding).unwrap_or_default()
}

/// The delegated scopes granted for a requested scope string (`.default` = everything consented).
pub fn granted_delegated(requested: &str) -> Vec<&'static str> {
    let wants_default = requested
        .split_whitespace()
        .any(|s| s.eq_ignore_ascii_case(&format!("{GRAPH_RESOURCE}/.default")));
    CONSENTED_DELEGATED
        .iter()
        .copied()
        .filter(|perm| {
            wants_default
                || requested.split_whitespace().any(|s| {
                    s.eq_ignore_ascii_case(perm)
                        || s.eq_ignore_ascii_case(&format!("{GRAPH_RESOURCE}/{perm}"))
                })
        })
        .collect()
}

pub fn delegated_access_token(
    state: &EmulatorState,
    tenant: &Tenant,
    account: &Account,
    client_id: &str,
    scope: &str,
) -> String {
    let now = state.clock().unix();
    sign(
        state,
        &json!({
            "aud": GRAPH_RESOURCE,
            "iss": format!("https://sts.windows.net/{}/", tenant.id),
            "iat": now, "nbf": now, "exp": now + ACCESS_TOKEN_SECONDS,
            "tid": tenant.id, "oid": account.object_id, "sub": account.object_id,
            "name": account.display_name, "upn": account.upn,
            "appid": client_id, "azp": client_id, "idtyp": "user", "ver": "1.0",
            "scp": granted_delegated(scope).join(" "),
            "wids": account.role_ids,
        }),
    )
}

pub fn app_access_token(state: &EmulatorState, tenant: &Tenant, client_id: &str) -> String {
    let now = state.clock().unix();
    sign(
        state,
        &json!({
            "aud": GRAPH_RESOURCE,
            "iss": format!("https://sts.windows.net/{}/", tenant.id),
            "iat": now, "nbf": now, "exp": now + ACCESS_TOKEN_SECONDS,
            "tid": tenant.id, "oid": format!("{}", uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{}:{client_id}", tenant.id).as_bytes())),
            "appid": client_id, "azp": client_id, "idtyp": "app", "ver": "1.0",
            "roles": CONSENTED_APPLICATION,
        }),
    )
}

pub fn id_token(
    state: &EmulatorState,
    base: &str,
    tenant: &Tenant,
    account: &Account,
    client_id: &str,
    nonce: Option<&str>,
) -> String {
    let now = state.clock().unix();
    let mut claims = json!({
        "aud": client_id,
        "iss": format!("{base}/{}/v2.0", tenant.id),
        "iat": now, "nbf": now, "exp": now + ACCESS_TOKEN_SECONDS,
        "tid": tenant.id, "oid": account.object_id,
        "sub": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{}:{client_id}", account.object_id).as_bytes()).to_string(),
        "name": account.display_name,
        "preferred_username": account.upn,
        "wids": account.role_ids,
        "ver": "2.0",
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    sign(state, &claims)
}

/// A new opaque refresh token for `grant`.
pub fn refresh_token(state: &EmulatorState, grant: RefreshGrant) -> String {
    let token = format!(
        "0.A{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    state.world().refresh_tokens.insert(token.clone(), grant);
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scope_grants_everything_consented_and_named_scopes_only_themselves() {
        assert_eq!(
            granted_delegated("openid https://graph.microsoft.com/.default").len(),
            CONSENTED_DELEGATED.len()
        );
        assert_eq!(
            granted_delegated("https://graph.microsoft.com/User.Read.All openid"),
            ["User.Read.All"]
        );
        assert!(granted_delegated("https://graph.microsoft.com/Mail.Send").is_empty());
    }
}
