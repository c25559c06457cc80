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
    /// The call itself failed (network, decoding).
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
