//! Graph's error envelope: `{"error":{"code","message","innerError":{...}}}`
//! (`microsoftgraph/microsoft-graph-docs-contrib` `concepts/errors.md`).
//!
//! Clients branch on `code`, never on `message`.

use serde::{Deserialize, Serialize};

/// The JSON body of every Graph error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(
        rename = "innerError",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<InnerError>,
    /// Present on some directory errors, e.g. `ConflictingObjects` on a 409.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// Correlation data a helpdesk can quote to Microsoft support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnerError {
    /// Whole-second UTC timestamp, e.g. `2023-05-26T22:05:23`.
    pub date: String,
    #[serde(rename = "request-id")]
    pub request_id: String,
    #[serde(rename = "client-request-id")]
    pub client_request_id: String,
}

impl ErrorEnvelope {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorBody {
                code: code.into(),
                message: message.into(),
                inner_error: None,
                details: Vec::new(),
            },
        }
    }

    pub fn with_inner(mut self, inner: InnerError) -> Self {
        self.error.inner_error = Some(inner);
        self
    }

    /// The request id Graph assigned, if the envelope carries one.
    pub fn request_id(&self) -> Option<&str> {
        self.error
            .inner_error
            .as_ref()
            .map(|inner| inner.request_id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_envelope() {
        let body = r#"{"error":{"code":"Request_BadRequest","message":"Tenant is already being added in Multi-Tenant Organization.","innerError":{"date":"2023-05-26T22:05:23","request-id":"5f5b7c53-5d0e-4a9b-8f0e-1c2d3e4f5a6b","client-request-id":"0c4f9b9e-6a1d-4f7e-9a0b-2c3d4e5f6a7b"}}}"#;
        let parsed: ErrorEnvelope = serde_json::from_str(body).unwrap();
        assert_eq!(parsed.error.code, "Request_BadRequest");
        assert_eq!(
            parsed.request_id(),
            Some("5f5b7c53-5d0e-4a9b-8f0e-1c2d3e4f5a6b")
        );
    }

    #[test]
    fn serialises_inner_error_with_graph_field_names() {
        let envelope = ErrorEnvelope::new(
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
        .with_inner(InnerError {
            date: "2026-11-24T10:00:00".into(),
            request_id: "r".into(),
            client_request_id: "c".into(),
        });
        let json = serde_json::to_value(&envelope).unwrap();
        assert_eq!(json["error"]["innerError"]["request-id"], "r");
        assert_eq!(json["error"]["innerError"]["client-request-id"], "c");
        assert!(json["error"].get("details").is_none());
    }
}
