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
        clauses.push(format!("activityDateTime ge {}", date_literal(since)));
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

/// Directory audit entries of any of `categories` (none: every category), **oldest first**, from
/// `since` on (an RFC 3339 time, `ge`), `top` per page: what is new since the last reading, read
/// in the order it happened so that a reading cut short leaves no gap. `activityDateTime` takes
/// `ge`, `le` and `$orderby` (`api-reference/v1.0/resources/directoryaudit.md`); categories are
/// joined with `or` in parentheses (`concepts/filter-query-parameter.md`, "Conditional operators").
pub fn directory_audits_since(
    categories: &[&str],
    since: Option<&str>,
    top: usize,
) -> Op<Collection<DirectoryAudit>> {
    let mut clauses = Vec::new();
    if !categories.is_empty() {
        let any: Vec<String> = categories
            .iter()
            .map(|c| format!("category eq {}", odata_string(c)))
            .collect();
        clauses.push(format!("({})", any.join(" or ")));
    }
    if let Some(since) = since {
        clauses.push(format!("activityDateTime ge {}", date_literal(since)));
    }
    let top = top.to_string();
    let mut path = format!(
        "/auditLogs/directoryAudits?{}",
        query(&[("$top", &top), ("$orderby", "activityDateTime asc")])
    );
    if !clauses.is_empty() {
        path.push_str(&format!(
            "&$filter={}",
            encode_query_value(&clauses.join(" and "))
        ));
    }
    Op::get(path)
}

/// An RFC 3339 timestamp as an OData DateTimeOffset literal as it stands (no quotes); anything
/// else goes in quotes so it cannot leave the clause.
fn date_literal(text: &str) -> String {
    if is_timestamp(text) {
        text.to_owned()
    } else {
        odata_string(text)
    }
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
        let since = directory_audits_since(
            &["MultiTenantOrg", "CrossTenantAccessSettings"],
            Some("2026-09-01T00:00:00Z"),
            500,
        );
        assert_eq!(
            since.path(),
            "/auditLogs/directoryAudits?$top=500&$orderby=activityDateTime%20asc&$filter=(category%20eq%20'MultiTenantOrg'%20or%20category%20eq%20'CrossTenantAccessSettings')%20and%20activityDateTime%20ge%202026-09-01T00:00:00Z"
        );
        assert_eq!(
            directory_audits_since(&[], None, 10).path(),
            "/auditLogs/directoryAudits?$top=10&$orderby=activityDateTime%20asc"
        );
        let hostile = directory_audits_since(&["x') or (1 eq 1"], Some("y' or 1 eq 1"), 5);
        assert!(
            hostile.path().contains("'x'')%20or%20(1%20eq%201'"),
            "{}",
            hostile.path()
        );
        assert!(
            hostile.path().contains("%20ge%20'y''%20or"),
            "{}",
            hostile.path()
        );
        assert_eq!(organization().path(), "/organization");
        assert_eq!(subscribed_skus().path(), "/subscribedSkus");
        assert_eq!(domains().path(), "/domains");
    }
}
