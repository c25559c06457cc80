//! One tenant's own view of the MTO, as its Graph answers it: the input of the mesh model. The
//! server reads it with that tenant's token; everything here is plain data and plain functions.

use graph::mto::{JoinRequest, MtoMember, MultiTenantOrganization};
use graph::policies::{
    B2BSetting, DefaultConfiguration, IdentitySyncPolicyTemplate, PartnerConfiguration,
    PartnerConfigurationTemplate,
};
use graph::roles::ReadArea;
use graph::sync::{
    AppRoleAssignment, ExecutionState, JobStatusCode, PrincipalType, ProvisioningAction,
    ProvisioningEntry, ProvisioningResult, QuarantineReason, ScheduleState, ServicePrincipal,
    SyncJob, SyncSchema, SyncStatus,
};
use graph::{JobId, ObjectId, TenantId};
use serde::{Deserialize, Serialize};

/// `allowed` / `blocked`, and whether the value is the partner's own or inherited from the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// `allowed`, `blocked`, or `unknown` when neither the partner nor the default says.
    pub value: String,
    pub inherited: bool,
}

/// A switch (`true`/`false`/unset) and where its value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switch {
    pub value: Option<bool>,
    pub inherited: bool,
}

impl Switch {
    pub fn is_on(&self) -> bool {
        self.value == Some(true)
    }
}

/// One tenant's cross-tenant access settings for one partner, defaults already resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSide {
    /// The partner these settings are for.
    pub tenant_id: String,
    pub b2b_collaboration_inbound: Access,
    pub b2b_collaboration_outbound: Access,
    pub b2b_direct_connect_inbound: Access,
    pub b2b_direct_connect_outbound: Access,
    pub trusts_mfa: Switch,
    pub trusts_compliant_devices: Switch,
    /// Automatic redemption of invitations from the partner (`automaticUserConsentSettings.inboundAllowed`).
    pub auto_redeem_inbound: Switch,
    /// Automatic redemption in the partner for this tenant's users (`outboundAllowed`).
    pub auto_redeem_outbound: Switch,
    /// Whether an identity sync policy exists for the partner.
    pub has_identity_sync: bool,
    /// `userSyncInbound.isSyncAllowed` of that policy.
    pub inbound_sync_allowed: Option<bool>,
    pub is_in_mto: Option<bool>,
    /// `groupSyncInbound.isSyncAllowed` of that policy: whether the partner may synchronize
    /// groups into this tenant (`None`: not set, or no policy).
    #[serde(default)]
    pub group_sync_allowed: Option<bool>,
}

/// One cross-tenant sync configuration in its source tenant, with its job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub service_principal_id: ObjectId,
    pub name: String,
    /// From the `CompanyId` secret, else from an `MTO_Sync_<tenantId>` name.
    pub target_tenant_id: Option<String>,
    pub job_id: Option<JobId>,
    /// `NotConfigured` without a job.
    pub status: JobStatusCode,
    pub schedule_state: ScheduleState,
    pub quarantine: Option<QuarantineSummary>,
    /// The last run's error, when it failed.
    pub last_error: Option<ErrorSummary>,
    pub last_run: Option<String>,
    pub last_run_state: Option<ExecutionState>,
    pub last_success: Option<String>,
    pub successive_failures: i64,
    pub synchronized_users: i64,
    /// The schedule's interval (ISO 8601, `PT40M` for cross-tenant sync).
    #[serde(default)]
    pub interval: Option<String>,
    /// The counts of the last run.
    #[serde(default)]
    pub last_counts: Option<RunCounts>,
    /// When the job last reached steady state (nothing left to do).
    #[serde(default)]
    pub steady_since: Option<String>,
    /// Groups the job has synchronized into the target (`synchronizedEntryCountByType`).
    #[serde(default)]
    pub synchronized_groups: i64,
    /// What the configuration does with groups, as far as it was read (`None`: not read).
    #[serde(default)]
    pub groups: Option<GroupSync>,
}

/// A configuration's groups: those assigned, whether it provisions them, and those its
/// provisioning log shows created in the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSync {
    /// Display names of the groups assigned to the configuration (`None`: not read).
    pub assigned: Option<Vec<String>>,
    /// Whether the schema's group mapping is enabled (`None`: the schema was not read).
    pub provisions_groups: Option<bool>,
    /// Groups the log shows created in the target and not deleted since, by name (`None`: the log
    /// was not read; the log keeps 30 days, so older groups are counted but not named).
    pub synced: Option<Vec<String>>,
    /// Group changes the log shows skipped because the target does not allow inbound group sync.
    #[serde(default)]
    pub skipped: usize,
}

impl GroupSync {
    /// The groups in scope: assigned, with group provisioning on (`None`: not known).
    pub fn in_scope(&self) -> Option<Vec<String>> {
        match self.provisions_groups? {
            true => self.assigned.clone(),
            false => Some(Vec::new()),
        }
    }
}

/// A configuration's [`GroupSync`] from its assignments (`None`: not read), its schema and its
/// group entries of the provisioning log (newest first, as Graph lists them).
pub fn group_sync(
    assignments: Option<&[AppRoleAssignment]>,
    schema: Option<&SyncSchema>,
    log: Option<&[ProvisioningEntry]>,
) -> GroupSync {
    let assigned = assignments.map(|list| {
        list.iter()
            .filter(|a| a.principal_type == Some(PrincipalType::Group))
            .map(|a| {
                a.principal_display_name
                    .clone()
                    .unwrap_or_else(|| a.principal_id.clone())
            })
            .collect()
    });
    let synced = log.map(|entries| {
        // Oldest first: the last successful action on each group tells whether its copy exists.
        let mut present: Vec<(String, String)> = Vec::new();
        for entry in entries.iter().rev() {
            let succeeded = entry
                .provisioning_status_info
                .as_ref()
                .is_some_and(|s| s.status == ProvisioningResult::Success);
            let Some(source) = entry.source_identity.as_ref() else {
                continue;
            };
            let Some(id) = source.id.clone() else {
                continue;
            };
            if !succeeded {
                continue;
            }
            present.retain(|(known, _)| *known != id);
            if entry.provisioning_action != ProvisioningAction::Delete {
                present.push((id, source.display_name.clone().unwrap_or_default()));
            }
        }
        let mut names: Vec<String> = present.into_iter().map(|(_, name)| name).collect();
        names.sort_by_key(|n| n.to_lowercase());
        names
    });
    let skipped = log.map_or(0, |entries| {
        entries
            .iter()
            .filter(|e| {
                e.provisioning_status_info
                    .as_ref()
                    .is_some_and(|s| s.status == ProvisioningResult::Skipped)
            })
            .count()
    });
    GroupSync {
        assigned,
        provisions_groups: schema.map(SyncSchema::provisions_groups),
        synced,
        skipped,
    }
}

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    pub imported: i64,
    pub exported: i64,
    pub escrowed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineSummary {
    pub reason: QuarantineReason,
    pub since: Option<String>,
    pub series_count: i64,
    pub error: Option<ErrorSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorSummary {
    pub code: String,
    pub message: String,
}

/// The MTO as one tenant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationInfo {
    pub display_name: String,
    pub description: Option<String>,
    pub created: Option<String>,
}

/// The tenant's MTO templates: what new (and, per level, existing) partners get at a join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatesSummary {
    pub partner_level: String,
    pub auto_redeem_inbound: Option<bool>,
    pub auto_redeem_outbound: Option<bool>,
    pub sync_level: String,
    pub inbound_sync_allowed: Option<bool>,
}

impl TemplatesSummary {
    pub fn from_graph(
        partner: &PartnerConfigurationTemplate,
        sync: &IdentitySyncPolicyTemplate,
    ) -> Self {
        Self {
            partner_level: partner.template_application_level.clone(),
            auto_redeem_inbound: partner.automatic_user_consent_settings.inbound_allowed,
            auto_redeem_outbound: partner.automatic_user_consent_settings.outbound_allowed,
            sync_level: sync.template_application_level.clone(),
            inbound_sync_allowed: sync.user_sync_inbound.is_sync_allowed,
        }
    }
}

/// Everything the mesh needs from one tenant. A part that could not be read is `None` and named
/// in `problems`, so one failing call degrades only that part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantView {
    pub tenant_id: String,
    /// `None`: the tenant is in no MTO (Graph's inactive stub).
    pub organization: Option<OrganizationInfo>,
    pub members: Option<Vec<MtoMember>>,
    pub partners: Option<Vec<PartnerSide>>,
    pub templates: Option<TemplatesSummary>,
    pub sync: Option<Vec<SyncSummary>>,
    /// The tenant's own join request record (its side of a join: approved, running, failed and
    /// why), `None` when it could not be read.
    #[serde(default)]
    pub join_request: Option<JoinRequest>,
    /// What could not be read, in words (e.g. "sync configurations: 503 ServiceUnavailable").
    pub problems: Vec<String>,
    /// What the signed-in person's role may not read here (Graph answered 403, or only basic
    /// attributes): not an outage, so never filled from an earlier reading.
    #[serde(default)]
    pub restricted: Vec<Restricted>,
}

/// A part of a tenant's reading that the signed-in role may not see, and the roles that may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restricted {
    /// One of [`part`]'s names.
    pub part: String,
    pub area: ReadArea,
}

impl Restricted {
    pub fn new(part: &str, area: ReadArea) -> Self {
        Self {
            part: part.to_owned(),
            area,
        }
    }

    /// "Your role in Contoso cannot see the partner settings (needs Security Reader, …)".
    pub fn sentence(&self, tenant_name: &str) -> String {
        Self::sentences(std::slice::from_ref(self), tenant_name).join(" ")
    }

    /// One sentence per group of parts that need the same roles, in the order first seen:
    /// "Your role in Contoso cannot see the member tenants, the partner settings or the join
    /// request (needs Security Reader, …)."
    pub fn sentences(restricted: &[Restricted], tenant_name: &str) -> Vec<String> {
        // Areas that need the same roles (the MTO's details and the policies do) share a sentence.
        let mut areas: Vec<ReadArea> = Vec::new();
        for r in restricted {
            if !areas.iter().any(|a| a.roles() == r.area.roles()) {
                areas.push(r.area);
            }
        }
        areas
            .into_iter()
            .map(|area| {
                let parts: Vec<String> = restricted
                    .iter()
                    .filter(|r| r.area.roles() == area.roles())
                    .map(|r| format!("the {}", r.part))
                    .collect();
                let listed = match parts.as_slice() {
                    [] => String::new(),
                    [only] => only.clone(),
                    [first @ .., last] => format!("{} or {last}", first.join(", ")),
                };
                format!(
                    "Your role in {tenant_name} cannot see {listed} (needs {}).",
                    area.needs()
                )
            })
            .collect()
    }
}

/// How each part of a tenant's reading is named in `problems` ("{part}: {error}").
pub mod part {
    /// An unread MTO and "in no MTO" are both `None`: only the problem tells them apart.
    pub const ORGANIZATION: &str = "multitenant organization";
    pub const MEMBERS: &str = "member tenants";
    pub const DEFAULT: &str = "default cross-tenant settings";
    pub const PARTNERS: &str = "partner settings";
    pub const TEMPLATES: &str = "MTO templates";
    pub const SYNC: &str = "sync configurations";
    pub const JOIN_REQUEST: &str = "join request";
    /// The group entries of a sync job's provisioning log (which groups it created).
    pub const PROVISIONING_LOG: &str = "provisioning log";
}

impl TenantView {
    /// Fills the parts this reading could not read from an `earlier` reading of the same tenant, made
    /// `age_seconds` ago, and says so after each problem: a part that fails keeps showing what was
    /// known, with its age, instead of going blank. Returns whether anything was kept.
    pub fn keep_unread_parts(&mut self, earlier: &TenantView, age_seconds: i64) -> bool {
        let organization_failed = self
            .problems
            .iter()
            .any(|p| p.starts_with(part::ORGANIZATION));
        let mut kept = Vec::new();
        if organization_failed && earlier.organization.is_some() {
            self.organization.clone_from(&earlier.organization);
            kept.push(part::ORGANIZATION);
        }
        fn fill<T: Clone>(part: &mut Option<T>, earlier: &Option<T>, may: bool) -> bool {
            let missing = may && part.is_none() && earlier.is_some();
            if missing {
                part.clone_from(earlier);
            }
            missing
        }
        // A part the role may not read stays unread: showing an older reading (perhaps made by
        // someone else) would pass it off as this person's view.
        let may = |label: &str| !self.restricted.iter().any(|r| r.part == label);
        let (members, partners, templates, sync, join) = (
            may(part::MEMBERS),
            may(part::PARTNERS),
            may(part::TEMPLATES),
            may(part::SYNC),
            may(part::JOIN_REQUEST),
        );
        for (filled, label) in [
            (
                fill(&mut self.members, &earlier.members, members),
                part::MEMBERS,
            ),
            (
                fill(&mut self.partners, &earlier.partners, partners),
                part::PARTNERS,
            ),
            (
                fill(&mut self.templates, &earlier.templates, templates),
                part::TEMPLATES,
            ),
            (fill(&mut self.sync, &earlier.sync, sync), part::SYNC),
            (
                fill(&mut self.join_request, &earlier.join_request, join),
                part::JOIN_REQUEST,
            ),
        ] {
            if filled {
                kept.push(label);
            }
        }
        let age = crate::mesh::time::duration(age_seconds);
        for problem in &mut self.problems {
            if kept.iter().any(|label| problem.starts_with(label)) {
                problem.push_str(&format!(" — showing what was read {age} ago"));
            }
        }
        !kept.is_empty()
    }
}

fn access(own: Option<&B2BSetting>, default: Option<&B2BSetting>) -> Access {
    let value = |setting: Option<&B2BSetting>| {
        setting
            .and_then(|s| s.users_and_groups.as_ref())
            .map(|t| t.access_type.to_string())
    };
    match value(own) {
        Some(value) => Access {
            value,
            inherited: false,
        },
        None => Access {
            value: value(default).unwrap_or_else(|| "unknown".into()),
            inherited: true,
        },
    }
}

fn switch(own: Option<bool>, default: Option<bool>) -> Switch {
    match own {
        Some(value) => Switch {
            value: Some(value),
            inherited: false,
        },
        None => Switch {
            value: default,
            inherited: true,
        },
    }
}

/// A partner configuration with the default's values filled in where it inherits.
pub fn partner_side(
    partner: &PartnerConfiguration,
    default: Option<&DefaultConfiguration>,
) -> PartnerSide {
    let trust = partner.inbound_trust.as_ref();
    let default_trust = default.and_then(|d| d.inbound_trust.as_ref());
    let consent = &partner.automatic_user_consent_settings;
    let default_consent = default.map(|d| &d.automatic_user_consent_settings);
    let sync = partner.identity_synchronization.as_ref();
    PartnerSide {
        tenant_id: partner.tenant_id.to_string(),
        b2b_collaboration_inbound: access(
            partner.b2b_collaboration_inbound.as_ref(),
            default.and_then(|d| d.b2b_collaboration_inbound.as_ref()),
        ),
        b2b_collaboration_outbound: access(
            partner.b2b_collaboration_outbound.as_ref(),
            default.and_then(|d| d.b2b_collaboration_outbound.as_ref()),
        ),
        b2b_direct_connect_inbound: access(
            partner.b2b_direct_connect_inbound.as_ref(),
            default.and_then(|d| d.b2b_direct_connect_inbound.as_ref()),
        ),
        b2b_direct_connect_outbound: access(
            partner.b2b_direct_connect_outbound.as_ref(),
            default.and_then(|d| d.b2b_direct_connect_outbound.as_ref()),
        ),
        trusts_mfa: switch(
            trust.and_then(|t| t.is_mfa_accepted),
            default_trust.and_then(|t| t.is_mfa_accepted),
        ),
        trusts_compliant_devices: switch(
            trust.and_then(|t| t.is_compliant_device_accepted),
            default_trust.and_then(|t| t.is_compliant_device_accepted),
        ),
        auto_redeem_inbound: switch(
            consent.inbound_allowed,
            default_consent.and_then(|c| c.inbound_allowed),
        ),
        auto_redeem_outbound: switch(
            consent.outbound_allowed,
            default_consent.and_then(|c| c.outbound_allowed),
        ),
        has_identity_sync: sync.is_some(),
        inbound_sync_allowed: sync
            .and_then(|s| s.user_sync_inbound.as_ref())
            .and_then(|u| u.is_sync_allowed),
        is_in_mto: partner.is_in_multi_tenant_organization,
        group_sync_allowed: sync.and_then(|s| s.group_sync_allowed()),
    }
}

/// A sync configuration's summary from its service principal, `CompanyId` and job.
pub fn sync_summary(
    service_principal: &ServicePrincipal,
    company_id: Option<&str>,
    job: Option<&SyncJob>,
) -> SyncSummary {
    let error = |e: &graph::sync::SyncError| ErrorSummary {
        code: e.code.clone(),
        message: e.message.clone(),
    };
    let status = job.map(|j| &j.status);
    // A started job that has not run yet carries a placeholder `lastExecution` (state `Failed`,
    // error code `None`, began 0001-01-01): that is "not run yet", not a failed run.
    let last = status
        .and_then(|s| s.last_execution.as_ref())
        .filter(|l| !l.is_placeholder());
    SyncSummary {
        service_principal_id: service_principal.id.clone(),
        name: service_principal
            .display_name
            .clone()
            .unwrap_or_else(|| service_principal.id.to_string()),
        target_tenant_id: company_id
            .and_then(|id| id.parse::<TenantId>().ok())
            .or_else(|| service_principal.mto_target())
            .map(String::from),
        job_id: job.map(|j| j.id.clone()),
        status: status.map_or(JobStatusCode::NotConfigured, |s| s.code.clone()),
        schedule_state: job.map_or(ScheduleState::Disabled, |j| j.schedule.state.clone()),
        quarantine: status
            .and_then(|s| s.quarantine.as_ref())
            .map(|q| QuarantineSummary {
                reason: q.reason.clone(),
                since: q.series_began.clone().or_else(|| q.current_began.clone()),
                series_count: q.series_count,
                error: q.error.as_ref().map(error),
            }),
        last_error: last.and_then(|l| l.error.as_ref()).map(error),
        last_run: last.and_then(|l| l.time_began.clone()),
        last_run_state: last.and_then(|l| l.state.clone()),
        last_success: status
            .and_then(|s| s.last_successful_execution.as_ref())
            .and_then(|l| l.time_ended.clone()),
        successive_failures: status.map_or(0, |s| s.count_successive_complete_failures),
        synchronized_users: status.map_or(0, SyncStatus::synchronized_users),
        synchronized_groups: status.map_or(0, SyncStatus::synchronized_groups),
        groups: None,
        interval: job.map(|j| j.schedule.interval.clone()),
        last_counts: last.map(|l| RunCounts {
            imported: l.count_imported,
            exported: l.count_exported,
            escrowed: l.count_escrowed,
        }),
        steady_since: status.and_then(|s| s.steady_since()).map(str::to_owned),
    }
}

/// The organization, or `None` for the inactive stub.
pub fn organization_info(mto: &MultiTenantOrganization) -> Option<OrganizationInfo> {
    mto.is_active().then(|| OrganizationInfo {
        display_name: mto.display_name.clone().unwrap_or_default(),
        description: mto.description.clone(),
        created: mto.created_date_time.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph::policies::{InboundOutbound, TargetConfiguration};

    fn blocked() -> B2BSetting {
        B2BSetting {
            users_and_groups: Some(TargetConfiguration {
                access_type: graph::policies::AccessType::Blocked,
                targets: vec![],
            }),
            applications: None,
        }
    }

    fn view(organization: Option<&str>, partners: Option<Vec<PartnerSide>>) -> TenantView {
        TenantView {
            tenant_id: "t".into(),
            organization: organization.map(|name| OrganizationInfo {
                display_name: name.into(),
                description: None,
                created: None,
            }),
            members: Some(Vec::new()),
            partners,
            templates: None,
            sync: Some(Vec::new()),
            join_request: None,
            problems: Vec::new(),
            restricted: Vec::new(),
        }
    }

    fn started_job(code: JobStatusCode) -> SyncJob {
        serde_json::from_value(serde_json::json!({
            "id": "Azure2Azure.8b3b3e0a4c3b4c52b1d7e2f5a9c1d0e1.2d1f",
            "templateId": "Azure2Azure",
            "schedule": {"expiration": null, "interval": "PT40M", "state": "Active"},
            "status": {
                "code": code, "lastExecution": graph::sync::TaskExecution::not_run_yet(),
                "lastSuccessfulExecution": null, "lastSuccessfulExecutionWithExports": null,
                "quarantine": null, "steadyStateFirstAchievedTime": graph::sync::NEVER,
                "steadyStateLastAchievedTime": graph::sync::NEVER, "troubleshootingUrl": ""
            }
        }))
        .unwrap()
    }

    fn configuration() -> ServicePrincipal {
        serde_json::from_value(serde_json::json!({
            "id": "5e1c0000-0000-4000-8000-000000000001",
            "appId": "2",
            "displayName": "MTO_Sync_bbbbbbbb-0000-0000-0000-000000000002"
        }))
        .unwrap()
    }

    #[test]
    fn a_job_not_run_yet_has_no_last_run_nor_error() {
        for code in [JobStatusCode::NotRun, JobStatusCode::Active] {
            let summary = sync_summary(&configuration(), None, Some(&started_job(code)));
            assert_eq!(summary.last_error, None);
            assert_eq!(summary.last_run, None);
            assert_eq!(summary.last_run_state, None);
            assert_eq!(summary.last_counts, None);
            assert_eq!(summary.successive_failures, 0);
            let explained = crate::sync::explain::explain(&summary, "Contoso", "Fabrikam");
            assert!(
                !explained.headline.contains("failed"),
                "{}",
                explained.headline
            );
        }
        let mut failed = started_job(JobStatusCode::Active);
        if let Some(last) = failed.status.last_execution.as_mut() {
            last.time_began = Some("2026-09-01T09:00:00Z".into());
            last.error = Some(graph::sync::SyncError {
                code: "AzureActiveDirectoryInvalidCredentials".into(),
                message: "m".into(),
                tenant_actionable: true,
            });
        }
        let summary = sync_summary(&configuration(), None, Some(&failed));
        assert_eq!(summary.last_run_state, Some(ExecutionState::Failed));
        assert_eq!(
            summary.last_error.map(|e| e.code).as_deref(),
            Some("AzureActiveDirectoryInvalidCredentials")
        );
    }

    #[test]
    fn the_group_log_names_the_groups_whose_copies_exist() {
        let entry = |id: &str, name: &str, action: &str, status: &str| -> ProvisioningEntry {
            serde_json::from_value(serde_json::json!({
                "id": format!("{id}-{action}"), "activityDateTime": "2026-01-01T00:00:00Z",
                "provisioningAction": action,
                "provisioningStatusInfo": {"status": status},
                "sourceIdentity": {"id": id, "displayName": name, "identityType": "Group"}
            }))
            .unwrap()
        };
        // Newest first, as Graph lists them.
        let log = [
            entry("3", "Support", "delete", "skipped"),
            entry("2", "Design", "delete", "success"),
            entry("2", "Design", "create", "success"),
            entry("1", "Sales", "update", "success"),
            entry("3", "Support", "create", "success"),
            entry("1", "Sales", "create", "success"),
        ];
        let assignments: Vec<AppRoleAssignment> = serde_json::from_value(serde_json::json!([
            {"id": "a", "appRoleId": "r", "principalId": "1", "principalDisplayName": "Sales",
             "principalType": "Group", "resourceId": "sp"},
            {"id": "b", "appRoleId": "r", "principalId": "u", "principalDisplayName": "Ann",
             "principalType": "User", "resourceId": "sp"}
        ]))
        .unwrap();
        let mut schema = SyncSchema {
            id: "s".into(),
            version: None,
            synchronization_rules: Vec::new(),
        };
        let groups = group_sync(Some(&assignments), Some(&schema), Some(&log));
        assert_eq!(groups.assigned, Some(vec!["Sales".to_owned()]));
        assert_eq!(
            groups.synced,
            Some(vec!["Sales".to_owned(), "Support".to_owned()])
        );
        assert_eq!(groups.skipped, 1);
        assert_eq!(groups.provisions_groups, Some(false));
        assert_eq!(groups.in_scope(), Some(Vec::new()), "provisioning off");
        schema = serde_json::from_value(serde_json::json!({
            "id": "s",
            "synchronizationRules": [{"id": "r", "objectMappings": [
                {"name": "Groups", "enabled": true, "sourceObjectName": "Group",
                 "targetObjectName": "Group"}
            ]}]
        }))
        .unwrap();
        let groups = group_sync(Some(&assignments), Some(&schema), None);
        assert_eq!(groups.in_scope(), Some(vec!["Sales".to_owned()]));
        assert_eq!(groups.synced, None, "log not read");
    }

    #[test]
    fn a_part_that_fails_keeps_its_earlier_reading_and_says_how_old_it_is() {
        let earlier = view(Some("Contoso Group"), Some(Vec::new()));
        let mut fresh = view(None, None);
        fresh.problems = vec![
            format!("{}: 503 serviceNotAvailable", part::ORGANIZATION),
            format!("{}: 503 serviceNotAvailable", part::PARTNERS),
            format!("{}: 403 Authorization_RequestDenied", part::TEMPLATES),
        ];
        assert!(fresh.keep_unread_parts(&earlier, 300));
        assert_eq!(fresh.organization, earlier.organization);
        assert_eq!(fresh.partners, Some(Vec::new()));
        assert_eq!(
            fresh.problems,
            [
                "multitenant organization: 503 serviceNotAvailable — showing what was read 5 min ago",
                "partner settings: 503 serviceNotAvailable — showing what was read 5 min ago",
                // Never read before: nothing to keep, nothing claimed.
                "MTO templates: 403 Authorization_RequestDenied",
            ]
        );
    }

    #[test]
    fn a_part_the_role_may_not_read_is_never_filled_from_an_earlier_reading() {
        let earlier = view(Some("Contoso Group"), Some(Vec::new()));
        let mut fresh = view(Some("Contoso Group"), None);
        fresh.restricted = vec![Restricted::new(part::PARTNERS, ReadArea::Policies)];
        assert!(!fresh.keep_unread_parts(&earlier, 300));
        assert_eq!(fresh.partners, None);
        assert_eq!(
            fresh.restricted[0].sentence("Contoso"),
            "Your role in Contoso cannot see the partner settings (needs Security Reader, \
             Global Reader, Security Administrator or Global Administrator)."
        );
    }

    #[test]
    fn parts_needing_the_same_roles_are_said_in_one_sentence() {
        let restricted = [
            Restricted::new(part::MEMBERS, ReadArea::MtoDetails),
            Restricted::new(part::SYNC, ReadArea::Sync),
            Restricted::new(part::PARTNERS, ReadArea::Policies),
            Restricted::new(part::JOIN_REQUEST, ReadArea::MtoDetails),
        ];
        let said = Restricted::sentences(&restricted, "Contoso");
        assert_eq!(said.len(), 2);
        assert!(said[0].starts_with(
            "Your role in Contoso cannot see the member tenants, the partner settings or the join \
             request (needs Security Reader"
        ));
        assert!(said[1].starts_with(
            "Your role in Contoso cannot see the sync configurations (needs Application Administrator"
        ));
    }

    #[test]
    fn a_tenant_that_left_its_mto_is_not_shown_in_it_again() {
        // No problem with the organization: `None` means "in no MTO" now, and stays so.
        let earlier = view(Some("Contoso Group"), Some(Vec::new()));
        let mut fresh = view(None, Some(Vec::new()));
        assert!(!fresh.keep_unread_parts(&earlier, 60));
        assert_eq!(fresh.organization, None);
        assert!(fresh.problems.is_empty());
    }

    #[test]
    fn null_partner_values_inherit_the_default() {
        let id: TenantId = "ABCDEF00-0000-0000-0000-000000000001".parse().unwrap();
        let mut partner = PartnerConfiguration::unconfigured(&id);
        partner.automatic_user_consent_settings = InboundOutbound {
            inbound_allowed: Some(true),
            outbound_allowed: None,
        };
        partner.b2b_direct_connect_inbound = Some(blocked());
        let default = DefaultConfiguration {
            is_service_default: true,
            inbound_trust: None,
            b2b_collaboration_inbound: Some(B2BSetting {
                users_and_groups: Some(TargetConfiguration {
                    access_type: "allowed".into(),
                    targets: vec![],
                }),
                applications: None,
            }),
            b2b_collaboration_outbound: None,
            b2b_direct_connect_inbound: None,
            b2b_direct_connect_outbound: None,
            automatic_user_consent_settings: InboundOutbound {
                inbound_allowed: Some(false),
                outbound_allowed: Some(false),
            },
        };
        let side = partner_side(&partner, Some(&default));
        assert_eq!(side.tenant_id, "abcdef00-0000-0000-0000-000000000001");
        assert_eq!(
            side.auto_redeem_inbound,
            Switch {
                value: Some(true),
                inherited: false
            }
        );
        assert_eq!(
            side.auto_redeem_outbound,
            Switch {
                value: Some(false),
                inherited: true
            }
        );
        assert_eq!(side.b2b_collaboration_inbound.value, "allowed");
        assert!(side.b2b_collaboration_inbound.inherited);
        assert_eq!(side.b2b_direct_connect_inbound.value, "blocked");
        assert_eq!(side.b2b_direct_connect_outbound.value, "unknown");
        assert!(!side.has_identity_sync);
    }
}
