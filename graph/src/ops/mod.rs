//! Every Graph operation the dashboard makes, as a function from typed values to an [`Op`]: the
//! paths, queries and bodies of Microsoft Graph v1.0 live here and nowhere else. Path segments
//! come from validated identifiers (GUIDs, DNS names, job ids), free text only ever goes into a
//! quoted OData literal inside an encoded query value.
//!
//! [`Op`]: crate::request::Op

pub mod directory;
pub mod mto;
pub mod organization;
pub mod people;
pub mod policies;
pub mod sync;

#[cfg(test)]
mod tests {
    use crate::ids::{Domain, JobId, ObjectId, TenantId, TenantRef};
    use crate::request::Method;

    fn tenant() -> TenantId {
        "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11".parse().unwrap()
    }

    #[test]
    fn mto_operations_use_the_documented_paths() {
        let owner = tenant();
        let join = super::mto::join(&owner);
        assert_eq!(
            (join.method(), join.path()),
            (
                Method::Patch,
                "/tenantRelationships/multiTenantOrganization/joinRequest"
            )
        );
        assert_eq!(
            join.request().body,
            Some(serde_json::json!({"addedByTenantId": owner.as_str()}))
        );
        let reset = super::mto::reset_join();
        assert_eq!(
            reset.request().body,
            Some(serde_json::json!({"addedByTenantId": TenantId::ZERO}))
        );
        let remove = super::mto::remove_member(&owner);
        assert_eq!(
            (remove.method(), remove.path()),
            (
                Method::Delete,
                "/tenantRelationships/multiTenantOrganization/tenants/2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11"
            )
        );
    }

    #[test]
    fn tenant_lookups_quote_their_argument() {
        let domain: Domain = "fabrikam.com".parse().unwrap();
        assert_eq!(
            super::directory::find_tenant(&TenantRef::Domain(domain)).path(),
            "/tenantRelationships/findTenantInformationByDomainName(domainName='fabrikam.com')"
        );
        assert_eq!(
            super::directory::find_tenant(&TenantRef::Id(tenant())).path(),
            "/tenantRelationships/findTenantInformationByTenantId(tenantId='2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11')"
        );
    }

    #[test]
    fn sync_operations_address_one_job() {
        let sp: ObjectId = "8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1".parse().unwrap();
        let job: JobId = "Azure2Azure.abc.def".parse().unwrap();
        assert_eq!(
            super::sync::start_job(&sp, &job).path(),
            "/servicePrincipals/8b3b3e0a-4c3b-4c52-b1d7-e2f5a9c1d0e1/synchronization/jobs/Azure2Azure.abc.def/start"
        );
        let log = super::sync::provisioning_log(
            &job,
            Some(&crate::sync::ProvisioningResult::Failure),
            50,
        );
        assert_eq!(
            log.path(),
            "/auditLogs/provisioning?$filter=jobId%20eq%20'Azure2Azure.abc.def'%20and%20provisioningStatusInfo/status%20eq%20'failure'&$top=50"
        );
        assert_eq!(
            super::sync::group_provisioning_log(&job, 100).path(),
            "/auditLogs/provisioning?$filter=jobId%20eq%20'Azure2Azure.abc.def'%20and%20sourceIdentity/identityType%20eq%20'Group'&$top=100"
        );
    }

    #[test]
    fn search_text_stays_inside_its_literal() {
        let op = super::directory::search_users("O'Brien & co#1", 25);
        let path = op.path();
        assert!(
            path.contains("startswith(displayName,'O''Brien%20%26%20co%231')"),
            "{path}"
        );
        assert_eq!(
            path.matches('&').count(),
            2,
            "only the three parameters are separated: {path}"
        );
        assert!(!path.contains('#'));
    }
}
