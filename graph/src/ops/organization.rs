//! The tenant and its audit log: `/organization` (microsoftgraph/microsoft-graph-docs-contrib
//! `api-reference/v1.0/api/organization-list.md`), `/domains` (`…/domain-list.md`),
//! `/subscribedSkus` (`…/subscribedsku-list.md`) and `/auditLogs/directoryAudits`
//! (`…/directoryaudit-list.md`).

use crate::directory::{DirectoryAudit, DomainInfo, Organization, SubscribedSku};
use crate::ids::ObjectId;
use crate::request::{encode_query_value, odata_string, query, Collection, Op};

/// The signed-in tenant (a collection of one).
pub fn organization() -> Op<Collection<Organization>> {
    Op::get("/organization")
}

/// The tenant's domains.
pub fn domains() -> Op<Collection<DomainInfo>> {
    Op::get("/domains")
}

/// The tenant's commercial subscriptions (licences such as `AAD_PREMIUM`).
pub fn subscribed_skus() -> Op<Collection<SubscribedSku>> {
    Op::get("/subscribedSkus")
}

/// Directory audit entries, newest first, `top` per page, optionally only those of `category`
/// since `since` (an RFC 3339 time, compared with `ge`).
pub fn directory_audits(
    category: Option<&str>,
    since: Option<&str>,
    top: usize,
) -> Op<Collection<DirectoryAudit>> {
    let mut clauses = Vec::new();
    if let Some(category) = category {
        clauses.push(format!("category eq {}", odata_string(category)));
    }
    if let Some(since) = since {
        // An RFC 3339 timestamp is an OData DateTimeOffset literal as it stands (no quotes);
        // anything else goes in quotes so it cannot leave the clause.
        let literal = if is_timestamp(since) {
            since.to_owned()
        } else {
            odata_string(since)
        };
        clauses.push(format!("activityDateTime ge {literal}"));
    }
    let top = top.to_string();
    let mut path = format!("/auditLogs/directoryAudits?{}", query(&[("$top", &top)]));
    if !clauses.is_empty() {
        path.push_str(&format!(
            "&$filter={}",
            encode_query_value(&clauses.join(" and "))
        ));
    }
    Op::get(path)
}

/// Directory audit entries initiated by one user (`initiatedBy/user/id eq '…'`, the second
/// example of `api-reference/v1.0/api/directoryaudit-list.md`).
pub fn directory_audits_by_user(user: &ObjectId) -> Op<Collection<DirectoryAudit>> {
    let filter = format!("initiatedBy/user/id eq {}", odata_string(user.as_str()));
    Op::get(format!(
        "/auditLogs/directoryAudits?$filter={}",
        encode_query_value(&filter)
    ))
}

fn is_timestamp(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | 'Z' | '.' | '+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_queries_are_encoded_filters() {
        let op = directory_audits(
            Some("CrossTenantAccessSettings"),
            Some("2026-09-01T00:00:00Z"),
            50,
        );
        assert_eq!(
            op.path(),
            "/auditLogs/directoryAudits?$top=50&$filter=category%20eq%20'CrossTenantAccessSettings'%20and%20activityDateTime%20ge%202026-09-01T00:00:00Z"
        );
        let hostile = directory_audits(None, Some("x' or 1 eq 1"), 5);
        assert!(hostile.path().contains("%20ge%20'x''%20or"));
        assert_eq!(organization().path(), "/organization");
        assert_eq!(subscribed_skus().path(), "/subscribedSkus");
        assert_eq!(domains().path(), "/domains");
    }
}
