//! What a person sees when something fails: a short message and a reference to quote, never the
//! internal error text (that goes to the server's log, under the same request id).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::request_id;

/// The reference line shown on error pages.
pub fn reference_text(request_id: &str) -> String {
    if request_id.is_empty() {
        "No reference is available for this error.".to_owned()
    } else {
        format!("Reference: {request_id}")
    }
}

/// Fallback of the app's error boundaries.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    // The errors themselves are deliberately not rendered: their text is internal.
    let count = move || errors.with(|errors| errors.iter().count());
    let reference = reference_text(&request_id::current());
    view! {
        <Title text="Something went wrong"/>
        <section class="error-page" role="alert">
            <h1>"Something went wrong"</h1>
            <p>
                "Tenant Mesh could not show this page. Try again in a moment; if it keeps failing, "
                "give your helpdesk the reference below."
            </p>
            <p class="reference"><code>{reference}</code></p>
            <p class="muted">{move || format!("{} problem(s) were recorded in the server log.", count())}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_names_the_request_id() {
        assert_eq!(reference_text("abc"), "Reference: abc");
        assert!(reference_text("").contains("No reference"));
    }
}
