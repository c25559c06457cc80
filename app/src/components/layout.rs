//! The frame around every page: header (product, signed-in tenants), navigation, main area.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::session::{signed_in_tenants, SignedInTenant};
use crate::PRODUCT_NAME;

/// One entry of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
}

/// The main navigation, in the order people work through an MTO.
pub const NAV_ITEMS: [NavItem; 8] = [
    NavItem {
        href: "/",
        label: "Mesh",
    },
    NavItem {
        href: "/joins",
        label: "Joins",
    },
    NavItem {
        href: "/sync",
        label: "Sync",
    },
    NavItem {
        href: "/users",
        label: "Users",
    },
    NavItem {
        href: "/diagnose",
        label: "Diagnose",
    },
    NavItem {
        href: "/drift",
        label: "Drift",
    },
    NavItem {
        href: "/audit",
        label: "Audit",
    },
    NavItem {
        href: "/status",
        label: "Status",
    },
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Header/>
        <main id="main" class="page" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{PRODUCT_NAME}" — one view of every tenant in a Microsoft Entra multitenant organization."</p>
        </footer>
    }
}

#[component]
fn Header() -> impl IntoView {
    // On narrow screens the navigation folds behind a menu button. Without JavaScript the navigation
    // is always shown (the CSS only folds it once the page is hydrated and the button works).
    let (menu_open, set_menu_open) = signal(false);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <header class="site-header" class:hydrated=move || hydrated.get()>
            <div class="brand-row">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◇"</span>
                    {PRODUCT_NAME}
                </A>
                <button
                    type="button"
                    class="menu-toggle"
                    aria-controls="primary-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    "Menu"
                </button>
                <SignedInTenants/>
            </div>
            <nav id="primary-nav" aria-label="Main" class="primary-nav" class:open=move || menu_open.get()>
                <ul>
                    {NAV_ITEMS
                        .iter()
                        .map(|item| {
                            view! {
                                <li>
                                    <A href=item.href exact=true on:click=move |_| set_menu_open.set(false)>
                                        {item.label}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
    }
}

/// Where the tenants this browser session is signed in to are listed, each with a sign-out.
#[component]
fn SignedInTenants() -> impl IntoView {
    let sign_ins = Resource::new_blocking(|| (), |_| signed_in_tenants());
    view! {
        <section class="tenant-sessions" aria-label="Signed-in tenants">
            <Suspense fallback=|| view! { <span class="muted">"Checking sign-ins…"</span> }>
                {move || sign_ins.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! {
                        <span class="muted">"Not signed in to any tenant"</span>
                        <A href="/signin" attr:class="button button-primary">"Sign in"</A>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="session-list">
                            {list.into_iter().map(|tenant| view! { <SessionItem tenant/> }).collect_view()}
                        </ul>
                        <A href="/signin" attr:class="button">"Sign in to another tenant"</A>
                        <form method="post" action="/auth/logout">
                            <button type="submit" class="button">"Sign out everywhere"</button>
                        </form>
                    }.into_any(),
                    Err(error) => view! { <span class="error-text">{error.to_string()}</span> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SessionItem(tenant: SignedInTenant) -> impl IntoView {
    let sign_out_label = format!("Sign out of {}", tenant.tenant_name);
    let roles = tenant.roles.join(", ");
    view! {
        <li class="session" aria-label=tenant.tenant_name.clone()>
            <span class="session-tenant">{tenant.tenant_name.clone()}</span>
            <span class="session-account">{tenant.username.clone()}</span>
            <span class="session-role">{roles}</span>
            {tenant.needs_sign_in.then(|| view! {
                <a class="session-renew" rel="external" href=format!("/auth/login?tenant={}", tenant.tenant_id)>"Sign in again"</a>
            })}
            <form method="post" action="/auth/logout">
                <input type="hidden" name="tenant" value=tenant.tenant_id.clone()/>
                <button type="submit" class="button button-small" aria-label=sign_out_label>"Sign out"</button>
            </form>
        </li>
    }
}
