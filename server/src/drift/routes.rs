//! `/drift`'s two plain routes: a snapshot's JSON export (`GET /drift/snapshots/{id}.json`, the
//! stored text byte for byte) and the upload of one to compare with the live configuration
//! (`POST /drift/import`, a form with a file `snapshot` or a pasted `snapshot_text`; it works
//! without JavaScript, then goes back to `/drift` comparing the live state with it).

use std::sync::Arc;

use app::api::ApiError;
use axum::extract::{FromRequest as _, Multipart, Path, Request};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;

use crate::dashboard::Dashboard;

fn refusal(error: &ApiError) -> Response {
    let status = match error {
        ApiError::NotSignedIn { .. } => StatusCode::UNAUTHORIZED,
        ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
        ApiError::StoreUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, error.to_string()).into_response()
}

/// `GET /drift/snapshots/{id}.json`.
pub async fn export(
    dashboard: Arc<Dashboard>,
    Path(file): Path<String>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let Some(id) = file
        .strip_suffix(".json")
        .and_then(|id| id.parse::<i64>().ok())
        .filter(|id| *id > 0)
    else {
        return (StatusCode::NOT_FOUND, "No such snapshot.").into_response();
    };
    match dashboard.drift_export(&parts, id).await {
        Ok(Some(body)) => (
            [
                (http::header::CONTENT_TYPE, "application/json".to_owned()),
                (
                    http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"tenant-mesh-snapshot-{id}.json\""),
                ),
            ],
            body,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, format!("There is no snapshot {id}.")).into_response(),
        Err(error) => refusal(&error),
    }
}

/// The uploaded text: the file when one was chosen, else the pasted text.
async fn uploaded(mut form: Multipart) -> Result<String, String> {
    let (mut file, mut pasted) = (None, None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| format!("The upload could not be read: {e}"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let text = field
            .text()
            .await
            .map_err(|e| format!("The upload could not be read: {e}"))?;
        match name.as_str() {
            "snapshot" if !text.trim().is_empty() => file = Some(text),
            "snapshot_text" if !text.trim().is_empty() => pasted = Some(text),
            _ => {}
        }
    }
    file.or(pasted)
        .ok_or_else(|| "Choose a snapshot file or paste one.".to_owned())
}

/// `POST /drift/import`: stores the snapshot (nothing is applied) and shows the live state's
/// differences from it; a refusal goes back to `/drift` with the reason.
pub async fn import(dashboard: Arc<Dashboard>, request: Request) -> Response {
    let same_origin = crate::auth::flow::is_same_origin(
        request.headers(),
        &dashboard.sign_in.config.public_origin,
    );
    if !same_origin {
        return (
            StatusCode::FORBIDDEN,
            "Uploads come from the dashboard's own page.",
        )
            .into_response();
    }
    let (parts, body) = request.into_parts();
    let form = match Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(form) => form,
        Err(rejection) => return rejection.into_response(),
    };
    let back = |message: &str| {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("error", message)
            .finish();
        Redirect::to(&format!("/drift?{query}")).into_response()
    };
    let text = match uploaded(form).await {
        Ok(text) => text,
        Err(message) => return back(&message),
    };
    match dashboard.drift_import(&parts, text).await {
        Ok(info) => Redirect::to(&format!("/drift?compare={}", info.id)).into_response(),
        Err(error @ ApiError::NotSignedIn { .. }) => refusal(&error),
        Err(error) => back(&error.to_string()),
    }
}
