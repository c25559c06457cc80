//! Graph's error envelope as the emulator sends it (`microsoftgraph/microsoft-graph-docs-contrib`
//! `concepts/errors.md`), and Entra's token errors (`MicrosoftDocs/entra-docs`
//! `docs/identity-platform/v2-oauth2-auth-code-flow.md`).

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use graph::{ErrorEnvelope, InnerError};
use serde_json::json;

tokio::task_local! {
    /// The `client-request-id` header of the Graph request being answered (set by the request log's
    /// layer), echoed in `innerError` as Graph does.
    pub static CLIENT_REQUEST_ID: Option<String>;
}

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
    /// 400 for a path segment Graph does not know, in Graph's words (code `BadRequest`).
    pub fn unknown_segment(segment: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }
    /// 400 for a request body that is not JSON (or not the JSON the operation takes).
    pub fn unreadable_body() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and \
             payload is of valid JSON format.",
        )
    }
}

/// A JSON request body, like [`Json`], whose rejection is Graph's 400 envelope
/// ([`GraphError::unreadable_body`]) instead of axum's plain text.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S>,
    S: Send + Sync,
{
    type Rejection = GraphError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Self(value))
            .map_err(|_| GraphError::unreadable_body())
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
            // The client's `client-request-id` when it sent one, else the request id.
            client_request_id: CLIENT_REQUEST_ID
                .try_with(Clone::clone)
                .ok()
                .flatten()
                .unwrap_or_else(|| request_id.clone()),
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
