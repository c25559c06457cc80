//! What a form's last submission came to, announced to assistive technology.

use leptos::prelude::*;
use server_fn::ServerFn;

use crate::api::ApiError;

/// What the last submission of `action` came to.
#[component]
pub fn Said<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Output = String, Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    move || {
        action.value().get().map(|result| match result {
            Ok(message) => view! { <p class="notice" role="status">{message}</p> }.into_any(),
            Err(error) => {
                view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }
                    .into_any()
            }
        })
    }
}
