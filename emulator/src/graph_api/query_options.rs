//! OData query options the directory listings share: `ConsistencyLevel: eventual`, `$select`
//! (checked against the resource's properties), `$orderby`, and the `/$count` segment's rule.

use std::collections::HashMap;

use axum::http::request::Parts;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::error::GraphError;

/// Whether the request carries `ConsistencyLevel: eventual` (advanced queries, `$count`, `$search`).
pub fn eventual(parts: &Parts) -> bool {
    parts
        .headers
        .get("ConsistencyLevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
}

/// The `$select`ed properties, by the names the resource gives them.
pub type Selected = Vec<&'static str>;

/// The answer of Graph's OData layer to a `$select` naming no property of `type_name` (the wording
/// of `Microsoft.OData`'s parser as public issues report it from Graph, e.g. wslyvh/paperweight
/// issue 1 and mguessan/davmail issue 451).
pub fn unknown_property(name: &str, type_name: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'."),
    )
}

/// Whether `name` is a directory or schema extension property (`extension_{appId}_{name}`,
/// `ext{8 characters}_{name}`), which a tenant may define and `$select` may name
/// (microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/user-list.md`, example
/// "Get the value of a schema extension for all users").
fn is_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("extension_")
        || (lower.starts_with("ext")
            && lower.len() > 12
            && lower.as_bytes().get(11) == Some(&b'_')
            && lower
                .bytes()
                .skip(3)
                .take(8)
                .all(|b| b.is_ascii_alphanumeric()))
}

/// The request's `$select`, each name matched case-insensitively against `known` (the properties
/// and relationships of `type_name`); `*` stands for `everything`. `None` without `$select`; 400
/// `BadRequest` for a name the type does not have. Extension properties are accepted and
/// returned as nothing (no extension is defined in the emulator).
pub fn select(
    query: &HashMap<String, String>,
    known: &[&'static str],
    everything: &[&'static str],
    type_name: &str,
) -> Result<Option<Selected>, GraphError> {
    let Some(text) = query.get("$select") else {
        return Ok(None);
    };
    let mut selected: Selected = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name == "*" {
            selected.extend_from_slice(everything);
            continue;
        }
        match known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
            Some(property) => selected.push(property),
            None if is_extension(name) => {}
            None => return Err(unknown_property(name, type_name)),
        }
    }
    let mut seen = std::collections::HashSet::new();
    selected.retain(|p| seen.insert(*p));
    Ok(Some(selected))
}

/// `full` cut down to the selected properties (a selected property the emulator does not hold is
/// `null`, as Graph shows an unset property), or to `defaults` without `$select`.
pub fn project(full: &Value, select: Option<&[&'static str]>, defaults: &[&str]) -> Value {
    let fields: Vec<&str> = match select {
        Some(fields) => fields.to_vec(),
        None => defaults.to_vec(),
    };
    let mut out = Map::new();
    for field in fields {
        let value = full.get(field).cloned().unwrap_or(Value::Null);
        out.insert(field.to_owned(), value);
    }
    Value::Object(out)
}

/// `@odata.context` of a collection: `{METADATA}#{set}`, with the selected properties in
/// parentheses when there is a `$select` (as in the responses of
/// microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/user-list.md`).
pub fn context(set: &str, select: Option<&[&'static str]>) -> String {
    let metadata = super::odata::METADATA;
    match select {
        Some(fields) => format!("{metadata}#{set}({})", fields.join(",")),
        None => format!("{metadata}#{set}"),
    }
}

/// Graph's answer to a `/$count` segment without `ConsistencyLevel: eventual`.
pub fn count_needs_eventual() -> GraphError {
    GraphError::bad_request("$count is not currently supported.")
}

/// A plain-text count, as the `/$count` segment answers.
pub fn count_response(count: usize) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([("content-type", "text/plain")], count.to_string()).into_response()
}

/// How a sortable property may be sorted (microsoftgraph/microsoft-graph-docs-contrib
/// `concepts/aad-advanced-queries.md`, "Support for sorting by properties of directory objects").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sorting {
    /// Works without the advanced query parameters.
    Default,
    /// Needs `ConsistencyLevel: eventual` and `$count=true`.
    Advanced,
}

/// One `$orderby` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderBy {
    pub property: &'static str,
    pub descending: bool,
}

/// What decides whether an `$orderby` is served.
pub struct SortRules<'a> {
    /// The sortable properties and how.
    pub sortable: &'a [(&'static str, Sorting)],
    /// `User`, `Group`: named in the errors.
    pub resource: &'static str,
    /// Whether the request is an advanced query (`ConsistencyLevel: eventual` and `$count=true`).
    pub advanced: bool,
    /// Whether the request also has a `$filter`.
    pub filtered: bool,
}

fn unsupported_query(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
}

/// `property [asc|desc]`: the property's name and whether it sorts descending.
fn order_clause(text: &str) -> Result<(&str, bool), GraphError> {
    let mut words = text.split_whitespace();
    let property = words.next().unwrap_or_default();
    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(invalid_orderby(text)),
    };
    if property.is_empty() || words.next().is_some() {
        return Err(invalid_orderby(text));
    }
    Ok((property, descending))
}

fn invalid_orderby(text: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Invalid $orderby expression '{text}': expected 'property', 'property asc' or 'property desc'."),
    )
}

/// The request's `$orderby`, under the advanced-query rules of
/// microsoftgraph/microsoft-graph-docs-contrib `concepts/aad-advanced-queries.md`: `$filter` with
/// `$orderby` needs the advanced query parameters (else 400 "Sorting not supported for current
/// query.", as reported in microsoftgraph/microsoft-graph-docs-contrib issues 4187 and 3145); a
/// property sortable only in advanced queries, or not at all, answers "Unsupported sort property
/// '…' for '…'." outside them (issue 1354) and "An unsupported property was specified." in them
/// (issue 1337). One property only.
pub fn order_by(
    query: &HashMap<String, String>,
    rules: &SortRules<'_>,
) -> Result<Option<OrderBy>, GraphError> {
    let Some(text) = query.get("$orderby") else {
        return Ok(None);
    };
    let clauses: Vec<&str> = text.split(',').map(str::trim).collect();
    let [clause] = clauses.as_slice() else {
        return Err(unsupported_query(
            "Sorting not supported for current query.",
        ));
    };
    let (name, descending) = order_clause(clause)?;
    let sortable = rules
        .sortable
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(name));
    let served = match sortable {
        Some((_, Sorting::Default)) => true,
        Some((_, Sorting::Advanced)) => rules.advanced,
        None => false,
    };
    match sortable {
        Some((property, _)) if served => {
            if rules.filtered && !rules.advanced {
                return Err(unsupported_query(
                    "Sorting not supported for current query.",
                ));
            }
            Ok(Some(OrderBy {
                property,
                descending,
            }))
        }
        _ if rules.advanced => Err(unsupported_query("An unsupported property was specified.")),
        _ => Err(unsupported_query(format!(
            "Unsupported sort property '{name}' for '{}'.",
            rules.resource
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const KNOWN: &[&str] = &["id", "displayName", "mail"];

    #[test]
    fn projection_keeps_the_selected_or_the_default_properties() {
        let full = json!({"id": "1", "displayName": "A", "mail": null});
        assert_eq!(
            project(&full, Some(&["mail", "jobTitle"]), &["id"]),
            json!({"mail": null, "jobTitle": null})
        );
        assert_eq!(
            project(&full, None, &["id", "displayName"]),
            json!({"id": "1", "displayName": "A"})
        );
    }

    #[test]
    fn select_names_are_matched_case_insensitively_and_unknown_ones_refused() {
        let selected = select(
            &query(&[("$select", " ID, displayname,extension_abc_x,id")]),
            KNOWN,
            KNOWN,
            "user",
        )
        .unwrap();
        assert_eq!(selected, Some(vec!["id", "displayName"]));
        assert_eq!(select(&query(&[]), KNOWN, KNOWN, "user").unwrap(), None);
        let all = select(&query(&[("$select", "*")]), KNOWN, &["id"], "user").unwrap();
        assert_eq!(all, Some(vec!["id"]));
        let error = select(&query(&[("$select", "id,nope")]), KNOWN, KNOWN, "user").unwrap_err();
        assert_eq!(error.code, "BadRequest");
        assert_eq!(
            error.message,
            "Could not find a property named 'nope' on type 'microsoft.graph.user'."
        );
        assert!(is_extension("ext55gb1l09_msLearnCourses"));
        assert!(!is_extension("external"));
    }

    #[test]
    fn context_lists_the_selection() {
        assert_eq!(
            context("users", Some(&["id", "mail"])),
            "https://graph.microsoft.com/v1.0/$metadata#users(id,mail)"
        );
        assert_eq!(
            context("groups", None),
            "https://graph.microsoft.com/v1.0/$metadata#groups"
        );
    }

    const SORTABLE: &[(&str, Sorting)] = &[
        ("displayName", Sorting::Default),
        ("createdDateTime", Sorting::Advanced),
    ];

    fn rules(advanced: bool, filtered: bool) -> SortRules<'static> {
        SortRules {
            sortable: SORTABLE,
            resource: "User",
            advanced,
            filtered,
        }
    }

    #[test]
    fn order_by_follows_the_advanced_query_rules() {
        let q = |text: &str| query(&[("$orderby", text)]);
        assert_eq!(
            order_by(&q("DisplayName desc"), &rules(false, false)).unwrap(),
            Some(OrderBy {
                property: "displayName",
                descending: true
            })
        );
        assert_eq!(order_by(&query(&[]), &rules(false, false)).unwrap(), None);
        let refused = |text: &str, rules: SortRules<'_>| order_by(&q(text), &rules).unwrap_err();
        assert_eq!(
            refused("displayName", rules(false, true)).message,
            "Sorting not supported for current query."
        );
        assert!(order_by(&q("displayName"), &rules(true, true)).is_ok());
        assert_eq!(
            refused("createdDateTime desc", rules(false, false)).message,
            "Unsupported sort property 'createdDateTime' for 'User'."
        );
        assert!(order_by(&q("createdDateTime desc"), &rules(true, false)).is_ok());
        assert_eq!(
            refused("jobTitle", rules(true, false)).message,
            "An unsupported property was specified."
        );
        assert_eq!(
            refused("displayName up", rules(false, false)).code,
            "BadRequest"
        );
        assert_eq!(
            refused("displayName,createdDateTime", rules(true, false)).code,
            "Request_UnsupportedQuery"
        );
    }
}
