use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Why a server function failed, in terms a page can react to. Messages are fit to show; internal
/// details stay in the server log under `reference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("Sign in to {tenant} to see this.")]
    NotSignedIn { tenant: String },
    #[error("Your role in {tenant} does not allow this. It needs one of: {}.", needed.join(", "))]
    Forbidden { tenant: String, needed: Vec<String> },
    #[error("Refused: changes must be made from Tenant Mesh's own pages.")]
    CrossOrigin,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// Microsoft Graph (or the sign-in service) failed or refused.
    #[error("Microsoft Graph: {message}")]
    Upstream {
        message: String,
        request_id: Option<String>,
    },
    #[error("Something went wrong (reference {reference}).")]
    Internal { reference: String },
    /// The dashboard's own database (sessions, the audit log) does not answer: nothing was read
    /// from or written to Microsoft Graph on its behalf.
    #[error(
        "Tenant Mesh cannot reach its database right now, so sign-ins, the audit log and changes are \
         unavailable; nothing was changed. Try again in a moment (reference {reference})."
    )]
    StoreUnavailable { reference: String },
    /// The call itself failed (network, decoding).
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl ApiError {
    /// The HTTP status a server function answers with when it fails this way, so that a script or a
    /// proxy log tells a refusal from a fault without reading the body.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            Self::NotSignedIn { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } | Self::CrossOrigin => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            // On the server, a transport error is the framework refusing the request's arguments.
            Self::BadRequest(_) | Self::Transport(_) => StatusCode::BAD_REQUEST,
            Self::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            Self::StoreUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }

    /// Encoding the error is the one place every failing server function passes through on the
    /// server, so the response status is set here (the framework answers 500 for every error).
    fn ser(&self) -> server_fn::Bytes {
        #[cfg(feature = "ssr")]
        set_response_status(self.status());
        <Self::Encoder as server_fn::Encodes<Self>>::encode(self).unwrap_or_else(|_| {
            server_fn::Bytes::from_static(br#"{"Internal":{"reference":"encoding"}}"#)
        })
    }
}

/// Sets the status of the server function's response — unless the call is a plain form post (no
/// JavaScript), which the framework answers with a redirect back to the page that must stay a redirect.
#[cfg(feature = "ssr")]
fn set_response_status(status: http::StatusCode) {
    use leptos::prelude::use_context;
    let form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if form_post {
        return;
    }
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(status);
    }
}
