use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::SignInFirst;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <Title text="Audit"/>
        <h1>"Audit"</h1>
        <p class="lead">"Every change made through Tenant Mesh: who, in which tenant, what, and the outcome."</p>
        <SignInFirst what="the audit log"/>
    }
}
