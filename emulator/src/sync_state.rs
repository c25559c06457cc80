//! Cross-tenant synchronization (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md` and
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md`):
//! configurations (a service principal from the cross-tenant sync template with secrets, scope and
//! one `Azure2Azure` job) per source tenant, and the simulated sync cycle on the emulator's clock.
//!
//! A cycle checks the policies first: the target must allow inbound sync from the source and
//! automatic redemption must be allowed inbound by the target and outbound by the source, or the job
//! goes to quarantine with `AzureDirectoryB2BManagementPolicyCheckFailure`. Otherwise in-scope
//! internal members of the source are created or updated in the target as external users, users that
//! left the scope are soft-deleted there, and every action is written to the source's provisioning log.
//!
//! Scope: with `SyncAll` false, a user is in scope when assigned to the configuration directly or a
//! direct member of an assigned group (nesting is not followed: `MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`), and when
//! the scoping filter lets them through.

use std::collections::{HashMap, HashSet};

use graph::policies::{InboundOutbound, PartnerConfiguration};
use graph::sync::{
    AppRole, AppRoleAssignment, AttributeMapping, ExecutionState, Initiator, JobStatusCode,
    KeyLongValue, KeyValue, MappingSource, MappingSourceType, ModifiedProperty, NameValue,
    ObjectMapping, PrincipalType, ProvisioningAction, ProvisioningEntry, ProvisioningErrorInfo,
    ProvisioningParty, ProvisioningResult, ProvisioningStatusInfo, ProvisioningStep,
    ProvisioningStepType, Quarantine, QuarantineReason, Schedule, ScheduleState, ScopeFilter,
    ServicePrincipal, SyncError, SyncJob, SyncRule, SyncSchema, SyncStatus, TaskExecution,
    AZURE2AZURE, CROSS_TENANT_SYNC_TEMPLATE_ID, GROUP_ENTRY_COUNT_KEY, GROUP_IDENTITY,
    MTO_SYNC_PREFIX, NEVER, POLICY_CHECK_FAILURE, USER_ENTRY_COUNT_KEY,
};
use graph::JobId;
use serde_json::{json, Map, Value};

use crate::deleted_state::DeletedItems;
use crate::groups_state::{self, Group, Member, SourceGroup};
use crate::mto_state::iso;
use crate::policy_state::TenantPolicies;
use crate::scenario::{Custom, JobState, Scenario, Tenant, CONTOSO, FABRIKAM, WOODGROVE};
use crate::users_state::{synced_copy, User};
use crate::World;

/// The fixed cross-tenant sync interval (`PT40M`).
pub const CYCLE_SECONDS: i64 = 40 * 60;
/// How soon the first cycle runs after `start` or `restart` (the service takes a moment to pick
/// a job up; short enough to watch in the demo).
pub const FIRST_CYCLE_SECONDS: i64 = 20;
/// Provisioning log entries kept per tenant (oldest dropped first).
pub const LOG_CAPACITY: usize = 20_000;
pub const TARGET_DIRECTORY: &str = "Azure Active Directory (target tenant)";
pub const SOURCE_DIRECTORY: &str = "Azure Active Directory";
const HOMEPAGE: &str = "https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=aad2aadsync|ISV9.1|primary|z";

/// Scoping filter operators the emulator evaluates (`GET .../schema/filterOperators`).
pub const FILTER_OPERATORS: &[(&str, &str)] = &[
    ("EQUALS", "Binary"),
    ("NOT EQUALS", "Binary"),
    ("IS TRUE", "Unary"),
    ("IS FALSE", "Unary"),
    ("IS NULL", "Unary"),
    ("IS NOT NULL", "Unary"),
    ("Includes", "Binary"),
];

/// One cross-tenant sync configuration in its source tenant.
#[derive(Debug, Clone)]
pub struct Configuration {
    pub service_principal: ServicePrincipal,
    /// The object id of the application behind the service principal.
    pub application_id: String,
    pub created: i64,
    pub secrets: Vec<KeyValue>,
    pub assignments: Vec<AppRoleAssignment>,
    pub jobs: Vec<Job>,
}

impl Configuration {
    /// The target tenant: the `CompanyId` secret.
    pub fn target(&self) -> Option<&str> {
        self.secrets
            .iter()
            .find(|s| s.key == "CompanyId")
            .map(|s| s.value.as_str())
    }

    fn sync_all(&self) -> bool {
        self.secrets
            .iter()
            .any(|s| s.key == "SyncAll" && s.value.eq_ignore_ascii_case("true"))
    }

    pub fn msiam_access(&self) -> String {
        self.service_principal
            .app_roles
            .first()
            .map(|r| r.id.clone())
            .unwrap_or_default()
    }
}

/// A synchronization job and what its runs left behind.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: JobId,
    pub schedule_state: ScheduleState,
    pub last_execution: Option<TaskExecution>,
    pub last_success: Option<TaskExecution>,
    pub last_success_with_exports: Option<TaskExecution>,
    pub quarantine: Option<Quarantine>,
    pub successive_failures: i64,
    pub steady_first: Option<i64>,
    pub steady_last: Option<i64>,
    pub synchronized: i64,
    /// Groups of the source whose copies the job keeps in the target (left behind ones too).
    pub synchronized_groups: i64,
    /// When the next cycle runs (only while `Active`).
    pub next_run: Option<i64>,
    pub schema: SyncSchema,
    pub schema_version: u32,
    /// When `provisionOnDemand` was called in the last [`ON_DEMAND_WINDOW_SECONDS`].
    pub on_demand_calls: Vec<i64>,
}

/// `provisionOnDemand`'s rate limit: "5 requests per 10 seconds" (`microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/api/synchronization-synchronizationjob-provisionondemand.md`).
pub const ON_DEMAND_LIMIT: usize = 5;
pub const ON_DEMAND_WINDOW_SECONDS: i64 = 10;

impl Job {
    pub fn new(source_tenant: &str) -> Self {
        Self {
            id: crate::ids::new_job_id(AZURE2AZURE, source_tenant),
            schedule_state: ScheduleState::Disabled,
            last_execution: None,
            last_success: None,
            last_success_with_exports: None,
            quarantine: None,
            successive_failures: 0,
            steady_first: None,
            steady_last: None,
            synchronized: 0,
            synchronized_groups: 0,
            next_run: None,
            schema: default_schema(),
            schema_version: 2,
            on_demand_calls: Vec::new(),
        }
    }

    /// Counts a `provisionOnDemand` call at `now` against the rate limit; `Err(seconds)` (how long
    /// until the oldest call of the window leaves it) when the limit is reached.
    pub fn admit_on_demand(&mut self, now: i64) -> Result<(), i64> {
        self.on_demand_calls
            .retain(|t| now - t < ON_DEMAND_WINDOW_SECONDS);
        if self.on_demand_calls.len() >= ON_DEMAND_LIMIT {
            let oldest = self.on_demand_calls.iter().min().copied().unwrap_or(now);
            return Err((oldest + ON_DEMAND_WINDOW_SECONDS - now).max(1));
        }
        self.on_demand_calls.push(now);
        Ok(())
    }

    pub fn status_code(&self) -> JobStatusCode {
        if self.quarantine.is_some() {
            JobStatusCode::Quarantine
        } else if self.schedule_state != ScheduleState::Active {
            JobStatusCode::Paused
        } else if self.last_execution.is_none() {
            JobStatusCode::NotRun
        } else {
            JobStatusCode::Active
        }
    }

    /// The job as Graph returns it.
    pub fn to_graph(&self) -> SyncJob {
        let time = |t: Option<i64>| Some(t.map(iso).unwrap_or_else(|| NEVER.to_owned()));
        SyncJob {
            id: self.id.clone(),
            template_id: AZURE2AZURE.into(),
            schedule: Schedule {
                expiration: None,
                interval: "PT40M".into(),
                state: self.schedule_state.clone(),
            },
            status: SyncStatus {
                code: self.status_code(),
                count_successive_complete_failures: self.successive_failures,
                escrows_pruned: false,
                // Once started, a job that has not run yet shows Graph's placeholder execution.
                last_execution: self.last_execution.clone().or_else(|| {
                    (self.schedule_state != ScheduleState::Disabled)
                        .then(TaskExecution::not_run_yet)
                }),
                last_successful_execution: self.last_success.clone(),
                last_successful_execution_with_exports: self.last_success_with_exports.clone(),
                progress: Vec::new(),
                quarantine: self.quarantine.clone(),
                steady_state_first_achieved_time: time(self.steady_first),
                steady_state_last_achieved_time: time(self.steady_last),
                synchronized_entry_count_by_type: if self.last_success.is_some() {
                    let mut counts = vec![KeyLongValue {
                        key: USER_ENTRY_COUNT_KEY.into(),
                        value: self.synchronized,
                    }];
                    if self.schema.provisions_groups() || self.synchronized_groups > 0 {
                        counts.push(KeyLongValue {
                            key: GROUP_ENTRY_COUNT_KEY.into(),
                            value: self.synchronized_groups,
                        });
                    }
                    counts
                } else {
                    Vec::new()
                },
                // An empty string, as in the documented job after `start`.
                troubleshooting_url: Some(String::new()),
            },
            synchronization_job_settings: vec![
                NameValue {
                    name: "AzureIngestionAttributeOptimization".into(),
                    value: "False".into(),
                },
                NameValue {
                    name: "LookaheadQueryEnabled".into(),
                    value: "False".into(),
                },
            ],
        }
    }

    /// Schema with its id and version, as `GET .../schema` returns it.
    pub fn schema_json(&self) -> SyncSchema {
        SyncSchema {
            id: self.id.to_string(),
            version: Some(format!("v1.{}", self.schema_version)),
            ..self.schema.clone()
        }
    }

    /// `start`: active, quarantine cleared, first cycle shortly.
    pub fn start(&mut self, now: i64) {
        self.schedule_state = ScheduleState::Active;
        self.quarantine = None;
        self.next_run = Some(
            self.next_run
                .filter(|t| *t <= now + FIRST_CYCLE_SECONDS)
                .unwrap_or(now + FIRST_CYCLE_SECONDS),
        );
    }

    pub fn pause(&mut self) {
        self.schedule_state = ScheduleState::Paused;
        self.next_run = None;
    }

    /// `restart` with reset flags (graph_api::sync parses them).
    pub fn restart(&mut self, flags: u32, now: i64) {
        use graph::sync::reset_scope::{ESCROWS, QUARANTINE_STATE, WATERMARK};
        if flags & QUARANTINE_STATE != 0 {
            self.quarantine = None;
            self.successive_failures = 0;
        }
        if flags & WATERMARK != 0 {
            self.steady_last = None;
        }
        let _ = ESCROWS; // No escrows are kept: every cycle reprocesses the whole scope.
        self.schedule_state = ScheduleState::Active;
        self.next_run = Some(now + FIRST_CYCLE_SECONDS);
    }
}

fn constant(value: &str) -> MappingSource {
    MappingSource {
        expression: Some(format!("\"{value}\"")),
        name: Some(value.into()),
        kind: MappingSourceType::Constant,
        parameters: Vec::new(),
    }
}

fn attribute(name: &str) -> MappingSource {
    MappingSource {
        expression: Some(format!("[{name}]")),
        name: Some(name.into()),
        kind: MappingSourceType::Attribute,
        parameters: Vec::new(),
    }
}

fn mapping(target: &str, source: MappingSource, matching_priority: i32) -> AttributeMapping {
    AttributeMapping {
        target_attribute_name: target.into(),
        source: Some(source),
        default_value: None,
        export_missing_references: false,
        flow_behavior: Some("FlowWhenChanged".into()),
        flow_type: Some("Always".into()),
        matching_priority,
    }
}

/// The schema a new cross-tenant sync job gets (default mappings of step 9 of
/// `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`; shape as
/// in `microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/resources/synchronization-synchronizationschema.md`).
pub fn default_schema() -> SyncSchema {
    let mut users = vec![mapping(
        "alternativeSecurityIds",
        MappingSource {
            expression: Some("AltSecIdFromNetId([netId])".into()),
            name: Some("AltSecIdFromNetId".into()),
            kind: MappingSourceType::Function,
            parameters: vec![graph::sync::MappingParameter {
                key: "netId".into(),
                value: attribute("netId"),
            }],
        },
        1,
    )];
    users.extend(
        [
            "isSoftDeleted",
            "accountEnabled",
            "displayName",
            "givenName",
            "surname",
            "mailNickname",
            "department",
            "employeeId",
            "streetAddress",
            "city",
            "state",
            "postalCode",
            "country",
            "preferredLanguage",
            "manager",
        ]
        .iter()
        .map(|name| mapping(name, attribute(name), 0)),
    );
    users.push(mapping("userType", constant("Member"), 0));
    users.push(mapping("showInAddressList", constant("true"), 0));
    let object_mapping = |name: &str, object: &str, enabled: bool, attributes| ObjectMapping {
        name: name.into(),
        enabled,
        flow_types: Some("Add, Update, Delete".into()),
        metadata: Vec::new(),
        scope: None,
        source_object_name: object.into(),
        target_object_name: object.into(),
        attribute_mappings: attributes,
    };
    SyncSchema {
        id: String::new(),
        version: None,
        synchronization_rules: vec![SyncRule {
            id: "8b8c5b8d-2a4c-4e2e-9a4b-0c7b3f1b6a11".into(),
            name: Some("USER_INBOUND_USER".into()),
            editable: true,
            priority: 1,
            source_directory_name: Some(SOURCE_DIRECTORY.into()),
            target_directory_name: Some(TARGET_DIRECTORY.into()),
            metadata: vec![
                KeyValue {
                    key: "defaultSourceObjectMappings".into(),
                    value: "[\"User\"]".into(),
                },
                KeyValue {
                    key: "supportsProvisionOnDemand".into(),
                    value: "true".into(),
                },
            ],
            object_mappings: vec![
                object_mapping(
                    "Provision Azure Active Directory Users",
                    "User",
                    true,
                    users,
                ),
                object_mapping(
                    "Provision Azure Active Directory Groups",
                    "Group",
                    false,
                    vec![mapping("displayName", attribute("displayName"), 1)],
                ),
            ],
        }],
    }
}

/// Why a schema cannot be saved (`400 schemaInvalid`-like); `None` when it can.
pub fn schema_problem(schema: &SyncSchema) -> Option<String> {
    let mapping = schema.user_mapping()?;
    let alt = mapping
        .attribute_mappings
        .iter()
        .find(|m| m.target_attribute_name == "alternativeSecurityIds");
    let default = default_schema();
    let default_alt = default
        .user_mapping()
        .and_then(|m| m.attribute_mappings.first());
    if alt.map(|a| (&a.source, a.matching_priority))
        != default_alt.map(|a| (&a.source, a.matching_priority))
    {
        return Some(
            "The mapping for alternativeSecurityIds (matching precedence 1) cannot be changed."
                .into(),
        );
    }
    if let Some(user_type) = schema.constant_for("userType") {
        if !matches!(user_type, "Member" | "Guest") {
            return Some(format!(
                "userType can be mapped to Member or Guest, not '{user_type}'."
            ));
        }
    }
    let groups = mapping.scope.iter().flat_map(|s| s.groups.iter());
    for clause in groups.flat_map(|g| g.clauses.iter()) {
        if !FILTER_OPERATORS
            .iter()
            .any(|(name, _)| *name == clause.operator_name)
        {
            return Some(format!(
                "Unknown scoping filter operator '{}'.",
                clause.operator_name
            ));
        }
    }
    None
}

/// A user's value for a scoping attribute, as the dashboard reads it from the emulator's `GET
/// /users` (`graph_api::users::full_user_json`) and as `graph::sync::attribute_text` writes it:
/// every property the emulator's users hold. The other properties of the user resource
/// (`department`, `jobTitle`, `city`, `country`, `employeeId`, …) are null on every emulated
/// user, so a clause on them sees a user without a value, as Entra does for such a user.
fn user_attribute(user: &User, name: &str) -> Option<String> {
    let text = |value: &str| (!value.is_empty()).then(|| value.to_owned());
    match name {
        "id" | "objectId" => text(&user.id),
        "displayName" => text(&user.display_name),
        "userPrincipalName" => text(&user.user_principal_name),
        "mail" => user.mail.as_deref().and_then(text),
        "companyName" => user.company_name.as_deref().and_then(text),
        "userType" => text(user.user_type),
        "creationType" => user.creation_type.and_then(text),
        "externalUserState" => user.external_user_state.and_then(text),
        "accountEnabled" => Some(graph::sync::bool_text(user.account_enabled)),
        "showInAddressList" => user.show_in_address_list.map(graph::sync::bool_text),
        "createdDateTime" => Some(user.created.map_or_else(
            || crate::users_state::BEFORE_THE_SCENARIO.to_owned(),
            crate::mto_state::iso,
        )),
        _ => None,
    }
}

/// In scope when any group matches (all of its clauses), or when there are no groups: graph's
/// [`ScopeFilter::matches`], the one evaluation the dashboard's diagnosis uses too.
pub fn filter_matches(user: &User, filter: Option<&ScopeFilter>) -> bool {
    filter.is_none_or(|f| f.matches(&|name| user_attribute(user, name)))
}

/// The scoping filter the service adds for users with SMS sign-in, as the provisioning log's
/// scoping step shows it failing: "Filter external users.alternativeSecurityIds EQUALS 'None'"
/// (`MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`, "Symptom -
/// Users are skipped because SMS sign-in is enabled on the user").
pub const SMS_SIGN_IN_FILTER: &str = "Filter external users.alternativeSecurityIds EQUALS 'None'";

/// A job's `userType` mapping: the constant, and whether it applies always or only when the user
/// is created ("If the B2B user already exists in the target tenant then Member (userType) will
/// not changed to Member, unless the Apply this mapping setting is set to Always":
/// `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`, step 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct UserTypeMapping {
    value: &'static str,
    always: bool,
}

impl UserTypeMapping {
    fn of(schema: &SyncSchema) -> Self {
        let mapping = schema.user_mapping().and_then(|m| {
            m.attribute_mappings
                .iter()
                .find(|a| a.target_attribute_name == "userType")
        });
        Self {
            value: match schema.constant_for("userType") {
                Some("Guest") => "Guest",
                _ => "Member",
            },
            always: mapping
                .and_then(|m| m.flow_type.as_deref())
                .is_none_or(|f| f.eq_ignore_ascii_case("Always")),
        }
    }
}

/// Internal members only: no guests, no external users.
fn is_internal_member(user: &User) -> bool {
    user.user_type == "Member" && user.creation_type.is_none() && user.synced_from.is_none()
}

/// Why the policies block sync from `source` into `target`, if they do.
pub fn policy_check(
    policies: &HashMap<String, TenantPolicies>,
    source: &str,
    target: &str,
) -> Result<(), SyncError> {
    let blocked = |message: &str| SyncError {
        code: POLICY_CHECK_FAILURE.into(),
        message: message.into(),
        tenant_actionable: true,
    };
    // A partner configuration with the owner's default settings, which apply where it has null.
    let partner = |owner: &str, other: &str| -> Option<(&InboundOutbound, &PartnerConfiguration)> {
        let tenant = policies.get(owner)?;
        Some((
            &tenant.default.configuration.automatic_user_consent_settings,
            tenant.partners.get(other)?,
        ))
    };
    let sync_allowed = policies
        .get(target)
        .and_then(|t| t.identity_sync.get(source))
        .and_then(|p| p.user_sync_inbound.as_ref())
        .and_then(|u| u.is_sync_allowed)
        .unwrap_or(false);
    let inbound = partner(target, source).and_then(|(default, p)| {
        p.automatic_user_consent_settings
            .inbound_allowed
            .or(default.inbound_allowed)
    });
    let outbound = partner(source, target).and_then(|(default, p)| {
        p.automatic_user_consent_settings
            .outbound_allowed
            .or(default.outbound_allowed)
    });
    if inbound != Some(true) || outbound != Some(true) {
        return Err(blocked(
            "Policy permitting auto-redemption of invitations not configured",
        ));
    }
    if !sync_allowed {
        return Err(blocked(
            "Policy permitting users to be synchronized into the target tenant not configured",
        ));
    }
    Ok(())
}

/// What a cycle or an on-demand provisioning did for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created(String),
    Updated(String, Vec<ModifiedProperty>),
    Deleted(String),
    Unchanged(String),
    OutOfScope,
}

/// The target's directory as a cycle changes it: its users and its deleted items.
struct Directory<'a> {
    users: &'a mut Vec<User>,
    deleted: &'a mut DeletedItems,
    at: i64,
}

impl<'a> Directory<'a> {
    fn of(world: &'a mut World, tenant: &str, at: i64) -> Self {
        Self {
            users: world.users.entry(tenant.to_owned()).or_default(),
            deleted: &mut world.deleted,
            at,
        }
    }
}

/// Brings `source`'s copy in `host` up to date: created (or restored from the deleted items, with
/// `IsSoftDeleted` going back to `False`), updated, or soft-deleted when out of scope (kept in
/// the target's deleted items for 30 days).
fn reconcile(
    directory: &mut Directory<'_>,
    host: &Tenant,
    source_tenant: &str,
    source: &User,
    in_scope: bool,
    user_type: UserTypeMapping,
) -> Outcome {
    // A copy an administrator of the target deleted is neither restored nor created again.
    if in_scope
        && directory
            .deleted
            .synced_copy(&host.id, source_tenant, &source.id, directory.at)
            .is_some_and(|d| d.by_admin)
        && !directory.users.iter().any(|u| {
            u.synced_from
                .as_ref()
                .is_some_and(|s| s.tenant_id == source_tenant && s.object_id == source.id)
        })
    {
        return Outcome::OutOfScope;
    }
    let host_users = &mut *directory.users;
    let mut existing = host_users.iter().position(|u| {
        u.synced_from
            .as_ref()
            .is_some_and(|s| s.tenant_id == source_tenant && s.object_id == source.id)
    });
    let mut restored = false;
    if existing.is_none() && in_scope {
        if let Some(copy) =
            directory
                .deleted
                .take_synced(&host.id, source_tenant, &source.id, directory.at)
        {
            host_users.push(copy);
            existing = Some(host_users.len() - 1);
            restored = true;
        }
    }
    match (existing, in_scope) {
        (None, false) => Outcome::OutOfScope,
        (Some(index), false) => {
            let removed = host_users.remove(index);
            let id = removed.id.clone();
            directory
                .deleted
                .soft_delete(&host.id, removed, directory.at);
            Outcome::Deleted(id)
        }
        (None, true) => {
            let mut copy = synced_copy(source, source_tenant, host, user_type.value);
            copy.created = Some(directory.at);
            let id = copy.id.clone();
            host_users.push(copy);
            Outcome::Created(id)
        }
        (Some(index), true) => {
            let copy = &mut host_users[index];
            let mut changes = Vec::new();
            if restored {
                changes.push(ModifiedProperty {
                    display_name: "IsSoftDeleted".into(),
                    old_value: Some("True".into()),
                    new_value: Some("False".into()),
                });
            }
            let mut change = |name: &str, old: String, new: String| {
                if old != new {
                    changes.push(ModifiedProperty {
                        display_name: name.into(),
                        old_value: Some(old),
                        new_value: Some(new),
                    });
                }
            };
            change(
                "displayName",
                copy.display_name.clone(),
                source.display_name.clone(),
            );
            change(
                "accountEnabled",
                copy.account_enabled.to_string(),
                source.account_enabled.to_string(),
            );
            if user_type.always {
                change(
                    "userType",
                    copy.user_type.to_owned(),
                    user_type.value.to_owned(),
                );
                copy.user_type = user_type.value;
            }
            copy.display_name = source.display_name.clone();
            copy.account_enabled = source.account_enabled;
            if changes.is_empty() {
                Outcome::Unchanged(copy.id.clone())
            } else {
                Outcome::Updated(copy.id.clone(), changes)
            }
        }
    }
}

/// Who a configuration's assignments put in scope: users assigned directly, and the users that
/// are direct members of an assigned group (members of groups nested in it are not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignedUsers {
    direct: HashSet<String>,
    /// User id → the assigned groups (display names) that list the user directly.
    through_groups: HashMap<String, Vec<String>>,
}

impl AssignedUsers {
    /// Reads `assignments` against the source tenant's `groups`.
    pub fn new(assignments: &[AppRoleAssignment], groups: &[Group]) -> Self {
        let mut assigned = Self::default();
        for assignment in assignments {
            if assignment.principal_type != Some(PrincipalType::Group) {
                assigned.direct.insert(assignment.principal_id.clone());
                continue;
            }
            let Some(group) = groups.iter().find(|g| g.id == assignment.principal_id) else {
                continue;
            };
            for user in group.direct_users() {
                assigned
                    .through_groups
                    .entry(user.to_owned())
                    .or_default()
                    .push(group.display_name.clone());
            }
        }
        assigned
    }

    pub fn contains(&self, user_id: &str) -> bool {
        self.direct.contains(user_id) || self.through_groups.contains_key(user_id)
    }

    /// The assigned groups that bring `user_id` into scope (empty when assigned directly only).
    pub fn groups_of(&self, user_id: &str) -> &[String] {
        self.through_groups
            .get(user_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The context of one job's run, cloned out of the world so the world can be changed.
struct Run {
    source: String,
    target: Tenant,
    target_name: String,
    service_principal: ServicePrincipal,
    job_id: JobId,
    cycle_id: String,
    user_type: UserTypeMapping,
    scope: Option<ScopeFilter>,
    /// Users of the source with a phone ready for SMS sign-in: the service skips them.
    sms: HashSet<String>,
    assigned: AssignedUsers,
    /// Ids of the groups assigned to the configuration (the groups it may create in the target).
    assigned_groups: Vec<String>,
    /// Whether the schema's group mapping is enabled.
    provisions_groups: bool,
    sync_all: bool,
    initiated_by: Initiator,
    /// When the run happens.
    at: i64,
}

/// Whom a provisioning log entry is about: `identityType` `User` or `Group`.
struct Subject<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'static str,
}

fn service_initiator() -> Initiator {
    Initiator {
        id: Some(String::new()),
        display_name: Some("Azure AD Provisioning Service".into()),
        initiator_type: Some("system".into()),
    }
}

impl Run {
    fn prepare(
        world: &World,
        source: &str,
        config: &Configuration,
        job: &Job,
        at: i64,
    ) -> Option<Self> {
        let target_id = config.target()?;
        let target = world.scenario.tenant(target_id)?.clone();
        let user_type = UserTypeMapping::of(&job.schema);
        let sms = world
            .people
            .phones
            .get(source)
            .map(|users| {
                users
                    .iter()
                    .filter(|(_, phones)| phones.iter().any(|p| p.sms_sign_in()))
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            source: source.to_owned(),
            target_name: target.display_name.clone(),
            target,
            service_principal: config.service_principal.clone(),
            job_id: job.id.clone(),
            cycle_id: uuid::Uuid::new_v4().to_string(),
            user_type,
            scope: job.schema.user_mapping().and_then(|m| m.scope.clone()),
            sms,
            assigned: AssignedUsers::new(
                &config.assignments,
                world
                    .groups
                    .get(source)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            ),
            assigned_groups: config
                .assignments
                .iter()
                .filter(|a| a.principal_type == Some(PrincipalType::Group))
                .map(|a| a.principal_id.clone())
                .collect(),
            provisions_groups: job.schema.provisions_groups(),
            sync_all: config.sync_all(),
            initiated_by: service_initiator(),
            at,
        })
    }

    fn assigned(&self, user: &User) -> bool {
        self.sync_all || self.assigned.contains(&user.id)
    }

    fn in_scope(&self, user: &User) -> bool {
        self.in_scope_but_for_sms(user) && !self.sms.contains(&user.id)
    }

    fn in_scope_but_for_sms(&self, user: &User) -> bool {
        is_internal_member(user) && self.assigned(user) && filter_matches(user, self.scope.as_ref())
    }

    /// A user the service skips only because SMS sign-in is enabled for them.
    fn skipped_for_sms(&self, user: &User) -> bool {
        self.sms.contains(&user.id) && self.in_scope_but_for_sms(user)
    }

    /// The log entry of such a skip: imported, then out of scope at the scoping step.
    fn sms_skip(&self, user: &User) -> ProvisioningEntry {
        let steps = steps_for(self, user, &Outcome::OutOfScope);
        let mut entry = self.entry(
            user,
            ProvisioningAction::Other,
            None,
            None,
            steps,
            Vec::new(),
        );
        if let Some(info) = entry.provisioning_status_info.as_mut() {
            info.status = ProvisioningResult::Skipped;
        }
        entry
    }

    fn entry(
        &self,
        user: &User,
        action: ProvisioningAction,
        target_id: Option<&str>,
        failure: Option<&SyncError>,
        steps: Vec<ProvisioningStep>,
        modified: Vec<ModifiedProperty>,
    ) -> ProvisioningEntry {
        let subject = Subject {
            id: &user.id,
            name: &user.display_name,
            kind: "User",
        };
        self.entry_for(&subject, action, target_id, failure, steps, modified)
    }

    /// A log entry for a user or a group.
    fn entry_for(
        &self,
        subject: &Subject<'_>,
        action: ProvisioningAction,
        target_id: Option<&str>,
        failure: Option<&SyncError>,
        steps: Vec<ProvisioningStep>,
        modified: Vec<ModifiedProperty>,
    ) -> ProvisioningEntry {
        let party =
            |id: Option<&str>, name: &str, kind: Option<&str>, details: Map<String, Value>| {
                ProvisioningParty {
                    id: id.map(str::to_owned),
                    display_name: Some(name.to_owned()),
                    identity_type: kind.map(str::to_owned),
                    details,
                }
            };
        let mut target_details = Map::new();
        target_details.insert("ApplicationId".into(), json!(self.service_principal.app_id));
        target_details.insert(
            "ServicePrincipalId".into(),
            json!(self.service_principal.id),
        );
        target_details.insert(
            "ServicePrincipalDisplayName".into(),
            json!(self.service_principal.display_name),
        );
        let mut source_details = Map::new();
        source_details.insert("TenantId".into(), json!(self.source));
        let mut target_identity_details = Map::new();
        target_identity_details.insert("TenantId".into(), json!(self.target.id));
        ProvisioningEntry {
            id: uuid::Uuid::new_v4().to_string(),
            activity_date_time: iso(self.at),
            // The target tenant, as in the log entry of the Monitor step of `MicrosoftDocs/entra-docs`
            // `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`
            // (`"tenantId": "{targetTenantId}"`, read in the source tenant).
            tenant_id: Some(self.target.id.clone()),
            job_id: Some(self.job_id.to_string()),
            cycle_id: Some(self.cycle_id.clone()),
            change_id: Some(uuid::Uuid::new_v4().to_string()),
            duration_in_milliseconds: 350,
            provisioning_action: action,
            provisioning_status_info: Some(ProvisioningStatusInfo {
                status: if failure.is_some() {
                    ProvisioningResult::Failure
                } else {
                    ProvisioningResult::Success
                },
                error_information: failure.map(|f| ProvisioningErrorInfo {
                    error_code: Some(f.code.clone()),
                    reason: Some(f.message.clone()),
                    additional_details: None,
                    error_category: Some("nonServiceFailure".into()),
                    recommended_action: Some(format!(
                        "In {}, allow inbound user synchronization and automatic redemption for the source tenant; the source must allow automatic redemption outbound.",
                        self.target_name
                    )),
                }),
            }),
            provisioning_steps: steps,
            modified_properties: modified,
            service_principal: Some(party(
                Some(self.service_principal.id.as_str()),
                self.service_principal.display_name.as_deref().unwrap_or_default(),
                None,
                Map::new(),
            )),
            source_system: Some(party(
                Some(&self.source),
                SOURCE_DIRECTORY,
                None,
                Map::new(),
            )),
            target_system: Some(party(
                Some(&self.target.id),
                TARGET_DIRECTORY,
                None,
                target_details,
            )),
            source_identity: Some(party(
                Some(subject.id),
                subject.name,
                Some(subject.kind),
                source_details,
            )),
            target_identity: Some(party(
                target_id,
                subject.name,
                Some(subject.kind),
                target_identity_details,
            )),
            initiated_by: Some(self.initiated_by.clone()),
        }
    }
}

fn step(
    name: &str,
    kind: ProvisioningStepType,
    status: ProvisioningResult,
    description: String,
) -> ProvisioningStep {
    ProvisioningStep {
        name: name.into(),
        provisioning_step_type: kind,
        status,
        description: Some(description),
        details: Map::new(),
    }
}

/// The steps of one user's provisioning, as the log and `provisionOnDemand` show them.
/// The steps of an attempt the policy check stopped: imported, scoped (in scope when it is), and
/// the export that failed.
fn policy_failure_steps(run: &Run, user: &User, error: &SyncError) -> Vec<ProvisioningStep> {
    let mut steps = steps_for(run, user, &Outcome::OutOfScope);
    if run.in_scope(user) {
        if let Some(scoping) = steps
            .iter_mut()
            .find(|s| s.provisioning_step_type == ProvisioningStepType::Scoping)
        {
            scoping.status = ProvisioningResult::Success;
            scoping.description = Some(
                "Determine if User in scope by evaluating against each scoping filter: in scope"
                    .into(),
            );
        }
    }
    steps.push(step(
        "EntryExportAdd",
        ProvisioningStepType::Export,
        ProvisioningResult::Failure,
        error.message.clone(),
    ));
    steps
}

/// The scoping step's `ScopeEvaluationResult`: assigned (and through which groups), filter passed.
fn scope_evaluation(run: &Run, user: &User) -> Value {
    let mut result = json!({
        "assigned": run.assigned(user),
        "filter": filter_matches(user, run.scope.as_ref()),
    });
    let groups = run.assigned.groups_of(&user.id);
    if !groups.is_empty() {
        result["assignedThroughGroups"] = json!(groups);
    }
    if run.sms.contains(&user.id) {
        result[SMS_SIGN_IN_FILTER] = json!(false);
    }
    json!(result.to_string())
}

fn steps_for(run: &Run, user: &User, outcome: &Outcome) -> Vec<ProvisioningStep> {
    let mut steps = vec![step(
        "EntryImport",
        ProvisioningStepType::Import,
        ProvisioningResult::Success,
        format!(
            "Retrieved {} from {SOURCE_DIRECTORY}",
            user.user_principal_name
        ),
    )];
    let mut scoping = step(
        "EntrySynchronizationScoping",
        ProvisioningStepType::Scoping,
        if matches!(outcome, Outcome::OutOfScope | Outcome::Deleted(_)) {
            ProvisioningResult::Skipped
        } else {
            ProvisioningResult::Success
        },
        format!(
            "Determine if User in scope by evaluating against each scoping filter: {}",
            if matches!(outcome, Outcome::OutOfScope | Outcome::Deleted(_)) {
                "not in scope"
            } else {
                "in scope"
            }
        ),
    );
    scoping
        .details
        .insert("ScopeEvaluationResult".into(), scope_evaluation(run, user));
    steps.push(scoping);
    let (name, verb) = match outcome {
        Outcome::Created(_) => ("EntryExportAdd", "Created"),
        Outcome::Updated(..) => ("EntryExportUpdate", "Updated"),
        Outcome::Deleted(_) => ("EntryExportDelete", "Soft-deleted"),
        Outcome::Unchanged(_) => {
            steps.push(redundant_export_step(user));
            return steps;
        }
        Outcome::OutOfScope => return steps,
    };
    let mut export = step(
        name,
        ProvisioningStepType::Export,
        ProvisioningResult::Success,
        format!("{verb} User '{}' in {}", user.display_name, run.target_name),
    );
    export
        .details
        .insert("userPrincipalName".into(), json!(user.user_principal_name));
    export
        .details
        .insert("accountEnabled".into(), json!(user.account_enabled));
    export
        .details
        .insert("showInAddressList".into(), json!(true));
    export
        .details
        .insert("appRoleAssignments".into(), json!("msiam_access"));
    steps.push(export);
    steps
}

/// What the service reports when nothing needs to change (Example 1 of
/// `microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/v1.0/api/synchronization-synchronizationjob-provisionondemand.md`).
pub const REDUNDANT_EXPORT: &str =
    "The state of the user in both the source and target systems already match.";

fn redundant_export_step(user: &User) -> ProvisioningStep {
    let mut skip = step(
        "EntrySynchronizationSkip",
        ProvisioningStepType::Export,
        ProvisioningResult::Skipped,
        format!(
            "{REDUNDANT_EXPORT} No change to the User '{}' currently needs to be made.",
            user.user_principal_name
        ),
    );
    skip.details
        .insert("SkipReason".into(), json!("RedundantExport"));
    skip
}

fn push_log(world: &mut World, tenant: &str, entries: Vec<ProvisioningEntry>) {
    let log = world.provisioning.entry(tenant.to_owned()).or_default();
    log.extend(entries);
    if log.len() > LOG_CAPACITY {
        let excess = log.len() - LOG_CAPACITY;
        log.drain(..excess);
    }
}

/// Whether `target` lets `source` synchronize groups into it: its identity sync policy for
/// `source` has `groupSyncInbound.isSyncAllowed` true (unset is not allowed).
pub fn group_sync_allowed(
    policies: &HashMap<String, TenantPolicies>,
    source: &str,
    target: &str,
) -> bool {
    policies
        .get(target)
        .and_then(|t| t.identity_sync.get(source))
        .and_then(|p| p.group_sync_allowed())
        == Some(true)
}

/// Why a group change did not flow: the target does not allow inbound group sync (the wording
/// follows the user policy's message; Microsoft documents none for groups).
pub const GROUP_SYNC_NOT_ALLOWED: &str =
    "Policy permitting groups to be synchronized into the target tenant not configured";

/// What a cycle does to one group's copy in the target.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GroupChange {
    Create,
    Update(Vec<ModifiedProperty>),
    Delete,
}

/// The copy of `group` in the target as it should be: name, description, and as members the
/// target's copies of its direct user members (nested groups are not synchronized).
fn group_copy(group: &Group, run: &Run, copies: &HashMap<String, String>) -> Group {
    Group {
        id: crate::users_state::object_id(&run.target.id, &format!("synced-group:{}", group.id), 0),
        display_name: group.display_name.clone(),
        description: group.description.clone(),
        created: run.at,
        members: group
            .direct_users()
            .filter_map(|user| copies.get(user))
            .map(|id| Member::User(id.clone()))
            .collect(),
        synced_from: Some(SourceGroup {
            tenant_id: run.source.clone(),
            object_id: group.id.clone(),
        }),
    }
}

/// What differs between a copy and what it should be (empty: in sync).
fn group_changes(current: &Group, wanted: &Group) -> Vec<ModifiedProperty> {
    let mut changes = Vec::new();
    if current.display_name != wanted.display_name {
        changes.push(ModifiedProperty {
            display_name: "displayName".into(),
            old_value: Some(current.display_name.clone()),
            new_value: Some(wanted.display_name.clone()),
        });
    }
    if current.description != wanted.description {
        changes.push(ModifiedProperty {
            display_name: "description".into(),
            old_value: current.description.clone(),
            new_value: wanted.description.clone(),
        });
    }
    let added = wanted
        .members
        .iter()
        .filter(|m| !current.members.contains(m))
        .count();
    let removed = current
        .members
        .iter()
        .filter(|m| !wanted.members.contains(m))
        .count();
    if added + removed > 0 {
        changes.push(ModifiedProperty {
            display_name: "members".into(),
            old_value: Some(current.members.len().to_string()),
            new_value: Some(format!(
                "{} ({added} added, {removed} removed)",
                wanted.members.len()
            )),
        });
    }
    changes
}

/// The log entry of one group: imported, scoped, and exported, or skipped when the target does
/// not allow inbound group sync.
fn group_entry(
    run: &Run,
    group: &Group,
    change: &GroupChange,
    target_id: Option<&str>,
    allowed: bool,
) -> ProvisioningEntry {
    let (action, name, verb, modified) = match change {
        GroupChange::Create => (
            ProvisioningAction::Create,
            "EntryExportAdd",
            "Created",
            Vec::new(),
        ),
        GroupChange::Update(changes) => (
            ProvisioningAction::Update,
            "EntryExportUpdate",
            "Updated",
            changes.clone(),
        ),
        GroupChange::Delete => (
            ProvisioningAction::Delete,
            "EntryExportDelete",
            "Deleted",
            Vec::new(),
        ),
    };
    let in_scope = !matches!(change, GroupChange::Delete);
    let mut steps = vec![
        step(
            "EntryImport",
            ProvisioningStepType::Import,
            ProvisioningResult::Success,
            format!(
                "Retrieved group '{}' from {SOURCE_DIRECTORY}",
                group.display_name
            ),
        ),
        step(
            "EntrySynchronizationScoping",
            ProvisioningStepType::Scoping,
            if in_scope {
                ProvisioningResult::Success
            } else {
                ProvisioningResult::Skipped
            },
            format!(
                "Determine if Group in scope (assigned to the configuration): {}",
                if in_scope { "in scope" } else { "not in scope" }
            ),
        ),
    ];
    steps.push(if allowed {
        step(
            name,
            ProvisioningStepType::Export,
            ProvisioningResult::Success,
            format!(
                "{verb} Group '{}' in {}",
                group.display_name, run.target_name
            ),
        )
    } else {
        step(
            "EntrySynchronizationSkip",
            ProvisioningStepType::Export,
            ProvisioningResult::Skipped,
            format!(
                "{GROUP_SYNC_NOT_ALLOWED}: {} does not allow groups of the source tenant to be synchronized into it.",
                run.target_name
            ),
        )
    });
    let subject = Subject {
        id: &group.id,
        name: &group.display_name,
        kind: GROUP_IDENTITY,
    };
    let mut entry = run.entry_for(&subject, action, target_id, None, steps, modified);
    if !allowed {
        entry.provisioning_status_info = Some(ProvisioningStatusInfo {
            status: ProvisioningResult::Skipped,
            error_information: Some(ProvisioningErrorInfo {
                error_code: None,
                reason: Some(GROUP_SYNC_NOT_ALLOWED.into()),
                additional_details: None,
                error_category: Some("nonServiceFailure".into()),
                recommended_action: Some(format!(
                    "In {}, allow inbound group synchronization for the source tenant (groupSyncInbound).",
                    run.target_name
                )),
            }),
        });
    }
    entry
}

/// One cycle's group provisioning (after its users): with the schema's group mapping enabled and
/// scope "assigned users and groups", each assigned security group of the source gets a copy in
/// the target whose members are the copies of its direct members that are synced (nested groups
/// are not: `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md`, "Group
/// synchronization"); copies of groups that left the scope are deleted. When the target does not
/// allow inbound group sync nothing changes in it and each change that would have flowed is
/// logged as skipped: copies already made stay as they are, left behind (the description of
/// `isSyncAllowed` in `microsoftgraph/microsoft-graph-docs-contrib`
/// `api-reference/beta/resources/crosstenantgroupsyncinbound.md`). Returns the log entries and
/// how many changes were exported.
fn sync_groups(world: &mut World, run: &Run) -> (Vec<ProvisioningEntry>, i64) {
    // "Sync all users" is not supported with group synchronization (the overview's restrictions):
    // such a configuration provisions no groups.
    if !run.provisions_groups || run.sync_all {
        return (Vec::new(), 0);
    }
    let target = run.target.id.clone();
    let allowed = group_sync_allowed(&world.policies, &run.source, &target);
    let source_groups = world.groups.get(&run.source).cloned().unwrap_or_default();
    let copies: HashMap<String, String> = world
        .users
        .get(&target)
        .into_iter()
        .flatten()
        .filter_map(|u| {
            let from = u.synced_from.as_ref()?;
            (from.tenant_id == run.source).then(|| (from.object_id.clone(), u.id.clone()))
        })
        .collect();
    let in_scope: Vec<&Group> = run
        .assigned_groups
        .iter()
        .filter_map(|id| source_groups.iter().find(|g| &g.id == id))
        .collect();
    let hosted = world.groups.entry(target).or_default();
    let mut entries = Vec::new();
    let mut exported = 0;
    for group in &in_scope {
        let wanted = group_copy(group, run, &copies);
        let existing = hosted
            .iter()
            .position(|g| g.is_copy_of(&run.source, &group.id));
        let change = match existing {
            None => GroupChange::Create,
            Some(index) => {
                let changes = group_changes(&hosted[index], &wanted);
                if changes.is_empty() {
                    continue;
                }
                GroupChange::Update(changes)
            }
        };
        let target_id = existing.map(|index| hosted[index].id.clone());
        if allowed {
            match existing {
                Some(index) => {
                    let copy = &mut hosted[index];
                    copy.display_name = wanted.display_name.clone();
                    copy.description = wanted.description.clone();
                    copy.members = wanted.members.clone();
                }
                None => hosted.push(wanted.clone()),
            }
            exported += 1;
            entries.push(group_entry(run, group, &change, Some(&wanted.id), true));
        } else {
            entries.push(group_entry(
                run,
                group,
                &change,
                target_id.as_deref(),
                false,
            ));
        }
    }
    // Copies of groups no longer assigned (or deleted in the source).
    let gone: Vec<Group> = hosted
        .iter()
        .filter(|g| {
            g.synced_from.as_ref().is_some_and(|s| {
                s.tenant_id == run.source && !in_scope.iter().any(|i| i.id == s.object_id)
            })
        })
        .cloned()
        .collect();
    for copy in gone {
        // The entry names the source group as the copy last showed it.
        let source = Group {
            id: copy
                .synced_from
                .as_ref()
                .map(|s| s.object_id.clone())
                .unwrap_or_default(),
            ..copy.clone()
        };
        if allowed {
            hosted.retain(|g| g.id != copy.id);
            exported += 1;
        }
        entries.push(group_entry(
            run,
            &source,
            &GroupChange::Delete,
            Some(&copy.id),
            allowed,
        ));
    }
    (entries, exported)
}

fn job_mut<'a>(world: &'a mut World, tenant: &str, job_id: &str) -> Option<&'a mut Job> {
    world
        .sync
        .get_mut(tenant)?
        .iter_mut()
        .flat_map(|c| c.jobs.iter_mut())
        .find(|j| j.id == job_id)
}

fn execution(at: i64, state: ExecutionState, error: Option<SyncError>) -> TaskExecution {
    TaskExecution {
        activity_identifier: Some(uuid::Uuid::new_v4().to_string()),
        state: Some(state),
        error,
        time_began: Some(iso(at)),
        time_ended: Some(iso(at + 2)),
        ..TaskExecution::default()
    }
}

/// Runs one cycle of `job_id` (in `source`) at time `at`.
pub fn run_cycle(world: &mut World, source: &str, job_id: &str, at: i64) {
    let Some(run) = world
        .sync
        .get(source)
        .and_then(|configs| {
            configs
                .iter()
                .find_map(|c| c.jobs.iter().find(|j| j.id == job_id).map(|j| (c, j)))
        })
        .and_then(|(config, job)| Run::prepare(world, source, config, job, at))
    else {
        // No target (no CompanyId secret, or an unknown tenant): the run fails like a bad credential.
        if let Some(job) = job_mut(world, source, job_id) {
            let error = SyncError {
                code: "AzureActiveDirectoryInvalidCredentials".into(),
                message: "The target tenant (CompanyId) is missing or unknown.".into(),
                tenant_actionable: true,
            };
            job.last_execution = Some(execution(at, ExecutionState::Failed, Some(error)));
            job.successive_failures += 1;
            job.next_run = Some(at + CYCLE_SECONDS);
        }
        return;
    };
    let sources: Vec<User> = world.users.get(source).cloned().unwrap_or_default();
    let mut entries = Vec::new();
    let result = policy_check(&world.policies, source, &run.target.id);
    let mut exported = 0;
    let mut entitled = 0;
    if let Err(error) = &result {
        for user in sources.iter().filter(|u| run.in_scope(u)) {
            entitled += 1;
            let steps = policy_failure_steps(&run, user, error);
            entries.push(run.entry(
                user,
                ProvisioningAction::Create,
                None,
                Some(error),
                steps,
                Vec::new(),
            ));
        }
    } else {
        let mut directory = Directory::of(world, &run.target.id, at);
        for user in &sources {
            let in_scope = run.in_scope(user);
            entitled += usize::from(in_scope);
            if run.skipped_for_sms(user) {
                entries.push(run.sms_skip(user));
            }
            let outcome = reconcile(
                &mut directory,
                &run.target,
                source,
                user,
                in_scope,
                run.user_type,
            );
            let (action, target_id, modified) = match &outcome {
                Outcome::Created(id) => (ProvisioningAction::Create, id.clone(), Vec::new()),
                Outcome::Updated(id, changes) => {
                    (ProvisioningAction::Update, id.clone(), changes.clone())
                }
                Outcome::Deleted(id) => (ProvisioningAction::Delete, id.clone(), Vec::new()),
                Outcome::Unchanged(_) | Outcome::OutOfScope => continue,
            };
            exported += 1;
            let steps = steps_for(&run, user, &outcome);
            entries.push(run.entry(user, action, Some(&target_id), None, steps, modified));
        }
        // Groups after users: a group's members are the copies of its synced users.
        let (group_entries, group_exports) = sync_groups(world, &run);
        entries.extend(group_entries);
        exported += group_exports;
    }
    let synchronized_groups = world.groups.get(&run.target.id).map_or(0, |groups| {
        groups
            .iter()
            .filter(|g| {
                g.synced_from
                    .as_ref()
                    .is_some_and(|s| s.tenant_id == source)
            })
            .count()
    });
    let synchronized = world.users.get(&run.target.id).map_or(0, |users| {
        users
            .iter()
            .filter(|u| {
                u.synced_from
                    .as_ref()
                    .is_some_and(|s| s.tenant_id == source)
            })
            .count()
    });
    push_log(world, source, entries);
    let Some(job) = job_mut(world, source, job_id) else {
        return;
    };
    job.next_run = Some(at + CYCLE_SECONDS);
    match result {
        Err(error) => {
            let mut run_record = execution(at, ExecutionState::Failed, Some(error.clone()));
            run_record.count_entitled = entitled as i64;
            run_record.count_imported = sources.len() as i64;
            job.last_execution = Some(run_record);
            job.successive_failures += 1;
            let previous = job.quarantine.take();
            job.quarantine = Some(Quarantine {
                current_began: previous
                    .as_ref()
                    .and_then(|q| q.current_began.clone())
                    .or_else(|| Some(iso(at))),
                next_attempt: Some(iso(at + CYCLE_SECONDS)),
                reason: QuarantineReason::EncounteredQuarantineException,
                series_began: previous
                    .as_ref()
                    .and_then(|q| q.series_began.clone())
                    .or_else(|| Some(iso(at))),
                series_count: previous.map_or(1, |q| q.series_count + 1),
                error: Some(error),
            });
        }
        Ok(()) => {
            let mut run_record = execution(at, ExecutionState::Succeeded, None);
            run_record.count_entitled = entitled as i64;
            run_record.count_entitled_for_provisioning = entitled as i64;
            run_record.count_imported = sources.len() as i64;
            run_record.count_exported = exported;
            run_record.count_exports = exported;
            job.quarantine = None;
            job.successive_failures = 0;
            if exported > 0 {
                job.last_success_with_exports = Some(run_record.clone());
            }
            job.last_success = Some(run_record.clone());
            job.last_execution = Some(run_record);
            job.steady_first.get_or_insert(at);
            job.steady_last = Some(at);
            job.synchronized = synchronized as i64;
            job.synchronized_groups = synchronized_groups as i64;
        }
    }
}

/// Runs every cycle that is due by `now` (a job that missed several runs runs once, now).
pub fn advance(world: &mut World, now: i64) {
    let due: Vec<(String, String, i64)> = world
        .sync
        .iter()
        .flat_map(|(tenant, configs)| {
            configs.iter().flat_map(move |c| {
                c.jobs
                    .iter()
                    .filter(|j| j.schedule_state == ScheduleState::Active)
                    .filter_map(move |j| {
                        j.next_run
                            .filter(|t| *t <= now)
                            .map(|t| (tenant.clone(), j.id.to_string(), t))
                    })
            })
        })
        .collect();
    for (tenant, job_id, at) in due {
        run_cycle(world, &tenant, &job_id, at);
        if let Some(job) = job_mut(world, &tenant, &job_id) {
            // Catch up to the schedule without replaying every missed cycle.
            while job.next_run.is_some_and(|t| t <= now) {
                job.next_run = job.next_run.map(|t| t + CYCLE_SECONDS);
            }
        }
    }
}

/// What `provisionOnDemand` did for one user.
#[derive(Debug, Clone)]
pub struct OnDemand {
    pub steps: Vec<ProvisioningStep>,
    /// The provisioning log entry written (none when the user is out of scope and has no copy).
    pub entry: Option<ProvisioningEntry>,
    /// The source user's UPN (the answer's `reportableIdentifier`).
    pub reportable_identifier: String,
    /// Nothing needed to change (the service skips the export: `RedundantExport`).
    pub redundant: bool,
}

/// `provisionOnDemand` for one user: the steps, the log entry, the change in the target.
pub fn provision_on_demand(
    world: &mut World,
    source: &str,
    job_id: &str,
    user_id: &str,
    initiator: Initiator,
    now: i64,
) -> Result<OnDemand, String> {
    let mut run = world
        .sync
        .get(source)
        .and_then(|configs| {
            configs
                .iter()
                .find_map(|c| c.jobs.iter().find(|j| j.id == job_id).map(|j| (c, j)))
        })
        .and_then(|(config, job)| Run::prepare(world, source, config, job, now))
        .ok_or_else(|| "The job has no target tenant (CompanyId) configured.".to_owned())?;
    run.initiated_by = initiator;
    let user = world
        .users
        .get(source)
        .and_then(|users| users.iter().find(|u| u.id == user_id))
        .cloned()
        .ok_or_else(|| format!("Object '{user_id}' was not found in the source directory."))?;
    let mut redundant = false;
    let (steps, entry) = match policy_check(&world.policies, source, &run.target.id) {
        Err(error) => {
            let steps = policy_failure_steps(&run, &user, &error);
            let entry = run.entry(
                &user,
                ProvisioningAction::Create,
                None,
                Some(&error),
                steps.clone(),
                Vec::new(),
            );
            (steps, Some(entry))
        }
        Ok(()) => {
            let in_scope = run.in_scope(&user);
            let mut directory = Directory::of(world, &run.target.id, now);
            let outcome = reconcile(
                &mut directory,
                &run.target,
                source,
                &user,
                in_scope,
                run.user_type,
            );
            let steps = steps_for(&run, &user, &outcome);
            redundant = matches!(outcome, Outcome::Unchanged(_));
            let entry = match &outcome {
                Outcome::Created(id) => Some((ProvisioningAction::Create, id.clone(), Vec::new())),
                Outcome::Updated(id, changes) => {
                    Some((ProvisioningAction::Update, id.clone(), changes.clone()))
                }
                Outcome::Deleted(id) => Some((ProvisioningAction::Delete, id.clone(), Vec::new())),
                Outcome::Unchanged(id) => Some((ProvisioningAction::Other, id.clone(), Vec::new())),
                Outcome::OutOfScope => None,
            }
            .map(|(action, id, modified)| {
                let mut entry = run.entry(&user, action, Some(&id), None, steps.clone(), modified);
                if redundant {
                    if let Some(info) = entry.provisioning_status_info.as_mut() {
                        info.status = ProvisioningResult::Skipped;
                    }
                }
                entry
            });
            (steps, entry)
        }
    };
    push_log(world, source, entry.iter().cloned().collect());
    Ok(OnDemand {
        steps,
        entry,
        reportable_identifier: user.user_principal_name,
        redundant,
    })
}

/// A new configuration as `applicationTemplates/{id}/instantiate` creates it.
pub fn instantiate(tenant: &str, display_name: &str, now: i64) -> Configuration {
    let app_id = uuid::Uuid::new_v4().to_string();
    let sp_id = crate::ids::new_object_id();
    Configuration {
        service_principal: ServicePrincipal {
            id: sp_id,
            app_id,
            display_name: Some(display_name.to_owned()),
            application_template_id: Some(CROSS_TENANT_SYNC_TEMPLATE_ID.into()),
            app_role_assignment_required: true,
            app_roles: vec![AppRole {
                id: uuid::Uuid::new_v4().to_string(),
                allowed_member_types: vec!["User".into()],
                display_name: Some("msiam_access".into()),
                description: Some("msiam_access".into()),
                is_enabled: true,
                value: None,
            }],
            tags: vec!["WindowsAzureActiveDirectoryIntegratedApp".into()],
            app_owner_organization_id: Some(tenant.to_owned()),
            service_principal_type: Some("Application".into()),
            homepage: Some(HOMEPAGE.into()),
        },
        application_id: uuid::Uuid::new_v4().to_string(),
        created: now,
        secrets: Vec::new(),
        assignments: Vec::new(),
        jobs: Vec::new(),
    }
}

/// Microsoft's tenant, which owns the first-party applications.
pub const MICROSOFT_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// A service principal every tenant has that is not a sync configuration: Microsoft's first-party
/// applications and the dashboard's own multitenant app, consented in every tenant.
#[derive(Debug, Clone)]
pub struct OtherServicePrincipal {
    pub service_principal: ServicePrincipal,
    pub sign_in_audience: &'static str,
    pub publisher_name: &'static str,
}

/// The service principals of `tenant` besides its sync configurations: Microsoft Graph
/// (`00000003-0000-0000-c000-000000000000`), Exchange Online, SharePoint Online and the Azure AD
/// Graph, and the dashboard's app (registered in `app_owner`, the scenario's first tenant). Ids
/// are stable per tenant.
pub fn other_service_principals(tenant: &str, app_owner: &str) -> Vec<OtherServicePrincipal> {
    let first_party = [
        ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
        (
            "00000002-0000-0ff1-ce00-000000000000",
            "Office 365 Exchange Online",
        ),
        (
            "00000003-0000-0ff1-ce00-000000000000",
            "Office 365 SharePoint Online",
        ),
        (
            "00000002-0000-0000-c000-000000000000",
            "Windows Azure Active Directory",
        ),
    ];
    let make = |app_id: &str, name: &str, owner: &str, tags: Vec<String>| ServicePrincipal {
        id: crate::users_state::object_id(tenant, &format!("serviceprincipal:{app_id}"), 0)
            .parse()
            .unwrap_or_else(|_| crate::ids::new_object_id()),
        app_id: app_id.to_owned(),
        display_name: Some(name.to_owned()),
        application_template_id: None,
        app_role_assignment_required: false,
        app_roles: Vec::new(),
        tags,
        app_owner_organization_id: Some(owner.to_owned()),
        service_principal_type: Some("Application".into()),
        homepage: None,
    };
    let mut all: Vec<OtherServicePrincipal> = first_party
        .iter()
        .map(|(app_id, name)| OtherServicePrincipal {
            service_principal: make(app_id, name, MICROSOFT_TENANT, Vec::new()),
            sign_in_audience: "AzureADMultipleOrgs",
            publisher_name: "Microsoft Services",
        })
        .collect();
    all.push(OtherServicePrincipal {
        service_principal: make(
            crate::scenario::DEMO_CLIENT_ID,
            crate::scenario::DEMO_APP_NAME,
            app_owner,
            vec!["WindowsAzureActiveDirectoryIntegratedApp".into()],
        ),
        sign_in_audience: "AzureADMultipleOrgs",
        publisher_name: "Tenant Mesh",
    });
    all
}

/// The secrets the Microsoft 365 admin center and the docs' Graph steps save for `target`.
pub fn secrets_for(target: &str) -> Vec<KeyValue> {
    let pair = |key: &str, value: &str| KeyValue {
        key: key.into(),
        value: value.into(),
    };
    vec![
        pair("AuthenticationType", "SyncPolicy"),
        pair("CompanyId", target),
        pair(
            "SyncNotificationSettings",
            "{\"Enabled\":false,\"DeleteThresholdEnabled\":false,\"HumanResourcesLookaheadQueryEnabled\":false}",
        ),
        pair("SyncAll", "false"),
    ]
}

/// What an app role assignment can be given to: a user or a group of the source tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub id: String,
    pub display_name: String,
    pub kind: PrincipalType,
}

impl From<&User> for Principal {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            display_name: user.display_name.clone(),
            kind: PrincipalType::User,
        }
    }
}

impl From<&Group> for Principal {
    fn from(group: &Group) -> Self {
        Self {
            id: group.id.clone(),
            display_name: group.display_name.clone(),
            kind: PrincipalType::Group,
        }
    }
}

/// Assigns `principal` to the configuration's scope.
pub fn assign(config: &mut Configuration, principal: &Principal, now: i64) -> AppRoleAssignment {
    let assignment = AppRoleAssignment {
        id: uuid::Uuid::new_v4().to_string(),
        app_role_id: config.msiam_access(),
        principal_id: principal.id.clone(),
        principal_display_name: Some(principal.display_name.clone()),
        principal_type: Some(principal.kind.clone()),
        resource_id: config.service_principal.id.to_string(),
        resource_display_name: config.service_principal.display_name.clone(),
        created_date_time: Some(iso(now)),
    };
    config.assignments.push(assignment.clone());
    assignment
}

/// Who a scenario's configuration assigns when it is set up.
#[derive(Debug, Clone, Default)]
struct InitialScope {
    /// The source's users at these positions (accounts first, then generated members).
    users: std::ops::Range<usize>,
    /// Groups of the source, by display name.
    groups: Vec<String>,
    /// Whether the job's schema has its group mapping enabled (the assigned groups are created
    /// in the target).
    provision_groups: bool,
}

impl InitialScope {
    fn users(users: std::ops::Range<usize>) -> Self {
        Self {
            users,
            groups: Vec::new(),
            provision_groups: false,
        }
    }

    fn group(name: &str) -> Self {
        Self {
            users: 0..0,
            groups: vec![name.to_owned()],
            provision_groups: false,
        }
    }

    /// The principals, users first, as they exist in `world`'s `source` tenant.
    fn principals(&self, world: &World, source: &str) -> Vec<Principal> {
        let users = world
            .users
            .get(source)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let groups = self
            .groups
            .iter()
            .filter_map(|name| groups_state::named(&world.groups, source, name));
        users
            .get(self.users.clone())
            .unwrap_or_default()
            .iter()
            .map(Principal::from)
            .chain(groups.map(Principal::from))
            .collect()
    }
}

/// Enables the schema's group mapping ("Provision Azure Active Directory Groups"), as an admin
/// does to synchronize the assigned groups.
pub fn enable_group_provisioning(schema: &mut SyncSchema) {
    for rule in &mut schema.synchronization_rules {
        for mapping in &mut rule.object_mappings {
            if mapping.source_object_name.eq_ignore_ascii_case("Group") {
                mapping.enabled = true;
            }
        }
    }
}

/// An MTO-style configuration (`MTO_Sync_<target>`) from `source` to `target`, with `scope`
/// assigned and a job that was never started; returns the job's id.
fn new_configuration(
    world: &mut World,
    source: &str,
    target: &str,
    scope: &InitialScope,
    created: i64,
) -> JobId {
    let mut config = instantiate(source, &format!("{MTO_SYNC_PREFIX}{target}"), created);
    config.secrets = secrets_for(target);
    for principal in scope.principals(world, source) {
        assign(&mut config, &principal, created);
    }
    let mut job = Job::new(source);
    if scope.provision_groups {
        enable_group_provisioning(&mut job.schema);
    }
    let job_id = job.id.clone();
    config.jobs.push(job);
    world
        .sync
        .entry(source.to_owned())
        .or_default()
        .push(config);
    job_id
}

/// [`new_configuration`] with its job started at `started` and its first cycle run; returns the
/// job's id.
fn mto_configuration(
    world: &mut World,
    source: &str,
    target: &str,
    scope: &InitialScope,
    started: i64,
) -> JobId {
    let job_id = new_configuration(world, source, target, scope, started);
    if let Some(job) = job_mut(world, source, job_id.as_str()) {
        job.start(started);
    }
    // Let it run up to now so status, users and the provisioning log are what the service would show.
    run_cycle(
        world,
        source,
        job_id.as_str(),
        started + FIRST_CYCLE_SECONDS,
    );
    job_id
}

/// A scenario file's sync jobs: active and paused ones started two days ago (each scope's users
/// are the source's first generated members, plus the groups named), their latest cycle a few
/// minutes ago; paused ones paused after it; disabled ones never started.
fn from_file(world: &mut World, custom: &Custom, now: i64) {
    let started = now - 2 * 24 * 3600;
    for (index, setup) in custom.sync.iter().enumerate() {
        let offset = index as i64;
        let accounts = world
            .scenario
            .tenant(&setup.source)
            .map_or(0, |t| t.accounts.len());
        let scope = InitialScope {
            users: accounts..accounts + setup.scope,
            groups: setup.groups.clone(),
            provision_groups: false,
        };
        if setup.state == JobState::Disabled {
            new_configuration(world, &setup.source, &setup.target, &scope, started);
            continue;
        }
        let job_id = mto_configuration(
            world,
            &setup.source,
            &setup.target,
            &scope,
            started + 300 * offset,
        );
        run_cycle(
            world,
            &setup.source,
            job_id.as_str(),
            now - 600 - 60 * offset,
        );
        if setup.state == JobState::Paused {
            if let Some(job) = job_mut(world, &setup.source, job_id.as_str()) {
                job.pause();
            }
        }
    }
}

/// The demo's configurations (design.md): Contoso ⇄ Fabrikam, Woodgrove → Contoso healthy (users
/// synced two days ago, last cycle ten minutes ago), Woodgrove → Fabrikam quarantined because
/// Fabrikam does not allow inbound sync from Woodgrove, nothing from Contoso to Woodgrove.
/// Contoso → Fabrikam is scoped by one group ("Contoso – Group sync", whose direct members are
/// Contoso's first 60 generated members); the others by users assigned directly.
///
/// Group sync: Contoso → Fabrikam provisions its group (a copy in Fabrikam with its 60 direct
/// members; Finance, nested in it, is not synced). Fabrikam → Contoso also assigns three of
/// Fabrikam's groups with group provisioning on; they were created in Contoso by the first cycle,
/// then Contoso switched inbound group sync from Fabrikam off: they stay, left behind.
pub fn demo(world: &mut World, now: i64) {
    let started = now - 2 * 24 * 3600;
    let group_sync = InitialScope {
        provision_groups: true,
        ..InitialScope::group(groups_state::CONTOSO_GROUP_SYNC)
    };
    mto_configuration(world, CONTOSO, FABRIKAM, &group_sync, started);
    let users = InitialScope::users;
    let fabrikam_scope = InitialScope {
        groups: groups_state::FABRIKAM_SYNCED_GROUPS
            .iter()
            .map(|name| (*name).to_owned())
            .collect(),
        provision_groups: true,
        ..users(2..42)
    };
    mto_configuration(world, FABRIKAM, CONTOSO, &fabrikam_scope, started + 300);
    if let Some(policy) = world
        .policies
        .get_mut(CONTOSO)
        .and_then(|p| p.identity_sync.get_mut(FABRIKAM))
    {
        policy.group_sync_inbound = Some(graph::policies::GroupSyncInbound {
            is_sync_allowed: Some(false),
        });
    }
    mto_configuration(world, WOODGROVE, CONTOSO, &users(1..31), started + 600);
    mto_configuration(world, WOODGROVE, FABRIKAM, &users(1..31), started + 900);
    // The people of the `/diagnose` demo, one per cause that keeps a colleague from being found.
    crate::demo_people::before_the_last_cycles(world, now);
    // The latest cycle of each ran a few minutes ago; the next is due within the 40 minutes.
    let jobs: Vec<(String, String)> = world
        .sync
        .iter()
        .flat_map(|(t, cs)| {
            cs.iter()
                .flat_map(move |c| c.jobs.iter().map(move |j| (t.clone(), j.id.to_string())))
        })
        .collect();
    for (index, (tenant, job_id)) in jobs.into_iter().enumerate() {
        run_cycle(world, &tenant, &job_id, now - 600 - 60 * index as i64);
    }
}

/// A ring for scale scenarios: each tenant syncs to the next, nobody in scope yet.
pub fn ring(world: &mut World, scenario: &Scenario, now: i64) {
    let ids: Vec<String> = scenario.tenants.iter().map(|t| t.id.clone()).collect();
    if ids.len() < 2 {
        return;
    }
    for (i, source) in ids.iter().enumerate() {
        let target = &ids[(i + 1) % ids.len()];
        mto_configuration(world, source, target, &InitialScope::default(), now - 3600);
    }
}

/// Configurations a scenario starts with.
pub fn for_scenario(world: &mut World, now: i64) {
    let scenario = world.scenario.clone();
    if let Some(custom) = &scenario.custom {
        from_file(world, custom, now);
    } else if scenario.name == "demo" {
        demo(world, now);
    } else {
        ring(world, &scenario, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{CONTOSO, FABRIKAM, TAILSPIN, WOODGROVE};

    fn demo_world(now: i64) -> World {
        World::new(Scenario::demo(), now)
    }

    fn job<'a>(world: &'a World, source: &str, target: &str) -> &'a Job {
        world.sync[source]
            .iter()
            .find(|c| c.target() == Some(target))
            .and_then(|c| c.jobs.first())
            .unwrap()
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn the_demo_has_healthy_jobs_and_woodgrove_to_fabrikam_in_quarantine() {
        let world = demo_world(NOW);
        let healthy = job(&world, CONTOSO, FABRIKAM);
        assert_eq!(healthy.status_code(), JobStatusCode::Active);
        assert_eq!(healthy.synchronized, 60);
        let quarantined = job(&world, WOODGROVE, FABRIKAM);
        assert_eq!(quarantined.status_code(), JobStatusCode::Quarantine);
        let q = quarantined.quarantine.as_ref().unwrap();
        assert_eq!(q.error.as_ref().unwrap().code, POLICY_CHECK_FAILURE);
        assert!(q.series_count >= 2);
        assert!(world.sync[CONTOSO]
            .iter()
            .all(|c| c.target() != Some(WOODGROVE)));
        let synced_into_fabrikam = world.users[FABRIKAM]
            .iter()
            .filter(|u| u.synced_from.is_some())
            .count();
        assert_eq!(synced_into_fabrikam, 60, "none from Woodgrove");
    }

    #[test]
    fn synced_users_are_external_members_shown_in_the_address_list() {
        let world = demo_world(NOW);
        let copy = world.users[FABRIKAM]
            .iter()
            .find(|u| u.synced_from.is_some())
            .unwrap();
        assert_eq!(copy.user_type, "Member");
        assert_eq!(copy.show_in_address_list, Some(true));
        assert!(copy
            .user_principal_name
            .contains("#EXT#@fabrikam.onmicrosoft.com"));
        let logged = world.provisioning[CONTOSO].iter().any(|e| {
            e.provisioning_action == ProvisioningAction::Create
                && e.target_identity.as_ref().and_then(|t| t.id.as_deref()) == Some(&copy.id)
        });
        assert!(logged, "the create is in the source's provisioning log");
    }

    #[test]
    fn fixing_the_policy_lets_the_next_cycle_sync_and_leave_quarantine() {
        let mut world = demo_world(NOW);
        let policy = world.policies.get_mut(FABRIKAM).unwrap();
        policy
            .identity_sync
            .get_mut(WOODGROVE)
            .unwrap()
            .user_sync_inbound = Some(graph::policies::UserSyncInbound {
            is_sync_allowed: Some(true),
        });
        let still_blocked = policy_check(&world.policies, WOODGROVE, FABRIKAM).unwrap_err();
        assert!(still_blocked.message.contains("auto-redemption"));
        world
            .policies
            .get_mut(FABRIKAM)
            .unwrap()
            .partners
            .get_mut(WOODGROVE)
            .unwrap()
            .automatic_user_consent_settings
            .inbound_allowed = Some(true);
        advance(&mut world, NOW + CYCLE_SECONDS);
        let job = job(&world, WOODGROVE, FABRIKAM);
        assert_eq!(job.status_code(), JobStatusCode::Active);
        assert_eq!(job.synchronized, 30);
    }

    #[test]
    fn users_leaving_the_scope_are_soft_deleted_in_the_target() {
        let mut world = demo_world(NOW);
        // The last user in scope is assigned directly, not through one of the assigned groups.
        let removed = world.users[FABRIKAM][41].id.clone();
        let config = world
            .sync
            .get_mut(FABRIKAM)
            .unwrap()
            .iter_mut()
            .find(|c| c.target() == Some(CONTOSO))
            .unwrap();
        config.assignments.retain(|a| a.principal_id != removed);
        let job_id = config.jobs[0].id.clone();
        run_cycle(&mut world, FABRIKAM, job_id.as_str(), NOW + 60);
        assert!(!world.users[CONTOSO].iter().any(|u| u
            .synced_from
            .as_ref()
            .is_some_and(|s| s.object_id == removed)));
        let deleted = world.provisioning[FABRIKAM].iter().rev().find(|e| {
            e.source_identity.as_ref().and_then(|s| s.id.as_deref()) == Some(removed.as_str())
        });
        assert_eq!(
            deleted.map(|e| &e.provisioning_action),
            Some(&ProvisioningAction::Delete)
        );
    }

    fn synced_from(world: &World, source: &str, target: &str) -> Vec<String> {
        world.users[target]
            .iter()
            .filter_map(|u| u.synced_from.as_ref())
            .filter(|s| s.tenant_id == source)
            .map(|s| s.object_id.clone())
            .collect()
    }

    fn assignment(principal: &str, kind: &str) -> AppRoleAssignment {
        AppRoleAssignment {
            id: format!("assignment-{principal}"),
            app_role_id: "role".into(),
            principal_id: principal.into(),
            principal_display_name: None,
            principal_type: Some(PrincipalType::parse(kind)),
            resource_id: "sp".into(),
            resource_display_name: None,
            created_date_time: None,
        }
    }

    #[test]
    fn a_group_assignment_brings_in_its_direct_members_only() {
        use crate::groups_state::Member;
        let mut inner = Group::new(CONTOSO, 0, "Inner", None, NOW);
        inner.members = vec![Member::User("nested-user".into())];
        let mut outer = Group::new(CONTOSO, 1, "Outer", None, NOW);
        outer.members = vec![
            Member::User("member".into()),
            Member::User("both".into()),
            Member::Group(inner.id.clone()),
        ];
        let assigned = AssignedUsers::new(
            &[
                assignment(&outer.id, "Group"),
                assignment("both", "User"),
                assignment("direct", "User"),
            ],
            &[inner, outer],
        );
        for user in ["member", "both", "direct"] {
            assert!(assigned.contains(user), "{user}");
        }
        assert!(!assigned.contains("nested-user"), "nesting is not followed");
        assert_eq!(assigned.groups_of("member"), ["Outer"]);
        assert_eq!(assigned.groups_of("both"), ["Outer"]);
        assert!(assigned.groups_of("direct").is_empty());
        assert!(!AssignedUsers::new(&[assignment("missing", "Group")], &[]).contains("missing"));
    }

    #[test]
    fn the_demo_scopes_contoso_to_fabrikam_by_one_group_and_syncs_the_same_sixty() {
        let world = demo_world(NOW);
        let config = world.sync[CONTOSO]
            .iter()
            .find(|c| c.target() == Some(FABRIKAM))
            .unwrap();
        assert_eq!(config.assignments.len(), 1);
        let group = &config.assignments[0];
        assert_eq!(group.principal_type, Some(PrincipalType::Group));
        assert_eq!(
            group.principal_display_name.as_deref(),
            Some(crate::groups_state::CONTOSO_GROUP_SYNC)
        );
        let mut synced = synced_from(&world, CONTOSO, FABRIKAM);
        let mut expected: Vec<String> = world.users[CONTOSO][2..62]
            .iter()
            .map(|u| u.id.clone())
            .collect();
        synced.sort();
        expected.sort();
        assert_eq!(synced, expected, "the 60 users assigned directly before");
    }

    #[test]
    fn removing_the_group_assignment_soft_deletes_its_members_in_the_target() {
        let mut world = demo_world(NOW);
        let config = world
            .sync
            .get_mut(CONTOSO)
            .unwrap()
            .iter_mut()
            .find(|c| c.target() == Some(FABRIKAM))
            .unwrap();
        config.assignments.clear();
        let job_id = config.jobs[0].id.clone();
        let logged = world.provisioning[CONTOSO].len();
        run_cycle(&mut world, CONTOSO, job_id.as_str(), NOW + 60);
        assert!(synced_from(&world, CONTOSO, FABRIKAM).is_empty());
        let deletes = |kind: &str| {
            world.provisioning[CONTOSO][logged..]
                .iter()
                .filter(|e| e.provisioning_action == ProvisioningAction::Delete)
                .filter(|e| {
                    e.source_identity
                        .as_ref()
                        .and_then(|s| s.identity_type.as_deref())
                        == Some(kind)
                })
                .count()
        };
        assert_eq!(deletes("User"), 60);
        // Its copy in Fabrikam goes too: Fabrikam allows inbound group sync from Contoso.
        assert_eq!(deletes("Group"), 1);
        assert!(!world.groups[FABRIKAM]
            .iter()
            .any(|g| g.synced_from.is_some()));
    }

    fn copies_from(world: &World, source: &str, target: &str) -> Vec<Group> {
        world.groups[target]
            .iter()
            .filter(|g| {
                g.synced_from
                    .as_ref()
                    .is_some_and(|s| s.tenant_id == source)
            })
            .cloned()
            .collect()
    }

    #[test]
    fn a_new_job_provisions_no_groups_until_its_group_mapping_is_enabled() {
        let mut schema = default_schema();
        assert!(!schema.provisions_groups());
        enable_group_provisioning(&mut schema);
        assert!(schema.provisions_groups());
        assert_eq!(schema_problem(&schema), None);
    }

    #[test]
    fn the_demo_syncs_contosos_group_into_fabrikam_without_its_nested_group() {
        let world = demo_world(NOW);
        let copies = copies_from(&world, CONTOSO, FABRIKAM);
        assert_eq!(copies.len(), 1);
        let copy = &copies[0];
        assert_eq!(copy.display_name, crate::groups_state::CONTOSO_GROUP_SYNC);
        assert_eq!(copy.members.len(), 60, "the synced direct members only");
        let fabrikam_users: HashSet<&str> = world.users[FABRIKAM]
            .iter()
            .map(|u| u.id.as_str())
            .collect();
        assert!(copy
            .members
            .iter()
            .all(|m| matches!(m, Member::User(id) if fabrikam_users.contains(id.as_str()))));
        assert_eq!(job(&world, CONTOSO, FABRIKAM).synchronized_groups, 1);
        let counts = job(&world, CONTOSO, FABRIKAM).to_graph().status;
        assert_eq!(counts.synchronized_groups(), 1);
        assert_eq!(counts.synchronized_users(), 60);
    }

    #[test]
    fn fabrikams_groups_stay_in_contoso_after_group_sync_was_switched_off() {
        let mut world = demo_world(NOW);
        assert!(!group_sync_allowed(&world.policies, FABRIKAM, CONTOSO));
        let left = copies_from(&world, FABRIKAM, CONTOSO);
        assert_eq!(left.len(), 3);
        assert_eq!(job(&world, FABRIKAM, CONTOSO).synchronized_groups, 3);
        // A member leaving Engineering in Fabrikam does not flow: the change is logged as skipped.
        let engineering = world
            .groups
            .get_mut(FABRIKAM)
            .unwrap()
            .iter_mut()
            .find(|g| g.display_name == crate::groups_state::FABRIKAM_SYNCED_GROUPS[0])
            .unwrap();
        engineering.members.remove(0);
        let job_id = job(&world, FABRIKAM, CONTOSO).id.clone();
        run_cycle(&mut world, FABRIKAM, job_id.as_str(), NOW + 60);
        assert_eq!(copies_from(&world, FABRIKAM, CONTOSO), left, "left behind");
        let last = world.provisioning[FABRIKAM]
            .iter()
            .rev()
            .find(|e| {
                e.source_identity
                    .as_ref()
                    .and_then(|s| s.identity_type.as_deref())
                    == Some(GROUP_IDENTITY)
            })
            .unwrap();
        assert_eq!(last.provisioning_action, ProvisioningAction::Update);
        assert_eq!(
            last.provisioning_status_info.as_ref().unwrap().status,
            ProvisioningResult::Skipped
        );
        // Allowed again, the change flows at the next cycle.
        world
            .policies
            .get_mut(CONTOSO)
            .unwrap()
            .identity_sync
            .get_mut(FABRIKAM)
            .unwrap()
            .group_sync_inbound = Some(graph::policies::GroupSyncInbound {
            is_sync_allowed: Some(true),
        });
        run_cycle(&mut world, FABRIKAM, job_id.as_str(), NOW + 120);
        let engineering = copies_from(&world, FABRIKAM, CONTOSO)
            .into_iter()
            .find(|g| g.display_name == crate::groups_state::FABRIKAM_SYNCED_GROUPS[0])
            .unwrap();
        assert_eq!(engineering.members.len(), 19);
    }

    #[test]
    fn scoping_filters_need_all_clauses_of_any_group() {
        let world = demo_world(NOW);
        let user = world.users[CONTOSO][5].clone();
        let clause = |op: &str, attr: &str, values: &[&str]| graph::sync::FilterClause {
            operator_name: op.into(),
            source_operand_name: attr.into(),
            target_operand: graph::sync::FilterOperand {
                values: values.iter().map(|v| v.to_string()).collect(),
            },
        };
        let group = |clauses| graph::sync::FilterGroup {
            name: "g".into(),
            clauses,
        };
        let filter = ScopeFilter {
            groups: vec![
                group(vec![
                    clause("EQUALS", "companyName", &["Contoso"]),
                    clause("IS FALSE", "accountEnabled", &[]),
                ]),
                group(vec![clause(
                    "Includes",
                    "displayName",
                    &[&user.display_name[..3]],
                )]),
            ],
            ..ScopeFilter::default()
        };
        assert!(filter_matches(&user, Some(&filter)), "second group matches");
        let strict = ScopeFilter {
            groups: vec![filter.groups[0].clone()],
            ..ScopeFilter::default()
        };
        assert_eq!(filter_matches(&user, Some(&strict)), !user.account_enabled);
        assert!(filter_matches(&user, None));
    }

    #[test]
    fn scoping_filters_read_every_property_the_users_hold() {
        let world = demo_world(NOW);
        let user = world.users[CONTOSO][5].clone();
        let clause = |op: &str, attr: &str, values: &[&str]| ScopeFilter {
            groups: vec![graph::sync::FilterGroup {
                name: "g".into(),
                clauses: vec![graph::sync::FilterClause {
                    operator_name: op.into(),
                    source_operand_name: attr.into(),
                    target_operand: graph::sync::FilterOperand {
                        values: values.iter().map(|v| v.to_string()).collect(),
                    },
                }],
            }],
            ..ScopeFilter::default()
        };
        let matches = |filter: ScopeFilter| filter_matches(&user, Some(&filter));
        assert!(matches(clause("EQUALS", "objectId", &[&user.id])));
        assert!(matches(clause(
            "EQUALS",
            "userPrincipalName",
            &[&user.user_principal_name.to_uppercase()]
        )));
        assert!(matches(clause("IS NULL", "creationType", &[])));
        assert!(matches(clause("IS NULL", "externalUserState", &[])));
        assert!(matches(clause("IS NOT NULL", "createdDateTime", &[])));
        assert!(matches(clause("EQUALS", "userType", &["Member"])));
        // Held by no emulated user: null, as `GET /users` shows it.
        assert!(matches(clause("IS NULL", "department", &[])));
        assert!(!matches(clause("EQUALS", "department", &["Sales"])));
        assert!(!matches(clause("IS NOT NULL", "jobTitle", &[])));
        // A B2B copy: invited, accepted, shown in the address list.
        let copy = world.users[FABRIKAM]
            .iter()
            .find(|u| u.synced_from.is_some())
            .unwrap()
            .clone();
        let filter = clause("EQUALS", "externalUserState", &["Accepted"]);
        assert!(filter_matches(&copy, Some(&filter)));
        let filter = clause("IS TRUE", "showInAddressList", &[]);
        assert!(filter_matches(&copy, Some(&filter)));
        assert!(!matches(filter));
    }

    #[test]
    fn schemas_keep_the_matching_attribute_and_known_operators() {
        let mut schema = default_schema();
        assert_eq!(schema_problem(&schema), None);
        assert_eq!(schema.constant_for("userType"), Some("Member"));
        schema.synchronization_rules[0].object_mappings[0].attribute_mappings[0]
            .matching_priority = 2;
        assert!(schema_problem(&schema).is_some());
        let mut schema = default_schema();
        schema.synchronization_rules[0].object_mappings[0].scope = Some(ScopeFilter {
            groups: vec![graph::sync::FilterGroup {
                name: "x".into(),
                clauses: vec![graph::sync::FilterClause {
                    operator_name: "SOUNDS LIKE".into(),
                    source_operand_name: "displayName".into(),
                    target_operand: Default::default(),
                }],
            }],
            ..ScopeFilter::default()
        });
        assert!(schema_problem(&schema).unwrap().contains("SOUNDS LIKE"));
    }

    #[test]
    fn pause_start_and_restart_move_the_schedule() {
        let mut job = Job::new(TAILSPIN);
        assert_eq!(job.status_code(), JobStatusCode::Paused);
        job.start(NOW);
        assert_eq!(job.status_code(), JobStatusCode::NotRun);
        assert_eq!(job.next_run, Some(NOW + FIRST_CYCLE_SECONDS));
        job.pause();
        assert_eq!(job.schedule_state, ScheduleState::Paused);
        assert_eq!(job.next_run, None);
        job.quarantine = Some(Quarantine {
            current_began: None,
            next_attempt: None,
            reason: QuarantineReason::QuarantinedOnDemand,
            series_began: None,
            series_count: 1,
            error: None,
        });
        job.restart(graph::sync::reset_scope::WATERMARK, NOW);
        assert_eq!(
            job.status_code(),
            JobStatusCode::Quarantine,
            "quarantine kept without the flag"
        );
        job.restart(graph::sync::reset_scope::QUARANTINE_STATE, NOW);
        assert_eq!(job.status_code(), JobStatusCode::NotRun);
    }
}
