//! The `/diagnose` page's server side: people found by name in a signed-in tenant, the tenants a
//! chosen person may be diagnosed for, and the diagnosis itself through the session's sign-ins
//! to both tenants (a tenant the session is not signed in to, or whose role may not read, is
//! read as far as it can be and shown as unknown). Reads only: any role that may read will do,
//! the helpdesk's included.

use std::collections::BTreeMap;
use std::time::Instant;

use app::api::ApiError;
use app::diagnose::engine;
use app::diagnose::evidence::{Tenant, Unreadable};
use app::diagnose::{DiagnoseQuery, Diagnosis, PersonChoice, PersonMatch, TenantName};
use graph::{ops, ObjectId, TenantId};
use http::request::Parts;

use super::{Reader, Side, Subject};
use crate::auth::access::Read;
use crate::auth::flow::now;
use crate::auth::session::AuthSession;
use crate::dashboard::Dashboard;
use crate::error::Failure;

/// People listed per search.
const SEARCH_RESULTS: usize = 25;

fn tenant_id(text: &str, what: &str) -> Result<String, ApiError> {
    text.parse::<TenantId>()
        .map(|id| id.to_string())
        .map_err(|e| ApiError::BadRequest(format!("{what}: {e}")))
}

fn object_id(text: &str, what: &str) -> Result<ObjectId, ApiError> {
    text.parse::<ObjectId>()
        .map_err(|e| ApiError::BadRequest(format!("{what}: {e}")))
}

impl Dashboard {
    /// The session's token for reading `tenant`, or why there is none.
    async fn reading_side(&self, session: &AuthSession, tenant: &str) -> Result<Side, ApiError> {
        let name = self.tenant_name(tenant, None);
        let token = match self.access::<Read>(session, tenant).await {
            Ok(access) => Ok(access.token().clone()),
            Err(Failure::Api(ApiError::NotSignedIn { .. })) => Err(Unreadable::NotSignedIn),
            Err(Failure::Api(ApiError::Forbidden { needed, .. })) => {
                Err(Unreadable::Failed(format!(
                    "your role in {name} may not read (needs {})",
                    needed.join(", ")
                )))
            }
            Err(failure) => return Err(failure.into()),
        };
        Ok(Side {
            tenant: Tenant {
                id: tenant.to_owned(),
                name,
            },
            token,
        })
    }

    /// People of `tenant` whose name, user principal name or mail starts with `text`.
    pub(crate) async fn diagnose_search_view(
        &self,
        request: &Parts,
        tenant: &str,
        text: &str,
    ) -> Result<Vec<PersonMatch>, ApiError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        if text.chars().count() > graph::limits::SEARCH_TEXT {
            return Err(ApiError::BadRequest(format!(
                "Search for at most {} characters.",
                graph::limits::SEARCH_TEXT
            )));
        }
        let session = self.session(request).await?;
        let access = self.access::<Read>(&session, tenant).await?;
        let tenant_id = access.tenant_id().to_string();
        let found = self
            .sign_in
            .graph
            .run(access.token(), &ops::people::find(text, SEARCH_RESULTS))
            .await
            .map_err(|error| Failure::graph("Searching for people", error))?;
        Ok(found
            .value
            .value
            .iter()
            .map(|user| engine::person(&tenant_id, user))
            .collect())
    }

    /// The person `user` of `tenant`, and the tenants they may be diagnosed for.
    pub(crate) async fn diagnose_person_view(
        &self,
        request: &Parts,
        tenant: &str,
        user: &str,
    ) -> Result<PersonChoice, ApiError> {
        let user = object_id(user, "user")?;
        let session = self.session(request).await?;
        let access = self.access::<Read>(&session, tenant).await?;
        let tenant_id = access.tenant_id().to_string();
        let graph = &self.sign_in.graph;
        let (user_op, members_op) = (ops::people::user(&user), ops::mto::members());
        let (found, members) = tokio::join!(
            graph.run_optional(access.token(), &user_op),
            graph.run_optional(access.token(), &members_op),
        );
        let found = found
            .map_err(|error| Failure::graph("Reading the person", error))?
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "No user {user} in {}.",
                    self.tenant_name(&tenant_id, None)
                ))
            })?;
        let mut targets: BTreeMap<String, String> = self
            .tenant_choices
            .iter()
            .map(|c| (c.tenant_id.clone(), c.display_name.clone()))
            .collect();
        for sign_in in session
            .sign_ins()
            .await
            .map_err(Failure::from)?
            .into_values()
        {
            let name = self.tenant_name(&sign_in.tenant_id, Some(&sign_in));
            targets.entry(sign_in.tenant_id).or_insert(name);
        }
        // A tenant whose MTO cannot be read still has the others to choose from.
        if let Ok(Some(members)) = members {
            for member in members.value.value {
                targets
                    .entry(member.tenant_id.to_string())
                    .or_insert_with(|| {
                        member
                            .display_name
                            .unwrap_or_else(|| member.tenant_id.to_string())
                    });
            }
        }
        targets.remove(&tenant_id);
        let mut targets: Vec<TenantName> = targets
            .into_iter()
            .map(|(tenant_id, name)| TenantName { tenant_id, name })
            .collect();
        targets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(PersonChoice {
            person: engine::person(&tenant_id, &found.value),
            tenant_name: self.tenant_name(&tenant_id, None),
            targets,
        })
    }

    /// The diagnosis `query` asks for.
    pub(crate) async fn diagnose_view(
        &self,
        request: &Parts,
        query: DiagnoseQuery,
    ) -> Result<Diagnosis, ApiError> {
        let query = query.normalised();
        let (Some(source), Some(user), Some(target)) = (
            query.tenant.as_deref(),
            query.user.as_deref(),
            query.target_tenant(),
        ) else {
            return Err(ApiError::BadRequest(
                "A diagnosis needs a person (tenant and user) and a tenant to be visible in (target, or viewer_tenant and viewer).".into(),
            ));
        };
        let source = tenant_id(source, "tenant")?;
        let target = tenant_id(target, "target")?;
        if source == target {
            return Err(ApiError::BadRequest(
                "The person and the tenant they should be visible in must be different tenants."
                    .into(),
            ));
        }
        let user = object_id(user, "user")?;
        let viewer = match (&query.target, &query.viewer) {
            (None, Some(viewer)) => Some(object_id(viewer, "viewer")?),
            _ => None,
        };
        let session = self.session(request).await?;
        let (source_side, target_side) = (
            self.reading_side(&session, &source).await?,
            self.reading_side(&session, &target).await?,
        );
        if source_side.token.is_err() && target_side.token.is_err() {
            return Err(ApiError::NotSignedIn {
                tenant: source_side.tenant.name.clone(),
            });
        }
        let subject = Subject {
            source: source_side,
            target: target_side,
            user,
            viewer,
        };
        let started = Instant::now();
        let reader = Reader::new(&self.sign_in.graph);
        let mut evidence = reader.gather(&subject, now()).await;
        // Names the dashboard does not know come from the organization's member list.
        for members in [&evidence.source_members, &evidence.target_members] {
            if let Some(Some(list)) = members.value() {
                for tenant in [&mut evidence.source, &mut evidence.target] {
                    if tenant.name == tenant.id {
                        if let Some(name) = list
                            .iter()
                            .find(|m| m.tenant_id.as_str() == tenant.id)
                            .and_then(|m| m.display_name.clone())
                        {
                            tenant.name = name;
                        }
                    }
                }
            }
        }
        let (verdict, sections) = engine::diagnose(&evidence);
        let person = match evidence.user.value() {
            Some(user) => engine::person(&evidence.source.id, user),
            None => PersonMatch {
                tenant_id: evidence.source.id.clone(),
                user_id: subject.user.to_string(),
                display_name: subject.user.to_string(),
                user_principal_name: None,
                mail: None,
                user_type: None,
                external: false,
            },
        };
        let viewer = evidence
            .viewer
            .as_ref()
            .and_then(|read| read.value())
            .map(|user| engine::person(&evidence.target.id, user));
        let diagnosis = Diagnosis {
            person,
            viewer,
            source: TenantName {
                tenant_id: evidence.source.id.clone(),
                name: evidence.source.name.clone(),
            },
            target: TenantName {
                tenant_id: evidence.target.id.clone(),
                name: evidence.target.name.clone(),
            },
            verdict,
            sections,
            read_at: evidence.now,
            graph_requests: reader.requests(),
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        tracing::info!(
            source = %diagnosis.source.tenant_id,
            target = %diagnosis.target.tenant_id,
            requests = diagnosis.graph_requests,
            millis = diagnosis.millis,
            cause = diagnosis.verdict.cause.as_deref().unwrap_or("none"),
            "diagnosis"
        );
        Ok(diagnosis)
    }
}
