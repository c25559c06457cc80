//! The server's implementation of the pages' port (`app::api::port::DashboardPort`): reads the
//! session from the request, applies the absolute session expiry, and turns sign-ins into view data.

use std::sync::Arc;

use app::api::port::{BoxFuture, DashboardPort};
use app::api::session::{SignedInTenant, TenantChoice};
use app::api::ApiError;
use app::mesh::model::Mesh;
use http::request::Parts;
use tower_sessions::Session;

use crate::auth::flow::{now, SignInService};
use crate::auth::roles::{self, Capability};
use crate::auth::session::{AuthSession, TenantSignIn};
use crate::mesh::{MeshService, Source};
use crate::settings::Settings;

pub struct Dashboard {
    pub settings: Arc<Settings>,
    pub tenant_choices: Vec<TenantChoice>,
    pub sign_in: Arc<SignInService>,
    pub mesh: Arc<MeshService>,
}

impl Dashboard {
    /// The session of a request; sessions older than the absolute limit are ended here.
    async fn session(&self, request: &Parts) -> Result<AuthSession, ApiError> {
        let session = request
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| internal("no session layer"))?;
        let auth = AuthSession(session);
        let created = auth
            .created_at(now())
            .await
            .map_err(|e| internal(&e.to_string()))?;
        if now() - created > self.settings.session.absolute_hours * 3600 {
            auth.0.flush().await.map_err(|e| internal(&e.to_string()))?;
            return Ok(AuthSession(
                request
                    .extensions
                    .get::<Session>()
                    .cloned()
                    .ok_or_else(|| internal("no session layer"))?,
            ));
        }
        Ok(auth)
    }
}

impl Dashboard {
    /// Each sign-in that may read, with a fresh access token: refreshed when about to expire (and
    /// stored), or `None` after marking the sign-in as needing a new sign-in.
    async fn readers(&self, session: &AuthSession) -> Result<Vec<Source>, ApiError> {
        let sign_ins = session
            .sign_ins()
            .await
            .map_err(|e| internal(&e.to_string()))?;
        let mut sources = Vec::new();
        for mut sign_in in sign_ins.into_values() {
            let known = roles::known_roles(sign_in.role_ids.iter().map(String::as_str));
            if !roles::capabilities(&known).contains(&Capability::Read) {
                continue;
            }
            let tokens = match self.sign_in.fresh_tokens(&sign_in, now()).await {
                Ok(Some(fresh)) => {
                    if fresh != sign_in.tokens {
                        sign_in.tokens = fresh.clone();
                        session
                            .put_sign_in(sign_in.clone())
                            .await
                            .map_err(|e| internal(&e.to_string()))?;
                    }
                    Some(fresh)
                }
                Ok(None) => {
                    if !sign_in.needs_sign_in {
                        sign_in.needs_sign_in = true;
                        session
                            .put_sign_in(sign_in.clone())
                            .await
                            .map_err(|e| internal(&e.to_string()))?;
                    }
                    None
                }
                Err(error) => {
                    // The sign-in service is unreachable: keep the sign-in, try again next time.
                    tracing::warn!(tenant = %sign_in.tenant_id, %error, "token refresh impossible for now");
                    None
                }
            };
            sources.push(Source {
                tenant_id: sign_in.tenant_id.clone(),
                account: sign_in.account.object_id.clone(),
                token: tokens.map(|t| graph::client::AccessToken::new(t.access_token)),
            });
        }
        Ok(sources)
    }
}

fn internal(cause: &str) -> ApiError {
    let reference = uuid::Uuid::new_v4().to_string();
    tracing::error!(%reference, cause, "dashboard request failed");
    ApiError::Internal { reference }
}

/// What the header shows for a sign-in.
pub fn view_of(sign_in: &TenantSignIn) -> SignedInTenant {
    let known = roles::known_roles(sign_in.role_ids.iter().map(String::as_str));
    let capabilities = roles::capabilities(&known);
    SignedInTenant {
        tenant_id: sign_in.tenant_id.clone(),
        tenant_name: sign_in
            .tenant_name
            .clone()
            .unwrap_or_else(|| sign_in.tenant_id.clone()),
        username: sign_in.account.username.clone(),
        display_name: sign_in.account.display_name.clone(),
        roles: known.iter().map(|role| role.name.to_owned()).collect(),
        can_manage: capabilities.contains(&Capability::ManageMto),
        can_operate_sync: capabilities.contains(&Capability::OperateSync),
        needs_sign_in: sign_in.needs_sign_in,
    }
}

impl DashboardPort for Dashboard {
    fn signed_in_tenants<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<Vec<SignedInTenant>, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let sign_ins = session
                .sign_ins()
                .await
                .map_err(|e| internal(&e.to_string()))?;
            Ok(sign_ins
                .values()
                .map(|sign_in| {
                    let mut view = view_of(sign_in);
                    if let Some(choice) = self
                        .tenant_choices
                        .iter()
                        .find(|c| c.tenant_id == sign_in.tenant_id)
                    {
                        view.tenant_name = choice.display_name.clone();
                    }
                    view
                })
                .collect())
        })
    }

    fn tenant_choices(&self) -> Vec<TenantChoice> {
        self.tenant_choices.clone()
    }

    fn mesh<'a>(
        &'a self,
        request: &'a Parts,
        refresh: bool,
    ) -> BoxFuture<'a, Result<Option<Arc<Mesh>>, ApiError>> {
        Box::pin(async move {
            let session = self.session(request).await?;
            let sources = self.readers(&session).await?;
            if sources.is_empty() {
                return Ok(None);
            }
            Ok(Some(self.mesh.snapshot(&sources, now(), refresh).await))
        })
    }
}
