//! Graph failures as the dashboard reasons about them: by kind and `code`, never by message text.

use std::time::Duration;

use crate::error::ErrorEnvelope;

/// What went wrong with a Graph call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphErrorKind {
    /// 400: the request was refused as invalid.
    BadRequest,
    /// 401: the token is missing, invalid or expired.
    Unauthorized,
    /// 403: the signed-in account or the app lacks a role or permission.
    Forbidden,
    /// 404.
    NotFound,
    /// 409: the object already exists.
    Conflict,
    /// 429 after all retries; `retry_after` is what Graph last asked for.
    Throttled { retry_after: Option<Duration> },
    /// 500/502/503/504 after all retries.
    Unavailable,
    /// Any other status.
    Other,
    /// No HTTP answer: connection refused or dropped, timeout.
    Transport,
    /// An answer that is not the JSON it should be.
    Decode,
}

/// A failed Graph call, with what a helpdesk needs to follow it up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct GraphError {
    pub kind: GraphErrorKind,
    /// HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// Graph's `error.code` (e.g. `Directory_ObjectNotFound`), when the answer had an envelope.
    pub code: Option<String>,
    /// Graph's `error.message`, or a description of the transport/decoding failure.
    pub message: String,
    /// Graph's `request-id`, for support and for the audit log.
    pub request_id: Option<String>,
}

impl GraphError {
    pub(crate) fn from_response(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        let envelope = serde_json::from_slice::<ErrorEnvelope>(body).ok();
        let kind = match status {
            400 => GraphErrorKind::BadRequest,
            401 => GraphErrorKind::Unauthorized,
            403 => GraphErrorKind::Forbidden,
            404 => GraphErrorKind::NotFound,
            409 => GraphErrorKind::Conflict,
            429 => GraphErrorKind::Throttled { retry_after },
            500 | 502 | 503 | 504 => GraphErrorKind::Unavailable,
            _ => GraphErrorKind::Other,
        };
        let request_id = request_id.or_else(|| {
            envelope
                .as_ref()
                .and_then(|e| e.request_id().map(str::to_owned))
        });
        match envelope {
            Some(envelope) => Self {
                kind,
                status: Some(status),
                code: Some(envelope.error.code),
                message: envelope.error.message,
                request_id,
            },
            None => Self {
                kind,
                status: Some(status),
                code: None,
                message: format!("HTTP {status} without a Graph error body"),
                request_id,
            },
        }
    }

    pub fn transport(message: impl Into<String>) -> Self {
        Self {
            kind: GraphErrorKind::Transport,
            status: None,
            code: None,
            message: message.into(),
            request_id: None,
        }
    }

    pub fn decode(message: impl Into<String>, request_id: Option<String>) -> Self {
        Self {
            kind: GraphErrorKind::Decode,
            status: None,
            code: None,
            message: message.into(),
            request_id,
        }
    }

    /// Whether Graph answered with this `error.code`.
    pub fn has_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    fn describe(&self) -> String {
        let mut text = match (&self.status, &self.code) {
            (Some(status), Some(code)) => {
                format!("Graph answered {status} {code}: {}", self.message)
            }
            (Some(status), None) => format!("Graph answered {status}: {}", self.message),
            _ => format!("Graph could not be reached: {}", self.message),
        };
        if let Some(id) = &self.request_id {
            text.push_str(&format!(" (request-id {id})"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_envelope_and_status() {
        let body = br#"{"error":{"code":"Directory_ObjectNotFound","message":"Unable to read the company information from the directory.","innerError":{"date":"2026-11-24T10:00:00","request-id":"abc","client-request-id":"def"}}}"#;
        let error = GraphError::from_response(404, body, None, None);
        assert_eq!(error.kind, GraphErrorKind::NotFound);
        assert!(error.has_code("Directory_ObjectNotFound"));
        assert_eq!(error.request_id.as_deref(), Some("abc"));
        assert!(error.to_string().contains("404 Directory_ObjectNotFound"));
    }

    #[test]
    fn survives_a_body_that_is_not_an_envelope() {
        let error = GraphError::from_response(503, b"<html>oops</html>", Some("hdr".into()), None);
        assert_eq!(error.kind, GraphErrorKind::Unavailable);
        assert_eq!(error.code, None);
        assert_eq!(error.request_id.as_deref(), Some("hdr"));
    }
}
