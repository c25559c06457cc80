//! `user` (only the properties the dashboard selects) and `tenantInformation`
//! (graph-api.md §7).

use serde::{Deserialize, Serialize};

/// The `$select` that [`User`] reads: what segmentation and the user list need, nothing more.
pub const USER_SELECT: &str =
    "id,displayName,userPrincipalName,mail,userType,creationType,showInAddressList";

/// A user with the properties of [`USER_SELECT`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// `null` for work accounts, `Invitation` for B2B users.
    pub creation_type: Option<String>,
    /// Unset means shown.
    pub show_in_address_list: Option<bool>,
}

/// What `findTenantInformationByDomainName` / `…ByTenantId` return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInformation {
    pub tenant_id: String,
    pub display_name: Option<String>,
    pub default_domain_name: Option<String>,
    pub federation_brand_name: Option<String>,
}
