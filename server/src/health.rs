//! Probes: `/healthz` answers while the process serves requests; `/readyz` answers 200 only when
//! everything a page needs is in place, else 503 with the failing checks named.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Readiness {
    pub status: &'static str,
    pub checks: Vec<Check>,
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    let checks = vec![site_assets_check(&state), database_check(&state).await];
    let ready = checks.iter().all(|check| check.ok);
    let body = Readiness {
        status: if ready { "ready" } else { "not ready" },
        checks,
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// The built site (wasm bundle and stylesheet) must be present, or pages render without style and
/// never become interactive.
fn site_assets_check(state: &AppState) -> Check {
    let pkg = state.settings.site_root.join("pkg");
    if pkg.is_dir() {
        Check {
            name: "site-assets",
            ok: true,
            problem: None,
        }
    } else {
        Check {
            name: "site-assets",
            ok: false,
            problem: Some(format!(
                "{} is missing: build the site with `cargo leptos build --release`",
                pkg.display()
            )),
        }
    }
}

/// The database must answer (`SELECT 1`, within a few seconds): sessions and the audit log live
/// there. The probe is public: its problem names no database (the log does, without password).
async fn database_check(state: &AppState) -> Check {
    match state.store.ping().await {
        Ok(()) => Check {
            name: "database",
            ok: true,
            problem: None,
        },
        Err(err) => {
            tracing::warn!(error = %err, "readiness: the database does not answer");
            let problem = match &err {
                crate::store::StoreError::Timeout { after, .. } => {
                    format!("the database did not answer within {after:?}")
                }
                crate::store::StoreError::Unavailable { source, .. } => {
                    format!("the database does not answer: {source}")
                }
                _ => "the database does not answer".to_owned(),
            };
            Check {
                name: "database",
                ok: false,
                problem: Some(problem),
            }
        }
    }
}
