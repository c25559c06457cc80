//! The directory audit log: one layer on the Graph routes records every successful write to the
//! MTO, cross-tenant access policy and cross-tenant sync endpoints (categories and activity names
//! of MicrosoftDocs/entra-docs `docs/identity/monitoring-health/reference-audit-activities.md`, see
//! [`crate::directory_state::classify`]), and `GET /auditLogs/directoryAudits[/{id}]` reads it
//! back (microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/directoryaudit-list.md`,
//! `…/directoryaudit-get.md`, `api-reference/v1.0/resources/directoryaudit.md`): newest first,
//! `$filter`, `$top`, `$orderby` and opaque paging.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use graph::directory::{
    AuditApp, AuditInitiator, AuditUser, DirectoryAudit, ModifiedProperty, TargetResource,
};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{odata, paging, Caller};
use crate::directory_state::{classify, Activity};
use crate::error::GraphError;
use crate::scenario::{DEMO_APP_NAME, DEMO_CLIENT_ID};
use crate::EmulatorState;

/// Request bodies larger than this are not read for the audit entry (Graph writes are small).
const BODY_LIMIT: usize = 4 * 1024 * 1024;
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

/// Directory roles that may read directory audits: Reports Reader, Security Administrator and
/// Security Reader (`api-reference/v1.0/includes/rbac-for-apis/rbac-directoryaudit-apis.md`,
/// included by `api-reference/v1.0/api/directoryaudit-list.md`), and Global Reader and Global
/// Administrator, who read all audit logs (MicrosoftDocs/entra-docs
/// `docs/identity/role-based-access-control/permissions-reference.md`,
/// `microsoft.directory/auditLogs/allProperties/read`).
pub const AUDIT_READ_ROLES: &[&str] = &[
    "4a5d8f65-41da-4de4-8968-e035b65339cf",
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "5d6b6bb7-de71-4623-b4af-96380a352509",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "62e90394-69f5-4237-9190-012177145e10",
];

/// Middleware on the Graph routes: runs the request, then records an audit entry when it was a
/// successful audited write.
pub async fn record(State(state): State<EmulatorState>, request: Request, next: Next) -> Response {
    let Some(activity) = classify(request.method().as_str(), request.uri().path()) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let caller = Caller::from_request_parts(&mut parts, &state).await.ok();
    let correlation = parts
        .headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| uuid::Uuid::parse_str(v).ok())
        .unwrap_or_else(uuid::Uuid::new_v4);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    if let (true, Some(caller)) = (response.status().is_success(), caller) {
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let entry = entry(&state, &caller, &activity, &body, correlation);
        state
            .world()
            .directory_audits
            .push(&caller.tenant_id, entry);
    }
    response
}

/// Who did it: the signed-in user (with the account's name and UPN) or the app.
fn initiator(state: &EmulatorState, caller: &Caller) -> AuditInitiator {
    if caller.app_only {
        return AuditInitiator {
            user: None,
            app: Some(AuditApp {
                app_id: Some(DEMO_CLIENT_ID.into()),
                display_name: Some(DEMO_APP_NAME.into()),
                service_principal_id: Some(caller.object_id.clone()),
                service_principal_name: Some(DEMO_APP_NAME.into()),
            }),
        };
    }
    let world = state.world();
    let tenant = world.scenario.tenant(&caller.tenant_id);
    let account = tenant.and_then(|t| t.accounts.iter().find(|a| a.object_id == caller.object_id));
    AuditInitiator {
        user: Some(AuditUser {
            id: Some(caller.object_id.clone()),
            display_name: account.map(|a| a.display_name.clone()),
            user_principal_name: account.map(|a| a.upn.clone()),
            ip_address: None,
            home_tenant_id: Some(caller.tenant_id.clone()),
            home_tenant_name: tenant.map(|t| t.display_name.clone()),
        }),
        app: None,
    }
}

/// The target resource: named by the path or by a body property; the body's top-level
/// properties as modified properties (new values as JSON text, as Graph writes them).
fn target_resource(activity: &Activity, body: &Value) -> TargetResource {
    let target = &activity.target;
    let from_body = target
        .id_in_body
        .and_then(|key| body.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (id, display_name) = match (target.id_in_body, from_body) {
        (Some("displayName"), Some(name)) => (target.id.clone(), Some(name)),
        (Some(_), Some(id)) => (Some(id.clone()), target.display_name.clone().or(Some(id))),
        _ => (target.id.clone(), target.display_name.clone()),
    };
    let modified_properties = body
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(key, value)| ModifiedProperty {
                    display_name: key.clone(),
                    old_value: None,
                    new_value: Some(value.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    TargetResource {
        id,
        display_name,
        kind: Some(target.kind.into()),
        user_principal_name: None,
        group_type: None,
        modified_properties,
    }
}

fn entry(
    state: &EmulatorState,
    caller: &Caller,
    activity: &Activity,
    body: &Value,
    correlation: uuid::Uuid,
) -> DirectoryAudit {
    DirectoryAudit {
        id: uuid::Uuid::new_v4().to_string(),
        category: activity.category.into(),
        correlation_id: Some(correlation.to_string()),
        result: "success".into(),
        result_reason: Some(String::new()),
        activity_display_name: activity.name.into(),
        activity_date_time: timestamp(state.clock().now()),
        logged_by_service: Some(activity.service.into()),
        operation_type: Some(activity.operation.into()),
        initiated_by: initiator(state, caller),
        target_resources: vec![target_resource(activity, body)],
        additional_details: Vec::new(),
    }
}

/// RFC 3339 in UTC with seven fractional digits, as Graph writes audit times.
fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.nanosecond() / 100
    )
}

/// One `$filter` clause.
#[derive(Debug, Clone, PartialEq)]
enum Clause {
    /// `property op value` (`eq`, `ge`, `le`, `gt`, `lt`).
    Compare {
        property: String,
        operator: String,
        value: String,
    },
    /// `startswith(property,'value')`.
    StartsWith { property: String, value: String },
    /// `targetResources/any(t:t/id eq 'v')`, `…t/displayName eq 'v'` or
    /// `…startswith(t/displayName,'v')`.
    Target(Box<Clause>),
    /// `a or b and c`, or a parenthesised group: any of the alternatives, each clauses joined with
    /// `and` (which binds tighter than `or`; microsoftgraph/microsoft-graph-docs-contrib
    /// `concepts/filter-query-parameter.md`, "Conditional operators").
    Any(Vec<Vec<Clause>>),
}

/// Properties with `eq` (`api-reference/v1.0/resources/directoryaudit.md`; `category`,
/// `result` and `operationType` too).
const EQ_PROPERTIES: &[&str] = &[
    "id",
    "category",
    "correlationId",
    "result",
    "operationType",
    "activityDisplayName",
    "loggedByService",
    "initiatedBy/user/id",
    "initiatedBy/user/displayName",
    "initiatedBy/user/userPrincipalName",
    "initiatedBy/app/appId",
    "initiatedBy/app/displayName",
    "activityDateTime",
];
/// Properties with `startswith`.
const STARTSWITH_PROPERTIES: &[&str] =
    &["activityDisplayName", "initiatedBy/user/userPrincipalName"];

fn unsupported(filter: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        format!("Invalid filter clause: '{filter}'."),
    )
}

fn literal(value: &str) -> String {
    let value = value.trim();
    match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => value.to_owned(),
    }
}

/// `startswith(p,'v')` as (property, value).
fn starts_with(clause: &str) -> Option<(String, String)> {
    let args = clause
        .strip_prefix("startswith(")
        .or_else(|| clause.strip_prefix("startsWith("))?
        .strip_suffix(')')?;
    let (property, value) = args.split_once(',')?;
    Some((property.trim().to_owned(), literal(value)))
}

fn parse_target_clause(inner: &str, filter: &str) -> Result<Clause, GraphError> {
    let (variable, body) = inner.split_once(':').ok_or_else(|| unsupported(filter))?;
    let prefix = format!("{}/", variable.trim());
    let body = body.trim().replace(&prefix, "");
    if let Some((property, value)) = starts_with(&body) {
        if property == "displayName" {
            return Ok(Clause::StartsWith { property, value });
        }
        return Err(unsupported(filter));
    }
    let mut parts = body.splitn(3, ' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(property @ ("id" | "displayName")), Some("eq"), Some(value)) => Ok(Clause::Compare {
            property: property.to_owned(),
            operator: "eq".to_owned(),
            value: literal(value),
        }),
        _ => Err(unsupported(filter)),
    }
}

fn parse_clause(clause: &str, filter: &str) -> Result<Clause, GraphError> {
    let clause = clause.trim();
    if let Some(inner) = clause
        .strip_prefix("targetResources/any(")
        .and_then(|c| c.strip_suffix(')'))
    {
        return Ok(Clause::Target(Box::new(parse_target_clause(
            inner, filter,
        )?)));
    }
    if let Some((property, value)) = starts_with(clause) {
        if !STARTSWITH_PROPERTIES.contains(&property.as_str()) {
            return Err(unsupported(filter));
        }
        return Ok(Clause::StartsWith { property, value });
    }
    let mut parts = clause.splitn(3, ' ');
    let (Some(property), Some(operator), Some(value)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(unsupported(filter));
    };
    let allowed = match operator {
        "eq" => EQ_PROPERTIES.contains(&property),
        "ge" | "le" | "gt" | "lt" => property == "activityDateTime",
        _ => false,
    };
    if !allowed {
        return Err(unsupported(filter));
    }
    Ok(Clause::Compare {
        property: property.to_owned(),
        operator: operator.to_owned(),
        value: literal(value),
    })
}

/// `text` split at `separator` where it stands outside quoted literals and parentheses.
fn split_top<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    let bytes = text.as_bytes();
    let (mut parts, mut start, mut depth, mut quoted, mut i) = (Vec::new(), 0, 0usize, false, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            _ if !quoted && depth == 0 && bytes[i..].starts_with(separator.as_bytes()) => {
                parts.push(&text[start..i]);
                i += separator.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// The inside of a term that is one parenthesised group as a whole.
fn group(term: &str) -> Option<&str> {
    let inner = term.strip_prefix('(')?.strip_suffix(')')?;
    let (mut depth, mut quoted) = (0i32, false);
    for byte in inner.bytes() {
        match byte {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (depth == 0).then_some(inner)
}

/// Alternatives joined with `or`, each clauses joined with `and`.
fn parse_alternatives(text: &str, filter: &str) -> Result<Vec<Vec<Clause>>, GraphError> {
    split_top(text, " or ")
        .into_iter()
        .map(|alternative| {
            split_top(alternative, " and ")
                .into_iter()
                .map(|term| match group(term.trim()) {
                    Some(inner) => Ok(Clause::Any(parse_alternatives(inner, filter)?)),
                    None => parse_clause(term, filter),
                })
                .collect()
        })
        .collect()
}

/// The clauses an entry must all pass.
fn parse_filter(filter: &str) -> Result<Vec<Clause>, GraphError> {
    let mut alternatives = parse_alternatives(filter, filter)?;
    if alternatives.len() == 1 {
        Ok(alternatives.remove(0))
    } else {
        Ok(vec![Clause::Any(alternatives)])
    }
}

fn property<'a>(entry: &'a DirectoryAudit, path: &str) -> Option<&'a str> {
    let user = entry.initiated_by.user.as_ref();
    let app = entry.initiated_by.app.as_ref();
    match path {
        "id" => Some(&entry.id),
        "category" => Some(&entry.category),
        "correlationId" => entry.correlation_id.as_deref(),
        "result" => Some(&entry.result),
        "operationType" => entry.operation_type.as_deref(),
        "activityDisplayName" => Some(&entry.activity_display_name),
        "loggedByService" => entry.logged_by_service.as_deref(),
        "initiatedBy/user/id" => user.and_then(|u| u.id.as_deref()),
        "initiatedBy/user/displayName" => user.and_then(|u| u.display_name.as_deref()),
        "initiatedBy/user/userPrincipalName" => user.and_then(|u| u.user_principal_name.as_deref()),
        "initiatedBy/app/appId" => app.and_then(|a| a.app_id.as_deref()),
        "initiatedBy/app/displayName" => app.and_then(|a| a.display_name.as_deref()),
        "activityDateTime" => Some(&entry.activity_date_time),
        _ => None,
    }
}

/// A date literal as a time: RFC 3339, or a bare date as its midnight UTC.
fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| OffsetDateTime::parse(&format!("{text}T00:00:00Z"), &Rfc3339).ok())
}

fn compare_dates(actual: &str, operator: &str, value: &str) -> bool {
    let (Some(actual), Some(value)) = (instant(actual), instant(value)) else {
        return false;
    };
    match operator {
        "eq" => actual == value,
        "ge" => actual >= value,
        "le" => actual <= value,
        "gt" => actual > value,
        _ => actual < value,
    }
}

/// Whether `actual` passes `clause` (strings case-insensitively).
fn text_matches(actual: &str, clause: &Clause) -> bool {
    match clause {
        Clause::Compare { value, .. } => actual.eq_ignore_ascii_case(value),
        Clause::StartsWith { value, .. } => actual
            .to_ascii_lowercase()
            .starts_with(&value.to_ascii_lowercase()),
        Clause::Target(_) | Clause::Any(_) => false,
    }
}

fn matches(entry: &DirectoryAudit, clause: &Clause) -> bool {
    match clause {
        Clause::Any(alternatives) => alternatives
            .iter()
            .any(|all| all.iter().all(|c| matches(entry, c))),
        Clause::Target(inner) => entry.target_resources.iter().any(|target| {
            let (Clause::Compare { property, .. } | Clause::StartsWith { property, .. }) =
                inner.as_ref()
            else {
                return false;
            };
            let actual = if property == "id" {
                target.id.as_deref()
            } else {
                target.display_name.as_deref()
            };
            actual.is_some_and(|a| text_matches(a, inner))
        }),
        Clause::Compare {
            property,
            operator,
            value,
        } if property == "activityDateTime" => {
            property_value(entry, property).is_some_and(|a| compare_dates(a, operator, value))
        }
        Clause::Compare { property, .. } | Clause::StartsWith { property, .. } => {
            property_value(entry, property).is_some_and(|a| text_matches(a, clause))
        }
    }
}

fn property_value<'a>(entry: &'a DirectoryAudit, path: &str) -> Option<&'a str> {
    property(entry, path)
}

/// Whether `$orderby` asks for oldest first (default: newest first).
fn oldest_first(query: &HashMap<String, String>) -> Result<bool, GraphError> {
    match query.get("$orderby").map(|o| o.trim()) {
        None | Some("activityDateTime desc") => Ok(false),
        Some("activityDateTime asc" | "activityDateTime") => Ok(true),
        Some(other) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            format!("Unsupported $orderby: '{other}'."),
        )),
    }
}

/// Both permissions (`api-reference/v1.0/includes/permissions/directoryaudit-list-permissions.md`:
/// "AuditLog.Read.All and Directory.Read.All") and, delegated, a reader role.
fn require_reader(caller: &Caller) -> Result<(), GraphError> {
    caller.require_any(&["AuditLog.Read.All"], &["AuditLog.Read.All"])?;
    caller.require_any(&["Directory.Read.All"], &["Directory.Read.All"])?;
    caller.require_role(AUDIT_READ_ROLES)
}

pub async fn list(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    require_reader(&caller)?;
    let top = paging::page_size(&query, DEFAULT_PAGE, MAX_PAGE)?;
    let oldest_first = oldest_first(&query)?;
    let clauses = match query.get("$filter") {
        Some(filter) => parse_filter(filter)?,
        None => Vec::new(),
    };
    let offset = paging::offset(&query)?;
    // Graph keeps 30 days (graph::directory::AUDIT_RETENTION_DAYS); older entries are not served.
    let oldest = state.clock().now() - time::Duration::days(graph::directory::AUDIT_RETENTION_DAYS);
    let retained =
        |e: &&DirectoryAudit| instant(&e.activity_date_time).is_none_or(|at| at >= oldest);
    let world = state.world();
    let log = world.directory_audits.of(&caller.tenant_id);
    let ordered: Box<dyn Iterator<Item = &DirectoryAudit>> = if oldest_first {
        Box::new(log.iter())
    } else {
        Box::new(log.iter().rev())
    };
    let (page, more) = paging::page_of(
        ordered
            .filter(retained)
            .filter(|e| clauses.iter().all(|c| matches(e, c))),
        offset,
        top,
    );
    let page: Vec<DirectoryAudit> = page.into_iter().cloned().collect();
    drop(world);
    let next_link = paging::next_of(&state, &parts, &query, offset + page.len(), more);
    let body = graph::Collection {
        next_link,
        ..odata::collection("auditLogs/directoryAudits", page)
    };
    Ok(Json(body).into_response())
}

pub async fn get(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    require_reader(&caller)?;
    let entry = state
        .world()
        .directory_audits
        .of(&caller.tenant_id)
        .iter()
        .find(|e| e.id.eq_ignore_ascii_case(&id))
        .cloned()
        .ok_or_else(|| GraphError::resource_not_found(&id))?;
    Ok(odata::entity("auditLogs/directoryAudits/$entity", entry).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(category: &str, at: &str, user: &str, target: &str) -> DirectoryAudit {
        DirectoryAudit {
            id: uuid::Uuid::new_v4().to_string(),
            category: category.into(),
            correlation_id: None,
            result: "success".into(),
            result_reason: None,
            activity_display_name: "Add a partner to cross-tenant access setting".into(),
            activity_date_time: at.into(),
            logged_by_service: Some("Core Directory".into()),
            operation_type: Some("Add".into()),
            initiated_by: AuditInitiator {
                user: Some(AuditUser {
                    id: Some(user.into()),
                    display_name: None,
                    user_principal_name: Some("admin@contoso.onmicrosoft.com".into()),
                    ip_address: None,
                    home_tenant_id: None,
                    home_tenant_name: None,
                }),
                app: None,
            },
            target_resources: vec![TargetResource {
                id: Some(target.into()),
                display_name: Some(format!("Partner {target}")),
                kind: Some("Policy".into()),
                user_principal_name: None,
                group_type: None,
                modified_properties: Vec::new(),
            }],
            additional_details: Vec::new(),
        }
    }

    fn passes(entry: &DirectoryAudit, filter: &str) -> bool {
        parse_filter(filter)
            .unwrap()
            .iter()
            .all(|c| matches(entry, c))
    }

    #[test]
    fn filters_follow_the_documented_properties() {
        let entry = audit(
            "CrossTenantAccessSettings",
            "2026-09-01T10:00:00.0000000Z",
            "u1",
            "t1",
        );
        assert!(passes(&entry, "category eq 'crosstenantaccesssettings'"));
        assert!(passes(
            &entry,
            "activityDateTime ge 2026-09-01 and activityDateTime le 2026-09-01T10:00:00Z"
        ));
        assert!(!passes(&entry, "activityDateTime gt 2026-09-01T10:00:00Z"));
        assert!(passes(&entry, "initiatedBy/user/id eq 'u1'"));
        assert!(passes(
            &entry,
            "startswith(initiatedBy/user/userPrincipalName,'admin@')"
        ));
        assert!(passes(
            &entry,
            "startswith(activityDisplayName,'Add a partner')"
        ));
        assert!(passes(&entry, "targetResources/any(t:t/id eq 't1')"));
        assert!(passes(
            &entry,
            "targetResources/any(x: startswith(x/displayName,'Partner'))"
        ));
        assert!(!passes(&entry, "targetResources/any(t:t/id eq 't2')"));
        assert!(passes(
            &entry,
            "(category eq 'MultiTenantOrg' or category eq 'CrossTenantAccessSettings') and activityDateTime ge 2026-09-01T10:00:00Z"
        ));
        assert!(!passes(
            &entry,
            "(category eq 'MultiTenantOrg' or category eq 'ProvisioningManagement') and activityDateTime ge 2026-09-01"
        ));
        assert!(passes(
            &entry,
            "category eq 'x' or result eq 'success' and activityDisplayName eq 'Add a partner to cross-tenant access setting'"
        ));
        assert!(!passes(&entry, "category eq 'x' or (result eq 'failure')"));
        assert!(
            passes(
                &entry,
                "initiatedBy/user/id eq 'u1' or activityDisplayName eq 'a and b or c'"
            ),
            "and/or inside a literal is text"
        );
        assert!(!passes(
            &entry,
            "activityDisplayName eq 'x'' or category eq ''CrossTenantAccessSettings'"
        ));
        for refused in [
            "(category eq 'x'",
            "(category eq 'x' or foo eq 'y')",
            "category ne 'x'",
            "startswith(category,'C')",
            "jobId eq 'x'",
            "category eq",
        ] {
            assert!(parse_filter(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn times_have_seven_fractional_digits() {
        let at = OffsetDateTime::from_unix_timestamp(1_788_000_000).unwrap();
        assert!(timestamp(at).ends_with(".0000000Z"));
        assert!(instant(&timestamp(at)).is_some());
    }
}
