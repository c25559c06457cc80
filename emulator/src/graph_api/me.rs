use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::Caller;
use crate::error::GraphError;
use crate::scenario::roles;
use crate::EmulatorState;

/// `GET /me`: the signed-in user (delegated tokens only).
pub async fn me(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    if caller.app_only {
        return Err(GraphError::bad_request(
            "/me request is only valid with delegated authentication flow.",
        ));
    }
    let world = state.world();
    let account = world
        .scenario
        .tenant(&caller.tenant_id)
        .and_then(|t| t.accounts.iter().find(|a| a.object_id == caller.object_id))
        .ok_or_else(|| GraphError::resource_not_found(&caller.object_id))?;
    Ok(Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
        "id": account.object_id,
        "displayName": account.display_name,
        "userPrincipalName": account.upn,
        "mail": account.upn,
        "businessPhones": [],
        "givenName": null, "surname": null, "jobTitle": null, "mobilePhone": null,
        "officeLocation": null, "preferredLanguage": null,
    }))
    .into_response())
}

/// `GET /me/transitiveMemberOf/microsoft.graph.directoryRole`.
pub async fn directory_roles(
    State(state): State<EmulatorState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    if caller.app_only {
        return Err(GraphError::bad_request(
            "/me request is only valid with delegated authentication flow.",
        ));
    }
    let world = state.world();
    let roles: Vec<serde_json::Value> = world
        .scenario
        .tenant(&caller.tenant_id)
        .and_then(|t| t.accounts.iter().find(|a| a.object_id == caller.object_id))
        .map(|account| {
            account
                .role_ids
                .iter()
                .map(|template| {
                    json!({
                        "@odata.type": "#microsoft.graph.directoryRole",
                        "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{}:{template}", caller.tenant_id).as_bytes()).to_string(),
                        "deletedDateTime": null,
                        "description": roles::name(template),
                        "displayName": roles::name(template),
                        "roleTemplateId": template,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects/microsoft.graph.directoryRole",
        "value": roles,
    }))
    .into_response())
}
