//! The MTO's lifecycle from the dashboard: the writes (each checked against what the mesh knows,
//! audited before and after, then sent to Graph with the acting tenant's token), the decisions Graph
//! has no verb for (declines), and the `/joins` page's view derived from the mesh.

use app::api::joins::{
    Decision, JoinRequestView, JoinWrite, JoinsView, MemberLine, ResolvedTenant, TenantJoins,
};
use app::api::ApiError;
use app::mesh::model::{Mesh, NodeState};
use app::mesh::{health, time};
use graph::client::{AccessToken, GraphClient, GraphError};
use graph::mto::{AddTenant, MemberRole, OrganizationWrite};
use graph::{ops, Op, TenantId, TenantRef};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::sqlite::SqlitePool;
use sqlx::Row;

use crate::audit::{Attempt, AuditLog};
use crate::auth::access::{ManageMto, TenantAccess};
use crate::error::Failure;

pub struct Joins {
    pub graph: GraphClient,
    pub audit: AuditLog,
    pool: SqlitePool,
}

/// The tenant id a resolved reference names (references are resolved before a write is checked).
fn resolved(tenant: &TenantRef) -> Result<&TenantId, Failure> {
    match tenant {
        TenantRef::Id(id) => Ok(id),
        TenantRef::Domain(domain) => Err(Failure::Internal(format!(
            "the domain {domain} was not resolved before the write"
        ))),
    }
}

impl Joins {
    /// Joins over `graph`, with the audit log and decisions in `pool` (tables from the store's
    /// migrations).
    pub fn new(graph: GraphClient, pool: SqlitePool) -> Self {
        Self {
            graph,
            audit: AuditLog::new(pool.clone()),
            pool,
        }
    }

    /// The latest decline per joining tenant that has not been superseded by an approval.
    pub async fn declines(&self) -> Result<Vec<Decision>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT d.tenant, d.owner_tenant, d.decided_by, d.at, d.decision FROM join_decisions d
             WHERE d.seq = (SELECT MAX(seq) FROM join_decisions x WHERE x.tenant = d.tenant)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut declines = Vec::new();
        for row in rows {
            if row.try_get::<String, _>("decision")? == "declined" {
                declines.push(Decision {
                    tenant_id: row.try_get("tenant")?,
                    owner_tenant_id: row.try_get("owner_tenant")?,
                    decided_by: row.try_get("decided_by")?,
                    at: row.try_get("at")?,
                });
            }
        }
        Ok(declines)
    }

    async fn record_decision(
        &self,
        tenant: &str,
        owner: &str,
        decision: &str,
        by: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO join_decisions (tenant, owner_tenant, decision, decided_by, at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(tenant)
        .bind(owner)
        .bind(decision)
        .bind(by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A tenant by id or verified domain, looked up with `token` (`findTenantInformationBy…`).
    pub async fn resolve(
        &self,
        token: &AccessToken,
        query: &TenantRef,
    ) -> Result<ResolvedTenant, Failure> {
        match self
            .graph
            .run_optional(token, &ops::directory::find_tenant(query))
            .await
        {
            Ok(Some(answer)) => {
                let found = answer.value;
                Ok(ResolvedTenant {
                    display_name: found
                        .display_name
                        .unwrap_or_else(|| found.tenant_id.to_string()),
                    tenant_id: found.tenant_id,
                    default_domain: found.default_domain_name,
                })
            }
            Ok(None) => Err(ApiError::NotFound(format!(
                "No Microsoft Entra tenant was found for '{query}'."
            ))
            .into()),
            Err(error) => Err(Failure::graph("Looking up the tenant failed", error)),
        }
    }

    /// Domains named in a write become tenant ids; an added tenant gets its name (Graph needs it,
    /// and the lookup refuses tenants that do not exist).
    async fn resolve_write(
        &self,
        access: &TenantAccess<ManageMto>,
        write: JoinWrite,
    ) -> Result<JoinWrite, Failure> {
        Ok(match write {
            JoinWrite::AddTenant { target, .. } => {
                let found = self.resolve(access.token(), &target).await?;
                JoinWrite::AddTenant {
                    target: TenantRef::Id(found.tenant_id),
                    name: found.display_name,
                }
            }
            JoinWrite::Approve {
                owner: owner @ TenantRef::Domain(_),
            } => {
                let found = self.resolve(access.token(), &owner).await?;
                JoinWrite::Approve {
                    owner: TenantRef::Id(found.tenant_id),
                }
            }
            other => other,
        })
    }

    /// Refuses, before anything is sent, what the service would refuse or what would break the MTO.
    fn preflight(mesh: &Mesh, acting: &TenantId, write: &JoinWrite) -> Result<(), Failure> {
        let acting = acting.as_str();
        let acting_node = mesh.node(acting);
        let acting_name = mesh.name(acting);
        let in_mto = acting_node.is_some_and(|n| n.in_mto());
        let is_owner = acting_node.is_some_and(|n| n.is_owner() && n.state == NodeState::Active);
        let refuse =
            |message: String| -> Result<(), Failure> { Err(ApiError::BadRequest(message).into()) };
        let owner_only = |what: &str| -> Result<(), Failure> {
            if is_owner {
                Ok(())
            } else {
                refuse(format!(
                    "Only an active owner tenant can {what}; {acting_name} is not one."
                ))
            }
        };
        let not_in_mto = |target: &TenantId| -> Failure {
            ApiError::NotFound(format!(
                "{} is not in this organization.",
                mesh.name(target.as_str())
            ))
            .into()
        };
        let join_checks = |owner: &TenantId| -> Result<(), Failure> {
            if owner.as_str() == acting {
                return refuse("A tenant cannot join through itself.".into());
            }
            if acting_node.is_some_and(|n| n.state == NodeState::Active) {
                return refuse(format!("{acting_name} has already joined."));
            }
            Ok(())
        };
        match write {
            JoinWrite::CreateMto { name, .. } => {
                if in_mto {
                    return refuse(format!(
                        "{acting_name} is already in a multitenant organization; a tenant can be in only one."
                    ));
                }
                if name.trim().is_empty() {
                    return refuse("Give the organization a name.".into());
                }
                Ok(())
            }
            JoinWrite::UpdateMto { name, .. } => {
                owner_only("rename the organization")?;
                if name.trim().is_empty() {
                    return refuse("Give the organization a name.".into());
                }
                Ok(())
            }
            JoinWrite::AddTenant { target, .. } => {
                owner_only("add tenants")?;
                let target = resolved(target)?.as_str();
                if target == acting {
                    return refuse(format!("{acting_name} is already in the organization."));
                }
                if let Some(node) = mesh.node(target).filter(|n| n.in_mto()) {
                    return refuse(format!(
                        "{} is already {} in this organization.",
                        node.name,
                        node.state.label()
                    ));
                }
                if mesh.active().count()
                    + mesh
                        .members()
                        .filter(|n| n.state == NodeState::Pending)
                        .count()
                    >= app::mesh::model::TENANT_LIMIT
                {
                    return refuse("The organization is at its limit of 100 tenants.".into());
                }
                Ok(())
            }
            JoinWrite::ChangeRole { target, role } => {
                owner_only("change roles")?;
                if let MemberRole::Unknown(other) = role {
                    return refuse(format!("'{other}' is not a role; use owner or member."));
                }
                let node = mesh
                    .node(target.as_str())
                    .filter(|n| n.in_mto())
                    .ok_or_else(|| not_in_mto(target))?;
                if *role == MemberRole::Member && node.is_owner() && Self::active_owners(mesh) <= 1
                {
                    return refuse(format!(
                        "{} is the only active owner; make another tenant an owner first.",
                        node.name
                    ));
                }
                Ok(())
            }
            JoinWrite::RemoveTenant { target } => {
                let node = mesh
                    .node(target.as_str())
                    .filter(|n| n.in_mto())
                    .ok_or_else(|| not_in_mto(target))?;
                if target.as_str() != acting {
                    owner_only("remove other tenants")?;
                }
                if node.is_owner() && Self::active_owners(mesh) <= 1 && mesh.members().count() > 1 {
                    return refuse(format!(
                        "{} is the only active owner; make another tenant an owner before removing it.",
                        node.name
                    ));
                }
                Ok(())
            }
            JoinWrite::Leave => {
                if !in_mto {
                    return refuse(format!(
                        "{acting_name} is not in a multitenant organization."
                    ));
                }
                if acting_node.is_some_and(|n| n.is_owner())
                    && Self::active_owners(mesh) <= 1
                    && mesh.members().count() > 1
                {
                    return refuse(format!(
                        "{acting_name} is the only active owner; make another tenant an owner before leaving."
                    ));
                }
                Ok(())
            }
            JoinWrite::Approve { owner } => join_checks(resolved(owner)?),
            JoinWrite::ResetAndRetry { owner } | JoinWrite::Decline { owner } => join_checks(owner),
        }
    }

    fn active_owners(mesh: &Mesh) -> usize {
        mesh.active().filter(|n| n.is_owner()).count()
    }

    /// Resolves, checks, audits and makes one write; returns what to tell the person.
    pub async fn write(
        &self,
        access: &TenantAccess<ManageMto>,
        mesh: &Mesh,
        write: JoinWrite,
        now: i64,
    ) -> Result<String, Failure> {
        let write = self.resolve_write(access, normalise(write)).await?;
        Self::preflight(mesh, access.tenant_id(), &write)?;
        let acting = access.tenant_id();
        let acting_name = mesh.name(acting.as_str());
        let attempt = Attempt {
            actor: access.actor().clone(),
            tenant_id: acting.to_string(),
            action: write.action(),
            inputs: serde_json::to_value(&write).unwrap_or(Value::Null),
        };
        let result = self
            .audit
            .record(&attempt, now, async {
                self.perform(access, &write, now)
                    .await
                    .map(|request_id| ((), request_id))
            })
            .await?;
        if let Err(error) = result {
            return Err(Failure::graph(
                format!("{} failed in {acting_name}", write.action()),
                error,
            ));
        }
        let name = |tenant: &TenantId| mesh.name(tenant.as_str());
        Ok(match &write {
            JoinWrite::CreateMto { name, .. } => format!("Created the organization {name}; {acting_name} is its owner."),
            JoinWrite::UpdateMto { .. } => "Saved the organization's name and description.".into(),
            JoinWrite::AddTenant { name, .. } => format!("Added {name}: it is pending until its admin joins (asynchronous)."),
            JoinWrite::ChangeRole { target, role } => format!("Asked to make {} {role}; the change is asynchronous.", name(target)),
            JoinWrite::RemoveTenant { target } => format!("Asked to remove {}; removal is asynchronous. Its partner settings and sync jobs are not removed by Microsoft.", name(target)),
            JoinWrite::Approve { .. } => format!("{acting_name} asked to join; this can take up to 2 hours."),
            JoinWrite::Decline { owner } => format!("Declined the request of {}.", name(owner)),
            JoinWrite::ResetAndRetry { .. } => format!("Reset the failed request and asked to join again for {acting_name}."),
            JoinWrite::Leave => format!("{acting_name} asked to leave; this is asynchronous."),
        })
    }

    /// Runs one operation; answers Graph's request id.
    async fn send<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        op: Op<T>,
    ) -> Result<Option<String>, GraphError> {
        self.graph
            .run(token, &op)
            .await
            .map(|answer| answer.request_id)
    }

    /// The Graph calls of one (resolved) write; returns Graph's request id.
    async fn perform(
        &self,
        access: &TenantAccess<ManageMto>,
        write: &JoinWrite,
        now: i64,
    ) -> Result<Option<String>, GraphError> {
        let token = access.token();
        match write {
            JoinWrite::CreateMto { name, description } => {
                let body = OrganizationWrite {
                    display_name: Some(name.clone()),
                    description: (!description.is_empty()).then(|| description.clone()),
                };
                self.send(token, ops::mto::create_organization(&body)).await
            }
            JoinWrite::UpdateMto { name, description } => {
                // An empty description is sent: it clears the one there was.
                let body = OrganizationWrite {
                    display_name: Some(name.clone()),
                    description: Some(description.clone()),
                };
                self.send(token, ops::mto::update_organization(&body)).await
            }
            JoinWrite::AddTenant { target, name } => {
                let TenantRef::Id(target) = target else {
                    return Err(GraphError::decode("the tenant was not resolved", None));
                };
                let body = AddTenant {
                    tenant_id: target.clone(),
                    display_name: name.clone(),
                    role: None,
                };
                self.send(token, ops::mto::add_member(&body)).await
            }
            JoinWrite::ChangeRole { target, role } => {
                self.send(token, ops::mto::change_role(target, role.clone()))
                    .await
            }
            JoinWrite::RemoveTenant { target } => {
                self.send(token, ops::mto::remove_member(target)).await
            }
            JoinWrite::Leave => {
                self.send(token, ops::mto::remove_member(access.tenant_id()))
                    .await
            }
            JoinWrite::Approve { owner } => {
                let TenantRef::Id(owner) = owner else {
                    return Err(GraphError::decode("the owner was not resolved", None));
                };
                let id = self.send(token, ops::mto::join(owner)).await?;
                self.remember(access, owner, "approved", now).await;
                Ok(id)
            }
            JoinWrite::ResetAndRetry { owner } => {
                self.send(token, ops::mto::reset_join()).await?;
                let id = self.send(token, ops::mto::join(owner)).await?;
                self.remember(access, owner, "approved", now).await;
                Ok(id)
            }
            JoinWrite::Decline { owner } => {
                self.remember(access, owner, "declined", now).await;
                Ok(None)
            }
        }
    }

    async fn remember(
        &self,
        access: &TenantAccess<ManageMto>,
        owner: &TenantId,
        decision: &str,
        now: i64,
    ) {
        if let Err(error) = self
            .record_decision(
                access.tenant_id().as_str(),
                owner.as_str(),
                decision,
                &access.actor().upn,
                now,
            )
            .await
        {
            tracing::error!(%error, "a join decision could not be stored");
        }
    }

    /// The `/joins` page from the mesh, for the session's sign-ins `(tenant id, may manage)`.
    pub fn view(mesh: &Mesh, signed_in: &[(String, bool)], declines: &[Decision]) -> JoinsView {
        let declined = |tenant: &str| declines.iter().find(|d| d.tenant_id == tenant).cloned();
        let tenants = signed_in
            .iter()
            .map(|(tenant, can_manage)| {
                let node = mesh.node(tenant);
                let in_mto = node.is_some_and(|n| n.in_mto());
                let is_owner = node.is_some_and(|n| n.is_owner() && n.state == NodeState::Active);
                let members = if is_owner {
                    mesh.members()
                        .map(|m| MemberLine {
                            tenant_id: m.tenant_id.clone(),
                            name: m.name.clone(),
                            role: m.role.as_ref().map(ToString::to_string).unwrap_or_default(),
                            state: m.state.label().to_owned(),
                            transition: m.transition.as_ref().map(|t| {
                                format!(
                                    "{}: {}{}",
                                    t.goal(),
                                    t.status,
                                    t.details
                                        .as_ref()
                                        .map(|d| format!(" — {d}"))
                                        .unwrap_or_default()
                                )
                            }),
                            declined: declined(&m.tenant_id),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let request = node.filter(|n| n.state == NodeState::Pending).map(|n| {
                    let transition = n.transition.as_ref();
                    JoinRequestView {
                        owner_tenant_id: n.added_by.clone(),
                        owner_name: n.added_by.as_deref().map(|o| mesh.name(o)),
                        organization: mesh.organization.as_ref().map(|o| o.display_name.clone()),
                        added: n.added.clone(),
                        status: transition.map(|t| t.status.to_string()),
                        details: transition.and_then(|t| t.details.clone()),
                        progress: transition.filter(|t| t.in_progress()).map(|t| {
                            let age = t.observed_since.map_or(0, |s| mesh.taken_at - s);
                            format!(
                                "{} for {} (Microsoft documents up to {})",
                                t.status,
                                time::duration(age),
                                time::duration(health::TRANSITION_WINDOW_SECS)
                            )
                        }),
                        declined: declined(tenant),
                    }
                });
                TenantJoins {
                    tenant_id: tenant.clone(),
                    tenant_name: mesh.name(tenant),
                    can_manage: *can_manage,
                    organization: in_mto
                        .then(|| mesh.organization.as_ref().map(|o| o.display_name.clone()))
                        .flatten(),
                    role: node.and_then(|n| n.role.as_ref()).map(ToString::to_string),
                    state: node.map(|n| n.state.label().to_owned()),
                    only_owner: is_owner && Self::active_owners(mesh) <= 1,
                    members,
                    request,
                }
            })
            .collect();
        JoinsView {
            taken_at: mesh.taken_at,
            tenants,
        }
    }
}

/// Names and descriptions trimmed (ids are validated by their types).
fn normalise(write: JoinWrite) -> JoinWrite {
    match write {
        JoinWrite::CreateMto { name, description } => JoinWrite::CreateMto {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
        },
        JoinWrite::UpdateMto { name, description } => JoinWrite::UpdateMto {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
        },
        other => other,
    }
}
