//! Cross-tenant synchronization: the configurations' service principals, their jobs, schema,
//! scope and secrets, the job actions and the provisioning log (Microsoft Graph v1.0,
//! `api-reference/v1.0/api/serviceprincipal-list.md`, `…/synchronization-synchronization-list-jobs.md`,
//! `…/synchronization-synchronizationjob-{start,pause,restart,provisionondemand}.md`,
//! `…/synchronization-synchronizationschema-get.md`, `…/serviceprincipal-list-approleassignedto.md`,
//! `…/provisioningobjectsummary-list.md`).

use crate::ids::{JobId, ObjectId};
use crate::request::{encode_query_value, odata_string, query, Collection, Method, NoContent, Op};
use crate::sync::{
    AppRoleAssignment, KeyValue, NewAssignment, ProvisionOnDemand, ProvisionedTarget,
    ProvisioningEntry, ProvisioningResult, RestartCriteria, RestartJob, ServicePrincipal, SyncJob,
    SyncSchema, CROSS_TENANT_SYNC_TEMPLATE_ID, GROUP_IDENTITY,
};

fn synchronization(sp: &ObjectId) -> String {
    format!("/servicePrincipals/{sp}/synchronization")
}

fn job_path(sp: &ObjectId, job: &JobId) -> String {
    format!("{}/jobs/{job}", synchronization(sp))
}

/// The tenant's cross-tenant sync configurations (service principals of the gallery template).
pub fn sync_configurations() -> Op<Collection<ServicePrincipal>> {
    let filter = format!(
        "applicationTemplateId eq {}",
        odata_string(CROSS_TENANT_SYNC_TEMPLATE_ID)
    );
    Op::get(format!(
        "/servicePrincipals?$filter={}",
        encode_query_value(&filter)
    ))
}

/// A configuration's jobs (one for cross-tenant sync).
pub fn jobs(sp: &ObjectId) -> Op<Collection<SyncJob>> {
    Op::get(format!("{}/jobs", synchronization(sp)))
}

/// A configuration's settings (`CompanyId`, `SyncAll`, …).
pub fn secrets(sp: &ObjectId) -> Op<Collection<KeyValue>> {
    Op::get(format!("{}/secrets", synchronization(sp)))
}

/// The users and groups assigned to a configuration: its scope.
pub fn scope_assignments(sp: &ObjectId) -> Op<Collection<AppRoleAssignment>> {
    Op::get(format!("/servicePrincipals/{sp}/appRoleAssignedTo"))
}

/// A job's schema: rules, mappings, scoping filters.
pub fn schema(sp: &ObjectId, job: &JobId) -> Op<SyncSchema> {
    Op::get(format!("{}/schema", job_path(sp, job)))
}

/// Replaces a job's schema (mappings, scoping filters) whole; Graph increments its version. 204
/// (`…/synchronization-synchronizationschema-update.md`).
pub fn put_schema(sp: &ObjectId, job: &JobId, schema: &SyncSchema) -> Op<NoContent> {
    Op::new(Method::Put, format!("{}/schema", job_path(sp, job))).body(schema)
}

/// Stops a job and removes its state; accounts it synced stay. 204
/// (`…/synchronization-synchronizationjob-delete.md`).
pub fn delete_job(sp: &ObjectId, job: &JobId) -> Op<NoContent> {
    Op::new(Method::Delete, job_path(sp, job))
}

/// Puts a user or group in a configuration's scope. 201.
pub fn add_assignment(sp: &ObjectId, body: &NewAssignment) -> Op<AppRoleAssignment> {
    Op::new(
        Method::Post,
        format!("/servicePrincipals/{sp}/appRoleAssignedTo"),
    )
    .body(body)
}

/// Removes a user or group from a configuration's scope (`assignment` is the
/// appRoleAssignment's id). 204 (`…/serviceprincipal-delete-approleassignedto.md`).
pub fn remove_assignment(sp: &ObjectId, assignment: &str) -> Op<NoContent> {
    Op::new(
        Method::Delete,
        format!(
            "/servicePrincipals/{sp}/appRoleAssignedTo/{}",
            encode_query_value(assignment)
        ),
    )
}

/// Deletes a configuration (its service principal, with its jobs and scope). 204
/// (`…/serviceprincipal-delete.md`).
pub fn delete_configuration(sp: &ObjectId) -> Op<NoContent> {
    Op::new(Method::Delete, format!("/servicePrincipals/{sp}"))
}

/// 204. Resumes a paused job and clears its quarantine.
pub fn start_job(sp: &ObjectId, job: &JobId) -> Op<NoContent> {
    Op::new(Method::Post, format!("{}/start", job_path(sp, job)))
}

/// 204. The job's state is kept.
pub fn pause_job(sp: &ObjectId, job: &JobId) -> Op<NoContent> {
    Op::new(Method::Post, format!("{}/pause", job_path(sp, job)))
}

/// 204. `reset_scope` is the flags text, e.g. `Watermark, Escrows, QuarantineState`.
pub fn restart_job(sp: &ObjectId, job: &JobId, reset_scope: &str) -> Op<NoContent> {
    Op::new(Method::Post, format!("{}/restart", job_path(sp, job))).body(&RestartJob {
        criteria: RestartCriteria {
            reset_scope: reset_scope.to_owned(),
        },
    })
}

/// 200 with a `stringKeyStringValuePair` whose value is the steps as JSON text.
pub fn provision_on_demand(sp: &ObjectId, job: &JobId, body: &ProvisionOnDemand) -> Op<KeyValue> {
    Op::new(
        Method::Post,
        format!("{}/provisionOnDemand", job_path(sp, job)),
    )
    .body(body)
}

/// The latest `top` provisioning log entries of a job, optionally only those with `outcome`.
pub fn provisioning_log(
    job: &JobId,
    outcome: Option<&ProvisioningResult>,
    top: usize,
) -> Op<Collection<ProvisioningEntry>> {
    let mut filter = format!("jobId eq {}", odata_string(job.as_str()));
    if let Some(outcome) = outcome {
        filter.push_str(&format!(
            " and provisioningStatusInfo/status eq {}",
            odata_string(outcome.as_str())
        ));
    }
    Op::get(format!(
        "/auditLogs/provisioning?{}",
        query(&[("$filter", &filter), ("$top", &top.to_string())])
    ))
}

/// The latest `top` provisioning log entries of a job for groups (`sourceIdentity/identityType`
/// `Group`): which groups it created, changed, deleted or skipped in the target.
pub fn group_provisioning_log(job: &JobId, top: usize) -> Op<Collection<ProvisioningEntry>> {
    let filter = format!(
        "jobId eq {} and sourceIdentity/identityType eq {}",
        odata_string(job.as_str()),
        odata_string(GROUP_IDENTITY)
    );
    Op::get(format!(
        "/auditLogs/provisioning?{}",
        query(&[("$filter", &filter), ("$top", &top.to_string())])
    ))
}

/// The latest `top` provisioning log entries about the source user `user`, only those of `job`
/// when given (`sourceIdentity/id` and `jobId` are filterable with `eq`:
/// `api-reference/v1.0/api/provisioningobjectsummary-list.md`).
pub fn provisioning_for_user(
    user: &ObjectId,
    job: Option<&JobId>,
    top: usize,
) -> Op<Collection<ProvisioningEntry>> {
    let mut filter = format!("sourceIdentity/id eq {}", odata_string(user.as_str()));
    if let Some(job) = job {
        filter.push_str(&format!(" and jobId eq {}", odata_string(job.as_str())));
    }
    Op::get(format!(
        "/auditLogs/provisioning?{}",
        query(&[("$filter", &filter), ("$top", &top.to_string())])
    ))
}

/// The objects the tenant's successful provisioning entries provisioned, `per_page` at a time.
pub fn successful_provisioning(per_page: usize) -> Op<Collection<ProvisionedTarget>> {
    let filter = format!(
        "provisioningStatusInfo/status eq {}",
        odata_string(ProvisioningResult::Success.as_str())
    );
    Op::get(format!(
        "/auditLogs/provisioning?{}",
        query(&[("$top", &per_page.to_string()), ("$filter", &filter)])
    ))
}
