//! Fault injection for Graph paths (control API): latency, throttling with `Retry-After`, outages,
//! dropped connections and malformed JSON, so clients can be tested on the failures Graph has.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::GraphError;
use crate::EmulatorState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Fault {
    /// Answer normally, after a delay.
    Latency { millis: u64 },
    /// 429 `TooManyRequests` with `Retry-After` (seconds).
    Throttle { retry_after: u64 },
    /// 503 `serviceNotAvailable`.
    Unavailable,
    /// The connection is cut while the body is sent.
    Drop,
    /// 200 with a body that is not JSON.
    Malformed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Applies to request paths starting with this (e.g. `/v1.0/users`).
    pub path_prefix: String,
    /// Only calls made with a token for this tenant (id); absent = any caller.
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(flatten)]
    pub fault: Fault,
    /// How many matching requests it hits; absent = every one.
    #[serde(default)]
    pub times: Option<u32>,
    /// Fraction of matching requests it hits (0..=1), chosen at random; absent = all.
    #[serde(default)]
    pub ratio: Option<f64>,
}

#[derive(Default)]
pub struct Faults(pub Mutex<Vec<FaultRule>>);

impl Faults {
    /// The fault for `path` called by `tenant`, if a rule hits this request (counting it down).
    fn pick(&self, path: &str, tenant: Option<&str>) -> Option<Fault> {
        let mut rules = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let index = rules.iter().position(|rule| {
            path.starts_with(&rule.path_prefix)
                && rule
                    .tenant
                    .as_deref()
                    .is_none_or(|wanted| tenant.is_some_and(|t| t.eq_ignore_ascii_case(wanted)))
        })?;
        let rule = &mut rules[index];
        if let Some(ratio) = rule.ratio {
            if rand::random::<f64>() >= ratio {
                return None;
            }
        }
        let fault = rule.fault.clone();
        if let Some(times) = rule.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                rules.remove(index);
            }
        }
        Some(fault)
    }
}

/// The `tid` of a bearer token, read without checking it (only to aim faults and label the log;
/// the endpoints check tokens properly).
pub fn token_tenant(headers: &axum::http::HeaderMap) -> Option<String> {
    use base64::Engine;
    let token = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims["tid"].as_str().map(str::to_owned)
}

/// Middleware on the Graph routes.
pub async fn inject(State(state): State<EmulatorState>, request: Request, next: Next) -> Response {
    let tenant = token_tenant(request.headers());
    let Some(fault) = state.0.faults.pick(request.uri().path(), tenant.as_deref()) else {
        return next.run(request).await;
    };
    let mut response = answer(fault.clone(), request, next).await;
    response.extensions_mut().insert(Injected(fault));
    response
}

/// The fault a response was given (for the request log): `None` there means the request was
/// served, or at least reached the endpoint after an injected delay.
#[derive(Debug, Clone)]
pub struct Injected(pub Fault);

impl Injected {
    /// The fault's kind, as the request log shows it; a delay is not shown (the request was served).
    pub fn kind(&self) -> Option<&'static str> {
        match self.0 {
            Fault::Latency { .. } => None,
            Fault::Throttle { .. } => Some("throttle"),
            Fault::Unavailable => Some("unavailable"),
            Fault::Drop => Some("drop"),
            Fault::Malformed => Some("malformed"),
        }
    }
}

async fn answer(fault: Fault, request: Request, next: Next) -> Response {
    match fault {
        Fault::Latency { millis } => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Fault::Throttle { retry_after } => {
            let mut response = GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Too many requests.",
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert("Retry-After", value);
            }
            response
        }
        Fault::Unavailable => GraphError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceNotAvailable",
            "The service is temporarily unavailable.",
        )
        .into_response(),
        Fault::Drop => {
            let stream = futures_stream_error();
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from_stream(stream))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Fault::Malformed => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"value\": [ this is not json",
        )
            .into_response(),
    }
}

/// A body that fails after its first bytes: the server then aborts the connection.
fn futures_stream_error() -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send
{
    futures_util::stream::iter(vec![
        Ok(b"{\"value\":[".to_vec()),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault injected: connection dropped",
        )),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_by_prefix_and_count_down() {
        let faults = Faults::default();
        faults.0.lock().unwrap().push(FaultRule {
            path_prefix: "/v1.0/users".into(),
            tenant: None,
            fault: Fault::Unavailable,
            times: Some(2),
            ratio: None,
        });
        assert_eq!(faults.pick("/v1.0/me", None), None);
        assert_eq!(
            faults.pick("/v1.0/users?$top=5", None),
            Some(Fault::Unavailable)
        );
        assert_eq!(faults.pick("/v1.0/users", None), Some(Fault::Unavailable));
        assert_eq!(faults.pick("/v1.0/users", None), None, "used up");
    }

    #[test]
    fn rules_for_a_tenant_spare_the_others() {
        let faults = Faults::default();
        faults.0.lock().unwrap().push(FaultRule {
            path_prefix: "/v1.0/".into(),
            tenant: Some("ABC".into()),
            fault: Fault::Unavailable,
            times: None,
            ratio: None,
        });
        assert_eq!(faults.pick("/v1.0/me", Some("xyz")), None);
        assert_eq!(faults.pick("/v1.0/me", None), None);
        assert_eq!(
            faults.pick("/v1.0/me", Some("abc")),
            Some(Fault::Unavailable)
        );
    }

    #[test]
    fn rules_parse_from_the_control_api_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"pathPrefix":"/v1.0/","kind":"throttle","retryAfter":2,"times":1}"#,
        )
        .unwrap();
        assert_eq!(rule.fault, Fault::Throttle { retry_after: 2 });
        let rule: FaultRule = serde_json::from_str(
            r#"{"pathPrefix":"/v1.0/","kind":"latency","millis":50,"ratio":0.5}"#,
        )
        .unwrap();
        assert_eq!(rule.ratio, Some(0.5));
    }
}
