//! The `/joins` page's data: what each signed-in tenant may do about its MTO membership, and the
//! writes as the server receives them (every tenant named by a validated id or reference).

use serde::{Deserialize, Serialize};

use graph::mto::MemberRole;
use graph::{TenantId, TenantRef};

use super::audit::AuditAction;
use crate::api::ApiError;

/// A tenant's decision on a join request, recorded by the dashboard (Graph has no "decline").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub tenant_id: String,
    pub owner_tenant_id: String,
    pub decided_by: String,
    pub at: i64,
}

/// A member as an owner manages it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLine {
    pub tenant_id: String,
    pub name: String,
    pub role: String,
    pub state: String,
    /// e.g. "member → active: running for 40 s".
    pub transition: Option<String>,
    pub declined: Option<Decision>,
}

/// A join request waiting in (or processed for) a signed-in tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestView {
    pub owner_tenant_id: Option<String>,
    pub owner_name: Option<String>,
    pub organization: Option<String>,
    pub added: Option<String>,
    /// `notStarted`, `running`, `succeeded`, `failed`, or `None` before approval.
    pub status: Option<String>,
    pub details: Option<String>,
    /// e.g. "running for 12 s (Microsoft documents up to 2 hours)".
    pub progress: Option<String>,
    pub declined: Option<Decision>,
}

/// One signed-in tenant's part of the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantJoins {
    pub tenant_id: String,
    pub tenant_name: String,
    pub can_manage: bool,
    /// Its MTO's name, when it is a member (pending or active) of one.
    pub organization: Option<String>,
    pub role: Option<String>,
    pub state: Option<String>,
    /// The only active owner: may not leave.
    pub only_owner: bool,
    /// For owners: every member, to manage.
    pub members: Vec<MemberLine>,
    /// For pending tenants: the request to approve or decline.
    pub request: Option<JoinRequestView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinsView {
    pub taken_at: i64,
    pub tenants: Vec<TenantJoins>,
}

/// A tenant looked up before it is added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedTenant {
    pub tenant_id: TenantId,
    pub display_name: String,
    pub default_domain: Option<String>,
}

/// The writes, as the server receives them: every tenant named by a validated id, or (where a
/// person may type one) a validated id or verified domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinWrite {
    CreateMto {
        name: String,
        description: String,
    },
    UpdateMto {
        name: String,
        description: String,
    },
    /// `name` is filled in by the server from the tenant's lookup.
    AddTenant {
        target: TenantRef,
        name: String,
    },
    ChangeRole {
        target: TenantId,
        role: MemberRole,
    },
    RemoveTenant {
        target: TenantId,
    },
    Approve {
        owner: TenantRef,
    },
    Decline {
        owner: TenantId,
    },
    ResetAndRetry {
        owner: TenantId,
    },
    Leave,
}

impl JoinWrite {
    /// The audit log's name for it.
    pub fn action(&self) -> AuditAction {
        match self {
            Self::CreateMto { .. } => AuditAction::CreateMto,
            Self::UpdateMto { .. } => AuditAction::UpdateMto,
            Self::AddTenant { .. } => AuditAction::AddTenant,
            Self::ChangeRole { .. } => AuditAction::ChangeRole,
            Self::RemoveTenant { .. } => AuditAction::RemoveTenant,
            Self::Approve { .. } => AuditAction::ApproveJoin,
            Self::Decline { .. } => AuditAction::DeclineJoin,
            Self::ResetAndRetry { .. } => AuditAction::ResetJoin,
            Self::Leave => AuditAction::LeaveMto,
        }
    }
}

/// `owner` or `member`; 400 for anything else.
pub fn member_role(text: &str) -> Result<MemberRole, ApiError> {
    match MemberRole::parse(text.trim()) {
        MemberRole::Unknown(other) => Err(ApiError::BadRequest(format!(
            "\"{other}\" is not a role; use owner or member."
        ))),
        role => Ok(role),
    }
}
