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

/// The `$select` of [`UserDetail`]: what a diagnosis of one person reads of them
/// (`api-reference/v1.0/resources/user.md`; `createdDateTime`, `showInAddressList`,
/// `externalUserState` and `companyName` are returned only when selected).
pub const USER_DETAIL_SELECT: &str = "id,displayName,userPrincipalName,mail,userType,creationType,externalUserState,accountEnabled,showInAddressList,createdDateTime,companyName,department,jobTitle,country,employeeId";

/// One user with the properties of [`USER_DETAIL_SELECT`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDetail {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub user_type: Option<UserType>,
    /// `null` for work accounts, `Invitation` for B2B users.
    pub creation_type: Option<String>,
    /// `PendingAcceptance` or `Accepted` for B2B users, `null` otherwise.
    pub external_user_state: Option<String>,
    pub account_enabled: Option<bool>,
    /// Unset means shown.
    pub show_in_address_list: Option<bool>,
    pub created_date_time: Option<String>,
    pub company_name: Option<String>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub country: Option<String>,
    pub employee_id: Option<String>,
}

impl UserDetail {
    /// A user of the tenant itself (no B2B invitation behind it).
    pub fn is_internal(&self) -> bool {
        self.creation_type.is_none()
    }

    /// The value a property of [`USER_DETAIL_SELECT`] has, as the provisioning service's scoping
    /// filters compare it (`crate::sync::attribute_text`); `None` for a property it does not hold.
    pub fn attribute(&self, name: &str) -> Option<String> {
        let text = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        match name {
            "id" | "objectId" => Some(self.id.clone()),
            "displayName" => text(&self.display_name),
            "userPrincipalName" => text(&self.user_principal_name),
            "mail" => text(&self.mail),
            "userType" => self.user_type.as_ref().map(|t| t.as_str().to_owned()),
            "creationType" => text(&self.creation_type),
            "accountEnabled" => self.account_enabled.map(crate::sync::bool_text),
            "showInAddressList" => self.show_in_address_list.map(crate::sync::bool_text),
            "companyName" => text(&self.company_name),
            "department" => text(&self.department),
            "jobTitle" => text(&self.job_title),
            "country" => text(&self.country),
            "employeeId" => text(&self.employee_id),
            _ => None,
        }
    }

    /// Whether [`attribute`](Self::attribute) knows `name` (it was selected).
    pub fn holds(name: &str) -> bool {
        name == "objectId" || USER_DETAIL_SELECT.split(',').any(|p| p == name)
    }
}

/// A deleted user as `/directory/deletedItems/microsoft.graph.user` lists it: the user's
/// properties and when it was deleted (`api-reference/v1.0/api/directory-deleteditems-list.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedUser {
    #[serde(flatten)]
    pub user: UserDetail,
    pub deleted_date_time: Option<String>,
}

/// A group as a membership list names it (`id`, `displayName`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRef {
    pub id: String,
    pub display_name: Option<String>,
}

/// `orgContact`: a mail contact of the organization (`api-reference/v1.0/resources/orgcontact.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgContact {
    pub id: String,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub company_name: Option<String>,
}

graph_enum! {
    /// `authenticationMethodSignInState`: whether a phone can be used for SMS sign-in
    /// (`api-reference/v1.0/resources/phoneauthenticationmethod.md`).
    SmsSignInState {
        NotSupported = "notSupported",
        NotAllowedByPolicy = "notAllowedByPolicy",
        NotEnabled = "notEnabled",
        PhoneNumberNotUnique = "phoneNumberNotUnique",
        Ready = "ready",
        NotConfigured = "notConfigured",
    }
}

graph_enum! {
    /// `authenticationPhoneType`.
    PhoneType { Mobile = "mobile", AlternateMobile = "alternateMobile", Office = "office" }
}

/// `phoneAuthenticationMethod` (`api-reference/v1.0/resources/phoneauthenticationmethod.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneMethod {
    pub id: String,
    pub phone_number: Option<String>,
    pub phone_type: Option<PhoneType>,
    pub sms_sign_in_state: Option<SmsSignInState>,
}

impl PhoneMethod {
    /// Ready for SMS sign-in: such users are skipped by cross-tenant sync.
    pub fn sms_sign_in(&self) -> bool {
        self.sms_sign_in_state == Some(SmsSignInState::Ready)
    }
}
