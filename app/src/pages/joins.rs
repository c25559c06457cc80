use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::SignInFirst;

#[component]
pub fn JoinsPage() -> impl IntoView {
    view! {
        <Title text="Joins"/>
        <h1>"Joins"</h1>
        <p class="lead">"Invite tenants, approve join requests and follow each transition until it succeeds or fails."</p>
        <SignInFirst what="pending invitations and join requests"/>
    }
}
