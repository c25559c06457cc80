//! The id of the HTTP request that rendered the page, so that error messages can carry a reference a
//! helpdesk can quote and find in the server's logs.
//!
//! The server's middleware puts it in the `x-request-id` request header; the shell copies it into a
//! `<meta>` tag so the browser, after hydration, shows the same value the server rendered.

/// Header the server's middleware sets on every request and response.
pub const HEADER: &str = "x-request-id";
/// Name of the `<meta>` tag that carries it to the browser.
pub const META_NAME: &str = "tenant-mesh-request-id";

/// The current request's id, or an empty string when there is none (e.g. a client-side navigation
/// after the page was loaded: the reference then stays the one of the page load).
pub fn current() -> String {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(HEADER)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned)
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        leptos::prelude::document()
            .query_selector(&format!("meta[name=\"{META_NAME}\"]"))
            .ok()
            .flatten()
            .and_then(|meta| meta.get_attribute("content"))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        String::new()
    }
}
