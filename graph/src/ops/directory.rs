//! Users and tenant information: `/users` (Microsoft Graph v1.0, `api-reference/v1.0/api/user-list.md`)
//! and `findTenantInformationByTenantId` / `…ByDomainName`
//! (`api-reference/v1.0/api/tenantrelationship-findtenantinformationbytenantid.md`, `…bydomainname.md`).

use crate::ids::TenantRef;
use crate::request::{
    encode_query_value, odata_string, query, Collection, Op, CONSISTENCY_EVENTUAL,
};
use crate::users::{DirectoryRole, TenantInformation, User, USER_SELECT};

/// A tenant's name and default domain, by id or verified domain (404 when there is none).
pub fn find_tenant(tenant: &TenantRef) -> Op<TenantInformation> {
    // Both arguments are validated identifiers (a GUID, or a DNS name of letters, digits, dots and
    // hyphens): nothing in them can end the quoted literal or the path segment.
    let path = match tenant {
        TenantRef::Id(id) => format!(
            "/tenantRelationships/findTenantInformationByTenantId(tenantId={})",
            odata_string(id.as_str())
        ),
        TenantRef::Domain(domain) => format!(
            "/tenantRelationships/findTenantInformationByDomainName(domainName={})",
            odata_string(domain.as_str())
        ),
    };
    Op::get(path)
}

/// Every user with the properties of [`USER_SELECT`], `per_page` at a time, with the total count.
pub fn all_users(per_page: usize) -> Op<Collection<User>> {
    let per_page = per_page.to_string();
    Op::get(format!(
        "/users?{}",
        query(&[
            ("$select", USER_SELECT),
            ("$top", &per_page),
            ("$count", "true")
        ])
    ))
    .header(CONSISTENCY_EVENTUAL)
}

/// Users whose display name or UPN starts with `text` (at most `top`).
pub fn search_users(text: &str, top: usize) -> Op<Collection<User>> {
    let literal = odata_string(text);
    let filter =
        format!("startswith(displayName,{literal}) or startswith(userPrincipalName,{literal})");
    Op::get(format!(
        "/users?$filter={}&{}",
        encode_query_value(&filter),
        query(&[("$select", USER_SELECT), ("$top", &top.to_string())])
    ))
}

/// The directory roles the signed-in user holds, also through groups
/// (`api-reference/v1.0/api/user-list-transitivememberof.md`, cast to `directoryRole`).
pub fn my_directory_roles() -> Op<Collection<DirectoryRole>> {
    Op::get("/me/transitiveMemberOf/microsoft.graph.directoryRole")
}
