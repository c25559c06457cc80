//! Fault injection for Graph paths (control API): latency, throttling with `Retry-After`, outages,
//! dropped connections and malformed JSON, so clients can be tested on the failures Graph has; and
//! quotas: per-app-per-tenant accounting of resource units (or writes) over a window, with the
//! identity and access throttling headers of microsoftgraph/microsoft-graph-docs-contrib
//! `concepts/throttling-limits.md` ("Identity and access service limits", "Additional headers"):
//! `x-ms-resource-unit` on every answer, `x-ms-throttle-limit-percentage` above 80 % of a quota,
//! and on 429 `Retry-After` (`concepts/throttling.md`), `x-ms-throttle-scope` and
//! `x-ms-throttle-information`.

use std::collections::{HashMap, VecDeque};
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
    /// A quota per application and tenant: each request's cost in `unit`s is counted for the pair
    /// (app id and tenant id of its token) over the last `window_seconds` of the emulator's clock;
    /// a request that takes the count above `limit` answers 429 `TooManyRequests`. Throttled
    /// requests count too ("all requests accrue against your usage limits",
    /// `concepts/throttling.md`).
    Quota {
        limit: u64,
        window_seconds: u64,
        #[serde(default)]
        unit: QuotaUnit,
        /// What has been counted (not part of the rule's JSON).
        #[serde(skip)]
        usage: Usage,
    },
}

/// What a quota counts (`concepts/throttling-limits.md`, "Identity and access service limits":
/// a resource unit quota and a write quota per application+tenant pair).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QuotaUnit {
    /// The request's resource units (the documented base cost, adjusted by query options).
    #[default]
    ResourceUnit,
    /// Writes: 1 for each POST, PATCH, PUT or DELETE, 0 for a GET.
    Write,
}

impl QuotaUnit {
    /// The `<Limit>` part of `x-ms-throttle-scope`.
    fn limit_name(self) -> &'static str {
        match self {
            Self::ResourceUnit => "ReadWrite",
            Self::Write => "Write",
        }
    }

    /// `x-ms-throttle-information` when this quota is exceeded.
    fn information(self) -> &'static str {
        match self {
            Self::ResourceUnit => "ResourceUnitLimitExceeded",
            Self::Write => "WriteLimitExceeded",
        }
    }
}

/// The costs counted by a quota, per (application id, tenant id): (unix second, units), oldest
/// first. Two usages always compare equal: a rule is the same rule whatever it has counted.
#[derive(Debug, Clone, Default)]
pub struct Usage(HashMap<(String, String), VecDeque<(i64, u64)>>);

impl PartialEq for Usage {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Usage {}

/// The outcome of counting one request against a quota.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Counted {
    /// Share of the limit used, this request included.
    share: f64,
    /// Seconds until a request of the same cost fits, when this one went over the limit.
    retry_after: Option<u64>,
}

impl Usage {
    /// Counts `units` for `pair` at `now` in a sliding window of `window` seconds.
    fn count(
        &mut self,
        pair: (String, String),
        now: i64,
        units: u64,
        limit: u64,
        window: u64,
    ) -> Counted {
        let window = i64::try_from(window.max(1)).unwrap_or(i64::MAX);
        let entries = self.0.entry(pair).or_default();
        while entries.front().is_some_and(|(at, _)| *at <= now - window) {
            entries.pop_front();
        }
        entries.push_back((now, units));
        let used: u64 = entries.iter().map(|(_, u)| u).sum();
        let share = used as f64 / limit.max(1) as f64;
        if used <= limit {
            return Counted {
                share,
                retry_after: None,
            };
        }
        Counted {
            share,
            retry_after: Some(seconds_until_room(entries, now, units, limit, window)),
        }
    }
}

/// Seconds from `now` until the entries still in the window leave room for `units` more.
fn seconds_until_room(
    entries: &VecDeque<(i64, u64)>,
    now: i64,
    units: u64,
    limit: u64,
    window: i64,
) -> u64 {
    let mut remaining: u64 = entries.iter().map(|(_, u)| u).sum();
    let mut wait = window;
    for (at, used) in entries {
        if remaining + units <= limit {
            break;
        }
        remaining -= used;
        wait = at + window - now;
    }
    u64::try_from(wait.max(1)).unwrap_or(1)
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

/// One Graph request as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub path: &'a str,
    /// The token's `tid`.
    pub tenant: Option<&'a str>,
    /// The token's `appid` (or `azp`).
    pub app: Option<&'a str>,
    pub resource_units: u64,
    pub write_units: u64,
    /// The emulator's clock (unix seconds).
    pub now: i64,
}

/// What the rules decide for one request.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Decision {
    /// The fault to inject, if any.
    pub fault: Option<Fault>,
    /// For a quota's 429: the seconds until the request would fit.
    pub retry_after: Option<u64>,
    /// The largest share of a quota used by the caller, this request included, when a quota
    /// counted it.
    pub quota_share: Option<f64>,
}

impl FaultRule {
    fn matches(&self, call: &Call<'_>) -> bool {
        call.path.starts_with(&self.path_prefix)
            && self
                .tenant
                .as_deref()
                .is_none_or(|wanted| call.tenant.is_some_and(|t| t.eq_ignore_ascii_case(wanted)))
    }

    /// Whether the rule hits a request it matches (its `ratio`).
    fn hits(&self) -> bool {
        self.ratio.is_none_or(|ratio| rand::random::<f64>() < ratio)
    }
}

impl Faults {
    /// The fault for `path` called by `tenant`, if a rule hits this request (counting it down).
    /// Quota rules are not consulted (see [`Faults::decide`]).
    pub fn pick(&self, path: &str, tenant: Option<&str>) -> Option<Fault> {
        let call = Call {
            path,
            tenant,
            app: None,
            resource_units: 1,
            write_units: 0,
            now: 0,
        };
        let mut rules = self.0.lock().unwrap_or_else(|p| p.into_inner());
        pick_plain(&mut rules, &call)
    }

    /// Counts `call` against every quota rule it matches, then decides: a quota's 429 when one is
    /// exceeded, else the first other rule that hits it, else nothing.
    pub fn decide(&self, call: &Call<'_>) -> Decision {
        let mut rules = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut decision = count_quotas(&mut rules, call);
        if decision.fault.is_none() {
            decision.fault = pick_plain(&mut rules, call);
        }
        decision
    }
}

/// Counts down a rule's `times`, removing it when used up.
fn use_once(rules: &mut Vec<FaultRule>, index: usize) {
    if let Some(times) = rules[index].times.as_mut() {
        *times = times.saturating_sub(1);
        if *times == 0 {
            rules.remove(index);
        }
    }
}

/// The first non-quota rule matching `call`, if it hits (counting it down).
fn pick_plain(rules: &mut Vec<FaultRule>, call: &Call<'_>) -> Option<Fault> {
    let index = rules
        .iter()
        .position(|rule| !matches!(rule.fault, Fault::Quota { .. }) && rule.matches(call))?;
    if !rules[index].hits() {
        return None;
    }
    let fault = rules[index].fault.clone();
    use_once(rules, index);
    Some(fault)
}

/// Counts `call` against the quota rules it matches; the first exceeded one (that hits) throttles.
fn count_quotas(rules: &mut Vec<FaultRule>, call: &Call<'_>) -> Decision {
    let mut decision = Decision::default();
    let Some(app) = call.app else {
        return decision;
    };
    let pair = (
        app.to_ascii_lowercase(),
        call.tenant.unwrap_or_default().to_ascii_lowercase(),
    );
    let mut throttling = None;
    for (index, rule) in rules.iter_mut().enumerate() {
        let matched = rule.matches(call);
        let Fault::Quota {
            limit,
            window_seconds,
            unit,
            usage,
        } = &mut rule.fault
        else {
            continue;
        };
        if !matched {
            continue;
        }
        let units = match unit {
            QuotaUnit::ResourceUnit => call.resource_units,
            QuotaUnit::Write => call.write_units,
        };
        let counted = usage.count(pair.clone(), call.now, units, *limit, *window_seconds);
        decision.quota_share = Some(decision.quota_share.unwrap_or(0.0).max(counted.share));
        if throttling.is_none() {
            if let Some(retry_after) = counted.retry_after {
                throttling = Some((index, retry_after));
            }
        }
    }
    if let Some((index, retry_after)) = throttling {
        if rules[index].hits() {
            if let Fault::Quota {
                limit,
                window_seconds,
                unit,
                ..
            } = &rules[index].fault
            {
                decision.fault = Some(Fault::Quota {
                    limit: *limit,
                    window_seconds: *window_seconds,
                    unit: *unit,
                    usage: Usage::default(),
                });
            }
            decision.retry_after = Some(retry_after);
            use_once(rules, index);
        }
    }
    decision
}

/// The claims of a bearer token, read without checking it (only to aim faults, count quotas and
/// label the log; the endpoints check tokens properly).
fn token_claims(headers: &axum::http::HeaderMap) -> Option<serde_json::Value> {
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
    serde_json::from_slice(&bytes).ok()
}

/// The `tid` of a bearer token, read without checking it.
pub fn token_tenant(headers: &axum::http::HeaderMap) -> Option<String> {
    token_claims(headers)?["tid"].as_str().map(str::to_owned)
}

/// The application (`appid`, else `azp`) of a bearer token, read without checking it.
pub fn token_app(headers: &axum::http::HeaderMap) -> Option<String> {
    let claims = token_claims(headers)?;
    claims["appid"]
        .as_str()
        .or_else(|| claims["azp"].as_str())
        .map(str::to_owned)
}

/// Base resource-unit costs of `concepts/throttling-limits.md` ("Identity and access service
/// limits"): method, path under the version (`{id}` = any one segment), cost. Any other request
/// costs 1.
const BASE_COSTS: &[(&str, &str, u64)] = &[
    ("GET", "applications", 2),
    ("GET", "applications/{id}/extensionProperties", 2),
    ("GET", "contracts", 3),
    ("POST", "directoryObjects/getByIds", 3),
    ("GET", "domains/{id}/domainNameReferences", 4),
    ("POST", "getObjectsById", 3),
    ("GET", "groups/{id}/members", 3),
    ("GET", "groups/{id}/transitiveMembers", 5),
    ("POST", "isMemberOf", 4),
    ("POST", "me/checkMemberGroups", 4),
    ("POST", "me/checkMemberObjects", 4),
    ("POST", "me/getMemberGroups", 2),
    ("POST", "me/getMemberObjects", 2),
    ("GET", "me/licenseDetails", 2),
    ("GET", "me/memberOf", 2),
    ("GET", "me/ownedObjects", 2),
    ("GET", "me/transitiveMemberOf", 2),
    ("GET", "oauth2PermissionGrants", 2),
    ("GET", "oauth2PermissionGrants/{id}", 2),
    ("GET", "servicePrincipals/{id}/appRoleAssignments", 2),
    ("GET", "subscribedSkus", 3),
    ("GET", "users", 2),
];

/// The path's segments under `/v1.0/`, with `users/{id|upn}/…` read as `me/…` (the page: a cost
/// for `me/` "also applies to equivalent requests starting with `users/{id | userPrincipalName}/`")
/// and a trailing OData cast (`microsoft.graph.directoryRole`) dropped.
fn cost_segments(path: &str) -> Vec<&str> {
    let under = path
        .strip_prefix("/v1.0/")
        .or_else(|| path.strip_prefix("/beta/"))
        .unwrap_or(path);
    let mut segments: Vec<&str> = under.split('/').filter(|s| !s.is_empty()).collect();
    if segments.len() > 2 && segments[0].eq_ignore_ascii_case("users") {
        segments.splice(0..2, ["me"]);
    }
    if segments.len() > 1
        && segments
            .last()
            .is_some_and(|s| s.to_ascii_lowercase().starts_with("microsoft.graph."))
    {
        segments.pop();
    }
    segments
}

fn pattern_matches(pattern: &str, segments: &[&str]) -> bool {
    let parts: Vec<&str> = pattern.split('/').collect();
    parts.len() == segments.len()
        && parts
            .iter()
            .zip(segments)
            .all(|(p, s)| *p == "{id}" || p.eq_ignore_ascii_case(s))
}

/// A request's resource units: the base cost of its method and path, `$select` −1, `$expand` +1,
/// `$top` below 20 −1, never below 1 (`concepts/throttling-limits.md`).
pub fn resource_units(method: &str, path: &str, query: Option<&str>) -> u64 {
    let segments = cost_segments(path);
    let base = BASE_COSTS
        .iter()
        .find(|(m, pattern, _)| {
            m.eq_ignore_ascii_case(method) && pattern_matches(pattern, &segments)
        })
        .map_or(1, |(_, _, cost)| *cost);
    let mut cost = i64::try_from(base).unwrap_or(1);
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.to_ascii_lowercase().as_str() {
            "$select" => cost -= 1,
            "$expand" => cost += 1,
            "$top" if value.trim().parse::<u64>().is_ok_and(|top| top < 20) => cost -= 1,
            _ => {}
        }
    }
    u64::try_from(cost.max(1)).unwrap_or(1)
}

/// A request's write cost: 1 for POST, PATCH, PUT and DELETE, 0 for reads (the page's "Write Cost").
pub fn write_units(method: &str) -> u64 {
    u64::from(!matches!(method, "GET" | "HEAD" | "OPTIONS"))
}

const NO_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Middleware on the Graph routes: counts quotas, injects the fault the rules decide, and marks
/// the answer with its resource units (and the quota share used above 80 %).
pub async fn inject(State(state): State<EmulatorState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let tenant = token_tenant(request.headers());
    let app = token_app(request.headers());
    // The `$batch` envelope is not counted: each of its requests is, on its own.
    let is_batch = path == "/v1.0/$batch";
    let units = resource_units(&method, &path, request.uri().query());
    let call = Call {
        path: &path,
        tenant: tenant.as_deref(),
        app: app.as_deref().filter(|_| !is_batch),
        resource_units: units,
        write_units: write_units(&method),
        now: state.clock().unix(),
    };
    let decision = state.0.faults.decide(&call);
    let scope_ids = (
        app.as_deref().unwrap_or(NO_ID).to_owned(),
        tenant.as_deref().unwrap_or(NO_ID).to_owned(),
    );
    let mut response = match decision.fault.clone() {
        None => next.run(request).await,
        Some(fault) => {
            let mut response =
                answer(&fault, decision.retry_after, &scope_ids, request, next).await;
            response.extensions_mut().insert(Injected(fault));
            response
        }
    };
    if !is_batch {
        mark_costs(&mut response, units, decision.quota_share);
    }
    response
}

/// `x-ms-resource-unit` on every answer; `x-ms-throttle-limit-percentage` on a regular answer
/// when more than 0.8 of a quota is used (the value runs from 0.8 to 1.8).
fn mark_costs(response: &mut Response, units: u64, quota_share: Option<f64>) {
    let headers = response.headers_mut();
    headers.insert("x-ms-resource-unit", HeaderValue::from(units));
    let regular = response.status() != StatusCode::TOO_MANY_REQUESTS;
    if let Some(share) = quota_share.filter(|share| *share > 0.8 && regular) {
        let value = format!("{:.2}", share.min(1.8));
        if let Ok(value) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert("x-ms-throttle-limit-percentage", value);
        }
    }
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
            Fault::Quota { .. } => Some("quota"),
        }
    }
}

/// 429 `TooManyRequests` with `Retry-After` and the identity throttling headers:
/// `x-ms-throttle-scope` `Tenant_Application/<Limit>/<appId>/<tenantId>` and
/// `x-ms-throttle-information`.
fn too_many_requests(
    retry_after: u64,
    limit: &str,
    information: &str,
    ids: &(String, String),
) -> Response {
    let mut response = GraphError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Too many requests.",
    )
    .into_response();
    let scope = format!("Tenant_Application/{limit}/{}/{}", ids.0, ids.1);
    let headers = response.headers_mut();
    headers.insert("Retry-After", HeaderValue::from(retry_after));
    if let Ok(value) = HeaderValue::from_str(&scope) {
        headers.insert("x-ms-throttle-scope", value);
    }
    if let Ok(value) = HeaderValue::from_str(information) {
        headers.insert("x-ms-throttle-information", value);
    }
    response
}

async fn answer(
    fault: &Fault,
    retry_after: Option<u64>,
    ids: &(String, String),
    request: Request,
    next: Next,
) -> Response {
    match fault {
        Fault::Latency { millis } => {
            tokio::time::sleep(Duration::from_millis(*millis)).await;
            next.run(request).await
        }
        Fault::Throttle { retry_after } => {
            too_many_requests(*retry_after, "ReadWrite", "ResourceUnitLimitExceeded", ids)
        }
        Fault::Quota {
            unit,
            window_seconds,
            ..
        } => too_many_requests(
            retry_after.unwrap_or(*window_seconds),
            unit.limit_name(),
            unit.information(),
            ids,
        ),
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

    #[test]
    fn resource_units_follow_the_documented_costs_and_query_options() {
        assert_eq!(resource_units("GET", "/v1.0/users", None), 2);
        assert_eq!(resource_units("GET", "/v1.0/users/abc", None), 1);
        assert_eq!(resource_units("GET", "/v1.0/groups/g1/members", None), 3);
        assert_eq!(
            resource_units("GET", "/v1.0/groups/g1/members", Some("$select=id&$top=5")),
            1
        );
        assert_eq!(
            resource_units("GET", "/v1.0/users", Some("%24expand=manager")),
            3
        );
        assert_eq!(resource_units("GET", "/v1.0/users/u1/memberOf", None), 2);
        assert_eq!(
            resource_units(
                "GET",
                "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole",
                None
            ),
            2
        );
        assert_eq!(
            resource_units("GET", "/v1.0/me", Some("$select=id")),
            1,
            "never below 1"
        );
        assert_eq!(resource_units("POST", "/v1.0/users", None), 1);
        assert_eq!(write_units("GET"), 0);
        assert_eq!(write_units("PATCH"), 1);
    }

    #[test]
    fn a_quota_counts_per_pair_in_a_sliding_window() {
        let mut usage = Usage::default();
        let pair = |t: &str| ("app".to_owned(), t.to_owned());
        assert_eq!(usage.count(pair("a"), 100, 3, 5, 10).retry_after, None);
        assert_eq!(usage.count(pair("b"), 100, 5, 5, 10).retry_after, None);
        let over = usage.count(pair("a"), 104, 3, 5, 10);
        assert_eq!(over.share, 1.2);
        // Both entries must leave (the later one at 114) before 3 more fit.
        assert_eq!(over.retry_after, Some(10));
        assert_eq!(usage.count(pair("a"), 114, 3, 5, 10).retry_after, None);
    }

    #[test]
    fn quota_rules_parse_and_throttle_only_past_the_limit() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"pathPrefix":"/v1.0/","kind":"quota","limit":2,"windowSeconds":60,"unit":"write"}"#,
        )
        .unwrap();
        assert!(matches!(
            rule.fault,
            Fault::Quota {
                limit: 2,
                window_seconds: 60,
                unit: QuotaUnit::Write,
                ..
            }
        ));
        let faults = Faults::default();
        faults.0.lock().unwrap().push(rule);
        let call = |write_units| Call {
            path: "/v1.0/users",
            tenant: Some("t"),
            app: Some("app"),
            resource_units: 2,
            write_units,
            now: 1_000,
        };
        assert_eq!(faults.decide(&call(0)).fault, None);
        assert_eq!(faults.decide(&call(1)).fault, None);
        let at_limit = faults.decide(&call(1));
        assert_eq!((at_limit.fault, at_limit.quota_share), (None, Some(1.0)));
        let over = faults.decide(&call(1));
        assert!(matches!(over.fault, Some(Fault::Quota { .. })));
        assert_eq!(over.retry_after, Some(60));
        let unauthenticated = Call {
            app: None,
            ..call(1)
        };
        assert_eq!(faults.decide(&unauthenticated), Decision::default());
    }
}
