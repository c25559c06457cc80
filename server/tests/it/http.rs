//! The HTTP stack as a client sees it, on a real socket: probes, request ids, security headers,
//! status codes of rendered pages, the body limit and the error page of a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use tenant_mesh_server::{router, AppState, Backend, Settings};

struct TestServer {
    base: String,
    _site: tempfile::TempDir,
}

async fn spawn(app: Router, site: tempfile::TempDir) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    TestServer {
        base: format!("http://{addr}"),
        _site: site,
    }
}

fn settings(site: &tempfile::TempDir) -> Settings {
    Settings {
        site_root: site.path().to_owned(),
        database_url: tenant_mesh_server::store::sqlite_url(
            &site.path().join("db/tenant-mesh.sqlite"),
        ),
        ..Settings::default()
    }
}

async fn state(settings: Settings) -> AppState {
    // Nothing listens there: these tests never reach sign-in or Graph.
    AppState::new(settings, Backend::emulator("http://127.0.0.1:9"))
        .await
        .unwrap()
}

async fn start(with_assets: bool) -> TestServer {
    let site = tempfile::tempdir().unwrap();
    if with_assets {
        std::fs::create_dir_all(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/tenant-mesh.css"), "body{}").unwrap();
    }
    let app = router::build(state(settings(&site)).await);
    spawn(app, site).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn healthz_answers_ok() {
    let server = start(false).await;
    let response = client()
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn readyz_names_what_is_missing_and_turns_ready_when_the_site_is_built() {
    let not_built = start(false).await;
    let response = client()
        .get(format!("{}/readyz", not_built.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "not ready");
    assert_eq!(body["checks"][0]["name"], "site-assets");
    assert!(body["checks"][0]["problem"]
        .as_str()
        .unwrap()
        .contains("cargo leptos build"));

    let built = start(true).await;
    let response = client()
        .get(format!("{}/readyz", built.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"][1]["name"], "database");
    assert_eq!(body["checks"][1]["ok"], true);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_the_page_shows_it() {
    let server = start(true).await;
    let response = client()
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("content=\"{id}\"")),
        "the page carries its request id"
    );

    let other = client()
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
}

#[tokio::test]
async fn a_clients_request_id_never_replaces_ours() {
    let server = start(true).await;
    for theirs in [
        "attacker-chosen",
        "00000000-0000-0000-0000-000000000000",
        "a b<script>",
    ] {
        let response = client()
            .get(format!("{}/healthz", server.base))
            .header("x-request-id", theirs)
            .send()
            .await
            .unwrap();
        let ours = response.headers()["x-request-id"].to_str().unwrap();
        assert_ne!(ours, theirs);
        assert!(uuid::Uuid::parse_str(ours).is_ok(), "{ours}");
    }
    assert_eq!(
        tenant_mesh_server::middleware::sanitised_client_request_id(b"job-42:retry.1"),
        Some("job-42:retry.1")
    );
    for refused in [&b"a b"[..], b"<x>", b"", &[b'a'; 65][..], b"\xFF"] {
        assert_eq!(
            tenant_mesh_server::middleware::sanitised_client_request_id(refused),
            None
        );
    }
}

#[tokio::test]
async fn pages_have_security_headers_and_a_nonce_csp_matching_their_scripts() {
    let server = start(true).await;
    let response = client()
        .get(format!("{}/joins", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page policy names a nonce")
        .to_owned();
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the policy's nonce"
    );
    assert!(html.contains("<h1>Joins</h1>"));

    // A second page load gets a fresh nonce.
    let again = client()
        .get(format!("{}/joins", server.base))
        .send()
        .await
        .unwrap();
    let csp_again = again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(csp, csp_again);
}

#[tokio::test]
async fn static_files_get_the_fallback_policy() {
    let server = start(true).await;
    let response = client()
        .get(format!("{}/pkg/tenant-mesh.css", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-security-policy"],
        tenant_mesh_server::middleware::FALLBACK_CSP
    );
    assert!(
        response.headers().get("cache-control").is_none(),
        "the bundle may be cached"
    );
}

#[tokio::test]
async fn pages_answers_and_errors_are_never_stored_by_the_browser() {
    let server = start(true).await;
    for path in ["/", "/signin", "/audit", "/nothing/here", "/healthz"] {
        let response = client()
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let answer = client()
        .post(format!("{}/api/session/choices", server.base))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn unknown_pages_and_malformed_tenant_ids_are_404_pages() {
    let server = start(true).await;
    let response = client()
        .get(format!("{}/nothing/here", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));

    let response = client()
        .get(format!(
            "{}/pairs/72f988bf-86f1-41af-91ab-2d7cd011db47/nope",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("is not a tenant id"));
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start(true).await;
    // Only the head is sent: the declared length alone must get the refusal, before any of the
    // body is read (a client still sending it would otherwise see its connection reset).
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/anything HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        2 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("no answer before the body was sent")
        .unwrap();
    let status_line = String::from_utf8_lossy(&answer[..read]);
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let server = start(true).await;
    let response = client()
        .get(format!("{}/", server.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn a_panicking_handler_becomes_an_error_page_with_the_reference_and_no_internals() {
    let site = tempfile::tempdir().unwrap();
    let app = Router::new()
        .route(
            "/boom",
            get(|| async {
                panic!("database password is hunter2");
                #[allow(unreachable_code)]
                ""
            }),
        )
        .layer(axum::middleware::from_fn(
            tenant_mesh_server::middleware::catch_panic,
        ))
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tenant_mesh_server::middleware::MakeRequestUuid,
        ));
    let server = spawn(app, site).await;
    let response = client()
        .get(format!("{}/boom", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("Reference: {id}")));
    assert!(!html.contains("hunter2"));
}
