use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::SignInFirst;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users"/>
        <h1>"Users"</h1>
        <p class="lead">"Internal users and external members and guests, from inside and outside the organization, per home tenant."</p>
        <SignInFirst what="user segments"/>
    }
}
