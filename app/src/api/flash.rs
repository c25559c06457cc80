//! What a page's form came to, carried across the redirect that follows it.
//!
//! The pages render on the server only (islands: the browser hydrates a few small islands, never a
//! page), so a form posts to its server function as an HTML form does. The server function answers
//! a form post with a redirect back to the page (leptos's `form-redirects`); the server keeps the
//! function's answer in the session as a [`Flash`] under a fresh id and adds `?__said=<id>` to that
//! redirect. The page's next render finds the flash in the request's extensions and shows it where
//! the form's action shows its value ([`page_action`]). An id that is not the session's own shows
//! nothing, so a crafted link cannot put words in the page.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The query parameter naming the flash a redirect carries.
pub const QUERY: &str = "__said";

/// A server function's answer to a form: the function's path and its JSON-encoded output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub path: String,
    pub body: String,
}

/// A server action for a form of the page. Rendered after the form's redirect, its value is the
/// answer the form got (from the request's [`Flash`]), so `Said` and friends show it.
#[track_caller]
pub fn page_action<S>() -> ServerAction<S>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: serde::de::DeserializeOwned + Send + Sync + 'static,
    S::Error: leptos::server_fn::error::FromServerFnError + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    #[cfg(feature = "ssr")]
    if let Some(output) = flash_for::<S>() {
        action.value().set(Some(Ok(output)));
    }
    action
}

/// The output of `S` carried by this request's flash, if the flash is `S`'s.
#[cfg(feature = "ssr")]
fn flash_for<S>() -> Option<S::Output>
where
    S: ServerFn,
    S::Output: serde::de::DeserializeOwned,
{
    let parts = use_context::<http::request::Parts>()?;
    let flash = parts.extensions.get::<Flash>()?;
    decode::<S::Output>(flash, S::PATH)
}

/// `flash`'s output when it is the answer of the function at `path`.
pub fn decode<T: serde::de::DeserializeOwned>(flash: &Flash, path: &str) -> Option<T> {
    (flash.path == path)
        .then(|| serde_json::from_str(&flash.body).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_is_read_only_by_its_own_function() {
        let flash = Flash {
            path: "/api/joins/add".into(),
            body: "\"Added Tailspin Toys\"".into(),
        };
        assert_eq!(
            decode::<String>(&flash, "/api/joins/add").as_deref(),
            Some("Added Tailspin Toys")
        );
        assert_eq!(decode::<String>(&flash, "/api/joins/remove"), None);
        let garbled = Flash {
            body: "not json".into(),
            ..flash
        };
        assert_eq!(decode::<String>(&garbled, "/api/joins/add"), None);
    }
}
