//! The Content-Security-Policy of rendered pages. Leptos puts a fresh nonce on its inline hydration
//! and streaming scripts; the policy allows exactly those, the app's own files and wasm compilation.

use http::{header::CONTENT_SECURITY_POLICY, HeaderValue};
use leptos::prelude::use_context;

/// Origins a page's forms may submit to, or be redirected to after submitting, besides the
/// dashboard itself: the sign-in service's (the sign-in form's `GET /auth/login` answers with a
/// redirect there, and browsers check that redirect against `form-action`). The server provides it
/// as context when it renders pages; without it, forms may only go to the dashboard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormTargets(pub Vec<String>);

/// Whether `origin` is a bare `scheme://host[:port]` fit to put in a policy (no spaces, quotes,
/// semicolons or commas that would change the policy).
fn is_origin(origin: &str) -> bool {
    let Some((scheme, host)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// The policy for an HTML page whose inline scripts carry `nonce`, whose forms may go to the
/// dashboard and to `form_targets` (origins; anything else is left out).
pub fn page_policy(nonce: &str, form_targets: &[String]) -> String {
    let targets: String = form_targets
        .iter()
        .filter(|origin| is_origin(origin))
        .map(|origin| format!(" {origin}"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'{targets}; frame-ancestors 'none'"
    )
}

/// Sets the page policy on the response being rendered. Called from the shell, before streaming starts.
pub fn set_content_security_policy() {
    if leptos::nonce::use_nonce().is_none() {
        leptos::nonce::provide_nonce();
    }
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let targets = use_context::<FormTargets>().unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce.to_string(), &targets.0)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_allows_only_nonced_inline_scripts_and_forbids_framing() {
        let policy = page_policy("abc123", &[]);
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("form-action 'self';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains(" 'unsafe-eval'"));
    }

    #[test]
    fn forms_may_also_go_to_the_sign_in_origin_and_nothing_else_gets_in() {
        let policy = page_policy(
            "n",
            &[
                "https://login.microsoftonline.com".into(),
                "http://127.0.0.1:4000".into(),
                "https://evil.example; script-src *".into(),
                "'unsafe-inline'".into(),
            ],
        );
        assert!(
            policy.contains(
                "form-action 'self' https://login.microsoftonline.com http://127.0.0.1:4000;"
            ),
            "{policy}"
        );
        assert!(!policy.contains("evil"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
    }
}
