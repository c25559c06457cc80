//! What a browser session holds, behind typed accessors with namespaced keys: the sign-ins (one per
//! tenant, with that tenant's tokens — kept on the server, never sent to the browser) and the sign-ins
//! in progress (state, nonce and PKCE verifier, each usable once).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const SIGN_INS: &str = "tenant_mesh.sign_ins";
const PENDING: &str = "tenant_mesh.pending_sign_ins";
const CREATED_AT: &str = "tenant_mesh.created_at";

/// Sign-ins started but not finished are kept this long (Entra's codes live about 10 minutes).
pub const PENDING_LIFETIME_SECS: i64 = 15 * 60;
/// At most this many sign-ins in progress per browser session (several tabs).
pub const MAX_PENDING: usize = 5;

#[derive(Debug, thiserror::Error)]
#[error("the session store failed: {0}")]
pub struct SessionError(#[from] tower_sessions::session::Error);

/// The person's account in one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Object id in that tenant (`oid`).
    pub object_id: String,
    /// `preferred_username`, for display only.
    pub username: String,
    pub display_name: String,
}

/// Tokens for one tenant. `Debug` never shows them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTokens")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A finished sign-in to one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSignIn {
    pub tenant_id: String,
    pub tenant_name: Option<String>,
    pub account: Account,
    /// Directory role template ids (`wids`, or read from Graph).
    pub role_ids: Vec<String>,
    pub tokens: StoredTokens,
    /// Unix seconds.
    pub signed_in_at: i64,
    /// Set when the tokens could not be renewed: the person must sign in to this tenant again.
    #[serde(default)]
    pub needs_sign_in: bool,
}

/// A sign-in between the redirect to Entra and its callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// The tenant as asked for (id or domain).
    pub tenant: String,
    /// Local path to return to.
    pub next: String,
    /// Unix seconds.
    pub started_at: i64,
}

/// Typed access to the session.
#[derive(Clone)]
pub struct AuthSession(pub Session);

impl AuthSession {
    pub async fn sign_ins(&self) -> Result<BTreeMap<String, TenantSignIn>, SessionError> {
        Ok(self.0.get(SIGN_INS).await?.unwrap_or_default())
    }

    pub async fn sign_in_for(&self, tenant_id: &str) -> Result<Option<TenantSignIn>, SessionError> {
        Ok(self.sign_ins().await?.remove(tenant_id))
    }

    pub async fn put_sign_in(&self, sign_in: TenantSignIn) -> Result<(), SessionError> {
        self.mark_created(sign_in.signed_in_at).await?;
        let mut all = self.sign_ins().await?;
        all.insert(sign_in.tenant_id.clone(), sign_in);
        self.0.insert(SIGN_INS, all).await?;
        Ok(())
    }

    /// Removes one tenant's sign-in; returns whether there was one.
    pub async fn remove_sign_in(&self, tenant_id: &str) -> Result<bool, SessionError> {
        let mut all = self.sign_ins().await?;
        let removed = all.remove(tenant_id).is_some();
        if removed {
            self.0.insert(SIGN_INS, all).await?;
        }
        Ok(removed)
    }

    /// Records a sign-in in progress, dropping expired ones and the oldest beyond [`MAX_PENDING`].
    pub async fn push_pending(&self, pending: PendingSignIn, now: i64) -> Result<(), SessionError> {
        self.mark_created(now).await?;
        let mut all: Vec<PendingSignIn> = self.0.get(PENDING).await?.unwrap_or_default();
        all.retain(|p| now - p.started_at < PENDING_LIFETIME_SECS);
        all.push(pending);
        if all.len() > MAX_PENDING {
            let excess = all.len() - MAX_PENDING;
            all.drain(..excess);
        }
        self.0.insert(PENDING, all).await?;
        Ok(())
    }

    /// Takes the sign-in in progress with this `state` (once: a second call finds nothing).
    pub async fn take_pending(
        &self,
        state: &str,
        now: i64,
    ) -> Result<Option<PendingSignIn>, SessionError> {
        let mut all: Vec<PendingSignIn> = self.0.get(PENDING).await?.unwrap_or_default();
        let found = all
            .iter()
            .position(|p| constant_time_eq(p.state.as_bytes(), state.as_bytes()))
            .map(|index| all.remove(index));
        self.0.insert(PENDING, all).await?;
        Ok(found.filter(|p| now - p.started_at < PENDING_LIFETIME_SECS))
    }

    /// When the session first held something (a sign-in, or one in progress), for the absolute
    /// expiry; `None` for a session that holds nothing, which is never stored.
    pub async fn created_at(&self) -> Result<Option<i64>, SessionError> {
        Ok(self.0.get::<i64>(CREATED_AT).await?)
    }

    /// Notes `now` as the session's start unless it has one.
    async fn mark_created(&self, now: i64) -> Result<(), SessionError> {
        if self.created_at().await?.is_none() {
            self.0.insert(CREATED_AT, now).await?;
        }
        Ok(())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tower_sessions::MemoryStore;

    fn session() -> AuthSession {
        AuthSession(Session::new(None, Arc::new(MemoryStore::default()), None))
    }

    fn pending(state: &str, started_at: i64) -> PendingSignIn {
        PendingSignIn {
            state: state.into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            tenant: "contoso.onmicrosoft.com".into(),
            next: "/".into(),
            started_at,
        }
    }

    #[tokio::test]
    async fn a_pending_sign_in_can_be_taken_once() {
        let s = session();
        s.push_pending(pending("abc", 100), 100).await.unwrap();
        assert!(s.take_pending("wrong", 101).await.unwrap().is_none());
        assert_eq!(
            s.take_pending("abc", 101).await.unwrap().unwrap().tenant,
            "contoso.onmicrosoft.com"
        );
        assert!(
            s.take_pending("abc", 102).await.unwrap().is_none(),
            "single use"
        );
    }

    #[tokio::test]
    async fn expired_pending_sign_ins_are_refused_and_the_oldest_are_dropped() {
        let s = session();
        s.push_pending(pending("old", 0), 0).await.unwrap();
        assert!(s
            .take_pending("old", PENDING_LIFETIME_SECS + 1)
            .await
            .unwrap()
            .is_none());
        for i in 0..(MAX_PENDING + 2) {
            s.push_pending(pending(&format!("s{i}"), 10), 10)
                .await
                .unwrap();
        }
        assert!(s.take_pending("s0", 11).await.unwrap().is_none());
        assert!(s
            .take_pending(&format!("s{}", MAX_PENDING + 1), 11)
            .await
            .unwrap()
            .is_some());
    }

    #[tokio::test]
    async fn sign_ins_are_kept_per_tenant() {
        let s = session();
        let sign_in = |tenant: &str| TenantSignIn {
            tenant_id: tenant.into(),
            tenant_name: None,
            account: Account {
                object_id: "o".into(),
                username: "u".into(),
                display_name: "d".into(),
            },
            role_ids: vec![],
            tokens: StoredTokens {
                access_token: "at".into(),
                refresh_token: None,
                expires_at: 0,
            },
            signed_in_at: 0,
            needs_sign_in: false,
        };
        s.put_sign_in(sign_in("a")).await.unwrap();
        s.put_sign_in(sign_in("b")).await.unwrap();
        assert!(s.remove_sign_in("a").await.unwrap());
        assert!(!s.remove_sign_in("a").await.unwrap());
        assert_eq!(
            s.sign_ins().await.unwrap().keys().collect::<Vec<_>>(),
            ["b"]
        );
    }

    #[test]
    fn tokens_never_show_in_debug_output() {
        let tokens = StoredTokens {
            access_token: "eyJsecret".into(),
            refresh_token: Some("rt-secret".into()),
            expires_at: 5,
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
