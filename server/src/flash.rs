//! What a form came to, carried across the redirect that follows it (see `app::api::flash`).
//!
//! A page's form posts to its server function as a plain HTML form (`Accept: text/html`); the
//! server function answers with a redirect back to the page (leptos's `form-redirects`) whose body
//! is the function's JSON-encoded output. [`carry`] keeps that output in the session under a fresh
//! id and names the id in the redirect (`?__said=<id>`); when the page is then fetched with that
//! id, it hands the output to the page's render as an [`app::api::flash::Flash`] in the request's
//! extensions. The flash stays until the session's next form replaces it: the page read again at
//! the same address (the automatic refresh, a reload) still says what the form came to, as a page
//! answering in place would. An id that is not the session's latest carries nothing, so a crafted
//! link cannot put words in a page. Every other request passes through without touching the
//! session.

use axum::body::{Body, HttpBody as _};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue, Method};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use app::api::flash::{Flash, QUERY};

/// The session key of the flash waiting for its page (one at a time: the latest form's).
const FLASH: &str = "tenant_mesh.flash";

/// The largest output carried; a larger one is left in the redirect's body and not shown.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The query parameter with which leptos's `form-redirects` reports a server function's error.
const ERROR_QUERY: &str = "__err";

/// A flash as the session keeps it.
#[derive(Serialize, Deserialize)]
struct Stored {
    id: String,
    path: String,
    body: String,
}

/// The middleware (`axum::middleware::from_fn`), inside the session layer.
pub async fn carry(request: Request, next: Next) -> Response {
    if is_form_post(&request) {
        return keep(request, next).await;
    }
    if request.method() == Method::GET {
        if let Some(id) = request.uri().query().and_then(said_id) {
            let id = id.to_owned();
            return give(request, next, &id).await;
        }
    }
    next.run(request).await
}

/// A plain HTML form's post to a server function.
fn is_form_post(request: &Request) -> bool {
    request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get_all(header::ACCEPT)
            .iter()
            .any(|value| value.to_str().is_ok_and(|v| v.contains("text/html")))
}

/// Runs the server function; keeps its output when it redirects after success.
async fn keep(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let session = request.extensions().get::<Session>().cloned();
    let response = next.run(request).await;
    let Some(session) = session else {
        tracing::warn!("no session layer: a form's answer cannot be carried");
        return response;
    };
    // Nobody signed in has no session, and no form's answer is made one: an anonymous visit
    // stores nothing (every write needs a sign-in, and refusals travel in the address).
    if session.id().is_none() || !response.status().is_redirection() {
        return response;
    }
    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .filter(|location| !has_param(location, ERROR_QUERY))
        .map(str::to_owned)
    else {
        return response;
    };
    let fits = response
        .body()
        .size_hint()
        .upper()
        .is_some_and(|upper| upper <= MAX_BODY_BYTES as u64);
    if !fits {
        tracing::debug!(%path, "a form's answer is too large to carry; not shown");
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%path, %error, "a form's answer could not be read; not shown");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let Ok(body) = std::str::from_utf8(&bytes).map(str::to_owned) else {
        tracing::debug!(%path, "a form's answer is not UTF-8; not shown");
        return Response::from_parts(parts, Body::from(bytes));
    };
    let id = uuid::Uuid::new_v4().simple().to_string();
    let Some(redirect) = with_said(&location, &id).and_then(|l| HeaderValue::from_str(&l).ok())
    else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let stored = Stored {
        id,
        path: path.clone(),
        body,
    };
    if let Err(error) = session.insert(FLASH, stored).await {
        tracing::warn!(%path, %error, "the session store failed: a form's answer is not shown");
        return Response::from_parts(parts, Body::from(bytes));
    }
    parts.headers.insert(header::LOCATION, redirect);
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::empty())
}

/// Hands the session's flash to the page when `id` is its id.
async fn give(mut request: Request, next: Next, id: &str) -> Response {
    if let Some(session) = request.extensions().get::<Session>().cloned() {
        match find(&session, id).await {
            Ok(Some(flash)) => {
                request.extensions_mut().insert(flash);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "the session store failed: a form's answer is not shown");
            }
        }
    }
    next.run(request).await
}

/// The session's flash when its id is `id`.
async fn find(
    session: &Session,
    id: &str,
) -> Result<Option<Flash>, tower_sessions::session::Error> {
    let Some(stored) = session.get::<Stored>(FLASH).await? else {
        return Ok(None);
    };
    if stored.id != id {
        return Ok(None);
    }
    Ok(Some(Flash {
        path: stored.path,
        body: stored.body,
    }))
}

/// The flash id named by a query string, when it has the form of one (32 lowercase hex digits):
/// anything else is not looked up.
fn said_id(query: &str) -> Option<&str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == QUERY)
        .map(|(_, value)| value)
        .filter(|value| {
            value.len() == 32
                && value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// Splits a URL (absolute or relative) into what precedes its query, its query and its fragment
/// (with its `#`).
fn split(location: &str) -> (&str, Option<&str>, &str) {
    let (rest, fragment) = match location.find('#') {
        Some(at) => location.split_at(at),
        None => (location, ""),
    };
    match rest.split_once('?') {
        Some((before, query)) => (before, Some(query), fragment),
        None => (rest, None, fragment),
    }
}

/// The name of a query string's `key=value` pair, decoded.
fn key_of(pair: &str) -> String {
    url::form_urlencoded::parse(pair.as_bytes())
        .next()
        .map(|(key, _)| key.into_owned())
        .unwrap_or_default()
}

/// Whether `location`'s query has the parameter `name`.
fn has_param(location: &str, name: &str) -> bool {
    split(location)
        .1
        .is_some_and(|query| query.split('&').any(|pair| key_of(pair) == name))
}

/// `location` (absolute, as the browser's `Referer`, or relative) naming the flash `id`: any
/// earlier flash's id removed, `__said=<id>` appended, the other query parameters (as written) and
/// the fragment kept. `None` when `location` is not a URL.
fn with_said(location: &str, id: &str) -> Option<String> {
    if location.is_empty()
        || location
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    if location.contains("://") {
        url::Url::parse(location).ok()?;
    }
    let (before, query, fragment) = split(location);
    let mut pairs: Vec<&str> = query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && key_of(pair) != QUERY)
        .collect();
    let said = format!("{QUERY}={id}");
    pairs.push(&said);
    Some(format!("{before}?{}{fragment}", pairs.join("&")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use axum::routing::{get, post};
    use axum::Router;
    use tower::ServiceExt as _;
    use tower_sessions::{MemoryStore, SessionManagerLayer};

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_redirect_names_the_flash_and_keeps_the_rest() {
        assert_eq!(
            with_said("http://127.0.0.1:3000/joins", ID).as_deref(),
            Some(format!("http://127.0.0.1:3000/joins?__said={ID}").as_str())
        );
        assert_eq!(
            with_said("/joins", ID).as_deref(),
            Some(format!("/joins?__said={ID}").as_str())
        );
        assert_eq!(
            with_said("/", ID).as_deref(),
            Some(format!("/?__said={ID}").as_str())
        );
        // leptos leaves a bare `?` when it strips an earlier error from the Referer.
        assert_eq!(
            with_said("http://host/joins?", ID).as_deref(),
            Some(format!("http://host/joins?__said={ID}").as_str())
        );
        assert_eq!(
            with_said(
                "https://host:8443/users?tenant=a%20b&__said=old&x=1#top",
                ID
            )
            .as_deref(),
            Some(format!("https://host:8443/users?tenant=a%20b&x=1&__said={ID}#top").as_str())
        );
        assert_eq!(
            with_said("/users?__%73aid=old&q=?#f?g", ID).as_deref(),
            Some(format!("/users?q=?&__said={ID}#f?g").as_str())
        );
        assert_eq!(with_said("http://[bad", ID), None);
        assert_eq!(with_said("/a b", ID), None);
        assert_eq!(with_said("", ID), None);
    }

    #[test]
    fn errors_are_seen_in_a_location() {
        assert!(has_param("http://h/joins?__path=/api/x&__err=abc", "__err"));
        assert!(has_param("/joins?__err", "__err"));
        assert!(!has_param("http://h/joins?x=__err", "__err"));
        assert!(!has_param("http://h/joins#__err", "__err"));
        assert!(!has_param("/joins", "__err"));
    }

    #[test]
    fn only_a_well_formed_id_is_read() {
        assert_eq!(said_id(&format!("__said={ID}")), Some(ID));
        assert_eq!(said_id(&format!("a=1&__said={ID}&b")), Some(ID));
        assert_eq!(said_id("__said=abc"), None);
        assert_eq!(said_id(&format!("__said={}", ID.to_uppercase())), None);
        assert_eq!(said_id(&format!("said={ID}")), None);
        assert_eq!(said_id(""), None);
    }

    /// A server function's stand-in answering a form as leptos does, and a page showing the flash
    /// it was given, behind the middleware and a session layer.
    fn app() -> Router {
        let form = |headers: http::HeaderMap| async move {
            let location = headers
                .get("x-location")
                .cloned()
                .unwrap_or(HeaderValue::from_static("http://h/joins"));
            Response::builder()
                .status(302)
                .header(header::LOCATION, location)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("\"Added Tailspin Toys\""))
                .unwrap()
        };
        let page = |request: Request| async move {
            match request.extensions().get::<Flash>() {
                Some(flash) => format!("{} said {}", flash.path, flash.body),
                None => "nothing".to_owned(),
            }
        };
        let sign_in = |session: Session| async move {
            session.insert("signed_in", true).await.unwrap();
        };
        Router::new()
            .route("/api/joins/add", post(form))
            .route("/signin", get(sign_in))
            .route("/joins", get(page))
            .layer(axum::middleware::from_fn(carry))
            .layer(SessionManagerLayer::new(MemoryStore::default()).with_secure(false))
    }

    async fn send(app: &Router, request: http::Request<Body>) -> (Response, String) {
        let response = app.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        (
            Response::from_parts(parts, Body::empty()),
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    fn post_form(accept: &str, cookie: Option<&str>) -> http::Request<Body> {
        let mut builder = http::Request::post("/api/joins/add").header(header::ACCEPT, accept);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder.body(Body::empty()).unwrap()
    }

    fn get_page(uri: &str, cookie: &str) -> http::Request<Body> {
        http::Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    }

    /// The cookie of a new session with something in it.
    async fn signed_in(app: &Router) -> String {
        let (answer, _) = send(
            app,
            http::Request::get("/signin").body(Body::empty()).unwrap(),
        )
        .await;
        answer.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    }

    #[tokio::test]
    async fn a_form_without_a_session_makes_none() {
        let app = app();
        let (posted, body) = send(&app, post_form("text/html,*/*", None)).await;
        assert_eq!(posted.status(), 302);
        assert_eq!(posted.headers()[header::LOCATION], "http://h/joins");
        assert!(posted.headers().get(header::SET_COOKIE).is_none());
        assert_eq!(body, "\"Added Tailspin Toys\"");
    }

    #[tokio::test]
    async fn a_form_answer_reaches_its_page_until_the_next_form() {
        let app = app();
        let cookie = signed_in(&app).await;
        let (posted, body) = send(&app, post_form("text/html,*/*", Some(&cookie))).await;
        assert_eq!(posted.status(), 302);
        assert_eq!(body, "");
        let location = posted.headers()[header::LOCATION].to_str().unwrap();
        let query = location.strip_prefix("http://h/joins?").unwrap();
        let id = said_id(query).unwrap();

        let (_, shown) = send(
            &app,
            get_page("/joins?__said=ffffffffffffffffffffffffffffffff", &cookie),
        )
        .await;
        assert_eq!(shown, "nothing", "another id shows nothing");
        let (_, shown) = send(&app, get_page(&format!("/joins?__said={id}"), &cookie)).await;
        assert_eq!(shown, "/api/joins/add said \"Added Tailspin Toys\"");
        let (_, shown) = send(&app, get_page(&format!("/joins?__said={id}"), &cookie)).await;
        assert_eq!(
            shown, "/api/joins/add said \"Added Tailspin Toys\"",
            "read again, the page still says it"
        );
    }

    #[tokio::test]
    async fn json_calls_and_errors_are_left_alone() {
        let app = app();
        let (answered, body) = send(&app, post_form("application/json", None)).await;
        assert_eq!(answered.headers()[header::LOCATION], "http://h/joins");
        assert_eq!(body, "\"Added Tailspin Toys\"");
        assert!(answered.headers().get(header::SET_COOKIE).is_none());

        let failed = http::Request::post("/api/joins/add")
            .header(header::ACCEPT, "text/html")
            .header(
                "x-location",
                "http://h/joins?__path=%2Fapi%2Fjoins%2Fadd&__err=e30",
            )
            .body(Body::empty())
            .unwrap();
        let (answered, body) = send(&app, failed).await;
        assert_eq!(
            answered.headers()[header::LOCATION],
            "http://h/joins?__path=%2Fapi%2Fjoins%2Fadd&__err=e30"
        );
        assert_eq!(body, "\"Added Tailspin Toys\"");
        assert!(answered.headers().get(header::SET_COOKIE).is_none());
    }
}
