//! Cross-tenant sync from the dashboard: a job's details read in its source tenant (one `$batch`),
//! operator actions and fixes (checked, audited before and after, then sent with the acting
//! tenant's token), user search for provision on demand, and the MTO templates.

pub mod port;

use app::api::audit::AuditAction;
use app::api::ApiError;
use app::mesh::model::{Known, Mesh};
use app::sync::fix::Fix;
use app::sync::templates::{TemplateForm, TemplateWrite, Templates};
use app::sync::{
    explain, mappings, ActionResult, Assigned, LogEntry, Permissions, Scope, SyncAction,
    SyncDetail, UserMatch,
};
use graph::client::{GraphClient, GraphError, GraphErrorKind};
use graph::sync::{reset_scope, PrincipalType, ProvisionOnDemand, ProvisioningResult};
use graph::users::UserType;
use graph::{ops, NoContent, ObjectId, Op, Request};
use serde_json::json;

use app::mesh::view::Restricted;
use graph::roles::ReadArea;

use crate::audit::{Attempt, AuditLog, Steps, WriteError};
use crate::auth::access::{ManageMto, OperateSync, Read, TenantAccess};
use crate::error::Failure;

/// Latest provisioning log entries shown per job.
pub const LOG_ENTRIES: usize = 50;

/// Users asked for when searching (some are filtered out: guests and synced users).
const SEARCH_PAGE: usize = 25;

pub struct SyncService {
    pub graph: GraphClient,
    pub audit: AuditLog,
}

fn missing() -> GraphError {
    GraphError::decode("missing answer", None)
}

impl SyncService {
    /// The sync section of the pair page for `source → target`. `source_access` reads the job
    /// (without it only what the mesh knows is shown), `target_access` the reverse job's mapping.
    #[allow(clippy::too_many_arguments)]
    pub async fn detail(
        &self,
        mesh: &Mesh,
        source: &str,
        target: &str,
        source_access: Option<&TenantAccess<Read>>,
        target_access: Option<&TenantAccess<Read>>,
        log_outcome: Option<ProvisioningResult>,
        permissions: Permissions,
        fixes: Vec<(Fix, bool)>,
    ) -> SyncDetail {
        let (source_name, target_name) = (mesh.name(source), mesh.name(target));
        let job = mesh.job(source, target);
        let mut detail = SyncDetail {
            taken_at: mesh.taken_at,
            source: source.to_owned(),
            target: target.to_owned(),
            source_name: source_name.clone(),
            target_name: target_name.clone(),
            explanation: job
                .present()
                .map(|j| explain::explain(j, &source_name, &target_name)),
            job: job.clone(),
            scope: None,
            mappings: None,
            missing_mappings: Vec::new(),
            differences: Vec::new(),
            log: None,
            log_outcome: log_outcome.clone(),
            problems: Vec::new(),
            permissions,
            fixes,
        };
        let (Known::Present(summary), Some(access)) = (&job, source_access) else {
            if job.is_unknown() {
                let hidden = mesh.node(source).and_then(|n| {
                    n.restricted
                        .iter()
                        .find(|r| r.part == app::mesh::view::part::SYNC)
                });
                detail.problems.push(match hidden {
                    Some(restricted) => restricted.sentence(&source_name),
                    None => format!("Sign in to {source_name} to see its sync configuration."),
                });
            }
            return detail;
        };
        let sp = &summary.service_principal_id;
        let others: Vec<(String, Op<graph::sync::SyncSchema>)> = mesh
            .sync
            .get(source)
            .into_iter()
            .flatten()
            .filter(|c| c.target_tenant_id.as_deref() != Some(target))
            .filter_map(|c| {
                let other = c.target_tenant_id.as_deref()?;
                Some((
                    format!("{source_name} → {}", mesh.name(other)),
                    ops::sync::schema(&c.service_principal_id, c.job_id.as_ref()?),
                ))
            })
            .collect();
        let (assigned_op, secrets_op) = (ops::sync::scope_assignments(sp), ops::sync::secrets(sp));
        let job_ops = summary.job_id.as_ref().map(|job| {
            (
                ops::sync::schema(sp, job),
                ops::sync::provisioning_log(job, log_outcome.as_ref(), LOG_ENTRIES),
            )
        });
        let mut requests: Vec<&Request> = vec![assigned_op.request(), secrets_op.request()];
        if let Some((schema, log)) = &job_ops {
            requests.extend([schema.request(), log.request()]);
        }
        requests.extend(others.iter().map(|(_, schema)| schema.request()));
        let mut answers = self
            .graph
            .batch_run(access.token(), &requests)
            .await
            .into_iter();
        let mut next = || answers.next().unwrap_or_else(|| Err(missing()));

        let assigned = assigned_op.decode(next());
        let secrets = secrets_op.decode(next());
        let mut scope = Scope {
            sync_all: None,
            assigned: Vec::new(),
            filters: Vec::new(),
        };
        match assigned {
            Ok(list) => {
                scope.assigned = list
                    .value
                    .into_iter()
                    .map(|a| Assigned {
                        name: a.principal_display_name.unwrap_or(a.principal_id),
                        kind: a.principal_type.unwrap_or(PrincipalType::User).to_string(),
                    })
                    .collect();
            }
            Err(error) => detail.problems.push(format!("scope: {}", error.message)),
        }
        match secrets {
            Ok(list) => {
                scope.sync_all = list
                    .value
                    .iter()
                    .find(|s| s.key == "SyncAll")
                    .map(|s| s.value.eq_ignore_ascii_case("true"));
            }
            Err(error) => detail.problems.push(format!("settings: {}", error.message)),
        }
        if let Some((schema_op, log_op)) = &job_ops {
            match schema_op.decode(next()) {
                Ok(schema) => {
                    scope.filters = mappings::filter_text(&schema);
                    let rows = mappings::rows(&schema);
                    detail.missing_mappings = mappings::missing_for_mto(&rows);
                    detail.mappings = Some(rows);
                }
                Err(error) => detail
                    .problems
                    .push(format!("attribute mappings: {}", error.message)),
            }
            match log_op.decode(next()) {
                Ok(list) => {
                    detail.log = Some(list.value.iter().map(LogEntry::from_graph).collect())
                }
                Err(error) if error.kind == GraphErrorKind::Forbidden => detail.problems.push(
                    Restricted::new("provisioning log", ReadArea::ProvisioningLog)
                        .sentence(&source_name),
                ),
                Err(error) => detail
                    .problems
                    .push(format!("provisioning log: {}", error.message)),
            }
        }
        detail.scope = Some(scope);
        if let Some(here) = detail.mappings.clone() {
            for (label, schema_op) in &others {
                if let Ok(schema) = schema_op.decode(next()) {
                    detail.differences.extend(mappings::differences(
                        &here,
                        &mappings::rows(&schema),
                        label,
                    ));
                }
            }
            if let (Known::Present(reverse), Some(access)) =
                (mesh.job(target, source), target_access)
            {
                if let Some(job_id) = &reverse.job_id {
                    let op = ops::sync::schema(&reverse.service_principal_id, job_id);
                    match self.graph.run(access.token(), &op).await {
                        Ok(schema) => detail.differences.extend(mappings::differences(
                            &here,
                            &mappings::rows(&schema.value),
                            &format!("{target_name} → {source_name} (the reverse direction)"),
                        )),
                        Err(error) => detail.problems.push(format!(
                            "the reverse direction's mappings: {}",
                            error.message
                        )),
                    }
                }
            }
        }
        detail
    }

    /// An operator action on the job of `access`'s tenant to `target`.
    pub async fn act(
        &self,
        access: &TenantAccess<OperateSync>,
        mesh: &Mesh,
        target: &str,
        action: SyncAction,
        now: i64,
    ) -> Result<ActionResult, Failure> {
        let source = access.tenant_id().as_str();
        let (source_name, target_name) = (mesh.name(source), mesh.name(target));
        let summary = match mesh.job(source, target) {
            Known::Present(summary) => summary,
            Known::Absent => {
                return Err(ApiError::NotFound(format!(
                    "{source_name} has no sync configuration for {target_name}."
                ))
                .into())
            }
            Known::Unknown => {
                return Err(ApiError::Upstream {
                    message: format!("{source_name}'s sync configurations could not be read."),
                    request_id: None,
                }
                .into())
            }
        };
        let job_id = summary.job_id.clone().ok_or_else(|| {
            ApiError::BadRequest(format!(
                "The configuration {} has no provisioning job to operate.",
                summary.name
            ))
        })?;
        let mut user = None;
        let inputs = match &action {
            SyncAction::Restart { reset_scope: text } => {
                reset_scope::parse(text).ok_or_else(|| {
                    ApiError::BadRequest(format!("“{text}” is not a valid reset scope."))
                })?;
                json!({"target": target, "job": job_id, "resetScope": text})
            }
            SyncAction::ProvisionOnDemand { user_id } => {
                let parsed: ObjectId = user_id.parse().map_err(|_| {
                    ApiError::BadRequest(format!("“{user_id}” is not a user object id."))
                })?;
                let inputs = json!({"target": target, "job": job_id, "user": parsed});
                user = Some(parsed);
                inputs
            }
            _ => json!({"target": target, "job": job_id}),
        };
        let attempt = Attempt {
            actor: access.actor().clone(),
            tenant_id: source.to_owned(),
            action: action.action(),
            inputs,
        };
        let sp = summary.service_principal_id.clone();
        let plan: Vec<String> = match &action {
            SyncAction::ProvisionOnDemand { .. } => {
                vec!["read the job's schema".into(), "provision the user".into()]
            }
            SyncAction::Start => vec!["start the job".into()],
            SyncAction::Pause => vec!["pause the job".into()],
            SyncAction::Restart { .. } => vec!["restart the job".into()],
        };
        let label = plan.last().cloned().unwrap_or_default();
        let work_action = action.clone();
        let written = self
            .audit
            .record(
                attempt,
                now,
                plan,
                &self.graph,
                access.token(),
                move |steps| async move {
                    match &work_action {
                        SyncAction::Start => {
                            send(&steps, &label, ops::sync::start_job(&sp, &job_id)).await
                        }
                        SyncAction::Pause => {
                            send(&steps, &label, ops::sync::pause_job(&sp, &job_id)).await
                        }
                        SyncAction::Restart { reset_scope } => {
                            let op = ops::sync::restart_job(&sp, &job_id, reset_scope);
                            send(&steps, &label, op).await
                        }
                        SyncAction::ProvisionOnDemand { .. } => {
                            let user = user.ok_or_else(|| {
                                WriteError::Internal("no user to provision".into())
                            })?;
                            provision_on_demand(&steps, &sp, &job_id, &user).await
                        }
                    }
                },
            )
            .await?;
        let steps =
            written.into_result(|| format!("{} failed in {source_name}", action.action()))?;
        let message = match &action {
            SyncAction::Start => format!(
                "Started {}: users of {source_name} are provisioned into {target_name} from its next cycle.",
                summary.name
            ),
            SyncAction::Pause => format!("Paused {}; its state is kept.", summary.name),
            SyncAction::Restart { .. } => format!(
                "Restarted {}: the next cycle starts from what was reset.",
                summary.name
            ),
            SyncAction::ProvisionOnDemand { .. } => format!(
                "Provisioned on demand into {target_name}: the steps the service reported are below."
            ),
        };
        Ok(ActionResult { message, steps })
    }

    /// Applies `fix` in `access`'s tenant (the caller found the fix for that tenant).
    pub async fn apply_fix(
        &self,
        access: &TenantAccess<ManageMto>,
        fix: &Fix,
        from: &str,
        to: &str,
        now: i64,
    ) -> Result<String, Failure> {
        if &fix.tenant != access.tenant_id() {
            return Err(
                ApiError::BadRequest(format!("This fix is made in {}.", fix.tenant_name)).into(),
            );
        }
        let attempt = Attempt {
            actor: access.actor().clone(),
            tenant_id: fix.tenant.to_string(),
            action: AuditAction::ApplyFix,
            inputs: json!({"fix": fix.id, "from": from, "to": to, "calls": fix.calls}),
        };
        self.audit
            .record(
                attempt,
                now,
                labels(&fix.calls),
                &self.graph,
                access.token(),
                |steps| run_in_order(steps, fix.calls.clone()),
            )
            .await?
            .into_result(|| format!("The change in {} failed", fix.tenant_name))?;
        Ok(format!(
            "Done in {}: {}. The job picks it up at its next cycle; restart it to go at once.",
            fix.tenant_name,
            fix.title.to_lowercase()
        ))
    }

    /// Internal members of `access`'s tenant whose name or UPN starts with `text` (at most 10).
    pub async fn search_users(
        &self,
        access: &TenantAccess<Read>,
        text: &str,
    ) -> Result<Vec<UserMatch>, Failure> {
        let users = self
            .graph
            .run(
                access.token(),
                &ops::directory::search_users(text, SEARCH_PAGE),
            )
            .await
            .map_err(|e| Failure::graph("Searching users failed", e))?
            .value;
        Ok(users
            .value
            .into_iter()
            // Cross-tenant sync provisions internal members only.
            .filter(|u| u.user_type != Some(UserType::Guest))
            .filter(|u| {
                !u.user_principal_name
                    .as_deref()
                    .unwrap_or_default()
                    .contains("#EXT#")
            })
            .take(10)
            .map(|u| UserMatch {
                display_name: u.display_name.unwrap_or_else(|| u.id.clone()),
                user_principal_name: u.user_principal_name.unwrap_or_default(),
                id: u.id,
            })
            .collect())
    }

    /// Both MTO templates of `access`'s tenant.
    pub async fn templates(
        &self,
        access: &TenantAccess<Read>,
        tenant_name: &str,
        may_edit: bool,
    ) -> Result<Templates, Failure> {
        let token = access.token();
        let (partner_op, sync_op) = (
            ops::policies::partner_template(),
            ops::policies::identity_sync_template(),
        );
        let (partner, sync) = tokio::join!(
            self.graph.run(token, &partner_op),
            self.graph.run(token, &sync_op),
        );
        let read =
            |what: &'static str| move |e| Failure::read(what, ReadArea::Policies, tenant_name, e);
        let partner = partner.map_err(read("Reading the partner template failed"))?;
        let sync = sync.map_err(read("Reading the identity sync template failed"))?;
        Ok(Templates {
            tenant: access.tenant_id().to_string(),
            tenant_name: tenant_name.to_owned(),
            form: TemplateForm::from_graph(&partner.value, &sync.value),
            b2b_set: app::sync::templates::b2b_set(&partner.value),
            may_edit,
        })
    }

    /// Saves or resets both templates, audited.
    pub async fn write_templates(
        &self,
        access: &TenantAccess<ManageMto>,
        tenant_name: &str,
        write: &TemplateWrite,
        now: i64,
    ) -> Result<String, Failure> {
        let calls: Vec<Request> = match write {
            TemplateWrite::Save(form) => {
                let (partner, sync) = form.bodies().map_err(ApiError::BadRequest)?;
                vec![
                    ops::policies::update_partner_template(&partner).into_request(),
                    ops::policies::update_identity_sync_template(&sync).into_request(),
                ]
            }
            TemplateWrite::Reset => vec![
                ops::policies::reset_partner_template().into_request(),
                ops::policies::reset_identity_sync_template().into_request(),
            ],
        };
        let attempt = Attempt {
            actor: access.actor().clone(),
            tenant_id: access.tenant_id().to_string(),
            action: write.action(),
            inputs: serde_json::to_value(write).unwrap_or_default(),
        };
        self.audit
            .record(
                attempt,
                now,
                labels(&calls),
                &self.graph,
                access.token(),
                |steps| run_in_order(steps, calls),
            )
            .await?
            .into_result(|| format!("Saving {tenant_name}'s templates failed"))?;
        Ok(match write {
            TemplateWrite::Save(_) => format!(
                "Saved {tenant_name}'s templates: they apply to partners when tenants join."
            ),
            TemplateWrite::Reset => {
                format!("Reset {tenant_name}'s templates to their defaults (every value unset).")
            }
        })
    }
}

/// Runs an operation whose answer is not needed, as one audited step; answers no steps.
async fn send(
    steps: &Steps,
    label: &str,
    op: Op<NoContent>,
) -> Result<Vec<app::sync::Step>, WriteError> {
    steps.run(label, &op).await?;
    Ok(Vec::new())
}

/// Provisions one user now, by the rule of the job's schema; answers the steps reported.
async fn provision_on_demand(
    steps: &Steps,
    sp: &ObjectId,
    job: &graph::JobId,
    user: &ObjectId,
) -> Result<Vec<app::sync::Step>, WriteError> {
    let schema = steps
        .run("read the job's schema", &ops::sync::schema(sp, job))
        .await?
        .value;
    let rule = schema
        .synchronization_rules
        .first()
        .map(|r| r.id.clone())
        .ok_or_else(|| GraphError::decode("the job's schema has no rule", None))?;
    let body = ProvisionOnDemand::user(&rule, user);
    let answer = steps
        .run(
            "provision the user",
            &ops::sync::provision_on_demand(sp, job, &body),
        )
        .await?;
    let reported = answer.value.on_demand_steps().map_err(|e| {
        GraphError::decode(
            format!("provisionOnDemand's steps: {e}"),
            answer.request_id.clone(),
        )
    })?;
    Ok(app::sync::steps(&reported))
}

/// What each call changes, in words.
pub(crate) fn labels(calls: &[Request]) -> Vec<String> {
    calls
        .iter()
        .map(|call| {
            ops::policies::describe(call)
                .unwrap_or_else(|| format!("{} {}", call.method, call.path))
        })
        .collect()
}

/// Runs `calls` one after the other, each an audited step, stopping at the first failure.
pub(crate) async fn run_in_order(steps: Steps, calls: Vec<Request>) -> Result<(), WriteError> {
    for (call, label) in calls.iter().zip(labels(&calls)) {
        steps.run_request(&label, call).await?;
    }
    Ok(())
}
