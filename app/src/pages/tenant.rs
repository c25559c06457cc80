use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::empty_state::SignInFirst;
use crate::pages::not_found::InvalidTenantId;

#[component]
pub fn TenantPage() -> impl IntoView {
    let params = use_params_map();
    let tenant_id = move || params.read().get("tenant_id").unwrap_or_default();
    view! {
        <Title text="Tenant"/>
        {move || match tenant_id().parse::<graph::TenantId>() {
            Ok(id) => {
                view! {
                    <h1>"Tenant "<code>{id.to_string()}</code></h1>
                    <SignInFirst what="this tenant's membership, partner settings and sync jobs"/>
                }
                    .into_any()
            }
            Err(err) => view! { <InvalidTenantId error=err.to_string()/> }.into_any(),
        }}
    }
}
