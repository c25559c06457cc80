//! The `/users` page's server side: the access check (any sign-in to the tenant that may read),
//! the other sign-ins whose provisioning logs may give exact home tenants, and the page's view.

use std::collections::HashMap;

use app::api::ApiError;
use app::users::{report, UserFilter, UsersState, UsersView};
use http::request::Parts;

use super::{Job, LogSource, Outcome};
use crate::auth::access::Read;
use crate::auth::flow::now;
use crate::dashboard::Dashboard;

impl Dashboard {
    /// A reading of `tenant` for this request's session: refused unless signed in there with a
    /// role that may read.
    pub(crate) async fn users_job(&self, request: &Parts, tenant: &str) -> Result<Job, ApiError> {
        let session = self.session(request).await?;
        let access = self.access::<Read>(&session, tenant).await?;
        let tenant_id = access.tenant_id().to_string();
        let mut names: HashMap<String, String> = session
            .sign_ins()
            .await
            .map_err(crate::error::Failure::from)?
            .into_values()
            .filter_map(|s| Some((s.tenant_id, s.tenant_name?)))
            .collect();
        names.extend(
            self.tenant_choices
                .iter()
                .map(|c| (c.tenant_id.clone(), c.display_name.clone())),
        );
        let sources = self
            .readers(&session)
            .await?
            .into_iter()
            .filter(|s| s.tenant_id != tenant_id)
            .filter_map(|s| {
                Some(LogSource {
                    name: self.tenant_name(&s.tenant_id, None),
                    token: s.token?,
                    tenant_id: s.tenant_id,
                })
            })
            .collect();
        Ok(Job {
            tenant_name: names
                .get(&tenant_id)
                .cloned()
                .unwrap_or_else(|| tenant_id.clone()),
            tenant_id,
            token: access.token().clone(),
            sources,
            names,
        })
    }

    /// What the `/users` page shows for `tenant` and `filter`.
    pub(crate) async fn users_view(
        &self,
        request: &Parts,
        tenant: &str,
        filter: UserFilter,
        refresh: bool,
    ) -> Result<UsersView, ApiError> {
        let filter = filter.normalised();
        app::users::filter::validate(&filter).map_err(ApiError::BadRequest)?;
        let job = self.users_job(request, tenant).await?;
        let (tenant_id, tenant_name) = (job.tenant_id.clone(), job.tenant_name.clone());
        let state = match self.users.view(job, now(), refresh).await {
            Outcome::Reading {
                so_far,
                total,
                started_at,
            } => UsersState::Reading {
                so_far,
                total,
                started_at,
            },
            Outcome::Ready {
                segmentation,
                stale,
            } => UsersState::Ready(Box::new(
                report(&segmentation, filter, stale).map_err(ApiError::BadRequest)?,
            )),
            Outcome::Failed { reason } => UsersState::Failed { reason },
        };
        Ok(UsersView {
            tenant_id,
            tenant_name,
            state,
        })
    }
}
