//! Who is signed in to which tenant, for the header and the sign-in page.

use serde::{Deserialize, Serialize};

/// One tenant this browser session is signed in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInTenant {
    pub tenant_id: String,
    /// Display name when known, else the tenant id.
    pub tenant_name: String,
    pub username: String,
    pub display_name: String,
    /// Directory role names Tenant Mesh recognises, e.g. "Global Administrator".
    pub roles: Vec<String>,
    pub can_manage: bool,
    pub can_operate_sync: bool,
    /// The tokens could not be renewed: sign in to this tenant again.
    pub needs_sign_in: bool,
}

/// A tenant offered on the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantChoice {
    pub tenant_id: String,
    pub display_name: String,
    pub domain: String,
}
