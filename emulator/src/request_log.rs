//! The request log (control API `GET /_emulator/requests`): every Graph call with its caller's
//! tenant, status and duration, newest last, so tests and people can see what a client really sent.
//! The same layer gives every answer its `request-id` header.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::EmulatorState;

/// Entries kept (oldest dropped first).
pub const CAPACITY: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub at: String,
    pub method: String,
    /// Path and query, as sent.
    pub url: String,
    /// The `tid` of the caller's token, when there was one.
    pub tenant: Option<String>,
    pub status: u16,
    pub millis: u64,
    pub request_id: Option<String>,
    /// The caller's `client-request-id`: a client that retries a call sends the same one again.
    pub client_request_id: Option<String>,
    /// The fault injected instead of serving the request (`throttle`, `unavailable`, `drop`,
    /// `malformed`); absent when the endpoint served it.
    pub fault: Option<&'static str>,
}

#[derive(Default)]
pub struct RequestLog(Mutex<VecDeque<Entry>>);

impl RequestLog {
    pub fn push(&self, entry: Entry) {
        let mut log = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() >= CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Middleware on the Graph routes (outside fault injection, so injected failures are logged too).
pub async fn record(State(state): State<EmulatorState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let url = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let tenant = crate::faults::token_tenant(request.headers());
    let client_request_id = request.headers().get("client-request-id").cloned();
    let at = crate::mto_state::iso(state.clock().unix());
    let echoed = client_request_id
        .as_ref()
        .and_then(|id| id.to_str().ok())
        .map(str::to_owned);
    let mut response = crate::error::CLIENT_REQUEST_ID
        .scope(echoed.clone(), next.run(request))
        .await;
    // Every Graph answer carries a request id, and echoes the client's, as Graph does.
    if !response.headers().contains_key("request-id") {
        if let Ok(id) = axum::http::HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
            response.headers_mut().insert("request-id", id);
        }
    }
    if let Some(id) = client_request_id {
        response.headers_mut().insert("client-request-id", id);
    }
    state.0.requests.push(Entry {
        at,
        method,
        url,
        tenant,
        status: response.status().as_u16(),
        millis: started.elapsed().as_millis() as u64,
        request_id: response
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        client_request_id: echoed,
        fault: response
            .extensions()
            .get::<crate::faults::Injected>()
            .and_then(crate::faults::Injected::kind),
    });
    response
}
