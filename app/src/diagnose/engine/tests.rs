//! The engine on hand-made evidence: a healthy person, then one cause at a time.

use graph::mto::{MemberRole, MemberState, MtoMember};
use graph::policies::{
    DefaultConfiguration, IdentitySyncPolicy, InboundOutbound, PartnerConfiguration,
    UserSyncInbound,
};
use graph::roles::ReadArea;
use graph::sync::{
    AppRoleAssignment, FilterClause, FilterGroup, FilterOperand, ModifiedProperty, PrincipalType,
    ProvisioningAction, ProvisioningEntry, ProvisioningErrorInfo, ProvisioningParty,
    ProvisioningResult, ProvisioningStatusInfo, ProvisioningStep, ProvisioningStepType, Quarantine,
    QuarantineReason, Schedule, ScheduleState, ScopeFilter, ServicePrincipal, SyncError, SyncJob,
    SyncSchema, SyncStatus, TaskExecution,
};
use graph::users::{
    DeletedUser, GroupRef, OrgContact, PhoneMethod, SmsSignInState, UserDetail, UserType,
};

use super::*;
use crate::diagnose::evidence::{Configuration, Evidence, Read, Tenant, Unreadable};

const SOURCE: &str = "7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22";
const TARGET: &str = "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11";
const USER: &str = "11111111-2222-3333-4444-555555555555";
const COPY: &str = "99999999-2222-3333-4444-555555555555";
const SP: &str = "8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1";
const NOW: i64 = 1_800_000_000;

fn ok<T>(tenant: &str, value: T) -> Read<T> {
    Read::new(tenant, "GET /x", Ok(value))
}

fn refused<T>(tenant: &str, area: ReadArea) -> Read<T> {
    Read::new(tenant, "GET /x", Err(Unreadable::Role(area)))
}

fn alice() -> UserDetail {
    UserDetail {
        id: USER.into(),
        display_name: Some("Alice Example".into()),
        user_principal_name: Some("alice@fabrikam.com".into()),
        mail: Some("alice@fabrikam.com".into()),
        user_type: Some(UserType::Member),
        account_enabled: Some(true),
        company_name: Some("Fabrikam".into()),
        ..UserDetail::default()
    }
}

fn the_copy(created: i64) -> UserDetail {
    UserDetail {
        id: COPY.into(),
        display_name: Some("Alice Example".into()),
        user_principal_name: Some("alice_fabrikam.com#EXT#@contoso.onmicrosoft.com".into()),
        mail: Some("alice@fabrikam.com".into()),
        user_type: Some(UserType::Member),
        creation_type: Some("Invitation".into()),
        external_user_state: Some("Accepted".into()),
        account_enabled: Some(true),
        show_in_address_list: Some(true),
        created_date_time: Some(crate::mesh::time::iso(created)),
        ..UserDetail::default()
    }
}

fn job(code: &str) -> SyncJob {
    let run = TaskExecution {
        state: Some(graph::sync::ExecutionState::Succeeded),
        time_began: Some(crate::mesh::time::iso(NOW - 600)),
        time_ended: Some(crate::mesh::time::iso(NOW - 598)),
        ..TaskExecution::default()
    };
    SyncJob {
        id: "Azure2Azure.abc.def".parse().unwrap(),
        template_id: "Azure2Azure".into(),
        schedule: Schedule {
            expiration: None,
            interval: "PT40M".into(),
            state: ScheduleState::Active,
        },
        status: SyncStatus {
            code: code.into(),
            count_successive_complete_failures: 0,
            escrows_pruned: false,
            last_execution: Some(run.clone()),
            last_successful_execution: Some(run.clone()),
            last_successful_execution_with_exports: None,
            progress: vec![],
            quarantine: None,
            steady_state_first_achieved_time: None,
            steady_state_last_achieved_time: None,
            synchronized_entry_count_by_type: vec![],
            troubleshooting_url: None,
        },
        synchronization_job_settings: vec![],
    }
}

fn schema(filter: Option<ScopeFilter>, user_type_flow: &str) -> SyncSchema {
    let mut schema: SyncSchema = serde_json::from_value(serde_json::json!({
        "id": "s",
        "synchronizationRules": [{
            "id": "r", "objectMappings": [{
                "name": "Users", "enabled": true, "sourceObjectName": "User",
                "targetObjectName": "User", "scope": null,
                "attributeMappings": [{
                    "targetAttributeName": "userType",
                    "source": {"type": "Constant", "name": "Member", "expression": "\"Member\""},
                    "flowType": user_type_flow
                }]
            }]
        }]
    }))
    .unwrap();
    schema.synchronization_rules[0].object_mappings[0].scope = filter;
    schema
}

fn assignment(principal: &str, kind: PrincipalType, name: &str) -> AppRoleAssignment {
    AppRoleAssignment {
        id: format!("a-{principal}"),
        app_role_id: "role".into(),
        principal_id: principal.into(),
        principal_display_name: Some(name.into()),
        principal_type: Some(kind),
        resource_id: SP.into(),
        resource_display_name: None,
        created_date_time: None,
    }
}

fn entry(
    action: ProvisioningAction,
    status: ProvisioningResult,
    target: Option<&str>,
) -> ProvisioningEntry {
    ProvisioningEntry {
        id: "e".into(),
        activity_date_time: crate::mesh::time::iso(NOW - 8 * 24 * 3600),
        tenant_id: Some(TARGET.into()),
        job_id: Some("Azure2Azure.abc.def".into()),
        cycle_id: None,
        change_id: None,
        duration_in_milliseconds: 0,
        provisioning_action: action,
        provisioning_status_info: Some(ProvisioningStatusInfo {
            status,
            error_information: None,
        }),
        provisioning_steps: vec![],
        modified_properties: Vec::<ModifiedProperty>::new(),
        service_principal: None,
        source_system: None,
        target_system: None,
        source_identity: Some(ProvisioningParty {
            id: Some(USER.into()),
            display_name: None,
            identity_type: Some("User".into()),
            details: Default::default(),
        }),
        target_identity: target.map(|id| ProvisioningParty {
            id: Some(id.into()),
            display_name: None,
            identity_type: Some("User".into()),
            details: Default::default(),
        }),
        initiated_by: None,
    }
}

fn partner(of: &str, inbound_sync: bool) -> PartnerConfiguration {
    PartnerConfiguration {
        automatic_user_consent_settings: InboundOutbound {
            inbound_allowed: Some(true),
            outbound_allowed: Some(true),
        },
        identity_synchronization: Some(IdentitySyncPolicy {
            tenant_id: of.parse().unwrap(),
            display_name: None,
            user_sync_inbound: Some(UserSyncInbound {
                is_sync_allowed: Some(inbound_sync),
            }),
            group_sync_inbound: None,
        }),
        ..PartnerConfiguration::unconfigured(&of.parse().unwrap())
    }
}

fn default_policy() -> DefaultConfiguration {
    serde_json::from_value(serde_json::json!({
        "isServiceDefault": true,
        "inboundTrust": null, "b2bCollaborationInbound": null, "b2bCollaborationOutbound": null,
        "b2bDirectConnectInbound": null, "b2bDirectConnectOutbound": null,
        "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false}
    }))
    .unwrap()
}

fn member(tenant: &str, role: MemberRole, state: MemberState) -> MtoMember {
    MtoMember {
        id: None,
        deleted_date_time: None,
        tenant_id: tenant.parse().unwrap(),
        display_name: Some(
            if tenant == SOURCE {
                "Fabrikam"
            } else {
                "Contoso"
            }
            .into(),
        ),
        added_date_time: None,
        joined_date_time: None,
        added_by_tenant_id: None,
        role: Some(role),
        state: Some(state),
        transition_details: None,
    }
}

/// Alice, assigned directly, synced eight days ago, everything in order.
fn healthy() -> Evidence {
    let sp: ServicePrincipal = serde_json::from_value(serde_json::json!({
        "id": SP, "appId": "app", "displayName": format!("MTO_Sync_{TARGET}"),
    }))
    .unwrap();
    Evidence {
        now: NOW,
        source: Tenant {
            id: SOURCE.into(),
            name: "Fabrikam".into(),
        },
        target: Tenant {
            id: TARGET.into(),
            name: "Contoso".into(),
        },
        user_id: USER.into(),
        user: ok(SOURCE, alice()),
        viewer: None,
        direct_groups: ok(SOURCE, vec![]),
        transitive_groups: ok(SOURCE, vec![]),
        phones: ok(SOURCE, vec![]),
        configurations: ok(SOURCE, vec![sp.clone()]),
        configuration: Some(Configuration {
            service_principal: sp,
            jobs: ok(SOURCE, vec![job("Active")]),
            sync_all: ok(SOURCE, false),
            assignments: ok(
                SOURCE,
                vec![assignment(USER, PrincipalType::User, "Alice Example")],
            ),
            schema: Some(ok(SOURCE, schema(None, "Always"))),
            nested: vec![],
            more_attributes: None,
        }),
        log: Some(ok(
            SOURCE,
            vec![entry(
                ProvisioningAction::Create,
                ProvisioningResult::Success,
                Some(COPY),
            )],
        )),
        target_users: ok(TARGET, vec![the_copy(NOW - 8 * 24 * 3600)]),
        deleted: ok(TARGET, vec![]),
        contacts: ok(TARGET, vec![]),
        source_partners: ok(SOURCE, vec![partner(TARGET, true)]),
        source_default: ok(SOURCE, default_policy()),
        target_partners: ok(TARGET, vec![partner(SOURCE, true)]),
        target_default: ok(TARGET, default_policy()),
        source_members: ok(
            SOURCE,
            Some(vec![
                member(TARGET, MemberRole::Owner, MemberState::Active),
                member(SOURCE, MemberRole::Member, MemberState::Active),
            ]),
        ),
        target_members: ok(TARGET, None),
    }
}

fn status(diagnosis: &(Verdict, Vec<Section>), key: &str) -> Status {
    diagnosis
        .1
        .iter()
        .flat_map(|s| s.checks.iter())
        .find(|c| c.key == key)
        .unwrap_or_else(|| panic!("no check {key}"))
        .status
}

fn cause(evidence: &Evidence) -> (Option<String>, Verdict) {
    let (verdict, _) = diagnose(evidence);
    (verdict.cause.clone(), verdict)
}

#[test]
fn a_healthy_person_passes_every_check_in_order() {
    let result = diagnose(&healthy());
    let numbers: Vec<u8> = result.1.iter().map(|s| s.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for check in result.1.iter().flat_map(|s| s.checks.iter()) {
        assert_eq!(check.status, Status::Ok, "{check:?}");
        assert!(
            !check.reads.is_empty(),
            "{} says where it came from",
            check.key
        );
    }
    assert_eq!(result.0.status, Status::Ok);
    assert_eq!(
        result.0.headline,
        "Nothing keeps Alice Example from being found in Contoso."
    );
}

#[test]
fn no_configuration_is_the_first_cause_and_is_fixed_in_the_source() {
    let mut e = healthy();
    e.configuration = None;
    e.configurations = ok(SOURCE, vec![]);
    e.log = None;
    let (key, verdict) = cause(&e);
    assert_eq!(key.as_deref(), Some("sync.configuration"));
    let fix = verdict.fix.unwrap();
    assert_eq!(fix.tenant_name, "Fabrikam");
    assert!(fix
        .roles
        .contains(&"Hybrid Identity Administrator".to_owned()));
    let (_, sections) = diagnose(&e);
    assert!(sections[2].note.is_some(), "no log to read without a job");
}

#[test]
fn a_policy_quarantine_is_fixed_where_the_setting_is_missing() {
    let mut e = healthy();
    let config = e.configuration.as_mut().unwrap();
    let mut quarantined = job("Quarantine");
    quarantined.status.quarantine = Some(Quarantine {
        current_began: Some(crate::mesh::time::iso(NOW - 86_400)),
        next_attempt: None,
        reason: QuarantineReason::EncounteredQuarantineException,
        series_began: Some(crate::mesh::time::iso(NOW - 2 * 86_400)),
        series_count: 3,
        error: Some(SyncError {
            code: "AzureDirectoryB2BManagementPolicyCheckFailure".into(),
            message: "Policy permitting auto-redemption of invitations not configured".into(),
            tenant_actionable: true,
        }),
    });
    config.jobs = ok(SOURCE, vec![quarantined]);
    e.target_partners = ok(TARGET, vec![partner(SOURCE, false)]);
    let result = diagnose(&e);
    assert_eq!(result.0.cause.as_deref(), Some("sync.job"));
    let fix = result.0.fix.clone().unwrap();
    assert_eq!(fix.tenant_name, "Contoso");
    assert!(fix.roles.contains(&"Security Administrator".to_owned()));
    assert!(fix.action.contains("restart the job in Fabrikam"));
    assert_eq!(status(&result, "policy.inbound_sync"), Status::Blocking);
    assert_eq!(status(&result, "policy.redeem_inbound"), Status::Ok);
    let job = result.1[0]
        .checks
        .iter()
        .find(|c| c.key == "sync.job")
        .unwrap();
    assert!(
        job.evidence.iter().any(|l| l.contains("3 attempt(s)")),
        "{job:?}"
    );
}

#[test]
fn guests_and_external_users_are_never_in_scope() {
    let mut e = healthy();
    let mut guest = alice();
    guest.user_type = Some(UserType::Guest);
    e.user = ok(SOURCE, guest);
    assert_eq!(cause(&e).0.as_deref(), Some("scope.member"));
    let mut external = alice();
    external.creation_type = Some("Invitation".into());
    e.user = ok(SOURCE, external);
    let (_, verdict) = cause(&e);
    assert!(
        verdict.headline.contains("external user"),
        "{}",
        verdict.headline
    );
}

#[test]
fn a_member_of_a_nested_group_is_told_which_group_it_is_nested_in() {
    let mut e = healthy();
    let config = e.configuration.as_mut().unwrap();
    config.assignments = ok(
        SOURCE,
        vec![assignment("g-outer", PrincipalType::Group, "Engineering")],
    );
    config.nested = vec![(
        GroupRef {
            id: "g-outer".into(),
            display_name: Some("Engineering".into()),
        },
        ok(
            SOURCE,
            vec![GroupRef {
                id: "g-inner".into(),
                display_name: Some("Contractors".into()),
            }],
        ),
    )];
    let inner = GroupRef {
        id: "g-inner".into(),
        display_name: Some("Contractors".into()),
    };
    let outer = GroupRef {
        id: "g-outer".into(),
        display_name: Some("Engineering".into()),
    };
    e.direct_groups = ok(SOURCE, vec![inner.clone()]);
    e.transitive_groups = ok(SOURCE, vec![inner, outer.clone()]);
    let (key, verdict) = cause(&e);
    assert_eq!(key.as_deref(), Some("scope.assignment"));
    assert!(
        verdict
            .headline
            .contains("in Engineering only through Contractors"),
        "{}",
        verdict.headline
    );
    // A direct member of the assigned group is in scope.
    e.direct_groups = ok(SOURCE, vec![outer]);
    assert_eq!(status(&diagnose(&e), "scope.assignment"), Status::Ok);
    // Nobody assigned at all.
    e.direct_groups = ok(SOURCE, vec![]);
    e.transitive_groups = ok(SOURCE, vec![]);
    let (_, verdict) = cause(&e);
    assert!(
        verdict.headline.contains("not assigned"),
        "{}",
        verdict.headline
    );
}

#[test]
fn the_scoping_filter_names_the_clause_that_fails() {
    let mut e = healthy();
    let filter = ScopeFilter {
        groups: vec![FilterGroup {
            name: "Employees".into(),
            clauses: vec![
                FilterClause {
                    operator_name: "EQUALS".into(),
                    source_operand_name: "companyName".into(),
                    target_operand: FilterOperand {
                        values: vec!["Fabrikam".into()],
                    },
                },
                FilterClause {
                    operator_name: "IS TRUE".into(),
                    source_operand_name: "accountEnabled".into(),
                    target_operand: FilterOperand::default(),
                },
            ],
        }],
        ..ScopeFilter::default()
    };
    e.configuration.as_mut().unwrap().schema =
        Some(ok(SOURCE, schema(Some(filter.clone()), "Always")));
    assert_eq!(status(&diagnose(&e), "scope.filter"), Status::Ok);
    let mut contractor = alice();
    contractor.company_name = Some("Litware".into());
    e.user = ok(SOURCE, contractor);
    let (key, verdict) = cause(&e);
    assert_eq!(key.as_deref(), Some("scope.filter"));
    assert!(
        verdict
            .headline
            .contains("companyName EQUALS Fabrikam (Alice Example's companyName is Litware)"),
        "{}",
        verdict.headline
    );
    // An attribute the user read does not hold, and that could not be read: unknown, not a failure.
    let mut odd = filter;
    odd.groups[0].clauses[0].source_operand_name = "extension_abc_costCenter".into();
    let config = e.configuration.as_mut().unwrap();
    config.schema = Some(ok(SOURCE, schema(Some(odd), "Always")));
    config.more_attributes = Some(Read::new(
        SOURCE,
        "GET /y",
        Err(Unreadable::Failed("503".into())),
    ));
    assert_eq!(status(&diagnose(&e), "scope.filter"), Status::Unknown);
}

#[test]
fn the_log_decodes_failures_and_sms_skips() {
    let mut e = healthy();
    let mut failed = entry(
        ProvisioningAction::Create,
        ProvisioningResult::Failure,
        None,
    );
    failed.provisioning_status_info = Some(ProvisioningStatusInfo {
        status: ProvisioningResult::Failure,
        error_information: Some(ProvisioningErrorInfo {
            error_code: Some("AzureActiveDirectoryForbidden".into()),
            reason: Some("Guest invitations not allowed for your company.".into()),
            additional_details: None,
            error_category: None,
            recommended_action: None,
        }),
    });
    e.log = Some(ok(SOURCE, vec![failed]));
    let result = diagnose(&e);
    assert_eq!(result.0.cause.as_deref(), Some("log.latest"));
    let check = result.1[2].checks.first().unwrap();
    assert!(check
        .evidence
        .iter()
        .any(|l| l.contains("does not allow guest invitations")));
    assert_eq!(check.fix.as_ref().unwrap().tenant_name, "Contoso");

    let mut skipped = entry(ProvisioningAction::Other, ProvisioningResult::Skipped, None);
    let mut details = serde_json::Map::new();
    details.insert(
        "ScopeEvaluationResult".into(),
        serde_json::json!("{\"Filter external users.alternativeSecurityIds EQUALS 'None'\":false}"),
    );
    skipped.provisioning_steps = vec![ProvisioningStep {
        name: "EntrySynchronizationScoping".into(),
        provisioning_step_type: ProvisioningStepType::Scoping,
        status: ProvisioningResult::Skipped,
        description: None,
        details,
    }];
    e.log = Some(ok(SOURCE, vec![skipped]));
    e.target_users = ok(TARGET, vec![]);
    // The phones cannot be read, but the log shows the skip: section 8 says so too.
    e.phones = refused(SOURCE, ReadArea::AuthenticationMethods);
    let result = diagnose(&e);
    assert_eq!(result.0.cause.as_deref(), Some("log.latest"));
    assert_eq!(status(&result, "signin.sms"), Status::Blocking);
    let fix = result.0.fix.unwrap();
    assert!(fix
        .roles
        .contains(&"Authentication Administrator".to_owned()));
}

#[test]
fn a_deleted_account_is_restorable_for_thirty_days() {
    let mut e = healthy();
    e.target_users = ok(TARGET, vec![]);
    let deleted_at = NOW - 20 * 3600;
    e.deleted = ok(
        TARGET,
        vec![DeletedUser {
            user: the_copy(NOW - 8 * 86_400),
            deleted_date_time: Some(crate::mesh::time::iso(deleted_at)),
        }],
    );
    let result = diagnose(&e);
    assert_eq!(result.0.cause.as_deref(), Some("target.deleted"));
    let check = result.1[3].checks.first().unwrap();
    assert!(
        check.evidence.iter().any(|l| l
            .contains(&crate::mesh::time::iso(deleted_at + DELETED_KEPT_SECONDS))
            && l.contains("29 day(s) left")),
        "{check:?}"
    );
    assert_eq!(result.0.fix.unwrap().tenant_name, "Contoso");
}

#[test]
fn an_older_guest_stays_a_guest_unless_the_mapping_applies_always() {
    let mut e = healthy();
    let mut guest = the_copy(NOW - 200 * 86_400);
    guest.user_type = Some(UserType::Guest);
    e.target_users = ok(TARGET, vec![guest]);
    e.configuration.as_mut().unwrap().schema = Some(ok(SOURCE, schema(None, "ObjectAddOnly")));
    let result = diagnose(&e);
    assert_eq!(result.0.cause.as_deref(), Some("target.user_type"));
    let fix = result.0.fix.clone().unwrap();
    assert_eq!(fix.tenant_name, "Fabrikam");
    assert!(fix.action.contains("Always"), "{}", fix.action);
    let check = result.1[3]
        .checks
        .iter()
        .find(|c| c.key == "target.user_type")
        .unwrap();
    assert!(check
        .evidence
        .iter()
        .any(|l| l.contains("applied when the user is created only")));
    // With the mapping applied always, the target's user type is what to change.
    e.configuration.as_mut().unwrap().schema = Some(ok(SOURCE, schema(None, "Always")));
    assert_eq!(cause(&e).1.fix.unwrap().tenant_name, "Contoso");
}

#[test]
fn hidden_and_disabled_accounts_block_and_say_where_to_fix_them() {
    let mut e = healthy();
    let mut hidden = the_copy(NOW - 8 * 86_400);
    hidden.show_in_address_list = Some(false);
    e.target_users = ok(TARGET, vec![hidden]);
    let (key, verdict) = cause(&e);
    assert_eq!(key.as_deref(), Some("target.address_list"));
    assert_eq!(verdict.fix.unwrap().roles[0], "User Administrator");

    let mut disabled = the_copy(NOW - 8 * 86_400);
    disabled.account_enabled = Some(false);
    e.target_users = ok(TARGET, vec![disabled]);
    let mut home = alice();
    home.account_enabled = Some(false);
    e.user = ok(SOURCE, home);
    let (key, verdict) = cause(&e);
    assert_eq!(key.as_deref(), Some("target.enabled"));
    assert_eq!(
        verdict.fix.unwrap().tenant_name,
        "Fabrikam",
        "disabled at home: fixed at home"
    );
}

#[test]
fn partner_settings_inherit_the_default() {
    let mut e = healthy();
    let mut inherits = partner(SOURCE, true);
    inherits.automatic_user_consent_settings.inbound_allowed = None;
    e.target_partners = ok(TARGET, vec![inherits]);
    let result = diagnose(&e);
    assert_eq!(status(&result, "policy.redeem_inbound"), Status::Blocking);
    assert_eq!(result.0.cause.as_deref(), Some("policy.redeem_inbound"));
    e.target_default = refused(TARGET, ReadArea::Policies);
    assert_eq!(
        status(&diagnose(&e), "policy.redeem_inbound"),
        Status::Unknown
    );
}

#[test]
fn membership_warns_about_a_pending_tenant() {
    let mut e = healthy();
    e.source_members = ok(
        SOURCE,
        Some(vec![
            member(TARGET, MemberRole::Owner, MemberState::Active),
            member(SOURCE, MemberRole::Member, MemberState::Pending),
        ]),
    );
    let result = diagnose(&e);
    assert_eq!(status(&result, "mto.source"), Status::Warning);
    assert_eq!(status(&result, "mto.target"), Status::Ok);
    assert_eq!(result.0.status, Status::Warning);
}

#[test]
fn duplicates_are_warnings() {
    let mut e = healthy();
    e.contacts = ok(
        TARGET,
        vec![OrgContact {
            id: "c".into(),
            display_name: Some("Alice (Fabrikam)".into()),
            mail: Some("alice@fabrikam.com".into()),
            company_name: None,
        }],
    );
    let result = diagnose(&e);
    assert_eq!(status(&result, "duplicates"), Status::Warning);
    assert_eq!(result.0.cause.as_deref(), Some("duplicates"));
}

#[test]
fn sms_sign_in_is_read_from_the_phone_methods() {
    let mut e = healthy();
    e.phones = ok(
        SOURCE,
        vec![PhoneMethod {
            id: "3179e48a-750b-4051-897c-87b9720928f7".into(),
            phone_number: Some("+1 5555550100".into()),
            phone_type: Some(graph::users::PhoneType::Mobile),
            sms_sign_in_state: Some(SmsSignInState::Ready),
        }],
    );
    assert_eq!(cause(&e).0.as_deref(), Some("signin.sms"));
    e.phones = refused(SOURCE, ReadArea::AuthenticationMethods);
    let result = diagnose(&e);
    assert_eq!(status(&result, "signin.sms"), Status::Unknown);
    assert_eq!(result.0.status, Status::Unknown);
    assert!(
        result.0.unread[0].contains("Global Reader, Authentication Administrator"),
        "{:?}",
        result.0.unread
    );
}

#[test]
fn propagation_delays_are_measured_from_the_creation() {
    let mut e = healthy();
    e.target_users = ok(TARGET, vec![the_copy(NOW - 3600)]);
    let result = diagnose(&e);
    assert_eq!(status(&result, "propagation"), Status::Warning);
    assert_eq!(result.0.cause.as_deref(), Some("propagation"));
    assert!(
        result.0.headline.contains("Teams and SharePoint"),
        "{}",
        result.0.headline
    );
    e.target_users = ok(TARGET, vec![the_copy(NOW - 2 * 86_400)]);
    let result = diagnose(&e);
    assert!(
        result
            .0
            .headline
            .contains("people search may not find it until"),
        "{}",
        result.0.headline
    );
}

#[test]
fn unreadable_parts_are_unknown_and_listed_before_the_cause() {
    let mut e = healthy();
    e.log = Some(refused(SOURCE, ReadArea::ProvisioningLog));
    e.configuration.as_mut().unwrap().jobs =
        Read::new(SOURCE, "GET /jobs", Err(Unreadable::NotSignedIn));
    let mut hidden = the_copy(NOW - 8 * 86_400);
    hidden.show_in_address_list = Some(false);
    e.target_users = ok(TARGET, vec![hidden]);
    let result = diagnose(&e);
    assert_eq!(status(&result, "sync.job"), Status::Unknown);
    assert_eq!(status(&result, "log.latest"), Status::Unknown);
    assert_eq!(result.0.cause.as_deref(), Some("target.address_list"));
    assert_eq!(result.0.unread.len(), 2, "{:?}", result.0.unread);
    assert!(result.0.unread[0].starts_with("Not signed in to Fabrikam"));
    assert!(result.0.unread[1].contains("Reports Reader"));
}
