//! `GET /auditLogs/provisioning` (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/provisioningobjectsummary-list.md` and
//! `api-reference/v1.0/resources/provisioningobjectsummary.md`): newest first, `$filter` clauses
//! joined with `and` (case-sensitive, as Graph's are), `$top`, opaque `$skiptoken` paging.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use graph::sync::ProvisioningEntry;

use super::auth::LOG_READ_ROLES;
use super::{odata, paging, Caller};
use crate::error::GraphError;
use crate::EmulatorState;

const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 1000;

/// One comparison: a property path, an operator and a literal.
#[derive(Debug, PartialEq)]
pub struct Comparison {
    pub property: String,
    pub operator: String,
    pub value: String,
}

fn unsupported(filter: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        format!("Invalid filter clause: '{filter}'."),
    )
}

const PROPERTIES: &[&str] = &[
    "jobId",
    "cycleId",
    "changeId",
    "provisioningAction",
    "provisioningStatusInfo/status",
    "servicePrincipal/id",
    "servicePrincipal/displayName",
    "sourceIdentity/id",
    "sourceIdentity/displayName",
    "targetIdentity/id",
    "targetIdentity/displayName",
    "activityDateTime",
];

/// Parses `jobId eq 'x' and activityDateTime gt 2026-01-01 and contains(sourceIdentity/displayName,'Ad')`.
pub fn parse_filter(filter: &str) -> Result<Vec<Comparison>, GraphError> {
    filter
        .split(" and ")
        .map(|clause| {
            let clause = clause.trim();
            let (property, operator, value) = if let Some(args) = clause
                .strip_prefix("contains(")
                .and_then(|c| c.strip_suffix(')'))
            {
                let (property, value) = args.split_once(',').ok_or_else(|| unsupported(filter))?;
                (property.trim(), "contains", value.trim())
            } else {
                let mut parts = clause.splitn(3, ' ');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(p), Some(op), Some(v))
                        if matches!(op, "eq" | "gt" | "ge" | "lt" | "le") =>
                    {
                        (p, op, v.trim())
                    }
                    _ => return Err(unsupported(filter)),
                }
            };
            if !PROPERTIES.contains(&property) {
                return Err(unsupported(filter));
            }
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            if property != "activityDateTime" && operator != "eq" && operator != "contains" {
                return Err(unsupported(filter));
            }
            Ok(Comparison {
                property: property.to_owned(),
                operator: operator.to_owned(),
                value: value.to_owned(),
            })
        })
        .collect()
}

fn property<'a>(entry: &'a ProvisioningEntry, path: &str) -> Option<&'a str> {
    let party = |p: &'a Option<graph::sync::ProvisioningParty>, id: bool| {
        p.as_ref().and_then(|p| {
            if id {
                p.id.as_deref()
            } else {
                p.display_name.as_deref()
            }
        })
    };
    match path {
        "jobId" => entry.job_id.as_deref(),
        "cycleId" => entry.cycle_id.as_deref(),
        "changeId" => entry.change_id.as_deref(),
        "provisioningAction" => Some(entry.provisioning_action.as_str()),
        "provisioningStatusInfo/status" => entry
            .provisioning_status_info
            .as_ref()
            .map(|s| s.status.as_str()),
        "servicePrincipal/id" => party(&entry.service_principal, true),
        "servicePrincipal/displayName" => party(&entry.service_principal, false),
        "sourceIdentity/id" => party(&entry.source_identity, true),
        "sourceIdentity/displayName" => party(&entry.source_identity, false),
        "targetIdentity/id" => party(&entry.target_identity, true),
        "targetIdentity/displayName" => party(&entry.target_identity, false),
        "activityDateTime" => Some(&entry.activity_date_time),
        _ => None,
    }
}

/// Case-sensitive, as Graph's provisioning filters are. Dates compare as RFC 3339 text, which
/// orders correctly for the UTC `Z` form Graph uses (a bare date compares as its midnight).
pub fn matches(entry: &ProvisioningEntry, comparisons: &[Comparison]) -> bool {
    comparisons.iter().all(|c| {
        let Some(actual) = property(entry, &c.property) else {
            return false;
        };
        match c.operator.as_str() {
            "eq" => actual == c.value,
            "contains" => actual.contains(&c.value),
            "gt" => actual > c.value.as_str(),
            "ge" => actual >= c.value.as_str(),
            "lt" => actual < c.value.as_str(),
            _ => actual <= c.value.as_str(),
        }
    })
}

pub async fn list(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    // Both permissions are needed (the Permissions section of
    // `microsoftgraph/microsoft-graph-docs-contrib`
    // `api-reference/v1.0/api/provisioningobjectsummary-list.md`).
    caller.require_any(&["AuditLog.Read.All"], &["AuditLog.Read.All"])?;
    caller.require_any(&["Directory.Read.All"], &["Directory.Read.All"])?;
    caller.require_role(LOG_READ_ROLES)?;
    let top = paging::page_size(&query, DEFAULT_PAGE, MAX_PAGE)?;
    let oldest_first = match query.get("$orderby").map(|o| o.trim()) {
        None | Some("activityDateTime desc") => false,
        Some("activityDateTime asc" | "activityDateTime") => true,
        Some(other) => {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                format!("Unsupported $orderby: '{other}'."),
            ))
        }
    };
    let comparisons = match query.get("$filter") {
        Some(filter) => parse_filter(filter)?,
        None => Vec::new(),
    };
    let offset = paging::offset(&query)?;
    let world = state.world_now();
    let log = world
        .provisioning
        .get(&caller.tenant_id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let ordered: Box<dyn Iterator<Item = &ProvisioningEntry>> = if oldest_first {
        Box::new(log.iter())
    } else {
        Box::new(log.iter().rev())
    };
    let (page, more) = paging::page_of(ordered.filter(|e| matches(e, &comparisons)), offset, top);
    let next_link = more.then(|| {
        paging::next_link(
            &state.base_url(&parts),
            "/v1.0/auditLogs/provisioning",
            &query,
            offset + page.len(),
        )
    });
    let body = graph::Collection {
        next_link,
        ..odata::collection("auditLogs/provisioning", page)
    };
    Ok(Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_into_comparisons() {
        let parsed =
            parse_filter("jobId eq 'Azure2Azure.x' and activityDateTime gt 2026-11-01").unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[1].operator, "gt");
        assert_eq!(parsed[1].value, "2026-11-01");
        assert!(parse_filter("contains(sourceIdentity/displayName,'Adele')").is_ok());
        assert!(parse_filter("jobId gt 'x'").is_err(), "ordering on ids");
        assert!(parse_filter("secret eq 'x'").is_err());
    }
}
