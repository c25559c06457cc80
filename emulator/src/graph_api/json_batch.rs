//! `POST /v1.0/$batch` (`microsoftgraph/microsoft-graph-docs-contrib` `concepts/json-batching.md`):
//! up to 20 requests, each dispatched through the same Graph routes (so each is authorized with the
//! batch's token and may be throttled on its own), answered together with per-item status. Items
//! without `dependsOn` run concurrently; with `dependsOn`, items run in the order given and an item
//! whose dependency failed answers 424.

use std::collections::{HashMap, HashSet};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use futures_util::future::join_all;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tower::ServiceExt;

use super::Caller;
use crate::error::GraphError;
use crate::EmulatorState;

pub const MAX_REQUESTS: usize = 20;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    id: Option<String>,
    method: Option<String>,
    url: Option<String>,
    #[serde(default)]
    headers: HashMap<String, String>,
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct BatchBody {
    requests: Vec<Item>,
}

/// A batch item ready to run.
struct Prepared {
    id: String,
    method: Method,
    url: String,
    headers: HashMap<String, String>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

fn validate(body: &[u8]) -> Result<Vec<Prepared>, GraphError> {
    let batch: BatchBody = serde_json::from_slice(body).map_err(|err| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Invalid batch payload format: {err}"),
        )
    })?;
    if batch.requests.is_empty() {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Invalid batch payload format: the batch has no requests.",
        ));
    }
    if batch.requests.len() > MAX_REQUESTS {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Number of batch requests exceeds the maximum of {MAX_REQUESTS}."),
        ));
    }
    let mut seen = HashSet::new();
    batch
        .requests
        .into_iter()
        .map(|item| {
            let id = item.id.filter(|id| !id.trim().is_empty()).ok_or_else(|| {
                GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "Every batch request needs an id.",
                )
            })?;
            if !seen.insert(id.to_lowercase()) {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("Batch request ids must be unique; '{id}' appears more than once."),
                ));
            }
            let method = item
                .method
                .and_then(|m| Method::from_bytes(m.to_uppercase().as_bytes()).ok())
                .ok_or_else(|| {
                    GraphError::new(
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        format!("Batch request '{id}' has no valid method."),
                    )
                })?;
            let url = item.url.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
                GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("Batch request '{id}' has no url."),
                )
            })?;
            if item.body.is_some()
                && !item
                    .headers
                    .keys()
                    .any(|k| k.eq_ignore_ascii_case("content-type"))
            {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("Batch request '{id}' has a body but no Content-Type header."),
                ));
            }
            Ok(Prepared {
                id,
                method,
                url,
                headers: item.headers,
                body: item.body,
                depends_on: item.depends_on,
            })
        })
        .collect()
}

/// The item's URL as a request target: characters a URI cannot carry as they are (spaces, quotes,
/// non-ASCII letters, a `%` that starts no escape, …) percent-encoded, escapes already present
/// (`%20`, `%27`, `%C3%A9`) kept, so that the item's query is decoded once, like a direct call's.
/// A fragment (`#…`) is not part of the request, as in any URL.
fn request_target(url: &str) -> String {
    let path = url.split('#').next().unwrap_or_default();
    let bytes = path.as_bytes();
    let mut target = String::with_capacity(path.len());
    for (index, &byte) in bytes.iter().enumerate() {
        let escape = byte == b'%'
            && bytes
                .get(index + 1..index + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
        let allowed =
            byte.is_ascii_alphanumeric() || b"-._~:/?[]@!$&'()*+,;=".contains(&byte) || escape;
        if allowed {
            target.push(char::from(byte));
        } else {
            target.push_str(&format!("%{byte:02X}"));
        }
    }
    target
}

/// The item's path under `/v1.0`, accepting `users`, `/users`, `/v1.0/users` and absolute URLs.
fn item_path(url: &str) -> String {
    let url = url.trim();
    let without_origin = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url);
    let path = without_origin.trim_start_matches('/');
    let path = path.strip_prefix("v1.0/").unwrap_or(path);
    format!("/v1.0/{path}")
}

fn item_error(id: &str, error: GraphError) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    json!({"id": id, "status": error.status.as_u16(),
        "headers": {"Content-Type": "application/json", "request-id": request_id},
        "body": {"error": {"code": error.code, "message": error.message,
            "innerError": {"date": date, "request-id": request_id, "client-request-id": request_id}}}})
}

async fn run(router: Router, authorization: Option<HeaderValue>, item: &Prepared) -> Value {
    let path = item_path(&item.url);
    if path.starts_with("/v1.0/$batch") {
        return item_error(
            &item.id,
            GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "A batch cannot contain another batch.",
            ),
        );
    }
    let mut builder = Request::builder()
        .method(item.method.clone())
        .uri(request_target(&path));
    if let Some(auth) = authorization {
        builder = builder.header("authorization", auth);
    }
    for (name, value) in &item.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = item
        .body
        .as_ref()
        .map(|b| Body::from(b.to_string()))
        .unwrap_or_else(Body::empty);
    let request = match builder.body(body) {
        Ok(request) => request,
        Err(err) => {
            return item_error(
                &item.id,
                GraphError::bad_request(format!("Invalid batch request url or headers: {err}")),
            )
        }
    };
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status().as_u16();
    let headers = copy_headers(response.headers());
    let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let mut answer = json!({"id": item.id, "status": status, "headers": headers});
    if !bytes.is_empty() {
        answer["body"] = serde_json::from_slice::<Value>(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    }
    answer
}

fn copy_headers(headers: &HeaderMap) -> Value {
    let mut out = Map::new();
    for (name, key) in [
        ("content-type", "Content-Type"),
        ("retry-after", "Retry-After"),
        ("request-id", "request-id"),
        ("location", "Location"),
    ] {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            out.insert(key.to_owned(), json!(value));
        }
    }
    Value::Object(out)
}

fn failed_dependency(id: &str, dependency: &str) -> Value {
    json!({"id": id, "status": 424, "headers": {"Content-Type": "application/json"},
        "body": {"error": {"code": "FailedDependency", "message": format!("The request depends on '{dependency}', which failed.")}}})
}

pub async fn batch(
    State(state): State<EmulatorState>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, GraphError> {
    // The token is checked once for the batch (401 for all), then again by each item.
    let _ = caller;
    let items = validate(&body)?;
    let router = crate::graph_api::item_router(state);
    let authorization = headers.get(axum::http::header::AUTHORIZATION).cloned();
    let responses: Vec<Value> = if items.iter().all(|i| i.depends_on.is_empty()) {
        join_all(
            items
                .iter()
                .map(|item| run(router.clone(), authorization.clone(), item)),
        )
        .await
    } else {
        let mut statuses: HashMap<String, u16> = HashMap::new();
        let mut answers = Vec::with_capacity(items.len());
        for item in &items {
            let failed = item.depends_on.iter().find(|d| {
                statuses
                    .get(&d.to_lowercase())
                    .is_none_or(|status| *status >= 400)
            });
            let answer = match failed {
                Some(dependency) => failed_dependency(&item.id, dependency),
                None => run(router.clone(), authorization.clone(), item).await,
            };
            let status = answer["status"].as_u64().unwrap_or(500) as u16;
            statuses.insert(item.id.to_lowercase(), status);
            answers.push(answer);
        }
        answers
    };
    Ok(Json(json!({ "responses": responses })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_urls_resolve_under_the_version_root() {
        assert_eq!(item_path("users?$top=5"), "/v1.0/users?$top=5");
        assert_eq!(item_path("/users"), "/v1.0/users");
        assert_eq!(item_path("/v1.0/me"), "/v1.0/me");
        assert_eq!(item_path("https://graph.microsoft.com/v1.0/me"), "/v1.0/me");
    }

    #[test]
    fn item_urls_are_encoded_once() {
        assert_eq!(
            request_target("/v1.0/users?$filter=startswith(displayName,'Zoë O''Brien')&$top=5"),
            "/v1.0/users?$filter=startswith(displayName,'Zo%C3%AB%20O''Brien')&$top=5"
        );
        assert_eq!(
            request_target("/v1.0/users?$filter=jobId%20eq%20'a'%20and%20x%20eq%20'100%'"),
            "/v1.0/users?$filter=jobId%20eq%20'a'%20and%20x%20eq%20'100%25'"
        );
        assert_eq!(request_target("/v1.0/a?b=\"c\"#d"), "/v1.0/a?b=%22c%22");
    }

    #[test]
    fn malformed_batches_are_refused_as_a_whole() {
        let too_many: Vec<Value> = (0..21)
            .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
            .collect();
        let body = json!({ "requests": too_many }).to_string();
        assert!(validate(body.as_bytes()).is_err());
        let duplicate = json!({"requests": [
            {"id": "A", "method": "GET", "url": "/me"}, {"id": "a", "method": "GET", "url": "/me"}]});
        assert!(validate(duplicate.to_string().as_bytes()).is_err());
        let no_type = json!({"requests": [{"id": "1", "method": "POST", "url": "/x", "body": {}}]});
        assert!(validate(no_type.to_string().as_bytes()).is_err());
        assert!(validate(b"not json").is_err());
        let fine = json!({"requests": [{"id": "1", "method": "get", "url": "/me"}]});
        assert_eq!(
            validate(fine.to_string().as_bytes()).unwrap()[0].method,
            Method::GET
        );
    }
}
