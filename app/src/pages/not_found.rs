use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Sets the status code of the server-rendered response (no-op in the browser).
fn set_status(status: http::StatusCode) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_status(http::StatusCode::NOT_FOUND);
    view! {
        <Title text="Page not found"/>
        <h1>"Page not found"</h1>
        <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
        <p><A href="/">"Go to the tenant mesh"</A></p>
    }
}

/// A tenant page asked for with something that is not a tenant id: a 404 that says why.
#[component]
pub fn InvalidTenantId(error: String) -> impl IntoView {
    set_status(http::StatusCode::NOT_FOUND);
    view! {
        <h1>"No such tenant"</h1>
        <p class="error-text">{error}</p>
        <p><A href="/">"Go to the tenant mesh"</A></p>
    }
}
