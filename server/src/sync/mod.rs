//! Cross-tenant sync from the dashboard: a job's details read in its source tenant (one `$batch`),
//! operator actions and fixes (checked, audited before and after, then sent with the acting
//! tenant's token), user search for provision on demand, and the MTO templates.

pub mod port;

use app::api::ApiError;
use app::mesh::model::{Known, Mesh};
use app::sync::fix::Fix;
use app::sync::templates::{self, TemplateForm, TemplateWrite, Templates};
use app::sync::{
    explain, mappings, ActionResult, Assigned, LogEntry, Permissions, Scope, SyncAction,
    SyncDetail, UserMatch,
};
use graph::client::{AccessToken, GraphClient, GraphError};
use graph::policies::{IdentitySyncPolicyTemplate, PartnerConfigurationTemplate};
use graph::sync::{reset_scope, AppRoleAssignment, KeyValue, ProvisioningEntry, SyncSchema};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::audit::{Attempt, AuditLog};
use crate::auth::access::{ManageMto, OperateSync, Read, TenantAccess};

/// Who may read `/auditLogs/provisioning` (graph-api.md §9).
const LOG_READERS: &str = "Global Administrator, Global Reader, Reports Reader, Security Reader, \
     Security Administrator, Security Operator, Application Administrator or Cloud Application Administrator";

/// Latest provisioning log entries shown per job.
pub const LOG_ENTRIES: usize = 50;

#[derive(Deserialize)]
struct Collection<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
}

pub struct SyncService {
    pub graph: GraphClient,
    pub audit: AuditLog,
}

fn upstream(what: &str, error: &GraphError) -> ApiError {
    ApiError::Upstream {
        message: format!("{what}: {}", error.message),
        request_id: error.request_id.clone(),
    }
}

fn internal(cause: &str) -> ApiError {
    let reference = uuid::Uuid::new_v4().to_string();
    tracing::error!(%reference, cause, "sync request failed");
    ApiError::Internal { reference }
}

fn decode<T: DeserializeOwned>(answer: Option<Result<Value, GraphError>>) -> Result<T, GraphError> {
    let value = answer.unwrap_or_else(|| Err(GraphError::decode("missing answer", None)))?;
    serde_json::from_value(value)
        .map_err(|err| GraphError::decode(format!("unexpected answer from Graph: {err}"), None))
}

/// An OData string literal's content, quotes doubled and URL-encoded for a query string.
fn odata_text(text: &str) -> String {
    text.replace('\'', "''")
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'\'' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn jobs_path(sp: &str, job: &str) -> String {
    format!("/servicePrincipals/{sp}/synchronization/jobs/{job}")
}

fn log_path(job: &str, outcome: Option<&str>) -> String {
    let mut filter = format!("jobId eq '{job}'");
    if let Some(outcome) = outcome {
        filter.push_str(&format!(
            " and provisioningStatusInfo/status eq '{outcome}'"
        ));
    }
    format!("/auditLogs/provisioning?$filter={filter}&$top={LOG_ENTRIES}")
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
        log_outcome: Option<String>,
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
                detail.problems.push(format!(
                    "Sign in to {source_name} to see its sync configuration."
                ));
            }
            return detail;
        };
        let sp = &summary.service_principal_id;
        let others: Vec<(String, String, String)> = mesh
            .sync
            .get(source)
            .into_iter()
            .flatten()
            .filter(|c| c.target_tenant_id.as_deref() != Some(target))
            .filter_map(|c| {
                let other = c.target_tenant_id.as_deref()?;
                Some((
                    format!("{source_name} → {}", mesh.name(other)),
                    c.service_principal_id.clone(),
                    c.job_id.clone()?,
                ))
            })
            .collect();
        let mut paths = vec![
            format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
            format!("/servicePrincipals/{sp}/synchronization/secrets"),
        ];
        if let Some(job_id) = &summary.job_id {
            paths.push(format!("{}/schema", jobs_path(sp, job_id)));
            paths.push(log_path(job_id, log_outcome.as_deref()));
        }
        paths.extend(
            others
                .iter()
                .map(|(_, sp, job)| format!("{}/schema", jobs_path(sp, job))),
        );
        let mut answers = self
            .graph
            .batch_get(access.token(), &paths)
            .await
            .into_iter();

        let assigned = decode::<Collection<AppRoleAssignment>>(answers.next());
        let secrets = decode::<Collection<KeyValue>>(answers.next());
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
                        kind: a.principal_type.unwrap_or_else(|| "User".into()),
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
        if summary.job_id.is_some() {
            match decode::<SyncSchema>(answers.next()) {
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
            match decode::<Collection<ProvisioningEntry>>(answers.next()) {
                Ok(list) => {
                    detail.log = Some(list.value.iter().map(LogEntry::from_graph).collect())
                }
                Err(error) if error.kind == graph::client::GraphErrorKind::Forbidden => {
                    detail.problems.push(format!(
                        "provisioning log: your role in {source_name} may not read it (it needs {LOG_READERS})"
                    ))
                }
                Err(error) => detail
                    .problems
                    .push(format!("provisioning log: {}", error.message)),
            }
        }
        detail.scope = Some(scope);
        if let Some(here) = detail.mappings.clone() {
            for (label, _, _) in &others {
                if let Ok(schema) = decode::<SyncSchema>(answers.next()) {
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
                    let path = format!(
                        "{}/schema",
                        jobs_path(&reverse.service_principal_id, job_id)
                    );
                    match self.graph.get::<SyncSchema>(access.token(), &path).await {
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
    ) -> Result<ActionResult, ApiError> {
        let source = access.tenant_id();
        let (source_name, target_name) = (mesh.name(source), mesh.name(target));
        let summary = match mesh.job(source, target) {
            Known::Present(summary) => summary,
            Known::Absent => {
                return Err(ApiError::NotFound(format!(
                    "{source_name} has no sync configuration for {target_name}."
                )))
            }
            Known::Unknown => {
                return Err(ApiError::Upstream {
                    message: format!("{source_name}'s sync configurations could not be read."),
                    request_id: None,
                })
            }
        };
        let job_id = summary.job_id.clone().ok_or_else(|| {
            ApiError::BadRequest(format!(
                "The configuration {} has no provisioning job to operate.",
                summary.name
            ))
        })?;
        let inputs = match &action {
            SyncAction::Restart { reset_scope: text } => {
                reset_scope::parse(text).ok_or_else(|| {
                    ApiError::BadRequest(format!("“{text}” is not a valid reset scope."))
                })?;
                json!({"target": target, "job": job_id, "resetScope": text})
            }
            SyncAction::ProvisionOnDemand { user_id } => {
                uuid::Uuid::parse_str(user_id).map_err(|_| {
                    ApiError::BadRequest(format!("“{user_id}” is not a user object id."))
                })?;
                json!({"target": target, "job": job_id, "user": user_id})
            }
            _ => json!({"target": target, "job": job_id}),
        };
        let attempt = Attempt {
            actor: access.actor().clone(),
            tenant_id: source.to_owned(),
            action: action.name(),
            inputs,
        };
        let base = jobs_path(&summary.service_principal_id, &job_id);
        let token = access.token();
        let result = self
            .audit
            .record(&attempt, now, self.perform(token, &base, &action))
            .await
            .map_err(|e| internal(&e.to_string()))?;
        let steps = result.map_err(|error| {
            upstream(
                &format!("{} failed in {source_name}", action.name()),
                &error,
            )
        })?;
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

    async fn perform(
        &self,
        token: &AccessToken,
        base: &str,
        action: &SyncAction,
    ) -> Result<(Vec<app::sync::Step>, Option<String>), GraphError> {
        let post = |path: String, body: Option<Value>| async move {
            self.graph
                .send::<Value, Value>(token, Method::POST, &path, body.as_ref())
                .await
        };
        match action {
            SyncAction::Start => Ok((
                Vec::new(),
                post(format!("{base}/start"), None).await?.request_id,
            )),
            SyncAction::Pause => Ok((
                Vec::new(),
                post(format!("{base}/pause"), None).await?.request_id,
            )),
            SyncAction::Restart { reset_scope } => {
                let body = json!({"criteria": {"resetScope": reset_scope}});
                Ok((
                    Vec::new(),
                    post(format!("{base}/restart"), Some(body))
                        .await?
                        .request_id,
                ))
            }
            SyncAction::ProvisionOnDemand { user_id } => {
                let schema: SyncSchema = self
                    .graph
                    .get(token, &format!("{base}/schema"))
                    .await?
                    .value;
                let rule = schema
                    .synchronization_rules
                    .first()
                    .map(|r| r.id.clone())
                    .ok_or_else(|| GraphError::decode("the job's schema has no rule", None))?;
                let body = json!({"parameters": [{
                    "ruleId": rule,
                    "subjects": [{"objectId": user_id, "objectTypeName": "User"}],
                }]});
                let answer = post(format!("{base}/provisionOnDemand"), Some(body)).await?;
                Ok((on_demand_steps(answer.value.as_ref())?, answer.request_id))
            }
        }
    }

    /// Applies `fix` in `access`'s tenant (the caller found the fix for that tenant).
    pub async fn apply_fix(
        &self,
        access: &TenantAccess<ManageMto>,
        fix: &Fix,
        from: &str,
        to: &str,
        now: i64,
    ) -> Result<String, ApiError> {
        if fix.tenant != access.tenant_id() {
            return Err(ApiError::BadRequest(format!(
                "This fix is made in {}.",
                fix.tenant_name
            )));
        }
        let attempt = Attempt {
            actor: access.actor().clone(),
            tenant_id: fix.tenant.clone(),
            action: "sync.fix",
            inputs: json!({"fix": fix.id, "from": from, "to": to, "calls": fix.calls}),
        };
        let token = access.token();
        let work = async {
            let mut request_id = None;
            for call in &fix.calls {
                let method = Method::from_bytes(call.method.as_bytes())
                    .map_err(|_| GraphError::decode("bad method", None))?;
                let body: Option<Value> = match &call.body {
                    Some(text) => Some(
                        serde_json::from_str(text)
                            .map_err(|e| GraphError::decode(format!("bad body: {e}"), None))?,
                    ),
                    None => None,
                };
                request_id = self
                    .graph
                    .send::<Value, Value>(token, method, &call.path, body.as_ref())
                    .await?
                    .request_id;
            }
            Ok(((), request_id))
        };
        self.audit
            .record(&attempt, now, work)
            .await
            .map_err(|e| internal(&e.to_string()))?
            .map_err(|error| {
                upstream(&format!("The change in {} failed", fix.tenant_name), &error)
            })?;
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
    ) -> Result<Vec<UserMatch>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct User {
            id: String,
            display_name: Option<String>,
            user_principal_name: Option<String>,
            user_type: Option<String>,
        }
        let text = odata_text(text);
        let path = format!(
            "/users?$filter=startswith(displayName,'{text}') or startswith(userPrincipalName,'{text}')&$select=id,displayName,userPrincipalName,userType&$top=25"
        );
        let users: Collection<User> = self
            .graph
            .get(access.token(), &path)
            .await
            .map_err(|e| upstream("Searching users failed", &e))?
            .value;
        Ok(users
            .value
            .into_iter()
            // Cross-tenant sync provisions internal members only.
            .filter(|u| u.user_type.as_deref() != Some("Guest"))
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
    ) -> Result<Templates, ApiError> {
        let token = access.token();
        let (partner, sync) = tokio::join!(
            self.graph
                .get::<PartnerConfigurationTemplate>(token, templates::PARTNER_TEMPLATE),
            self.graph
                .get::<IdentitySyncPolicyTemplate>(token, templates::SYNC_TEMPLATE),
        );
        let partner = partner.map_err(|e| upstream("Reading the partner template failed", &e))?;
        let sync = sync.map_err(|e| upstream("Reading the identity sync template failed", &e))?;
        Ok(Templates {
            tenant: access.tenant_id().to_owned(),
            tenant_name: tenant_name.to_owned(),
            form: TemplateForm::from_graph(&partner.value, &sync.value),
            b2b_set: templates::b2b_set(&partner.value),
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
    ) -> Result<String, ApiError> {
        let calls: Vec<(Method, String, Option<Value>)> = match write {
            TemplateWrite::Save(form) => {
                let (partner, sync) = form.bodies().map_err(ApiError::BadRequest)?;
                vec![
                    (
                        Method::PATCH,
                        templates::PARTNER_TEMPLATE.into(),
                        Some(partner),
                    ),
                    (Method::PATCH, templates::SYNC_TEMPLATE.into(), Some(sync)),
                ]
            }
            TemplateWrite::Reset => vec![
                (
                    Method::POST,
                    format!("{}/resetToDefaultSettings", templates::PARTNER_TEMPLATE),
                    None,
                ),
                (
                    Method::POST,
                    format!("{}/resetToDefaultSettings", templates::SYNC_TEMPLATE),
                    None,
                ),
            ],
        };
        let attempt = Attempt {
            actor: access.actor().clone(),
            tenant_id: access.tenant_id().to_owned(),
            action: match write {
                TemplateWrite::Save(_) => "templates.save",
                TemplateWrite::Reset => "templates.reset",
            },
            inputs: serde_json::to_value(write).unwrap_or(Value::Null),
        };
        let token = access.token();
        let work = async {
            let mut request_id = None;
            for (method, path, body) in &calls {
                request_id = self
                    .graph
                    .send::<Value, Value>(token, method.clone(), path, body.as_ref())
                    .await?
                    .request_id;
            }
            Ok(((), request_id))
        };
        self.audit
            .record(&attempt, now, work)
            .await
            .map_err(|e| internal(&e.to_string()))?
            .map_err(|error| {
                upstream(&format!("Saving {tenant_name}'s templates failed"), &error)
            })?;
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

/// The steps in a `provisionOnDemand` answer: `value` holds a JSON string of
/// `[{provisioningSteps: [...]}]` (graph-api.md §6.3).
fn on_demand_steps(answer: Option<&Value>) -> Result<Vec<app::sync::Step>, GraphError> {
    let text = answer
        .and_then(|a| a.get("value"))
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::decode("provisionOnDemand answered without a value", None))?;
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct StatusInfo {
        #[serde(default)]
        provisioning_steps: Vec<graph::sync::ProvisioningStep>,
    }
    let infos: Vec<StatusInfo> = serde_json::from_str(text)
        .map_err(|e| GraphError::decode(format!("provisionOnDemand's steps: {e}"), None))?;
    Ok(infos
        .iter()
        .flat_map(|i| app::sync::steps(&i.provisioning_steps))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_a_safe_odata_literal() {
        assert_eq!(odata_text("O'Brien"), "O''Brien");
        assert_eq!(odata_text("a b&c#d"), "a%20b%26c%23d");
        assert_eq!(odata_text("adele@contoso"), "adele@contoso");
    }

    #[test]
    fn on_demand_steps_are_read_from_the_string_value() {
        let answer = json!({
            "key": "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo",
            "value": "[{\"provisioningSteps\":[{\"name\":\"EntryImport\",\"provisioningStepType\":\"import\",\"status\":\"success\",\"description\":\"Retrieved the user\",\"details\":{}}]}]"
        });
        let steps = on_demand_steps(Some(&answer)).unwrap();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].kind, "import");
        assert!(on_demand_steps(Some(&json!({"value": "nope"}))).is_err());
        assert!(on_demand_steps(None).is_err());
    }
}
