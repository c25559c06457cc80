//! `GET /auditLogs/provisioning` (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/provisioningobjectsummary-list.md` and
//! `api-reference/v1.0/resources/provisioningobjectsummary.md`): newest first, `$filter`, `$top`,
//! `$orderby` on `activityDateTime`, opaque `$skiptoken` paging.
//!
//! `$filter` takes the operators the list page names (`eq`, `contains`, `gt`, `lt`) on the
//! attributes of its "Attributes supported by the $filter parameter" table, `tolower(…)` around a
//! property, and `and` / `or` with parentheses — the query of the Monitor step of
//! `MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure-graph.md`:
//! `((contains(tolower(servicePrincipal/id), '…') or contains(tolower(servicePrincipal/displayName), '…'))
//! and activityDateTime gt 2023-07-30 and activityDateTime lt 2023-07-31)`. The filters are case
//! sensitive except on the status (the list page). Anything else is refused as the reporting
//! service refuses it: 400 `BadRequest` "Invalid filter clause" (as reported in
//! microsoftgraph/microsoft-graph-docs issue 5676).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use graph::sync::ProvisioningEntry;

use super::auth::LOG_READ_ROLES;
use super::filter_tokens::{tokenize, Token};
use super::{odata, paging, Caller};
use crate::error::GraphError;
use crate::EmulatorState;

const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 1000;

/// One comparison of a `$filter`: `[tolower(]property[)] operator value`, or a function
/// `contains|startswith([tolower(]property[)], value)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub property: String,
    pub lower: bool,
    /// `eq`, `ne`, `gt`, `ge`, `lt`, `le`, `contains`, `startswith`, `endswith`, … as written.
    pub operator: String,
    pub value: String,
}

/// A parsed `$filter`: comparisons joined with `and` / `or` (`and` binds tighter).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Leaf(Comparison),
}

impl Expr {
    /// Every comparison, for checking them against what a resource supports.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        match self {
            Self::And(a, b) | Self::Or(a, b) => {
                let mut all = a.comparisons();
                all.extend(b.comparisons());
                all
            }
            Self::Leaf(c) => vec![c],
        }
    }

    /// Whether `holds` is true of the expression's comparisons, as `and` / `or` combine them.
    pub fn eval(&self, holds: &impl Fn(&Comparison) -> bool) -> bool {
        match self {
            Self::And(a, b) => a.eval(holds) && b.eval(holds),
            Self::Or(a, b) => a.eval(holds) || b.eval(holds),
            Self::Leaf(c) => holds(c),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w == word)
    }

    fn expect(&mut self, token: &Token) -> Option<()> {
        (self.next()? == *token).then_some(())
    }

    fn joined(&mut self, or: bool) -> Option<Expr> {
        let mut left = if or {
            self.joined(false)?
        } else {
            self.primary()?
        };
        let word = if or { "or" } else { "and" };
        while self.peek_word(word) {
            self.at += 1;
            let right = if or {
                self.joined(false)?
            } else {
                self.primary()?
            };
            left = if or {
                Expr::Or(Box::new(left), Box::new(right))
            } else {
                Expr::And(Box::new(left), Box::new(right))
            };
        }
        Some(left)
    }

    /// `property` or `tolower(property)`: the name and whether it is lowered.
    fn operand(&mut self, first: String) -> Option<(String, bool)> {
        if first.eq_ignore_ascii_case("tolower") {
            self.expect(&Token::Open)?;
            let Token::Word(property) = self.next()? else {
                return None;
            };
            self.expect(&Token::Close)?;
            Some((property, true))
        } else {
            Some((first, false))
        }
    }

    fn literal(&mut self) -> Option<String> {
        match self.next()? {
            Token::Text(text) | Token::Word(text) => Some(text),
            _ => None,
        }
    }

    fn primary(&mut self) -> Option<Expr> {
        match self.next()? {
            Token::Open => {
                let inner = self.joined(true)?;
                self.expect(&Token::Close)?;
                Some(inner)
            }
            Token::Word(word)
                if self.tokens.get(self.at) == Some(&Token::Open)
                    && !word.eq_ignore_ascii_case("tolower") =>
            {
                self.at += 1;
                let Token::Word(first) = self.next()? else {
                    return None;
                };
                let (property, lower) = self.operand(first)?;
                self.expect(&Token::Comma)?;
                let value = self.literal()?;
                self.expect(&Token::Close)?;
                Some(Expr::Leaf(Comparison {
                    property,
                    lower,
                    operator: word.to_lowercase(),
                    value,
                }))
            }
            Token::Word(word) => {
                let (property, lower) = self.operand(word)?;
                let Token::Word(operator) = self.next()? else {
                    return None;
                };
                let value = self.literal()?;
                Some(Expr::Leaf(Comparison {
                    property,
                    lower,
                    operator,
                    value,
                }))
            }
            _ => None,
        }
    }
}

/// Parses a `$filter` into its `and` / `or` tree; `None` when it does not parse.
pub fn parse_expression(filter: &str) -> Option<Expr> {
    let mut parser = Parser {
        tokens: tokenize(filter)?,
        at: 0,
    };
    let expr = parser.joined(true)?;
    (parser.at == parser.tokens.len()).then_some(expr)
}

/// The reporting service's answer to a filter it does not take.
fn invalid_filter() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Invalid filter clause",
    )
}

/// Filterable attributes and their operators (the list page's table; `contains` on the service
/// principal too, as the cross-tenant sync article's Monitor query uses it).
const ATTRIBUTES: &[(&str, &[&str])] = &[
    ("id", &["eq", "contains"]),
    ("activityDateTime", &["eq", "gt", "lt"]),
    ("tenantId", &["eq", "contains"]),
    ("jobId", &["eq", "contains"]),
    ("changeId", &["eq", "contains"]),
    ("cycleId", &["eq", "contains"]),
    ("provisioningAction", &["eq", "contains"]),
    ("durationInMilliseconds", &["eq", "gt", "lt"]),
    ("provisioningStatusInfo/status", &["eq", "contains"]),
    ("sourceSystem/displayName", &["eq", "contains"]),
    ("targetSystem/displayName", &["eq", "contains"]),
    ("sourceIdentity/identityType", &["eq", "contains"]),
    ("targetIdentity/identityType", &["eq", "contains"]),
    ("sourceIdentity/id", &["eq", "contains"]),
    ("servicePrincipal/id", &["eq", "contains"]),
    ("servicePrincipal/displayName", &["eq", "contains"]),
    ("targetIdentity/id", &["eq", "contains"]),
    ("sourceIdentity/displayName", &["eq", "contains"]),
    ("targetIdentity/displayName", &["eq", "contains"]),
    ("initiatedBy/displayName", &["eq", "contains"]),
];

/// The attribute's canonical name when `$filter` may use `operator` on it (names are matched
/// case-insensitively: the table writes `tenantid`, `jobid`).
fn supported(comparison: &Comparison) -> Option<&'static str> {
    let (name, operators) = ATTRIBUTES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&comparison.property))?;
    let numeric = matches!(*name, "activityDateTime" | "durationInMilliseconds");
    (operators.contains(&comparison.operator.as_str()) && !(numeric && comparison.lower))
        .then_some(*name)
}

/// A provisioning `$filter`, checked: every comparison on a documented attribute with one of its
/// operators, property names made canonical.
pub fn parse_filter(filter: &str) -> Result<Expr, GraphError> {
    let expr = parse_expression(filter).ok_or_else(invalid_filter)?;
    canonical(expr)
}

fn canonical(expr: Expr) -> Result<Expr, GraphError> {
    Ok(match expr {
        Expr::And(a, b) => Expr::And(Box::new(canonical(*a)?), Box::new(canonical(*b)?)),
        Expr::Or(a, b) => Expr::Or(Box::new(canonical(*a)?), Box::new(canonical(*b)?)),
        Expr::Leaf(c) => {
            let name = supported(&c).ok_or_else(invalid_filter)?;
            Expr::Leaf(Comparison {
                property: name.to_owned(),
                ..c
            })
        }
    })
}

fn property(entry: &ProvisioningEntry, path: &str) -> Option<String> {
    let party = |p: &Option<graph::sync::ProvisioningParty>, field: &str| {
        p.as_ref().and_then(|p| match field {
            "id" => p.id.clone(),
            "displayName" => p.display_name.clone(),
            _ => p.identity_type.clone(),
        })
    };
    let (object, field) = path.split_once('/').unwrap_or((path, ""));
    match object {
        "id" => Some(entry.id.clone()),
        "activityDateTime" => Some(entry.activity_date_time.clone()),
        "tenantId" => entry.tenant_id.clone(),
        "jobId" => entry.job_id.clone(),
        "changeId" => entry.change_id.clone(),
        "cycleId" => entry.cycle_id.clone(),
        "provisioningAction" => Some(entry.provisioning_action.as_str().to_owned()),
        "durationInMilliseconds" => Some(entry.duration_in_milliseconds.to_string()),
        "provisioningStatusInfo" => entry
            .provisioning_status_info
            .as_ref()
            .map(|s| s.status.as_str().to_owned()),
        "sourceSystem" => party(&entry.source_system, field),
        "targetSystem" => party(&entry.target_system, field),
        "sourceIdentity" => party(&entry.source_identity, field),
        "targetIdentity" => party(&entry.target_identity, field),
        "servicePrincipal" => party(&entry.service_principal, field),
        "initiatedBy" => entry
            .initiated_by
            .as_ref()
            .and_then(|i| i.display_name.clone()),
        _ => None,
    }
}

/// A bare date compares as its midnight (UTC).
fn as_timestamp(value: &str) -> String {
    if value.len() == 10 {
        format!("{value}T00:00:00Z")
    } else {
        value.to_owned()
    }
}

fn holds(entry: &ProvisioningEntry, c: &Comparison) -> bool {
    let Some(mut actual) = property(entry, &c.property) else {
        return false;
    };
    if c.lower {
        actual = actual.to_lowercase();
    }
    let ordering = match c.property.as_str() {
        "durationInMilliseconds" => c
            .value
            .parse::<i64>()
            .ok()
            .zip(actual.parse::<i64>().ok())
            .map(|(wanted, actual)| actual.cmp(&wanted)),
        "activityDateTime" => Some(actual.as_str().cmp(as_timestamp(&c.value).as_str())),
        _ => None,
    };
    // Case-sensitive except the status (the list page).
    let status = c.property == "provisioningStatusInfo/status";
    let equal = |a: &str, b: &str| {
        if status {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    match (c.operator.as_str(), ordering) {
        ("eq", Some(order)) => order.is_eq(),
        ("gt", Some(order)) => order.is_gt(),
        ("lt", Some(order)) => order.is_lt(),
        ("eq", None) => equal(&actual, &c.value),
        ("contains", _) if status => actual.to_lowercase().contains(&c.value.to_lowercase()),
        ("contains", _) => actual.contains(&c.value),
        _ => false,
    }
}

/// Whether `entry` passes `filter`.
pub fn matches(entry: &ProvisioningEntry, filter: Option<&Expr>) -> bool {
    filter.is_none_or(|f| f.eval(&|c| holds(entry, c)))
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
                "BadRequest",
                format!("Unsupported $orderby: '{other}'."),
            ))
        }
    };
    let filter = query.get("$filter").map(|f| parse_filter(f)).transpose()?;
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
    let (page, more) =
        paging::page_of(ordered.filter(|e| matches(e, filter.as_ref())), offset, top);
    let next_link = paging::next_of(&state, &parts, &query, offset + page.len(), more);
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
    fn the_documented_monitor_query_parses() {
        let parsed = parse_filter(
            "((contains(tolower(servicePrincipal/id), 'abc') or contains(tolower(servicePrincipal/displayName), 'abc')) and activityDateTime gt 2023-07-30 and activityDateTime lt 2023-07-31)",
        )
        .unwrap();
        let all = parsed.comparisons();
        assert_eq!(all.len(), 4);
        assert!(all[0].lower);
        assert_eq!(all[0].operator, "contains");
        assert_eq!(all[2].value, "2023-07-30");
        assert!(matches!(parsed, Expr::And(..)));
    }

    #[test]
    fn documented_attributes_and_operators_only() {
        assert!(
            parse_filter("jobId eq 'Azure2Azure.x' and activityDateTime gt 2026-11-01").is_ok()
        );
        assert!(
            parse_filter("tenantid eq 'x'").is_ok(),
            "names as the table writes them"
        );
        assert!(parse_filter("jobId gt 'x'").is_err(), "ordering on ids");
        assert!(
            parse_filter("activityDateTime ge 2026-01-01").is_err(),
            "ge is not documented"
        );
        assert!(parse_filter("startswith(jobId, 'x')").is_err());
        assert!(parse_filter("secret eq 'x'").is_err());
        assert!(parse_filter("jobId eq 'x' and").is_err());
        assert!(parse_filter("(jobId eq 'x'").is_err());
        let refused = parse_filter("jobId ne 'x'").unwrap_err();
        assert_eq!(
            (refused.code, refused.message.as_str()),
            ("BadRequest", "Invalid filter clause")
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let parsed = parse_expression("a eq '1' or b eq '2' and c eq '3'").unwrap();
        assert!(matches!(parsed, Expr::Or(..)));
        let truth = |c: &Comparison| c.property == "a";
        assert!(parsed.eval(&truth));
        assert_eq!(
            parse_expression("x eq 'it''s'").unwrap().comparisons()[0].value,
            "it's"
        );
    }
}
