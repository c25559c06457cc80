//! Multitenant organization resources: the organization, its member tenants with their
//! transitions, and a tenant's join request. Microsoft Graph v1.0 reference:
//! `api-reference/v1.0/resources/multitenantorganization.md`, `…/multitenantorganizationmember.md`,
//! `…/multitenantorganizationmembertransitiondetails.md` and
//! `…/multitenantorganizationjoinrequestrecord.md` (microsoftgraph/microsoft-graph-docs-contrib).

use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::macros::graph_enum;

graph_enum! {
    /// `multiTenantOrganizationState`: `inactive` means the tenant is in no MTO.
    MtoState { Active = "active", Inactive = "inactive" }
}

graph_enum! {
    /// `multiTenantOrganizationMemberRole`.
    MemberRole { Owner = "owner", Member = "member" }
}

graph_enum! {
    /// `multiTenantOrganizationMemberState`: `removed` means removal is in progress.
    MemberState { Pending = "pending", Active = "active", Removed = "removed" }
}

graph_enum! {
    /// `multiTenantOrganizationMemberProcessingStatus` of an asynchronous transition.
    TransitionStatus {
        NotStarted = "notStarted",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

impl TransitionStatus {
    pub fn is_in_progress(&self) -> bool {
        matches!(self, Self::NotStarted | Self::Running)
    }
}

/// `multiTenantOrganization`. Outside an MTO Graph answers an inactive stub (`state: "inactive"`,
/// other fields null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiTenantOrganization {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub created_date_time: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub state: Option<MtoState>,
}

impl MultiTenantOrganization {
    pub fn is_active(&self) -> bool {
        self.state == Some(MtoState::Active)
    }
}

/// `multiTenantOrganizationMemberTransitionDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionDetails {
    pub desired_role: Option<MemberRole>,
    pub desired_state: Option<MemberState>,
    pub status: Option<TransitionStatus>,
    /// Why a transition failed.
    pub details: Option<String>,
}

impl TransitionDetails {
    pub fn is_in_progress(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(TransitionStatus::is_in_progress)
    }

    pub fn has_failed(&self) -> bool {
        self.status == Some(TransitionStatus::Failed)
    }
}

/// `multiTenantOrganizationMember` (a `directoryObject`: `id` equals `tenantId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MtoMember {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub deleted_date_time: Option<String>,
    pub tenant_id: TenantId,
    pub display_name: Option<String>,
    pub added_date_time: Option<String>,
    pub joined_date_time: Option<String>,
    pub added_by_tenant_id: Option<String>,
    pub role: Option<MemberRole>,
    pub state: Option<MemberState>,
    pub transition_details: Option<TransitionDetails>,
}

impl MtoMember {
    pub fn is_owner(&self) -> bool {
        self.role == Some(MemberRole::Owner)
    }
}

/// Marks a member list read with basic attributes only as what it is. Without an MTO reader role
/// (or with `MultiTenantOrganization.ReadBasic.All`), Graph lists the active tenants only, with
/// their `tenantId` and `displayName` and no role or state
/// (`api-reference/v1.0/includes/rbac-for-apis/rbac-multitenantorganization-apis-read.md`). Such a
/// list's members are marked active, which the list guarantees; their role stays unknown.
/// Returns whether the list was a basic one.
pub fn complete_basic_list(members: &mut [MtoMember]) -> bool {
    let basic = !members.is_empty()
        && members
            .iter()
            .all(|m| m.role.is_none() && m.state.is_none());
    if basic {
        for member in members.iter_mut() {
            member.state = Some(MemberState::Active);
        }
    }
    basic
}

/// `multiTenantOrganizationJoinRequestTransitionDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequestTransition {
    pub desired_member_state: Option<MemberState>,
    pub status: Option<TransitionStatus>,
    pub details: Option<String>,
}

/// `multiTenantOrganizationJoinRequestRecord`: the joining tenant's side of a join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub added_by_tenant_id: Option<String>,
    pub member_state: Option<MemberState>,
    pub role: Option<MemberRole>,
    pub transition_details: Option<JoinRequestTransition>,
}

/// Body of `PUT /tenantRelationships/multiTenantOrganization` (create) and of its `PATCH`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationWrite {
    /// Required on create; on update, `None` leaves the name as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Body of `POST …/multiTenantOrganization/tenants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddTenant {
    pub tenant_id: TenantId,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<MemberRole>,
}

/// Body of `PATCH …/multiTenantOrganization/tenants/{tenantId}`: the role is the only updatable field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChange {
    pub role: MemberRole,
}

/// Body of `PATCH …/multiTenantOrganization/joinRequest`: the owner that added this tenant, or the
/// all-zero GUID to reset a failed join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequestWrite {
    pub added_by_tenant_id: TenantId,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: Option<MemberRole>, state: Option<MemberState>) -> MtoMember {
        serde_json::from_value(serde_json::json!({
            "tenantId": "0a7f4d5b-1c2e-4f3a-9b8c-7d6e5f4a3b21",
            "displayName": "Contoso",
            "role": role,
            "state": state,
        }))
        .unwrap()
    }

    #[test]
    fn a_list_without_roles_is_basic_and_its_members_are_active() {
        let mut basic = vec![member(None, None), member(None, None)];
        assert!(complete_basic_list(&mut basic));
        assert!(basic
            .iter()
            .all(|m| m.state == Some(MemberState::Active) && m.role.is_none()));
        let mut full = vec![member(Some(MemberRole::Owner), Some(MemberState::Active))];
        assert!(!complete_basic_list(&mut full));
        assert!(!complete_basic_list(&mut []));
    }

    #[test]
    fn the_inactive_stub_reads_as_not_in_an_mto() {
        let stub: MultiTenantOrganization = serde_json::from_value(serde_json::json!({
            "@odata.context": "x", "createdDateTime": null, "displayName": null,
            "description": null, "state": "inactive"
        }))
        .unwrap();
        assert!(!stub.is_active());
        assert_eq!(stub.state, Some(MtoState::Inactive));
    }

    #[test]
    fn members_carry_their_transition() {
        let member: MtoMember = serde_json::from_value(serde_json::json!({
            "tenantId": "9e3b5d7f-2c4a-4b6e-9f1a-3c5e7a9b1d44", "displayName": "Northwind Traders",
            "addedDateTime": "2026-09-01T09:00:00Z", "joinedDateTime": null,
            "addedByTenantId": "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11", "role": "member",
            "state": "pending",
            "transitionDetails": {"desiredRole": "member", "desiredState": "active", "status": "failed", "details": "x"}
        }))
        .unwrap();
        assert_eq!(member.state, Some(MemberState::Pending));
        let transition = member.transition_details.unwrap();
        assert!(transition.has_failed());
        assert!(!transition.is_in_progress());
    }

    #[test]
    fn values_graph_adds_later_do_not_break_reading() {
        let member: MtoMember = serde_json::from_value(serde_json::json!({
            "tenantId": "9e3b5d7f-2c4a-4b6e-9f1a-3c5e7a9b1d44", "displayName": null,
            "addedDateTime": null, "joinedDateTime": null, "addedByTenantId": null,
            "role": "unknownFutureValue", "state": "suspended", "transitionDetails": null
        }))
        .unwrap();
        assert_eq!(
            member.role,
            Some(MemberRole::Unknown("unknownFutureValue".into()))
        );
        assert_eq!(member.state, Some(MemberState::Unknown("suspended".into())));
    }

    #[test]
    fn write_bodies_serialise_like_the_documented_requests() {
        let owner: TenantId = "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11".parse().unwrap();
        assert_eq!(
            serde_json::to_value(JoinRequestWrite {
                added_by_tenant_id: owner.clone()
            })
            .unwrap(),
            serde_json::json!({"addedByTenantId": "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11"})
        );
        assert_eq!(
            serde_json::to_value(RoleChange {
                role: MemberRole::Owner
            })
            .unwrap(),
            serde_json::json!({"role": "owner"})
        );
        let add = AddTenant {
            tenant_id: owner,
            display_name: "Contoso".into(),
            role: None,
        };
        assert_eq!(
            serde_json::to_value(add).unwrap(),
            serde_json::json!({"tenantId": "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11", "displayName": "Contoso"})
        );
    }
}
