//! `user` (only the properties the dashboard selects), `objectIdentity` and `tenantInformation`
//! (Microsoft Graph v1.0, `api-reference/v1.0/resources/user.md`, `…/resources/objectidentity.md`,
//! `…/resources/tenantinformation.md`).

use serde::{Deserialize, Serialize};

use crate::macros::graph_enum;

graph_enum! {
    /// `user.userType`.
    UserType { Member = "Member", Guest = "Guest" }
}

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
    pub user_type: Option<UserType>,
    /// `null` for work accounts, `Invitation` for B2B users.
    pub creation_type: Option<String>,
    /// Unset means shown.
    pub show_in_address_list: Option<bool>,
}

/// `objectIdentity`: one identity a user signs in with (Microsoft Graph v1.0,
/// `api-reference/v1.0/resources/objectidentity.md`), an element of `user.identities`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectIdentity {
    /// `userPrincipalName`, `federated`, `emailAddress`, `userName`, or a custom string.
    pub sign_in_type: Option<String>,
    /// The tenant's domain for its own accounts; the identity provider otherwise.
    pub issuer: Option<String>,
    /// The identifier the issuer gives the user (the UPN for `userPrincipalName`).
    pub issuer_assigned_id: Option<String>,
}

/// What `findTenantInformationByDomainName` / `…ByTenantId` return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInformation {
    pub tenant_id: crate::TenantId,
    pub display_name: Option<String>,
    pub default_domain_name: Option<String>,
    pub federation_brand_name: Option<String>,
}

/// A `directoryRole` the signed-in user holds (only what the dashboard reads of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryRole {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub role_template_id: Option<String>,
}
