//! Bearer tokens on Graph calls: signature, audience and expiry checked like Graph does.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use crate::entra::GRAPH_RESOURCE;
use crate::error::GraphError;
use crate::EmulatorState;

#[derive(Debug, Clone, Deserialize)]
struct Claims {
    tid: String,
    oid: String,
    #[serde(default)]
    scp: Option<String>,
    #[serde(default)]
    roles: Option<Vec<String>>,
    #[serde(default)]
    wids: Option<Vec<String>>,
    exp: i64,
}

/// Who calls Graph: the tenant of the token and the user (delegated) or app (app-only).
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant_id: String,
    pub object_id: String,
    /// Delegated scopes (empty for app-only).
    pub scopes: Vec<String>,
    /// Application permissions (empty for delegated).
    pub app_roles: Vec<String>,
    /// Directory role template ids of the signed-in user.
    pub wids: Vec<String>,
    pub app_only: bool,
}

impl Caller {
    /// Allowed when the token carries one of the permissions (delegated `scp` or application `roles`).
    /// Role checks for delegated writes are added with the endpoints that need them.
    pub fn require_any(&self, delegated: &[&str], application: &[&str]) -> Result<(), GraphError> {
        if self.has_any(delegated, application) {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }

    /// Whether the token carries one of the permissions (for answers that depend on it, such as
    /// the limited information Graph returns for objects the caller may not read).
    pub fn has_any(&self, delegated: &[&str], application: &[&str]) -> bool {
        if self.app_only {
            self.app_roles
                .iter()
                .any(|r| application.contains(&r.as_str()))
        } else {
            self.scopes.iter().any(|s| delegated.contains(&s.as_str()))
        }
    }
}

/// Directory roles allowed to change the MTO (Security Administrator is the least privileged, per
/// the Permissions section of `microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/api/multitenantorganization-update.md`; Global Administrator can do
/// everything).
pub const MTO_WRITE_ROLES: &[&str] = &[
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "62e90394-69f5-4237-9190-012177145e10",
];

/// Directory roles allowed to configure and operate cross-tenant sync (the Permissions section of
/// `microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/api/synchronization-synchronizationjob-restart.md`; the prerequisites of
/// `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`):
/// Hybrid Identity, Application and Cloud Application Administrator, and Global Administrator.
pub const SYNC_WRITE_ROLES: &[&str] = &[
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "62e90394-69f5-4237-9190-012177145e10",
];

/// Directory roles that may read provisioning logs (the Permissions section of
/// `microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/api/provisioningobjectsummary-list.md`): Reports Reader, Security Reader,
/// Security Administrator, Security Operator, Global Reader, Application and Cloud Application
/// Administrator, and Global Administrator.
pub const LOG_READ_ROLES: &[&str] = &[
    "4a5d8f65-41da-4de4-8968-e035b65339cf",
    "5d6b6bb7-de71-4623-b4af-96380a352509",
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "62e90394-69f5-4237-9190-012177145e10",
];

impl Caller {
    /// For delegated calls, one of `roles` in the caller's tenant (app-only calls have no roles).
    pub fn require_role(&self, roles: &[&str]) -> Result<(), GraphError> {
        if self.app_only || self.wids.iter().any(|w| roles.contains(&w.as_str())) {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }

    /// A write: the permission, and for delegated calls one of `roles` in the caller's tenant.
    pub fn require_write(&self, permission: &str, roles: &[&str]) -> Result<(), GraphError> {
        self.require_any(&[permission], &[permission])?;
        self.require_role(roles)
    }
}

impl FromRequestParts<EmulatorState> for Caller {
    type Rejection = GraphError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &EmulatorState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .ok_or_else(|| GraphError::unauthenticated("Access token is empty."))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| GraphError::unauthenticated("Access token is empty."))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[GRAPH_RESOURCE, "00000003-0000-0000-c000-000000000000"]);
        // Expiry is checked against the emulator's clock below, not the system's.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "aud"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &state.0.key.decoding, &validation)
            .map_err(|_| {
                GraphError::unauthenticated(
                    "IDX14100: JWT is not well formed or its signature is invalid.",
                )
            })?
            .claims;
        if claims.exp <= state.clock().unix() {
            return Err(GraphError::unauthenticated(
                "Lifetime validation failed, the token is expired.",
            ));
        }
        let roles = claims.roles.unwrap_or_default();
        Ok(Self {
            tenant_id: claims.tid,
            object_id: claims.oid,
            scopes: claims
                .scp
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            app_only: !roles.is_empty(),
            app_roles: roles,
            wids: claims.wids.unwrap_or_default(),
        })
    }
}
