use leptos::prelude::*;
use leptos_router::components::A;

/// Shown where a page has nothing to show yet because no tenant is signed in.
#[component]
pub fn SignInFirst(
    /// What the page would show, e.g. "the tenant mesh".
    what: &'static str,
) -> impl IntoView {
    view! {
        <div class="empty-state" role="status">
            <p>"Sign in to at least one tenant of your multitenant organization to see "{what}"."</p>
            <A href="/signin" attr:class="button button-primary">"Sign in to a tenant"</A>
        </div>
    }
}
