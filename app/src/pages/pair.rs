use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::empty_state::SignInFirst;
use crate::pages::not_found::InvalidTenantId;

#[component]
pub fn PairPage() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        let params = params.read();
        let source = params
            .get("source")
            .unwrap_or_default()
            .parse::<graph::TenantId>();
        let target = params
            .get("target")
            .unwrap_or_default()
            .parse::<graph::TenantId>();
        source.and_then(|source| target.map(|target| (source, target)))
    };
    view! {
        <Title text="Tenant pair"/>
        {move || match ids() {
            Ok((source, target)) => {
                view! {
                    <h1>"Pair "<code>{source.to_string()}</code>" → "<code>{target.to_string()}</code></h1>
                    <SignInFirst what="both sides of this pair"/>
                }
                    .into_any()
            }
            Err(err) => view! { <InvalidTenantId error=err.to_string()/> }.into_any(),
        }}
    }
}
