//! What a diagnosis read, as the server gathered it: each Graph read with the tenant it was made
//! in, the request as sent, and its answer or why it could not be had. The engine
//! ([`super::engine`]) turns it into the checklist; nothing here talks to Graph.

use graph::mto::MtoMember;
use graph::policies::{DefaultConfiguration, PartnerConfiguration};
use graph::roles::ReadArea;
use graph::sync::{AppRoleAssignment, ProvisioningEntry, ServicePrincipal, SyncJob, SyncSchema};
use graph::users::{DeletedUser, GroupRef, OrgContact, PhoneMethod, UserDetail};

/// Why a read gave nothing to go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// The session has no sign-in to the tenant.
    NotSignedIn,
    /// Graph refused: the signed-in role may not read this (the roles that may are the area's).
    Role(ReadArea),
    /// Graph or the network failed (throttling, outage, a missing object).
    Failed(String),
}

/// One Graph read: where it was made, what was sent, what came back.
#[derive(Debug, Clone, PartialEq)]
pub struct Read<T> {
    pub tenant_id: String,
    /// Method and path as sent, e.g. `GET /users/…?$select=…`.
    pub request: String,
    pub result: Result<T, Unreadable>,
}

impl<T> Read<T> {
    pub fn new(tenant_id: &str, request: impl Into<String>, result: Result<T, Unreadable>) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            request: request.into(),
            result,
        }
    }

    /// A read that could not be made (e.g. not signed in), without a request sent.
    pub fn not_made(tenant_id: &str, request: impl Into<String>, why: Unreadable) -> Self {
        Self::new(tenant_id, request, Err(why))
    }

    pub fn value(&self) -> Option<&T> {
        self.result.as_ref().ok()
    }

    pub fn error(&self) -> Option<&Unreadable> {
        self.result.as_ref().err()
    }
}

/// A tenant by id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub name: String,
}

/// The source's cross-tenant sync configuration to the target, as far as it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    pub service_principal: ServicePrincipal,
    /// The configuration's job (cross-tenant sync has one); `None` when it has none.
    pub jobs: Read<Vec<SyncJob>>,
    /// The `SyncAll` secret ("sync all users" rather than assigned ones).
    pub sync_all: Read<bool>,
    pub assignments: Read<Vec<AppRoleAssignment>>,
    /// The job's schema (scoping filter, `userType` mapping); `None` without a job.
    pub schema: Option<Read<SyncSchema>>,
    /// Each assigned group the person is in only through nesting, with the groups nested directly
    /// in it.
    pub nested: Vec<(GroupRef, Read<Vec<GroupRef>>)>,
    /// The person's values of scoping-filter attributes the user read did not include.
    pub more_attributes: Option<Read<serde_json::Map<String, serde_json::Value>>>,
}

impl Configuration {
    pub fn job(&self) -> Option<&SyncJob> {
        self.jobs.value().and_then(|jobs| jobs.first())
    }
}

/// Everything a diagnosis of `user` (of `source`) for `target` read.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Unix seconds.
    pub now: i64,
    pub source: Tenant,
    pub target: Tenant,
    /// The person's object id in the source tenant (what the diagnosis was asked for).
    pub user_id: String,
    /// The person, in the source tenant.
    pub user: Read<UserDetail>,
    /// The person who cannot find them, in the target, when given.
    pub viewer: Option<Read<UserDetail>>,
    pub direct_groups: Read<Vec<GroupRef>>,
    pub transitive_groups: Read<Vec<GroupRef>>,
    pub phones: Read<Vec<PhoneMethod>>,
    /// The source's cross-tenant sync configurations (service principals of the template).
    pub configurations: Read<Vec<ServicePrincipal>>,
    /// The one to the target, when there is one (and it could be told).
    pub configuration: Option<Configuration>,
    /// The newest provisioning log entries about the person (of the configuration's job);
    /// `None` when there was no job to read it for.
    pub log: Option<Read<Vec<ProvisioningEntry>>>,
    /// Users of the target with the person's mail, and the one the log names.
    pub target_users: Read<Vec<UserDetail>>,
    /// Deleted users of the target with the person's mail.
    pub deleted: Read<Vec<DeletedUser>>,
    /// Organizational contacts of the target with the person's mail.
    pub contacts: Read<Vec<OrgContact>>,
    pub source_partners: Read<Vec<PartnerConfiguration>>,
    pub source_default: Read<DefaultConfiguration>,
    pub target_partners: Read<Vec<PartnerConfiguration>>,
    pub target_default: Read<DefaultConfiguration>,
    /// The MTO's tenants as the source reads them; `None` when it is in no MTO (404).
    pub source_members: Read<Option<Vec<MtoMember>>>,
    pub target_members: Read<Option<Vec<MtoMember>>>,
}
