//! The MTO's lifecycle from the dashboard: the writes (each checked against what the mesh knows,
//! audited before and after, then sent to Graph with the acting tenant's token), the decisions Graph
//! has no verb for (declines), and the `/joins` page's view derived from the mesh.

use app::api::joins::{Decision, JoinWrite, JoinsView, MemberLine, ResolvedTenant, TenantJoins};
use app::api::ApiError;
use app::mesh::joining;
use app::mesh::model::{Mesh, NodeState};
use graph::client::{AccessToken, GraphClient, GraphError};
use graph::mto::{AddTenant, MemberRole, OrganizationWrite};
use graph::{limits, ops, TenantId, TenantRef};
use serde_json::Value;
use sqlx::{AnyPool, Row};

use crate::audit::{Attempt, AuditLog, Steps, WriteError};
use crate::auth::access::{ManageMto, TenantAccess};
use crate::error::Failure;

pub struct Joins {
    pub graph: GraphClient,
    pub audit: AuditLog,
    pool: AnyPool,
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
    /// Joins over `graph`, with the audit log and decisions in the dashboard's database (tables
    /// from the store's migrations).
    pub fn new(graph: GraphClient, store: &crate::store::Store) -> Self {
        Self {
            graph,
            audit: AuditLog::new(store),
            pool: store.pool().clone(),
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
            JoinWrite::CreateMto { name, description } => {
                organization_text(name, description).map_err(refuse_text)?;
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
            JoinWrite::UpdateMto { name, description } => {
                organization_text(name, description).map_err(refuse_text)?;
                owner_only("rename the organization")?;
                if name.trim().is_empty() {
                    return refuse("Give the organization a name.".into());
                }
                Ok(())
            }
            JoinWrite::AddTenant { target, name } => {
                limits::check("The tenant's name", name, limits::DISPLAY_NAME)
                    .map_err(refuse_text)?;
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
        let decisions = Decisions {
            pool: self.pool.clone(),
            tenant: acting.clone(),
            by: access.actor().upn.clone(),
            now,
        };
        let (work_write, acting_id, labels) = (write.clone(), acting.clone(), plan(&write, mesh));
        self.audit
            .record(
                attempt,
                now,
                labels.clone(),
                &self.graph,
                access.token(),
                move |steps| perform(steps, decisions, acting_id, work_write, labels),
            )
            .await?
            .into_result(|| format!("{} failed in {acting_name}", write.action()))?;
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
                let request = node.and_then(|n| joining::request_view(mesh, n, declined(tenant)));
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

/// Where a joining tenant's decisions about an owner's request are kept (Graph has no verb for a
/// decline), for the acting tenant and admin.
struct Decisions {
    pool: AnyPool,
    tenant: TenantId,
    by: String,
    now: i64,
}

impl Decisions {
    /// Stores the decision; a failure is logged (the Graph write it follows was made).
    async fn remember(&self, owner: &TenantId, decision: &str) {
        let stored = sqlx::query(
            "INSERT INTO join_decisions (tenant, owner_tenant, decision, decided_by, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(self.tenant.as_str())
        .bind(owner.as_str())
        .bind(decision)
        .bind(&self.by)
        .bind(self.now)
        .execute(&self.pool)
        .await;
        if let Err(error) = stored {
            tracing::error!(%error, "a join decision could not be stored");
        }
    }
}

/// The Graph calls a (resolved) write makes, in words, in order.
fn plan(write: &JoinWrite, mesh: &Mesh) -> Vec<String> {
    let name = |tenant: &TenantId| mesh.name(tenant.as_str());
    match write {
        JoinWrite::CreateMto { .. } => vec!["create the organization".into()],
        JoinWrite::UpdateMto { .. } => vec!["rename the organization".into()],
        JoinWrite::AddTenant { name, .. } => vec![format!("add {name}")],
        JoinWrite::ChangeRole { target, role } => vec![format!("make {} {role}", name(target))],
        JoinWrite::RemoveTenant { target } => vec![format!("remove {}", name(target))],
        JoinWrite::Leave => vec!["leave the organization".into()],
        JoinWrite::Approve { .. } => vec!["ask to join".into()],
        JoinWrite::ResetAndRetry { .. } => vec![
            "reset the failed join request".into(),
            "ask to join again".into(),
        ],
        JoinWrite::Decline { .. } => Vec::new(),
    }
}

/// The Graph calls of one (resolved) write, each an audited step, in the order of [`plan`].
async fn perform(
    steps: Steps,
    decisions: Decisions,
    acting: TenantId,
    write: JoinWrite,
    labels: Vec<String>,
) -> Result<(), WriteError> {
    let label = |i: usize| labels.get(i).map(String::as_str).unwrap_or_default();
    match &write {
        JoinWrite::CreateMto { name, description } => {
            let body = OrganizationWrite {
                display_name: Some(name.clone()),
                description: (!description.is_empty()).then(|| description.clone()),
            };
            steps
                .run(label(0), &ops::mto::create_organization(&body))
                .await?;
        }
        JoinWrite::UpdateMto { name, description } => {
            // An empty description is sent: it clears the one there was.
            let body = OrganizationWrite {
                display_name: Some(name.clone()),
                description: Some(description.clone()),
            };
            steps
                .run(label(0), &ops::mto::update_organization(&body))
                .await?;
        }
        JoinWrite::AddTenant { target, name } => {
            let TenantRef::Id(target) = target else {
                return Err(GraphError::decode("the tenant was not resolved", None).into());
            };
            let body = AddTenant {
                tenant_id: target.clone(),
                display_name: name.clone(),
                role: None,
            };
            steps.run(label(0), &ops::mto::add_member(&body)).await?;
        }
        JoinWrite::ChangeRole { target, role } => {
            steps
                .run(label(0), &ops::mto::change_role(target, role.clone()))
                .await?;
        }
        JoinWrite::RemoveTenant { target } => {
            steps
                .run(label(0), &ops::mto::remove_member(target))
                .await?;
        }
        JoinWrite::Leave => {
            steps
                .run(label(0), &ops::mto::remove_member(&acting))
                .await?;
        }
        JoinWrite::Approve { owner } => {
            let TenantRef::Id(owner) = owner else {
                return Err(GraphError::decode("the owner was not resolved", None).into());
            };
            steps.run(label(0), &ops::mto::join(owner)).await?;
            decisions.remember(owner, "approved").await;
        }
        JoinWrite::ResetAndRetry { owner } => {
            steps.run(label(0), &ops::mto::reset_join()).await?;
            steps.run(label(1), &ops::mto::join(owner)).await?;
            decisions.remember(owner, "approved").await;
        }
        JoinWrite::Decline { owner } => decisions.remember(owner, "declined").await,
    }
    Ok(())
}

/// The organization's name and description within Graph's limits.
fn organization_text(name: &str, description: &str) -> Result<(), String> {
    limits::check("The name", name, limits::DISPLAY_NAME)?;
    limits::check("The description", description, limits::DESCRIPTION)
}

fn refuse_text(message: String) -> Failure {
    ApiError::BadRequest(message).into()
}
