use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::SignInFirst;

#[component]
pub fn MeshPage() -> impl IntoView {
    view! {
        <Title text="Tenant mesh"/>
        <h1>"Tenant mesh"</h1>
        <p class="lead">"Every tenant of the multitenant organization, both sides of every tenant pair, and what is wrong with them."</p>
        <SignInFirst what="the tenant mesh"/>
    }
}
