//! The MTO's lifecycle from the dashboard: the writes (each checked against what the mesh knows,
//! audited before and after, then sent to Graph with the acting tenant's token), the decisions Graph
//! has no verb for (declines), and the `/joins` page's view derived from the mesh.

use app::api::joins::{
    Decision, JoinRequestView, JoinWrite, JoinsView, MemberLine, ResolvedTenant, TenantJoins,
};
use app::api::ApiError;
use app::mesh::model::{Mesh, NodeState};
use app::mesh::{health, time};
use graph::client::{AccessToken, Answer, GraphClient, GraphError};
use graph::TenantId;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::sqlite::SqlitePool;
use sqlx::Row;

use crate::audit::{Attempt, AuditLog};
use crate::auth::access::{ManageMto, Read, TenantAccess};

const MTO: &str = "/tenantRelationships/multiTenantOrganization";

pub struct Joins {
    pub graph: GraphClient,
    pub audit: AuditLog,
    pool: SqlitePool,
}

#[derive(Debug, thiserror::Error)]
#[error("join decisions cannot be stored: {0}")]
pub struct DecisionError(#[from] sqlx::Error);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantInformation {
    tenant_id: String,
    display_name: Option<String>,
    default_domain_name: Option<String>,
}

fn upstream(what: &str, error: &GraphError) -> ApiError {
    ApiError::Upstream {
        message: format!("{what}: {}", error.message),
        request_id: error.request_id.clone(),
    }
}

fn internal(cause: &str) -> ApiError {
    let reference = uuid::Uuid::new_v4().to_string();
    tracing::error!(%reference, cause, "joins request failed");
    ApiError::Internal { reference }
}

fn tenant_id(text: &str) -> Result<String, ApiError> {
    text.parse::<TenantId>()
        .map(|id| id.to_string())
        .map_err(|err| ApiError::BadRequest(err.to_string()))
}

impl Joins {
    pub async fn open(graph: GraphClient, pool: SqlitePool) -> Result<Self, DecisionError> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS join_decisions (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant TEXT NOT NULL,
                owner_tenant TEXT NOT NULL,
                decision TEXT NOT NULL,
                decided_by TEXT NOT NULL,
                at INTEGER NOT NULL
            )",
        )
        .execute(&pool)
        .await?;
        let audit = crate::audit::AuditLog::open(pool.clone())
            .await
            .map_err(|e| match e {
                crate::audit::AuditError(inner) => DecisionError(inner),
            })?;
        Ok(Self { graph, audit, pool })
    }

    /// The latest decline per joining tenant that has not been superseded by an approval.
    pub async fn declines(&self) -> Result<Vec<Decision>, DecisionError> {
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
    ) -> Result<(), DecisionError> {
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

    /// A tenant by id or verified domain (`findTenantInformationBy…`).
    pub async fn resolve(
        &self,
        access: &TenantAccess<Read>,
        query: &str,
    ) -> Result<ResolvedTenant, ApiError> {
        let query = query.trim();
        if query.is_empty() {
            return Err(ApiError::BadRequest(
                "Enter a tenant id or a verified domain.".into(),
            ));
        }
        let path = match query.parse::<TenantId>() {
            Ok(id) => {
                format!("/tenantRelationships/findTenantInformationByTenantId(tenantId='{id}')")
            }
            Err(_) if query.contains('.') && !query.contains(['/', '\'', '?', '#', ' ']) => {
                format!(
                    "/tenantRelationships/findTenantInformationByDomainName(domainName='{}')",
                    query.to_ascii_lowercase()
                )
            }
            Err(_) => {
                return Err(ApiError::BadRequest(format!(
                    "'{query}' is neither a tenant id (a GUID) nor a domain name."
                )))
            }
        };
        match self
            .graph
            .get::<TenantInformation>(access.token(), &path)
            .await
        {
            Ok(Answer { value, .. }) => Ok(ResolvedTenant {
                display_name: value
                    .display_name
                    .unwrap_or_else(|| value.tenant_id.clone()),
                tenant_id: value.tenant_id.to_lowercase(),
                default_domain: value.default_domain_name,
            }),
            Err(error) if error.kind == graph::client::GraphErrorKind::NotFound => {
                Err(ApiError::NotFound(format!(
                    "No Microsoft Entra tenant was found for '{query}'."
                )))
            }
            Err(error) => Err(upstream("Looking up the tenant failed", &error)),
        }
    }

    /// Refuses, before anything is sent, what the service would refuse or what would break the MTO.
    fn preflight(mesh: &Mesh, acting: &str, write: &JoinWrite) -> Result<(), ApiError> {
        let acting_node = mesh.node(acting);
        let acting_name = mesh.name(acting);
        let in_mto = acting_node.is_some_and(|n| n.in_mto());
        let is_owner = acting_node.is_some_and(|n| n.is_owner() && n.state == NodeState::Active);
        let owner_only = |what: &str| {
            if is_owner {
                Ok(())
            } else {
                Err(ApiError::BadRequest(format!(
                    "Only an active owner tenant can {what}; {acting_name} is not one."
                )))
            }
        };
        match write {
            JoinWrite::CreateMto { name, .. } => {
                if in_mto {
                    return Err(ApiError::BadRequest(format!(
                        "{acting_name} is already in a multitenant organization; a tenant can be in only one."
                    )));
                }
                if name.trim().is_empty() {
                    return Err(ApiError::BadRequest("Give the organization a name.".into()));
                }
                Ok(())
            }
            JoinWrite::UpdateMto { name, .. } => {
                owner_only("rename the organization")?;
                if name.trim().is_empty() {
                    return Err(ApiError::BadRequest("Give the organization a name.".into()));
                }
                Ok(())
            }
            JoinWrite::AddTenant { target, .. } => {
                owner_only("add tenants")?;
                if target == acting {
                    return Err(ApiError::BadRequest(format!(
                        "{acting_name} is already in the organization."
                    )));
                }
                if let Some(node) = mesh.node(target).filter(|n| n.in_mto()) {
                    return Err(ApiError::BadRequest(format!(
                        "{} is already {} in this organization.",
                        node.name,
                        node.state.label()
                    )));
                }
                if mesh.active().count()
                    + mesh
                        .members()
                        .filter(|n| n.state == NodeState::Pending)
                        .count()
                    >= app::mesh::model::TENANT_LIMIT
                {
                    return Err(ApiError::BadRequest(
                        "The organization is at its limit of 100 tenants.".into(),
                    ));
                }
                Ok(())
            }
            JoinWrite::ChangeRole { target, role } => {
                owner_only("change roles")?;
                if !matches!(role.as_str(), "owner" | "member") {
                    return Err(ApiError::BadRequest(format!(
                        "'{role}' is not a role; use owner or member."
                    )));
                }
                let node = mesh.node(target).filter(|n| n.in_mto()).ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "{} is not in this organization.",
                        mesh.name(target)
                    ))
                })?;
                if role == "member" && node.is_owner() && Self::active_owners(mesh) <= 1 {
                    return Err(ApiError::BadRequest(format!(
                        "{} is the only active owner; make another tenant an owner first.",
                        node.name
                    )));
                }
                Ok(())
            }
            JoinWrite::RemoveTenant { target } => {
                let node = mesh.node(target).filter(|n| n.in_mto()).ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "{} is not in this organization.",
                        mesh.name(target)
                    ))
                })?;
                if target != acting {
                    owner_only("remove other tenants")?;
                }
                if node.is_owner() && Self::active_owners(mesh) <= 1 && mesh.members().count() > 1 {
                    return Err(ApiError::BadRequest(format!(
                        "{} is the only active owner; make another tenant an owner before removing it.",
                        node.name
                    )));
                }
                Ok(())
            }
            JoinWrite::Leave => {
                if !in_mto {
                    return Err(ApiError::BadRequest(format!(
                        "{acting_name} is not in a multitenant organization."
                    )));
                }
                if acting_node.is_some_and(|n| n.is_owner())
                    && Self::active_owners(mesh) <= 1
                    && mesh.members().count() > 1
                {
                    return Err(ApiError::BadRequest(format!(
                        "{acting_name} is the only active owner; make another tenant an owner before leaving."
                    )));
                }
                Ok(())
            }
            JoinWrite::Approve { owner }
            | JoinWrite::ResetAndRetry { owner }
            | JoinWrite::Decline { owner } => {
                if owner == acting {
                    return Err(ApiError::BadRequest(
                        "A tenant cannot join through itself.".into(),
                    ));
                }
                if acting_node.is_some_and(|n| n.state == NodeState::Active) {
                    return Err(ApiError::BadRequest(format!(
                        "{acting_name} has already joined."
                    )));
                }
                Ok(())
            }
        }
    }

    fn active_owners(mesh: &Mesh) -> usize {
        mesh.active().filter(|n| n.is_owner()).count()
    }

    /// Checks, audits and makes one write; returns what to tell the person.
    pub async fn write(
        &self,
        access: &TenantAccess<ManageMto>,
        mesh: &Mesh,
        write: JoinWrite,
        now: i64,
    ) -> Result<String, ApiError> {
        let write = normalise(write)?;
        Self::preflight(mesh, access.tenant_id(), &write)?;
        let acting = access.tenant_id().to_owned();
        let acting_name = mesh.name(&acting);
        let attempt = Attempt {
            actor: access.actor().clone(),
            tenant_id: acting.clone(),
            action: write.action(),
            inputs: serde_json::to_value(&write).unwrap_or(Value::Null),
        };
        let result = self
            .audit
            .record(&attempt, now, async {
                self.perform(access, mesh, &write, now)
                    .await
                    .map(|request_id| ((), request_id))
            })
            .await
            .map_err(|e| internal(&e.to_string()))?;
        let target_name = |t: &str| mesh.name(t);
        match result {
            Ok(_) => Ok(match &write {
                JoinWrite::CreateMto { name, .. } => format!("Created the organization {name}; {acting_name} is its owner."),
                JoinWrite::UpdateMto { .. } => "Saved the organization's name and description.".into(),
                JoinWrite::AddTenant { name, .. } => format!("Added {name}: it is pending until its admin joins (asynchronous)."),
                JoinWrite::ChangeRole { target, role } => format!("Asked to make {} {role}; the change is asynchronous.", target_name(target)),
                JoinWrite::RemoveTenant { target } => format!("Asked to remove {}; removal is asynchronous. Its partner settings and sync jobs are not removed by Microsoft.", target_name(target)),
                JoinWrite::Approve { .. } => format!("{acting_name} asked to join; this can take up to 2 hours."),
                JoinWrite::Decline { owner } => format!("Declined the request of {}.", target_name(owner)),
                JoinWrite::ResetAndRetry { .. } => format!("Reset the failed request and asked to join again for {acting_name}."),
                JoinWrite::Leave => format!("{acting_name} asked to leave; this is asynchronous."),
            }),
            Err(error) => Err(upstream(
                &format!("{} failed in {acting_name}", write.action()),
                &error,
            )),
        }
    }

    /// The Graph calls of one write; returns Graph's request id.
    async fn perform(
        &self,
        access: &TenantAccess<ManageMto>,
        mesh: &Mesh,
        write: &JoinWrite,
        now: i64,
    ) -> Result<Option<String>, GraphError> {
        let token: &AccessToken = access.token();
        let send = |method: Method, path: String, body: Option<Value>| async move {
            self.graph
                .send::<Value, Value>(token, method, &path, body.as_ref())
                .await
                .map(|answer| answer.request_id)
        };
        match write {
            JoinWrite::CreateMto { name, description } => {
                send(
                    Method::PUT,
                    MTO.into(),
                    Some(json!({"displayName": name, "description": description})),
                )
                .await
            }
            JoinWrite::UpdateMto { name, description } => {
                send(
                    Method::PATCH,
                    MTO.into(),
                    Some(json!({"displayName": name, "description": description})),
                )
                .await
            }
            JoinWrite::AddTenant { target, name } => {
                send(
                    Method::POST,
                    format!("{MTO}/tenants"),
                    Some(json!({"tenantId": target, "displayName": name})),
                )
                .await
            }
            JoinWrite::ChangeRole { target, role } => {
                send(
                    Method::PATCH,
                    format!("{MTO}/tenants/{target}"),
                    Some(json!({"role": role})),
                )
                .await
            }
            JoinWrite::RemoveTenant { target } => {
                send(Method::DELETE, format!("{MTO}/tenants/{target}"), None).await
            }
            JoinWrite::Leave => {
                send(
                    Method::DELETE,
                    format!("{MTO}/tenants/{}", access.tenant_id()),
                    None,
                )
                .await
            }
            JoinWrite::Approve { owner } => {
                let id = send(
                    Method::PATCH,
                    format!("{MTO}/joinRequest"),
                    Some(json!({"addedByTenantId": owner})),
                )
                .await?;
                self.remember(access, owner, "approved", now).await;
                Ok(id)
            }
            JoinWrite::ResetAndRetry { owner } => {
                send(
                    Method::PATCH,
                    format!("{MTO}/joinRequest"),
                    Some(json!({"addedByTenantId": TenantId::ZERO})),
                )
                .await?;
                let id = send(
                    Method::PATCH,
                    format!("{MTO}/joinRequest"),
                    Some(json!({"addedByTenantId": owner})),
                )
                .await?;
                self.remember(access, owner, "approved", now).await;
                Ok(id)
            }
            JoinWrite::Decline { owner } => {
                let _ = mesh;
                self.remember(access, owner, "declined", now).await;
                Ok(None)
            }
        }
    }

    async fn remember(
        &self,
        access: &TenantAccess<ManageMto>,
        owner: &str,
        decision: &str,
        now: i64,
    ) {
        if let Err(error) = self
            .record_decision(
                access.tenant_id(),
                owner,
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
                            role: m.role.clone().unwrap_or_default(),
                            state: m.state.label().to_owned(),
                            transition: m.transition.as_ref().map(|t| {
                                format!(
                                    "{} → {}: {}{}",
                                    t.desired_role.clone().unwrap_or_default(),
                                    t.desired_state.clone().unwrap_or_default(),
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
                        status: transition.map(|t| t.status.clone()),
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
                    role: node.and_then(|n| n.role.clone()),
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

/// Tenant ids checked and lower-cased, names trimmed.
fn normalise(write: JoinWrite) -> Result<JoinWrite, ApiError> {
    Ok(match write {
        JoinWrite::CreateMto { name, description } => JoinWrite::CreateMto {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
        },
        JoinWrite::UpdateMto { name, description } => JoinWrite::UpdateMto {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
        },
        JoinWrite::AddTenant { target, name } => JoinWrite::AddTenant {
            target: tenant_id(&target)?,
            name: name.trim().to_owned(),
        },
        JoinWrite::ChangeRole { target, role } => JoinWrite::ChangeRole {
            target: tenant_id(&target)?,
            role: role.trim().to_lowercase(),
        },
        JoinWrite::RemoveTenant { target } => JoinWrite::RemoveTenant {
            target: tenant_id(&target)?,
        },
        JoinWrite::Approve { owner } => JoinWrite::Approve {
            owner: tenant_id(&owner)?,
        },
        JoinWrite::Decline { owner } => JoinWrite::Decline {
            owner: tenant_id(&owner)?,
        },
        JoinWrite::ResetAndRetry { owner } => JoinWrite::ResetAndRetry {
            owner: tenant_id(&owner)?,
        },
        JoinWrite::Leave => JoinWrite::Leave,
    })
}
