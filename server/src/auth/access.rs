//! Per-tenant access as types: a [`TenantAccess<C>`] proves that the session is signed in to that
//! tenant with a role that grants capability `C`, and carries a fresh token for it. Operations that
//! change a tenant take `&TenantAccess<ManageMto>` (or `OperateSync`), so they cannot be reached
//! without the check; the only way to get one is [`TenantAccess::grant`].

use graph::TenantId;
use std::marker::PhantomData;

use app::api::ApiError;
use graph::client::AccessToken;

use super::roles::{self, Capability};
use super::session::TenantSignIn;
use crate::audit::Actor;

/// A capability as a type.
pub trait Grant {
    const CAPABILITY: Capability;
}

/// May read the tenant.
pub struct Read;
/// May manage the MTO and the cross-tenant access settings.
pub struct ManageMto;
/// May operate cross-tenant sync.
pub struct OperateSync;

impl Grant for Read {
    const CAPABILITY: Capability = Capability::Read;
}
impl Grant for ManageMto {
    const CAPABILITY: Capability = Capability::ManageMto;
}
impl Grant for OperateSync {
    const CAPABILITY: Capability = Capability::OperateSync;
}

/// Proof of capability `C` in one tenant, with what acting there needs.
pub struct TenantAccess<C: Grant> {
    tenant_id: TenantId,
    actor: Actor,
    token: AccessToken,
    _capability: PhantomData<C>,
}

impl<C: Grant> std::fmt::Debug for TenantAccess<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantAccess")
            .field("tenant_id", &self.tenant_id)
            .field("actor", &self.actor.upn)
            .finish_non_exhaustive()
    }
}

impl<C: Grant> TenantAccess<C> {
    /// Checks the sign-in's roles for `C`. `token` is the sign-in's fresh access token.
    pub fn grant(
        tenant_name: &str,
        sign_in: &TenantSignIn,
        token: AccessToken,
    ) -> Result<Self, ApiError> {
        let known = roles::known_roles(sign_in.role_ids.iter().map(String::as_str));
        if !roles::capabilities(&known).contains(&C::CAPABILITY) {
            return Err(ApiError::Forbidden {
                tenant: tenant_name.to_owned(),
                needed: roles::ROLES
                    .iter()
                    .filter(|r| r.capabilities.contains(&C::CAPABILITY))
                    .map(|r| r.name.to_owned())
                    .collect(),
            });
        }
        let tenant_id = sign_in
            .tenant_id
            .parse::<TenantId>()
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        Ok(Self {
            tenant_id,
            actor: Actor {
                name: sign_in.account.display_name.clone(),
                upn: sign_in.account.username.clone(),
                object_id: sign_in.account.object_id.clone(),
                tenant_id: sign_in.tenant_id.clone(),
            },
            token,
            _capability: PhantomData,
        })
    }

    pub fn tenant_id(&self) -> &TenantId {
        &self.tenant_id
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn token(&self) -> &AccessToken {
        &self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::session::{Account, StoredTokens};

    fn sign_in(role: &str) -> TenantSignIn {
        TenantSignIn {
            tenant_id: "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11".into(),
            tenant_name: Some("Contoso".into()),
            account: Account {
                object_id: "o".into(),
                username: "helpdesk@contoso.onmicrosoft.com".into(),
                display_name: "Helpdesk".into(),
            },
            role_ids: vec![role.into()],
            tokens: StoredTokens {
                access_token: "a".into(),
                refresh_token: None,
                expires_at: 0,
            },
            signed_in_at: 0,
            needs_sign_in: false,
        }
    }

    const HELPDESK: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";

    #[test]
    fn a_helpdesk_administrator_may_read_but_not_manage() {
        let helpdesk = sign_in(HELPDESK);
        assert!(TenantAccess::<Read>::grant("Contoso", &helpdesk, AccessToken::new("a")).is_ok());
        let refused = TenantAccess::<ManageMto>::grant("Contoso", &helpdesk, AccessToken::new("a"))
            .unwrap_err();
        match refused {
            ApiError::Forbidden { tenant, needed } => {
                assert_eq!(tenant, "Contoso");
                assert!(needed.contains(&"Security Administrator".to_owned()));
                assert!(!needed.contains(&"Helpdesk Administrator".to_owned()));
            }
            other => panic!("{other:?}"),
        }
        let admin = sign_in(SECURITY_ADMIN);
        let access =
            TenantAccess::<ManageMto>::grant("Contoso", &admin, AccessToken::new("a")).unwrap();
        assert_eq!(access.actor().upn, "helpdesk@contoso.onmicrosoft.com");
        assert!(
            TenantAccess::<OperateSync>::grant("Contoso", &admin, AccessToken::new("a")).is_err()
        );
    }
}
