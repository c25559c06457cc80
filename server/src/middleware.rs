//! The HTTP stack around every route: request ids, request logging, panics turned into an error page
//! with a reference, security headers, compression and a body size limit.

use std::panic::AssertUnwindSafe;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use futures_util::FutureExt;
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::settings::{Mode, Settings};

pub use app::request_id::HEADER as REQUEST_ID_HEADER;

/// Request ids are random UUIDs (the same form Graph uses for `request-id`).
#[derive(Clone, Copy, Default)]
pub struct MakeRequestUuid;

impl MakeRequestId for MakeRequestUuid {
    fn make_request_id<B>(&mut self, _request: &http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .ok()
            .map(RequestId::new)
    }
}

pub fn request_id_header() -> HeaderName {
    HeaderName::from_static(REQUEST_ID_HEADER)
}

/// Whether a response to `path` may be kept by the browser: the built bundle and static files may;
/// pages, server functions, exports and sign-in steps, which carry one person's tenant data, never.
pub fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.ico"
}

/// `Cache-Control: no-store` on every response that is not a static asset, unless the handler set
/// its own (OWASP ASVS 8.2.1: no sensitive data in browser caches).
pub async fn no_store(request: Request, next: Next) -> Response {
    let store_forbidden = !is_static_asset(request.uri().path());
    let mut response = next.run(request).await;
    if store_forbidden && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Where a client's own `x-request-id` is kept, once checked: logs and error pages quote ours.
pub const CLIENT_REQUEST_ID_HEADER: &str = "x-client-request-id";

/// The longest client request id kept.
const CLIENT_REQUEST_ID_MAX: usize = 64;

/// A client's request id when it is short and made of letters, digits, `-`, `_`, `.` and `:` only.
pub fn sanitised_client_request_id(value: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(value).ok()?;
    let fine = !text.is_empty()
        && text.len() <= CLIENT_REQUEST_ID_MAX
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    fine.then_some(text)
}

/// The dashboard's request id is always its own: a client's `x-request-id` is moved to
/// `x-client-request-id` (dropped unless [`sanitised_client_request_id`] keeps it) before ours is set.
pub async fn own_request_id(mut request: Request, next: Next) -> Response {
    let headers = request.headers_mut();
    if let Some(theirs) = headers.remove(REQUEST_ID_HEADER) {
        headers.remove(CLIENT_REQUEST_ID_HEADER);
        if let Some(kept) = sanitised_client_request_id(theirs.as_bytes())
            .and_then(|text| HeaderValue::from_str(text).ok())
        {
            headers.insert(CLIENT_REQUEST_ID_HEADER, kept);
        }
    }
    next.run(request).await
}

/// The span every request's log lines are recorded in. Logs the path only: query strings may hold
/// authorization codes or other secrets.
pub fn request_span(request: &http::Request<Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    let client_request_id = request
        .headers()
        .get(CLIENT_REQUEST_ID_HEADER)
        .and_then(|value| sanitised_client_request_id(value.as_bytes()))
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
        client_request_id = %client_request_id,
    )
}

/// Turns a panic in a handler into a 500 page that shows the request id, never the panic text.
pub async fn catch_panic(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".to_owned());
            tracing::error!(%request_id, panic = %detail, "handler panicked");
            internal_error_page(&request_id)
        }
    }
}

/// A self-contained 500 page (no scripts, so the fallback CSP is enough).
pub fn internal_error_page(request_id: &str) -> Response {
    let reference = html_escape(&app::error::reference_text(request_id));
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Something went wrong · Tenant Mesh</title>\
         <link rel=\"stylesheet\" href=\"/pkg/tenant-mesh.css\"></head>\
         <body><main class=\"page\"><section class=\"error-page\" role=\"alert\">\
         <h1>Something went wrong</h1>\
         <p>Tenant Mesh could not complete this request. Try again in a moment; if it keeps failing, \
         give your helpdesk the reference below.</p>\
         <p class=\"reference\"><code>{reference}</code></p>\
         <p><a href=\"/\">Go to the tenant mesh</a></p></section></main></body></html>"
    );
    (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Policy for responses that did not set their own (pages set one with a nonce when rendered, whose
/// `form-action` also names the sign-in service: `app::security::page_policy`). Forms of these
/// responses (the sign-in flow's message pages have none) may only go to the dashboard.
pub const FALLBACK_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// `Strict-Transport-Security`: a year, subdomains included (no `preload`: that is the operator's
/// decision, hard to undo).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Whether responses carry [`HSTS`]: in `entra` mode, and whenever the public URL is https; never
/// for the plain-http demo (browsers ignore it over http, and it would pin a loopback host).
pub fn hsts_applies(settings: &Settings) -> bool {
    settings.mode == Mode::Entra
        || settings
            .public_base_url()
            .to_ascii_lowercase()
            .starts_with("https://")
}

/// [`security_headers`], plus `Strict-Transport-Security` where [`hsts_applies`].
pub fn security_headers_for(settings: &Settings) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = security_headers().to_vec();
    if hsts_applies(settings) {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ));
    }
    headers
}

/// Headers set on every response that does not already carry them.
pub fn security_headers() -> [(HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(FALLBACK_CSP),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsts_in_entra_mode_and_over_https_never_on_the_plain_http_demo() {
        let has_hsts = |settings: &Settings| {
            security_headers_for(settings)
                .iter()
                .any(|(name, value)| name == header::STRICT_TRANSPORT_SECURITY && value == HSTS)
        };
        assert!(!has_hsts(&Settings::default()));
        assert!(has_hsts(&Settings {
            mode: Mode::Entra,
            ..Settings::default()
        }));
        assert!(has_hsts(&Settings {
            public_url: Some("https://mesh.contoso.com".into()),
            ..Settings::default()
        }));
        assert!(!has_hsts(&Settings {
            public_url: Some("http://mesh.internal:3000".into()),
            ..Settings::default()
        }));
        assert!(FALLBACK_CSP.contains("form-action 'self';"));
    }

    #[test]
    fn html_escape_neutralises_markup() {
        assert_eq!(
            html_escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
