//! The one island of the app. Pages are rendered on the server only and work without JavaScript;
//! this island, present on every page, adds what JavaScript can (answering links and forms in the
//! page, the automatic refresh, keyboard behaviour): see `crate::browser`. It renders nothing, so
//! its wasm is the only code the browser runs.

use leptos::prelude::*;

#[island]
pub fn Enhance() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::browser::install();
}

/// Query parameters that act once: `refresh=1` (read Graph now rather than serve the snapshot).
const ONE_TIME: [&str; 1] = ["refresh"];

/// Whether `path` is a page of the app, which a link may open in place; files, exports, the
/// sign-in flow and the server functions are left to the browser.
pub fn is_page(path: &str) -> bool {
    const NOT_PAGES: [&str; 5] = ["/api/", "/auth/", "/demo/", "/pkg/", "/drift/snapshots/"];
    const FILES: [&str; 3] = [".csv", ".json", ".svg"];
    const PROBES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];
    path.starts_with('/')
        && !NOT_PAGES.iter().any(|p| path.starts_with(p))
        && !FILES.iter().any(|f| path.ends_with(f))
        && !PROBES.contains(&path)
}

/// The address to show for a page reached at `href`: without its one-time parameters, so that the
/// automatic refresh (which reads the address shown) does not repeat them.
pub fn shown_url(href: &str) -> String {
    let (before_hash, hash) = match href.split_once('#') {
        Some((before, hash)) => (before, Some(hash)),
        None => (href, None),
    };
    let Some((base, query)) = before_hash.split_once('?') else {
        return href.to_owned();
    };
    let kept = query_without(query, &ONE_TIME);
    let mut shown = base.to_owned();
    if !kept.is_empty() {
        shown.push('?');
        shown.push_str(&kept.join("&"));
    }
    if let Some(hash) = hash {
        shown.push('#');
        shown.push_str(hash);
    }
    shown
}

/// The `name=value` pairs of a query string (with or without its `?`) but those named in `dropped`.
pub fn query_without<'a>(query: &'a str, dropped: &[&str]) -> Vec<&'a str> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(name, _)| name);
            !pair.is_empty() && !dropped.contains(&name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_open_in_place_and_files_and_sign_in_do_not() {
        for page in [
            "/",
            "/joins",
            "/pairs/a/b",
            "/users?tenant=x",
            "/audit/timeline",
        ] {
            assert!(is_page(page), "{page}");
        }
        for other in [
            "/auth/login",
            "/api/joins/add",
            "/audit/export.csv",
            "/audit/timeline.json",
            "/drift/snapshots/1.json",
            "/users/export.csv",
            "/favicon.svg",
            "/pkg/tenant-mesh.css",
            "/metrics",
            "",
        ] {
            assert!(!is_page(other), "{other}");
        }
    }

    #[test]
    fn a_forced_refresh_is_not_kept_in_the_address() {
        assert_eq!(
            shown_url("http://h/?show=problems&refresh=1"),
            "http://h/?show=problems"
        );
        assert_eq!(shown_url("http://h/joins?refresh=1"), "http://h/joins");
        assert_eq!(
            shown_url("http://h/joins?refresh=1&__said=ab#main"),
            "http://h/joins?__said=ab#main"
        );
        assert_eq!(
            shown_url("http://h/users?tenant=x"),
            "http://h/users?tenant=x"
        );
        assert_eq!(shown_url("http://h/"), "http://h/");
    }
}
