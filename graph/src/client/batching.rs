//! JSON batching (`microsoftgraph/microsoft-graph-docs-contrib` `concepts/json-batching.md`;
//! `Retry-After` per `concepts/throttling.md`): up to 20 requests in one `POST /$batch`. Items are
//! answered independently (a 200 batch may hold 404s and 429s); throttled or unavailable items are
//! sent again, alone, after the longest `Retry-After` they asked for.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{parse_retry_after, random_unit, AccessToken, GraphClient, GraphError};

/// Graph's limit of requests per batch.
pub const MAX_BATCH: usize = 20;

/// One request of a batch. `url` is relative to the version root, e.g. `/users?$top=5`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRequest {
    /// Filled in by [`GraphClient::batch`].
    pub id: String,
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl BatchRequest {
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            id: String::new(),
            method: "GET".into(),
            url: url.into(),
            headers: BTreeMap::new(),
            body: None,
        }
    }

    /// A request with a JSON body (`Content-Type` set, as Graph requires).
    pub fn with_body(method: Method, url: impl Into<String>, body: Value) -> Self {
        let mut request = Self::get(url);
        request.method = method.as_str().to_owned();
        request
            .headers
            .insert("Content-Type".into(), "application/json".into());
        request.body = Some(body);
        request
    }

    /// A header for this request only (e.g. `ConsistencyLevel: eventual`).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }
}

impl From<&crate::Request> for BatchRequest {
    fn from(request: &crate::Request) -> Self {
        let mut item = match &request.body {
            Some(body) => Self::with_body(
                super::http_method(request.method),
                request.path.clone(),
                body.clone(),
            ),
            None => {
                let mut item = Self::get(request.path.clone());
                item.method = request.method.as_str().to_owned();
                item
            }
        };
        for (name, value) in &request.headers {
            item = item.header(name, value);
        }
        item
    }
}

/// One answer of a batch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchResponse {
    pub id: String,
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<Value>,
}

impl BatchResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn retry_after(&self) -> Option<Duration> {
        self.header("Retry-After").and_then(parse_retry_after)
    }

    /// The typed error for a failed item, exactly as a plain call would have failed.
    pub fn error(&self) -> Option<GraphError> {
        (!(200..300).contains(&self.status)).then(|| {
            let body = self
                .body
                .as_ref()
                .map(|b| serde_json::to_vec(b).unwrap_or_default())
                .unwrap_or_default();
            GraphError::from_response(
                self.status,
                &body,
                self.header("request-id").map(str::to_owned),
                self.retry_after(),
            )
        })
    }

    /// The item's JSON body, or its error.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        if let Some(error) = self.error() {
            return Err(error);
        }
        serde_json::from_value(self.body.clone().unwrap_or(Value::Null)).map_err(|err| {
            GraphError::decode(
                format!("unexpected answer from Graph: {err}"),
                self.header("request-id").map(str::to_owned),
            )
        })
    }
}

#[derive(Serialize)]
struct BatchBody<'a> {
    requests: &'a [BatchRequest],
}

#[derive(Deserialize)]
struct BatchAnswer {
    #[serde(default)]
    responses: Vec<BatchResponse>,
}

impl GraphClient {
    /// Sends `requests` in batches of at most [`MAX_BATCH`]; answers come back in request order.
    /// A batch that fails as a whole fails the call; failed items are answers like any other.
    pub async fn batch(
        &self,
        token: &AccessToken,
        requests: Vec<BatchRequest>,
    ) -> Result<Vec<BatchResponse>, GraphError> {
        let mut answers = Vec::with_capacity(requests.len());
        for chunk in requests.chunks(MAX_BATCH) {
            answers.extend(self.batch_chunk(token, chunk).await?);
        }
        Ok(answers)
    }

    /// Runs `requests` through `$batch`, one answer per request in order (decode each with its
    /// [`crate::Op::decode`]). A batch that fails as a whole gives its error for every request, so
    /// callers treat each answer alike.
    pub async fn batch_run(
        &self,
        token: &AccessToken,
        requests: &[&crate::Request],
    ) -> Vec<Result<serde_json::Value, GraphError>> {
        let items: Vec<BatchRequest> = requests.iter().map(|r| BatchRequest::from(*r)).collect();
        match self.batch(token, items).await {
            Ok(responses) => responses.iter().map(BatchResponse::json).collect(),
            Err(error) => requests.iter().map(|_| Err(error.clone())).collect(),
        }
    }

    async fn batch_chunk(
        &self,
        token: &AccessToken,
        chunk: &[BatchRequest],
    ) -> Result<Vec<BatchResponse>, GraphError> {
        let mut pending: Vec<BatchRequest> = chunk
            .iter()
            .enumerate()
            .map(|(i, r)| BatchRequest {
                id: (i + 1).to_string(),
                ..r.clone()
            })
            .collect();
        let mut done: BTreeMap<usize, BatchResponse> = BTreeMap::new();
        let mut attempt = 1;
        loop {
            // Reads only: the batch may be sent again whatever happened to it.
            let reads_only = pending.iter().all(|r| r.method == "GET");
            let answer: BatchAnswer = self
                .send_with(
                    token,
                    Method::POST,
                    "/$batch",
                    Some(&BatchBody { requests: &pending }),
                    reads_only,
                )
                .await?
                .value
                .ok_or_else(|| GraphError::decode("an empty answer to $batch", None))?;
            let mut retry = Vec::new();
            let mut wait: Option<Duration> = None;
            for response in answer.responses {
                let Ok(index) = response.id.parse::<usize>() else {
                    continue;
                };
                // Throttled or unavailable before processing; a 504 only for a read (a write may
                // have been done already).
                let read = pending
                    .iter()
                    .any(|r| r.id == response.id && r.method == "GET");
                if matches!(response.status, 429 | 503) || (response.status == 504 && read) {
                    if let Some(request) = pending.iter().find(|r| r.id == response.id) {
                        retry.push(request.clone());
                        wait = wait.max(response.retry_after());
                    }
                }
                done.insert(index, response);
            }
            let Some(delay) = (!retry.is_empty())
                .then(|| self.retry.delay_with_jitter(attempt, wait, random_unit()))
                .flatten()
            else {
                break;
            };
            tracing::debug!(
                items = retry.len(),
                wait_ms = delay.as_millis() as u64,
                "retrying throttled batch items"
            );
            tokio::time::sleep(delay).await;
            pending = retry;
            attempt += 1;
        }
        (1..=chunk.len())
            .map(|index| {
                done.remove(&index).ok_or_else(|| {
                    GraphError::decode(format!("$batch left request {index} unanswered"), None)
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_errors_become_the_same_typed_errors_as_plain_calls() {
        let response = BatchResponse {
            id: "1".into(),
            status: 404,
            headers: BTreeMap::from([("request-id".into(), "abc".into())]),
            body: Some(
                serde_json::json!({"error": {"code": "Request_ResourceNotFound", "message": "gone"}}),
            ),
        };
        let error = response.json::<Value>().unwrap_err();
        assert_eq!(error.kind, crate::client::GraphErrorKind::NotFound);
        assert!(error.has_code("Request_ResourceNotFound"));
        assert_eq!(error.request_id.as_deref(), Some("abc"));
        let throttled = BatchResponse {
            id: "2".into(),
            status: 429,
            headers: BTreeMap::from([("Retry-After".into(), "3".into())]),
            body: None,
        };
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(3)));
        assert!(matches!(
            throttled.error().unwrap().kind,
            crate::client::GraphErrorKind::Throttled { .. }
        ));
    }

    #[test]
    fn requests_serialise_like_the_documented_body() {
        let request = BatchRequest::get("/users?$top=5").header("ConsistencyLevel", "eventual");
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["method"], "GET");
        assert_eq!(json["headers"]["ConsistencyLevel"], "eventual");
        assert!(json.get("body").is_none());
        let post = BatchRequest::with_body(Method::POST, "/x", serde_json::json!({"a": 1}));
        assert_eq!(
            serde_json::to_value(&post).unwrap()["headers"]["Content-Type"],
            "application/json"
        );
    }
}
