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

/// Refresh tokens last 90 days, as Entra's do (sliding: each use issues a new one).
pub const REFRESH_TOKEN_SECONDS: i64 = 90 * 24 * 3600;

/// The audience of refresh tokens: never Graph's, so one is never taken for an access token.
const REFRESH_AUDIENCE: &str = "urn:tenant-mesh:emulator:refresh";

/// A new refresh token for `grant`. Entra's are opaque to clients; ours carry the grant signed
/// with the emulator's key, so that they stay usable when the emulator restarts with a kept key.
/// Each is single-use: `redeem_refresh_token` records its id when it is used.
pub fn refresh_token(state: &EmulatorState, grant: RefreshGrant) -> String {
    let claims = json!({
        "aud": REFRESH_AUDIENCE,
        "tid": grant.tenant_id,
        "oid": grant.object_id,
        "azp": grant.client_id,
        "scp": grant.scope,
        "jti": uuid::Uuid::new_v4().simple().to_string(),
        "exp": state.clock().unix() + REFRESH_TOKEN_SECONDS,
    });
    sign(state, &claims)
}

#[derive(serde::Deserialize)]
struct RefreshClaims {
    tid: String,
    oid: String,
    azp: String,
    scp: String,
    jti: String,
    exp: i64,
}

/// The grant behind a refresh token, once: `None` for a token that is malformed, not ours,
/// expired or already used.
pub fn redeem_refresh_token(state: &EmulatorState, token: &str) -> Option<RefreshGrant> {
    let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
    validation.set_audience(&[REFRESH_AUDIENCE]);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<RefreshClaims>(token, &state.0.key.decoding, &validation)
        .ok()?
        .claims;
    if claims.exp <= state.clock().unix() {
        return None;
    }
    if !state.world().used_refresh_tokens.insert(claims.jti) {
        return None;
    }
    Some(RefreshGrant {
        tenant_id: claims.tid,
        object_id: claims.oid,
        client_id: claims.azp,
        scope: claims.scp,
    })
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
