//! A form's answer across its redirect, on real sockets: a form posted as a browser posts it
//! (urlencoded, `Accept: text/html`, `Referer`) is answered with a redirect back to the page naming
//! a flash (`?__said=<id>`); the page fetched with it shows the answer until the next form replaces it; an id that is not the
//! session's shows nothing; a refused form is redirected with leptos's error and no flash.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{browser, call, location, sign_in, start_with, Harness};
use emulator::scenario::CONTOSO;
use emulator::{Clock, Scenario};

const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

async fn harness() -> Harness {
    start_with(
        Scenario::demo(),
        Clock::manual(time::OffsetDateTime::now_utc()),
    )
    .await
}

/// Posts `form` to the server function at `/api/{endpoint}` as the browser posts a page's form
/// from `page`; answers the response (redirects are not followed).
async fn post_form(
    h: &Harness,
    client: &reqwest::Client,
    page: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(format!("{}/api/{endpoint}", h.dashboard))
        .header("origin", &h.dashboard)
        .header("referer", format!("{}{page}", h.dashboard))
        .header("accept", BROWSER_ACCEPT)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Contoso's look-up of Tailspin Toys on `/joins`, posted from `page` as the browser posts it.
async fn look_up_tailspin(h: &Harness, client: &reqwest::Client, page: &str) -> reqwest::Response {
    post_form(
        h,
        client,
        page,
        "joins/resolve",
        &[
            ("tenant", CONTOSO),
            ("query", "tailspintoys.onmicrosoft.com"),
        ],
    )
    .await
}

/// The page at an absolute URL (a redirect's `Location`): status and HTML.
async fn fetch(client: &reqwest::Client, url: &str) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Whether the `/joins` HTML shows a look-up's answer for Tailspin Toys.
fn shows_tailspin(html: &str) -> bool {
    html.contains("class=\"resolved\"") && html.contains("Add Tailspin Toys")
}

#[tokio::test]
async fn flash_a_form_answer_is_shown_after_its_redirect_until_the_next_form() {
    let h = harness().await;
    let contoso = browser();
    sign_in(&h, &contoso, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, before) = fetch(&contoso, &format!("{}/joins", h.dashboard)).await;
    assert_eq!(status, 200);
    assert!(!shows_tailspin(&before));

    let posted = look_up_tailspin(&h, &contoso, "/joins").await;
    assert_eq!(posted.status(), 302);
    let redirect = location(&posted);
    let id = redirect
        .strip_prefix(&format!("{}/joins?__said=", h.dashboard))
        .unwrap_or_else(|| panic!("{redirect}"));
    assert_eq!(id.len(), 32, "{redirect}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{redirect}");
    assert!(
        posted.text().await.unwrap().is_empty(),
        "the answer is in the session, not in the redirect"
    );

    let (status, shown) = fetch(&contoso, &redirect).await;
    assert_eq!(status, 200);
    assert!(
        shows_tailspin(&shown),
        "the look-up's answer is on the page"
    );
    let (status, again) = fetch(&contoso, &redirect).await;
    assert_eq!(status, 200);
    assert!(
        shows_tailspin(&again),
        "read again (the automatic refresh, a reload), the page still says it"
    );

    // A second form from a page already naming a flash: that name is replaced, not repeated.
    let posted = look_up_tailspin(&h, &contoso, &format!("/joins?__said={id}")).await;
    assert_eq!(posted.status(), 302);
    let redirect = location(&posted);
    assert_eq!(redirect.matches("__said=").count(), 1, "{redirect}");
    assert!(!redirect.contains(id), "{redirect}");
    let (_, earlier) = fetch(&contoso, &format!("{}/joins?__said={id}", h.dashboard)).await;
    assert!(
        !shows_tailspin(&earlier),
        "the earlier answer was replaced by the later one"
    );
}

#[tokio::test]
async fn flash_an_id_that_is_not_the_sessions_shows_nothing() {
    let h = harness().await;
    let contoso = browser();
    sign_in(&h, &contoso, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let posted = look_up_tailspin(&h, &contoso, "/joins").await;
    assert_eq!(posted.status(), 302);
    let redirect = location(&posted);

    for made_up in [
        "0123456789abcdef0123456789abcdef",
        "not-an-id",
        "%3Cscript%3E",
    ] {
        let (status, html) =
            fetch(&contoso, &format!("{}/joins?__said={made_up}", h.dashboard)).await;
        assert_eq!(status, 200, "{made_up}");
        assert!(!shows_tailspin(&html), "{made_up}");
    }
    // Another browser's session does not have it either, even with the right id.
    let other = browser();
    sign_in(&h, &other, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let (status, html) = fetch(&other, &redirect).await;
    assert_eq!(status, 200);
    assert!(!shows_tailspin(&html));
    // The made-up ids left the session's own flash in place.
    let (status, html) = fetch(&contoso, &redirect).await;
    assert_eq!(status, 200);
    assert!(shows_tailspin(&html));
}

#[tokio::test]
async fn flash_a_refused_form_gets_the_error_and_no_flash() {
    let h = harness().await;
    let contoso = browser();
    sign_in(&h, &contoso, CONTOSO, "admin@contoso.onmicrosoft.com").await;
    let posted = post_form(
        &h,
        &contoso,
        "/joins",
        "joins/resolve",
        &[("tenant", CONTOSO), ("query", "not a tenant!")],
    )
    .await;
    assert_eq!(posted.status(), 302);
    let redirect = location(&posted);
    assert!(
        redirect.starts_with(&format!("{}/joins?", h.dashboard)),
        "{redirect}"
    );
    assert!(redirect.contains("__err="), "{redirect}");
    assert!(redirect.contains("__path="), "{redirect}");
    assert!(!redirect.contains("__said"), "{redirect}");

    // A client's JSON call is answered as before: the output in the body, no redirect.
    let (status, body) = call(
        &h,
        &contoso,
        "joins/resolve",
        &[
            ("tenant", CONTOSO),
            ("query", "tailspintoys.onmicrosoft.com"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Tailspin Toys"), "{body}");
}
