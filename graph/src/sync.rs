//! Cross-tenant synchronization resources: the configuration's service principal, its
//! synchronization job and status, the schema with mappings and scoping filters, scope
//! assignments, secrets and provisioning log entries. Microsoft Graph v1.0 reference:
//! `api-reference/v1.0/resources/synchronization-synchronizationjob.md`,
//! `…/synchronization-synchronizationstatus.md`, `…/synchronization-synchronizationschema.md`,
//! `…/provisioningobjectsummary.md` and `api/synchronization-synchronizationjob-provisionondemand.md`
//! (microsoftgraph/microsoft-graph-docs-contrib).
//!
//! Fields that Graph may omit or send as `null` are `Option` or `#[serde(default)]`, so that the
//! dashboard reads real Graph answers as well as the emulator's.

use serde::{Deserialize, Serialize};

use crate::ids::{JobId, ObjectId, TenantId};
use crate::macros::graph_enum;

graph_enum! {
    /// `synchronizationStatusCode`.
    JobStatusCode {
        NotConfigured = "NotConfigured",
        NotRun = "NotRun",
        Active = "Active",
        Paused = "Paused",
        Quarantine = "Quarantine",
    }
}

graph_enum! {
    /// `synchronizationScheduleState`.
    ScheduleState { Active = "Active", Disabled = "Disabled", Paused = "Paused" }
}

graph_enum! {
    /// `synchronizationTaskExecutionResult`.
    ExecutionState {
        Succeeded = "Succeeded",
        Failed = "Failed",
        EntryLevelErrors = "EntryLevelErrors",
    }
}

graph_enum! {
    /// `quarantineReason`. (Graph's own `Unknown` member reads as `Unknown("Unknown")`.)
    QuarantineReason {
        EncounteredBaseEscrowThreshold = "EncounteredBaseEscrowThreshold",
        EncounteredTotalEscrowThreshold = "EncounteredTotalEscrowThreshold",
        EncounteredEscrowProportionThreshold = "EncounteredEscrowProportionThreshold",
        EncounteredQuarantineException = "EncounteredQuarantineException",
        QuarantinedOnDemand = "QuarantinedOnDemand",
        TooManyDeletes = "TooManyDeletes",
        IngestionInterrupted = "IngestionInterrupted",
    }
}

graph_enum! {
    /// `attributeMappingSourceType`.
    MappingSourceType { Attribute = "Attribute", Constant = "Constant", Function = "Function" }
}

graph_enum! {
    /// `provisioningAction`.
    ProvisioningAction {
        Create = "create",
        Update = "update",
        Delete = "delete",
        Disable = "disable",
        StagedDelete = "stagedDelete",
        Other = "other",
    }
}

graph_enum! {
    /// `provisioningResult`: the status of an entry and of each of its steps.
    ProvisioningResult {
        Success = "success",
        Failure = "failure",
        Skipped = "skipped",
        Warning = "warning",
    }
}

graph_enum! {
    /// `provisioningStepType`.
    ProvisioningStepType {
        Import = "import",
        Scoping = "scoping",
        Matching = "matching",
        Processing = "processing",
        ReferenceResolution = "referenceResolution",
        Export = "export",
    }
}

graph_enum! {
    /// `appRoleAssignment.principalType`.
    PrincipalType { User = "User", Group = "Group", ServicePrincipal = "ServicePrincipal" }
}

/// The gallery application template every cross-tenant sync configuration is instantiated from.
pub const CROSS_TENANT_SYNC_TEMPLATE_ID: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
/// The synchronization template of cross-tenant sync jobs.
pub const AZURE2AZURE: &str = "Azure2Azure";
/// The display-name prefix of configurations the Microsoft 365 admin center creates for an MTO.
pub const MTO_SYNC_PREFIX: &str = "MTO_Sync_";
/// The error a job is quarantined with when the target's policies block it.
pub const POLICY_CHECK_FAILURE: &str = "AzureDirectoryB2BManagementPolicyCheckFailure";

/// `{key, value}` (e.g. `synchronizedEntryCountByType`, with an Int64 value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLongValue {
    pub key: String,
    pub value: i64,
}

/// `{name, value}` (`synchronizationJobSettings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

/// `{key, value}` with string values (secrets, metadata, provisionOnDemand's answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    pub id: String,
    #[serde(default)]
    pub allowed_member_types: Vec<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub is_enabled: bool,
    pub value: Option<String>,
}

/// The parts of a `servicePrincipal` a sync configuration needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: ObjectId,
    pub app_id: String,
    pub display_name: Option<String>,
    pub application_template_id: Option<String>,
    #[serde(default)]
    pub app_role_assignment_required: bool,
    #[serde(default)]
    pub app_roles: Vec<AppRole>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub app_owner_organization_id: Option<String>,
    pub service_principal_type: Option<String>,
    pub homepage: Option<String>,
}

impl ServicePrincipal {
    /// The target tenant named by an MTO configuration's display name (`MTO_Sync_<tenantId>`).
    pub fn mto_target(&self) -> Option<TenantId> {
        self.display_name
            .as_deref()?
            .strip_prefix(MTO_SYNC_PREFIX)?
            .parse()
            .ok()
    }
}

/// `appRoleAssignment`: one user or group in a configuration's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    pub id: String,
    pub app_role_id: String,
    pub principal_id: String,
    pub principal_display_name: Option<String>,
    pub principal_type: Option<PrincipalType>,
    pub resource_id: String,
    pub resource_display_name: Option<String>,
    pub created_date_time: Option<String>,
}

/// Body of `POST /servicePrincipals/{id}/appRoleAssignedTo`: puts a user or group in a
/// configuration's scope (`api-reference/v1.0/api/serviceprincipal-post-approleassignedto.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAssignment {
    pub principal_id: String,
    /// The configuration's service principal.
    pub resource_id: String,
    pub app_role_id: String,
}

/// `synchronizationSchedule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub expiration: Option<String>,
    /// ISO-8601 duration, `PT40M` for cross-tenant sync.
    pub interval: String,
    pub state: ScheduleState,
}

/// `synchronizationError`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncError {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub tenant_actionable: bool,
}

/// `synchronizationTaskExecution`: one run of a job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskExecution {
    pub activity_identifier: Option<String>,
    pub count_entitled: i64,
    pub count_entitled_for_provisioning: i64,
    pub count_escrowed: i64,
    pub count_escrowed_raw: i64,
    pub count_exported: i64,
    pub count_exports: i64,
    pub count_imported: i64,
    pub count_imported_deltas: i64,
    pub count_imported_reference_deltas: i64,
    pub error: Option<SyncError>,
    pub state: Option<ExecutionState>,
    pub time_began: Option<String>,
    pub time_ended: Option<String>,
}

impl TaskExecution {
    /// The `lastExecution` Graph shows for a job that was started but has not run yet: `Failed`,
    /// error code `None` with an empty message, both times `0001-01-01T00:00:00Z`
    /// (MicrosoftDocs/entra-docs
    /// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`,
    /// the Get synchronizationJob response right after `start`).
    pub fn not_run_yet() -> Self {
        Self {
            error: Some(SyncError {
                code: "None".into(),
                message: String::new(),
                tenant_actionable: false,
            }),
            state: Some(ExecutionState::Failed),
            time_began: Some(NEVER.into()),
            time_ended: Some(NEVER.into()),
            ..Self::default()
        }
    }

    /// Whether this is such a placeholder rather than a run: it began at `0001-01-01` or its error
    /// code is `None`. A placeholder's `Failed` state means "not run yet", never a failure.
    pub fn is_placeholder(&self) -> bool {
        self.time_began
            .as_deref()
            .is_some_and(|t| t.starts_with("0001-"))
            || self.error.as_ref().is_some_and(|e| e.code == "None")
    }
}

/// `synchronizationQuarantine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quarantine {
    pub current_began: Option<String>,
    pub next_attempt: Option<String>,
    pub reason: QuarantineReason,
    pub series_began: Option<String>,
    #[serde(default)]
    pub series_count: i64,
    pub error: Option<SyncError>,
}

/// `synchronizationProgress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub completed_units: i64,
    pub total_units: i64,
    pub units: String,
    pub progress_observation_date_time: Option<String>,
}

/// Not reached yet, as Graph writes it for `steadyState…AchievedTime`.
pub const NEVER: &str = "0001-01-01T00:00:00Z";

/// `synchronizationStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub code: JobStatusCode,
    #[serde(default)]
    pub count_successive_complete_failures: i64,
    #[serde(default)]
    pub escrows_pruned: bool,
    pub last_execution: Option<TaskExecution>,
    pub last_successful_execution: Option<TaskExecution>,
    pub last_successful_execution_with_exports: Option<TaskExecution>,
    #[serde(default)]
    pub progress: Vec<Progress>,
    pub quarantine: Option<Quarantine>,
    pub steady_state_first_achieved_time: Option<String>,
    pub steady_state_last_achieved_time: Option<String>,
    #[serde(default)]
    pub synchronized_entry_count_by_type: Vec<KeyLongValue>,
    pub troubleshooting_url: Option<String>,
}

/// The `synchronizedEntryCountByType` key of synchronized groups: `"<source object> to <target
/// object>"`, `group to Group` in the job example of `MicrosoftDocs/entra-docs`
/// `docs/identity/hybrid/cloud-sync/concept-attributes.md` (keys are compared without case).
pub const GROUP_ENTRY_COUNT_KEY: &str = "group to group";
/// The key of synchronized users (`user to User` in the same example).
pub const USER_ENTRY_COUNT_KEY: &str = "user to user";

impl SyncStatus {
    /// How many groups the job has synchronized (`synchronizedEntryCountByType`, keys starting
    /// with `group to`).
    pub fn synchronized_groups(&self) -> i64 {
        self.synchronized_entry_count_by_type
            .iter()
            .filter(|e| is_group_count(&e.key))
            .map(|e| e.value)
            .sum()
    }

    /// How many other objects (users) the job has synchronized.
    pub fn synchronized_users(&self) -> i64 {
        self.synchronized_entry_count_by_type
            .iter()
            .filter(|e| !is_group_count(&e.key))
            .map(|e| e.value)
            .sum()
    }

    /// When steady state was last reached, if ever.
    pub fn steady_since(&self) -> Option<&str> {
        self.steady_state_last_achieved_time
            .as_deref()
            .filter(|t| !t.starts_with("0001-"))
    }
}

fn is_group_count(key: &str) -> bool {
    key.get(..9)
        .is_some_and(|start| start.eq_ignore_ascii_case("group to "))
}

/// `synchronizationJob`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncJob {
    pub id: JobId,
    pub template_id: String,
    pub schedule: Schedule,
    pub status: SyncStatus,
    #[serde(default)]
    pub synchronization_job_settings: Vec<NameValue>,
}

/// `attributeMappingSource`: an attribute, a constant or a function of other sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingSource {
    pub expression: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: MappingSourceType,
    #[serde(default)]
    pub parameters: Vec<MappingParameter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingParameter {
    pub key: String,
    pub value: MappingSource,
}

/// `attributeMapping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeMapping {
    pub target_attribute_name: String,
    pub source: Option<MappingSource>,
    pub default_value: Option<String>,
    #[serde(default)]
    pub export_missing_references: bool,
    /// `FlowWhenChanged` or `FlowAlways`.
    pub flow_behavior: Option<String>,
    /// `Always`, `ObjectAddOnly`, ...
    pub flow_type: Option<String>,
    #[serde(default)]
    pub matching_priority: i32,
}

/// `filterOperand`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterOperand {
    #[serde(default)]
    pub values: Vec<String>,
}

/// `filterClause`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterClause {
    pub operator_name: String,
    pub source_operand_name: String,
    #[serde(default)]
    pub target_operand: FilterOperand,
}

/// `filterGroup`: matches when all its clauses match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterGroup {
    pub name: String,
    #[serde(default)]
    pub clauses: Vec<FilterClause>,
}

/// `filter`: in scope when any of `groups` matches (or there are none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeFilter {
    #[serde(default)]
    pub groups: Vec<FilterGroup>,
    #[serde(default)]
    pub input_filter_groups: Vec<FilterGroup>,
    #[serde(default)]
    pub category_filter_groups: Vec<FilterGroup>,
}

/// A boolean attribute as the provisioning service's scoping filters compare it: `True`, `False`.
pub fn bool_text(value: bool) -> String {
    if value { "True" } else { "False" }.to_owned()
}

/// A user attribute's JSON value as the scoping filters compare it: text as it is, booleans as
/// [`bool_text`], numbers in decimal; `None` for null, an empty text or a missing attribute.
pub fn attribute_text(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(text) if !text.is_empty() => Some(text.clone()),
        serde_json::Value::Bool(flag) => Some(bool_text(*flag)),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

impl FilterClause {
    /// Whether a user whose attribute (`source_operand_name`) is `value` passes the clause; `None`
    /// for an operator this version does not evaluate. Operators as the service's
    /// `filterOperators` names them (`EQUALS`, `NOT EQUALS`, `IS TRUE`, `IS FALSE`, `IS NULL`,
    /// `IS NOT NULL`, `Includes`; `microsoftgraph/microsoft-graph-docs-contrib`
    /// `api-reference/v1.0/api/synchronization-synchronizationschema-filteroperators.md`), written
    /// with spaces or underscores; text compared without regard to case.
    pub fn passes(&self, value: Option<&str>) -> Option<bool> {
        let wanted = &self.target_operand.values;
        let equals = |v: &str| wanted.iter().any(|w| w.eq_ignore_ascii_case(v));
        let operator = self.operator_name.trim().replace('_', " ").to_uppercase();
        Some(match operator.as_str() {
            "EQUALS" => value.is_some_and(equals),
            "NOT EQUALS" => !value.is_some_and(equals),
            "IS TRUE" => value.is_some_and(|v| v.eq_ignore_ascii_case("true")),
            "IS FALSE" => value.is_some_and(|v| v.eq_ignore_ascii_case("false")),
            "IS NULL" => value.is_none(),
            "IS NOT NULL" => value.is_some(),
            "INCLUDES" => value.is_some_and(|v| {
                let v = v.to_lowercase();
                wanted.iter().any(|w| v.contains(&w.to_lowercase()))
            }),
            _ => return None,
        })
    }
}

/// One clause of a scoping filter evaluated on one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseOutcome {
    pub clause: FilterClause,
    /// The user's value of the clause's attribute.
    pub value: Option<String>,
    /// `None` when the operator is not one this version evaluates (counted as not passed).
    pub passed: Option<bool>,
}

/// One filter group evaluated on one user: it lets the user through when all its clauses pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOutcome {
    pub name: String,
    pub clauses: Vec<ClauseOutcome>,
    pub passed: bool,
}

impl ScopeFilter {
    /// Every group of the filter evaluated on a user whose attributes `attribute` gives (by
    /// source attribute name, as [`attribute_text`] writes them).
    pub fn evaluate(&self, attribute: &dyn Fn(&str) -> Option<String>) -> Vec<GroupOutcome> {
        self.groups
            .iter()
            .map(|group| {
                let clauses: Vec<ClauseOutcome> = group
                    .clauses
                    .iter()
                    .map(|clause| {
                        let value = attribute(&clause.source_operand_name);
                        ClauseOutcome {
                            passed: clause.passes(value.as_deref()),
                            clause: clause.clone(),
                            value,
                        }
                    })
                    .collect();
                GroupOutcome {
                    name: group.name.clone(),
                    passed: clauses.iter().all(|c| c.passed == Some(true)),
                    clauses,
                }
            })
            .collect()
    }

    /// Whether the filter lets the user through: any group all of whose clauses pass, or no group
    /// at all. The provisioning service (and the emulator's) and the dashboard's diagnosis both
    /// decide with this one function.
    pub fn matches(&self, attribute: &dyn Fn(&str) -> Option<String>) -> bool {
        self.groups.is_empty() || self.evaluate(attribute).iter().any(|g| g.passed)
    }
}

/// `objectMapping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMapping {
    pub name: String,
    pub enabled: bool,
    /// Flags: `Add, Update, Delete`.
    pub flow_types: Option<String>,
    #[serde(default)]
    pub metadata: Vec<KeyValue>,
    pub scope: Option<ScopeFilter>,
    pub source_object_name: String,
    pub target_object_name: String,
    #[serde(default)]
    pub attribute_mappings: Vec<AttributeMapping>,
}

/// `synchronizationRule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRule {
    pub id: String,
    pub name: Option<String>,
    #[serde(default)]
    pub editable: bool,
    #[serde(default)]
    pub priority: i32,
    pub source_directory_name: Option<String>,
    pub target_directory_name: Option<String>,
    #[serde(default)]
    pub metadata: Vec<KeyValue>,
    #[serde(default)]
    pub object_mappings: Vec<ObjectMapping>,
}

/// `synchronizationSchema`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSchema {
    pub id: String,
    pub version: Option<String>,
    #[serde(default)]
    pub synchronization_rules: Vec<SyncRule>,
}

impl SyncSchema {
    /// The user mapping of the first rule (`Provision Azure Active Directory Users`).
    pub fn user_mapping(&self) -> Option<&ObjectMapping> {
        self.synchronization_rules
            .first()?
            .object_mappings
            .iter()
            .find(|m| m.source_object_name.eq_ignore_ascii_case("User"))
    }

    /// The group mapping of the first rule (`Provision Azure Active Directory Groups`): when it is
    /// enabled, the configuration creates the assigned security groups in the target
    /// (`MicrosoftDocs/entra-docs`
    /// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md`, "Group
    /// synchronization").
    pub fn group_mapping(&self) -> Option<&ObjectMapping> {
        self.synchronization_rules
            .first()?
            .object_mappings
            .iter()
            .find(|m| m.source_object_name.eq_ignore_ascii_case("Group"))
    }

    /// Whether the configuration provisions groups (its group mapping is enabled).
    pub fn provisions_groups(&self) -> bool {
        self.group_mapping().is_some_and(|m| m.enabled)
    }

    /// The constant a target attribute is set to, when mapped from a constant (e.g. `userType`).
    pub fn constant_for(&self, target_attribute: &str) -> Option<&str> {
        self.user_mapping()?
            .attribute_mappings
            .iter()
            .find(|m| m.target_attribute_name == target_attribute)
            .and_then(|m| m.source.as_ref())
            .filter(|s| s.kind == MappingSourceType::Constant)
            .and_then(|s| s.name.as_deref())
    }
}

/// `provisionedIdentity.identityType` of a provisioning entry for a group (`provisioningObjectSummary`
/// filters on `sourceIdentity/identityType`: `api-reference/v1.0/api/provisioningobjectsummary-list.md`).
pub const GROUP_IDENTITY: &str = "Group";

/// `provisioningStatusInfo.errorInformation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningErrorInfo {
    pub error_code: Option<String>,
    pub reason: Option<String>,
    pub additional_details: Option<String>,
    pub error_category: Option<String>,
    pub recommended_action: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningStatusInfo {
    pub status: ProvisioningResult,
    pub error_information: Option<ProvisioningErrorInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningStep {
    pub name: String,
    /// `type` in provisionOnDemand's JSON text.
    #[serde(alias = "type")]
    pub provisioning_step_type: ProvisioningStepType,
    pub status: ProvisioningResult,
    pub description: Option<String>,
    #[serde(default)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    pub display_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// `provisionedIdentity` / `provisioningSystem` / `provisioningServicePrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningParty {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub identity_type: Option<String>,
    #[serde(default)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Initiator {
    pub id: Option<String>,
    pub display_name: Option<String>,
    /// `user`, `application`, `system`.
    pub initiator_type: Option<String>,
}

/// `provisioningObjectSummary`: one entry of `/auditLogs/provisioning`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningEntry {
    pub id: String,
    pub activity_date_time: String,
    pub tenant_id: Option<String>,
    pub job_id: Option<String>,
    pub cycle_id: Option<String>,
    pub change_id: Option<String>,
    #[serde(default)]
    pub duration_in_milliseconds: i64,
    pub provisioning_action: ProvisioningAction,
    pub provisioning_status_info: Option<ProvisioningStatusInfo>,
    #[serde(default)]
    pub provisioning_steps: Vec<ProvisioningStep>,
    #[serde(default)]
    pub modified_properties: Vec<ModifiedProperty>,
    pub service_principal: Option<ProvisioningParty>,
    pub source_system: Option<ProvisioningParty>,
    pub target_system: Option<ProvisioningParty>,
    pub source_identity: Option<ProvisioningParty>,
    pub target_identity: Option<ProvisioningParty>,
    pub initiated_by: Option<Initiator>,
}

/// Body of `POST …/jobs/{id}/restart`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartJob {
    pub criteria: RestartCriteria,
}

/// `synchronizationJobRestartCriteria`: the reset scope flags as text (`"Watermark, Escrows"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestartCriteria {
    pub reset_scope: String,
}

/// Body of `POST …/jobs/{id}/provisionOnDemand`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionOnDemand {
    pub parameters: Vec<OnDemandParameter>,
}

/// `synchronizationJobApplicationParameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandParameter {
    pub rule_id: String,
    pub subjects: Vec<OnDemandSubject>,
}

/// `synchronizationJobSubject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandSubject {
    pub object_id: ObjectId,
    pub object_type_name: String,
}

impl ProvisionOnDemand {
    /// One user, by the schema's rule.
    pub fn user(rule_id: &str, user: &ObjectId) -> Self {
        Self {
            parameters: vec![OnDemandParameter {
                rule_id: rule_id.to_owned(),
                subjects: vec![OnDemandSubject {
                    object_id: user.clone(),
                    object_type_name: "User".into(),
                }],
            }],
        }
    }
}

/// One item of the JSON text in provisionOnDemand's `value` (a `provisioningStatusInfo` list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandStatus {
    #[serde(default)]
    pub provisioning_steps: Vec<ProvisioningStep>,
}

/// provisionOnDemand's `value`: a list of statuses (the cross-tenant sync article,
/// `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`) or
/// one provisioning record (`api/synchronization-synchronizationjob-provisionondemand.md`,
/// whose Example 3 is `{}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum OnDemandValue {
    Statuses(Vec<OnDemandStatus>),
    Record(OnDemandStatus),
}

impl KeyValue {
    /// provisionOnDemand's answer: `value` holds a JSON string of `[{provisioningSteps: [...]}]`
    /// or of one record `{provisioningSteps: [...], statusInfo, …}`; steps name their type
    /// `type` or `provisioningStepType`.
    pub fn on_demand_steps(&self) -> Result<Vec<ProvisioningStep>, serde_json::Error> {
        Ok(match serde_json::from_str(&self.value)? {
            OnDemandValue::Statuses(statuses) => statuses
                .into_iter()
                .flat_map(|status| status.provisioning_steps)
                .collect(),
            OnDemandValue::Record(record) => record.provisioning_steps,
        })
    }

    /// The `result` provisionOnDemand's `key` names when it is the JSON
    /// `{"result":"Skipped","details":{…}}` (the reference page's shape); `None` for the
    /// `…SyncFabric.StatusInfo` key.
    pub fn on_demand_result(&self) -> Option<String> {
        let key: serde_json::Value = serde_json::from_str(&self.key).ok()?;
        key.get("result")?.as_str().map(str::to_owned)
    }
}

/// Only which object a provisioning entry provisioned: a light reading of
/// `provisioningObjectSummary` for logs of many thousand entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionedTarget {
    #[serde(default)]
    pub target_identity: Option<PartyId>,
}

/// The `id` of a `provisionedIdentity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyId {
    #[serde(default)]
    pub id: Option<String>,
}

/// `restart` reset scope flags (`microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/resources/synchronization-synchronizationjobrestartcriteria.md`).
pub mod reset_scope {
    pub const CONNECTOR_DATA_STORE: u32 = 1;
    pub const ESCROWS: u32 = 2;
    pub const WATERMARK: u32 = 4;
    pub const QUARANTINE_STATE: u32 = 8;
    pub const FULL: u32 = 15;
    pub const FORCE_DELETES: u32 = 32;

    /// Parses `"Watermark, Escrows, QuarantineState"`; an empty value means what the portal's
    /// Restart does (QuarantineState + Watermark + Escrows). `None` for an unknown flag.
    pub fn parse(text: &str) -> Option<u32> {
        let text = text.trim();
        if text.is_empty() {
            return Some(ESCROWS | WATERMARK | QUARANTINE_STATE);
        }
        text.split(',').try_fold(0, |flags, part| {
            let flag = match part.trim() {
                "None" => 0,
                "ConnectorDataStore" => CONNECTOR_DATA_STORE,
                "Escrows" => ESCROWS,
                "Watermark" => WATERMARK,
                "QuarantineState" => QUARANTINE_STATE,
                "Full" => FULL,
                "ForceDeletes" => FORCE_DELETES,
                _ => return None,
            };
            Some(flags | flag)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_scope_flags_parse_like_the_enum() {
        assert_eq!(
            reset_scope::parse("Watermark, Escrows, QuarantineState"),
            Some(14)
        );
        assert_eq!(reset_scope::parse(""), Some(14));
        assert_eq!(reset_scope::parse("Full"), Some(15));
        assert_eq!(reset_scope::parse("None"), Some(0));
        assert_eq!(reset_scope::parse("Watermark, Everything"), None);
    }

    #[test]
    fn a_job_from_the_documented_example_deserializes() {
        let job: SyncJob = serde_json::from_value(serde_json::json!({
            "id": "Azure2Azure.8b3b3e0a4c3b4c52b1d7e2f5a9c1d0e1.2d1f",
            "templateId": "Azure2Azure",
            "schedule": {"expiration": null, "interval": "PT40M", "state": "Disabled"},
            "status": {
                "code": "Paused", "countSuccessiveCompleteFailures": 0, "escrowsPruned": false,
                "lastExecution": null, "lastSuccessfulExecution": null,
                "lastSuccessfulExecutionWithExports": null, "progress": [], "quarantine": null,
                "steadyStateFirstAchievedTime": NEVER, "steadyStateLastAchievedTime": NEVER,
                "synchronizedEntryCountByType": [], "troubleshootingUrl": null
            },
            "synchronizationJobSettings": [{"name": "LookaheadQueryEnabled", "value": "False"}]
        }))
        .unwrap();
        assert_eq!(job.status.code, JobStatusCode::Paused);
        assert_eq!(job.schedule.state, ScheduleState::Disabled);
        assert_eq!(job.status.steady_since(), None);
    }

    #[test]
    fn the_last_execution_of_a_job_not_run_yet_is_a_placeholder() {
        let documented: TaskExecution = serde_json::from_value(serde_json::json!({
            "activityIdentifier": null, "countEntitled": 0, "countEntitledForProvisioning": 0,
            "countEscrowed": 0, "countEscrowedRaw": 0, "countExported": 0, "countExports": 0,
            "countImported": 0, "countImportedDeltas": 0, "countImportedReferenceDeltas": 0,
            "state": "Failed", "timeBegan": NEVER, "timeEnded": NEVER,
            "error": {"code": "None", "message": "", "tenantActionable": false}
        }))
        .unwrap();
        assert_eq!(documented, TaskExecution::not_run_yet());
        assert!(documented.is_placeholder());
        let failed = TaskExecution {
            state: Some(ExecutionState::Failed),
            time_began: Some("2026-01-01T00:00:00Z".into()),
            error: Some(SyncError {
                code: "AzureDirectoryB2BManagementPolicyCheckFailure".into(),
                message: "Policy permitting auto-redemption of invitations not configured".into(),
                tenant_actionable: true,
            }),
            ..TaskExecution::default()
        };
        assert!(!failed.is_placeholder());
    }

    #[test]
    fn on_demand_steps_are_read_from_the_string_value() {
        let answer: KeyValue = serde_json::from_value(serde_json::json!({
            "key": "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo",
            "value": "[{\"provisioningSteps\":[{\"name\":\"EntryImport\",\"provisioningStepType\":\"import\",\"status\":\"success\",\"description\":\"Retrieved the user\",\"details\":{}}]}]"
        }))
        .unwrap();
        let steps = answer.on_demand_steps().unwrap();
        assert_eq!(steps.len(), 1);
        assert_eq!(
            steps[0].provisioning_step_type,
            ProvisioningStepType::Import
        );
        assert_eq!(steps[0].status, ProvisioningResult::Success);
        let bad = KeyValue {
            key: "k".into(),
            value: "nope".into(),
        };
        assert!(bad.on_demand_steps().is_err());
        assert_eq!(answer.on_demand_result(), None);
    }

    #[test]
    fn the_reference_pages_on_demand_record_is_read_too() {
        let answer: KeyValue = serde_json::from_value(serde_json::json!({
            "key": "{\"result\":\"Skipped\",\"details\":{\"errorCode\":\"RedundantExport\"}}",
            "value": "{\"action\":\"Other\",\"provisioningSteps\":[{\"name\":\"EntrySynchronizationSkip\",\"type\":\"Export\",\"status\":\"Skipped\",\"description\":\"x\",\"timestamp\":\"2020-06-26T13:58:24.7682084Z\",\"details\":{\"SkipReason\":\"RedundantExport\"}}],\"statusInfo\":{\"status\":\"Skipped\"}}"
        }))
        .unwrap();
        let steps = answer.on_demand_steps().unwrap();
        assert_eq!(
            steps[0].provisioning_step_type,
            ProvisioningStepType::Export
        );
        assert_eq!(steps[0].status, ProvisioningResult::Skipped);
        assert_eq!(answer.on_demand_result().as_deref(), Some("Skipped"));
        let empty = KeyValue {
            key: "{\"result\":\"Success\",\"details\":{}}".into(),
            value: "{}".into(),
        };
        assert!(empty.on_demand_steps().unwrap().is_empty());
    }

    #[test]
    fn entry_counts_are_split_into_users_and_groups() {
        let status: SyncStatus = serde_json::from_value(serde_json::json!({
            "code": "Active",
            "synchronizedEntryCountByType": [
                {"key": "group to Group", "value": 33},
                {"key": "user to User", "value": 3}
            ]
        }))
        .unwrap();
        assert_eq!(status.synchronized_groups(), 33);
        assert_eq!(status.synchronized_users(), 3);
    }

    #[test]
    fn mto_configurations_name_their_target() {
        let sp = ServicePrincipal {
            id: "8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1".parse().unwrap(),
            app_id: "2".into(),
            display_name: Some("MTO_Sync_7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22".into()),
            application_template_id: Some(CROSS_TENANT_SYNC_TEMPLATE_ID.into()),
            app_role_assignment_required: true,
            app_roles: vec![],
            tags: vec![],
            app_owner_organization_id: None,
            service_principal_type: None,
            homepage: None,
        };
        assert_eq!(
            sp.mto_target().unwrap().as_str(),
            "7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22"
        );
    }
}

#[cfg(test)]
mod scope_filter_tests {
    use super::*;

    fn clause(operator: &str, attribute: &str, values: &[&str]) -> FilterClause {
        FilterClause {
            operator_name: operator.into(),
            source_operand_name: attribute.into(),
            target_operand: FilterOperand {
                values: values.iter().map(|v| (*v).to_owned()).collect(),
            },
        }
    }

    fn user(name: &str) -> Option<String> {
        match name {
            "companyName" => Some("Fabrikam".into()),
            "accountEnabled" => Some(bool_text(true)),
            "displayName" => Some("Nadia Petrova".into()),
            _ => None,
        }
    }

    #[test]
    fn each_operator_compares_as_the_service_does() {
        let passes = |c: FilterClause| c.passes(user(&c.source_operand_name).as_deref());
        assert_eq!(
            passes(clause("EQUALS", "companyName", &["fabrikam"])),
            Some(true)
        );
        assert_eq!(
            passes(clause("NOT EQUALS", "companyName", &["Litware"])),
            Some(true)
        );
        assert_eq!(
            passes(clause("NOT_EQUALS", "department", &["x"])),
            Some(true)
        );
        assert_eq!(passes(clause("IS TRUE", "accountEnabled", &[])), Some(true));
        assert_eq!(
            passes(clause("IS_FALSE", "accountEnabled", &[])),
            Some(false)
        );
        assert_eq!(passes(clause("IS NULL", "department", &[])), Some(true));
        assert_eq!(
            passes(clause("IS NOT NULL", "department", &[])),
            Some(false)
        );
        assert_eq!(
            passes(clause("Includes", "displayName", &["PETROV"])),
            Some(true)
        );
        assert_eq!(passes(clause("REGEX MATCH", "displayName", &[".*"])), None);
    }

    #[test]
    fn any_group_whose_clauses_all_pass_lets_a_user_through() {
        let filter = ScopeFilter {
            groups: vec![
                FilterGroup {
                    name: "contractors".into(),
                    clauses: vec![
                        clause("EQUALS", "companyName", &["Litware"]),
                        clause("IS TRUE", "accountEnabled", &[]),
                    ],
                },
                FilterGroup {
                    name: "employees".into(),
                    clauses: vec![clause("EQUALS", "companyName", &["Fabrikam"])],
                },
            ],
            ..ScopeFilter::default()
        };
        assert!(filter.matches(&user));
        let outcomes = filter.evaluate(&user);
        assert!(!outcomes[0].passed);
        assert_eq!(outcomes[0].clauses[0].value.as_deref(), Some("Fabrikam"));
        assert_eq!(outcomes[0].clauses[0].passed, Some(false));
        assert!(outcomes[1].passed);
        let strict = ScopeFilter {
            groups: vec![filter.groups[0].clone()],
            ..ScopeFilter::default()
        };
        assert!(!strict.matches(&user));
        assert!(
            ScopeFilter::default().matches(&|_| None),
            "no groups: everyone"
        );
    }

    #[test]
    fn attribute_values_read_like_the_service_writes_them() {
        use serde_json::json;
        assert_eq!(attribute_text(Some(&json!(true))).as_deref(), Some("True"));
        assert_eq!(attribute_text(Some(&json!("x"))).as_deref(), Some("x"));
        assert_eq!(attribute_text(Some(&json!(42))).as_deref(), Some("42"));
        assert_eq!(attribute_text(Some(&json!(""))), None);
        assert_eq!(attribute_text(Some(&json!(null))), None);
        assert_eq!(attribute_text(None), None);
    }
}
