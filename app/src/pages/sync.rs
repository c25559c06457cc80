use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::SignInFirst;

#[component]
pub fn SyncPage() -> impl IntoView {
    view! {
        <Title text="Cross-tenant sync"/>
        <h1>"Cross-tenant sync"</h1>
        <p class="lead">"Every cross-tenant synchronization configuration between your tenants: status, quarantine, scope and logs."</p>
        <SignInFirst what="sync configurations"/>
    }
}
