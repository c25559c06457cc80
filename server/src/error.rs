//! The server's one error type: what went wrong inside a request, with `From` impls so that `?`
//! works on the database, the session store, the audit log and Graph, and one conversion to the
//! [`ApiError`] the pages see. Internal causes are logged under a reference a helpdesk can quote;
//! the page only sees the reference.

use app::api::ApiError;
use graph::client::GraphError;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A refusal or a result already in the pages' terms.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A Graph call failed; `what` says which, in words; `changes` what the write had changed
    /// before it stopped (see `audit::changes_text`).
    #[error("{what}: {error}")]
    Graph {
        what: String,
        error: GraphError,
        changes: Option<String>,
    },
    #[error("the database failed: {0}")]
    Store(#[from] sqlx::Error),
    #[error("the session store failed: {0}")]
    SessionStore(#[from] tower_sessions::session::Error),
    #[error(transparent)]
    Session(#[from] crate::auth::session::SessionError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// Anything else that should not happen, described for the log.
    #[error("{0}")]
    Internal(String),
}

impl Failure {
    /// A failed Graph call, named for the person ("Looking up the tenant failed").
    pub fn graph(what: impl Into<String>, error: GraphError) -> Self {
        Self::Graph {
            what: what.into(),
            error,
            changes: None,
        }
    }
}

impl Failure {
    /// A failed Graph read of `area` in `tenant_name`: a 403 is the signed-in role, answered as a
    /// refusal naming the roles that may read it (not as an outage); anything else as [`Self::graph`].
    pub fn read(
        what: impl Into<String>,
        area: graph::roles::ReadArea,
        tenant_name: &str,
        error: GraphError,
    ) -> Self {
        if error.kind == graph::client::GraphErrorKind::Forbidden {
            return Self::Api(ApiError::Forbidden {
                tenant: tenant_name.to_owned(),
                needed: area.roles().iter().map(|r| (*r).to_owned()).collect(),
            });
        }
        Self::graph(what, error)
    }
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Api(error) => error,
            Failure::Graph {
                what,
                error,
                changes,
            } => ApiError::Upstream {
                message: match changes {
                    Some(changes) => format!("{what}: {} {changes}", sentence(&error.message)),
                    None => format!("{what}: {}", error.message),
                },
                request_id: error.request_id,
            },
            other @ (Failure::Store(_)
            | Failure::SessionStore(_)
            | Failure::Session(_)
            | Failure::Audit(_)) => {
                let reference = uuid::Uuid::new_v4().to_string();
                tracing::error!(%reference, cause = %other, "the database failed");
                ApiError::StoreUnavailable { reference }
            }
            other => {
                let reference = uuid::Uuid::new_v4().to_string();
                tracing::error!(%reference, cause = %other, "request failed");
                ApiError::Internal { reference }
            }
        }
    }
}

/// `text` ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_causes_become_a_reference_and_refusals_pass_through() {
        let api: ApiError = Failure::Internal("secret detail".into()).into();
        match api {
            ApiError::Internal { reference } => assert!(!reference.contains("secret")),
            other => panic!("{other:?}"),
        }
        let refused: ApiError = Failure::from(ApiError::BadRequest("no".into())).into();
        assert_eq!(refused, ApiError::BadRequest("no".into()));
    }

    #[test]
    fn graph_failures_keep_the_request_id() {
        let error = GraphError {
            kind: graph::client::GraphErrorKind::Unavailable,
            status: Some(503),
            code: Some("serviceNotAvailable".into()),
            message: "try later".into(),
            request_id: Some("r-1".into()),
        };
        let api: ApiError = Failure::graph("Pausing failed", error).into();
        assert_eq!(
            api,
            ApiError::Upstream {
                message: "Pausing failed: try later".into(),
                request_id: Some("r-1".into())
            }
        );
    }
}
