//! Graph's error envelope as the emulator sends it (`microsoftgraph/microsoft-graph-docs-contrib`
//! `concepts/errors.md`), and Entra's token errors (`MicrosoftDocs/entra-docs`
//! `docs/identity-platform/v2-oauth2-auth-code-flow.md`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use graph::{ErrorEnvelope, InnerError};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `details[]` entries (code, message), e.g. `ConflictingObjects` on a 409.
    pub details: Vec<(&'static str, &'static str)>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }
    pub fn denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Request_ResourceNotFound", message)
    }
    /// 404 for a directory object id (or key) that names nothing, in Graph's words.
    pub fn resource_not_found(key: &str) -> Self {
        Self::not_found(format!(
            "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
        ))
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let date = time::OffsetDateTime::now_utc()
            .format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]"
            ))
            .unwrap_or_default();
        let mut envelope = ErrorEnvelope::new(self.code, self.message).with_inner(InnerError {
            date,
            request_id: request_id.clone(),
            client_request_id: uuid::Uuid::new_v4().to_string(),
        });
        envelope.error.details = self
            .details
            .iter()
            .map(|(code, message)| graph::error::ErrorDetail {
                code: (*code).to_owned(),
                message: (*message).to_owned(),
                target: None,
            })
            .collect();
        let mut response = (self.status, Json(envelope)).into_response();
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("request-id", value);
        }
        response
    }
}

/// Entra's token endpoint error: `{error, error_description "AADSTSnnnn: ...", error_codes, timestamp, trace_id, correlation_id}`.
pub fn token_error(status: StatusCode, error: &str, aadsts: u32, description: &str) -> Response {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default();
    (
        status,
        Json(json!({
            "error": error,
            "error_description": format!("AADSTS{aadsts}: {description}"),
            "error_codes": [aadsts],
            "timestamp": now,
            "trace_id": uuid::Uuid::new_v4().to_string(),
            "correlation_id": uuid::Uuid::new_v4().to_string(),
        })),
    )
        .into_response()
}
