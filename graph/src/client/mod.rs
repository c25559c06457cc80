//! The typed Microsoft Graph client: one `reqwest::Client`, a base URL from configuration (Microsoft
//! Graph or the emulator — the same code either way), the caller's token per call, retries that honour
//! `Retry-After`, paging through `@odata.nextLink`, and Graph's error envelope mapped to [`GraphError`].

mod batching;
mod error;
mod retry;
mod secret;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER,
};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::request::{Collection, Op, Request};

pub use batching::{BatchRequest, BatchResponse, MAX_BATCH};
pub use error::{GraphError, GraphErrorKind};
pub use retry::{is_retryable, parse_retry_after, RetryPolicy};
pub use secret::AccessToken;

pub use crate::request::CONSISTENCY_EVENTUAL;

/// A successful answer and the `request-id` Graph gave it (for the audit log).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    pub value: T,
    pub request_id: Option<String>,
}

/// One page of a Graph collection.
pub type Page<T> = Collection<T>;

#[derive(Debug, Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    /// e.g. `https://graph.microsoft.com/v1.0`, without a trailing slash.
    api_root: String,
    /// e.g. `https://graph.microsoft.com`: paging links must stay on it.
    origin: String,
    retry: RetryPolicy,
    /// Told about every HTTP answer (metrics); none by default.
    observer: Option<ResponseObserver>,
}

/// Called with the status of each HTTP answer Graph gives (every attempt, retries included), or
/// `None` when no answer came (connection refused, timed out): a hook for request metrics.
#[derive(Clone)]
pub struct ResponseObserver(Arc<dyn Fn(Option<u16>) + Send + Sync>);

impl ResponseObserver {
    pub fn new(observe: impl Fn(Option<u16>) + Send + Sync + 'static) -> Self {
        Self(Arc::new(observe))
    }

    fn observe(&self, status: Option<u16>) {
        (self.0)(status);
    }
}

impl std::fmt::Debug for ResponseObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseObserver")
    }
}

impl GraphClient {
    /// `base_url` is Graph's origin: `https://graph.microsoft.com`, or the emulator's.
    pub fn new(http: reqwest::Client, base_url: &str) -> Self {
        let origin = base_url.trim_end_matches('/').to_owned();
        Self {
            http,
            api_root: format!("{origin}/v1.0"),
            origin,
            retry: RetryPolicy::default(),
            observer: None,
        }
    }

    /// The same client, telling `observer` about each HTTP answer.
    pub fn with_observer(mut self, observer: ResponseObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Runs one operation and decodes its answer.
    pub async fn run<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        op: &Op<T>,
    ) -> Result<Answer<T>, GraphError> {
        let request = op.request();
        let body = match &request.body {
            Some(body) => Some(serde_json::to_vec(body).map_err(|err| {
                GraphError::decode(format!("cannot encode the request: {err}"), None)
            })?),
            None => None,
        };
        let headers = header_pairs(request);
        let (bytes, request_id) = self
            .execute(
                token,
                http_method(request.method),
                &self.url(&request.path),
                &headers,
                body,
                // Only reads are sent again after an ambiguous failure: a write (even an
                // idempotent PUT or DELETE) must reach Graph at most once.
                request.method == crate::request::Method::Get,
            )
            .await?;
        let value = decode_body(&bytes, request_id.clone())?;
        Ok(Answer { value, request_id })
    }

    /// Runs a request that an operation built (e.g. one of a set also sent as a `$batch`), its
    /// answer as plain JSON: decode it with that operation's [`Op::decode`].
    pub async fn run_request(
        &self,
        token: &AccessToken,
        request: &Request,
    ) -> Result<Answer<serde_json::Value>, GraphError> {
        self.run(token, &Op::from_request(request.clone())).await
    }

    /// Runs an operation where "not found" is a normal answer: 404 becomes `Ok(None)`.
    pub async fn run_optional<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        op: &Op<T>,
    ) -> Result<Option<Answer<T>>, GraphError> {
        match self.run(token, op).await {
            Ok(answer) => Ok(Some(answer)),
            Err(error) if error.kind == GraphErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Every item of a collection, following `@odata.nextLink`. For large collections prefer
    /// [`GraphClient::for_each_page`].
    pub async fn collect<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        op: &Op<Collection<T>>,
    ) -> Result<Vec<T>, GraphError> {
        let mut all = Vec::new();
        self.for_each_page(token, op, None, |page: Page<T>| all.extend(page.value))
            .await?;
        Ok(all)
    }

    /// Calls `on_page` for every page of a collection (at most `max_pages`), holding one page in
    /// memory at a time and resending the operation's headers on every page (Graph does not carry
    /// them over). Returns the number of pages read.
    pub async fn for_each_page<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        op: &Op<Collection<T>>,
        max_pages: Option<usize>,
        mut on_page: impl FnMut(Page<T>),
    ) -> Result<usize, GraphError> {
        let headers = header_pairs(op.request());
        let mut url = self.url(op.path());
        let mut pages = 0;
        loop {
            let Answer { value: page, .. } = self.get_url::<Page<T>>(token, &url, &headers).await?;
            pages += 1;
            let next = page.next_link.clone();
            on_page(page);
            match next {
                Some(next) if max_pages.is_none_or(|max| pages < max) => {
                    url = self.checked_next_link(next)?;
                }
                _ => return Ok(pages),
            }
        }
    }

    /// The items of a first page read elsewhere (e.g. in a `$batch`), with every further page;
    /// also answers how many further pages were requested.
    pub async fn rest_of<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        first: Page<T>,
    ) -> Result<(Vec<T>, usize), GraphError> {
        let mut all = first.value;
        let mut next = first.next_link;
        let mut pages = 0;
        while let Some(link) = next {
            let url = self.checked_next_link(link)?;
            pages += 1;
            let page: Page<T> = self.get_url(token, &url, &[]).await?.value;
            all.extend(page.value);
            next = page.next_link;
        }
        Ok((all, pages))
    }

    /// A paging link, provided it stays on Graph's own origin (the token goes with it).
    fn checked_next_link(&self, next: String) -> Result<String, GraphError> {
        if next.starts_with(&format!("{}/", self.origin)) {
            Ok(next)
        } else {
            Err(GraphError::decode(
                "a paging link pointed away from Graph; refusing to send the token there",
                None,
            ))
        }
    }

    /// The absolute URL of an API path such as `/tenantRelationships/multiTenantOrganization`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.api_root, path.trim_start_matches('/'))
    }

    /// GET and decode JSON.
    pub async fn get<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        path: &str,
    ) -> Result<Answer<T>, GraphError> {
        self.get_url(token, &self.url(path), &[]).await
    }

    /// GET where "not found" is a normal answer: 404 becomes `Ok(None)`.
    pub async fn get_optional<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        path: &str,
    ) -> Result<Option<Answer<T>>, GraphError> {
        match self.get(token, path).await {
            Ok(answer) => Ok(Some(answer)),
            Err(error) if error.kind == GraphErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Any method with an optional JSON body; `204 No Content` (and any empty body) gives `None`.
    pub async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Answer<Option<T>>, GraphError> {
        let idempotent = is_idempotent(&method);
        self.send_with(token, method, path, body, idempotent).await
    }

    /// [`GraphClient::send`], saying whether the request may be sent again after a failure that
    /// does not tell whether it was processed (a `$batch` of reads may, though it is a POST).
    pub(crate) async fn send_with<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        method: Method,
        path: &str,
        body: Option<&B>,
        idempotent: bool,
    ) -> Result<Answer<Option<T>>, GraphError> {
        let body = match body {
            Some(body) => Some(serde_json::to_vec(body).map_err(|err| {
                GraphError::decode(format!("cannot encode the request: {err}"), None)
            })?),
            None => None,
        };
        let (bytes, request_id) = self
            .execute(token, method, &self.url(path), &[], body, idempotent)
            .await?;
        // An empty body reads as `null`, i.e. `None`.
        let value = decode_body(&bytes, request_id.clone())?;
        Ok(Answer { value, request_id })
    }

    /// A `$count` segment such as `/users/$count?$filter=...` (sends `ConsistencyLevel: eventual`).
    pub async fn count(&self, token: &AccessToken, path: &str) -> Result<u64, GraphError> {
        let (bytes, request_id) = self
            .execute(
                token,
                Method::GET,
                &self.url(path),
                &[CONSISTENCY_EVENTUAL],
                None,
                true,
            )
            .await?;
        let text = String::from_utf8_lossy(&bytes);
        // Graph answers with a plain-text integer (some servers prefix a BOM).
        text.trim_start_matches('\u{feff}')
            .trim()
            .parse()
            .map_err(|_| {
                GraphError::decode(
                    format!(
                        "expected a count, got {:?}",
                        text.chars().take(40).collect::<String>()
                    ),
                    request_id,
                )
            })
    }

    async fn get_url<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Answer<T>, GraphError> {
        let (bytes, request_id) = self
            .execute(token, Method::GET, url, headers, None, true)
            .await?;
        let value = decode_body(&bytes, request_id.clone())?;
        Ok(Answer { value, request_id })
    }

    /// Sends with retries; returns the body and Graph's request id of the successful attempt.
    ///
    /// A request is sent again only when that cannot apply it twice: after a 429 or 503 (Graph
    /// refused it before processing it), a connection that could not be made, or — for
    /// `idempotent` requests only, which the callers set for reads alone — a 500/502/504, a
    /// timeout or a connection lost mid-way. No new attempt
    /// starts once the policy's deadline has passed, so the caller's own timeout is not reached
    /// while waiting.
    async fn execute(
        &self,
        token: &AccessToken,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
        idempotent: bool,
    ) -> Result<(Vec<u8>, Option<String>), GraphError> {
        let extra = header_map(headers)?;
        let started = tokio::time::Instant::now();
        let mut attempt = 1;
        let next_wait = |attempt: u32, retry_after: Option<Duration>| {
            self.retry
                .delay_with_jitter(attempt, retry_after, random_unit())
                .filter(|wait| started.elapsed() + *wait <= self.retry.deadline)
        };
        // One id for the call, kept on every retry (with `Retry-Attempt`, as Microsoft's Graph SDK
        // retry handler sends), so Graph's logs and ours show a retried call as one call.
        let client_request_id = uuid::Uuid::new_v4().to_string();
        loop {
            let mut request = self
                .http
                .request(method.clone(), url)
                .header(AUTHORIZATION, format!("Bearer {}", token.expose()))
                .header(ACCEPT, "application/json")
                .header("client-request-id", &client_request_id)
                .headers(extra.clone());
            if attempt > 1 {
                request = request.header("Retry-Attempt", (attempt - 1).to_string());
            }
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let outcome = request.send().await;
            if let Some(observer) = &self.observer {
                observer.observe(outcome.as_ref().ok().map(|answer| answer.status().as_u16()));
            }
            let (failure, retry_after) = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let request_id = response
                        .headers()
                        .get("request-id")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let retry_after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after);
                    let bytes = match response.bytes().await {
                        Ok(bytes) => bytes,
                        Err(err) => {
                            let failure =
                                GraphError::transport(format!("the answer was cut off: {err}"));
                            match next_wait(attempt, None).filter(|_| idempotent) {
                                Some(wait) => {
                                    pause(wait, &failure).await;
                                    attempt += 1;
                                    continue;
                                }
                                None => return Err(failure),
                            }
                        }
                    };
                    if (200..300).contains(&status) {
                        return Ok((bytes.to_vec(), request_id));
                    }
                    let failure =
                        GraphError::from_response(status, &bytes, request_id, retry_after);
                    let not_processed = matches!(status, 429 | 503);
                    if !is_retryable(status) || !(idempotent || not_processed) {
                        return Err(failure);
                    }
                    (failure, retry_after)
                }
                Err(err) => {
                    // A connection never made carried nothing; one lost mid-way may have.
                    let unsent = err.is_connect();
                    let failure = GraphError::transport(describe_transport(err));
                    if !(idempotent || unsent) {
                        return Err(failure);
                    }
                    (failure, None)
                }
            };
            match next_wait(attempt, retry_after) {
                Some(wait) => {
                    pause(wait, &failure).await;
                    attempt += 1;
                }
                None => return Err(failure),
            }
        }
    }
}

/// A number in [0, 1) for jitter, from a fresh v4 UUID's random bits (no extra dependency). The low
/// 62 bits of a v4 UUID are random (the two above them are the fixed variant).
fn random_unit() -> f64 {
    let random_62 = uuid::Uuid::new_v4().as_u128() as u64 & ((1 << 62) - 1);
    (random_62 >> 9) as f64 / (1u64 << 53) as f64
}

async fn pause(wait: Duration, failure: &GraphError) {
    tracing::debug!(wait_ms = wait.as_millis() as u64, reason = %failure, "retrying a Graph call");
    tokio::time::sleep(wait).await;
}

/// An answer's body as `T`; an empty body (`204`) reads as JSON `null`, which [`crate::NoContent`]
/// and `Option`s accept.
fn decode_body<T: DeserializeOwned>(
    bytes: &[u8],
    request_id: Option<String>,
) -> Result<T, GraphError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|err| {
        GraphError::decode(format!("unexpected answer from Graph: {err}"), request_id)
    })
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

fn http_method(method: crate::request::Method) -> Method {
    match method {
        crate::request::Method::Get => Method::GET,
        crate::request::Method::Post => Method::POST,
        crate::request::Method::Put => Method::PUT,
        crate::request::Method::Patch => Method::PATCH,
        crate::request::Method::Delete => Method::DELETE,
    }
}

fn header_pairs(request: &Request) -> Vec<(&str, &str)> {
    request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

impl<T: DeserializeOwned> Op<T> {
    /// Decodes this operation's answer from a `$batch` item (see [`GraphClient::batch_run`]).
    pub fn decode(&self, answer: Result<serde_json::Value, GraphError>) -> Result<T, GraphError> {
        serde_json::from_value(answer?)
            .map_err(|err| GraphError::decode(format!("unexpected answer from Graph: {err}"), None))
    }
}

fn header_map(headers: &[(&str, &str)]) -> Result<HeaderMap, GraphError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| GraphError::transport(format!("invalid header name {name}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| GraphError::transport(format!("invalid value for header {name}")))?;
        map.insert(name, value);
    }
    Ok(map)
}

/// Describes a transport failure without the URL (which may carry query parameters).
fn describe_transport(err: reqwest::Error) -> String {
    if err.is_timeout() {
        "the request timed out".to_owned()
    } else if err.is_connect() {
        "the connection was refused or could not be made".to_owned()
    } else {
        format!("the connection failed: {}", err.without_url())
    }
}
