//! OData query options the directory listings share: `ConsistencyLevel: eventual`, `$select`, and
//! the `/$count` segment's rule.

use std::collections::HashMap;

use axum::http::request::Parts;
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

/// The `$select`ed property names, trimmed; `None` without `$select`.
pub fn select(query: &HashMap<String, String>) -> Option<Vec<String>> {
    query
        .get("$select")
        .map(|s| s.split(',').map(|f| f.trim().to_owned()).collect())
}

/// `full` cut down to the selected properties, or to `defaults` without `$select`. Unknown names
/// are left out.
pub fn project(full: &Value, select: Option<&[String]>, defaults: &[&str]) -> Value {
    let fields: Vec<&str> = match select {
        Some(fields) => fields.iter().map(String::as_str).collect(),
        None => defaults.to_vec(),
    };
    let mut out = Map::new();
    for field in fields {
        if let Some(value) = full.get(field) {
            out.insert(field.to_owned(), value.clone());
        }
    }
    Value::Object(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projection_keeps_the_selected_or_the_default_properties() {
        let full = json!({"id": "1", "displayName": "A", "mail": null});
        let fields = vec!["mail".to_owned(), "nope".to_owned()];
        assert_eq!(
            project(&full, Some(&fields), &["id"]),
            json!({"mail": null})
        );
        assert_eq!(
            project(&full, None, &["id", "displayName"]),
            json!({"id": "1", "displayName": "A"})
        );
        let query = HashMap::from([("$select".to_owned(), "id, mail".to_owned())]);
        assert_eq!(
            select(&query),
            Some(vec!["id".to_owned(), "mail".to_owned()])
        );
    }
}
