//! Multitenant organization resources (graph-api.md §1–§3): the organization, its member tenants
//! with their transitions, and a tenant's join request.

use serde::{Deserialize, Serialize};

/// `multiTenantOrganization`. Outside an MTO Graph answers an inactive stub (`state: "inactive"`,
/// other fields null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiTenantOrganization {
    #[serde(default)]
    pub id: Option<String>,
    pub created_date_time: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// `active` or `inactive`.
    pub state: Option<String>,
}

impl MultiTenantOrganization {
    pub fn is_active(&self) -> bool {
        self.state.as_deref() == Some("active")
    }
}

/// `multiTenantOrganizationMemberTransitionDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionDetails {
    /// `owner` or `member`.
    pub desired_role: Option<String>,
    /// `pending`, `active` or `removed`.
    pub desired_state: Option<String>,
    /// `notStarted`, `running`, `succeeded` or `failed`.
    pub status: Option<String>,
    /// Why a transition failed.
    pub details: Option<String>,
}

impl TransitionDetails {
    pub fn is_in_progress(&self) -> bool {
        matches!(self.status.as_deref(), Some("notStarted" | "running"))
    }

    pub fn has_failed(&self) -> bool {
        self.status.as_deref() == Some("failed")
    }
}

/// `multiTenantOrganizationMember`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MtoMember {
    pub tenant_id: String,
    pub display_name: Option<String>,
    pub added_date_time: Option<String>,
    pub joined_date_time: Option<String>,
    pub added_by_tenant_id: Option<String>,
    /// `owner` or `member`.
    pub role: Option<String>,
    /// `pending`, `active` or `removed`.
    pub state: Option<String>,
    pub transition_details: Option<TransitionDetails>,
}

/// `multiTenantOrganizationJoinRequestRecord`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    #[serde(default)]
    pub id: Option<String>,
    pub added_by_tenant_id: Option<String>,
    pub member_state: Option<String>,
    pub role: Option<String>,
    pub transition_details: Option<TransitionDetails>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inactive_stub_reads_as_not_in_an_mto() {
        let stub: MultiTenantOrganization = serde_json::from_value(serde_json::json!({
            "@odata.context": "x", "createdDateTime": null, "displayName": null,
            "description": null, "state": "inactive"
        }))
        .unwrap();
        assert!(!stub.is_active());
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
        let transition = member.transition_details.unwrap();
        assert!(transition.has_failed());
        assert!(!transition.is_in_progress());
    }
}
