//! The OData envelope around graph's resource types: `@odata.context` on an entity, and
//! [`graph::Collection`] pages. The emulator serialises the same types the dashboard reads.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// Microsoft Graph v1.0's metadata document, the start of every `@odata.context`.
pub const METADATA: &str = "https://graph.microsoft.com/v1.0/$metadata";

/// An entity with its `@odata.context` first, as Graph writes it.
#[derive(Debug, Clone, Serialize)]
pub struct Entity<T> {
    #[serde(rename = "@odata.context")]
    pub context: String,
    #[serde(flatten)]
    pub value: T,
}

/// `value` with `@odata.context` `{METADATA}#{context}`, as a JSON response.
pub fn entity<T: Serialize>(context: &str, value: T) -> Json<Entity<T>> {
    Json(Entity {
        context: format!("{METADATA}#{context}"),
        value,
    })
}

/// A collection page with `@odata.context` `{METADATA}#{context}`.
pub fn collection<T>(context: &str, value: Vec<T>) -> graph::Collection<T> {
    graph::Collection {
        context: Some(format!("{METADATA}#{context}")),
        ..graph::Collection::new(value)
    }
}

/// [`collection`] as a JSON response.
pub fn collection_response<T: Serialize>(context: &str, value: Vec<T>) -> Response {
    Json(collection(context, value)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_context_comes_first_and_the_value_is_flattened() {
        let Json(body) = entity(
            "tenantRelationships/multiTenantOrganization/$entity",
            json!({"state": "inactive"}),
        );
        let text = serde_json::to_string(&body).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/multiTenantOrganization/$entity","state":"inactive"}"#
        );
        let page = collection("users", vec![1, 2]);
        assert_eq!(
            serde_json::to_value(&page).unwrap_or_default(),
            json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [1, 2]})
        );
    }
}
