//! A snapshot: every readable tenant's MTO configuration at one moment, in the JSON shape Graph
//! gives it (camelCase fields, Microsoft Graph v1.0 resource names), keyed by ids so that two
//! snapshots compare object by object. Serialized with sorted keys (`serde_json` maps are
//! ordered), so an export is stable and reviews well in git. Secrets are never read: a sync
//! configuration's target tenant comes from its service principal, not from its secrets.
//!
//! A part that could not be read is `null` (unknown), never an empty map (none): a comparison
//! skips what one side does not know.

use std::collections::BTreeMap;

use graph::mto::{MemberRole, MemberState, MtoState};
use graph::policies::{
    IdentitySyncPolicy, IdentitySyncPolicyTemplate, PartnerConfiguration,
    PartnerConfigurationTemplate,
};
use graph::sync::{PrincipalType, Schedule, SyncRule};
use serde::{Deserialize, Serialize};

use super::{Origin, SnapshotInfo};

/// The `format` of snapshots this build writes and reads.
pub const FORMAT: &str = "tenant-mesh/snapshot@1";

/// The largest snapshot accepted for import, in bytes (100 tenants with every pair configured
/// come to about 6 MB).
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    pub format: String,
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub taken_by: String,
    pub origin: Origin,
    /// Keyed by tenant id.
    pub tenants: BTreeMap<String, TenantConfig>,
}

/// One tenant's MTO configuration, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantConfig {
    pub display_name: String,
    /// The sign-in or credential it was read with ("delegated: alex@contoso.com (Security
    /// Reader)", "monitor (app-only)").
    pub read_by: String,
    /// The tenant's MTO (`None`: not read; `Some` with state `None`: the tenant is in no MTO).
    pub organization: Option<OrganizationConfig>,
    /// Member tenants by tenant id.
    pub members: Option<BTreeMap<String, MemberConfig>>,
    pub partner_template: Option<PartnerConfigurationTemplate>,
    pub identity_sync_template: Option<IdentitySyncPolicyTemplate>,
    /// Partner configurations by partner tenant id, without their identity sync policy (which is
    /// in `identity_sync`).
    pub partners: Option<BTreeMap<String, PartnerConfiguration>>,
    /// Identity sync policies by partner tenant id.
    pub identity_sync: Option<BTreeMap<String, IdentitySyncPolicy>>,
    /// Cross-tenant sync configurations by service principal id.
    pub sync_configurations: Option<BTreeMap<String, SyncConfiguration>>,
    /// Parts that could not be read, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationConfig {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub state: Option<MtoState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberConfig {
    pub display_name: Option<String>,
    pub role: Option<MemberRole>,
    pub state: Option<MemberState>,
}

/// A cross-tenant sync configuration (the service principal of the gallery app) in its source
/// tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncConfiguration {
    pub display_name: Option<String>,
    /// The target tenant, where the service principal names it.
    pub target_tenant_id: Option<String>,
    /// Jobs by job id (`None`: the role may not read them).
    pub jobs: Option<BTreeMap<String, JobConfig>>,
    /// Users and groups assigned (the scope), by principal id.
    pub assignments: Option<BTreeMap<String, AssignmentConfig>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobConfig {
    pub template_id: String,
    pub schedule: Schedule,
    /// The schema's rules: object mappings, their scoping filters and attribute mappings (`None`:
    /// not read). The schema's id and version are left out: Graph increments the version on every
    /// save.
    pub rules: Option<Vec<SyncRule>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignmentConfig {
    pub principal_display_name: Option<String>,
    pub principal_type: Option<PrincipalType>,
    pub app_role_id: String,
    /// The assignment's id (needed to remove it).
    pub id: String,
}

/// Why an upload is not a snapshot this build can compare.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The file is larger than {max} bytes.", max = MAX_IMPORT_BYTES)]
    TooLarge,
    #[error("The file is not a Tenant Mesh snapshot: {0}")]
    NotSnapshot(String),
    #[error("The snapshot's format is {found:?}; this version reads {expected:?}.", expected = FORMAT)]
    Format { found: String },
    #[error("The snapshot names {0:?} as a tenant id, which is not one.")]
    TenantId(String),
}

impl Snapshot {
    pub fn new(taken_at: String, taken_by: String, origin: Origin) -> Self {
        Self {
            format: FORMAT.to_owned(),
            taken_at,
            taken_by,
            origin,
            tenants: BTreeMap::new(),
        }
    }

    /// The export: pretty JSON with sorted keys and a final newline; the same snapshot always
    /// gives the same bytes.
    pub fn to_json(&self) -> String {
        // Through `Value`: its maps are sorted, so struct fields come out sorted too.
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads an export (or a file edited in review), checking its format and tenant ids.
    pub fn from_json(text: &str) -> Result<Self, ImportError> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(ImportError::TooLarge);
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ImportError::NotSnapshot(e.to_string()))?;
        let found = value
            .get("format")
            .and_then(|f| f.as_str())
            .unwrap_or_default();
        if found != FORMAT {
            return Err(ImportError::Format {
                found: found.to_owned(),
            });
        }
        let snapshot: Self =
            serde_json::from_value(value).map_err(|e| ImportError::NotSnapshot(e.to_string()))?;
        if let Some(bad) = snapshot
            .tenants
            .keys()
            .find(|id| id.parse::<graph::TenantId>().is_err())
        {
            return Err(ImportError::TenantId(bad.clone()));
        }
        Ok(snapshot)
    }

    /// Configuration objects held: organizations, members, templates, partners, identity sync
    /// policies, sync configurations and assignments.
    pub fn objects(&self) -> usize {
        self.tenants
            .values()
            .map(|t| {
                usize::from(t.organization.is_some())
                    + t.members.as_ref().map_or(0, BTreeMap::len)
                    + usize::from(t.partner_template.is_some())
                    + usize::from(t.identity_sync_template.is_some())
                    + t.partners.as_ref().map_or(0, BTreeMap::len)
                    + t.identity_sync.as_ref().map_or(0, BTreeMap::len)
                    + t.sync_configurations.as_ref().map_or(0, |c| {
                        c.len()
                            + c.values()
                                .map(|s| s.assignments.as_ref().map_or(0, BTreeMap::len))
                                .sum::<usize>()
                    })
            })
            .sum()
    }

    /// Every tenant's unread parts, named with the tenant.
    pub fn unread(&self) -> Vec<String> {
        self.tenants
            .values()
            .flat_map(|t| {
                t.unread
                    .iter()
                    .map(move |part| format!("{}: {part}", t.display_name))
            })
            .collect()
    }

    /// How the page lists it, once stored as `id`.
    pub fn info(&self, id: i64, bytes: usize) -> SnapshotInfo {
        SnapshotInfo {
            id,
            taken_at: self.taken_at.clone(),
            taken_by: self.taken_by.clone(),
            origin: self.origin,
            tenants: self.tenants.len(),
            objects: self.objects(),
            bytes,
            unread: self.unread(),
        }
    }

    /// The same configuration, regardless of when and by whom it was taken.
    pub fn same_configuration(&self, other: &Self) -> bool {
        self.tenants == other.tenants
    }
}
